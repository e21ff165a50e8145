"""The one place that says what a cell owes and which meetings pay it (D6; rules B1, B2, and the B26 figures).

Every figure about meeting compliance — the compliance page (meetings.selectors), the evaluation metrics
(evaluations.metrics), the dashboard and home page, the reports — is computed here, so that a cell can never be
compliant on one page and not on another.

- **Required months** (B1): the months of the period from the cell's founding month to its dissolution or merger
  month (both included), of which only those that have ended plus `late_grace_days` are *due*; a month not yet
  due is "pending" (chưa đến hạn), never missing. A month outside the cell's life is "not required" (—).
- **Which meeting counts** (D6): a *finalised* regular meeting (THUONG_KY, KET_HOP) counts for its period month
  when its date lies in that month or at most `late_grace_days` after it. A draft is shown apart ("chưa chốt");
  a finalised meeting dated later is "sinh hoạt bù" (make-up): shown, not counted; one dated before its month
  ("early") does not count either.
- **Thematic quarters** (B2): the same rule for thematic meetings (CHUYEN_DE, KET_HOP), per quarter; a quarter is
  required from a cell when its last month is due and the cell existed in some month of it.

`late_grace_days` is read from the rule parameter set in force on the last day of each month (through the
`cells.hooks` hook), never a constant. The rule is written once as SQL conditions (`counted_q`, `per_cell`) and
once in Python for one cell's months (`month_states`); tests/meetings/test_counting.py holds them to agree.
Every function here reads a fixed number of queries whatever the number of cells.
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import add, or_

from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from cells.hooks import parameters_on_days
from cells.models import Organization
from meetings.models import Meeting

MONTHS = tuple(range(1, 13))
QUARTERS = (1, 2, 3, 4)

# Month states (one cell, one month), from the cell page to the heat-map.
COUNTED = "counted"  # a finalised regular meeting dated within the month or its grace: the month is held
DRAFT = "draft"  # only a draft ("chưa chốt"): missing once the month is due
MAKEUP = "makeup"  # finalised but dated after the grace ("sinh hoạt bù"): shown, not counted
EARLY = "early"  # finalised but dated before its month: not counted
MISSING = "missing"  # due, nothing counted
PENDING = "pending"  # not yet due (the month or its grace is not over): never missing
NOT_REQUIRED = "not_required"  # before the cell was founded or after it was dissolved / merged


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def quarter_months(quarter: int) -> list[int]:
    return [3 * quarter - 2, 3 * quarter - 1, 3 * quarter]


def first_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


def last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Window:
    """The counting rule of one year: each month's deadline (its last day + `late_grace_days` in force on that
    day) and the day it is judged on."""

    year: int
    today: datetime.date
    deadlines: dict[int, datetime.date]

    def is_due(self, month: int) -> bool:
        """The month and its grace are over: a month without a counted meeting is now missing."""
        return self.deadlines[month] < self.today

    def due(self, months: Iterable[int]) -> list[int]:
        return [m for m in months if self.is_due(m)]

    def due_quarters(self, months: Iterable[int]) -> list[int]:
        """Quarters whose last month is among `months` and due (the quarter's thematic meeting is owed)."""
        return [quarter_of(m) for m in months if m % 3 == 0 and self.is_due(m)]

    def counts(self, meeting: Meeting) -> bool:
        """D6 for one meeting (its kind aside): finalised and dated within its month or the grace after it."""
        if meeting.status != Meeting.Status.FINAL or meeting.period_year != self.year:
            return False
        month = meeting.period_month
        return first_day(self.year, month) <= meeting.date <= self.deadlines[month]

    def meeting_state(self, meeting: Meeting) -> str:
        """COUNTED, DRAFT, MAKEUP or EARLY for a meeting of this year."""
        if meeting.status != Meeting.Status.FINAL:
            return DRAFT
        if self.counts(meeting):
            return COUNTED
        return MAKEUP if meeting.date > self.deadlines[meeting.period_month] else EARLY


def window(year: int, today: datetime.date | None = None) -> Window:
    """The Window of `year` judged on `today` (today by default). One query (the parameter sets)."""
    today = today or timezone.localdate()
    ends = {m: last_day(year, m) for m in MONTHS}
    params = parameters_on_days(list(ends.values()))
    deadlines = {m: end + datetime.timedelta(days=int(params[end]["late_grace_days"])) for m, end in ends.items()}
    return Window(year=year, today=today, deadlines=deadlines)


#
# The rule as SQL conditions
#


def alive_q(year: int, month: int, org: str = "") -> Q:
    """The organisation existed during that month (founded on or before its last day, not dissolved or merged
    before its first day). `org` is the lookup prefix from the queried model to the organisation."""
    return (Q(**{f"{org}founded_on__isnull": True}) | Q(**{f"{org}founded_on__lte": last_day(year, month)})) & (
        Q(**{f"{org}dissolved_on__isnull": True}) | Q(**{f"{org}dissolved_on__gte": first_day(year, month)})
    )


def alive_in_any_q(year: int, months: list[int], org: str = "") -> Q:
    """The organisation existed during at least one of the (consecutive) `months`."""
    return (Q(**{f"{org}founded_on__isnull": True}) | Q(**{f"{org}founded_on__lte": last_day(year, max(months))})) & (
        Q(**{f"{org}dissolved_on__isnull": True}) | Q(**{f"{org}dissolved_on__gte": first_day(year, min(months))})
    )


def counted_q(win: Window, months: Iterable[int], *, meeting: str = "", org: str = "organization__") -> Q:
    """A meeting that counts for one of `months` (D6): finalised, dated within its month or the grace after it,
    for a month its cell existed. `meeting` / `org` are the lookup prefixes to the meeting and to its cell."""
    months = list(months)
    if not months:
        return Q(pk__in=[])
    per_month = [
        Q(
            **{
                f"{meeting}period_month": m,
                f"{meeting}date__gte": first_day(win.year, m),
                f"{meeting}date__lte": win.deadlines[m],
            }
        )
        & alive_q(win.year, m, org)
        for m in months
    ]
    return Q(**{f"{meeting}status": Meeting.Status.FINAL, f"{meeting}period_year": win.year}) & reduce(or_, per_month)


def makeup_q(win: Window, months: Iterable[int], *, meeting: str = "") -> Q:
    """A finalised meeting dated after its month's grace ("sinh hoạt bù"): shown, not counted."""
    per_month = [Q(**{f"{meeting}period_month": m, f"{meeting}date__gt": win.deadlines[m]}) for m in months]
    if not per_month:
        return Q(pk__in=[])
    return Q(**{f"{meeting}status": Meeting.Status.FINAL}) & reduce(or_, per_month)


def regular_q(meeting: str = "") -> Q:
    return Q(**{f"{meeting}kind__in": Meeting.REGULAR_KINDS})


def thematic_q(meeting: str = "") -> Q:
    return Q(**{f"{meeting}kind__in": Meeting.THEMATIC_KINDS})


def cells_existing(cells: QuerySet[Organization], year: int, months: list[int]) -> QuerySet[Organization]:
    """The cells of `cells` that existed during some month of the period (dissolved ones included)."""
    return cells.filter(kind__in=Organization.CELL_KINDS).filter(alive_in_any_q(year, months))


def _ones(conditions: list[Q]):
    """SQL: how many of `conditions` hold for the row (0 when none is given)."""
    terms = [Case(When(c, then=Value(1)), default=Value(0), output_field=IntegerField()) for c in conditions]
    return reduce(add, terms) if terms else Value(0, output_field=IntegerField())


MEETINGS = "year_meetings"  # the FilteredRelation of per_cell: the cell's meetings of the year
_M = MEETINGS + "__"


def per_cell(organizations: QuerySet[Organization], *, months: list[int], win: Window) -> QuerySet[Organization]:
    """`organizations` annotated with their figures over `months` of `win.year` (one row per organisation, all
    counted in the database):

    - required: due months the organisation existed in; held_due: those with a counted regular meeting;
    - held: months of the period with a counted regular meeting (due or not); not_required: months of the
      period outside the organisation's life;
    - drafts / makeup: regular meetings of the period still in draft / made up after the grace;
    - quarters_required / quarters_held: due quarters (B2) owed, and those with a counted thematic meeting;
      quarters_not_required: quarters of the period outside its life;
    - rated, good, present, eligible: over the counted regular meetings of the period (B4, B9).
    """
    year = win.year
    due = win.due(months)
    quarters = win.due_quarters(months)
    all_quarters = sorted({quarter_of(m) for m in months if m % 3 == 0})
    span = sorted(set(months) | {m for q in quarters for m in quarter_months(q)})
    rows = organizations.annotate(
        **{
            MEETINGS: FilteredRelation(
                "meetings", condition=Q(meetings__period_year=year, meetings__period_month__in=span)
            )
        }
    )
    counted_regular = regular_q(_M) & counted_q(win, months, meeting=_M, org="")
    annotations = {
        "required": _ones([alive_q(year, m) for m in due]),
        "not_required": _ones([~alive_q(year, m) for m in months]),
        "held_due": Count(MEETINGS, filter=regular_q(_M) & counted_q(win, due, meeting=_M, org="")),
        "held": Count(MEETINGS, filter=counted_regular),
        "drafts": Count(
            MEETINGS,
            filter=regular_q(_M) & Q(**{f"{_M}status": Meeting.Status.DRAFT, f"{_M}period_month__in": months}),
        ),
        "makeup": Count(MEETINGS, filter=regular_q(_M) & makeup_q(win, months, meeting=_M)),
        "rated": Count(MEETINGS, filter=counted_regular & ~Q(**{f"{_M}rating": ""})),
        "good": Count(MEETINGS, filter=counted_regular & Q(**{f"{_M}rating": Meeting.Rating.GOOD})),
        "present": Sum(f"{_M}present_count", filter=counted_regular, default=0),
        "eligible": Sum(f"{_M}eligible_count", filter=counted_regular, default=0),
        "quarters_not_required": _ones([~alive_in_any_q(year, quarter_months(q)) for q in all_quarters]),
    }
    for q in quarters:
        annotations[f"t{q}"] = Count(
            MEETINGS, filter=thematic_q(_M) & counted_q(win, quarter_months(q), meeting=_M, org="")
        )
    for q in all_quarters:  # thematic meetings counted in a quarter of the period, due or not (the metric)
        if q not in quarters:
            annotations[f"t{q}"] = Count(
                MEETINGS, filter=thematic_q(_M) & counted_q(win, quarter_months(q), meeting=_M, org="")
            )
    rows = rows.annotate(**annotations)
    return rows.annotate(
        quarters_required=_ones([alive_in_any_q(year, quarter_months(q)) for q in quarters]),
        quarters_held=_ones([Q(**{f"t{q}__gt": 0}) & alive_in_any_q(year, quarter_months(q)) for q in quarters]),
        quarters_with_thematic=_ones([Q(**{f"t{q}__gt": 0}) for q in all_quarters]),
    )


#
# Totals of a set of cells
#


@dataclass
class Totals:
    """The B1/B2/B4/B9 figures of a set of cells over a period (the compliance page, home page, dashboard,
    reports)."""

    cells: int = 0  # cells owing at least one due month
    cells_all_regular: int = 0  # ...that held every one of them (B1)
    cells_thematic: int = 0  # cells owing at least one due quarter
    cells_all_thematic: int = 0  # ...that held a thematic meeting in each (B2)
    meetings: int = 0
    meetings_rated: int = 0
    meetings_good: int = 0
    present: int = 0
    eligible: int = 0
    drafts: int = 0
    makeup: int = 0
    months_counted: list[int] = field(default_factory=list)  # due months of the period
    months_pending: list[int] = field(default_factory=list)  # months of the period not yet due
    quarters_counted: list[int] = field(default_factory=list)
    pending_until: datetime.date | None = None  # the deadline of the first pending month


# The cells behind the two cell figures (B1, B2), as conditions on the rows of `per_cell`: (the cells the figure
# counts, those of them that comply). `totals` counts with them and `cells_behind` lists with them, so a figure and
# the list it opens can never disagree.
REGULAR, THEMATIC = "regular", "thematic"
FIGURE_SETS = {
    REGULAR: (Q(required__gt=0), Q(held_due__gte=F("required"))),
    THEMATIC: (Q(quarters_required__gt=0), Q(quarters_held__gte=F("quarters_required"))),
}


def cells_behind(
    cells: QuerySet[Organization],
    *,
    year: int,
    months: list[int],
    kind: str = REGULAR,
    complete: bool | None = None,
    today=None,
) -> QuerySet[Organization]:
    """The cells of `cells` behind a figure of `totals`: those owing a due month (`kind` REGULAR, B1) or a due
    quarter (THEMATIC, B2) over `months` of `year`, only the complying ones (`complete` True) or the others
    (False), annotated by `per_cell`. Their number is `totals().cells` / `cells_all_regular` (or the thematic
    pair). One query for the parameters; the queryset is then one query (or a count and a page)."""
    win = window(year, today)
    owing, complies = FIGURE_SETS[kind]
    rows = per_cell(cells_existing(cells, year, months), months=months, win=win).filter(owing)
    if complete is True:
        rows = rows.filter(complies)
    elif complete is False:
        rows = rows.filter(~complies)
    return rows


def totals(cells: QuerySet[Organization], *, year: int, months: list[int], today=None, rows_per_cell=None) -> Totals:
    """Totals over the cells of `cells` that existed in the period. Two queries (parameters, figures).

    `rows_per_cell` gives the per-cell facts the totals add up: `per_cell` below (from the meeting rows) by default,
    meetings.summaries.per_cell (from the kept month summaries) for the pages."""
    win = window(year, today)
    result = Totals(
        months_counted=win.due(months),
        months_pending=[m for m in months if not win.is_due(m)],
        quarters_counted=win.due_quarters(months),
    )
    if result.months_pending:
        result.pending_until = win.deadlines[result.months_pending[0]]
    rows = (rows_per_cell or per_cell)(cells_existing(cells, year, months), months=months, win=win)
    owing, complete = FIGURE_SETS[REGULAR]
    owing_quarter, complete_quarter = FIGURE_SETS[THEMATIC]
    # Aliases apart from the per-cell annotations they add up (an aggregate named like an annotation reads 0).
    figures = rows.aggregate(
        n_cells=Count("pk", filter=owing),
        n_cells_all_regular=Count("pk", filter=owing & complete),
        n_cells_thematic=Count("pk", filter=owing_quarter),
        n_cells_all_thematic=Count("pk", filter=owing_quarter & complete_quarter),
        n_meetings=Sum("held", default=0),
        n_meetings_rated=Sum("rated", default=0),
        n_meetings_good=Sum("good", default=0),
        n_present=Sum("present", default=0),
        n_eligible=Sum("eligible", default=0),
        n_drafts=Sum("drafts", default=0),
        n_makeup=Sum("makeup", default=0),
    )
    for key, value in figures.items():
        setattr(result, key.removeprefix("n_"), value or 0)
    return result


#
# One cell, month by month
#


@dataclass
class CellFigures:
    """One organisation over a period: the figures of `per_cell`, and what they mean."""

    pk: int
    required: int
    held_due: int
    held: int
    not_required: int
    drafts: int
    makeup: int
    quarters_required: int
    quarters_held: int
    quarters_not_required: int
    quarters_with_thematic: int
    rated: int
    good: int
    present: int
    eligible: int

    @property
    def complete(self) -> bool:
        """Every due month of the cell's life has a counted regular meeting (B1)."""
        return self.held_due >= self.required

    @property
    def thematic_complete(self) -> bool:
        return self.quarters_held >= self.quarters_required

    @property
    def months_missing(self) -> int:
        return self.required - self.held_due

    @property
    def months_met(self) -> int:
        """Months of the period whose obligation is met: a counted meeting, or the cell did not exist then."""
        return self.held + self.not_required

    @property
    def quarters_met(self) -> int:
        return self.quarters_with_thematic + self.quarters_not_required


FIGURES = tuple(f for f in CellFigures.__dataclass_fields__ if f != "pk")


def cell_figures(
    organizations: QuerySet[Organization], *, year: int, months=MONTHS, today=None
) -> dict[int, CellFigures]:
    """{pk: CellFigures} for each organisation of `organizations` over `months` of `year`. Two queries."""
    win = window(year, today)
    rows = per_cell(organizations, months=list(months), win=win).order_by().values("pk", *FIGURES)
    return {row["pk"]: CellFigures(**row) for row in rows}


def alive_in(organization: Organization, year: int, month: int) -> bool:
    """Python twin of alive_q."""
    founded, dissolved = organization.founded_on, organization.dissolved_on
    return (founded is None or founded <= last_day(year, month)) and (
        dissolved is None or dissolved >= first_day(year, month)
    )


def month_state(organization: Organization, month: int, regular: Meeting | None, win: Window) -> str:
    """The state of one month of one cell, given its regular meeting for that month (or None)."""
    if not alive_in(organization, win.year, month):
        return NOT_REQUIRED
    state = win.meeting_state(regular) if regular is not None else None
    if state == COUNTED:
        return COUNTED
    if not win.is_due(month):
        return PENDING if state is None else state
    return state or MISSING


def month_states(organization: Organization, meetings: Iterable[Meeting], win: Window, months=MONTHS) -> dict:
    """{month: state} for one cell, from its meetings of the year (the regular ones are used)."""
    regular = {m.period_month: m for m in meetings if m.kind in Meeting.REGULAR_KINDS and m.period_year == win.year}
    return {month: month_state(organization, month, regular.get(month), win) for month in months}


def missing_months(states: dict[int, str], win: Window) -> list[int]:
    """Due months of the cell's life without a counted meeting (whatever was logged for them)."""
    return [m for m, state in states.items() if win.is_due(m) and state not in (COUNTED, NOT_REQUIRED)]
