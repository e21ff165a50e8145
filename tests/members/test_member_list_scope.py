"""The member list leaves out its path predicates only when they would select every member there is
(cells.permissions.sees_everything, issue #16): staff at the one root of the tree, or a superuser. A second root in
the database, a grant below the root, or a node chosen below it keeps them."""

import pytest

from cells import services as cell_services
from cells.models import Organization, RoleAssignment
from cells.permissions import sees_everything
from members import services as member_services
from members.models import Member
from members.selectors import MemberFilter, member_list
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def names(user, **filters) -> set[str]:
    return set(member_list(user=user, filters=MemberFilter(**filters)).values_list("full_name", flat=True))


def test_staff_at_the_one_root_see_every_member_and_the_list_skips_the_scope(world, stranger):
    staff = world.personas.staff
    assert sees_everything(staff)
    assert sees_everything(world.personas.admin)
    assert not sees_everything(world.personas.grassroots)
    assert names(staff) == set(Member.objects.values_list("full_name", flat=True))
    assert " LIKE " not in str(member_list(user=staff, filters=MemberFilter()).query)  # no path predicate


def test_a_second_root_keeps_the_scope(world, stranger):
    admin = world.personas.admin
    other = cell_services.organization_create(
        parent=None, name="Đảng ủy Khối khác", code="KHAC", kind=Organization.Kind.UPPER, created_by=admin
    )
    cell = cell_services.organization_create(
        parent=other, name="Chi bộ ngoài khối", code="KHAC-CB", kind=Organization.Kind.GRASSROOTS_CELL, created_by=admin
    )
    member_services.member_create(
        organization=cell,
        full_name="Người Khối Khác",
        status=Member.Status.FULL,
        party_card_no="03.000001",
        created_by=admin,
    )
    staff = world.personas.staff
    assert not sees_everything(staff)
    assert "Người Khối Khác" not in names(staff)
    assert "Người Khối Khác" in names(admin)
    assert "Người Khối Khác" not in names(admin, organization=world.tree.root)


def test_a_node_below_the_root_or_a_grant_below_it_keeps_the_predicates(world, stranger):
    staff = world.personas.staff
    assert "Ngô Văn Bí Mật" not in names(staff, organization=world.tree.a)
    assert names(world.personas.grassroots) == set(
        Member.objects.filter(organization__path__startswith=world.tree.a.path).values_list("full_name", flat=True)
    )
    two = make_user("hai-goc")
    RoleAssignment.objects.create(user=two, organization=world.tree.a, role=RoleAssignment.Role.STAFF)
    RoleAssignment.objects.create(user=two, organization=world.tree.b, role=RoleAssignment.Role.STAFF)
    assert not sees_everything(two)
    assert "Nguyễn Văn An" in names(two) and "Ngô Văn Bí Mật" in names(two)
