"""Kept per-cell-per-month meeting summaries (meetings.CellMonthSummary): the subtree figures at any size.

Why: at the size of a merged province (34,000 organisations, 344,000 meetings) the compliance heat-map, the KPIs and
the home page read every meeting row of the bloc on each request. The summary is one narrow row per cell and month
with a meeting, holding facts only (the regular meeting's state, date, rating and attendance totals; the earliest
finalised thematic meeting dated on or after the month's first day). The D6 / B1 / B2 rule itself stays in
meetings.counting: the reads below apply counting's own conditions (`counted_q`, `makeup_q`, `alive_q`) to these
facts, with the `late_grace_days` in force and "today" at read time, and whether the cell existed from its
organisation row. So nothing kept depends on a rule parameter, on the date, or on the tree (a move, a merger, a
dissolution or a new founding date changes no summary), and the kept rows can be compared with a rebuild at any
moment.

Writes: `refresh(keys)` recomputes the given (cell, year, month) rows from the meeting rows under a row lock, in
the caller's transaction. It runs on every Meeting save and delete (the post_save / post_delete receivers below:
create, edit, date or month change, finalise, reopen, score — every meeting service saves the row) and from
meetings.services.refresh_attendance_totals (attendance edits write the totals with an UPDATE). Bulk loads that
bypass both (the demo build, the bench) call `rebuild_all()` (`manage.py rebuild_figures`).
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Count, DateField, F, FilteredRelation, Func, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cells import figcache
from cells.models import Organization
from meetings import counting
from meetings.models import CellMonthSummary, Meeting

Key = tuple[int, int, int]  # (organization_id, period_year, period_month)

KEY_FIELDS = ("organization_id", "period_year", "period_month")
COLUMNS = KEY_FIELDS + CellMonthSummary.FACTS

#
# From the meeting rows
#


def _source(meetings: QuerySet[Meeting]):
    """The summary facts of `meetings` grouped by cell and month, as rows in the order of COLUMNS (one query).

    Only the meetings that give a fact are read: regular ones (any state) and finalised thematic ones dated on or
    after their month's first day (one dated before it is "early" and never counts, whatever the grace)."""
    regular = Q(kind__in=Meeting.REGULAR_KINDS)
    thematic = Q(kind__in=Meeting.THEMATIC_KINDS, status=Meeting.Status.FINAL, month_index__gte=F("period_index"))
    return (
        meetings.annotate(
            month_index=ExtractYear("date") * 12 + ExtractMonth("date"),
            period_index=F("period_year") * 12 + F("period_month"),
        )
        .filter(regular | thematic)
        .order_by()
        .values(*KEY_FIELDS)
        .annotate(
            s_status=Coalesce(Max("status", filter=regular), Value("")),
            s_date=Max("date", filter=regular),
            s_rating=Coalesce(Max("rating", filter=regular), Value("")),
            s_present=Coalesce(Sum("present_count", filter=regular), 0),
            s_eligible=Coalesce(Sum("eligible_count", filter=regular), 0),
            s_thematic=Min("date", filter=thematic),
        )
        .values_list(*KEY_FIELDS, "s_status", "s_date", "s_rating", "s_present", "s_eligible", "s_thematic")
    )


def _keys_q(keys: Iterable[Key]) -> Q:
    return reduce(or_, (Q(organization_id=o, period_year=y, period_month=m) for o, y, m in keys), Q(pk__in=[]))


