"""Member lists for a user: every query goes through the access module's scope filter."""

import datetime
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import hooks
from cells.models import Organization
from cells.permissions import VIEW, scope_filter, sees_everything
from cells.selectors import TreeRow
from cells.text import fold
from members import counts as member_counts
from members.models import Member, MemberCount, Position
from members.services import _add_months

AGE_BANDS = {
    "u30": (None, 30),
    "30-45": (30, 45),
    "45-60": (45, 60),
    "60+": (60, None),
}


@dataclass
class MemberFilter:
    organization: Organization | None = None  # this node and its subtree
    statuses: tuple[str, ...] = ()
    gender: str = ""
    age_band: str = ""
    admission_year: int | None = None
    position: str = ""
    q: str = ""


def _birth_date_bounds(band: str, today: datetime.date) -> Q:
    low, high = AGE_BANDS[band]
    query = Q()
    if low is not None:  # at least `low` years old: born on or before today - low years
        query &= Q(date_of_birth__lte=_add_months(today, -12 * low))
    if high is not None:  # younger than `high`: born after today - high years
        query &= Q(date_of_birth__gt=_add_months(today, -12 * high))
    return query


def member_search_query(q: str) -> Q:
    """Accent-insensitive: every folded word must appear in the folded name or card number."""
    query = Q()
    for word in fold(q).split()[:8]:
        query &= Q(search_text__contains=word)
    return query


def member_list(*, user, filters: MemberFilter, action: str = VIEW) -> QuerySet[Member]:
    members = Member.objects.all()
    # The scope's and the node's path predicates, unless they select every member there is (staff at the one root
    # of the tree): then they would only join every organisation to the matches (cells.permissions.sees_everything).
    whole = sees_everything(user, under=filters.organization, action=action)
    if not whole:
        members = members.filter(scope_filter(user, prefix="organization__", action=action))
        if filters.organization is not None:
            members = members.filter(organization__path__startswith=filters.organization.path)
    if filters.statuses:
        members = members.filter(status__in=filters.statuses)
    if filters.gender:
        members = members.filter(gender=filters.gender)
    if filters.age_band in AGE_BANDS:
        members = members.filter(_birth_date_bounds(filters.age_band, timezone.localdate()))
    if filters.admission_year:
        members = members.filter(admitted_on__year=filters.admission_year)
    if filters.position:
        members = members.filter(
            pk__in=Position.objects.filter(role=filters.position, ended_on__isnull=True).values("member_id")
        )
    if filters.q:
        members = members.filter(member_search_query(filters.q))
    return members.select_related("organization__parent").order_by("sort_key", "id")


def status_counts(members: QuerySet[Member]) -> dict[str, int]:
    """Counts per status for the current filter, in one grouped query."""
    rows = members.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# Beyond this many matching members the list says "more than 10,000" instead of counting them all (like the
# admin's show_full_result_count=False): counting every match of a common name in a merged province costs more
# than the page itself.
COUNT_BOUND = 10_000


@dataclass
class ListCounts:
    total: int  # exact, or COUNT_BOUND when `exact` is False
    exact: bool
    by_status: dict[str, int]  # empty when not exact


def _only_by_node_and_status(filters: MemberFilter) -> bool:
    return not (filters.gender or filters.age_band or filters.admission_year or filters.position or filters.q)


def list_counts(*, user, filters: MemberFilter, members: QuerySet[Member], bound: int | None = None) -> ListCounts:
    """How many members the list shows, by status.

    Filtered by node and status only: from the kept counts (members.counts, one row per node, exact at any size).
    Otherwise: the matches are counted up to `bound` (one query reading at most bound + 1 index entries), and by
    status only when there are no more than that (a second query)."""
    if _only_by_node_and_status(filters):
        by_status = member_counts.subtree_counts(user=user, root=filters.organization)
        if filters.statuses:
            by_status = {status: n for status, n in by_status.items() if status in filters.statuses}
        by_status = {status: n for status, n in by_status.items() if n}
        return ListCounts(total=sum(by_status.values()), exact=True, by_status=by_status)
    bound = COUNT_BOUND if bound is None else bound
    by_status = bounded_status_counts(members, bound + 1)
    matches = sum(by_status.values())
    if matches > bound:
        return ListCounts(total=bound, exact=False, by_status={})
    return ListCounts(total=matches, exact=True, by_status=by_status)


