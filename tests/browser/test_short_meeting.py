"""D7 (rule B3) on a phone: a cell secretary logs an 80-minute meeting, is told it is 10 minutes short of the
90-minute minimum with a link to the rule, finalises it all the same, and the finalised minutes keep the notice."""

import re

from django.urls import reverse

from meetings.models import Meeting
from tests.browser.conftest import PHONE

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None

SHORT = "Thiếu 10 phút so với tối thiểu 90 phút"


def test_D7_secretary_finalises_an_80_minute_meeting_on_a_phone(journey, journey_world):
    world = journey_world
    cell = world.cells[0]
    members = world.members[cell.pk]

    page = journey.page_for(world.users.secretary, PHONE)
    page.goto(reverse("meetings:create", args=[cell.pk]))
    journey.fill(page.locator("#id_end_time"), "09:20")  # from 08:00: 80 minutes
    journey.fill(page.locator("#id_location"), "Phòng họp tầng 2")
    journey.select(page.locator("#id_presiding"), str(members[0].pk))
    journey.select(page.locator("#id_minute_taker"), str(members[1].pk))
    journey.submit(page, page.locator("main form button[type=submit]"))
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    journey.fill(page.locator("#id_content"), "Kiểm điểm công tác tháng; triển khai nhiệm vụ tháng tới.")
    journey.fill(page.locator("#id_conclusion"), "Chi bộ thống nhất các nhiệm vụ đã nêu.")
    journey.fill(page.locator("#id_vote_for"), "6")
    journey.submit(page, page.locator("#meeting-form button[type=submit]:not([name])"))
    assert page.url.endswith("#minutes"), page.url  # #15: the saved page comes back to the section being edited

    warning = page.locator(".duration-warning")
    expect(warning).to_contain_text(SHORT)
    expect(warning.locator(f'a[href^="{reverse("rules:detail", args=["B3"])}"]')).to_be_visible()
    meeting = Meeting.objects.get(organization=cell, status=Meeting.Status.DRAFT)
    expect(page.locator("a.finalise-link")).to_be_visible()  # a warning, not a refusal
    warning.scroll_into_view_if_needed()
    journey.screenshot("D7_short_meeting_before_finalise")

    # The score sheet says why the duration item gets no points; saving it leads to the finalise step.
    page.goto(reverse("meetings:score", args=[meeting.pk]))
    reason = page.locator(".auto-reason", has_text=SHORT)
    expect(reason).to_contain_text(SHORT)
    reason.scroll_into_view_if_needed()
    journey.screenshot("D7_short_meeting_score_sheet")
    journey.submit(page, page.locator("main form button[type=submit]"))

    # The confirmation repeats the warning and lets the short meeting be finalised (D7).
    expect(page.locator(".duration-warning")).to_contain_text(SHORT)
    journey.submit(page, page.locator('button[name="confirm"][value="yes"]'))

    expect(page.locator("main .badge.text-bg-success").first).to_be_visible()
    expect(page.locator(".duration-shortfall")).to_contain_text(SHORT)
    assert journey.overflow(page) == [], "\n".join(journey.overflow(page))
    meeting.refresh_from_db()
    assert meeting.is_final and meeting.duration_minutes == 80
