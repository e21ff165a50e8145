#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Commands typed on a developer's machine need no secret key; production sets DEBUG=0 in its environment
    # (docker-compose reads it from .env), so there the settings still refuse to start without SECRET_KEY.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
