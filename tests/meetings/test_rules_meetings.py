"""Meeting rules of issue #13, from the text of domain.md §8 / §8.1: D7 (B3 short meetings), D8 (B5 xóa tên prompt),
D2 (yearly meeting-quality levels).

Cell A1 of the conftest tree holds An (FULL), Bình (FULL) and Cường (PROBATIONARY). Today is frozen on 10/02/2026,
so every month of 2025 has ended; the parameter sets written here are in force from 01/03/2025.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from criteria.models import RuleParameterSet
from meetings import selectors, services
from meetings.models import Attendance, Meeting
from members.models import Member
from tests.helpers import meeting_minutes, meeting_row

pytestmark = pytest.mark.django_db

K = Meeting.Kind
R = Meeting.Rating
A = Attendance.Status


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


def parameters(**values) -> RuleParameterSet:
    return RuleParameterSet.objects.create(name="Bộ thử", valid_from=datetime.date(2025, 3, 1), values=values)


def logged(world, **overrides) -> Meeting:
    """Complete minutes of an A1 meeting on 10/06/2025 from 8:00 (every other automatic score item met)."""
    return services.meeting_create(
        organization=world.tree.a1, data=meeting_minutes(world, **overrides), created_by=world.personas.secretary
    )


def scored_and_finalised(world, meeting) -> Meeting:
    meeting.refresh_from_db()
    template = services.score_template_on(meeting.date)
    full_marks = {item.pk: item.max_points for item in template.items.all() if not item.auto_key}
    services.meeting_score(
        meeting=meeting, manual_points=full_marks, version=meeting.version, scored_by=world.personas.secretary
    )
    meeting.refresh_from_db()
    services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=world.personas.secretary)
    meeting.refresh_from_db()
    return meeting


def duration_points(meeting) -> Decimal:
    return meeting.scores.get(item__auto_key="duration").points


#
# D7 / B3: a meeting shorter than the minimum is finalised; the shortfall is shown and costs the duration item
#


def test_D7_B3_an_80_minute_regular_meeting_is_finalised_and_loses_only_the_duration_item(world):
    meeting = logged(world, end_time=datetime.time(9, 20))  # 8:00–9:20: 80 minutes, the minimum is 90

    meeting = scored_and_finalised(world, meeting)

    assert meeting.status == Meeting.Status.FINAL
    assert duration_points(meeting) == 0
    full = sum(item.max_points for item in meeting.score_template.items.all())
    duration_max = meeting.score_template.items.get(auto_key="duration").max_points
    assert meeting.score == full - duration_max
    # B9: Tốt needs full marks on duration, so a 90-point meeting that lost it is Khá.
    assert meeting.score >= 90 and meeting.rating == R.FAIR
    grid = selectors.cell_year_grid(cell=world.tree.a1, year=2025)
    assert grid["months"][5].meeting == meeting and grid["months"][5].state not in ("missing", "draft")


def test_D7_B3_the_score_item_and_the_meeting_page_say_why(world, client_for):
    meeting = logged(world, end_time=datetime.time(9, 20))
    counts = services.attendance_counts(meeting)

    reasons = services.automatic_reasons(meeting, counts)
    assert set(reasons) == {"duration"}
    assert "80" in reasons["duration"] and "10" in reasons["duration"] and "90" in reasons["duration"]

    client = client_for("secretary")
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    rule_b3 = reverse("rules:detail", args=["B3"])
    assert "Thiếu 10 phút so với tối thiểu 90 phút" in page
    assert rule_b3 in page

    score_page = client.get(reverse("meetings:score", args=[meeting.pk])).content.decode()
    assert "Thiếu 10 phút so với tối thiểu 90 phút" in score_page and rule_b3 in score_page
    client.post(reverse("meetings:score", args=[meeting.pk]), {"version": meeting.version})  # #15: score first
    meeting.refresh_from_db()

    confirm_page = client.get(reverse("meetings:finalise", args=[meeting.pk])).content.decode()
    assert "Thiếu 10 phút so với tối thiểu 90 phút" in confirm_page
    assert 'name="confirm"' in confirm_page  # a warning, not a refusal: the confirmation is offered
    client.post(reverse("meetings:finalise", args=[meeting.pk]), {"version": meeting.version, "confirm": "yes"})
    meeting.refresh_from_db()
    assert meeting.is_final
    final_page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Thiếu 10 phút so với tối thiểu 90 phút" in final_page and rule_b3 in final_page
    assert client.get(rule_b3, {"year": 2025}).status_code == 200  # the link leads to the rule book's B3


def test_D7_B3_a_meeting_of_the_minimum_length_shows_no_shortfall(world):
    meeting = logged(world, end_time=datetime.time(9, 30))  # 90 minutes

    assert services.duration_check(meeting).met
    assert services.finalise_warnings(meeting) == []
    assert services.automatic_reasons(meeting, services.attendance_counts(meeting)) == {}
    assert duration_points(scored_and_finalised(world, meeting)) > 0


def test_D7_B3_a_combined_meeting_needs_120_minutes(world):
    meeting = logged(world, kind=K.COMBINED, topic="Chuyên đề quý II", end_time=datetime.time(9, 50))  # 110 min

    duration = services.duration_check(meeting)
    assert (duration.minimum, duration.shortfall) == (120, 10)
    assert duration_points(scored_and_finalised(world, meeting)) == 0


@pytest.mark.parametrize(
    ("values", "minimum", "small_cell"),
    [
        pytest.param({}, 90, False, id="no-exception-by-default"),
        pytest.param({"small_cell_max_members": 3}, 60, True, id="3-members-at-most-3"),
        pytest.param({"small_cell_max_members": 2}, 90, False, id="3-members-above-2"),
        pytest.param(
            {"small_cell_max_members": 5, "small_cell_min_meeting_minutes": 75}, 75, True, id="minimum-from-parameters"
        ),
    ],
)
def test_D7_B3_the_small_cell_exception_is_the_committees_parameter(world, values, minimum, small_cell):
    # A1 has 3 members on the roll; the meeting lasted 70 minutes.
    if values:
        parameters(**values)
    meeting = logged(world, end_time=datetime.time(9, 10))

    duration = services.duration_check(meeting)
    assert (duration.minimum, duration.small_cell) == (minimum, small_cell)
    meeting = scored_and_finalised(world, meeting)
    assert meeting.is_final
    assert (duration_points(meeting) > 0) is (70 >= minimum)


#
# D8 / B5: absent without a valid reason from the meetings of 3 months of a year → xóa tên prompt, no status change
#


def regular_year(cell, absences: dict, *, year=2025, status=Meeting.Status.FINAL, months=range(1, 13)) -> None:
    """Regular meetings of `cell` for `months`, each member present unless `absences[member]` names the month."""
    for month in months:
        meeting = meeting_row(cell, year, month, status=status)
        meeting.save()
        Attendance.objects.bulk_create(
            [
                Attendance(
                    meeting=meeting,
                    member=member,
                    status=marks.get(month, A.PRESENT),
                    reason="Ốm" if marks.get(month) == A.EXCUSED else "",
                    member_status=member.status,
                )
                for member, marks in absences.items()
            ]
        )


def flags_by_name(world, root=None, year=2025) -> dict:
    return {
        f.name: f for f in selectors.flagged_members(user=world.personas.staff, root=root or world.tree.root, year=year)
    }


def test_D8_three_months_absent_without_reason_prompts_a_xoa_ten_review_and_changes_no_status(world, client_for):
    an, binh, cuong = world.members.own, world.members.other, world.members.probationary
    # An: unexcused in January, April and September (3 months, not in a row). Bình: unexcused in 2 months.
    # Cường: excused in 3 months, unexcused in none.
    regular_year(
        world.tree.a1,
        {
            an: {1: A.UNEXCUSED, 4: A.UNEXCUSED, 9: A.UNEXCUSED},
            binh: {2: A.UNEXCUSED, 3: A.UNEXCUSED},
            cuong: {5: A.EXCUSED, 6: A.EXCUSED, 7: A.EXCUSED},
        },
    )

    statuses = dict(Member.objects.values_list("pk", "status"))

    flags = flags_by_name(world)

    assert (flags[an.full_name].unexcused_months, flags[an.full_name].removal_review) == (3, True)
    assert (flags[binh.full_name].unexcused_months, flags[binh.full_name].removal_review) == (2, False)
    assert cuong.full_name not in flags
    page = client_for("staff").get(reverse("meetings:flagged"), {"org": world.tree.root.pk, "year": 2025})
    text = page.content.decode()
    assert text.count("Xem xét xóa tên theo Điều 8 Điều lệ Đảng") == 1
    assert reverse("rules:detail", args=["D8"]) in text
    assert dict(Member.objects.values_list("pk", "status")) == statuses  # a prompt, never a status change
    assert Member.objects.get(pk=an.pk).status == Member.Status.FULL


def test_D8_drafts_and_other_years_do_not_count_and_the_number_of_months_is_a_parameter(world):
    an = world.members.own
    regular_year(world.tree.a1, {an: {1: A.UNEXCUSED, 2: A.UNEXCUSED}}, months=range(1, 12))
    regular_year(world.tree.a1, {an: {12: A.UNEXCUSED}}, months=[12], status=Meeting.Status.DRAFT)
    regular_year(world.tree.a1, {an: {12: A.UNEXCUSED}}, months=[12], year=2024)

    assert flags_by_name(world)[an.full_name].removal_review is False  # 2 months: the draft and 2024 left out

    parameters(unexcused_absence_months_for_removal_review=2)

    assert flags_by_name(world)[an.full_name].removal_review is True


#
# D2 / B9: the yearly levels below Tốt are the committee's parameters, and the rule applied is shown
#


def rated_year(cell, ratings: str) -> None:
    """One finalised regular meeting per month of 2025, rated by a letter: T Tốt, K Khá, B Trung bình, Y Kém."""
    letters = {"T": R.GOOD, "K": R.FAIR, "B": R.AVERAGE, "Y": R.POOR}
    for month, letter in enumerate(ratings, start=1):
        meeting_row(cell, 2025, month, rating=letters[letter]).save()


@pytest.mark.parametrize(
    ("ratings", "values", "expected"),
    [
        # B9: Tốt = every meeting Khá or better and at least 7 Tốt.
        pytest.param("TTTTTTTKKKKK", {}, R.GOOD, id="7-good-rest-fair"),
        pytest.param("TTTTTTKKKKKK", {}, R.FAIR, id="6-good"),
        # D2 shipped values: Khá when none is below Trung bình, otherwise Trung bình.
        pytest.param("TTTTTTTTTTTB", {}, R.FAIR, id="one-average"),
        pytest.param("TTTTTTTTTTTY", {}, R.AVERAGE, id="one-poor"),
        # The committee's parameters change the result.
        pytest.param("TTTTTTTTTTTB", {"yearly_fair_lowest_meeting_rating": "KHA"}, R.AVERAGE, id="fair-needs-fair"),
        pytest.param("TTTTTTTTTTTY", {"yearly_fair_lowest_meeting_rating": "KEM"}, R.FAIR, id="fair-allows-poor"),
        pytest.param("TTTTTKKKKKKK", {"yearly_good_min_meetings": 5}, R.GOOD, id="good-from-5"),
        pytest.param("TTTTTTTKKKKK", {"yearly_good_min_meetings": 8}, R.FAIR, id="good-from-8"),
    ],
)
def test_D2_yearly_meeting_levels_come_from_the_parameters(world, ratings, values, expected):
    if values:
        parameters(**values)
    rated_year(world.tree.a2, ratings)

    level = selectors.yearly_meeting_level(cell=world.tree.a2, year=2025)

    assert level.rating == expected
    assert selectors.yearly_meeting_rating(cell=world.tree.a2, year=2025) == expected
    assert level.rule == ("B9" if expected == R.GOOD else "D2")


def test_D2_the_cell_page_shows_the_rule_applied_next_to_the_yearly_level(world, client_for):
    rated_year(world.tree.a1, "TTTTTTTTTTTB")
    client = client_for("secretary")
    url = reverse("meetings:cell", args=[world.tree.a1.pk])

    page = client.get(url, {"year": 2025}).content.decode()

    assert "Khá" in page and "không buổi nào dưới Trung bình — mức do cấp ủy quy định" in page
    assert reverse("rules:detail", args=["D2"]) in page

    parameters(yearly_fair_lowest_meeting_rating="KHA")
    page = client.get(url, {"year": 2025}).content.decode()
    assert "có buổi dưới Khá — mức do cấp ủy quy định" in page


def test_D2_B9_a_good_year_names_the_B9_rule_and_its_figures(world, client_for):
    rated_year(world.tree.a1, "TTTTTTTTKKKK")

    page = client_for("secretary").get(reverse("meetings:cell", args=[world.tree.a1.pk]), {"year": 2025})
    text = page.content.decode()

    assert "8 buổi Tốt (tối thiểu 7)" in text
    assert reverse("rules:detail", args=["B9"]) in text
