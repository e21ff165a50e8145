"""Reads of the meeting log: a cell's year grid, the subtree heat-map, the KPIs, flagged members (B1, B2, B4,
B5, B9, B26). Every query is restricted through cells.permissions and runs a fixed number of times whatever
the size of the tree."""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import figcache
from cells.figures import Figure
from cells.hooks import parameters_on
from cells.models import Organization
from cells.names import org_label
from cells.permissions import VIEW, scope_filter
from cells.selectors import child_segment
from meetings import counting, summaries
from meetings.models import Attendance, CellMonthSummary, Meeting

MONTHS = counting.MONTHS


def quarter_of(month: int) -> int:
    return counting.quarter_of(month)


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
            return counting.quarter_months(self.quarter)
        return list(MONTHS)

    @property
    def quarters(self) -> list[int]:
        return sorted({quarter_of(m) for m in self.months})

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


def _cells_under(user, root: Organization) -> QuerySet[Organization]:
    """The cells of `root`'s subtree the user may see, dissolved ones included (counting.cells_existing keeps
    those that existed in the period)."""
    return Organization.objects.filter(scope_filter(user, action=VIEW)).filter(
        path__startswith=root.path, kind__in=Organization.CELL_KINDS
    )


#
# One cell's year
#


@dataclass
class MonthCell:
    month: int
    state: str  # one of the month states of meetings.counting (counted, draft, makeup, early, missing, ...)
    meeting: Meeting | None = None
    thematic: list[Meeting] = field(default_factory=list)
    deadline: datetime.date | None = None  # the last day a meeting may be dated to count for this month (D6)


def cell_year_grid(*, cell: Organization, year: int, today: datetime.date | None = None) -> dict:
    """Twelve months of one cell, each in its counting state (meetings.counting: D6, B1), its thematic meetings
    and the quarters covered (B2). Two queries."""
    win = counting.window(year, today)
    meetings = list(Meeting.objects.filter(organization=cell, period_year=year).order_by("period_month", "date", "id"))
    states = counting.month_states(cell, meetings, win)
    regular = {m.period_month: m for m in meetings if m.counts_as_regular}
    thematic = defaultdict(list)
    for meeting in meetings:
        if meeting.counts_as_thematic:
            thematic[meeting.period_month].append(meeting)
    months = [
        MonthCell(
            month=month,
            state=states[month],
            meeting=regular.get(month),
            thematic=thematic[month],
            deadline=win.deadlines[month],
        )
        for month in MONTHS
    ]
    quarters, quarter_states = {}, {}
    for q in counting.QUARTERS:
        q_months = counting.quarter_months(q)
        held = any(
            win.counts(m) and counting.alive_in(cell, year, m.period_month)
            for month in q_months
            for m in thematic[month]
        )
        quarters[q] = held
        if held:
            quarter_states[q] = counting.COUNTED
        elif not any(counting.alive_in(cell, year, m) for m in q_months):
            quarter_states[q] = counting.NOT_REQUIRED
        elif not win.is_due(q_months[-1]):
            quarter_states[q] = counting.PENDING
        else:
            quarter_states[q] = counting.MISSING
    return {
        "months": months,
        "quarters": quarters,
        "quarter_states": quarter_states,
        "meetings": meetings,
        "missing": counting.missing_months(states, win),
        "held": sum(1 for state in states.values() if state == counting.COUNTED),
        "required": sum(1 for m, state in states.items() if win.is_due(m) and state != counting.NOT_REQUIRED),
    }


#
# Heat-map of a subtree
#


@dataclass(frozen=True)
class HeatMonth:
    month: int
    state: str  # a cell row: its month state; a committee row: COUNTED / MISSING (due), PENDING, NOT_REQUIRED
    ratio: float | None  # counted / cells owing the month (due months of a committee row)
    counted: int
    required: int
    drafts: int
    makeup: int


