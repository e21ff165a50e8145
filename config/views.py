"""The pages above every app: home (figures from every layer) and the health check (database, cache, broker)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app
from config.home import home_context


def home(request):
    return render(request, "home.html", home_context(request.user))


@require_GET
def bench_ceiling(request):
    """The base template and nothing else, for a logged-in user: the stack's ceiling (session, auth, middleware,
    menu, template engine) that bench/run.py's load phase compares the real pages with. It reads nothing beyond
    what every page reads, so it is harmless to ship."""
    return render(request, "bench_ceiling.html")


@never_cache
@login_not_required
@require_GET
def healthz(request):
    """Database, cache and broker status as JSON: 200 when usable, 503 otherwise."""
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unusable
        status["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "1", timeout=5)
        status["cache"] = "ok" if cache.get("healthz") == "1" else "error: read back failed"
    except Exception as error:  # noqa: BLE001
        status["cache"] = f"error: {error.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        status["broker"] = "eager"
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            status["broker"] = f"error: {error.__class__.__name__}"
    healthy = all(value in ("ok", "eager") for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)
