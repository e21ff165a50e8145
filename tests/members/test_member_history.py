"""#15 item 10: a member's record page shows their attendance of the last 12 months and their yearly ratings, to the
member themself and to those who may see their personal data, in a constant number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from criteria.models import Grade, RuleParameterSet
from evaluations.models import EvaluationPeriod, HistoricalRating, MemberEvaluation
from meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db


def _meeting(cell, day, kind=Meeting.Kind.REGULAR, status=Meeting.Status.FINAL):
    return Meeting.objects.create(
        organization=cell,
        kind=kind,
        status=status,
        period_year=day.year,
        period_month=day.month,
        date=day,
        start_time=datetime.time(8),
        end_time=datetime.time(10),
    )


def _attend(cell, member, day, status=Attendance.Status.PRESENT, reason="", **kwargs):
    return Attendance.objects.create(meeting=_meeting(cell, day, **kwargs), member=member, status=status, reason=reason)


def _decided(member, year, grade):
    parameters = RuleParameterSet.objects.create(name=f"Bộ {year}", valid_from=datetime.date(year, 1, 1), values={})
    period = EvaluationPeriod.objects.create(
        year=year,
        root=member.organization.parent,
        parameter_set=parameters,
        self_assessment_due=datetime.date(year, 12, 1),
        appraisal_due=datetime.date(year, 12, 10),
        decision_due=datetime.date(year, 12, 20),
    )
    return MemberEvaluation.objects.create(
        period=period,
        member=member,
        organization=member.organization,
        grassroots=member.organization.parent,
        final_grade=grade,
        decided_at=timezone.now(),
    )


def _text(html: str, section: str) -> str:
    match = re.search(rf'<section[^>]*id="{section}".*?</section>', html, re.S)
    assert match, f"no {section} section"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


@pytest.fixture
def history(world):
    an = world.members.own
    cell = world.tree.a1
    today = timezone.localdate()
    _attend(cell, an, today - datetime.timedelta(days=20))
    thematic = {"kind": Meeting.Kind.THEMATIC}  # any number of them in a month
    _attend(cell, an, today - datetime.timedelta(days=50), Attendance.Status.EXCUSED, "Ốm, nằm viện", **thematic)
    _attend(cell, an, today - datetime.timedelta(days=80), Attendance.Status.UNEXCUSED)
    _attend(cell, an, today - datetime.timedelta(days=110), Attendance.Status.EXEMPT, **thematic)  # not counted (B4)
    _attend(cell, an, today - datetime.timedelta(days=400))  # more than 12 months ago: not shown
    HistoricalRating.objects.create(member=an, year=2022, grade=Grade.GOOD, source="Sổ 2022")
    HistoricalRating.objects.create(member=an, year=2023, grade=Grade.FULFILLED)
    _decided(an, 2023, Grade.EXCELLENT)  # decided in chibo: wins over the imported 2023
    return an


@pytest.mark.parametrize("persona", ["member", "staff", "secretary"])
def test_member_page_shows_attendance_of_the_last_12_months(world, history, client_for, persona):
    html = client_for(persona).get(reverse("members:detail", args=[history.pk])).content.decode()
    attendance = _text(html, "attendance-history")
    # Four meetings in the window; the exempt one is outside the count: present at 1 of 3, absent from 2.
    assert "Có mặt 1/3 buổi sinh hoạt, vắng 2 buổi" in attendance
    today = timezone.localdate()
    for days in (20, 50, 80, 110):
        assert (today - datetime.timedelta(days=days)).strftime("%d/%m/%Y") in attendance
    assert (today - datetime.timedelta(days=400)).strftime("%d/%m/%Y") not in attendance
    assert "Vắng có lý do" in attendance and "Ốm, nằm viện" in attendance
    assert "Vắng không có lý do" in attendance


def test_member_page_shows_yearly_ratings_decided_over_imported(world, history, client_for):
    ratings = _text(client_for("member").get(reverse("members:me"), follow=True).content.decode(), "rating-history")
    excellent, good, fulfilled = (str(Grade(g).label) for g in (Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED))
    assert f"2023 {excellent}" in ratings
    assert f"2022 {good}" in ratings and "Sổ 2022" in ratings
    assert fulfilled not in ratings  # the imported 2023 result gives way to the decided one
    assert ratings.index("2023") < ratings.index("2022")  # newest first


def test_member_history_is_not_shown_to_those_who_may_not_see_personal_data(world, history, client_for):
    response = client_for("outsider").get(reverse("members:detail", args=[history.pk]))
    assert response.status_code == 404 or 'id="attendance-history"' not in response.content.decode()


def test_member_history_queries_do_not_grow_with_the_record(world, history, client_for):
    client = client_for("staff")
    url = reverse("members:detail", args=[history.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    today = timezone.localdate()
    for days in range(120, 330, 30):
        _attend(
            world.tree.a1, history, today - datetime.timedelta(days=days), "VANG_CO_LY_DO", "Công tác", kind="CHUYEN_DE"
        )
    for year in (2018, 2019, 2020, 2021):
        HistoricalRating.objects.create(member=history, year=year, grade=Grade.GOOD)
    _decided(history, 2024, Grade.GOOD)
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert "2018" in _text(html, "rating-history")
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries][len(before) :]
