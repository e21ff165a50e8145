"""The member registry's foundation: who may be put on a roll, and who may see a record."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cells import services as cell_services
from members import services
from members.models import Member

pytestmark = pytest.mark.django_db


def create_member(organization, *, by, **fields):
    fields.setdefault("full_name", "Phạm Văn Đức")
    return services.member_create(organization=organization, created_by=by, **fields)


@pytest.mark.parametrize("node", ["root", "a", "b"])
def test_member_create_refuses_non_cell_organization(tree, personas, node):
    count = Member.objects.count()

    with pytest.raises(ValidationError) as caught:
        create_member(getattr(tree, node), by=personas.staff)

    assert "organization" in caught.value.message_dict
    assert Member.objects.count() == count


def test_member_create_accepts_grassroots_cell(tree, personas):
    member = create_member(tree.c, by=personas.staff)

    assert member.organization == tree.c


def test_member_create_refuses_dissolved_cell(tree, personas):
    a2 = cell_services.organization_dissolve(
        organization=tree.a2, dissolved_on=timezone.localdate(), reason="QĐ", dissolved_by=personas.staff
    )

    with pytest.raises(ValidationError) as caught:
        create_member(a2, by=personas.staff)

    assert "organization" in caught.value.message_dict
    assert not Member.objects.filter(organization=tree.a2).exists()


def test_member_create_refuses_future_admission_date(tree, personas):
    count = Member.objects.count()

    with pytest.raises(ValidationError) as caught:
        create_member(tree.a1, by=personas.staff, admitted_on=timezone.localdate() + datetime.timedelta(days=1))

    assert "admitted_on" in caught.value.message_dict
    assert Member.objects.count() == count


@pytest.mark.parametrize("card", ["01.000001", " 01.000001 "])
def test_member_create_refuses_duplicate_card_number(tree, personas, card):
    count = Member.objects.count()

    with pytest.raises(ValidationError) as caught:
        create_member(tree.a2, by=personas.staff, party_card_no=card)

    assert "party_card_no" in caught.value.message_dict
    assert Member.objects.count() == count


def test_member_create_allows_several_members_without_card_number(tree, personas):
    first = create_member(tree.a2, by=personas.staff, party_card_no="")
    second = create_member(tree.a2, by=personas.staff, full_name="Hoàng Thị Lan", party_card_no=None)

    assert first.party_card_no is None
    assert second.party_card_no is None


def test_member_create_refuses_status_other_than_probationary_or_full(tree, personas):
    with pytest.raises(ValidationError) as caught:
        create_member(tree.a2, by=personas.staff, status=Member.Status.TRANSFERRED_OUT)

    assert "status" in caught.value.message_dict
    assert not Member.objects.filter(organization=tree.a2).exists()


def test_member_create_writes_audit_entry(tree, personas):
    from cells.models import AuditEntry

    member = create_member(tree.a2, by=personas.staff)

    assert AuditEntry.objects.filter(
        action="members.member.created", target_id=member.pk, actor=personas.staff
    ).exists()


def test_member_user_sees_own_record_only(world, client_for):
    client = client_for("member")

    assert client.get(reverse("members:detail", args=[world.members.own.pk])).status_code == 200
    assert client.get(reverse("members:detail", args=[world.members.other.pk])).status_code == 404
    assert client.get(reverse("members:detail", args=[world.members.probationary.pk])).status_code == 404
    assert client.get(reverse("cells:detail", args=[world.tree.a1.pk])).status_code == 404


def test_member_user_my_record_redirects_to_own_record(world, client_for):
    response = client_for("member").get(reverse("members:me"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[world.members.own.pk])


def test_secretary_creates_member_through_the_form(tree, client_for):
    response = client_for("secretary").post(
        reverse("members:create", args=[tree.a1.pk]),
        {"full_name": "Võ Thị Mai", "status": Member.Status.PROBATIONARY, "gender": "", "party_card_no": ""},
    )

    assert response.status_code == 302
    assert Member.objects.filter(organization=tree.a1, full_name="Võ Thị Mai").exists()


def test_outsider_cannot_create_member_in_another_cell(tree, client_for):
    response = client_for("outsider").post(
        reverse("members:create", args=[tree.a1.pk]),
        {"full_name": "Võ Thị Mai", "status": Member.Status.PROBATIONARY},
    )

    assert response.status_code == 404
    assert not Member.objects.filter(full_name="Võ Thị Mai").exists()
