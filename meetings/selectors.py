"""Reads of the meeting log: a cell's year grid, the subtree heat-map, the KPIs, flagged members (B1, B2, B4,
B5, B9, B26). Every query is restricted through cells.permissions and runs a fixed number of times whatever
the size of the tree."""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.utils import timezone

from cells.hooks import parameters_on
from cells.models import Organization
from cells.permissions import VIEW, scope_filter
from cells.selectors import child_segment
from meetings.models import Attendance, Meeting

MONTHS = range(1, 13)


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


@dataclass
class Period:
    """A month, a quarter or a whole year."""

    year: int
    month: int | None = None
    quarter: int | None = None

    @property
    def months(self) -> list[int]:
        if self.month:
            return [self.month]
        if self.quarter:
            return [3 * (self.quarter - 1) + i for i in (1, 2, 3)]
        return list(MONTHS)

    @property
    def quarters(self) -> list[int]:
        return sorted({quarter_of(m) for m in self.months})

    def elapsed_months(self, today: datetime.date | None = None) -> list[int]:
        """The months of the period that have ended (a month in progress is not yet "missing")."""
        today = today or timezone.localdate()
        return [m for m in self.months if (self.year, m) < (today.year, today.month)]

    @property
    def label(self) -> str:
        if self.month:
            return f"{self.month:02d}/{self.year}"
        if self.quarter:
            return f"Q{self.quarter}/{self.year}"
        return str(self.year)

    def querystring(self) -> str:
        text = f"year={self.year}"
        if self.month:
            text += f"&month={self.month}"
        if self.quarter:
            text += f"&quarter={self.quarter}"
        return text


def meetings_visible_to(user, *, action: str = VIEW) -> QuerySet[Meeting]:
    return Meeting.objects.filter(scope_filter(user, prefix="organization__", action=action))


#
# One cell's year
#


@dataclass
class MonthCell:
    month: int
    state: str  # "final", "draft", "late", "missing", "future"
    meeting: Meeting | None = None
    thematic: list[Meeting] = field(default_factory=list)


def cell_year_grid(*, cell: Organization, year: int, today: datetime.date | None = None) -> dict:
    """Twelve months of one cell: the regular meeting's state, thematic meetings, quarters covered (B1, B2)."""
    today = today or timezone.localdate()
    meetings = list(Meeting.objects.filter(organization=cell, period_year=year).order_by("period_month", "date", "id"))
    regular = {m.period_month: m for m in meetings if m.counts_as_regular}
    thematic = defaultdict(list)
    for meeting in meetings:
        if meeting.counts_as_thematic:
            thematic[meeting.period_month].append(meeting)
    months = []
    for month in MONTHS:
        meeting = regular.get(month)
        if meeting is None:
            state = "future" if (year, month) >= (today.year, today.month) else "missing"
        elif not meeting.is_final:
            state = "draft"
        elif meeting.date > datetime.date(year, month, calendar.monthrange(year, month)[1]):
            state = "late"
        else:
            state = "final"
        months.append(MonthCell(month=month, state=state, meeting=meeting, thematic=thematic[month]))
    quarters = {q: any(thematic[m] for m in MONTHS if quarter_of(m) == q) for q in (1, 2, 3, 4)}
    return {"months": months, "quarters": quarters, "meetings": meetings}


#
# Heat-map of a subtree
#


@dataclass
class HeatRow:
    organization: Organization
    cells: int = 0
    held: dict[int, int] = field(default_factory=dict)  # month -> cells with a regular meeting logged
    final: dict[int, int] = field(default_factory=dict)  # month -> cells with it finalised
    is_cell: bool = False

    def ratio(self, month: int) -> float | None:
        if not self.cells:
            return None
        return self.held.get(month, 0) / self.cells

    @property
    def months(self) -> list[tuple[int, float | None, int, int]]:
        return [(m, self.ratio(m), self.held.get(m, 0), self.final.get(m, 0)) for m in MONTHS]


