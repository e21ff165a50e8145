"""Tree rules in cells/services.py, checked against the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from cells import services
from cells.models import AuditEntry, Organization, RoleAssignment
from cells.permissions import get_access, organizations_visible_to, scope_filter
from members.models import Member
from tests.conftest import fresh, make_user

Kind = Organization.Kind
Role = RoleAssignment.Role

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every node's structural columns, to show that a refused change changed nothing."""
    return {
        o.pk: (o.parent_id, o.path, o.depth, o.kind, o.code, o.dissolved_on, o.merged_into_id)
        for o in Organization.objects.all()
    }


def assert_paths_consistent() -> None:
    """path = parent's path + own pk, depth = parent's depth + 1, for every node."""
    by_pk = {o.pk: o for o in Organization.objects.all()}
    for org in by_pk.values():
        if org.parent_id is None:
            assert org.path == f"/{org.pk}/"
            assert org.depth == 0
        else:
            parent = by_pk[org.parent_id]
            assert org.path == f"{parent.path}{org.pk}/", org
            assert org.depth == parent.depth + 1, org


def create(parent, code, kind, *, by, name=None):
    return services.organization_create(
        parent=parent, name=name or f"Tổ chức {code}", code=code, kind=kind, created_by=by
    )


def update(organization, *, by, **changes):
    fields = {
        "name": organization.name,
        "code": organization.code,
        "kind": organization.kind,
        "unit_type": organization.unit_type,
        "host_unit_name": organization.host_unit_name,
        "founded_on": organization.founded_on,
        "version": Organization.objects.get(pk=organization.pk).version,
    }
    fields.update(changes)
    return services.organization_update(organization=organization, updated_by=by, **fields)


def today():
    return timezone.localdate()


#
# Create
#


def test_fixture_tree_has_consistent_paths(tree):
    assert_paths_consistent()
    assert tree.a1.path == f"/{tree.root.pk}/{tree.a.pk}/{tree.a1.pk}/"
    assert tree.a1.depth == 2


@pytest.mark.parametrize(
    ("parent_name", "kind"),
    [
        ("root", Kind.CELL),  # a subordinate cell needs a grassroots committee above it
        ("root", Kind.SUB_COMMITTEE),
        ("a", Kind.GRASSROOTS_COMMITTEE),  # grassroots committees do not nest
        ("a", Kind.UPPER),
        ("a1", Kind.CELL),  # nothing sits under a cell
        ("c", Kind.CELL),
        (None, Kind.GRASSROOTS_COMMITTEE),  # only an upper-level committee may be a root
    ],
)
def test_organization_create_refuses_kind_that_does_not_fit_parent(tree, personas, parent_name, kind):
    parent = getattr(tree, parent_name) if parent_name else None
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        create(parent, "NEW-1", kind, by=personas.staff)

    assert "kind" in caught.value.message_dict
    assert snapshot() == before


def test_organization_create_accepts_kinds_that_fit(tree, personas):
    sub = create(tree.a, "A-SUB", Kind.SUB_COMMITTEE, by=personas.staff)
    cell = create(sub, "A-SUB-1", Kind.CELL, by=personas.staff)
    upper = create(tree.root, "U2", Kind.UPPER, by=personas.staff)

    assert cell.path == f"{sub.path}{cell.pk}/"
    assert cell.depth == 3
    assert upper.depth == 1
    assert_paths_consistent()


def test_organization_create_stores_code_upper_case(tree, personas):
    organization = create(tree.a, "cb-a3.x_1", Kind.CELL, by=personas.staff)

    assert organization.code == "CB-A3.X_1"


@pytest.mark.parametrize(
    "code",
    [pytest.param(code, id=f"duplicate-{code!r}") for code in ["A1", "a1", " a1 "]]
    + [pytest.param(code, id=f"malformed-{code!r}") for code in ["", "chi bộ", "A 1", "-A1", "A/1"]],
)
def test_organization_create_refuses_duplicate_or_malformed_code(tree, personas, code):
    count = Organization.objects.count()

    with pytest.raises(ValidationError) as caught:
        create(tree.a, code, Kind.CELL, by=personas.staff)

    assert "code" in caught.value.message_dict
    assert Organization.objects.count() == count


