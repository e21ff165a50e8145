"""Monthly content guidance (meetings/guidance/services.py, meetings/guidance/views.py): who publishes, who sees what."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cells.models import AuditEntry
from meetings.guidance.services import guidance_for_cell, guidance_publish, guidance_visible_to
from meetings.models import MonthlyGuidance
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

TODAY = "2026-11-05 08:00 +0700"


def publish(organization, user, *, year=2026, month=11, title=None, content="Học tập Nghị quyết."):
    return guidance_publish(
        organization=organization,
        year=year,
        month=month,
        title=title or f"Định hướng {organization.code} {month}/{year}",
        content=content,
        published_by=user,
    )


def form_data(**overrides) -> dict:
    data = {"year": 2026, "month": 12, "title": "Sinh hoạt chuyên đề tháng 12", "content": "Nội dung gợi ý."}
    data.update(overrides)
    return data


def visible_titles(user) -> set[str]:
    return set(guidance_visible_to(user=fresh(user)).values_list("title", flat=True))


#
# Publishing through the page
#


@time_machine.travel(TODAY)
def test_staff_publishes_and_is_redirected_to_the_list(tree, personas, client_for):
    response = client_for("staff").post(reverse("guidance:create", args=[tree.root.pk]), form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("guidance:list")
    guidance = MonthlyGuidance.objects.get()
    assert (guidance.organization, guidance.year, guidance.month) == (tree.root, 2026, 12)
    assert guidance.published_by == personas.staff
    assert AuditEntry.objects.filter(action="cells.guidance.published", target_id=guidance.pk).exists()


@time_machine.travel(TODAY)
def test_grassroots_committee_publishes_for_its_own_node(tree, client_for):
    response = client_for("grassroots").post(reverse("guidance:create", args=[tree.a.pk]), form_data())

    assert response.status_code == 302
    assert MonthlyGuidance.objects.filter(organization=tree.a).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_secretary_cannot_publish(tree, client_for, method):
    response = getattr(client_for("secretary"), method)(reverse("guidance:create", args=[tree.a1.pk]), form_data())

    assert response.status_code == 403
    assert not MonthlyGuidance.objects.exists()


@pytest.mark.parametrize(("persona", "node"), [("outsider", "a"), ("grassroots", "root"), ("grassroots", "b")])
def test_publishing_outside_the_users_scope_is_not_found(tree, client_for, persona, node):
    url = reverse("guidance:create", args=[getattr(tree, node).pk])

    response = client_for(persona).post(url, form_data())

    assert response.status_code == 404
    assert not MonthlyGuidance.objects.exists()


def test_leader_cannot_publish(tree, client_for):
    response = client_for("leader").get(reverse("guidance:create", args=[tree.root.pk]))

    assert response.status_code == 403


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("year", "month"),
    [(2026, 13), (2026, 0), (2027, 2), (2030, 1)],
    ids=["month-13", "month-0", "three-months-ahead", "years-ahead"],
)
def test_bad_or_too_distant_month_is_refused(tree, client_for, year, month):
    response = client_for("staff").post(
        reverse("guidance:create", args=[tree.root.pk]), form_data(year=year, month=month)
    )

    assert response.status_code == 200
    assert "month" in response.context["form"].errors
    assert not MonthlyGuidance.objects.exists()


@time_machine.travel(TODAY)
@pytest.mark.parametrize(("year", "month"), [(2027, 1), (2026, 11), (2026, 3), (2025, 12)])
def test_past_months_and_up_to_two_months_ahead_are_allowed(tree, personas, year, month):
    guidance = publish(tree.root, personas.staff, year=year, month=month)

    assert (guidance.year, guidance.month) == (year, month)


@time_machine.travel(TODAY)
def test_content_longer_than_10000_characters_is_refused(tree, personas, client_for):
    response = client_for("staff").post(
        reverse("guidance:create", args=[tree.root.pk]), form_data(content="x" * 10_001)
    )

    assert response.status_code == 200
    assert "content" in response.context["form"].errors
    with pytest.raises(ValidationError) as error:
        publish(tree.root, personas.staff, content="x" * 10_001)
    assert "content" in error.value.message_dict


@time_machine.travel(TODAY)
def test_blank_title_or_content_is_refused(tree, personas):
    with pytest.raises(ValidationError) as error:
        publish(tree.root, personas.staff, title="   ", content="   ")

    assert "title" in error.value.message_dict


@time_machine.travel(TODAY)
def test_form_suggests_next_month(tree, client_for):
    response = client_for("staff").get(reverse("guidance:create", args=[tree.root.pk]))

    assert response.status_code == 200
    assert response.context["form"].initial == {"year": 2026, "month": 12}


#
# Who sees what
#


@time_machine.travel(TODAY)
def test_staff_guidance_is_seen_by_everyone_below_the_staff_node(tree, personas):
    publish(tree.root, personas.staff, title="Toàn Khối")

    for persona in ("staff", "leader", "grassroots", "secretary", "outsider"):
        assert "Toàn Khối" in visible_titles(getattr(personas, persona)), persona


@time_machine.travel(TODAY)
def test_grassroots_committee_guidance_is_seen_only_in_its_subtree(tree, personas):
    publish(tree.a, personas.grassroots, title="Đảng bộ A")

    assert "Đảng bộ A" in visible_titles(personas.secretary)  # at A1, below A
    assert "Đảng bộ A" in visible_titles(personas.grassroots)
    assert "Đảng bộ A" in visible_titles(personas.staff)  # published inside the staff's subtree
    assert "Đảng bộ A" not in visible_titles(personas.outsider)  # at B1


@time_machine.travel(TODAY)
def test_users_without_a_role_see_no_guidance(tree, personas, client_for):
    publish(tree.root, personas.staff)

    assert visible_titles(personas.norole) == set()
    assert client_for("norole").get(reverse("guidance:list")).status_code == 403
    assert client_for("member").get(reverse("guidance:list")).status_code == 403


@time_machine.travel(TODAY)
def test_list_page_shows_visible_guidance_and_publish_buttons(tree, personas, client_for):
    publish(tree.root, personas.staff, title="Toàn Khối")
    publish(tree.b, personas.staff, title="Chỉ Đảng bộ B")

    secretary_page = client_for("secretary").get(reverse("guidance:list"))
    grassroots_page = client_for("grassroots").get(reverse("guidance:list"))

    assert secretary_page.status_code == 200
    assert [g.title for g in secretary_page.context["page"]] == ["Toàn Khối"]
    assert secretary_page.context["publish_targets"] == []
    assert grassroots_page.context["publish_targets"] == [tree.a]
    assert reverse("guidance:create", args=[tree.a.pk]).encode() in grassroots_page.content


#
# The meeting form's suggestion
#


@time_machine.travel(TODAY)
def test_guidance_for_cell_returns_that_months_guidance_from_the_cell_and_above(
    tree, personas, django_assert_num_queries
):
    from_root = publish(tree.root, personas.staff, title="Khối", month=11)
    from_a = publish(tree.a, personas.grassroots, title="Đảng bộ A", month=11)
    from_cell = publish(tree.a1, personas.grassroots, title="Chi bộ A1", month=11)
    publish(tree.b, personas.staff, title="Đảng bộ B", month=11)  # another subtree
    publish(tree.a, personas.grassroots, title="Tháng 10", month=10)  # another month
    publish(tree.a2, personas.grassroots, title="Chi bộ A2", month=11)  # a sibling cell
    cell = tree.a1

    with django_assert_num_queries(1):
        found = guidance_for_cell(cell=cell, year=2026, month=11)
        titles = [g.title for g in found] + [g.organization.name for g in found]

    assert found == [from_root, from_a, from_cell]
    assert titles[3:] == [tree.root.name, tree.a.name, tree.a1.name]


def test_guidance_for_cell_is_empty_without_guidance(tree):
    assert guidance_for_cell(cell=tree.a1, year=2026, month=11) == []


@time_machine.travel(TODAY)
def test_secretary_sees_the_months_guidance_when_logging_a_meeting(tree, personas, client_for):
    publish(tree.root, personas.staff, title="Học tập chuyên đề năm 2026")
    publish(tree.b, personas.staff, title="Chỉ cho Đảng bộ B")

    response = client_for("secretary").get(reverse("meetings:create", args=[tree.a1.pk]))

    assert response.status_code == 200
    assert [g.title for g in response.context["guidance"]] == ["Học tập chuyên đề năm 2026"]
    assert '<option value="Học tập chuyên đề năm 2026">' in response.content.decode()
