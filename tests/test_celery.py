"""A real Celery round trip through Redis and a running worker (CI starts one; see .ci/run)."""

from contextlib import contextmanager

import pytest

from config.celery import app, ping
from tests.conftest import require_service, service_unavailable

ROUND_TRIP_TIMEOUT = 20


@contextmanager
def celery_through(url: str):
    """Switch the Celery app from eager mode to a real broker and result backend at `url`, then restore it.

    The app caches its connection pool, producer pool and result backend, so those are reset too.
    """
    conf = app.conf
    saved_conf = {key: conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    saved_state = (app._pool, app._backend_cache, getattr(app._local, "backend", None), app.__dict__.get("amqp"))

    def reset_cached_connections():
        app._pool = None
        app._backend_cache = None
        app._local.backend = None
        app.__dict__.pop("amqp", None)

    conf.update(task_always_eager=False, broker_url=url, result_backend=url)
    reset_cached_connections()
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        conf.update(saved_conf)
        reset_cached_connections()
        app._pool, app._backend_cache, app._local.backend, amqp = saved_state
        if amqp is not None:
            app.__dict__["amqp"] = amqp


@pytest.mark.services
def test_ping_task_round_trips_through_redis_and_a_worker():
    url = require_service("redis")

    with celery_through(url):
        replies = app.control.ping(timeout=2)
        if not replies:
            service_unavailable(
                f"No Celery worker answered a ping through {url} within 2 s; start one with "
                "`DEBUG=1 REDIS_URL=... .venv/bin/celery -A config worker` (CI starts it in .ci/run)"
            )
        result = ping.delay()
        try:
            value = result.get(timeout=ROUND_TRIP_TIMEOUT)
        finally:
            result.forget()

    assert value == "pong"
    assert app.conf.task_always_eager is True  # restored for the rest of the suite