def test_organization_create_refuses_huge_name_and_writes_nothing(tree, personas):
    organizations, audit = Organization.objects.count(), AuditEntry.objects.count()

    with pytest.raises(ValidationError) as caught:
        create(tree.a, "A3", Kind.CELL, by=personas.staff, name="x" * 10_000)

    assert "name" in caught.value.message_dict
    assert Organization.objects.count() == organizations
    assert AuditEntry.objects.count() == audit


def test_organization_create_refuses_empty_name(tree, personas):
    with pytest.raises(ValidationError):
        create(tree.a, "A3", Kind.CELL, by=personas.staff, name="   ")

    assert not Organization.objects.filter(code="A3").exists()


def test_organization_create_refuses_future_founding_date(tree, personas):
    with pytest.raises(ValidationError) as caught:
        services.organization_create(
            parent=tree.a,
            name="Chi bộ A3",
            code="A3",
            kind=Kind.CELL,
            founded_on=today() + datetime.timedelta(days=1),
            created_by=personas.staff,
        )

    assert "founded_on" in caught.value.message_dict
    assert not Organization.objects.filter(code="A3").exists()


def test_organization_create_refuses_dissolved_parent(tree, personas):
    upper = create(tree.root, "U2", Kind.UPPER, by=personas.staff)
    upper = services.organization_dissolve(
        organization=upper, dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff
    )

    with pytest.raises(ValidationError):
        create(upper, "U2-A", Kind.GRASSROOTS_COMMITTEE, by=personas.staff)

    assert not Organization.objects.filter(code="U2-A").exists()


def test_organization_create_writes_audit_entry(tree, personas):
    organization = create(tree.a, "A3", Kind.CELL, by=personas.staff)

    entry = AuditEntry.objects.get(action="cells.organization.created", target_id=organization.pk)
    assert entry.actor == personas.staff
    assert entry.organization == organization


def test_organization_create_folds_search_text(tree):
    assert "chi bo a1" in Organization.objects.get(pk=tree.a1.pk).search_text


#
# Update
#


def test_organization_update_refuses_kind_that_no_longer_fits_children(tree, personas):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        update(tree.a, kind=Kind.GRASSROOTS_CELL, by=personas.staff)  # A1, A2 cannot sit under a cell

    assert "kind" in caught.value.message_dict
    assert snapshot() == before


def test_organization_update_refuses_kind_that_does_not_fit_parent(tree, personas):
    before = snapshot()

    with pytest.raises(ValidationError):
        update(tree.a1, kind=Kind.GRASSROOTS_CELL, by=personas.staff)  # a grassroots cell sits under UPPER only

    assert snapshot() == before


def test_organization_update_refuses_turning_a_cell_with_members_into_a_non_cell(tree, personas):
    # A1 has members on its roll; members belong to cells only (members.services._check_cell).
    before = snapshot()

    with pytest.raises(ValidationError):
        update(tree.a1, kind=Kind.SUB_COMMITTEE, by=personas.staff)

    assert snapshot() == before


def test_organization_update_refuses_kind_that_no_longer_fits_roles_held_there(tree, personas):
    # B1 has no members but a SECRETARY role, which role_grant allows only at cells.
    before = snapshot()

    with pytest.raises(ValidationError):
        update(tree.b1, kind=Kind.SUB_COMMITTEE, by=personas.staff)

    assert snapshot() == before


def test_organization_update_refuses_code_of_another_node(tree, personas):
    with pytest.raises(ValidationError) as caught:
        update(tree.a2, code="a1", by=personas.staff)

    assert "code" in caught.value.message_dict
    assert Organization.objects.get(pk=tree.a2.pk).code == "A2"


