"""Member lists for a user: every query goes through the access module's scope filter."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cells.models import Organization
from cells.permissions import VIEW, scope_filter
from cells.text import fold
from members.models import Member, Position

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
    from members.services import _add_months  # month arithmetic that is safe on 29 February

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
    members = Member.objects.filter(scope_filter(user, prefix="organization__", action=action))
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
    return members.select_related("organization").order_by("sort_key", "id")


def status_counts(members: QuerySet[Member]) -> dict[str, int]:
    """Counts per status for the current filter, in one grouped query."""
    rows = members.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


@dataclass
class ProbationAlert:
    member: Member
    due_on: datetime.date
    overdue: bool


def probation_alerts(*, user, organization: Organization | None = None, limit: int = 50) -> list[ProbationAlert]:
    """Rule B18: probationary members whose 12 months end soon (within the alert window) or have ended
    without a decision. Months and window come from the parameters in force today."""
    from criteria.selectors import parameters_on
    from members.services import _add_months

    today = timezone.localdate()
    params = parameters_on(today)
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