@dataclass
class HeatRow:
    organization: Organization
    cells: int = 0  # cells that existed during the year
    alive: dict[int, int] = field(default_factory=dict)  # month -> cells that existed that month
    counted: dict[int, int] = field(default_factory=dict)  # month -> cells whose meeting counts (D6)
    drafts: dict[int, int] = field(default_factory=dict)  # month -> cells with only a draft ("chưa chốt")
    makeup: dict[int, int] = field(default_factory=dict)  # month -> cells with a make-up meeting ("sinh hoạt bù")
    due: frozenset = frozenset()  # months whose deadline has passed
    is_cell: bool = False

    def month(self, m: int) -> HeatMonth:
        alive, counted = self.alive.get(m, 0), self.counted.get(m, 0)
        drafts, makeup = self.drafts.get(m, 0), self.makeup.get(m, 0)
        due = m in self.due
        if not alive:
            state = counting.NOT_REQUIRED
        elif counted >= alive:
            state = counting.COUNTED
        elif self.is_cell and drafts:
            state = counting.DRAFT
        elif self.is_cell and makeup:
            state = counting.MAKEUP
        elif not due:
            state = counting.PENDING
        else:
            state = counting.MISSING
        ratio = counted / alive if alive and (due or counted >= alive) else None  # a pending month stays neutral
        return HeatMonth(m, state, ratio, counted, alive, drafts, makeup)

    @property
    def months(self) -> list[HeatMonth]:
        return [self.month(m) for m in MONTHS]


def _life_spans(cells: QuerySet[Organization], year: int) -> QuerySet[Organization]:
    """`cells` annotated with the first and the last month of `year` each existed in (computed in the database)."""
    first = Case(
        When(founded_on__gte=counting.first_day(year, 1), then=ExtractMonth("founded_on")),
        default=Value(1),
        output_field=IntegerField(),
    )
    last = Case(
        When(dissolved_on__lte=counting.last_day(year, 12), then=ExtractMonth("dissolved_on")),
        default=Value(12),
        output_field=IntegerField(),
    )
    return cells.annotate(first=first, last=last).order_by()


class HeatRows:
    """The rows of the heat-map of a committee, read a slice at a time: its visible direct children holding cells
    that existed in the year, by name. Their ids are read once (one query); a slice then reads its own children and
    the life spans of their cells only (two queries), instead of building a row for every child of a bloc with
    thousands of them and reading the spans of every cell on each request."""

    def __init__(self, *, user, root: Organization, year: int):
        self.user = user
        self.root = root
        self.year = year
        self.cells = counting.cells_existing(_cells_under(user, root), year, list(MONTHS)).exclude(pk=root.pk)
        # The children holding such cells: a child's own id is the first segment of its cells' paths under root.
        owners = self.cells.annotate(owner=child_segment(root, "path")).values("owner")
        self.children = (
            Organization.objects.filter(scope_filter(user, action=VIEW))
            .filter(parent=root)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=counting.first_day(year, 1)))
            .annotate(pk_text=Cast("pk", output_field=CharField()))
            .filter(pk_text__in=owners)
            .order_by("name", "pk")
        )
        self._ids = None

    @property
    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = figcache.remember(
                "meetings.heat_ids",
                user=self.user,
                root=self.root,
                parts=(self.year,),
                compute=lambda: list(self.children.values_list("pk", flat=True)),
            )
        return self._ids

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        if not ids:
            return []
        fields = ("id", "path", "name", "kind", "code", "founded_on", "dissolved_on")
        children = Organization.objects.filter(pk__in=ids).only(*fields).in_bulk()
        rows_by_id = {pk: HeatRow(organization=children[pk], is_cell=children[pk].is_cell) for pk in ids}
        spans = _life_spans(self.cells, self.year)
        if len(ids) < len(self.ids):
            # A page: the path index finds the cells of its own children.
            spans = spans.filter(reduce(or_, (Q(path__startswith=children[pk].path) for pk in ids)))
        for owner, span_first, span_last, count in (
            spans.annotate(owner=child_segment(self.root, "path"))
            .values("owner", "first", "last")
            .annotate(n=Count("pk"))
            .values_list("owner", "first", "last", "n")
        ):
            row = rows_by_id.get(int(owner))
            if row is not None:
                row.cells += count
                for m in range(span_first, span_last + 1):
                    row.alive[m] = row.alive.get(m, 0) + count
        return list(rows_by_id.values())


def heat_rows(*, user, root: Organization, year: int | None = None) -> list[HeatRow] | HeatRows:
    """The rows of the heat-map with the cells that existed in `year` month by month (D6), months not yet
    filled: one per direct child of `root` holding such cells, by name (HeatRows, for a Paginator: three queries
    for a page or for all of them), or `root` itself when it is a cell (a list, one query)."""
    year = year or timezone.localdate().year
    if root.is_cell:
        cells = counting.cells_existing(_cells_under(user, root), year, list(MONTHS))
        row = HeatRow(organization=root, is_cell=True)
        for span_first, span_last in _life_spans(cells, year).filter(pk=root.pk).values_list("first", "last"):
            row.cells = 1
            row.alive = {m: 1 for m in range(span_first, span_last + 1)}
        return [row] if row.cells else []
    return HeatRows(user=user, root=root, year=year)