def bounded_status_counts(members: QuerySet[Member], limit: int) -> dict[str, int]:
    """Counts per status of at most `limit` of the members (all of them when there are fewer): one query that
    reads at most `limit` matches, grouped outside the LIMIT (Django's ORM cannot group a sliced queryset)."""
    inner, params = members.order_by().values("status")[:limit].query.sql_with_params()
    with connections[members.db].cursor() as cursor:
        cursor.execute(f"SELECT status, COUNT(*) FROM ({inner}) AS matches GROUP BY status", params)
        return dict(cursor.fetchall())


@dataclass
class ProbationAlert:
    member: Member
    due_on: datetime.date
    overdue: bool


def probation_alerts(*, user, organization: Organization | None = None, limit: int = 50) -> list[ProbationAlert]:
    """Rule B18: probationary members whose 12 months end soon (within the alert window) or have ended
    without a decision. Months and window come from the parameters in force today."""
    today = timezone.localdate()
    params = hooks.parameters_on(today)
    months, window = params["probation_months"], params["probation_alert_days"]
    cutoff = _add_months(today + datetime.timedelta(days=window), -months)
    members = Member.objects.filter(
        scope_filter(user, prefix="organization__", action=VIEW),
        status=Member.Status.PROBATIONARY,
        admitted_on__lte=cutoff,
    )
    if organization is not None:
        members = members.filter(organization__path__startswith=organization.path)
    alerts = []
    for member in members.select_related("organization").order_by("admitted_on", "id")[:limit]:
        due_on = _add_months(member.admitted_on, months)
        alerts.append(ProbationAlert(member=member, due_on=due_on, overdue=due_on < today))
    return alerts


#
# The tree's member figures (provided to cells through cells.hooks, see members/apps.py)
#


def _on_roll_sum(organization_filter: Q | None = None) -> Sum:
    """SQL sum of the kept counts' on-roll columns (members.counts), optionally for some rows only."""
    total = None
    for status in Member.ON_ROLL:
        column = F(MemberCount.COLUMNS[status])
        total = column if total is None else total + column
    return Sum(total, filter=organization_filter)


def member_counts_by_organization(*, organization_filter: Q) -> dict[int, dict[str, int]]:
    """Members on the roll per node, from the kept counts (members.counts): one query over one row per node,
    {org_id: {"all": n, "full": n}} for the nodes with members on the roll."""
    rows = MemberCount.objects.filter(organization_filter).values_list("organization_id", *MemberCount.COLUMNS.values())
    result = {}
    for org_id, *figures in rows:
        by_status = dict(zip(MemberCount.COLUMNS, figures, strict=True))
        everyone = member_counts.on_roll(by_status)
        if everyone:
            result[org_id] = {"all": everyone, "full": by_status[Member.Status.FULL]}
    return result


def fill_member_counts(
    top: TreeRow, rows: list[TreeRow], *, user, include_dissolved: bool = False, with_total: bool = True
) -> None:
    """Members on the roll of `top`'s whole subtree (unless `with_total` is False: the top is left at None) and of
    each row's subtree (rows: children of top, all of them or a page), read from the kept counts (members.counts:
    one row per node, not every member). Two queries."""
    root = top.organization
    if with_total:
        kept = member_counts.visible_counts(user=user, include_dissolved=include_dissolved).filter(
            organization__path__startswith=root.path
        )
        own = Q(organization=root)
        totals = kept.aggregate(
            all=_on_roll_sum(),
            own=_on_roll_sum(own),
            own_full=Sum("full", filter=own),
        )
        top.member_count = totals["all"] or 0
        top.own_member_count, top.full_member_count = totals["own"] or 0, totals["own_full"] or 0
    else:
        top.member_count = None
    by_id = {row.organization.pk: row for row in rows}
    if not by_id:
        return
    for child_id, figures in member_counts.counts_by_child(
        user=user, root=root, child_ids=list(by_id), include_dissolved=include_dissolved
    ).items():
        row = by_id[child_id]
        row.member_count = member_counts.on_roll(figures)
        if row.organization.is_cell:
            row.own_member_count, row.full_member_count = row.member_count, figures[Member.Status.FULL]


