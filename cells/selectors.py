"""Reads of the tree that depend on who is asking. Lists and counts go through cells.permissions."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

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