def heat_rows(*, user, root: Organization) -> list[HeatRow]:
    """The rows of the heat-map with their numbers of active cells, months not yet filled: one per direct child
    of `root` holding cells, by name (or `root` itself when it is a cell). Two queries."""
    active_cells = Organization.objects.filter(scope_filter(user, action=VIEW)).filter(
        path__startswith=root.path, kind__in=Organization.CELL_KINDS, dissolved_on__isnull=True
    )
    if root.is_cell:
        row = HeatRow(organization=root, is_cell=True, cells=active_cells.filter(pk=root.pk).count())
        return [row] if row.cells else []
    children = (
        Organization.objects.filter(scope_filter(user, action=VIEW))
        .filter(parent=root, dissolved_on__isnull=True)
        .only("id", "path", "name", "kind", "code")
        .order_by("name")
    )
    rows_by_id = {child.pk: HeatRow(organization=child, is_cell=child.is_cell) for child in children}
    for owner, count in (
        active_cells.exclude(pk=root.pk)
        .annotate(owner=child_segment(root, "path"))
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("owner", "n")
    ):
        if int(owner) in rows_by_id:
            rows_by_id[int(owner)].cells = count
    return [row for row in rows_by_id.values() if row.cells]


def fill_heat_months(rows: list[HeatRow], *, user, root: Organization, year: int) -> list[HeatRow]:
    """Fill `rows` (all the rows of `heat_rows`, or a page of them) with the regular meetings logged and
    finalised per month, counted in the database for those rows only. One query."""
    if not rows:
        return rows
    meetings = Meeting.objects.filter(
        scope_filter(user, prefix="organization__", action=VIEW),
        organization__path__startswith=root.path,
        organization__kind__in=Organization.CELL_KINDS,
        organization__dissolved_on__isnull=True,
        period_year=year,
        kind__in=Meeting.REGULAR_KINDS,
    )
    by_id = {row.organization.pk: row for row in rows}
    if root.is_cell:
        grouped = meetings.filter(organization=root).annotate(owner=Value(str(root.pk)))
    else:
        grouped = (
            meetings.exclude(organization=root)
            .annotate(owner=child_segment(root, "organization__path"))
            .filter(owner__in=[str(pk) for pk in by_id])
        )
    for owner, month, held, final in (
        grouped.order_by()
        .values("owner", "period_month")
        .annotate(  # one regular meeting per cell and month (a constraint): counting rows counts cells
            held=Count("pk"),
            final=Count("pk", filter=Q(status=Meeting.Status.FINAL)),
        )
        .values_list("owner", "period_month", "held", "final")
    ):
        row = by_id.get(int(owner))
        if row is not None:
            row.held[month], row.final[month] = held, final
    return rows


def heatmap(*, user, root: Organization, year: int) -> list[HeatRow]:
    """Every row of the heat-map of a subtree for a year, each month the share of its active cells with a
    regular meeting logged. Counted in the database per child and month. Three queries."""
    return fill_heat_months(heat_rows(user=user, root=root), user=user, root=root, year=year)


#
# KPIs (seed figures: % of cells with 12 meetings, thematic every quarter, attendance, % rated Tốt)
#


@dataclass
class Kpis:
    period: Period
    cells: int = 0
    cells_all_regular: int = 0
    cells_all_thematic: int = 0
    meetings: int = 0
    meetings_good: int = 0
    meetings_rated: int = 0
    present: int = 0
    eligible: int = 0
    months_counted: list[int] = field(default_factory=list)
    quarters_counted: list[int] = field(default_factory=list)
    kpi_attendance_pct: int = 95

    @staticmethod
    def pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def pct_all_regular(self):
        return self.pct(self.cells_all_regular, self.cells)

    @property
    def pct_all_thematic(self):
        if not self.quarters_counted:
            return None  # no quarter of the period has ended yet
        return self.pct(self.cells_all_thematic, self.cells)

    @property
    def attendance_pct(self):
        return self.pct(self.present, self.eligible)

    @property
    def pct_good(self):
        return self.pct(self.meetings_good, self.meetings_rated)


def _year_log(user, root: Organization, year: int) -> QuerySet[Meeting]:
    """The year's meetings of the active cells of a subtree that the user may see."""
    return meetings_visible_to(user).filter(
        organization__path__startswith=root.path,
        organization__dissolved_on__isnull=True,
        organization__kind__in=Organization.CELL_KINDS,
        period_year=year,
    )