@dataclass
class StructureWarning:
    code: str
    message: str


def structure_warnings(*, organization: Organization) -> list[StructureWarning]:
    """Rule B19 for one node, with thresholds from the parameter set in force today."""
    if not organization.is_active:
        return []
    params = hooks.parameters_on()
    warnings: list[StructureWarning] = []
    subtree = Member.objects.filter(organization__path__startswith=organization.path, status__in=Member.ON_ROLL)
    counts = subtree.aggregate(
        total=Count("id"),
        own_full=Count("id", filter=Q(organization=organization, status=Member.Status.FULL)),
    )
    total, own_full = counts["total"], counts["own_full"]
    if organization.is_cell:
        minimum = params["min_full_members_per_cell"]
        if own_full < minimum:
            warnings.append(
                StructureWarning(
                    "B19_FEW_FULL_MEMBERS",
                    _("Only %(count)s full members: a party cell needs at least %(min)s.")
                    % {"count": own_full, "min": minimum},
                )
            )
        chi_uy_from = params["chi_uy_required_from_full_members"]
        # Asked for every cell, not only large ones, so the page's query count does not depend on the data.
        has_committee = Position.objects.filter(
            organization=organization,
            role=Position.Role.COMMITTEE_MEMBER,
            ended_on__isnull=True,
        ).exists()
        if own_full >= chi_uy_from:
            if not has_committee:
                warnings.append(
                    StructureWarning(
                        "B19_NO_CHI_UY",
                        _("%(count)s full members (%(min)s or more) but no cell committee has been recorded.")
                        % {"count": own_full, "min": chi_uy_from},
                    )
                )
    if organization.kind == Organization.Kind.GRASSROOTS_CELL:
        maximum = params["grassroots_cell_max_members"]
        if total >= maximum:
            warnings.append(
                StructureWarning(
                    "B19_CELL_TOO_LARGE",
                    _(
                        "%(count)s members: a grassroots cell with %(max)s or more members needs the upper committee's approval."
                    )
                    % {"count": total, "max": maximum},
                )
            )
    if organization.kind == Organization.Kind.GRASSROOTS_COMMITTEE:
        minimum = params["grassroots_committee_min_members"]
        if total < minimum:
            warnings.append(
                StructureWarning(
                    "B19_COMMITTEE_TOO_SMALL",
                    _(
                        "%(count)s members: a grassroots party committee with fewer than %(min)s members needs the upper committee's approval."
                    )
                    % {"count": total, "min": minimum},
                )
            )
    return warnings


#
# A member's probation (B18) and the suspensions within it (decision D1)
#


@dataclass
class Suspension:
    start: datetime.date
    end: datetime.date | None  # None: still suspended


@dataclass
class Probation:
    due_on: datetime.date
    months: int
    suspensions: list[Suspension]


def probation_of(member: Member, timeline: list) -> Probation | None:
    """For a member still in probation (probationary, or suspended while probationary): the end of the probation
    (admission + the months in force today, as the B18 alerts count it) and the suspensions recorded during it.
    D1: whether a suspension pauses the probation is not known, so the deadline is NOT moved; the page shows both
    dates beside it. `timeline`: the member's status changes in date order (already read by the page)."""
    if not member.admitted_on or member.official_on:
        return None
    suspensions = []
    for index, change in enumerate(timeline):
        if change.status == Member.Status.SUSPENDED and change.previous_status == Member.Status.PROBATIONARY:
            following = timeline[index + 1] if index + 1 < len(timeline) else None
            suspensions.append(Suspension(start=change.effective_on, end=following.effective_on if following else None))
    in_probation = member.status == Member.Status.PROBATIONARY or (
        member.status == Member.Status.SUSPENDED and suspensions and suspensions[-1].end is None
    )
    if not in_probation:
        return None
    months = hooks.parameters_on()["probation_months"]
    return Probation(due_on=_add_months(member.admitted_on, months), months=months, suspensions=suspensions)