def fill_heat_months(
    rows: list[HeatRow], *, user, root: Organization, year: int, today: datetime.date | None = None
) -> list[HeatRow]:
    """Fill `rows` (all the rows of `heat_rows`, or a page of them) month by month with the cells whose regular
    meeting counts (D6), those with only a draft and those with a make-up meeting, counted in the database for
    those rows only. Two queries (the parameters, the meetings); one when the subtree has not changed since
    (cells/figcache.py)."""
    if not rows:
        return rows
    today = today or timezone.localdate()
    due, months = figcache.remember(
        "meetings.heat_months",
        user=user,
        root=root,
        parts=(year, today, tuple(row.organization.pk for row in rows)),
        compute=lambda: _heat_months(rows, user=user, root=root, year=year, today=today),
    )
    for row in rows:
        row.due = due
        for month, (counted, drafts, makeup) in months.get(row.organization.pk, {}).items():
            row.counted[month], row.drafts[month], row.makeup[month] = counted, drafts, makeup
    return rows


def _heat_months(
    rows: list[HeatRow], *, user, root: Organization, year: int, today: datetime.date
) -> tuple[frozenset[int], dict[int, dict[int, tuple[int, int, int]]]]:
    """The months due and, per row and month, the cells counted, with a draft only, with a make-up meeting."""
    win = counting.window(year, today)
    due = frozenset(win.due(MONTHS))
    filled: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    # The kept month summaries (meetings.summaries), one row per cell and month, with the regular meeting's state
    # and date: counting's own conditions decide on them with today's parameters.
    meetings = CellMonthSummary.objects.filter(
        scope_filter(user, prefix="organization__", action=VIEW),
        organization__path__startswith=root.path,
        organization__kind__in=Organization.CELL_KINDS,
        period_year=year,
    ).exclude(status="")
    by_id = {row.organization.pk: row for row in rows}
    if root.is_cell:
        grouped = meetings.filter(organization=root).annotate(owner=Value(str(root.pk)))
    else:
        # Only the subtrees of the rows shown (a page of them): the path index finds their cells, so a page reads
        # the months of its own cells, not those of the whole bloc.
        shown = reduce(or_, (Q(organization__path__startswith=row.organization.path) for row in rows))
        grouped = (
            meetings.exclude(organization=root)
            .filter(shown)
            .annotate(owner=child_segment(root, "organization__path"))
            .filter(owner__in=[str(pk) for pk in by_id])
        )
    for owner, month, counted, drafts, makeup in (
        grouped.order_by()
        .values("owner", "period_month")
        .annotate(  # one summary row per cell and month (a constraint): counting rows counts cells
            counted=Count("pk", filter=summaries.counted_q(win, MONTHS)),
            drafts=Count("pk", filter=Q(status=Meeting.Status.DRAFT)),
            makeup=Count("pk", filter=summaries.makeup_q(win, MONTHS)),
        )
        .values_list("owner", "period_month", "counted", "drafts", "makeup")
    ):
        if int(owner) in by_id:
            filled[int(owner)][month] = (counted, drafts, makeup)
    return due, dict(filled)


def heatmap(*, user, root: Organization, year: int, today: datetime.date | None = None) -> list[HeatRow]:
    """Every row of the heat-map of a subtree for a year: each month, the cells whose regular meeting counts
    among those that existed (D6). Counted in the database per child and month. Five queries."""
    rows = heat_rows(user=user, root=root, year=year)[:]  # every row, as a list
    return fill_heat_months(rows, user=user, root=root, year=year, today=today)


#
# KPIs (seed figures: % of cells with 12 meetings, thematic every quarter, attendance, % rated Tốt)
#