def kpis(*, user, root: Organization, period: Period, today: datetime.date | None = None) -> Kpis:
    """The seed KPIs for a subtree and period, counted over the months that have ended. Every figure is
    counted in the database (attendance from the totals kept on each meeting); three queries."""
    today = today or timezone.localdate()
    result = Kpis(period=period, kpi_attendance_pct=parameters_on(today)["kpi_attendance_pct"])
    months = period.elapsed_months(today)
    result.months_counted = months
    cells = Organization.objects.filter(scope_filter(user, action=VIEW)).filter(
        path__startswith=root.path, kind__in=Organization.CELL_KINDS, dissolved_on__isnull=True
    )
    result.cells = cells.count()
    if not months:
        return result
    quarters = sorted({quarter_of(m) for m in months if m % 3 == 0})  # quarters that have fully ended
    result.quarters_counted = quarters
    thematic_months = [3 * q + i for q in quarters for i in (-2, -1, 0)]
    year_log = _year_log(user, root, period.year)
    in_period = Q(kind__in=Meeting.REGULAR_KINDS, period_month__in=months)
    final = in_period & Q(status=Meeting.Status.FINAL)
    per_cell = (
        year_log.filter(period_month__in=sorted(set(months) | set(thematic_months)))
        .order_by()
        .values("organization_id")
        .annotate(
            # One regular meeting per cell and month (a constraint): counting rows counts months.
            regular=Count("pk", filter=in_period),
            cell_rated=Count("pk", filter=in_period & ~Q(rating="")),
            cell_good=Count("pk", filter=in_period & Q(rating=Meeting.Rating.GOOD)),
            cell_present=Sum("present_count", filter=final, default=0),
            cell_eligible=Sum("eligible_count", filter=final, default=0),
            **{
                f"q{q}": Count(
                    "id", filter=Q(kind__in=Meeting.THEMATIC_KINDS, period_month__in=[3 * q - 2, 3 * q - 1, 3 * q])
                )
                for q in quarters
            },
        )
    )
    # One pass over the period's meetings: per cell in a subquery, then added up.
    figures = {
        "all_regular": Count("organization_id", filter=Q(regular__gte=len(months))),
        "total": Sum("regular", default=0),
        "rated": Sum("cell_rated", default=0),
        "good": Sum("cell_good", default=0),
        "present": Sum("cell_present", default=0),
        "eligible": Sum("cell_eligible", default=0),
    }
    if quarters:
        figures["all_thematic"] = Count("organization_id", filter=Q(**{f"q{q}__gt": 0 for q in quarters}))
    totals = per_cell.aggregate(**figures)
    result.cells_all_regular, result.cells_all_thematic = totals["all_regular"], totals.get("all_thematic", 0)
    result.meetings, result.meetings_rated, result.meetings_good = totals["total"], totals["rated"], totals["good"]
    result.present, result.eligible = totals["present"], totals["eligible"]
    return result


@dataclass(frozen=True)
class CellRef:
    pk: int
    name: str
    code: str


def missing_cells(
    *, user, root: Organization, period: Period, today: datetime.date | None = None, limit: int | None = None
) -> list[dict]:
    """Cells of the subtree without a regular meeting in some ended month of the period, with those months,
    by name; the first `limit` of them when given (their number is `kpis().cells - cells_all_regular`).
    Two queries: the cells short of meetings (counted in the database), then the months they do have."""
    today = today or timezone.localdate()
    months = period.elapsed_months(today)
    if not months:
        return []
    regular = Q(
        meetings__period_year=period.year, meetings__period_month__in=months, meetings__kind__in=Meeting.REGULAR_KINDS
    )
    short = (
        Organization.objects.filter(scope_filter(user, action=VIEW))
        .filter(path__startswith=root.path, kind__in=Organization.CELL_KINDS, dissolved_on__isnull=True)
        .annotate(held=Count("meetings__pk", filter=regular))  # one regular meeting per cell and month
        .filter(held__lt=len(months))
        .order_by("name", "pk")
        .values_list("pk", "name", "code")
    )
    cells = [CellRef(*row) for row in (short[:limit] if limit else short)]
    held = defaultdict(set)
    listed = Q(organization__in=[cell.pk for cell in cells]) if limit else Q(organization__path__startswith=root.path)
    for organization_id, month in (
        meetings_visible_to(user)
        .filter(
            listed,
            period_year=period.year,
            period_month__in=months,
            kind__in=Meeting.REGULAR_KINDS,
        )
        .values_list("organization_id", "period_month")
    ):
        held[organization_id].add(month)
    return [{"cell": cell, "months": [m for m in months if m not in held[cell.pk]]} for cell in cells]


