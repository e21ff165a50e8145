"""N+1 guards for the meeting pages: the query count does not grow with the tree, the log or the roll.

Each test measures a page on a small data set, grows it tenfold, measures again and asserts the counts are equal
and under a ceiling (today's counts plus a little headroom; run with -s to see them).
Today is frozen on 10/02/2026, so the whole of 2025 has ended.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from meetings import services as services
from meetings.models import Attendance, Meeting
from members import services as member_services
from members.models import Member
from tests import helpers
from tests.helpers import count_queries

A = Attendance.Status

pytestmark = pytest.mark.django_db

SMALL, FACTOR = 2, 10  # grassroots committees in the small tree; the large tree has FACTOR times as many
CELLS_PER_COMMITTEE = 3
MEMBERS_PER_CELL = 4


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


def log_year(cells, year: int = 2025) -> None:
    """Every cell: a finalised regular meeting each month except December (a missing month), one thematic meeting
    per quarter, attendance for every member (the first one absent without reason in July: a flag per cell)."""

    def final(cell, month, day, **fields):
        return helpers.meeting_row(cell, year, month, day=day, **fields)

    meetings = []
    for cell in cells:
        for month in range(1, 12):
            rating = Meeting.Rating.GOOD if month % 2 else Meeting.Rating.FAIR
            meetings.append(final(cell, month, 15, kind=Meeting.Kind.REGULAR, rating=rating))
        for month in (2, 5, 8, 11):
            meetings.append(final(cell, month, 20, kind=Meeting.Kind.THEMATIC, topic="Chuyên đề"))
    meetings = Meeting.objects.bulk_create(meetings)
    roll: dict[int, list[Member]] = {}
    for member in Member.objects.filter(organization__in=cells).order_by("id"):
        roll.setdefault(member.organization_id, []).append(member)
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                member=member,
                status=A.UNEXCUSED if index == 0 and meeting.period_month == 7 else A.PRESENT,
                member_status=member.status,
            )
            for meeting in meetings
            if meeting.kind == Meeting.Kind.REGULAR
            for index, member in enumerate(roll.get(meeting.organization_id, []))
        ]
    )
    services.refresh_attendance_totals([meeting.pk for meeting in meetings])


def grow_and_log(tree, *, committees: int, prefix: str) -> None:
    cells = helpers.grow_tree(
        under=tree.root, committees=committees, cells=CELLS_PER_COMMITTEE, members=MEMBERS_PER_CELL, prefix=prefix
    )
    log_year(cells)


@pytest.mark.parametrize(
    ("name", "query", "ceiling"),
    [
        ("meetings:compliance", "?year=2025", 25),
        ("meetings:compliance", "?year=2025&quarter=3", 25),
        ("meetings:compliance", "?year=2025&month=7", 25),
        ("meetings:flagged", "?year=2025", 15),
        ("meetings:list", "?year=2025", 15),
        ("meetings:list", "?year=2025&kind=regular&rating=TOT", 15),
    ],
)
def test_compliance_and_list_query_counts_do_not_grow_with_the_tree(tree, client_for, name, query, ceiling):
    client = client_for("staff")
    url = reverse(name) + query
    grow_and_log(tree, committees=SMALL, prefix="S")
    small = count_queries(client, url)
    small_context = client.get(url).context

    grow_and_log(tree, committees=SMALL * FACTOR - SMALL, prefix="L")
    large_context = client.get(url).context
    large = count_queries(client, url)

    if name == "meetings:compliance":
        # The large page really shows about ten times as much: cells counted, missing cells.
        assert large_context["kpis"].cells > small_context["kpis"].cells * 5
        if "month" not in query and "quarter" not in query:  # every new cell misses December
            assert len(large_context["missing"]) > len(small_context["missing"]) * 5
    elif name == "meetings:flagged":
        assert len(large_context["flags"]) == SMALL * FACTOR * CELLS_PER_COMMITTEE
    else:
        assert large_context["page"].paginator.count > small_context["page"].paginator.count * 5
    print(f"{name}{query} as staff: {small} queries (small tree), {large} (10x tree)")
    assert large == small
    assert large <= ceiling


def test_meeting_detail_query_count_does_not_grow_with_the_roll(tree, client_for, personas):
    client = client_for("staff")
    small_cell, large_cell = helpers.two_cells(under=tree.root, prefix="Q", members=(5, 40))
    urls = []
    for cell in (small_cell, large_cell):
        member_services.transfer_temporary(
            to_organization=cell,
            decided_on=datetime.date(2025, 11, 1),
            expected_return_on=datetime.date(2026, 6, 1),
            member_name="Đỗ Văn Khách",
            from_text="Đảng bộ tỉnh X",
            transferred_by=personas.admin,
        )
        meeting = services.meeting_create(
            organization=cell,
            data={
                "kind": Meeting.Kind.REGULAR,
                "period_year": 2025,
                "period_month": 12,
                "date": datetime.date(2025, 12, 15),
                "start_time": datetime.time(8, 0),
                "end_time": datetime.time(10, 0),
            },
            created_by=personas.admin,
        )
        absent = list(meeting.attendances.values_list("member_id", flat=True)[:2])
        services.meeting_update(
            meeting=meeting,
            data={"location": "Hội trường"},
            attendance={absent[0]: {"status": A.EXCUSED, "reason": "Ốm"}, absent[1]: {"status": A.UNEXCUSED}},
            version=meeting.version,
            updated_by=personas.admin,
        )
        urls.append(reverse("meetings:detail", args=[meeting.pk]))

    small = count_queries(client, urls[0])
    large = count_queries(client, urls[1])

    assert len(client.get(urls[1]).context["attendance_rows"]) == 40
    print(f"meetings:detail as staff: {small} queries (5 members), {large} (40 members)")
    assert large == small
    assert large <= 25


def test_cell_year_page_query_count_does_not_grow_with_the_log(tree, client_for):
    client = client_for("staff")
    small_cell, large_cell = helpers.two_cells(under=tree.root, prefix="Y", members=(2, 30))
    log_year([small_cell, large_cell])

    small = count_queries(client, reverse("meetings:cell", args=[small_cell.pk]) + "?year=2025")
    large = count_queries(client, reverse("meetings:cell", args=[large_cell.pk]) + "?year=2025")

    print(f"meetings:cell as staff: {small} queries (2 members), {large} (30 members)")
    assert large == small
