"""The one access module: what a user may see and do, and where.

Rules:
- A role assignment covers its node and every node below it (its subtree).
- Outside every subtree the user holds a role in, a node does not exist for them: Http404.
- Inside, an action their roles do not grant is refused: PermissionDenied (403).
- A member without a role sees only their own record.
Every list or count of tree-scoped rows in views goes through `scope_filter()` / `organizations_visible_to()`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cells import hooks
from cells.models import Organization, RoleAssignment

Role = RoleAssignment.Role

VIEW = "view"  # see nodes, members and meetings in the subtree
VIEW_SENSITIVE = "view_sensitive"  # phone numbers and other personal data
EDIT_MEMBERS = "edit_members"
LOG_MEETINGS = "log_meetings"
REOPEN_MEETINGS = "reopen_meetings"
SELF_ASSESS = "self_assess"  # step 1 of the yearly evaluation
APPRAISE = "appraise"  # step 2
DECIDE = "decide"  # step 3
REPORTS = "reports"  # request and download PDF reports
MANAGE_TREE = "manage_tree"  # create, rename, move, dissolve, merge nodes
MANAGE_ROLES = "manage_roles"  # grant and revoke roles in the subtree

ACTIONS = (
    VIEW,
    VIEW_SENSITIVE,
    EDIT_MEMBERS,
    LOG_MEETINGS,
    REOPEN_MEETINGS,
    SELF_ASSESS,
    APPRAISE,
    DECIDE,
    REPORTS,
    MANAGE_TREE,
    MANAGE_ROLES,
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.STAFF: frozenset(ACTIONS),
    Role.LEADER: frozenset({VIEW, REPORTS}),
    Role.GRASSROOTS: frozenset(
        {VIEW, VIEW_SENSITIVE, EDIT_MEMBERS, LOG_MEETINGS, REOPEN_MEETINGS, SELF_ASSESS, APPRAISE, REPORTS}
    ),
    Role.SECRETARY: frozenset({VIEW, VIEW_SENSITIVE, EDIT_MEMBERS, LOG_MEETINGS, SELF_ASSESS}),
}

# The node kinds each role may be granted at.
ROLE_NODE_KINDS: dict[str, tuple[str, ...]] = {
    Role.STAFF: tuple(Organization.Kind.values),
    Role.LEADER: tuple(Organization.Kind.values),
    Role.GRASSROOTS: (
        Organization.Kind.GRASSROOTS_COMMITTEE,
        Organization.Kind.GRASSROOTS_CELL,
        Organization.Kind.SUB_COMMITTEE,
    ),
    Role.SECRETARY: Organization.CELL_KINDS,
}

# Roles through which the committee above a node appraises it and confirms its meeting scores.
UPPER_ROLES = (Role.STAFF, Role.GRASSROOTS)

# Strongest first: the home page shows the strongest role's view.
ROLE_ORDER = (Role.STAFF, Role.LEADER, Role.GRASSROOTS, Role.SECRETARY)


@dataclass
class Grant:
    role: str
    organization_id: int
    path: str
    organization_name: str
    # What cells.names needs to name the organisation in context ("Chi bộ Văn phòng · Đảng bộ Sở Y tế").
    organization_depth: int = 0
    organization_parent_name: str = ""

    @property
    def organization_in_context(self) -> dict:
        """The organisation for the `org_name` / `org_label` filters (cells/names.py)."""
        return {
            "name": self.organization_name,
            "depth": self.organization_depth,
            "parent_name": self.organization_parent_name,
        }

    @property
    def role_label(self) -> str:
        return RoleAssignment.Role(self.role).label


@dataclass
class Access:
    """A user's grants, loaded once per request (one query) and checked in memory afterwards."""

    is_superuser: bool = False
    grants: list[Grant] = field(default_factory=list)
    member_id: int | None = None

    @property
    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    @property
    def primary_role(self) -> str | None:
        for role in ROLE_ORDER:
            if role in self.roles:
                return role
        return None

    @property
    def has_tree_access(self) -> bool:
        return self.is_superuser or bool(self.grants)

    def covering(self, organization: Organization) -> list[Grant]:
        return [grant for grant in self.grants if organization.path.startswith(grant.path)]

    def can_see(self, organization: Organization) -> bool:
        return self.is_superuser or bool(self.covering(organization))

    def can(self, action: str, organization: Organization) -> bool:
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if self.is_superuser:
            return True
        return any(action in ROLE_ACTIONS[grant.role] for grant in self.covering(organization))

    def can_anywhere(self, action: str) -> bool:
        return self.is_superuser or any(action in ROLE_ACTIONS[grant.role] for grant in self.grants)

    @property
    def can_report(self) -> bool:
        return self.can_anywhere(REPORTS)

    @property
    def can_manage_tree(self) -> bool:
        """Committee staff somewhere: the bloc-wide reference data (criteria sets, holiday calendar) is theirs."""
        return self.can_anywhere(MANAGE_TREE)

    def top_paths(self, action: str = VIEW) -> list[str]:
        """The minimal set of subtree roots where `action` is granted (nested grants collapse)."""
        paths = sorted({g.path for g in self.grants if action in ROLE_ACTIONS[g.role]}, key=len)
        tops: list[str] = []
        for path in paths:
            if not any(path.startswith(top) for top in tops):
                tops.append(path)
        return tops


