"""#15 item 10 in Chromium: a date typed and shown as dd/mm/yyyy in a browser set to English (a native date box
showed 12/03/2026 for 3 December there), and a member's own page with their attendance and ratings on a phone."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cells import services as cell_services
from criteria.models import Grade
from evaluations.models import HistoricalRating
from meetings.models import Attendance, Meeting
from members.models import Member
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None

DECEMBER_3 = datetime.date(2025, 12, 3)


def test_date_box_in_an_english_browser_shows_and_saves_dd_mm_yyyy(journey, journey_world):
    member = journey_world.members[journey_world.cells[0].pk][0]
    Member.objects.filter(pk=member.pk).update(ehandbook_since=DECEMBER_3)
    page = journey.page_for(journey_world.users.secretary, DESKTOP, locale="en-US")
    assert page.evaluate("navigator.language") == "en-US"
    edit = reverse("members:edit", args=[member.pk])
    page.goto(edit)
    box = page.locator("#id_ehandbook_since")
    expect(box).to_have_attribute("type", "text")
    expect(box).to_have_attribute("placeholder", "dd/mm/yyyy")
    expect(box).to_have_value("03/12/2025")  # 3 December, not 12 March

    # Saved untouched: nothing changes.
    journey.submit(page, page.locator("main form button[type=submit]"))
    member.refresh_from_db()
    assert member.ehandbook_since == DECEMBER_3
    expect(page.locator("#ehandbook")).to_contain_text("03/12/2025")

    # An impossible date is refused on its field, in Vietnamese, and kept as typed; nothing is stored.
    page.goto(edit)
    journey.fill(page.locator("#id_ehandbook_since"), "31/02/2025")
    journey.submit(page, page.locator("main form button[type=submit]"))
    expect(page.locator("main")).to_contain_text("không phải là một ngày có thật")
    expect(page.locator("#id_ehandbook_since")).to_have_value("31/02/2025")
    journey.screenshot("test_date_box_refuses_31_february")
    member.refresh_from_db()
    assert member.ehandbook_since == DECEMBER_3

    # Typed on a phone's digit keypad without the slashes, it is read day first.
    journey.fill(page.locator("#id_ehandbook_since"), "05112025")
    journey.submit(page, page.locator("main form button[type=submit]"))
    member.refresh_from_db()
    assert member.ehandbook_since == datetime.date(2025, 11, 5)
    page.goto(edit)
    expect(page.locator("#id_ehandbook_since")).to_have_value("05/11/2025")


def test_member_sees_their_attendance_and_ratings_on_a_phone(journey, journey_world):
    cell = journey_world.cells[0]
    member = journey_world.members[cell.pk][1]
    user = cell_services.user_create(
        username="dangvien1", full_name=member.full_name, password=PASSWORD, created_by=journey_world.admin
    )
    Member.objects.filter(pk=member.pk).update(user=user)
    today = timezone.localdate()
    for days, kind, status, reason in (
        (15, Meeting.Kind.REGULAR, Attendance.Status.PRESENT, ""),
        (45, Meeting.Kind.THEMATIC, Attendance.Status.EXCUSED, "Đi công tác tỉnh"),
        (75, Meeting.Kind.THEMATIC, Attendance.Status.PRESENT, ""),
    ):
        day = today - datetime.timedelta(days=days)
        meeting = Meeting.objects.create(
            organization=cell,
            kind=kind,
            status=Meeting.Status.FINAL,
            period_year=day.year,
            period_month=day.month,
            date=day,
            start_time=datetime.time(8),
            end_time=datetime.time(10),
        )
        Attendance.objects.create(meeting=meeting, member=member, status=status, reason=reason)
    HistoricalRating.objects.create(member=member, year=today.year - 1, grade=Grade.GOOD, source="Sổ theo dõi")

    page = journey.page_for(user, PHONE)
    page.goto(reverse("members:me"))
    history = page.locator("#attendance-history")
    expect(history).to_contain_text("Có mặt 2/3 buổi sinh hoạt, vắng 1 buổi")
    expect(history).to_contain_text((today - datetime.timedelta(days=45)).strftime("%d/%m/%Y"))
    expect(history).to_contain_text("Đi công tác tỉnh")
    rating = page.locator("#rating-history tbody tr").first
    expect(rating.locator("td").nth(0)).to_have_text(str(today.year - 1))
    expect(rating.locator("td").nth(1)).to_have_text(str(Grade(Grade.GOOD).label))
    assert not journey.overflow(page), journey.overflow(page)
    history.scroll_into_view_if_needed()
