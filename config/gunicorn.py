"""Gunicorn settings for production (docker-compose.yml's web service) and for the bench (bench/run.py).

One file, so that the bench measures the configuration that is deployed. Every value can be overridden from the
environment (GUNICORN_WORKERS, GUNICORN_THREADS, ...) without editing it:

- workers: processes, (2 × CPU cores) + 1 by default, the usual starting point for a Django app whose requests
  spend part of their time waiting on PostgreSQL. WEB_CONCURRENCY (the name Heroku-style hosts set) also works.
- threads: more than 1 switches to the gthread worker, so that a request waiting on the database or on a slow
  client does not hold a whole process; Django and psycopg are thread-safe (one connection per thread).
- timeout: a request still running after this is killed and logged. The yearly reports are built by the Celery
  worker, but the meeting printouts (WeasyPrint) render in the request, hence 120 s.
- keepalive: the seconds an idle connection from the reverse proxy is kept open (the proxy reuses it).
- max_requests (+ jitter): a worker is recycled after that many requests, so a slow leak cannot grow forever;
  the jitter keeps the workers from restarting all at once.
- accesslog: "-" writes one line per request to stdout (docker logs); GUNICORN_ACCESSLOG="" turns it off.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# X-Forwarded-Proto from the reverse proxy is read by Django itself (SECURE_PROXY_SSL_HEADER), not by gunicorn.