def test_organization_update_renames_and_records_changes(tree, personas):
    update(tree.a2, name="Chi bộ Văn phòng", by=personas.staff)

    a2 = Organization.objects.get(pk=tree.a2.pk)
    assert a2.name == "Chi bộ Văn phòng"
    assert "chi bo van phong" in a2.search_text
    entry = AuditEntry.objects.get(action="cells.organization.updated", target_id=a2.pk)
    assert entry.data["changes"]["name"] == ["Chi bộ A2", "Chi bộ Văn phòng"]


#
# Move
#


def test_organization_move_rewrites_paths_and_depths_of_whole_subtree(tree, personas):
    sub = create(tree.a, "A-SUB", Kind.SUB_COMMITTEE, by=personas.staff)
    sub_cell = create(sub, "A-SUB-1", Kind.CELL, by=personas.staff)
    upper = create(tree.root, "U2", Kind.UPPER, by=personas.staff)

    services.organization_move(organization=tree.a, new_parent=upper, moved_by=personas.staff)

    a = Organization.objects.get(pk=tree.a.pk)
    assert a.parent_id == upper.pk
    assert a.path == f"{upper.path}{a.pk}/"
    assert a.depth == 2
    assert Organization.objects.get(pk=sub_cell.pk).depth == 4
    assert Organization.objects.get(pk=tree.a1.pk).path == f"{a.path}{tree.a1.pk}/"
    assert_paths_consistent()
    # Nodes outside the moved subtree keep their paths.
    assert Organization.objects.get(pk=tree.b1.pk).path == tree.b1.path


def test_organization_move_of_a_cell_changes_only_that_cell(tree, personas):
    services.organization_move(organization=tree.a1, new_parent=tree.b, moved_by=personas.staff)

    a1 = Organization.objects.get(pk=tree.a1.pk)
    assert a1.parent_id == tree.b.pk
    assert a1.path == f"{tree.b.path}{a1.pk}/"
    assert Organization.objects.get(pk=tree.a2.pk).path == tree.a2.path
    assert_paths_consistent()


def test_organization_move_refuses_own_descendant_and_itself(tree, personas):
    u1 = create(tree.root, "U1", Kind.UPPER, by=personas.staff)
    u2 = create(u1, "U2", Kind.UPPER, by=personas.staff)
    u3 = create(u2, "U3", Kind.UPPER, by=personas.staff)
    before = snapshot()

    for new_parent in (u1, u2, u3):
        with pytest.raises(ValidationError) as caught:
            services.organization_move(organization=u1, new_parent=new_parent, moved_by=personas.staff)
        assert "new_parent" in caught.value.message_dict

    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="cells.organization.moved").exists()


def test_organization_move_refuses_kind_that_does_not_fit_new_parent(tree, personas):
    before = snapshot()

    with pytest.raises(ValidationError):
        services.organization_move(organization=tree.a1, new_parent=tree.root, moved_by=personas.staff)
    with pytest.raises(ValidationError):
        services.organization_move(organization=tree.a1, new_parent=tree.c, moved_by=personas.staff)
    with pytest.raises(ValidationError):
        services.organization_move(organization=tree.a, new_parent=tree.b, moved_by=personas.staff)

    assert snapshot() == before


def test_organization_move_refuses_dissolved_new_parent(tree, personas):
    for cell in (tree.b1, tree.b2):
        services.organization_dissolve(
            organization=cell, dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff
        )
    services.organization_dissolve(organization=tree.b, dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff)
    before = snapshot()

    with pytest.raises(ValidationError):
        services.organization_move(organization=tree.a2, new_parent=tree.b, moved_by=personas.staff)

    assert snapshot() == before


