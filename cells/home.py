"""What each person should see first: their scope at a glance and what to do next."""

from django.db.models import Count, Q

from cells.models import Organization, RoleAssignment
from cells.permissions import VIEW, get_access, scope_filter

Role = RoleAssignment.Role


def home_context(user) -> dict:
    from members.models import Member

    access = get_access(user)
    context: dict = {"access": access, "role": access.primary_role}
    if access.member_id:
        context["own_member"] = Member.objects.select_related("organization").get(pk=access.member_id)
    if not access.has_tree_access:
        return context
    orgs = Organization.objects.filter(scope_filter(user, action=VIEW), dissolved_on__isnull=True)
    by_kind = dict(orgs.values_list("kind").annotate(n=Count("id")).order_by())
    members = Member.objects.filter(scope_filter(user, prefix="organization__", action=VIEW))
    member_counts = members.aggregate(
        on_roll=Count("id", filter=Q(status__in=Member.ON_ROLL)),
        full=Count("id", filter=Q(status=Member.Status.FULL)),
        probationary=Count("id", filter=Q(status=Member.Status.PROBATIONARY)),
    )
    kinds = [(Organization.Kind(kind).label, by_kind.get(kind, 0)) for kind in Organization.Kind.values]
    # Cells with too few full members (rule B19) — the most common structural issue, counted in one query.
    from criteria.selectors import parameters_on

    minimum = parameters_on()["min_full_members_per_cell"]
    # Cells are small unless they appear among the organisations with enough full members, which are found by
    # one grouped pass over the full members (rather than a join of every member with every cell); read once
    # for both the list and its length. The few small cells then get their own count.
    enough = (
        Member.objects.filter(status=Member.Status.FULL)
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=minimum)
        .values("organization_id")
    )
    small_cells = list(
        orgs.filter(kind__in=Organization.CELL_KINDS).exclude(pk__in=enough).order_by("name", "pk").values("pk", "name")
    )
    shown = small_cells[:10]
    full = dict(
        Member.objects.filter(organization__in=[cell["pk"] for cell in shown], status=Member.Status.FULL)
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values_list("organization", "n")
    )
    for cell in shown:
        cell["full"] = full.get(cell["pk"], 0)
    # Dashboard for those who oversee a subtree: this month's meetings and the year's review.
    if access.primary_role in (Role.STAFF, Role.LEADER, Role.GRASSROOTS) or access.is_superuser:
        from django.utils import timezone

        from cells import meeting_selectors
        from cells.permissions import default_root
        from evaluations.dashboard import dashboard

        root = default_root(user)
        if root is not None:
            today = timezone.localdate()
            last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
            context["dashboard_root"] = root
            context["meeting_kpis"] = meeting_selectors.kpis(
                user=user, root=root, period=meeting_selectors.Period(year=last_month[0], month=last_month[1])
            )
            context["board"] = dashboard(user=user, root=root, year=today.year)
    context.update(
        {
            "scopes": [g for g in access.grants],
            "kinds": kinds,
            "member_counts": member_counts,
            "small_cells": shown,
            "small_cells_count": len(small_cells),
            "min_full_members": minimum,
        }
    )
    return context
