"""Issuing a report through the pages, as the committee's staff: open the draft, edit its text, issue it with a
number and a signer, find it in the register (reports/documents/)."""

import hashlib

from django.utils import timezone

from reports.building import report_build
from reports.models import Report
from reports.services import report_request
from tests.browser.conftest import DESKTOP

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them with REQUIRE_SERVICES=1) and says why
    expect = None


def built_draft(world) -> Report:
    """A finished compliance draft for the root of the journey world (last year: every month has ended)."""
    report = report_request(
        user=world.admin, organization=world.root, kind=Report.Kind.COMPLIANCE, year=timezone.localdate().year - 1
    )
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


def test_staff_edit_the_draft_issue_it_and_find_it_in_the_register(journey, journey_world):
    world = journey_world
    report = built_draft(world)
    page = journey.page_for(world.users.staff, DESKTOP)
    page.goto(f"/reports/{report.pk}/")
    expect(page.get_by_text("DỰ THẢO", exact=False).first).to_be_visible()
    journey.submit(page, page.get_by_role("link", name="Sửa nội dung"))
    box = page.locator("textarea").first
    box.fill("Đoạn do Ban Tổ chức viết lại.\n\nĐoạn thứ hai.")
    journey.screenshot("documents_narrative")
    journey.submit(page, page.locator("main form[method=post] button[type=submit]"))
    expect(page.locator("#report-status[data-status=DONE]")).to_be_visible()
    report.refresh_from_db()
    assert list(report.narrative.values()) == [["Đoạn do Ban Tổ chức viết lại.", "Đoạn thứ hai."]]

    journey.submit(page, page.get_by_role("link", name="Ban hành", exact=True))
    page.get_by_label("Họ và tên người ký").fill("Lý Thu Trang")
    journey.screenshot("documents_issue_form")
    journey.submit(page, page.locator("main form[method=post] button[type=submit]"))
    issued = page.locator("[data-testid=issued]")
    expect(issued).to_contain_text("1-BC/ĐUK")
    report.refresh_from_db()
    assert report.is_issued and report.signer_name == "Lý Thu Trang"
    assert hashlib.sha256(report.issued_pdf.read()).hexdigest() == report.issued_sha256
    journey.screenshot("documents_issued")

    page.goto("/reports/register/?number=1-BC")
    expect(page.locator("main table")).to_contain_text("1-BC/ĐUK")
    expect(page.locator("main table")).to_contain_text("Lý Thu Trang")
    journey.screenshot("documents_register")


def test_document_forms_sent_back_untouched_change_nothing(journey, journey_world):
    from tests.browser import test_form_round_trip  # here: that module imports built_draft from this one

    round_trip = test_form_round_trip.round_trip

    world = journey_world
    report = built_draft(world)
    page = journey.page_for(world.users.staff, DESKTOP)
    for name, url in (
        ("documents_narrative_round_trip", f"/reports/{report.pk}/text/"),
        ("documents_settings_round_trip", f"/reports/settings/{world.root.pk}/"),
    ):
        problems, contents = round_trip(journey, page, url, "main form[method=post] button[type=submit]", name)
        assert not problems, problems
        assert contents.get("fields", 0) >= 2
    report.refresh_from_db()
    assert report.narrative == {} and report.narrative_version == 1 and report.status == Report.Status.DONE