def test_organization_move_changes_who_can_see_the_subtree(tree, personas):
    grassroots_b = make_user("grassroots_b")
    services.role_grant(user=grassroots_b, organization=tree.b, role=Role.GRASSROOTS, granted_by=personas.staff)
    assert organizations_visible_to(fresh(personas.grassroots)).filter(pk=tree.a1.pk).exists()
    assert not organizations_visible_to(fresh(grassroots_b)).filter(pk=tree.a1.pk).exists()

    services.organization_move(organization=tree.a1, new_parent=tree.b, moved_by=personas.staff)

    assert not organizations_visible_to(fresh(personas.grassroots)).filter(pk=tree.a1.pk).exists()
    assert organizations_visible_to(fresh(grassroots_b)).filter(pk=tree.a1.pk).exists()
    # The cell's members follow it.
    in_a1 = Member.objects.filter(organization=tree.a1)
    assert not in_a1.filter(scope_filter(fresh(personas.grassroots), prefix="organization__")).exists()
    assert in_a1.filter(scope_filter(fresh(grassroots_b), prefix="organization__")).count() == 3
    # The secretary of the moved cell keeps access to it.
    a1 = Organization.objects.get(pk=tree.a1.pk)
    assert get_access(fresh(personas.secretary)).can_see(a1)


def test_organization_move_writes_audit_entry(tree, personas):
    services.organization_move(organization=tree.a1, new_parent=tree.b, moved_by=personas.staff)

    entry = AuditEntry.objects.get(action="cells.organization.moved", target_id=tree.a1.pk)
    assert entry.actor == personas.staff
    assert entry.data == {"from": tree.a.pk, "to": tree.b.pk}


#
# Dissolve
#


@pytest.mark.parametrize(
    "node", [pytest.param("a", id="node-with-active-children"), pytest.param("a1", id="cell-with-members")]
)
def test_organization_dissolve_refuses_node_with_active_children_or_members(tree, personas, node):
    before = snapshot()

    with pytest.raises(ValidationError):
        services.organization_dissolve(
            organization=getattr(tree, node), dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff
        )

    assert snapshot() == before


def test_organization_dissolve_refuses_missing_reason_and_future_date(tree, personas):
    with pytest.raises(ValidationError):
        services.organization_dissolve(
            organization=tree.a2, dissolved_on=today(), reason="  ", dissolved_by=personas.staff
        )
    with pytest.raises(ValidationError):
        services.organization_dissolve(
            organization=tree.a2,
            dissolved_on=today() + datetime.timedelta(days=1),
            reason="QĐ",
            dissolved_by=personas.staff,
        )

    assert Organization.objects.get(pk=tree.a2.pk).is_active


def test_organization_dissolve_keeps_node_readable(tree, personas, client_for):
    services.organization_dissolve(
        organization=tree.a2, dissolved_on=today(), reason="Quyết định 12-QĐ/ĐU", dissolved_by=personas.staff
    )

    a2 = Organization.objects.get(pk=tree.a2.pk)
    assert not a2.is_active
    assert a2.dissolution_reason == "Quyết định 12-QĐ/ĐU"
    assert AuditEntry.objects.filter(action="cells.organization.dissolved", target_id=a2.pk).exists()
    assert organizations_visible_to(fresh(personas.grassroots)).filter(pk=a2.pk).exists()
    assert client_for("grassroots").get(f"/tree/{a2.pk}/").status_code == 200


def test_organization_dissolve_refuses_already_dissolved(tree, personas):
    services.organization_dissolve(organization=tree.a2, dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff)

    with pytest.raises(ValidationError):
        services.organization_dissolve(
            organization=tree.a2, dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff
        )


#
# Merge
#


def test_organization_merge_moves_members_and_marks_source(tree, world, personas):
    services.organization_merge(
        source=tree.a1, target=tree.a2, merged_on=today(), reason="Sáp nhập", merged_by=personas.staff
    )

    a1 = Organization.objects.get(pk=tree.a1.pk)
    assert a1.merged_into_id == tree.a2.pk
    assert a1.dissolved_on == today()
    assert not a1.is_active
    assert Member.objects.filter(organization=tree.a2).count() == 3
    assert not Member.objects.filter(organization=tree.a1).exists()
    assert AuditEntry.objects.filter(action="cells.organization.merged", target_id=a1.pk).exists()
    assert AuditEntry.objects.filter(action="cells.organization.received_merger", target_id=tree.a2.pk).exists()


