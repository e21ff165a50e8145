#!/usr/bin/env python3
"""Container health check: exit 0 when GET /healthz answers 200, 1 otherwise.

Used by docker-compose.yml for the web service. Sends the first ALLOWED_HOSTS entry as the Host
header (Django rejects unknown hosts) and X-Forwarded-Proto: https (as the TLS proxy would).
Standard library only.
"""

import json
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz")
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    try:
        detail = json.dumps(json.loads(body))
    except ValueError:
        detail = " ".join(body[:300].decode("utf-8", "replace").split())
    print(f"{status} {detail}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