@dataclass
class Kpis(counting.Totals):
    period: Period | None = None
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
            return None  # no quarter of the period is due yet
        return self.pct(self.cells_all_thematic, self.cells_thematic)

    @property
    def attendance_pct(self):
        return self.pct(self.present, self.eligible)

    @property
    def pct_good(self):
        return self.pct(self.meetings_good, self.meetings_rated)

    @property
    def cells_incomplete(self) -> int:
        return self.cells - self.cells_all_regular

    # The same figures with their bases (cells/figures.py: "6/4.749" and the small-base warning).
    @property
    def regular_figure(self) -> Figure:
        return Figure(self.cells_all_regular, self.cells)

    @property
    def thematic_figure(self) -> Figure:
        if not self.quarters_counted:
            return Figure(0, 0)
        return Figure(self.cells_all_thematic, self.cells_thematic)

    @property
    def attendance_figure(self) -> Figure:
        return Figure(self.present, self.eligible, target=self.kpi_attendance_pct)

    @property
    def good_figure(self) -> Figure:
        return Figure(self.meetings_good, self.meetings_rated)


def kpis(*, user, root: Organization, period: Period, today: datetime.date | None = None) -> Kpis:
    """The seed KPIs for a subtree and period (meetings.counting.totals: D6, B1, B2, B4, B9): the cells that
    existed in the period, the months and quarters due. Three queries; two when the subtree has not changed since
    its figures were last computed (cells/figcache.py)."""
    today = today or timezone.localdate()
    figures = figcache.remember(
        "meetings.kpis",
        user=user,
        root=root,
        parts=(period.year, tuple(period.months), today),
        compute=lambda: summaries.totals(_cells_under(user, root), year=period.year, months=period.months, today=today),
    )
    result = Kpis(period=period, kpi_attendance_pct=parameters_on(today)["kpi_attendance_pct"])
    for name in counting.Totals.__dataclass_fields__:
        setattr(result, name, getattr(figures, name))
    return result


def cells_behind(
    *,
    user,
    root: Organization,
    period: Period,
    kind: str = counting.REGULAR,
    complete: bool | None = None,
    today: datetime.date | None = None,
) -> QuerySet:
    """The cells of the subtree behind a cell figure of `kpis` (the drill-down of "% of cells that held every
    regular meeting due" and of the thematic one): exactly the cells that figure counts, the complying ones
    (`complete` True), the others (False) or all, by name, as rows of values with their figures. One query for
    the parameters, then a count and a page when paged."""
    return (
        summaries.cells_behind(
            _cells_under(user, root),
            year=period.year,
            months=period.months,
            kind=kind,
            complete=complete,
            today=today,
        )
        .order_by("name", "pk")
        .values(
            "pk",
            "name",
            "code",
            "parent__name",
            "required",
            "held_due",
            "drafts",
            "makeup",
            "quarters_required",
            "quarters_held",
        )
    )


def counted_meetings(*, user, root: Organization, period: Period, today: datetime.date | None = None) -> QuerySet:
    """The regular meetings behind the meeting figures of `kpis` (attendance, % rated Good): the finalised
    regular meetings of the subtree's cells that count for a month of the period (D6). One query for the
    parameters."""
    win = counting.window(period.year, today)
    return meetings_visible_to(user).filter(
        counting.regular_q() & counting.counted_q(win, period.months),
        organization__path__startswith=root.path,
        organization__kind__in=Organization.CELL_KINDS,
    )


@dataclass(frozen=True)
class CellRef:
    pk: int
    name: str
    code: str
    # For naming the cell in context (cells/names.py: "Chi bộ Văn phòng · Đảng bộ Sở Y tế").
    depth: int = 0
    parent_name: str = ""


def missing_cells(
    *, user, root: Organization, period: Period, today: datetime.date | None = None, limit: int | None = None
) -> list[dict]:
    """Cells of the subtree short of a counted regular meeting in some due month of their life (D6, B1), with
    those months (and, among them, the months with only a draft or a make-up meeting), by name; the first
    `limit` of them when given (their number is `kpis().cells - cells_all_regular`). Three queries: the
    parameters, the cells short of meetings (counted in the database), then their meetings; one when the subtree
    has not changed since (cells/figcache.py)."""
    today = today or timezone.localdate()
    return figcache.remember(
        "meetings.missing_cells",
        user=user,
        root=root,
        parts=(period.year, tuple(period.months), today, limit),
        compute=lambda: _missing_cells(user=user, root=root, period=period, today=today, limit=limit),
    )


