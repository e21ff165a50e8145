"""Figures the system already holds for an organisation's year, for METRIC criteria (B1, B2, B4, B9, B23, B24).

`metrics_for()` answers for many organisations at once in a fixed number of queries (four), whatever their
number: the model-programme yearly checks and the yearly-evaluation pre-fill both call it. Keys are the values of
`criteria.models.Criterion.Metric`.

The meeting figures come from meetings.counting (D6), like every compliance figure. Meetings belong to cells, so for a node that
is not a cell the meeting figures are those logged at the node itself (usually none); the member figures are those
of members on the node's own roll.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse

from cells.models import Organization
from evaluations.models import AdmissionTarget
from meetings import counting
from meetings.models import Meeting
from members.discipline import members_disciplined_by_org
from members.models import Member
from members.residence.services import TAKING_PART

MEETINGS_HELD = "meetings_held"
THEMATIC_QUARTERS = "thematic_quarters"
ATTENDANCE_RATE = "attendance_rate"
MEETINGS_GOOD = "meetings_good"
MEMBERS_DISCIPLINED = "members_disciplined"
ADMISSION_TARGET = "admission_target"
EHANDBOOK_PCT = "ehandbook_pct"

METRICS = (
    MEETINGS_HELD,
    THEMATIC_QUARTERS,
    ATTENDANCE_RATE,
    MEETINGS_GOOD,
    MEMBERS_DISCIPLINED,
    ADMISSION_TARGET,
    EHANDBOOK_PCT,
)

# D10: the members the e-handbook is for (full and probationary: QĐ 339-QĐ/TW).
EHANDBOOK_STATUSES = TAKING_PART

QUARTERS = (1, 2, 3, 4)


def metrics_for(*, organizations: list[Organization], year: int) -> dict[int, dict[str, Decimal | None]]:
    """{organization pk: {metric: value}} for the calendar year. Four queries, whatever the number of organisations.

    - meetings_held: months of the year whose regular meeting is met, 0–12 (B1, D6 via meetings.counting): a
      finalised THUONG_KY or KET_HOP meeting dated in its month or within `late_grace_days` after it (drafts and
      make-up meetings do not count), or a month the cell did not exist (before its founding, after its
      dissolution or merger) — so a cell that held every month of its life reads 12;
    - thematic_quarters: quarters with such a thematic meeting (CHUYEN_DE or KET_HOP), or outside the cell's
      life, 0–4 (B2);
    - attendance_rate: present / counted over the counted regular meetings, in % with one decimal; None when
      nothing was counted (no counted meeting), so that "no data" is never shown as 0% (B4);
    - meetings_good: counted regular meetings rated Tốt (B9);
    - members_disciplined: members with a disciplinary decision of that year on their record (not annulled), on the
      node's roll or anywhere below it (D5; B13, B23, B24);
    - admission_target: members of the roll admitted during the year, in % of the organisation's AdmissionTarget
      for the year (100 when the target is 0); None when no target was set: not yet known (B23, enterprises);
    - ehandbook_pct: full and probationary members on the roll (admitted by the year's end) who use the e-handbook
      (Member.ehandbook_since on or before the year's end), in % of them with one decimal; None when there is none
      (B23 via D10).
    """
    ids = [organization.pk for organization in organizations]
    result: dict[int, dict[str, Decimal | None]] = {
        pk: {
            MEETINGS_HELD: Decimal(0),
            THEMATIC_QUARTERS: Decimal(0),
            ATTENDANCE_RATE: None,
            MEETINGS_GOOD: Decimal(0),
            MEMBERS_DISCIPLINED: Decimal(0),
            ADMISSION_TARGET: None,
            EHANDBOOK_PCT: None,
        }
        for pk in ids
    }
    if not ids:
        return result

    # D6 (B1, B2, B4, B9): the one counting module, as on the compliance page, the dashboard and the reports.
    meeting_figures = counting.cell_figures(Organization.objects.filter(pk__in=ids), year=year)
    for pk, cell in meeting_figures.items():
        figures = result[pk]
        figures[MEETINGS_HELD] = Decimal(cell.months_met)
        figures[MEETINGS_GOOD] = Decimal(cell.good)
        figures[THEMATIC_QUARTERS] = Decimal(cell.quarters_met)
        if cell.eligible:
            rate = Decimal(100 * cell.present) / Decimal(cell.eligible)
            figures[ATTENDANCE_RATE] = rate.quantize(Decimal("0.1"))

    # D5: read from the disciplinary decisions on the members' records, summed over each node's subtree.
    for pk, count in members_disciplined_by_org(organizations=organizations, year=year).items():
        result[pk][MEMBERS_DISCIPLINED] = Decimal(count)

    # The year's members: full or probationary on the roll, admitted by the year's end (or admission not recorded).
    on_roll = Q(status__in=EHANDBOOK_STATUSES) & (Q(admitted_on__isnull=True) | Q(admitted_on__year__lte=year))
    targets = AdmissionTarget.objects.filter(organization_id=OuterRef("organization_id"), year=year)
    admitted = (
        Member.objects.filter(organization_id__in=ids)
        .values("organization_id")
        .annotate(
            n=Count("id", filter=Q(admitted_on__year=year)),
            target=Subquery(targets.values("target")[:1]),
            roll=Count("id", filter=on_roll),
            ehandbook=Count("id", filter=on_roll & Q(ehandbook_since__year__lte=year)),
        )
    )
    for row in admitted:
        if row["target"] is not None:  # admissions against the year's target (B23); no target: not yet known
            reached = Decimal(100 * row["n"]) / Decimal(row["target"]) if row["target"] else Decimal(100)
            result[row["organization_id"]][ADMISSION_TARGET] = reached.quantize(Decimal("0.1"))
        if row["roll"]:
            share = Decimal(100 * row["ehandbook"]) / Decimal(row["roll"])
            result[row["organization_id"]][EHANDBOOK_PCT] = share.quantize(Decimal("0.1"))
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
            EHANDBOOK_PCT: f"{members}?org={organization.pk}",
        }
    return dict(sources)
