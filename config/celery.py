"""The Celery app. Eager (in-process) when no broker is configured, real with Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("chibo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="chibo.ping")
def ping() -> str:
    """A no-op task: /healthz and the broker round-trip test use it."""
    return "pong"
