"""`manage.py seed_demo`: shape of the demo tree, consistency of the rows, idempotence, determinism, logins.

The seed runs once for the whole module, inside a transaction rolled back when the module ends, so the other test
modules still start from an empty database.
"""

import datetime
import random
import time
import unicodedata
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q

from cells import demo
from cells.models import AuditEntry, Organization, RoleAssignment
from members.models import Member, Position

Kind = Organization.Kind
Role = RoleAssignment.Role


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = time.monotonic()
        call_command("seed_demo", stdout=out)
        yield SimpleNamespace(output=out.getvalue(), seconds=time.monotonic() - started)
        transaction.set_rollback(True)


def snapshot() -> dict:
    """Row counts and last-change marks of everything the seed writes."""
    User = get_user_model()
    return {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "positions": Position.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEntry.objects.count(),
        "organizations_changed": Organization.objects.aggregate(m=Max("updated_at"))["m"],
        "members_changed": Member.objects.aggregate(m=Max("updated_at"))["m"],
        "passwords": sorted(User.objects.values_list("password", flat=True)),
    }


@pytest.mark.django_db
def test_tree_has_the_bloc_shape(seeded):
    root = Organization.objects.get(code=demo.ROOT_CODE)
    assert root.kind == Kind.UPPER and root.parent is None and root.depth == 0 and root.path == f"/{root.pk}/"
    counts = dict(Organization.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert counts == {
        Kind.UPPER: 1,
        Kind.GRASSROOTS_COMMITTEE: 44,
        Kind.CELL: 288,
        Kind.GRASSROOTS_CELL: 28,
        Kind.SUB_COMMITTEE: 2,
    }
    assert set(Organization.objects.filter(depth=1).values_list("kind", flat=True)) == {
        Kind.GRASSROOTS_COMMITTEE,
        Kind.GRASSROOTS_CELL,
    }
    for committee in Organization.objects.filter(kind=Kind.GRASSROOTS_COMMITTEE):
        cells = Organization.objects.filter(kind=Kind.CELL, path__startswith=committee.path).count()
        assert 3 <= cells <= 12, committee.code
    for sub in Organization.objects.filter(kind=Kind.SUB_COMMITTEE):
        assert sub.parent.kind == Kind.GRASSROOTS_COMMITTEE
        assert sub.children.filter(kind=Kind.CELL).count() >= 2
    unit_types = set(Organization.objects.values_list("unit_type", flat=True))
    assert {"CO_QUAN_HANH_CHINH", "DON_VI_SU_NGHIEP", "DOANH_NGHIEP_NHA_NUOC", "DOANH_NGHIEP_KHAC"} <= unit_types
    assert {"CO_QUAN_DANG", "MAT_TRAN_DOAN_THE"} <= unit_types


@pytest.mark.django_db
def test_paths_depths_codes_and_search_text_are_consistent(seeded):
    organizations = {org.pk: org for org in Organization.objects.all()}
    for org in organizations.values():
        assert org.code == org.code.upper() and org.code.isascii()
        assert org.search_text, org.code
        if org.parent_id is None:
            continue
        parent = organizations[org.parent_id]
        assert org.path == parent.path + f"{org.pk}/", org.code
        assert org.depth == parent.depth + 1, org.code
        assert org.kind == Kind.UPPER or parent.kind in Organization.ALLOWED_PARENTS[org.kind]
    assert Organization.objects.get(code="DB01-CB03").parent.code == "DB01"


@pytest.mark.django_db
def test_members_are_plausible(seeded):
    today = datetime.date.today()
    members = list(Member.objects.all())
    assert 4600 <= len(members) <= 4900
    assert all(m.organization.is_cell for m in Member.objects.select_related("organization")[:200])
    probationary = [m for m in members if m.status == Member.Status.PROBATIONARY]
    assert 0.03 <= len(probationary) / len(members) <= 0.08
    for m in probationary:
        assert today - datetime.timedelta(days=366) <= m.admitted_on <= today
        assert m.official_on is None and m.party_card_no is None
    for m in members:
        assert unicodedata.is_normalized("NFC", m.full_name) and len(m.full_name.split()) >= 3
        assert m.gender in (Member.Gender.MALE, Member.Gender.FEMALE)
        assert 22 <= (today - m.date_of_birth).days / 365.25 <= 61
        assert m.sort_key and m.search_text
        if m.status == Member.Status.FULL:
            assert m.official_on == demo.add_years(m.admitted_on, 1) <= today
    cards = [m.party_card_no for m in members if m.party_card_no]
    assert len(cards) > 0.9 * len(members)
    assert len(set(cards)) == len(cards) and all(len(c) == 8 and c.isdigit() for c in cards)


@pytest.mark.django_db
def test_cells_sizes_and_committees_give_rule_b19_something_to_show(seeded):
    cells = Organization.objects.filter(kind__in=Organization.CELL_KINDS).annotate(
        total=Count("members", distinct=True),
        full=Count("members", filter=Q(members__status=Member.Status.FULL), distinct=True),
        secretaries=Count("positions", filter=Q(positions__role=Position.Role.SECRETARY), distinct=True),
        committee=Count("positions", filter=Q(positions__role=Position.Role.COMMITTEE_MEMBER), distinct=True),
    )
    assert all(5 <= cell.total <= 30 for cell in cells)
    assert all(cell.secretaries == 1 for cell in cells)
    few_full = [cell for cell in cells if cell.full < 3]
    assert 1 <= len(few_full) <= 10
    big = [cell for cell in cells if cell.full >= 9]
    with_committee = [cell for cell in big if cell.committee]
    assert len(big) >= 5 and 0.8 * len(big) <= len(with_committee) < len(big)
    assert not Position.objects.exclude(term_label="2025-2030").exists()
    assert not Position.objects.exclude(member__status=Member.Status.FULL).exists()
    assert not Position.objects.exclude(member__organization=F("organization")).exists()


@pytest.mark.django_db
def test_second_run_and_if_empty_change_nothing(seeded):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", "--if-empty", stdout=out)
    call_command("seed_demo", "--seed", "7", "--scale", "2", stdout=out)
    assert snapshot() == before
    assert "already present" in out.getvalue()
    assert "bithu2" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_same_seed_same_data(seeded):
    today = datetime.date(2026, 1, 15)
    first = demo.plan_demo(random.Random(2025), today=today)
    second = demo.plan_demo(random.Random(2025), today=today)
    other = demo.plan_demo(random.Random(2026), today=today)
    names = [m.full_name for m in first.members]
    assert names == [m.full_name for m in second.members]
    assert [m.party_card_no for m in first.members] == [m.party_card_no for m in second.members]
    assert [(o.code, o.name) for o in first.organizations] == [(o.code, o.name) for o in second.organizations]
    assert names != [m.full_name for m in other.members]
    # The command's data is that plan: compare a sample of members and cells (inserted in plan order).
    stored = list(Member.objects.order_by("pk").values_list("full_name", "organization__code")[:300])
    assert stored == [(m.full_name, m.organization.code) for m in first.members[:300]]
    stored_cells = dict(Organization.objects.filter(kind=Kind.CELL).values_list("code", "name"))
    assert all(stored_cells[o.code] == o.name for o in first.organizations if o.kind == Kind.CELL)


def test_scale_copies_the_grassroots_level_with_suffixed_codes():
    plan = demo.plan_demo(random.Random(2025), scale=2, today=datetime.date(2026, 1, 15))
    assert plan.count(Kind.GRASSROOTS_COMMITTEE) == 88 and plan.count(Kind.CELL) == 576
    assert plan.count(Kind.GRASSROOTS_CELL) == 56 and len(plan.members) == 2 * demo.MEMBERS_PER_COPY
    codes = [o.code for o in plan.organizations]
    assert len(set(codes)) == len(codes)
    assert {"DB01-S2", "DB01-S2-CB01", "CBCS28-S2"} <= set(codes)
    # Copy 1 does not depend on the scale.
    single = demo.plan_demo(random.Random(2025), today=datetime.date(2026, 1, 15))
    assert [m.full_name for m in single.members] == [m.full_name for m in plan.members[: len(single.members)]]


@pytest.mark.django_db
def test_demo_logins_authenticate_and_land_where_documented(seeded):
    for row in demo.demo_logins():
        assert authenticate(username=row.username, password=demo.DEMO_PASSWORD) is not None, row.username
        assert row.username in seeded.output
    User = get_user_model()
    usernames = {a.username for a in demo.DEMO_ACCOUNTS}
    assert set(User.objects.filter(username__in=usernames).values_list("username", flat=True)) == usernames
    assert all(u.first_name and u.last_name for u in User.objects.filter(username__in=usernames))
    assert User.objects.get(username="admin").is_superuser

    def grants(username):
        return {(a.role, a.organization.code) for a in RoleAssignment.objects.filter(user__username=username)}

    assert grants("bantochuc") == {(Role.STAFF, "DEMO")}
    assert grants("lanhdao") == {(Role.LEADER, "DEMO")}
    assert grants("capuycoso") == {(Role.GRASSROOTS, "DB01")}
    first_cell = Organization.objects.filter(kind=Kind.CELL, parent__code="DB01").order_by("code").first()
    assert grants("bithu") == {(Role.SECRETARY, first_cell.code)}
    assert grants("dangvien") == set()

    secretary = Member.objects.get(user__username="bithu")
    assert secretary.organization == first_cell
    assert secretary.positions.filter(role=Position.Role.SECRETARY, organization=first_cell).exists()
    member = Member.objects.get(user__username="dangvien")
    assert member.organization == first_cell and not member.positions.exists()
    assert member.status == Member.Status.FULL

    ((role, code),) = grants("bithu2")
    outsider_cell = Organization.objects.get(code=code)
    assert role == Role.SECRETARY and outsider_cell.kind == Kind.CELL
    assert not outsider_cell.path.startswith(Organization.objects.get(code="DB01").path)
    assert Member.objects.get(user__username="bithu2").organization == outsider_cell
