"""Personas, a small fixed tree, and helpers for tests that need PostgreSQL or Redis.

The tree, built through the services so that paths, depths and audit entries are real:

    root  Đảng ủy Khối (UPPER)
    ├── A  Đảng bộ A (GRASSROOTS_COMMITTEE)
    │   ├── A1  Chi bộ A1 (CELL)   members: An (FULL, the `member` persona), Bình (FULL), Cường (PROBATIONARY)
    │   └── A2  Chi bộ A2 (CELL)
    ├── B  Đảng bộ B (GRASSROOTS_COMMITTEE)
    │   ├── B1  Chi bộ B1 (CELL)
    │   └── B2  Chi bộ B2 (CELL)
    └── C  Chi bộ cơ sở C (GRASSROOTS_CELL)

Personas: admin (superuser), staff (STAFF at root), leader (LEADER at root), grassroots (GRASSROOTS at A),
secretary (SECRETARY at A1), member (the user of An, no role), outsider (SECRETARY at B1), norole (nothing).
"""

import os
import time
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.storage import InMemoryStorage, storages
from django.core.files.storage.memory import InMemoryDirNode
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from cells import services as cell_services
from cells.models import Organization, RoleAssignment
from members import services as member_services
from members.models import Member

Kind = Organization.Kind
Role = RoleAssignment.Role

PASSWORD = "Chibo-test-Pw-2025!"
PERSONAS = ("admin", "staff", "leader", "grassroots", "secretary", "member", "outsider", "norole")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

# CHIBO_TEST_WITHOUT=harfbuzz-subset runs the tests as on a machine without the optional libharfbuzz-subset0:
# WeasyPrint's library loader (cffi) is told the library is not there, before WeasyPrint is first imported.
if "harfbuzz-subset" in os.environ.get("CHIBO_TEST_WITHOUT", ""):
    import cffi

    _dlopen = cffi.FFI.dlopen

    def _dlopen_without_subset(self, name, *args, **kwargs):
        if isinstance(name, str) and "harfbuzz-subset" in name:
            raise OSError(f"{name}: hidden by CHIBO_TEST_WITHOUT")
        return _dlopen(self, name, *args, **kwargs)

    cffi.FFI.dlopen = _dlopen_without_subset


#
# External services
#


def service_unavailable(reason: str) -> None:
    """Skip the test, or fail it when REQUIRE_SERVICES=1 (CI, where the service must be there)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def require_service(kind: str) -> str:
    """Check that `kind` ("postgresql" or "redis") answers; skip (or fail) with a clear reason if not.

    Returns the URL or database name checked, for the test to use.
    """
    if kind == "redis":
        import redis

        url = redis_url()
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        except Exception as error:  # noqa: BLE001 - any failure means unreachable
            service_unavailable(f"Redis unreachable at {url}: {error}; start it or set REDIS_URL")
        return url
    if kind == "postgresql":
        database = settings.DATABASES["default"]
        if "postgresql" not in database["ENGINE"]:
            service_unavailable(
                f"The test database is {database['ENGINE']}, not PostgreSQL; "
                "set DATABASE_URL=postgres://USER@HOST:5432/NAME to run on PostgreSQL"
            )
        import psycopg

        where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}/{database['NAME']}"
        try:
            psycopg.connect(
                dbname=database["NAME"],
                user=database.get("USER") or None,
                password=database.get("PASSWORD") or None,
                host=database.get("HOST") or None,
                port=database.get("PORT") or None,
                connect_timeout=1,
            ).close()
        except Exception as error:  # noqa: BLE001
            service_unavailable(f"PostgreSQL unreachable at {where}: {error}; start it or set DATABASE_URL")
        return where
    raise ValueError(f"Unknown service {kind!r}: use 'postgresql' or 'redis'")


@pytest.fixture
def services_required():
    """`services_required("redis")` in a test: the same as calling require_service()."""
    return require_service


#
# Settings and state between tests
#


@pytest.fixture(autouse=True)
def _clear_cache():
    # Login throttling counters live in the cache; one test's failures must not lock out the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_file_storage():
    """Each test starts with no stored file. The test storage lives in memory for the whole run and primary keys
    repeat between tests (rolled back), so a file left by one test would make the next one's name get a suffix."""
    yield
    storage = storages["default"]
    if isinstance(storage, InMemoryStorage):
        storage._root = InMemoryDirNode()


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """`manage.py seed_demo --no-meetings`, run once for the module that asks, inside a transaction rolled back when
    the module ends (the other modules still start from an empty database): its output, how long it took and the
    root of the demo tree."""
    from demo.tree import ROOT_CODE

    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = time.monotonic()
        call_command("seed_demo", "--no-meetings", stdout=out)
        seconds = time.monotonic() - started
        yield SimpleNamespace(output=out.getvalue(), seconds=seconds, root=Organization.objects.get(code=ROOT_CODE))
        transaction.set_rollback(True)


