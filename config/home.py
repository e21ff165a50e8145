"""The home page: what each person should see first, their scope at a glance and what to do next.

It gathers figures from every layer (the tree, members, meetings, the yearly review), so it lives in config,
above all of them."""

from django.db.models import Count, Q, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from cells import figcache
from cells.hooks import parameters_on
from cells.models import Organization, RoleAssignment
from cells.names import with_parent_name
from cells.permissions import VIEW, default_root, get_access, scope_filter
from evaluations.dashboard.selectors import dashboard
from meetings import counting
from meetings import selectors as meeting_selectors
from meetings.models import Meeting
from members import counts as member_counts
from members.models import Member

Role = RoleAssignment.Role


def _month_cards(grants, today) -> list[dict]:
    """For a secretary's cells: this month's regular meeting as the month card says it (logged and finalised /
    draft / not logged, with D6's deadline while the month is not yet due), and last month's too while its grace
    runs and it is not counted. Each links to the existing meeting, or to the form when there is none."""
    cell_ids = [grant.organization_id for grant in grants if grant.role == Role.SECRETARY]
    if not cell_ids:
        return []
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    cells = Organization.objects.in_bulk(cell_ids)
    meetings = {
        (m.organization_id, m.period_year, m.period_month): m
        for m in Meeting.objects.filter(organization_id__in=cell_ids, kind__in=Meeting.REGULAR_KINDS).filter(
            Q(period_year=today.year, period_month=today.month) | Q(period_year=last[0], period_month=last[1])
        )
    }
    windows = {year: counting.window(year, today) for year in {today.year, last[0]}}
    cards = []
    for cell_id in cell_ids:
        cell = cells.get(cell_id)
        if cell is None or not cell.is_cell or not cell.is_active:
            continue
        for year, month in (last, (today.year, today.month)):  # the one due first, first
            win = windows[year]
            meeting = meetings.get((cell_id, year, month))
            state = counting.month_state(cell, month, meeting, win)
            if (year, month) == last and (state in (counting.COUNTED, counting.NOT_REQUIRED) or win.is_due(month)):
                continue  # last month is over: the compliance pages say it
            cards.append(
                {
                    "cell": cell,
                    "year": year,
                    "month": month,
                    "meeting": meeting,
                    "state": "final" if meeting and meeting.is_final else ("draft" if meeting else "missing"),
                    "counted": state == counting.COUNTED,
                    "due": None if win.is_due(month) else win.deadlines[month],
                }
            )
    return cards


def home_context(user) -> dict:
    access = get_access(user)
    context: dict = {"access": access, "role": access.primary_role}
    if access.member_id:
        context["own_member"] = Member.objects.select_related("organization__parent").get(pk=access.member_id)
    if not access.has_tree_access:
        return context
    visible = Organization.objects.filter(scope_filter(user, action=VIEW))
    orgs = visible.filter(dissolved_on__isnull=True)
    # One read of the visible organisations: how many standing ones of each kind, and the member figures from
    # their kept counts (members.counts: one row per organisation, dissolved ones included, not every member of a
    # merged province). The cells with too few full members (rule B19) are found in the database, and only the
    # first ten of them are read.
    minimum = parameters_on()["min_full_members_per_cell"]

    def scope_figures() -> tuple[dict, list[dict]]:
        tree = visible.aggregate(
            **{
                f"kind_{kind}": Count("pk", filter=Q(kind=kind, dissolved_on__isnull=True))
                for kind in Organization.Kind.values
            },
            **member_counts.organization_sums(),
        )
        # "Fewer than the minimum" on the kept column itself (a cell without a kept row has no member), not on a
        # COALESCE of it, which the planner cannot estimate: it would then sort every cell by name to find ten.
        few = Q(member_count_row__full__lt=minimum)
        if minimum > 0:
            few |= Q(member_count_row__isnull=True)
        small = orgs.filter(few, kind__in=Organization.CELL_KINDS).annotate(full=Coalesce("member_count_row__full", 0))
        # Their number comes with the first ten (a count over the rows kept by the filter, before the limit): one
        # read of the bloc's cells instead of two.
        shown = list(
            with_parent_name(small)
            .annotate(matching=Window(Count("pk")))
            .order_by("name", "parent__name", "pk")[:10]
            .values("pk", "name", "depth", "parent_name", "full", "matching")
        )
        return tree, shown

    # A scope that is one subtree shares its figures with everyone who sees that subtree, from the cache while
    # nothing under it changed (cells/figcache.py).
    tops = access.top_paths(VIEW)
    scope_root = default_root(user) if len(tops) == 1 and not access.is_superuser else None
    if scope_root is not None:
        tree, shown = figcache.remember(
            "home.scope", user=user, root=scope_root, parts=(minimum,), compute=scope_figures
        )
    else:
        tree, shown = scope_figures()
    shown = [dict(row) for row in shown]  # the cached rows stay as they were
    kinds = [(Organization.Kind(kind).label, tree[f"kind_{kind}"]) for kind in Organization.Kind.values]
    figures = member_counts.as_statuses(tree)
    counts = {
        "on_roll": member_counts.on_roll(figures),
        "full": figures[Member.Status.FULL],
        "probationary": figures[Member.Status.PROBATIONARY],
    }
    small_cells_count = shown[0]["matching"] if shown else 0
    for row in shown:
        del row["matching"]
    # Dashboard for those who oversee a subtree: this month's meetings and the year's review.
    if access.primary_role in (Role.STAFF, Role.LEADER, Role.GRASSROOTS) or access.is_superuser:
        root = scope_root or default_root(user)
        if root is not None:
            today = timezone.localdate()
            last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
            context["dashboard_root"] = root
            context["meeting_kpis"] = meeting_selectors.kpis(
                user=user, root=root, period=meeting_selectors.Period(year=last_month[0], month=last_month[1])
            )
            # The member figures above are over the user's whole scope: when that scope is root's subtree, they
            # are the board's population too, and are not read twice.
            same_scope = not access.is_superuser and access.top_paths(VIEW) == [root.path]
            context["board"] = dashboard(
                user=user,
                root=root,
                year=today.year,
                with_quota=False,
                with_meetings=False,
                member_figures=figures if same_scope else None,
            )
    context.update(
        {
            "month_cards": _month_cards(access.grants, timezone.localdate()),
            "scopes": [g for g in access.grants],
            "kinds": kinds,
            "member_counts": counts,
            "small_cells": shown,
            "small_cells_count": small_cells_count,
            "min_full_members": minimum,
        }
    )
    return context
