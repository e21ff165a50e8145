"""Browser flows on the tree pages, through the test client."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cells import services
from cells.models import AuditEntry, Organization, RoleAssignment
from members.models import Member
from tests.conftest import make_user

Kind = Organization.Kind

pytestmark = pytest.mark.django_db


def structure() -> dict:
    return {o.pk: (o.parent_id, o.path, o.depth, o.dissolved_on) for o in Organization.objects.all()}


def new_cell_data(**overrides) -> dict:
    data = {
        "name": "Chi bộ A3",
        "code": "A3",
        "kind": Kind.CELL,
        "unit_type": Organization.UnitType.OTHER,
        "host_unit_name": "",
        "founded_on": "",
    }
    data.update(overrides)
    return data


#
# Create and edit
#


def test_staff_creates_organization_and_is_redirected_to_it(tree, client_for):
    response = client_for("staff").post(reverse("cells:create", args=[tree.a.pk]), new_cell_data())

    created = Organization.objects.get(code="A3")
    assert response.status_code == 302
    assert response["Location"] == reverse("cells:detail", args=[created.pk])
    assert created.parent_id == tree.a.pk
    assert created.path == f"{tree.a.path}{created.pk}/"
    assert AuditEntry.objects.filter(action="cells.organization.created", target_id=created.pk).exists()


@pytest.mark.parametrize("code", ["A1", "a1"])
def test_create_with_duplicate_code_shows_form_error_and_creates_nothing(tree, client_for, code):
    count = Organization.objects.count()

    response = client_for("staff").post(reverse("cells:create", args=[tree.a.pk]), new_cell_data(code=code))

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Organization.objects.count() == count


def test_create_refuses_kind_not_allowed_under_parent(tree, client_for):
    count = Organization.objects.count()

    response = client_for("staff").post(reverse("cells:create", args=[tree.root.pk]), new_cell_data(kind=Kind.CELL))

    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert Organization.objects.count() == count


def test_create_by_grassroots_is_forbidden_and_creates_nothing(tree, client_for):
    count = Organization.objects.count()

    response = client_for("grassroots").post(reverse("cells:create", args=[tree.a.pk]), new_cell_data())

    assert response.status_code == 403
    assert Organization.objects.count() == count


def test_staff_edits_organization(tree, client_for):
    data = new_cell_data(name="Chi bộ Văn phòng", code="A2", version=tree.a2.version)

    response = client_for("staff").post(reverse("cells:edit", args=[tree.a2.pk]), data)

    assert response.status_code == 302
    assert Organization.objects.get(pk=tree.a2.pk).name == "Chi bộ Văn phòng"


#
# Move
#


def test_move_refuses_forged_parent_outside_user_scope(tree, personas, client_for):
    # A staff member scoped to A may rearrange A, but B is not theirs to move things into.
    staff_a = make_user("staff_a")
    services.role_grant(user=staff_a, organization=tree.a, role=RoleAssignment.Role.STAFF, granted_by=personas.admin)
    before = structure()

    response = client_for(staff_a).post(reverse("cells:move", args=[tree.a1.pk]), {"new_parent": tree.b.pk})

    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "new_parent" in response.context["form"].errors
    assert structure() == before


def test_move_refuses_nonexistent_parent(tree, client_for):
    before = structure()

    response = client_for("staff").post(reverse("cells:move", args=[tree.a1.pk]), {"new_parent": 999_999})

    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors
    assert structure() == before


def test_move_under_own_descendant_is_refused(tree, personas, client_for):
    u1 = services.organization_create(
        parent=tree.root, name="U1", code="U1", kind=Kind.UPPER, created_by=personas.admin
    )
    u2 = services.organization_create(parent=u1, name="U2", code="U2", kind=Kind.UPPER, created_by=personas.admin)
    before = structure()

    for target in (u1, u2):
        response = client_for("staff").post(reverse("cells:move", args=[u1.pk]), {"new_parent": target.pk})

        assert response.status_code == 200
        assert "new_parent" in response.context["form"].errors
    assert structure() == before


def test_staff_moves_cell_to_another_committee(tree, client_for):
    response = client_for("staff").post(reverse("cells:move", args=[tree.a1.pk]), {"new_parent": tree.b.pk})

    assert response.status_code == 302
    a1 = Organization.objects.get(pk=tree.a1.pk)
    assert a1.parent_id == tree.b.pk
    assert a1.path == f"{tree.b.path}{a1.pk}/"
    # After the move, A's grassroots user no longer reaches the cell; the outsider (in B1) still does not.
    assert client_for("grassroots").get(reverse("cells:detail", args=[a1.pk])).status_code == 404
    assert client_for("outsider").get(reverse("cells:detail", args=[a1.pk])).status_code == 404


#
# Dissolve and merge
#


def test_dissolve_of_cell_with_members_shows_error_and_changes_nothing(tree, client_for):
    response = client_for("staff").post(
        reverse("cells:dissolve", args=[tree.a1.pk]), {"dissolved_on": "2024-01-15", "reason": "QĐ 1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Organization.objects.get(pk=tree.a1.pk).is_active


def test_staff_merges_cell_and_lands_on_target(tree, client_for):
    response = client_for("staff").post(
        reverse("cells:merge", args=[tree.a1.pk]),
        {"target": tree.a2.pk, "merged_on": "2024-01-15", "reason": "Sáp nhập"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cells:detail", args=[tree.a2.pk])
    assert Organization.objects.get(pk=tree.a1.pk).merged_into_id == tree.a2.pk
    assert Member.objects.filter(organization=tree.a2).count() == 3


#
# Tree page
#


def test_tree_search_finds_accented_names_without_accents(tree, client_for):
    response = client_for("staff").get(reverse("cells:tree"), {"q": "chi bo"})

    assert response.status_code == 200
    names = {row.organization.name for row in response.context["rows"]}
    assert {"Chi bộ A1", "Chi bộ A2", "Chi bộ B1", "Chi bộ B2", "Chi bộ cơ sở C"} <= names
    assert "Chi bộ A1" in response.content.decode()


def test_tree_search_keeps_ancestors_and_drops_non_matches(tree, client_for):
    response = client_for("staff").get(reverse("cells:tree"), {"q": "chi bo a1"})

    names = [row.organization.name for row in response.context["rows"]]
    assert names == ["Đảng ủy Khối các cơ quan", "Đảng bộ A", "Chi bộ A1"]


def test_tree_shows_only_the_secretary_own_subtree(tree, client_for):
    response = client_for("secretary").get(reverse("cells:tree"))

    assert [row.organization.pk for row in response.context["rows"]] == [tree.a1.pk]


def test_tree_hides_dissolved_unless_asked(tree, personas, client_for):
    services.organization_dissolve(
        organization=tree.a2, dissolved_on=timezone.localdate(), reason="QĐ", dissolved_by=personas.staff
    )
    client = client_for("staff")

    shown = {row.organization.pk for row in client.get(reverse("cells:tree")).context["rows"]}
    with_dissolved = {
        row.organization.pk for row in client.get(reverse("cells:tree"), {"dissolved": "1"}).context["rows"]
    }

    assert tree.a2.pk not in shown
    assert tree.a2.pk in with_dissolved


def test_tree_counts_members_of_whole_subtree(tree, client_for):
    rows = {row.organization.pk: row for row in client_for("staff").get(reverse("cells:tree")).context["rows"]}

    assert rows[tree.a1.pk].member_count == 3
    assert rows[tree.a.pk].member_count == 3
    assert rows[tree.root.pk].member_count == 3
    assert rows[tree.b.pk].member_count == 0


def test_big_tree_shows_the_top_and_its_children_with_counts(tree, client_for, monkeypatch):
    monkeypatch.setattr("cells.views.TREE_FULL_LIMIT", 3)  # the test tree (8 organisations) counts as big

    response = client_for("staff").get(reverse("cells:tree"))

    assert response.context["big"] and response.context["size"] == 8
    rows = response.context["rows"]
    assert rows[0].organization == tree.root and rows[0].member_count is None  # no full count of a big tree
    by_code = {row.organization.code: row for row in rows[1:]}
    assert set(by_code) == {"A", "B", "C"}  # the grandchildren are behind their parent's page
    assert (by_code["A"].descendant_count, by_code["A"].member_count) == (2, 3)
    assert (by_code["B"].descendant_count, by_code["B"].member_count) == (2, 0)
    assert "2 tổ chức trực thuộc" in response.content.decode()


def test_big_tree_pages_the_children(tree, client_for, monkeypatch):
    monkeypatch.setattr("cells.views.TREE_FULL_LIMIT", 3)
    monkeypatch.setattr("cells.views.TREE_PAGE", 2)
    client = client_for("staff")

    first = client.get(reverse("cells:tree"))
    second = client.get(reverse("cells:tree"), {"page": 2})

    seen = [row.organization.code for row in first.context["rows"][1:] + second.context["rows"][1:]]
    assert sorted(seen) == ["A", "B", "C"] and len(first.context["rows"]) == 3
    assert "page=2" in first.content.decode()


def test_big_tree_search_runs_in_the_database_and_keeps_ancestors(tree, client_for, monkeypatch):
    monkeypatch.setattr("cells.views.TREE_FULL_LIMIT", 3)

    response = client_for("staff").get(reverse("cells:tree"), {"q": "chi bo a1"})

    assert [row.organization.name for row in response.context["rows"]] == [
        "Đảng ủy Khối các cơ quan",
        "Đảng bộ A",
        "Chi bộ A1",
    ]
    assert not response.context["more"]


def test_big_tree_search_says_when_it_shows_only_the_first_matches(tree, client_for, monkeypatch):
    monkeypatch.setattr("cells.views.TREE_FULL_LIMIT", 3)
    monkeypatch.setattr("cells.views.TREE_SEARCH_LIMIT", 2)

    response = client_for("staff").get(reverse("cells:tree"), {"q": "chi bo"})

    assert response.context["more"]
    assert sum(row.organization.name.startswith("Chi bộ") for row in response.context["rows"]) == 2


def test_big_tree_of_a_grassroots_committee_starts_at_its_own_node(tree, client_for, monkeypatch):
    monkeypatch.setattr("cells.views.TREE_FULL_LIMIT", 1)

    rows = client_for("grassroots").get(reverse("cells:tree")).context["rows"]

    assert [row.organization.code for row in rows] == ["A", "A1", "A2"]


#
# Node page
#


def test_node_page_pages_its_subordinate_organisations(tree, client_for, monkeypatch):
    monkeypatch.setattr("cells.views.CHILDREN_PAGE", 2)
    client = client_for("staff")

    first = client.get(reverse("cells:detail", args=[tree.root.pk]))
    second = client.get(reverse("cells:detail", args=[tree.root.pk]), {"children": 2})

    assert first.context["subtree"].member_count == 3
    codes = [row.organization.code for row in list(first.context["children"]) + list(second.context["children"])]
    assert sorted(codes) == ["A", "B", "C"]
    assert {row.organization.code: row.member_count for row in first.context["children"]}.get("A", 3) == 3
    assert "children=2" in first.content.decode()


def test_cell_page_warns_about_too_few_full_members(tree, client_for):
    # A1 has two full members; the default minimum is three (rule B19).
    response = client_for("secretary").get(reverse("cells:detail", args=[tree.a1.pk]))

    assert response.status_code == 200
    assert 'data-code="B19_FEW_FULL_MEMBERS"' in response.content.decode()


def test_cell_page_does_not_warn_when_enough_full_members(tree, personas, client_for):
    from members.services import member_create

    member_create(organization=tree.a1, full_name="Phạm Thị Dung", status=Member.Status.FULL, created_by=personas.admin)

    response = client_for("secretary").get(reverse("cells:detail", args=[tree.a1.pk]))

    assert 'data-code="B19_FEW_FULL_MEMBERS"' not in response.content.decode()


def test_node_page_hides_management_buttons_from_weak_roles(tree, client_for):
    edit_url = reverse("cells:edit", args=[tree.a1.pk])

    assert edit_url in client_for("staff").get(reverse("cells:detail", args=[tree.a1.pk])).content.decode()
    assert edit_url not in client_for("secretary").get(reverse("cells:detail", args=[tree.a1.pk])).content.decode()
    assert edit_url not in client_for("leader").get(reverse("cells:detail", args=[tree.a1.pk])).content.decode()


def test_home_lists_the_cells_with_too_few_full_members_with_their_count(tree, client_for):
    # Cell A1 has two full members (An, Bình) and one probationary; the other four cells have none.
    response = client_for("staff").get(reverse("home"))

    assert response.context["small_cells_count"] == 5
    shown = {cell["name"]: cell["full"] for cell in response.context["small_cells"]}
    assert shown == {"Chi bộ A1": 2, "Chi bộ A2": 0, "Chi bộ B1": 0, "Chi bộ B2": 0, "Chi bộ cơ sở C": 0}
    # Named in context (cells/names.py): the cell, its grassroots committee, then its full members.
    named = 'Chi bộ A1<span class="org-parent text-muted small"> · Đảng bộ A</span> <span class="text-muted">(2)</span>'
    assert named in response.content.decode()


def test_home_dashboard_shows_model_cell_coverage_for_staff(tree, client_for):
    response = client_for("staff").get(reverse("home"))

    coverage = response.context["board"].coverage
    # Five cells, none registered; đảng bộ A and B have no registered cell (C is a chi bộ cơ sở).
    assert (coverage["cells"], coverage["recognised"], coverage["missing_count"]) == (5, 0, 2)
    page = response.content.decode()
    assert "Đã công nhận 0 trên 5 chi bộ" in page
    assert "2 đảng bộ cơ sở chưa có chi bộ nào đăng ký (B22)." in page
    assert response.context["board"].quota == []  # the quota table lives on the evaluation dashboard
