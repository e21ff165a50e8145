"""Figures the system already holds for an organisation's year, for METRIC criteria (B1, B2, B4, B9, B23, B24).

`metrics_for()` answers for many organisations at once in a fixed number of queries (four), whatever their
number: the model-programme yearly checks and the yearly-evaluation pre-fill both call it. Keys are the values of
`criteria.models.Criterion.Metric`.

Only finalised meetings (DA_CHOT) count: a draft is not yet evidence. Meetings belong to cells, so for a node that
is not a cell the meeting figures are those logged at the node itself (usually none); the member figures are those
of members on the node's own roll.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse

from cells.models import Organization
from evaluations.models import MemberEvaluation
from meetings.models import Attendance, Meeting
from meetings.selectors import quarter_of
from members.models import Member

MEETINGS_HELD = "meetings_held"
THEMATIC_QUARTERS = "thematic_quarters"
ATTENDANCE_RATE = "attendance_rate"
MEETINGS_GOOD = "meetings_good"
MEMBERS_DISCIPLINED = "members_disciplined"
ADMISSION_TARGET = "admission_target"

METRICS = (MEETINGS_HELD, THEMATIC_QUARTERS, ATTENDANCE_RATE, MEETINGS_GOOD, MEMBERS_DISCIPLINED, ADMISSION_TARGET)

QUARTERS = (1, 2, 3, 4)


def _quarter_months(quarter: int) -> list[int]:
    return [month for month in range(1, 13) if quarter_of(month) == quarter]


def metrics_for(*, organizations: list[Organization], year: int) -> dict[int, dict[str, Decimal | None]]:
    """{organization pk: {metric: value}} for the calendar year. Four queries, whatever the number of organisations.

    - meetings_held: months with a finalised regular meeting (THUONG_KY or KET_HOP), 0–12 (B1);
    - thematic_quarters: quarters with a finalised thematic meeting (CHUYEN_DE or KET_HOP), 0–4 (B2);
    - attendance_rate: present / counted over the finalised regular meetings, in % with one decimal; None when
      nothing was counted (no finalised meeting), so that "no data" is never shown as 0% (B4);
    - meetings_good: finalised regular meetings rated Tốt (B9);
    - members_disciplined: members whose evaluation for that year says disciplined; 0 when no review was opened
      (B23, B24);
    - admission_target: members of the roll admitted during the year (B23, enterprises).
    """
    ids = [organization.pk for organization in organizations]
    result: dict[int, dict[str, Decimal | None]] = {
        pk: {
            MEETINGS_HELD: Decimal(0),
            THEMATIC_QUARTERS: Decimal(0),
            ATTENDANCE_RATE: None,
            MEETINGS_GOOD: Decimal(0),
            MEMBERS_DISCIPLINED: Decimal(0),
            ADMISSION_TARGET: Decimal(0),
        }
        for pk in ids
    }
    if not ids:
        return result

    final = Meeting.objects.filter(organization_id__in=ids, period_year=year, status=Meeting.Status.FINAL)
    regular = Q(kind__in=Meeting.REGULAR_KINDS)
    thematic = Q(kind__in=Meeting.THEMATIC_KINDS)
    per_cell = final.values("organization_id").annotate(
        held=Count("period_month", filter=regular, distinct=True),
        good=Count("id", filter=regular & Q(rating=Meeting.Rating.GOOD)),
        **{f"q{q}": Count("id", filter=thematic & Q(period_month__in=_quarter_months(q))) for q in QUARTERS},
    )
    for row in per_cell:
        figures = result[row["organization_id"]]
        figures[MEETINGS_HELD] = Decimal(row["held"])
        figures[MEETINGS_GOOD] = Decimal(row["good"])
        figures[THEMATIC_QUARTERS] = Decimal(sum(1 for q in QUARTERS if row[f"q{q}"]))

    attendance = (
        Attendance.objects.filter(
            meeting__organization_id__in=ids,
            meeting__period_year=year,
            meeting__status=Meeting.Status.FINAL,
            meeting__kind__in=Meeting.REGULAR_KINDS,
        )
        .values("meeting__organization_id")
        .annotate(
            present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
            counted=Count("id", filter=~Q(status__in=Attendance.NOT_COUNTED)),
        )
    )
    for row in attendance:
        if row["counted"]:
            rate = Decimal(100 * row["present"]) / Decimal(row["counted"])
            result[row["meeting__organization_id"]][ATTENDANCE_RATE] = rate.quantize(Decimal("0.1"))

    disciplined = (
        MemberEvaluation.objects.filter(organization_id__in=ids, period__year=year, disciplined=True)
        .values("organization_id")
        .annotate(n=Count("member_id", distinct=True))
    )
    for row in disciplined:
        result[row["organization_id"]][MEMBERS_DISCIPLINED] = Decimal(row["n"])

    admitted = (
        Member.objects.filter(organization_id__in=ids, admitted_on__year=year)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    for row in admitted:
        result[row["organization_id"]][ADMISSION_TARGET] = Decimal(row["n"])
    return result


def metric_sources(*, organizations: list[Organization], year: int) -> dict[int, dict[str, str]]:
    """{organization pk: {metric: URL}}: the list behind each figure, so the UI can link a figure to its rows.

    No query. Members disciplined has no list page yet, so it has no link.
    """
    meetings = reverse("meetings:list")
    members = reverse("members:list")
    sources: dict[int, dict[str, str]] = defaultdict(dict)
    for organization in organizations:
        base = f"{meetings}?org={organization.pk}&year={year}"
        sources[organization.pk] = {
            MEETINGS_HELD: f"{base}&kind=regular&status={Meeting.Status.FINAL}",
            THEMATIC_QUARTERS: f"{base}&kind=thematic&status={Meeting.Status.FINAL}",
            ATTENDANCE_RATE: f"{base}&kind=regular&status={Meeting.Status.FINAL}",
            MEETINGS_GOOD: f"{base}&kind=regular&status={Meeting.Status.FINAL}&rating={Meeting.Rating.GOOD}",
            ADMISSION_TARGET: f"{members}?org={organization.pk}&admission_year={year}",
        }
    return dict(sources)
