"""Reads of the tree that depend on who is asking. Lists and counts go through cells.permissions."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, StrIndex, Substr

from cells.models import Organization
from cells.permissions import VIEW, scope_filter
from cells.text import fold
from criteria.selectors import parameters_on


@dataclass
class TreeRow:
    organization: Organization
    depth: int
    member_count: int = 0  # on the roll, whole subtree
    own_member_count: int = 0
    full_member_count: int = 0  # chính thức, this node only
    children: list["TreeRow"] = field(default_factory=list)
    descendant_count: int | None = None  # organisations below it (filled by children_overview only)


def member_counts_by_organization(*, organization_filter: Q) -> dict[int, dict[str, int]]:
    """Members on the roll per node: one aggregate query, {org_id: {"all": n, "full": n}}."""
    from members.models import Member

    rows = (
        Member.objects.filter(status__in=Member.ON_ROLL)
        .filter(organization_filter)
        .values("organization_id")
        .annotate(all=Count("id"), full=Count("id", filter=Q(status=Member.Status.FULL)))
    )
    return {row["organization_id"]: {"all": row["all"], "full": row["full"]} for row in rows}


def child_segment(root: Organization, path_field: str = "path"):
    """SQL for the id (as text) of the child of `root` whose subtree holds a row: the first segment of the
    row's path after root's path ("/1/7/42/" under "/1/" gives "7"; root itself gives ""). Portable SQL
    (substr and instr/strpos), so that per-child totals of a big subtree are counted in the database."""
    rest = Substr(path_field, len(root.path) + 1)
    # Greatest(..., 0): root's own row gives "" (a negative length is an error on PostgreSQL, which may compute
    # the expression before the condition that leaves root out).
    return Substr(rest, 1, Greatest(StrIndex(rest, Value("/")) - 1, Value(0)))


TREE_FIELDS = ("id", "name", "code", "kind", "unit_type", "parent_id", "path", "depth", "dissolved_on")


def child_nodes(*, user, root: Organization, include_dissolved: bool = False) -> QuerySet[Organization]:
    """The visible direct children of `root`, upper committees first, then by name (accents folded), ordered
    in the database so that a page of them is read without the others."""
    nodes = Organization.objects.filter(scope_filter(user, action=VIEW)).filter(parent=root)
    if not include_dissolved:
        nodes = nodes.filter(dissolved_on__isnull=True)
    upper_first = Case(When(kind=Organization.Kind.UPPER, then=Value(0)), default=Value(1))
    return nodes.only(*TREE_FIELDS).order_by(upper_first, "search_text", "pk")


def children_overview(
    *, user, root: Organization, children, include_dissolved: bool = False
) -> tuple[TreeRow, list[TreeRow]]:
    """`root` and the given children of it (all of `child_nodes`, or a page of them), each with the number of
    organisations below it, counted in the database for those children only. Member counts are filled by
    `fill_member_counts`. One query."""
    rows = [TreeRow(organization=node, depth=1) for node in children]
    by_id = {str(row.organization.pk): row for row in rows}
    top = TreeRow(organization=root, depth=0)
    if not by_id:
        return top, rows
    below = Organization.objects.filter(scope_filter(user, action=VIEW)).filter(path__startswith=root.path)
    if not include_dissolved:
        below = below.filter(dissolved_on__isnull=True)
    for owner, number in (
        below.exclude(pk=root.pk)
        .annotate(owner=child_segment(root))
        .filter(owner__in=list(by_id))
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("owner", "n")
    ):
        by_id[owner].descendant_count = number - 1
    return top, rows


def fill_member_counts(
    top: TreeRow, rows: list[TreeRow], *, user, include_dissolved: bool = False, with_total: bool = True
) -> None:
    """Members on the roll of `top`'s whole subtree (unless `with_total` is False: the top of a very big tree
    is left at None rather than read every member) and of each row's subtree (rows: children of top, all of
    them or a page; only the members of their own subtrees are read, by organisation). Three queries."""
    from members.models import Member

    root = top.organization
    on_roll = Member.objects.filter(scope_filter(user, prefix="organization__", action=VIEW)).filter(
        status__in=Member.ON_ROLL
    )
    if not include_dissolved:
        on_roll = on_roll.filter(organization__dissolved_on__isnull=True)
    if with_total:
        totals = on_roll.filter(organization__path__startswith=root.path).aggregate(
            all=Count("pk"),
            full=Count("pk", filter=Q(status=Member.Status.FULL)),
            own=Count("pk", filter=Q(organization=root)),
            own_full=Count("pk", filter=Q(organization=root, status=Member.Status.FULL)),
        )
        top.member_count = totals["all"]
        top.own_member_count, top.full_member_count = totals["own"], totals["own_full"]
    else:
        top.member_count = None
    by_id = {str(row.organization.pk): row for row in rows}
    if not by_id:
        return
    # The ids first (a few hundred), so that the members are then read through the organisation index.
    under_rows = list(
        Organization.objects.filter(scope_filter(user, action=VIEW))
        .filter(path__startswith=root.path)
        .exclude(pk=root.pk)
        .annotate(owner=child_segment(root))
        .filter(owner__in=list(by_id))
        .values_list("pk", flat=True)
    )
    for owner, everyone, full in (
        on_roll.filter(organization__in=under_rows)
        .annotate(owner=child_segment(root, "organization__path"))
        .order_by()
        .values("owner")
        .annotate(all=Count("pk"), full=Count("pk", filter=Q(status=Member.Status.FULL)))
        .values_list("owner", "all", "full")
    ):
        row = by_id[owner]
        row.member_count = everyone
        if row.organization.is_cell:
            row.own_member_count, row.full_member_count = everyone, full


def organization_tree(*, user, root: Organization | None = None, include_dissolved: bool = False) -> list[TreeRow]:
    """Every visible node (optionally only below `root`) in tree order, with subtree member counts.

    Two queries whatever the size: the nodes, and one grouped count of members.
    """
    nodes = Organization.objects.filter(scope_filter(user, action=VIEW))
    if root is not None:
        nodes = nodes.filter(path__startswith=root.path)
    if not include_dissolved:
        nodes = nodes.filter(dissolved_on__isnull=True)
    nodes = list(nodes.only("id", "name", "code", "kind", "unit_type", "parent_id", "path", "depth", "dissolved_on"))
    member_filter = scope_filter(user, prefix="organization__", action=VIEW)
    if root is not None:
        member_filter &= Q(organization__path__startswith=root.path)
    counts = member_counts_by_organization(organization_filter=member_filter)

    rows = {node.pk: TreeRow(organization=node, depth=node.depth) for node in nodes}
    roots: list[TreeRow] = []
    for row in rows.values():
        own = counts.get(row.organization.pk, {"all": 0, "full": 0})
        row.own_member_count = own["all"]
        row.full_member_count = own["full"]
        parent = rows.get(row.organization.parent_id)
        if parent is None:
            roots.append(row)
        else:
            parent.children.append(row)

    ordered: list[TreeRow] = []

    def walk(row: TreeRow) -> int:
        ordered.append(row)
        row.children.sort(key=lambda r: (r.organization.kind != Organization.Kind.UPPER, fold(r.organization.name)))
        total = row.own_member_count
        for child in row.children:
            total += walk(child)
        row.member_count = total
        return total

    roots.sort(key=lambda r: fold(r.organization.name))
    for row in roots:
        walk(row)
    base_depth = min((row.depth for row in ordered), default=0)
    for row in ordered:
        row.depth -= base_depth
    return ordered


def tree_tops(*, user) -> list[Organization]:
    """The topmost organisations the user sees: the roots of their grants (nested grants collapse), or the
    roots of the tree for a superuser without grants."""
    from cells.permissions import get_access

    access = get_access(user)
    ids = [int(path.strip("/").split("/")[-1]) for path in access.top_paths(VIEW)]
    if ids:
        return list(Organization.objects.filter(pk__in=ids).order_by("path"))
    if access.is_superuser:
        return list(Organization.objects.filter(parent__isnull=True).order_by("path"))
    return []


def tree_search_in_database(*, user, query: str, include_dissolved: bool, limit: int) -> tuple[list[TreeRow], bool]:
    """For a tree too big to load whole: the first `limit` organisations whose name, code or host unit match
    (accents ignored, in the database), with their ancestors for context, in tree order. Member counts are
    left out (None). Returns the rows and whether more matched than `limit`. Two queries."""
    needle = fold(query)
    visible = Organization.objects.filter(scope_filter(user, action=VIEW))
    if not include_dissolved:
        visible = visible.filter(dissolved_on__isnull=True)
    fields = ("id", "name", "code", "kind", "unit_type", "parent_id", "path", "depth", "dissolved_on")
    matches = list(visible.filter(search_text__contains=needle).only(*fields).order_by("path")[: limit + 1])
    more = len(matches) > limit
    matches = matches[:limit]
    ancestor_ids = {pk for node in matches for pk in node.ancestor_ids()} - {node.pk for node in matches}
    nodes = matches + list(visible.filter(pk__in=ancestor_ids).only(*fields))
    nodes.sort(key=lambda node: [int(part) for part in node.path.strip("/").split("/")])
    base = min((node.depth for node in nodes), default=0)
    return [TreeRow(organization=node, depth=node.depth - base, member_count=None) for node in nodes], more


def tree_search(rows: list[TreeRow], query: str) -> list[TreeRow]:
    """Keep rows whose name, code or host unit matches (accents ignored), plus their ancestors for context."""
    needle = fold(query)
    if not needle:
        return rows
    by_id = {row.organization.pk: row for row in rows}
    keep: set[int] = set()
    for row in rows:
        org = row.organization
        if needle in fold(f"{org.name} {org.code}"):
            keep.add(org.pk)
            keep.update(pk for pk in org.ancestor_ids() if pk in by_id)
    return [row for row in rows if row.organization.pk in keep]


@dataclass
class StructureWarning:
    code: str
    message: str


def structure_warnings(*, organization: Organization) -> list[StructureWarning]:
    """Rule B19 for one node, with thresholds from the parameter set in force today."""
    from django.utils.translation import gettext as _

    from members.models import Member, Position

    if not organization.is_active:
        return []
    params = parameters_on()
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


def breadcrumbs(*, user, organization: Organization) -> list[Organization]:
    """Ancestors the user may see, root first, then the node itself: one query."""
    from cells.permissions import get_access

    ids = organization.ancestor_ids()
    ancestors = {o.pk: o for o in Organization.objects.filter(pk__in=ids).only("id", "name", "path")}
    access = get_access(user)
    chain = [ancestors[pk] for pk in ids if pk in ancestors and access.can_see(ancestors[pk])]
    return [*chain, organization]
