"""evaluations.metrics: the figures METRIC criteria read from the meeting log and the member records."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cells import services as cell_services
from cells.models import Organization
from evaluations.metrics import metric_sources, metrics_for
from evaluations.models import AdmissionTarget
from meetings.models import Attendance, Meeting
from meetings.services import refresh_attendance_totals
from members.models import Discipline, Member
from tests.helpers import meeting_row

YEAR = 2024


def meeting(cell, month, *, year=YEAR, **fields):
    record = meeting_row(cell, year, month, **fields)
    record.save()
    return record


def attend(meeting_, member, status=Attendance.Status.PRESENT):
    row = Attendance.objects.create(meeting=meeting_, member=member, status=status)
    refresh_attendance_totals([meeting_.pk])
    return row


@pytest.mark.django_db
def test_metrics_count_finalised_regular_months_thematic_quarters_and_good_meetings(world):
    a1 = world.tree.a1
    for month in range(1, 12):
        meeting(a1, month, rating=Meeting.Rating.GOOD if month <= 7 else Meeting.Rating.FAIR)
    meeting(a1, 12, kind=Meeting.Kind.COMBINED)  # counts as December's regular meeting and as Q4's thematic one
    meeting(a1, 2, kind=Meeting.Kind.THEMATIC)
    meeting(a1, 8, kind=Meeting.Kind.THEMATIC, status=Meeting.Status.DRAFT)  # a draft is not evidence: Q3 stays empty
    meeting(a1, 1, year=YEAR + 1)  # another year

    figures = metrics_for(organizations=[a1], year=YEAR)[a1.pk]

    assert figures["meetings_held"] == 12
    assert figures["thematic_quarters"] == 2
    assert figures["meetings_good"] == 7


@pytest.mark.django_db
def test_metrics_do_not_count_a_draft_regular_meeting(world):
    a1 = world.tree.a1
    for month in range(1, 12):
        meeting(a1, month)
    meeting(a1, 12, status=Meeting.Status.DRAFT)

    assert metrics_for(organizations=[a1], year=YEAR)[a1.pk]["meetings_held"] == 11


@pytest.mark.django_db
def test_attendance_rate_is_present_over_counted_at_finalised_regular_meetings(world):
    a1, people = world.tree.a1, world.members
    first = meeting(a1, 1)
    attend(first, people.own)
    attend(first, people.other, Attendance.Status.EXCUSED)
    attend(first, people.probationary, Attendance.Status.EXEMPT)  # outside the denominator
    second = meeting(a1, 2)
    attend(second, people.own)
    attend(second, people.other)
    attend(second, people.probationary, Attendance.Status.UNEXCUSED)
    draft = meeting(a1, 3, status=Meeting.Status.DRAFT)
    attend(draft, people.own, Attendance.Status.UNEXCUSED)

    figures = metrics_for(organizations=[a1], year=YEAR)[a1.pk]

    # 3 present of 5 counted.
    assert figures["attendance_rate"] == Decimal("60.0")


@pytest.mark.django_db
def test_attendance_rate_is_none_without_a_finalised_meeting(world):
    a2 = world.tree.a2

    figures = metrics_for(organizations=[a2], year=YEAR)[a2.pk]

    assert figures["attendance_rate"] is None
    assert figures["meetings_held"] == 0


@pytest.mark.django_db
def test_members_disciplined_come_from_the_members_disciplinary_decisions_of_that_year(world):
    # D5: the figure is read from the members' records, not from a review row; a đảng bộ sees its subtree.
    a1, people = world.tree.a1, world.members
    assert metrics_for(organizations=[a1], year=YEAR)[a1.pk]["members_disciplined"] == 0

    for member, day in ((people.own, datetime.date(YEAR, 3, 1)), (people.probationary, datetime.date(YEAR, 11, 5))):
        Discipline.objects.create(
            member=member,
            organization=a1,
            form=Discipline.Form.REPRIMAND,
            decision_no="1-QĐ/ĐU",
            decided_on=day,
            deciding_body="Đảng ủy A",
        )
    Discipline.objects.create(  # twice for one member counts once
        member=people.own,
        organization=a1,
        form=Discipline.Form.WARNING,
        decision_no="2-QĐ/ĐU",
        decided_on=datetime.date(YEAR, 4, 1),
        deciding_body="Đảng ủy A",
    )
    Discipline.objects.create(  # annulled: counts for nothing
        member=people.other,
        organization=a1,
        form=Discipline.Form.REPRIMAND,
        decision_no="3-QĐ/ĐU",
        decided_on=datetime.date(YEAR, 4, 1),
        deciding_body="Đảng ủy A",
        annulled_at=timezone.now(),
    )

    figures = metrics_for(organizations=[a1, world.tree.a], year=YEAR)
    assert figures[a1.pk]["members_disciplined"] == 2
    assert figures[world.tree.a.pk]["members_disciplined"] == 2
    assert metrics_for(organizations=[a1], year=YEAR + 1)[a1.pk]["members_disciplined"] == 0


@pytest.mark.django_db
def test_admission_target_compares_the_years_admissions_with_the_target(world):
    # B23: members admitted in the year, in % of the year's admission target; no target: not yet known (None).
    a1, people = world.tree.a1, world.members
    Member.objects.filter(pk=people.probationary.pk).update(admitted_on=datetime.date(YEAR, 5, 19))
    Member.objects.filter(pk=people.other.pk).update(admitted_on=datetime.date(YEAR - 3, 5, 19))
    assert metrics_for(organizations=[a1], year=YEAR)[a1.pk]["admission_target"] is None

    AdmissionTarget.objects.create(organization=a1, year=YEAR, target=2)

    assert metrics_for(organizations=[a1], year=YEAR)[a1.pk]["admission_target"] == Decimal(50)


@pytest.mark.django_db
def test_metric_sources_link_to_the_meetings_behind_the_figures(world):
    a1 = world.tree.a1

    sources = metric_sources(organizations=[a1], year=YEAR)[a1.pk]

    assert sources["meetings_held"].startswith(f"/meetings/list/?org={a1.pk}&year={YEAR}&kind=regular")
    assert "rating=TOT" in sources["meetings_good"]
    assert "kind=thematic" in sources["thematic_quarters"]


def _many_cells(world, count: int) -> list[Organization]:
    cells = [world.tree.a1, world.tree.a2, world.tree.b1]
    for i in range(count - len(cells)):
        cells.append(
            cell_services.organization_create(
                parent=world.tree.b,
                name=f"Chi bộ X{i}",
                code=f"X{i}",
                kind=Organization.Kind.CELL,
                created_by=world.personas.admin,
            )
        )
    for cell in cells:
        meeting(cell, 1, rating=Meeting.Rating.GOOD)
        meeting(cell, 2, kind=Meeting.Kind.THEMATIC)
    return cells


@pytest.mark.django_db
def test_metrics_for_runs_the_same_queries_for_3_and_30_cells(world, django_assert_num_queries):
    cells = _many_cells(world, 30)

    with django_assert_num_queries(4):
        few = metrics_for(organizations=cells[:3], year=YEAR)
    with django_assert_num_queries(4):
        many = metrics_for(organizations=cells, year=YEAR)

    assert len(few) == 3 and len(many) == 30
    assert all(figures["meetings_held"] == 1 and figures["thematic_quarters"] == 1 for figures in many.values())
