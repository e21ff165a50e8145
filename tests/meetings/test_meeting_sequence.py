"""The meeting as one guided sequence (#15 items 1 and 2): attendance → minutes → score → finalise (confirmed),
no dead end after finalising, the month's state on the home page, a second meeting of a month refused up front.

Today is frozen on 15/06/2025. The secretary persona holds cell A1 (An and Bình full members, Cường probationary).
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, Notification
from tests.helpers import meeting_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-06-15 10:00 +0700", tick=False):
        yield


def create(world, **overrides) -> Meeting:
    return services.meeting_create(
        organization=world.tree.a1, data=meeting_minutes(world, **overrides), created_by=world.personas.secretary
    )


def scored(world, meeting) -> Meeting:
    meeting.refresh_from_db()
    full = {item.pk: item.max_points for item in meeting.score_template.items.all() if not item.auto_key}
    return services.meeting_score(
        meeting=meeting, manual_points=full, version=meeting.version, scored_by=world.personas.secretary
    )


def finalised(world, meeting) -> Meeting:
    meeting = scored(world, meeting)
    return services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=world.personas.secretary)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_second_meeting_of_a_logged_month_is_refused_up_front_with_a_link(world, client_for):
    meeting = create(world)
    client = client_for("secretary")
    url = reverse("meetings:create", args=[world.tree.a1.pk])
    link = reverse("meetings:detail", args=[meeting.pk])

    # Before the form is filled: the page says this month is logged and links to it.
    page = text(client.get(url))
    assert "đã được ghi" in page and f'href="{link}"' in page

    # Sent anyway: refused on the month field, the message carrying the link (HTML, not escaped).
    data = {
        "kind": Meeting.Kind.REGULAR,
        "period_month": "6",
        "period_year": "2025",
        "date": "2025-06-12",
        "start_time": "08:00",
        "end_time": "09:45",
        "format": Meeting.Format.IN_PERSON,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["period_month"]
    assert any(f'href="{link}"' in str(error) for error in errors)
    assert f'<a href="{link}">' in response.content.decode()
    assert Meeting.objects.filter(organization=world.tree.a1).count() == 1


def test_home_says_finalised_draft_or_not_logged_for_the_month_and_links_to_the_meeting(world, client_for):
    client = client_for("secretary")
    home = reverse("home")

    page = text(client.get(home))
    assert "chưa ghi" in page and reverse("meetings:create", args=[world.tree.a1.pk]) in page

    meeting = create(world)
    page = text(client.get(home))
    assert "bản nháp" in page and reverse("meetings:detail", args=[meeting.pk]) in page
    assert "chưa ghi" not in page

    finalised(world, meeting)
    page = text(client.get(home))
    assert "đã chốt" in page and reverse("meetings:detail", args=[meeting.pk]) in page
    assert "Được tính cho tháng" in page


def test_finalising_asks_for_confirmation_and_includes_the_score(world, client_for):
    meeting = create(world)
    client = client_for("secretary")
    url = reverse("meetings:finalise", args=[meeting.pk])

    # Not scored: the confirmation page says so and offers no finalise button; the service refuses too.
    page = text(client.get(url))
    assert "chưa được chấm điểm" in page and 'name="confirm"' not in page
    response = client.post(url, {"version": meeting.version, "confirm": "yes"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT

    meeting = scored(world, meeting)
    page = text(client.get(url))
    assert 'name="confirm"' in page and "100" in page

    # A POST without the confirmation does nothing but come back to the page that asks.
    response = client.post(url, {"version": meeting.version})
    assert response.status_code == 302 and response["Location"] == url
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT

    response = client.post(url, {"version": meeting.version, "confirm": "yes"})
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL and meeting.score == 100
    final_page = text(client.get(response["Location"]))
    assert "final-score" in final_page and "<strong>100</strong>" in final_page


def test_the_score_page_of_a_finalised_meeting_is_read_only_with_the_reason(world, client_for):
    meeting = finalised(world, create(world))
    client = client_for("secretary")
    url = reverse("meetings:score", args=[meeting.pk])

    page = text(client.get(url))
    assert 'name="item-' not in page and "Lưu điểm" not in page
    assert "đảng ủy cơ sở mở lại biên bản" in page

    response = client.post(url, {"version": meeting.version})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.score == 100


def test_every_automatic_score_item_says_why_it_has_its_points(world, client_for):
    meeting = create(world, pre_meeting_on=None, documents_sent_on=datetime.date(2025, 6, 5))
    page = text(client_for("secretary").get(reverse("meetings:score", args=[meeting.pk])))

    # Nothing typed for the preparation: no points, and where to enter it.
    assert "Chưa nhập ngày họp chi ủy chuẩn bị: nhập ở bước Biên bản" in page
    # Documents sent on 05/06, the meeting on 10/06: met, with the dates.
    assert "Gửi tài liệu ngày 05/06/2025, trước ngày họp (10/06/2025)" in page
    # Attendance: 3 of 3 present.
    assert "3/3 đảng viên có mặt" in page
    assert page.count("auto-reason") == meeting.score_template.items.exclude(auto_key="").count()


def test_a_save_returns_to_the_section_it_was_made_in(world, client_for):
    meeting = create(world)
    data = {
        "kind": Meeting.Kind.REGULAR,
        "period_month": "6",
        "period_year": "2025",
        "date": "2025-06-10",
        "start_time": "08:00",
        "end_time": "09:45",
        "format": Meeting.Format.IN_PERSON,
        "location": "Phòng họp số 2",
        "version": str(meeting.version),
    }
    client = client_for("secretary")
    url = reverse("meetings:detail", args=[meeting.pk])

    response = client.post(url, {**data, "anchor": "minutes"})
    assert response["Location"] == url + "#minutes"
    meeting.refresh_from_db()
    response = client.post(url, {**data, "version": str(meeting.version), "anchor": "nowhere"})
    assert response["Location"] == url + "#attendance"


def test_the_meeting_page_marks_what_finalising_needs_and_shows_the_steps(world, client_for):
    meeting = create(world, conclusion="")
    page = text(client_for("secretary").get(reverse("meetings:detail", args=[meeting.pk])))

    assert page.count('aria-required="true"') == 6  # place, presiding, minute-taker, content, conclusion, votes
    assert "needed-legend" in page
    assert 'aria-current="step"' in page and "meeting-steps" in page
    assert 'data-count="present"' in page  # the counters static/js/meeting.js keeps live


def test_reopening_notifies_the_secretary(world, client_for):
    meeting = finalised(world, create(world))

    response = client_for("grassroots").post(reverse("meetings:reopen", args=[meeting.pk]), {"reason": "Sửa số phiếu"})

    assert response.status_code == 302
    notice = Notification.objects.get(user=world.personas.secretary)
    assert "Sửa số phiếu" in notice.message
    assert notice.link == reverse("meetings:detail", args=[meeting.pk])
    assert not Notification.objects.filter(user=world.personas.grassroots).exists()
