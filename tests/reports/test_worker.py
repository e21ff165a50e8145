"""Reports built by a real Celery worker process through Redis, against the test database (PostgreSQL only).

The worker is started by the test itself, consuming a queue of its own on a Redis database of its own
(WORKER_REDIS_DB), so that it never takes messages meant for another worker (CI runs one on the default queue) and
the Redis database can be flushed afterwards. It writes the report files to a temporary MEDIA_ROOT that the test
process reads through a FileSystemStorage at the same place.

Run here with:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_reports_helper REQUIRE_SERVICES=1 \\
        REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/pytest tests/reports/test_worker.py -s
(-s prints the timings.)
"""

import datetime
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from cells.models import Organization
from config.celery import app
from meetings.models import Meeting
from reports.models import Report
from reports.services import STALE_AFTER, report_request, requeue_stale
from tests.conftest import require_service
from tests.test_celery import celery_through

pytestmark = [
    pytest.mark.services,
    # Never an error on SQLite, even with REQUIRE_SERVICES=1 (the services run in CI is on PostgreSQL):
    # pytest-django's SQLite test database lives in memory, out of reach of another process.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: the worker process must share the test database"
    ),
    pytest.mark.django_db(transaction=True),
]

WORKER_REDIS_DB = 9
READY_TIMEOUT = 60  # seconds for a worker to log " ready."
BUILD_TIMEOUT = 60  # seconds for a report to be DONE
POLL = 0.02  # seconds between two looks at the report's status


#
# Services and settings
#


@pytest.fixture
def worker_redis_url():
    """The test's Redis server, on the worker tests' own database; flushed afterwards."""
    require_service("postgresql")
    parts = urlsplit(require_service("redis"))
    url = urlunsplit((parts.scheme, parts.netloc, f"/{WORKER_REDIS_DB}", parts.query, ""))
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def media_root(settings, tmp_path):
    """The worker writes files under tmp_path/media; the test process reads them from there."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def worker_database_url() -> str:
    """A DATABASE_URL for the test database (pytest-django's test_… copy), for the worker process."""
    db = connection.settings_dict
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(db['NAME'], safe='')}"


@contextmanager
def routed_to(queue: str, redis_url: str):
    """Eager mode off, the broker at `redis_url`, and report builds sent to `queue` (the test worker's)."""
    saved = app.conf.task_routes
    app.conf.task_routes = {"reports.report_generate": {"queue": queue}}
    try:
        with celery_through(redis_url):  # drops the cached router too, so the routes above are read
            yield
    finally:
        app.conf.task_routes = saved
        app.__dict__.pop("amqp", None)
        # celery_through() closes the connection pool, but kombu keeps the producer pool built on it in a
        # process-wide registry keyed by the broker URL: the next test on the same URL would get "Acquire on closed
        # pool". Empty the registry.
        from kombu import pools

        pools.reset()


#
# The worker process
#


