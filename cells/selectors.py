"""Reads of the tree that depend on who is asking. Lists and counts go through cells.permissions."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, StrIndex, Substr

from cells import hooks
from cells.models import AuditEntry, Organization
from cells.permissions import VIEW, get_access, scope_filter
from cells.text import fold


@dataclass
class TreeRow:
    organization: Organization
    depth: int
    member_count: int = 0  # on the roll, whole subtree
    own_member_count: int = 0
    full_member_count: int = 0  # chính thức, this node only
    children: list["TreeRow"] = field(default_factory=list)
    descendant_count: int | None = None  # organisations below it (filled by children_overview only)


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
    counts = hooks.member_counts_by_organization(organization_filter=member_filter)

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


def breadcrumbs(*, user, organization: Organization) -> list[Organization]:
    """Ancestors the user may see, root first, then the node itself: one query."""

    ids = organization.ancestor_ids()
    ancestors = {o.pk: o for o in Organization.objects.filter(pk__in=ids).only("id", "name", "path")}
    access = get_access(user)
    chain = [ancestors[pk] for pk in ids if pk in ancestors and access.can_see(ancestors[pk])]
    return [*chain, organization]


def audit_history(target, *, limit: int, **filters) -> QuerySet[AuditEntry]:
    """The latest `limit` audit entries about `target` (the object log_action was given), newest first, with their
    actors; `filters` narrow them further."""
    return AuditEntry.objects.filter(
        target_type=target._meta.label_lower, target_id=target.pk, **filters
    ).select_related("actor", "organization")[:limit]