@transaction.atomic
def refresh(keys: Iterable[Key | None]) -> None:
    """Recompute the kept summaries of these (cell, year, month) from their meeting rows (four or five queries).

    The rows are created if missing and locked in primary-key order before the meetings are read, so a concurrent
    writer to the same month waits for our commit and then reads what we committed; rows left without a fact are
    removed (no row reads as nothing logged)."""
    keys = sorted({tuple(key) for key in keys if key is not None and None not in key})
    if not keys:
        return
    CellMonthSummary.objects.bulk_create(
        [
            CellMonthSummary(
                organization_id=o,
                period_year=y,
                period_month=m,
                month_start=counting.first_day(y, m),
                month_end=counting.last_day(y, m),
            )
            for o, y, m in keys
        ],
        ignore_conflicts=True,
    )
    kept = {
        (row.organization_id, row.period_year, row.period_month): row
        for row in CellMonthSummary.objects.select_for_update().filter(_keys_q(keys)).order_by("pk")
    }
    now = {row[:3]: row[3:] for row in _source(Meeting.objects.filter(_keys_q(keys)))}
    changed, empty, blank = [], [], CellMonthSummary().facts()
    for key, row in kept.items():
        facts = now.get(key)
        if facts is None:
            empty.append(row)
        elif row.facts() != tuple(facts):
            for name, value in zip(CellMonthSummary.FACTS, facts, strict=True):
                setattr(row, name, value)
            changed.append(row)
    if changed:
        CellMonthSummary.objects.bulk_update(changed, list(CellMonthSummary.FACTS))
    if empty:
        CellMonthSummary.objects.filter(pk__in=[row.pk for row in empty]).delete()
    # The cached figures above the cells whose facts changed are stale (cells/figcache.py); a row created just now
    # and removed again (a month with nothing to keep) changed nothing.
    touched = {row.organization_id for row in changed} | {row.organization_id for row in empty if row.facts() != blank}
    figcache.touch(touched)


def refresh_meetings(meeting_ids: Iterable[int]) -> None:
    """Refresh the months of these meetings (after a bulk UPDATE of their rows, e.g. the attendance totals)."""
    ids = list(meeting_ids)
    if ids:
        refresh(Meeting.objects.filter(pk__in=ids).values_list(*KEY_FIELDS).distinct())