#
# The tree and the personas
#


def fresh(user):
    """The same user loaded again, without the Access cached on the old object (cells.permissions.get_access)."""
    return get_user_model().objects.get(pk=user.pk)


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_superuser(username: str):
    return get_user_model().objects.create_superuser(
        username=username, password=PASSWORD, email=f"{username}@example.org"
    )


def node_maker(admin):
    """node(parent, name, code, kind): an organisation created through the services by `admin`."""

    def node(parent, name, code, kind):
        return cell_services.organization_create(parent=parent, name=name, code=code, kind=kind, created_by=admin)

    return node


def build_world() -> SimpleNamespace:
    admin = make_superuser("admin")
    node = node_maker(admin)

    root = node(None, "Đảng ủy Khối các cơ quan", "DUK", Kind.UPPER)
    a = node(root, "Đảng bộ A", "A", Kind.GRASSROOTS_COMMITTEE)
    a1 = node(a, "Chi bộ A1", "A1", Kind.CELL)
    a2 = node(a, "Chi bộ A2", "A2", Kind.CELL)
    b = node(root, "Đảng bộ B", "B", Kind.GRASSROOTS_COMMITTEE)
    b1 = node(b, "Chi bộ B1", "B1", Kind.CELL)
    b2 = node(b, "Chi bộ B2", "B2", Kind.CELL)
    c = node(root, "Chi bộ cơ sở C", "C", Kind.GRASSROOTS_CELL)
    tree = SimpleNamespace(root=root, a=a, a1=a1, a2=a2, b=b, b1=b1, b2=b2, c=c)

    users = {name: make_user(name) for name in PERSONAS if name != "admin"}
    users["admin"] = admin
    grants = {
        "staff": (root, Role.STAFF),
        "leader": (root, Role.LEADER),
        "grassroots": (a, Role.GRASSROOTS),
        "secretary": (a1, Role.SECRETARY),
        "outsider": (b1, Role.SECRETARY),
    }
    assignments = {
        name: cell_services.role_grant(user=users[name], organization=org, role=role, granted_by=admin)
        for name, (org, role) in grants.items()
    }

    def member(full_name, status, card, user=None):
        return member_services.member_create(
            organization=a1, full_name=full_name, status=status, party_card_no=card, user=user, created_by=admin
        )

    members = SimpleNamespace(
        own=member("Nguyễn Văn An", Member.Status.FULL, "01.000001", user=users["member"]),
        other=member("Trần Thị Bình", Member.Status.FULL, "01.000002"),
        probationary=member("Lê Văn Cường", Member.Status.PROBATIONARY, "01.000003"),
    )
    return SimpleNamespace(tree=tree, personas=SimpleNamespace(**users), assignments=assignments, members=members)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def stranger(world):
    """Ngô Văn Bí Mật (card 02.000001), a full member of B1: outside Đảng bộ A and cell A1."""
    return member_services.member_create(
        organization=world.tree.b1,
        full_name="Ngô Văn Bí Mật",
        status=Member.Status.FULL,
        party_card_no="02.000001",
        created_by=world.personas.admin,
    )


@pytest.fixture
def tree(world):
    return world.tree


@pytest.fixture
def personas(world):
    return world.personas


@pytest.fixture
def client_for(world):
    """`client_for("secretary")` → a test Client logged in as that persona; "anonymous" → logged out."""

    def make(persona):
        client = Client()
        if persona == "anonymous":
            return client
        user = getattr(world.personas, persona) if isinstance(persona, str) else persona
        client.force_login(user)
        return client

    return make