class Worker:
    def __init__(self, *, queue: str, redis_url: str, media_root: Path, log: Path, env: dict | None = None):
        self.log = log
        extra_env = env
        env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "DATABASE_URL_FILE",
                "REDIS_URL_FILE",
                "CELERY_BROKER_URL",
                "CELERY_BROKER_URL_FILE",
                "CELERY_RESULT_BACKEND",
                "CELERY_RESULT_BACKEND_FILE",
            }
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="1",
            DATABASE_URL=worker_database_url(),
            REDIS_URL=redis_url,
            MEDIA_ROOT=str(media_root),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env or {})
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "--hostname",
            f"{queue}-{log.stem}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.started = time.monotonic()
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=django_settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self) -> float:
        while time.monotonic() - self.started < READY_TIMEOUT:
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            if " ready." in self.output():
                return time.monotonic() - self.started
            time.sleep(0.1)
        pytest.fail(f"The worker was not ready within {READY_TIMEOUT} s:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL if it does not stop within 10 s. Only this worker's own process."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def workers(worker_redis_url, media_root, tmp_path):
    """`workers.start()`: a new worker on this test's queue, ready; every one is stopped at the end."""
    started: list[Worker] = []
    queue = f"chibo-test-{uuid.uuid4().hex[:12]}"

    class Workers:
        redis_url = worker_redis_url

        def __init__(self):
            self.queue = queue

        def start(self, **env) -> Worker:
            """`env`: more environment for the worker (e.g. REPORTS_STALE_AFTER_SECONDS="3")."""
            worker = Worker(
                queue=queue,
                redis_url=worker_redis_url,
                media_root=media_root,
                log=tmp_path / f"w{len(started)}.log",
                env=env,
            )
            started.append(worker)
            print(f"\nworker {len(started)} ready in {worker.wait_ready():.2f} s (pid {worker.process.pid})")
            return worker

        def logs(self) -> str:
            return "\n".join(f"--- {w.log.name}\n{w.output()[-3000:]}" for w in started)

    try:
        yield Workers()
    finally:
        for worker in started:
            worker.stop()


def wait_for_status(report_id: int, statuses, *, timeout: float, logs) -> tuple[Report, float]:
    started = time.monotonic()
    while True:
        report = Report.objects.get(pk=report_id)
        if report.status in statuses:
            return report, time.monotonic() - started
        if report.status == Report.Status.FAILED:
            pytest.fail(f"The report failed: {report.error}\n{logs()}")
        if time.monotonic() - started > timeout:
            pytest.fail(f"The report is {report.status} after {timeout} s\n{logs()}")
        time.sleep(POLL)


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


#
# Data
#


def big_tree(world, *, cells: int = 150) -> None:
    """`cells` more party cells under đảng bộ A, each with regular meetings for January–June 2025 only: the report
    lists every one of them among the cells with missing months, so its PDF runs to several pages."""
    a = world.tree.a
    Organization.objects.bulk_create(
        Organization(parent=a, name=f"Chi bộ Phòng {i:03d}", code=f"W{i:03d}", kind=Organization.Kind.CELL)
        for i in range(cells)
    )
    added = Organization.objects.filter(parent=a, code__startswith="W")
    added.update(path=Concat(Value(a.path), Cast("id", CharField()), Value("/")), depth=a.depth + 1)
    Meeting.objects.bulk_create(
        Meeting(
            organization_id=cell_id,
            period_year=2025,
            period_month=month,
            date=datetime.date(2025, month, 5),
            start_time=datetime.time(8),
            end_time=datetime.time(10),
            status=Meeting.Status.FINAL,
        )
        for cell_id in added.values_list("id", flat=True)
        for month in range(1, 7)
    )


#
# Tests
#


def test_worker_builds_report_requested_in_test_process(world, workers):
    worker = workers.start()

    with routed_to(workers.queue, workers.redis_url):
        started = time.monotonic()
        report = report_request(
            user=world.personas.leader, organization=world.tree.root, kind=Report.Kind.COMPLIANCE, year=2025
        )
        report, waited = wait_for_status(report.pk, {Report.Status.DONE}, timeout=BUILD_TIMEOUT, logs=workers.logs)

    print(f"request → DONE through the worker: {waited:.2f} s ({time.monotonic() - started:.2f} s in all)")
    assert worker.process.poll() is None
    assert report.attempts == 1
    assert report.progress == 100
    assert report.figures["cells"] == 5
    pdf = stored(report.pdf)
    assert pdf.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (Path(django_settings.MEDIA_ROOT) / report.pdf.name).is_file()  # written by the worker process
    assert stored(report.xlsx).startswith(b"PK")
    assert "Task reports.report_generate[" in worker.output()


def test_report_whose_worker_is_killed_mid_build_completes_on_a_new_worker(world, workers):
    big_tree(world)
    first = workers.start()

    with routed_to(workers.queue, workers.redis_url):
        report = report_request(
            user=world.personas.leader, organization=world.tree.root, kind=Report.Kind.COMPLIANCE, year=2025
        )
        report, waited = wait_for_status(report.pk, {Report.Status.RUNNING}, timeout=BUILD_TIMEOUT, logs=workers.logs)
        first.kill()
        print(f"RUNNING after {waited:.2f} s (progress {report.progress}); worker 1 killed")
        assert first.process.returncode == -signal.SIGKILL
        assert "Task reports.report_generate[" in first.output()
        assert "succeeded" not in first.output()

        report.refresh_from_db()
        assert report.status == Report.Status.RUNNING, report.status  # the build did not finish
        assert report.attempts == 1
        assert not report.pdf

        # The unacknowledged message would come back from Redis only after the visibility timeout (one hour by
        # default; no CELERY_BROKER_TRANSPORT_OPTIONS is set), so the build is taken up again the way the beat job
        # does it: requeue_stale(), once the heartbeat is older than STALE_AFTER.
        workers.start()
        started = time.monotonic()
        result = requeue_stale(now=timezone.now() + STALE_AFTER + datetime.timedelta(seconds=1))
        assert result == {"requeued": [report.pk], "failed": []}
        report, waited = wait_for_status(report.pk, {Report.Status.DONE}, timeout=BUILD_TIMEOUT, logs=workers.logs)

    print(f"requeued → DONE on worker 2: {waited:.2f} s ({time.monotonic() - started:.2f} s in all)")
    assert report.attempts == 2
    assert report.error == ""
    assert report.figures["cells"] == 155
    assert report.figures["missing_cells"] == 155  # the 150 new ones miss July–December, the others everything
    pdf = stored(report.pdf)
    assert report.sha256 == hashlib.sha256(pdf).hexdigest()


#
# Without the beat: the report page itself takes up a build whose worker was killed
#

STALE = (
    3  # seconds without a heartbeat before a build is taken for stalled (REPORTS_STALE_AFTER_SECONDS, 90 by default)
)
FAST_WATCH = {"REPORTS_STALE_AFTER_SECONDS": str(STALE), "REPORTS_HEARTBEAT_SECONDS": "1"}
USER_PATIENCE = 120  # seconds: within 2 minutes the user sees a resumed build or a retry (issue #14)


def watch_page(client, report_id: int, until, *, timeout: float, logs) -> tuple[str, float, list[str]]:
    """Look at the report page the way its htmx poll does, every second, until `until(html)`. Nothing else runs:
    no beat, no requeue_stale. Returns the last page, the time it took and the statuses the page showed."""
    url = reverse("reports:detail", args=[report_id])
    started = time.monotonic()
    seen = []
    while True:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        status = html.split('data-status="', 1)[1].split('"', 1)[0]
        if not seen or seen[-1] != status:
            seen.append(status)
        if until(html):
            return html, time.monotonic() - started, seen
        if time.monotonic() - started > timeout:
            pytest.fail(f"The page still shows {seen} after {timeout} s:\n{html}\n{logs()}")
        time.sleep(1)


def killed_mid_build(world, workers) -> Report:
    """A build of several pages, its worker SIGKILLed once the build is RUNNING and has written a heartbeat."""
    big_tree(world)
    first = workers.start(**FAST_WATCH)
    report = report_request(
        user=world.personas.leader, organization=world.tree.root, kind=Report.Kind.COMPLIANCE, year=2025
    )
    report, _ = wait_for_status(report.pk, {Report.Status.RUNNING}, timeout=BUILD_TIMEOUT, logs=workers.logs)
    first.kill()
    assert first.process.returncode == -signal.SIGKILL
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING, report.status  # the build did not finish
    assert not report.pdf
    print(f"worker 1 killed at {report.progress} %")
    return report


def test_killed_worker_without_beat_the_page_resumes_the_build_on_the_restarted_worker(
    world, workers, client_for, settings
):
    settings.REPORTS_STALE_AFTER_SECONDS = STALE
    client = client_for("leader")

    with routed_to(workers.queue, workers.redis_url):
        report = killed_mid_build(world, workers)
        killed = time.monotonic()
        workers.start(**FAST_WATCH)  # the worker restarted (systemd, Docker); the beat is not running
        html, waited, seen = watch_page(
            client, report.pk, lambda html: 'data-status="DONE"' in html, timeout=USER_PATIENCE, logs=workers.logs
        )

    print(f"killed → DONE seen on the page: {time.monotonic() - killed:.2f} s; the page showed {seen}")
    assert time.monotonic() - killed < USER_PATIENCE
    # The first look already finds it stalled when the new worker took longer than STALE to start.
    assert Report.Status.PENDING in seen  # taken up by the page: queued again
    report.refresh_from_db()
    assert report.attempts == 2
    assert report.error == ""
    assert report.figures["cells"] == 155
    assert report.sha256 == hashlib.sha256(stored(report.pdf)).hexdigest()
    assert report.sha256 in html  # the record lines come with the poll's swap, no reload
    assert reverse("reports:download_pdf", args=[report.pk]) in html


def test_killed_worker_and_none_restarted_the_page_offers_a_retry_that_builds_it(world, workers, client_for, settings):
    settings.REPORTS_STALE_AFTER_SECONDS = STALE
    client = client_for("leader")

    with routed_to(workers.queue, workers.redis_url):
        report = killed_mid_build(world, workers)
        killed = time.monotonic()
        html, waited, seen = watch_page(
            client, report.pk, lambda html: "data-stalled" in html, timeout=USER_PATIENCE, logs=workers.logs
        )
        print(f"killed → retry offered on the page: {time.monotonic() - killed:.2f} s; the page showed {seen}")
        assert time.monotonic() - killed < USER_PATIENCE
        assert reverse("reports:retry", args=[report.pk]) in html  # the "Build again" button
        report.refresh_from_db()
        assert report.status == Report.Status.PENDING  # queued again once, but no worker took it
        assert report.attempts == 1

        workers.start(**FAST_WATCH)
        response = client.post(reverse("reports:retry", args=[report.pk]))
        assert response.status_code == 302
        html, waited, _ = watch_page(
            client, report.pk, lambda html: 'data-status="DONE"' in html, timeout=BUILD_TIMEOUT, logs=workers.logs
        )

    report.refresh_from_db()
    assert report.attempts == 2  # the two messages (the page's requeue and the retry) built it once
    assert report.sha256 in html