@transaction.atomic
def rebuild_all(*, meeting_model=Meeting, summary_model=CellMonthSummary) -> int:
    """Rebuild every kept summary from the meeting rows in one INSERT … SELECT; returns the number of rows.

    For `manage.py rebuild_figures`, the migration that adds the table (its historical models are passed) and after
    bulk loads that bypass the meeting services (the demo build)."""
    summary_model.objects.all().delete()
    sql, params = _source(meeting_model.objects.all()).query.sql_with_params()
    table = connection.ops.quote_name(summary_model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(summary_model._meta.get_field(c).column) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608 (names from the model)
    months = summary_model.objects.order_by().values_list("period_year", "period_month").distinct()
    for year, month in list(months):  # one UPDATE per month logged (a few hundred at most), through the index
        summary_model.objects.filter(period_year=year, period_month=month).update(
            month_start=counting.first_day(year, month), month_end=counting.last_day(year, month)
        )
    return summary_model.objects.count()


def rebuilt_all() -> dict[Key, tuple]:
    """Every summary as the meeting rows give it now (the oracle of the kept rows), with its month's bounds."""
    return {
        row[:3]: (*row[3:], counting.first_day(*row[1:3]), counting.last_day(*row[1:3]))
        for row in _source(Meeting.objects.all())
    }


def kept_all() -> dict[Key, tuple]:
    rows = CellMonthSummary.objects.values_list(*COLUMNS, "month_start", "month_end")
    return {row[:3]: tuple(row[3:]) for row in rows}


@receiver(post_save, sender=Meeting, dispatch_uid="meetings.summaries.saved")
def _meeting_saved(sender, instance: Meeting, raw=False, **kwargs) -> None:
    if raw:
        return
    refresh([instance._summary_key(), getattr(instance, "_kept_month", None)])
    instance._kept_month = instance._summary_key()


@receiver(post_delete, sender=Meeting, dispatch_uid="meetings.summaries.deleted")
def _meeting_deleted(sender, instance: Meeting, **kwargs) -> None:
    refresh([instance._summary_key(), getattr(instance, "_kept_month", None)])


#
# Reads: meetings.counting's figures over the kept rows
#

SUMMARIES = "year_summaries"  # the FilteredRelation of per_cell: the cell's kept months of the year
_S = SUMMARIES + "__"


class AddDays(Func):
    """`date + n days` in SQL (PostgreSQL: date + integer; SQLite: date(…, '+n days')); n is an int we compute."""

    output_field = DateField()

    def __init__(self, expression, days: int):
        self.days = int(days)
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "sqlite":
            return f"date({sql}, '{self.days:+d} days')", params
        return f"({sql} + {self.days:d})", params


def _graces(win: counting.Window, months: Iterable[int]) -> dict[int, list[int]]:
    """The months grouped by their grace in days (deadline − last day): one group while the parameter holds."""
    groups: dict[int, list[int]] = {}
    for m in months:
        groups.setdefault((win.deadlines[m] - counting.last_day(win.year, m)).days, []).append(m)
    return groups


def _alive_q(prefix: str, org: str) -> Q:
    """counting.alive_q for the row's own month: the cell founded by its last day, not gone before its first."""
    return (Q(**{f"{org}founded_on__isnull": True}) | Q(**{f"{org}founded_on__lte": F(f"{prefix}month_end")})) & (
        Q(**{f"{org}dissolved_on__isnull": True}) | Q(**{f"{org}dissolved_on__gte": F(f"{prefix}month_start")})
    )


def _within_grace_q(win: counting.Window, months: Iterable[int], field: str, prefix: str, *, late: bool = False) -> Q:
    """`field` (a date of the row) lies at most the month's grace after its last day (`late`: more than that)."""
    parts = [
        Q(**{f"{prefix}period_month__in": ms})
        & Q(**{f"{prefix}{field}__{'gt' if late else 'lte'}": AddDays(F(f"{prefix}month_end"), grace)})
        for grace, ms in _graces(win, months).items()
    ]
    return reduce(or_, parts) if parts else Q(pk__in=[])


def counted_q(win: counting.Window, months: Iterable[int], *, prefix: str = "", org: str = "organization__") -> Q:
    """counting.counted_q on a kept row: its regular meeting is finalised and dated from the month's first day to
    its deadline, in a month of `months` the cell existed (tests hold the two to agree)."""
    months = list(months)
    if not months:
        return Q(pk__in=[])
    return (
        Q(**{f"{prefix}status": Meeting.Status.FINAL, f"{prefix}period_year": win.year})
        & Q(**{f"{prefix}date__gte": F(f"{prefix}month_start")})
        & _within_grace_q(win, months, "date", prefix)
        & _alive_q(prefix, org)
    )


def makeup_q(win: counting.Window, months: Iterable[int], *, prefix: str = "") -> Q:
    """counting.makeup_q on a kept row: finalised and dated after the month's grace ("sinh hoạt bù")."""
    months = list(months)
    if not months:
        return Q(pk__in=[])
    return Q(**{f"{prefix}status": Meeting.Status.FINAL, f"{prefix}period_year": win.year}) & _within_grace_q(
        win, months, "date", prefix, late=True
    )


def thematic_counted_q(
    win: counting.Window, months: Iterable[int], *, prefix: str = "", org: str = "organization__"
) -> Q:
    """A kept month whose thematic meeting counts (B2 under D6): its earliest finalised thematic meeting dated on or
    after the month's first day lies within the month's grace, in a month the cell existed."""
    months = list(months)
    if not months:
        return Q(pk__in=[])
    return (
        Q(**{f"{prefix}period_year": win.year, f"{prefix}thematic_date__isnull": False})
        & _within_grace_q(win, months, "thematic_date", prefix)
        & _alive_q(prefix, org)
    )


def per_cell(organizations: QuerySet[Organization], *, months: list[int], win: counting.Window) -> QuerySet:
    """meetings.counting.per_cell read from the kept summaries: the same annotations (required, held_due, held,
    not_required, drafts, makeup, rated, good, present, eligible, quarters_*), one row per organisation, from one
    summary row per cell and month instead of its meetings. The regular meeting's conditions are counting's own
    (`counted_q`, `makeup_q` apply to the summary's status / date of the regular meeting)."""
    year = win.year
    due = win.due(months)
    quarters = win.due_quarters(months)
    all_quarters = sorted({counting.quarter_of(m) for m in months if m % 3 == 0})
    span = sorted(set(months) | {m for q in quarters for m in counting.quarter_months(q)})
    rows = organizations.annotate(
        **{
            SUMMARIES: FilteredRelation(
                "month_summaries",
                condition=Q(month_summaries__period_year=year, month_summaries__period_month__in=span),
            )
        }
    )
    counted_regular = counted_q(win, months, prefix=_S, org="")
    annotations = {
        # The organisation's own figures wrapped in Max (one value per organisation): an aggregate stays out of
        # the GROUP BY, which is then the primary key alone (a plain annotation would add its CASE to the key).
        "required": Max(counting._ones([counting.alive_q(year, m) for m in due])),
        "not_required": Max(counting._ones([~counting.alive_q(year, m) for m in months])),
        "held_due": Count(SUMMARIES, filter=counted_q(win, due, prefix=_S, org="")),
        "held": Count(SUMMARIES, filter=counted_regular),
        "drafts": Count(SUMMARIES, filter=Q(**{f"{_S}status": Meeting.Status.DRAFT, f"{_S}period_month__in": months})),
        "makeup": Count(SUMMARIES, filter=makeup_q(win, months, prefix=_S)),
        "rated": Count(SUMMARIES, filter=counted_regular & ~Q(**{f"{_S}rating": ""})),
        "good": Count(SUMMARIES, filter=counted_regular & Q(**{f"{_S}rating": Meeting.Rating.GOOD})),
        "present": Sum(f"{_S}present_count", filter=counted_regular, default=0),
        "eligible": Sum(f"{_S}eligible_count", filter=counted_regular, default=0),
        "quarters_not_required": Max(
            counting._ones([~counting.alive_in_any_q(year, counting.quarter_months(q)) for q in all_quarters])
        ),
        "quarters_required": Max(
            counting._ones([counting.alive_in_any_q(year, counting.quarter_months(q)) for q in quarters])
        ),
    }
    for q in all_quarters:  # the due quarters are among them (a quarter is due when its last month is)
        annotations[f"t{q}"] = Count(
            SUMMARIES, filter=thematic_counted_q(win, counting.quarter_months(q), prefix=_S, org="")
        )
    rows = rows.annotate(**annotations)
    return rows.annotate(
        quarters_held=counting._ones(
            [Q(**{f"t{q}__gt": 0}) & counting.alive_in_any_q(year, counting.quarter_months(q)) for q in quarters]
        ),
        quarters_with_thematic=counting._ones([Q(**{f"t{q}__gt": 0}) for q in all_quarters]),
    )


def cells_behind(
    cells: QuerySet[Organization],
    *,
    year: int,
    months: list[int],
    kind: str = counting.REGULAR,
    complete: bool | None = None,
    today=None,
) -> QuerySet[Organization]:
    """meetings.counting.cells_behind over the kept summaries (same figure sets, FIGURE_SETS)."""
    win = counting.window(year, today)
    owing, complies = counting.FIGURE_SETS[kind]
    rows = per_cell(counting.cells_existing(cells, year, months), months=months, win=win).filter(owing)
    if complete is True:
        rows = rows.filter(complies)
    elif complete is False:
        rows = rows.filter(~complies)
    return rows


def totals(cells: QuerySet[Organization], *, year: int, months: list[int], today=None) -> counting.Totals:
    """meetings.counting.totals over the kept summaries. Two queries (parameters, figures)."""
    return counting.totals(cells, year=year, months=months, today=today, rows_per_cell=per_cell)