#
# Flagged members (B5)
#


@dataclass
class MemberFlag:
    member_id: int
    name: str
    organization_id: int
    organization_name: str
    unexcused: int = 0
    longest_excused_run: int = 0


def flagged_members(*, user, root: Organization, year: int) -> list[MemberFlag]:
    """Members with any unexcused absence, or more than the allowed run of consecutive excused absences, at
    the finalised regular meetings of the year (B5).

    First one grouped query finds the candidates (any unexcused absence, or more excused absences than the run
    limit in total); only their attendance is then read in order to measure the runs. Three queries.
    """
    limit = parameters_on(datetime.date(year, 12, 31))["max_consecutive_excused_absences"]
    year_rows = Attendance.objects.filter(
        scope_filter(user, prefix="meeting__organization__", action=VIEW),
        meeting__organization__path__startswith=root.path,
        meeting__period_year=year,
        meeting__kind__in=Meeting.REGULAR_KINDS,
        meeting__status=Meeting.Status.FINAL,
    )
    candidates = {
        row["member_id"]: row
        for row in year_rows.exclude(status=Attendance.Status.PRESENT)
        .values("member_id")
        .annotate(
            unexcused=Count("id", filter=Q(status=Attendance.Status.UNEXCUSED)),
            excused=Count("id", filter=Q(status=Attendance.Status.EXCUSED)),
        )
        .filter(Q(unexcused__gt=0) | Q(excused__gt=limit))
    }
    if not candidates:
        return []
    flags: dict[int, MemberFlag] = {}
    runs: dict[int, int] = defaultdict(int)
    ordered = (
        year_rows.filter(member_id__in=list(candidates))
        .order_by("member_id", "meeting__period_month", "meeting__date")
        .values_list(
            "member_id", "member__full_name", "meeting__organization_id", "meeting__organization__name", "status"
        )
    )
    for member_id, name, org_id, org_name, status in ordered:
        flag = flags.get(member_id)
        if flag is None:
            flag = flags[member_id] = MemberFlag(
                member_id, name, org_id, org_name, unexcused=candidates[member_id]["unexcused"]
            )
        if status == Attendance.Status.EXCUSED:
            runs[member_id] += 1
            flag.longest_excused_run = max(flag.longest_excused_run, runs[member_id])
        else:
            runs[member_id] = 0
    return sorted(
        (f for f in flags.values() if f.unexcused or f.longest_excused_run > limit),
        key=lambda f: (f.organization_name, f.name),
    )


def yearly_meeting_rating(*, cell: Organization, year: int) -> str | None:
    """Rule B9 for the year: Tốt when every regular meeting is rated Khá or better and at least
    `yearly_good_min_meetings` (7) are Tốt. The lower yearly levels are not in the sources (domain.md §3.6):
    Khá when none is below Trung bình, else Trung bình — a placeholder to settle with the client."""
    ratings = list(
        Meeting.objects.filter(
            organization=cell, period_year=year, kind__in=Meeting.REGULAR_KINDS, status=Meeting.Status.FINAL
        ).values_list("rating", flat=True)
    )
    if not ratings or any(not r for r in ratings):
        return None
    good = sum(r == Meeting.Rating.GOOD for r in ratings)
    minimum_good = parameters_on(datetime.date(year, 12, 31))["yearly_good_min_meetings"]
    if all(r in (Meeting.Rating.GOOD, Meeting.Rating.FAIR) for r in ratings) and good >= minimum_good:
        return Meeting.Rating.GOOD
    if all(r in (Meeting.Rating.GOOD, Meeting.Rating.FAIR, Meeting.Rating.AVERAGE) for r in ratings):
        return Meeting.Rating.FAIR
    return Meeting.Rating.AVERAGE
