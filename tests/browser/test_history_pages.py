"""History in words (issue #15 item 4) as a secretary meets it on a phone: the cell page and the meeting page say who
(the person's name and role), what (a Vietnamese sentence) and the changed values with their labels; identical
consecutive entries show once with a count."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cells.services import log_action
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting
from tests.browser.conftest import PHONE

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None


def test_history_of_a_cell_and_a_meeting_reads_in_words_on_a_phone(journey, journey_world):
    world = journey_world
    cell, secretary = world.cells[0], world.users.secretary
    members = world.members[cell.pk]
    month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)  # last month: it has begun
    meeting = meeting_services.meeting_create(
        organization=cell,
        data={
            "kind": Meeting.Kind.REGULAR,
            "period_year": month.year,
            "period_month": month.month,
            "date": month.replace(day=10),
            "start_time": datetime.time(8, 0),
            "end_time": datetime.time(10, 0),
        },
        created_by=secretary,
    )
    meeting_services.meeting_update(
        meeting=meeting,
        data={"location": "Phòng họp tầng 2"},
        attendance={members[0].pk: {"status": Attendance.Status.EXCUSED, "reason": "Đi công tác"}},
        version=meeting.version,
        updated_by=secretary,
    )
    for _ in range(3):  # the same confirmation sent three times: one line "3 lần"
        log_action(actor=world.users.grassroots, action="cells.meeting.confirmed", organization=cell, target=meeting)
    label = f"{month.month:02d}/{month.year}"

    page = journey.page_for(secretary, PHONE)
    for url, shot in (
        (reverse("meetings:detail", args=[meeting.pk]), "history_meeting_page_phone"),
        (reverse("cells:detail", args=[cell.pk]), "history_cell_page_phone"),
    ):
        page.goto(url)
        history = page.locator("ul.history").first
        expect(history).to_contain_text(f"Ghi buổi sinh hoạt tháng {label}")
        expect(history).to_contain_text(f"Sửa buổi sinh hoạt tháng {label}")
        expect(history).to_contain_text("Đỗ Minh Tâm")  # the person, not the login "bithu1"
        expect(history).to_contain_text("Bí thư / Phó Bí thư chi bộ")
        expect(history).to_contain_text("Ngô Quang Vinh (Cấp ủy cơ sở, Đảng bộ Sở Y tế)")
        expect(history).to_contain_text("Địa điểm: (trống) → Phòng họp tầng 2")
        expect(history).to_contain_text(f"Điểm danh {members[0].full_name}: Có mặt → Vắng có lý do")
        expect(history.locator(".badge")).to_have_text("3 lần")
        text = history.inner_text()
        assert "cells.meeting" not in text and "bithu1" not in text and "EXCUSED" not in text
        assert text.count("Xác nhận điểm") == 1
        history.scroll_into_view_if_needed()
        assert journey.overflow(page) == [], "\n".join(journey.overflow(page))
        journey.screenshot(shot)
