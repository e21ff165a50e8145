"""A leader requests a report and watches it being built: the progress bar moves while the PDF renders, and when
the build is done the poll brings the download buttons and the record lines (SHA-256, rules used, data as of)
into the page without a reload.

The build runs beside the page here as a worker would (a thread instead of the eager build inside the request),
with a render slowed down to a few seconds so that the bar can be watched. Needs PostgreSQL: the build, its heartbeat
thread and the live server write and read the database at the same time, which SQLite's shared in-memory test
database refuses ("database table is locked").
"""

import re
import threading
import time

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from cells import pdf
from reports import building, services
from reports.models import Report
from tests.browser.conftest import DESKTOP

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: the build thread writes while the live server reads"
)

RENDER_SECONDS = 4.0


@pytest.fixture
def background_builds(settings, monkeypatch):
    """Builds run in a thread of their own (as in a worker), their PDF rendering slowed down to RENDER_SECONDS."""
    settings.REPORTS_HEARTBEAT_SECONDS = 0.2
    real_render = pdf.render_pdf
    threads = []

    def slow_render(template_name, context):
        time.sleep(RENDER_SECONDS)
        return real_render(template_name, context)

    def build(report_id):
        try:
            building.report_build(report_id=report_id)
        finally:
            connections.close_all()

    def enqueue(report_id):
        thread = threading.Thread(target=build, args=(report_id,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(pdf, "render_pdf", slow_render)
    monkeypatch.setattr(building, "render_estimate", lambda report: RENDER_SECONDS)
    monkeypatch.setattr(services, "enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(timeout=30)


def test_progress_bar_moves_during_rendering_and_the_record_appears_without_reload(
    journey, journey_world, background_builds
):
    world = journey_world
    last_year = timezone.localdate().year - 1

    page = journey.page_for(world.users.leader, DESKTOP)
    page.goto(reverse("reports:index"))
    journey.select(page.locator("#id_kind"), Report.Kind.COMPLIANCE)
    journey.fill(page.locator("#id_year"), str(last_year))
    journey.submit(page, page.locator("main form[method=post] button[type=submit]"))
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    page.evaluate("window.chiboSamePage = true")  # gone if the page were reloaded

    bar = page.locator("#report-status [role=progressbar]")
    values, shot = [], None
    started = time.monotonic()
    while time.monotonic() - started < RENDER_SECONDS + 30:
        value = int(bar.get_attribute("aria-valuenow"))
        if not values or values[-1] != value:
            values.append(value)
        if shot is None and building.GATHER_END + 15 < value < building.RENDER_END:
            journey.page = page
            shot = journey.screenshot("report_progress_while_rendering")
        if page.locator('#report-status[data-status="DONE"]').count():
            break
        page.wait_for_timeout(250)

    assert values[-1] == 100, values
    rendering = [v for v in values if building.GATHER_END <= v < building.RENDER_END]
    assert len(rendering) >= 3, values  # the bar moved in steps while the PDF rendered
    assert values == sorted(values), values
    assert shot is not None, values

    report = Report.objects.get()
    status = page.locator("#report-status")
    expect(status.locator('a[href$="/download.pdf"]')).to_be_visible()
    expect(status).to_contain_text(report.sha256)
    if report.parameter_set:
        expect(status).to_contain_text(report.parameter_set.name)
    expect(status).to_contain_text("Số liệu tính đến")
    assert page.evaluate("window.chiboSamePage === true")  # no reload: the poll swapped the record in
    journey.page = page
    journey.screenshot("report_progress_done")