def _missing_cells(*, user, root: Organization, period: Period, today: datetime.date, limit: int | None) -> list[dict]:
    win = counting.window(period.year, today)
    if not win.due(period.months):
        return []
    short = (
        summaries.per_cell(
            counting.cells_existing(_cells_under(user, root), period.year, period.months),
            months=period.months,
            win=win,
        )
        .filter(required__gt=0, held_due__lt=F("required"))
        .values("pk")
    )
    # Grouped by the cell's key alone, then named: the months of every cell are counted in narrow rows (the names
    # and the parent's join carried through the grouping made it sort on disk at the size of a province).
    short = (
        Organization.objects.filter(pk__in=short)
        .order_by("name", "pk")
        .values_list("pk", "name", "code", "founded_on", "dissolved_on", "depth", "parent__name")
    )
    rows = list(short[:limit] if limit else short)
    meetings = defaultdict(list)
    for meeting in Meeting.objects.filter(
        organization__in=[row[0] for row in rows],
        period_year=period.year,
        period_month__in=period.months,
        kind__in=Meeting.REGULAR_KINDS,
    ).only("organization_id", "kind", "status", "period_year", "period_month", "date"):
        meetings[meeting.organization_id].append(meeting)
    result = []
    for pk, name, code, founded_on, dissolved_on, depth, parent_name in rows:
        life = Organization(pk=pk, founded_on=founded_on, dissolved_on=dissolved_on)
        states = counting.month_states(life, meetings[pk], win, months=period.months)
        result.append(
            {
                "cell": CellRef(pk, name, code, depth, parent_name or ""),
                "months": counting.missing_months(states, win),
                "drafts": [m for m, state in states.items() if state == counting.DRAFT and win.is_due(m)],
                "makeup": [m for m, state in states.items() if state == counting.MAKEUP and win.is_due(m)],
            }
        )
    return result


#
# Flagged members (B5)
#


@dataclass
class MemberFlag:
    member_id: int
    name: str
    organization_id: int
    organization_name: str  # in context: "Chi bộ Văn phòng (Đảng bộ Sở Y tế)" (cells/names.py)
    unexcused: int = 0
    longest_excused_run: int = 0
    # D8: months of the year whose regular meeting the member missed without a valid reason; at
    # `unexcused_absence_months_for_removal_review` or more the cell is prompted to consider a xóa tên review
    # (Điều lệ Điều 8). A prompt only: nothing changes the member's status.
    unexcused_months: int = 0
    removal_review: bool = False