def get_access(user) -> Access:
    """The user's Access, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return Access()
    cached = getattr(user, "_chibo_access", None)
    if cached is not None:
        return cached
    grants = [
        Grant(
            role=a.role,
            organization_id=a.organization_id,
            path=a.organization.path,
            organization_name=a.organization.name,
            organization_depth=a.organization.depth,
            organization_parent_name=a.organization.parent.name if a.organization.parent_id else "",
        )
        for a in RoleAssignment.objects.filter(user=user)
        .select_related("organization__parent")
        .order_by("organization__path")
    ]
    member_id = hooks.member_id_for_user(user)
    access = Access(is_superuser=user.is_superuser, grants=grants, member_id=member_id)
    user._chibo_access = access
    return access


def scope_filter(user, *, prefix: str = "", action: str = VIEW) -> Q:
    """A Q object restricting any model to the user's subtrees.

    `prefix` is the lookup path from the model to its Organization ("" for Organization itself,
    "organization__" for a member, "meeting__organization__" for attendance). Matches nothing when
    the user has no grant for `action`.
    """
    access = get_access(user)
    if access.is_superuser:
        return Q()
    tops = access.top_paths(action)
    if not tops:
        return Q(pk__in=[])
    query = Q()
    for path in tops:
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def sees_everything(user, *, under: Organization | None = None, action: str = VIEW) -> bool:
    """Every organisation there is lies in the user's scope for `action` (and under `under`, when given): a
    superuser, or a grant at the one root of the tree (the committee staff of a bloc alone in its database), with
    `under` that root. A list may then leave out the scope's path predicate, which at the size of a merged province
    costs a join of every organisation to the matches. At most one query (the roots)."""
    access = get_access(user)
    if under is not None:
        if under.parent_id is not None or not access.can(action, under):
            return False
        wanted = [under.path]
    elif access.is_superuser:
        return True
    else:
        wanted = access.top_paths(action)
        if len(wanted) != 1 or wanted[0].count("/") != 2:  # "/7/": a root's own path
            return False
    return list(Organization.objects.filter(parent__isnull=True).values_list("path", flat=True)[:2]) == wanted


def organizations_visible_to(user, *, action: str = VIEW) -> QuerySet[Organization]:
    return Organization.objects.filter(scope_filter(user, action=action))


def get_organization_for_user(user, pk, *, action: str = VIEW) -> Organization:
    """Load a node for `user`: 404 when it is outside their subtrees (or missing), 403 when the role is too weak."""
    try:
        # With its parent (a join, not a query): pages name it in context (cells/names.py).
        organization = Organization.objects.select_related("parent").get(pk=int(pk))
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    access = get_access(user)
    if not access.can_see(organization):
        raise Http404
    if not access.can(action, organization):
        raise PermissionDenied
    return organization


def require(user, action: str, organization: Organization) -> None:
    """Raise 404/403 like get_organization_for_user, for an object already loaded."""
    access = get_access(user)
    if not access.can_see(organization):
        raise Http404
    if not access.can(action, organization):
        raise PermissionDenied


def require_anywhere(user, action: str) -> None:
    """For pages that are not about one node (e.g. the report list): 403 if no grant allows `action`."""
    if not get_access(user).can_anywhere(action):
        raise PermissionDenied


def acts_from_above(user, organization: Organization, *, action: str, roles: tuple[str, ...]) -> bool:
    """`action` granted AND held through one of `roles` at a strict ancestor of the node: appraisal, decisions
    and score confirmations come from the committee above, never from the node itself."""
    access = get_access(user)
    if access.is_superuser:
        return True
    return access.can(action, organization) and any(
        grant.path != organization.path and organization.path.startswith(grant.path) and grant.role in roles
        for grant in access.grants
    )


def default_root(user, *, action: str = VIEW) -> Organization | None:
    """The node a page shows when none is asked for: the user's first top subtree for `action`
    (for a superuser without grants, the first root of the tree)."""
    access = get_access(user)
    tops = access.top_paths(action)
    if tops:
        return Organization.objects.filter(pk=int(tops[0].strip("/").split("/")[-1])).first()
    if access.is_superuser:
        return Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    return None
