"""A build shows it is alive: the heartbeat thread (reports.building.Heartbeat) keeps `heartbeat_at` fresh and moves
the progress during rendering; the report page takes up a build whose heartbeat stopped (reports.services.watch_build),
without the beat job; the retry button builds a failed or stalled report again.

The worker process itself (SIGKILL mid-build, no beat) is in tests/reports/test_worker.py (PostgreSQL and Redis).
"""

import datetime
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from cells import pdf
from reports import building, services
from reports.building import GATHER_END, RENDER_END, Heartbeat, report_build
from reports.models import Report

COMPLIANCE = Report.Kind.COMPLIANCE
RENDER_SECONDS = 1.5  # the slow fake render


def _report(world, **fields) -> Report:
    """A requested report whose build has not run (created directly: report_request would enqueue it)."""
    return Report.objects.create(
        kind=COMPLIANCE, organization=world.tree.root, year=2025, requested_by=world.personas.leader, **fields
    )


def _page(client, report, *, htmx=True) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse("reports:detail", args=[report.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


#
# The progress during rendering
#


# The heartbeat thread writes through its own connection, outside any test transaction.
@pytest.mark.django_db(transaction=True)
def test_progress_advances_during_rendering_and_never_goes_back(world, settings, monkeypatch):
    settings.REPORTS_HEARTBEAT_SECONDS = 0.05
    monkeypatch.setattr(building, "render_estimate", lambda report: RENDER_SECONDS)
    report = _report(world)
    seen: list[tuple[int, datetime.datetime]] = []

    def slow_render(template_name, context):
        # WeasyPrint's place: the row is read meanwhile, as the page's poll reads it.
        started = time.monotonic()
        while time.monotonic() - started < RENDER_SECONDS:
            seen.append(Report.objects.values_list("progress", "heartbeat_at").get(pk=report.pk))
            time.sleep(0.1)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(pdf, "render_pdf", slow_render)

    built = report_build(report_id=report.pk)

    assert built.status == Report.Status.DONE and built.progress == 100
    progress = [value for value, _ in seen]
    assert progress == sorted(progress), progress  # never backwards
    assert progress[0] <= GATHER_END + 5, progress  # rendering starts where gathering ended...
    assert progress[-1] >= GATHER_END + 30, progress  # ...and the bar moves a long way while the PDF renders
    assert progress[-1] < RENDER_END, progress  # never at the end before the PDF is there
    assert len(set(progress)) >= 5, progress  # in many steps, not one jump
    beats = sorted({at for _, at in seen})
    assert len(beats) >= 5 and beats[-1] - beats[0] >= datetime.timedelta(seconds=1), beats  # the heartbeat goes on
    assert not [t for t in threading.enumerate() if t.name.endswith("-heartbeat")]  # stopped with the build


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_stops_when_the_build_fails(world, settings, monkeypatch):
    settings.REPORTS_HEARTBEAT_SECONDS = 0.05
    report = _report(world)

    def broken(template_name, context):
        time.sleep(0.2)
        raise RuntimeError("WeasyPrint hỏng")

    monkeypatch.setattr(pdf, "render_pdf", broken)

    with pytest.raises(RuntimeError):
        report_build(report_id=report.pk)

    assert not [t for t in threading.enumerate() if t.name.endswith("-heartbeat")]


def test_heartbeat_never_lowers_the_progress(world):
    report = _report(world, status=Report.Status.RUNNING, attempts=1, progress=1)
    heartbeat = Heartbeat(report_id=report.pk, attempt=1, threaded=False)

    heartbeat.set(60)
    heartbeat._write(40)  # a beat computed before the step was reached, written after it

    report.refresh_from_db()
    assert report.progress == 60


def test_heartbeat_of_an_attempt_taken_over_writes_nothing(world):
    """A slow worker whose build was taken up by another must not keep the new build's heartbeat alive."""
    old = timezone.now() - datetime.timedelta(hours=1)
    report = _report(world, status=Report.Status.RUNNING, attempts=2, progress=5, heartbeat_at=old)

    Heartbeat(report_id=report.pk, attempt=1, threaded=False).set(80)

    report.refresh_from_db()
    assert (report.progress, report.heartbeat_at) == (5, old)


def test_render_estimate_comes_from_the_last_build_of_the_kind(world):
    report = _report(world)
    assert building.render_estimate(report) == building.RENDER_ESTIMATE_DEFAULT
    start = timezone.now() - datetime.timedelta(minutes=5)
    _report(world, status=Report.Status.DONE, started_at=start, finished_at=start + datetime.timedelta(seconds=20))

    assert building.render_estimate(report) == pytest.approx(16.0)


#
# The page watches the build (no beat)
#


def _stalled_running(world, settings, *, attempts=1) -> Report:
    settings.REPORTS_STALE_AFTER_SECONDS = 90
    old = timezone.now() - datetime.timedelta(seconds=91)
    return _report(
        world, status=Report.Status.RUNNING, attempts=attempts, progress=40, started_at=old, heartbeat_at=old
    )


def test_page_queues_a_stalled_build_again_once_however_many_look(
    world, settings, client_for, django_capture_on_commit_callbacks
):
    report = _stalled_running(world, settings)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _page(client_for("leader"), report)
        second = _page(client_for("admin"), report)

    assert len(callbacks) == 1  # enqueued once
    report.refresh_from_db()
    assert (report.status, report.progress) == (Report.Status.PENDING, 0)
    assert report.heartbeat_at > timezone.now() - datetime.timedelta(seconds=10)  # waiting for a worker from now
    assert 'data-status="PENDING"' in first and 'data-status="PENDING"' in second
    assert "data-stalled" not in first  # queued again: not yet a case for the button
    assert report.error in first  # the user is told why the build starts over


def test_page_builds_a_stalled_build_again_when_the_task_runs(
    world, settings, client_for, django_capture_on_commit_callbacks
):
    report = _stalled_running(world, settings)

    with django_capture_on_commit_callbacks(execute=True):
        _page(client_for("leader"), report, htmx=False)

    report.refresh_from_db()
    assert report.status == Report.Status.DONE  # eager here: the page's requeue built it
    assert report.attempts == 2
    assert report.error == ""


def test_page_fails_a_build_stalled_max_attempts_times_and_offers_the_retry(
    world, settings, client_for, django_capture_on_commit_callbacks
):
    report = _stalled_running(world, settings, attempts=services.MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        html = _page(client_for("leader"), report)

    assert callbacks == []
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert str(services.MAX_ATTEMPTS) in report.error
    assert reverse("reports:retry", args=[report.pk]) in html


def test_page_leaves_a_build_with_a_fresh_heartbeat_alone(world, settings, client_for):
    settings.REPORTS_STALE_AFTER_SECONDS = 90
    recent = timezone.now() - datetime.timedelta(seconds=60)
    report = _report(world, status=Report.Status.RUNNING, attempts=1, progress=50, heartbeat_at=recent)

    html = _page(client_for("leader"), report)

    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == (Report.Status.RUNNING, 50, 1)
    assert "data-stalled" not in html
    assert reverse("reports:retry", args=[report.pk]) not in html


def test_waiting_build_no_worker_takes_is_shown_stalled_with_the_retry(world, settings, client_for):
    settings.REPORTS_STALE_AFTER_SECONDS = 90
    report = _report(world, heartbeat_at=timezone.now() - datetime.timedelta(seconds=91))  # queued again, untaken

    html = _page(client_for("leader"), report)

    assert "data-stalled" in html
    assert reverse("reports:retry", args=[report.pk]) in html
    report.refresh_from_db()
    assert report.status == Report.Status.PENDING  # the page does not send it again by itself: the user decides


def test_retry_builds_a_stalled_waiting_report(world, settings, client_for):
    settings.REPORTS_STALE_AFTER_SECONDS = 90
    report = _report(world, heartbeat_at=timezone.now() - datetime.timedelta(seconds=91))

    response = client_for("leader").post(reverse("reports:retry", args=[report.pk]))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.attempts == 1


def test_retry_of_a_build_in_progress_is_refused_in_vietnamese(world, settings, client_for):
    settings.REPORTS_STALE_AFTER_SECONDS = 90
    report = _report(world, status=Report.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())

    response = client_for("leader").post(reverse("reports:retry", args=[report.pk]), follow=True)

    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.RUNNING, 1)
    assert "Chỉ báo cáo bị lỗi hoặc bị treo mới lập lại được" in response.content.decode()


def test_page_poll_costs_the_same_queries_whatever_the_state(
    world, settings, client_for, django_assert_max_num_queries
):
    settings.REPORTS_STALE_AFTER_SECONDS = 90
    client = client_for("leader")
    report = _report(world, status=Report.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    _page(client, report)  # session warmed

    with django_assert_max_num_queries(12):
        _page(client, report)