def test_organization_merge_moves_children_with_correct_paths(tree, personas):
    services.organization_merge(
        source=tree.a, target=tree.b, merged_on=today(), reason="Sáp nhập", merged_by=personas.staff
    )

    for cell in (tree.a1, tree.a2):
        moved = Organization.objects.get(pk=cell.pk)
        assert moved.parent_id == tree.b.pk
        assert moved.path == f"{tree.b.path}{cell.pk}/"
    assert Organization.objects.get(pk=tree.a.pk).merged_into_id == tree.b.pk
    assert_paths_consistent()
    # A's grassroots user no longer sees the cells that moved to B.
    assert not organizations_visible_to(fresh(personas.grassroots)).filter(pk=tree.a1.pk).exists()


def test_organization_merge_refuses_different_kinds(tree, personas):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        services.organization_merge(
            source=tree.a1, target=tree.c, merged_on=today(), reason="Sáp nhập", merged_by=personas.staff
        )

    assert "target" in caught.value.message_dict
    assert snapshot() == before
    assert Member.objects.filter(organization=tree.a1).count() == 3


def test_organization_merge_refuses_itself(tree, personas):
    before = snapshot()

    with pytest.raises(ValidationError):
        services.organization_merge(
            source=tree.a1, target=tree.a1, merged_on=today(), reason="Sáp nhập", merged_by=personas.staff
        )

    assert snapshot() == before


#
# Roles
#


def test_role_grant_refuses_secretary_at_a_non_cell(tree, personas):
    user = make_user("someone")

    for organization in (tree.root, tree.a):
        with pytest.raises(ValidationError) as caught:
            services.role_grant(user=user, organization=organization, role=Role.SECRETARY, granted_by=personas.staff)
        assert "role" in caught.value.message_dict

    assert not RoleAssignment.objects.filter(user=user).exists()


def test_role_grant_refuses_duplicate(tree, personas):
    with pytest.raises(ValidationError):
        services.role_grant(
            user=personas.secretary, organization=tree.a1, role=Role.SECRETARY, granted_by=personas.staff
        )

    assert RoleAssignment.objects.filter(user=personas.secretary).count() == 1


def test_role_grant_refuses_dissolved_node(tree, personas):
    a2 = services.organization_dissolve(
        organization=tree.a2, dissolved_on=today(), reason="QĐ", dissolved_by=personas.staff
    )

    with pytest.raises(ValidationError):
        services.role_grant(user=personas.norole, organization=a2, role=Role.SECRETARY, granted_by=personas.staff)

    assert not RoleAssignment.objects.filter(user=personas.norole).exists()


def test_role_grant_and_revoke_write_audit_entries(tree, personas):
    assignment = services.role_grant(
        user=personas.norole, organization=tree.a2, role=Role.SECRETARY, granted_by=personas.staff
    )
    assignment_pk = assignment.pk
    assert AuditEntry.objects.filter(
        action="cells.role.granted", target_id=assignment_pk, actor=personas.staff
    ).exists()

    services.role_revoke(assignment=assignment, revoked_by=personas.staff)

    assert AuditEntry.objects.filter(
        action="cells.role.revoked", target_id=assignment_pk, actor=personas.staff
    ).exists()
    assert not RoleAssignment.objects.filter(pk=assignment_pk).exists()


#
# Messages are rendered in the active language (Vietnamese) where the catalogue translates them
#


def _vietnamese(msgid: str) -> str:
    with translation.override("vi"):
        translated = gettext(msgid)
    if translated == msgid:
        pytest.skip(f"no Vietnamese translation in the catalogue for {msgid!r}")
    return translated


def test_organization_move_error_is_vietnamese(tree, personas):
    expected = _vietnamese("An organisation cannot be moved under itself or under one of its own subordinates.")

    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.organization_move(organization=tree.a, new_parent=tree.a, moved_by=personas.staff)

    assert caught.value.message_dict["new_parent"] == [expected]


def test_duplicate_code_error_is_vietnamese(tree, personas):
    expected = _vietnamese("The code %(code)s is already used by another organisation.") % {"code": "A1"}

    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        create(tree.a, "a1", Kind.CELL, by=personas.staff)

    assert caught.value.message_dict["code"] == [expected]