def flagged_members(*, user, root: Organization, year: int, months: list[int] | None = None) -> list[MemberFlag]:
    """Members with any unexcused absence, or more than the allowed run of consecutive excused absences, at
    the finalised regular meetings of the year, or of `months` of it (a month's or a quarter's report) (B5); those
    absent without reason in `unexcused_absence_months_for_removal_review` months or more carry the xóa tên prompt
    (D8). The D8 count is a yearly rule: it counts the months from January to the end of the period, while the
    absences listed and the runs measured are those of the period.

    First one grouped query finds the candidates (any unexcused absence, or more excused absences than the run
    limit in the period); only their attendance is then read in order to measure the runs. Three queries.
    """
    months = sorted(months or range(1, 13))
    params = parameters_on(datetime.date(year, months[-1], calendar.monthrange(year, months[-1])[1]))
    limit = params["max_consecutive_excused_absences"]
    review_months = params["unexcused_absence_months_for_removal_review"]
    to_date = Attendance.objects.filter(
        scope_filter(user, prefix="meeting__organization__", action=VIEW),
        meeting__organization__path__startswith=root.path,
        meeting__period_year=year,
        meeting__period_month__lte=months[-1],
        meeting__kind__in=Meeting.REGULAR_KINDS,
        meeting__status=Meeting.Status.FINAL,
    )
    unexcused = Q(status=Attendance.Status.UNEXCUSED)
    in_period = Q(meeting__period_month__in=months) if len(months) < 12 else Q()
    candidates = {
        row["member_id"]: row
        for row in to_date.exclude(status=Attendance.Status.PRESENT)
        .values("member_id")
        .annotate(
            unexcused=Count("id", filter=unexcused & in_period),
            # A member moved between cells may have two regular meetings in a month: months, not meetings.
            unexcused_months=Count("meeting__period_month", filter=unexcused & in_period, distinct=True),
            unexcused_months_to_date=Count("meeting__period_month", filter=unexcused, distinct=True),
            excused=Count("id", filter=Q(status=Attendance.Status.EXCUSED) & in_period),
        )
        .filter(Q(unexcused__gt=0) | Q(excused__gt=limit))
    }
    if not candidates:
        return []
    flags: dict[int, MemberFlag] = {}
    runs: dict[int, int] = defaultdict(int)
    ordered = (
        to_date.filter(in_period, member_id__in=list(candidates))
        .order_by("member_id", "meeting__period_month", "meeting__date")
        .values_list(
            "member_id",
            "member__full_name",
            "meeting__organization_id",
            "meeting__organization__name",
            "meeting__organization__depth",
            "meeting__organization__parent__name",
            "status",
        )
    )
    for member_id, name, org_id, org_name, org_depth, parent_name, status in ordered:
        flag = flags.get(member_id)
        if flag is None:
            found = candidates[member_id]
            flag = flags[member_id] = MemberFlag(
                member_id,
                name,
                org_id,
                org_label({"name": org_name, "depth": org_depth, "parent_name": parent_name}),
                unexcused=found["unexcused"],
                unexcused_months=found["unexcused_months"],
                removal_review=bool(review_months) and found["unexcused_months_to_date"] >= review_months,
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


#
# Yearly meeting quality (B9, D2)
#

# Best first: a meeting rated "below" a level comes later in this order.
RATING_ORDER = (Meeting.Rating.GOOD, Meeting.Rating.FAIR, Meeting.Rating.AVERAGE, Meeting.Rating.POOR)


@dataclass(frozen=True)
class YearlyMeetingLevel:
    """A cell's yearly meeting quality and the rule that gave it: Tốt by rule B9 (every regular meeting Khá or
    better and at least `yearly_good_min_meetings` Tốt); the levels below have no source (D2): Khá when no
    meeting is rated below `yearly_fair_lowest_meeting_rating`, otherwise Trung bình — set by the committee."""

    rating: str
    meetings: int
    good_meetings: int
    good_min: int
    fair_lowest: str

    @property
    def label(self) -> str:
        return Meeting.Rating(self.rating).label

    @property
    def rule(self) -> str:
        """The rule book entry behind the result."""
        return "B9" if self.rating == Meeting.Rating.GOOD else "D2"

    @property
    def set_by_committee(self) -> bool:
        return self.rating != Meeting.Rating.GOOD

    def explanation(self) -> str:
        """The rule applied, in words, e.g. "no regular meeting rated below Average — a level set by the committee"."""
        if self.rating == Meeting.Rating.GOOD:
            return _("every regular meeting rated Fair or better and %(good)s rated Good (at least %(minimum)s)") % {
                "good": self.good_meetings,
                "minimum": self.good_min,
            }
        lowest = Meeting.Rating(self.fair_lowest).label
        if self.rating == Meeting.Rating.FAIR:
            return _("no regular meeting rated below %(lowest)s — a level set by the committee") % {"lowest": lowest}
        return _("a regular meeting rated below %(lowest)s — a level set by the committee") % {"lowest": lowest}


def yearly_meeting_level(*, cell: Organization, year: int) -> YearlyMeetingLevel | None:
    """Rules B9 and D2 for a cell's year, over its finalised regular meetings, with the parameters in force at
    the end of the year; None while there is none or one of them is not scored."""
    ratings = list(
        Meeting.objects.filter(
            organization=cell, period_year=year, kind__in=Meeting.REGULAR_KINDS, status=Meeting.Status.FINAL
        ).values_list("rating", flat=True)
    )
    if not ratings or any(not r for r in ratings):
        return None
    params = parameters_on(datetime.date(year, 12, 31))
    good_min = params["yearly_good_min_meetings"]
    fair_lowest = Meeting.Rating(params["yearly_fair_lowest_meeting_rating"])
    rank = {rating: index for index, rating in enumerate(RATING_ORDER)}
    worst = max(rank[r] for r in ratings)
    good = sum(r == Meeting.Rating.GOOD for r in ratings)
    if worst <= rank[Meeting.Rating.FAIR] and good >= good_min:
        rating = Meeting.Rating.GOOD
    elif worst <= rank[fair_lowest]:
        rating = Meeting.Rating.FAIR
    else:
        rating = Meeting.Rating.AVERAGE
    return YearlyMeetingLevel(
        rating=rating, meetings=len(ratings), good_meetings=good, good_min=good_min, fair_lowest=fair_lowest
    )


def yearly_meeting_rating(*, cell: Organization, year: int) -> str | None:
    """The rating of yearly_meeting_level (TOT, KHA or TRUNG_BINH), or None."""
    level = yearly_meeting_level(cell=cell, year=year)
    return level.rating if level else None
