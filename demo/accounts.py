"""Demo data: the demo logins (one per kind of user, all with DEMO_PASSWORD), their roles, and the login table the
seed prints (read back from the database)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from cells.models import RoleAssignment
from cells.services import role_grant
from demo.plan import DemoPlan
from members.models import Member

Role = RoleAssignment.Role

DEMO_PASSWORD = "demo12345"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None  # a RoleAssignment.Role, None for the superuser and the plain member
    description: str
    full_name: str = ""  # empty: the name of the member record the account is linked to


DEMO_ACCOUNTS = (
    DemoAccount("admin", None, "Superuser", "Vũ Đình Khải"),
    DemoAccount("bantochuc", Role.STAFF, "Committee staff (ban tổ chức)", "Trần Thị Thanh Hương"),
    DemoAccount("lanhdao", Role.LEADER, "Leadership (reports)", "Lê Quang Thắng"),
    DemoAccount("capuycoso", Role.GRASSROOTS, "Grassroots committee", "Phạm Minh Tuấn"),
    DemoAccount("bithu", Role.SECRETARY, "Cell secretary"),
    DemoAccount("dangvien", None, "Party member, no role"),
    DemoAccount("bithu2", Role.SECRETARY, "Cell secretary in another đảng bộ (the outsider)"),
)


def _split_name(full_name: str) -> tuple[str, str]:
    """(last_name, first_name) as cells.services.user_create stores them: family and middle names, given name."""
    parts = full_name.rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])


def ensure_accounts(plan: DemoPlan) -> tuple[dict[str, object], list[str]]:
    """Create the demo users (one password hash for all). Existing users are kept as they are."""
    User = get_user_model()
    linked = {"bithu": plan.secretary_member, "dangvien": plan.ordinary_member, "bithu2": plan.outsider_member}
    password_hash = make_password(DEMO_PASSWORD)
    users, kept = {}, []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is not None:
            kept.append(account.username)
        else:
            last_name, first_name = _split_name(account.full_name or linked[account.username].full_name)
            is_admin = account.username == "admin"
            user = User(
                username=account.username,
                first_name=first_name,
                last_name=last_name,
                email=f"{account.username}@example.org",
                password=password_hash,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            user.save()
        users[account.username] = user
    for username, member in linked.items():
        if not Member.objects.filter(user=users[username]).exists():
            member.user = users[username]
    return users, kept


def grant_roles(plan: DemoPlan, users: dict[str, object]) -> None:
    """Grant each demo account its role where it lands (copy 1); roles already granted are left alone."""
    grants = {
        "bantochuc": plan.root,
        "lanhdao": plan.root,
        "capuycoso": plan.grassroots_committee,
        "bithu": plan.secretary_cell,
        "bithu2": plan.outsider_cell,
    }
    roles = {account.username: account.role for account in DEMO_ACCOUNTS}
    for username, organization in grants.items():
        user = users[username]
        if not RoleAssignment.objects.filter(user=user, organization=organization, role=roles[username]).exists():
            role_grant(user=user, organization=organization, role=roles[username], granted_by=None)


#
# Reading back: the login table
#


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    lands_at: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts present in the database, with their role and where they land (read from the rows)."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        member = Member.objects.filter(user=user).select_related("organization").first()
        assignments = list(
            RoleAssignment.objects.filter(user=user).select_related("organization").order_by("organization__path")
        )
        places = [f"{a.organization.name} [{a.organization.code}]" for a in assignments]
        if user.is_superuser:
            places.insert(0, "everything, and /admin/")
        if member is not None:
            own = f"own record: {member.full_name}"
            places.append(own if assignments else f"{own}, {member.organization.name} [{member.organization.code}]")
        rows.append(DemoLogin(user.username, DEMO_PASSWORD, account.description, "; ".join(places) or "-"))
    return rows
