"""Browser flows on the member pages through the test client, and who gets 404/403 on them.

Today is frozen at 2026-06-01 (Asia/Ho_Chi_Minh) wherever a form carries dates.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cells.models import AuditEntry, RoleAssignment
from members import services
from members.models import Member, Position, StatusChange, Transfer
from tests.helpers import temporary_transfer

Status = Member.Status

FROZEN = "2026-06-01 10:00 +0700"
TODAY = datetime.date(2026, 6, 1)

pytestmark = pytest.mark.django_db


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def assert_redirects_to(response, url_name, *args):
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    assert response["Location"] == reverse(url_name, args=args)


def form_errors(response):
    assert response.status_code == 200
    return response.context["form"].errors


#
# Edit a record
#

EDIT_DATA = {
    "full_name": "  Trần   Thị Bình ",
    "gender": Member.Gender.FEMALE,
    "date_of_birth": "1985-04-30",
    "ethnicity": "Kinh",
    "admitted_on": "2010-09-02",
    "official_on": "2011-09-02",
    "party_card_no": "01.000099",
    "job_title": "Chuyên viên",
    "workplace": "Văn phòng",
    "is_civil_servant": "on",
    "phone": "0912 345 678",
    "notes": "Ghi chú",
    "version": "1",  # the version of the record when the form was read (a new record's)
}


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("persona", ["admin", "staff", "grassroots", "secretary"])
def test_member_edit_does_save_the_record(world, client_for, persona):
    member = world.members.other
    url = reverse("members:edit", args=[member.pk])
    client = client_for(persona)
    assert client.get(url).status_code == 200

    response = client.post(url, EDIT_DATA)

    assert_redirects_to(response, "members:detail", member.pk)
    member.refresh_from_db()
    assert member.full_name == "Trần Thị Bình"
    assert member.gender == Member.Gender.FEMALE
    assert member.date_of_birth == d("1985-04-30")
    assert member.admitted_on == d("2010-09-02")
    assert member.official_on == d("2011-09-02")
    assert member.party_card_no == "01.000099"
    assert member.is_civil_servant is True
    assert member.phone == "0912 345 678"
    assert member.status == Status.FULL
    assert AuditEntry.objects.filter(action="members.member.updated", target_id=member.pk).count() == 1


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"party_card_no": "01.000001"}, "party_card_no"),  # An's card
        ({"phone": "call me"}, "phone"),
        ({"full_name": "   "}, "full_name"),
        ({"date_of_birth": "2026-06-02"}, "date_of_birth"),
        ({"official_on": "2010-01-01"}, "official_on"),  # before admission
    ],
)
def test_member_edit_does_not_save_invalid_data(world, client_for, changes, field):
    member = world.members.other

    response = client_for("secretary").post(reverse("members:edit", args=[member.pk]), {**EDIT_DATA, **changes})

    assert field in form_errors(response)
    member.refresh_from_db()
    assert member.full_name == "Trần Thị Bình"
    assert member.party_card_no == "01.000002"
    assert member.job_title == ""
    assert not AuditEntry.objects.filter(action="members.member.updated").exists()


#
# Status
#


def post_status(client, member, status, decision_no, **extra):
    """The status form of `member`, posted: a change to `status` from 4 May 2026."""
    data = {"status": status, "effective_on": "2026-05-04", "decision_no": decision_no, **extra}
    return client.post(reverse("members:status", args=[member.pk]), data)


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("persona", ["staff", "secretary"])
def test_member_status_does_change_the_status_with_a_decision_number(world, client_for, persona):
    member = world.members.other

    response = post_status(client_for(persona), member, Status.EXEMPT, "15-QĐ/ĐU", reason="Tuổi cao")

    assert_redirects_to(response, "members:detail", member.pk)
    member.refresh_from_db()
    assert member.status == Status.EXEMPT
    change = StatusChange.objects.get(member=member)
    assert (change.previous_status, change.status, change.effective_on) == (Status.FULL, Status.EXEMPT, d("2026-05-04"))
    assert change.decision_no == "15-QĐ/ĐU"
    assert change.recorded_by == getattr(world.personas, persona)


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("persona", ["staff", "secretary"])
def test_member_status_does_not_change_the_status_without_a_decision_number(world, client_for, persona):
    member = world.members.other

    response = post_status(client_for(persona), member, Status.SUSPENDED, "")

    assert "decision_no" in form_errors(response)
    member.refresh_from_db()
    assert member.status == Status.FULL
    assert not StatusChange.objects.exists()
    assert not AuditEntry.objects.filter(action="members.member.status_changed").exists()


@time_machine.travel(FROZEN)
def test_member_status_does_not_offer_a_refused_transition(world, client_for):
    member = world.members.other
    url = reverse("members:status", args=[member.pk])
    client = client_for("staff")
    offered = {value for value, _label in client.get(url).context["form"].fields["status"].choices}
    assert offered == services.ALLOWED_TRANSITIONS[Status.FULL]

    response = client.post(url, {"status": Status.PROBATIONARY, "effective_on": "2026-05-04", "decision_no": "1"})

    assert "status" in form_errors(response)
    member.refresh_from_db()
    assert member.status == Status.FULL
    assert not StatusChange.objects.exists()


@time_machine.travel(FROZEN)
def test_member_status_does_send_back_to_the_record_when_no_change_is_possible(world, client_for):
    member = world.members.other
    services.member_change_status(
        member=member, status=Status.DECEASED, effective_on=d("2026-05-04"), changed_by=world.personas.staff
    )

    response = client_for("staff").get(reverse("members:status", args=[member.pk]))

    assert_redirects_to(response, "members:detail", member.pk)


#
# Committee positions
#


@time_machine.travel(FROZEN)
def test_position_assign_does_seat_the_secretary_and_grant_the_role(world, client_for):
    member = world.members.own

    response = client_for("staff").post(
        reverse("members:position_assign", args=[member.pk]),
        {
            "organization": world.tree.a1.pk,
            "role": Position.Role.SECRETARY,
            "term_label": "2025-2030",
            "started_on": "2026-05-04",
            "grant_secretary_role": "on",
        },
    )

    assert_redirects_to(response, "members:detail", member.pk)
    position = Position.objects.get(member=member)
    assert (position.organization, position.role, position.started_on) == (
        world.tree.a1,
        Position.Role.SECRETARY,
        d("2026-05-04"),
    )
    assert RoleAssignment.objects.filter(
        user=world.personas.member, organization=world.tree.a1, role=RoleAssignment.Role.SECRETARY
    ).exists()
    # The new secretary can now open the edit pages of the cell's members.
    assert client_for("member").get(reverse("members:edit", args=[world.members.other.pk])).status_code == 200


@time_machine.travel(FROZEN)
def test_position_assign_does_not_grant_the_role_when_unticked(world, client_for):
    member = world.members.own

    response = client_for("secretary").post(
        reverse("members:position_assign", args=[member.pk]),
        {"organization": world.tree.a1.pk, "role": Position.Role.SECRETARY, "started_on": "2026-05-04"},
    )

    assert_redirects_to(response, "members:detail", member.pk)
    assert Position.objects.filter(member=member).exists()
    assert not RoleAssignment.objects.filter(user=world.personas.member).exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_offer_a_secretary_only_their_own_cell(world, client_for):
    member = world.members.own
    url = reverse("members:position_assign", args=[member.pk])
    client = client_for("secretary")
    assert list(client.get(url).context["form"].fields["organization"].queryset) == [world.tree.a1]

    response = client.post(
        url, {"organization": world.tree.a.pk, "role": Position.Role.STANDING_COMMITTEE, "started_on": "2026-05-04"}
    )

    assert "organization" in form_errors(response)
    assert not Position.objects.exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_offer_staff_the_cell_and_its_ancestors(world, client_for):
    member = world.members.own
    url = reverse("members:position_assign", args=[member.pk])

    offered = client_for("staff").get(url).context["form"].fields["organization"].queryset

    assert list(offered) == [world.tree.root, world.tree.a, world.tree.a1]


#
# Official transfers
#


def transfer_data(**extra):
    return {"decided_on": "2026-05-04", "decision_no": "20-QĐ/ĐU", **extra}


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("secretary", "A2"),  # a sibling cell, outside the secretary's subtree
        ("secretary", "B1"),
        ("grassroots", "B1"),
        ("grassroots", "C"),
        ("staff", "A"),  # not a cell
        ("staff", "NOPE"),
        ("staff", "A1"),  # the member's own cell
    ],
)
def test_transfer_official_does_not_transfer_to_a_cell_outside_the_users_scope(world, client_for, persona, code):
    member = world.members.other

    response = client_for(persona).post(reverse("members:transfer", args=[member.pk]), transfer_data(to_code=code))

    errors = form_errors(response)
    assert "to_code" in errors or "__all__" in errors
    member.refresh_from_db()
    assert member.organization == world.tree.a1
    assert member.status == Status.FULL
    assert not Transfer.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="members.member.transferred").exists()


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(("persona", "code", "target"), [("grassroots", "a2", "a2"), ("staff", "B1", "b1")])
def test_transfer_official_does_move_the_member_to_a_cell_in_scope(world, client_for, persona, code, target):
    member = world.members.other

    response = client_for(persona).post(
        reverse("members:transfer", args=[member.pk]),
        transfer_data(to_code=f" {code} ", letter_issued_on="2026-05-05", letter_presented_on="2026-05-11"),
    )

    assert_redirects_to(response, "members:detail", member.pk)
    member.refresh_from_db()
    assert member.organization == getattr(world.tree, target)
    transfer = Transfer.objects.get(member=member)
    assert transfer.from_organization == world.tree.a1
    assert transfer.to_organization == getattr(world.tree, target)


@time_machine.travel(FROZEN)
def test_transfer_official_does_transfer_a_member_out_of_the_tree(world, client_for):
    member = world.members.other

    response = client_for("secretary").post(
        reverse("members:transfer", args=[member.pk]), transfer_data(to_text="Đảng bộ Tỉnh X")
    )

    assert_redirects_to(response, "members:detail", member.pk)
    member.refresh_from_db()
    assert member.status == Status.TRANSFERRED_OUT
    assert member.organization == world.tree.a1
    assert Transfer.objects.get(member=member).to_text == "Đảng bộ Tỉnh X"


@time_machine.travel(FROZEN)
def test_transfer_official_does_not_transfer_without_a_destination(world, client_for):
    member = world.members.other

    response = client_for("staff").post(reverse("members:transfer", args=[member.pk]), transfer_data())

    assert form_errors(response)
    assert not Transfer.objects.exists()


#
# Temporary transfers
#


def send_to_b1(client, member):
    """The temporary transfer form of `member`, posted: to cell B1 from 4 May 2026 for a year."""
    data = {"to_code": "B1", "decided_on": "2026-05-04", "expected_return_on": "2027-05-04"}
    return client.post(reverse("members:transfer_temporary", args=[member.pk]), data)


@time_machine.travel(FROZEN)
def test_transfer_temporary_out_does_send_a_member_to_a_cell_in_scope(world, client_for):
    member = world.members.other

    response = send_to_b1(client_for("staff"), member)

    assert_redirects_to(response, "members:detail", member.pk)
    transfer = Transfer.objects.get(member=member)
    assert (transfer.kind, transfer.from_organization, transfer.to_organization) == (
        Transfer.Kind.TEMPORARY,
        world.tree.a1,
        world.tree.b1,
    )
    member.refresh_from_db()
    assert member.organization == world.tree.a1


@time_machine.travel(FROZEN)
def test_transfer_temporary_out_does_not_send_a_member_outside_the_scope(world, client_for):
    member = world.members.other

    response = send_to_b1(client_for("secretary"), member)

    assert "to_code" in form_errors(response)
    assert not Transfer.objects.exists()


@time_machine.travel(FROZEN)
def test_temporary_member_is_added_shown_on_the_cell_page_and_ended(world, client_for):
    a1 = world.tree.a1
    client = client_for("secretary")
    cell_page = reverse("cells:detail", args=[a1.pk])
    assert client.get(cell_page).context["subtree"].member_count == 3

    response = client.post(
        reverse("members:temporary_in", args=[a1.pk]),
        {
            "member_name": "Hoàng Thị Mai",
            "from_text": "Đảng bộ Trường Đại học Y",
            "decided_on": "2026-02-01",
            "expected_return_on": "2027-02-01",
            "decision_no": "GT-12",
        },
    )

    assert_redirects_to(response, "cells:detail", a1.pk)
    transfer = Transfer.objects.get()
    assert (transfer.member_id, transfer.member_name, transfer.to_organization) == (None, "Hoàng Thị Mai", a1)
    page = client.get(cell_page)
    assert list(page.context["temporary"]) == [transfer]
    assert "Hoàng Thị Mai" in page.content.decode()
    assert page.context["subtree"].member_count == 3  # not on the roll
    assert Member.objects.filter(organization=a1).count() == 3

    end_url = reverse("members:temporary_end", args=[transfer.pk])
    assert client.get(end_url).status_code == 200
    response = client.post(end_url, {"ended_on": "2026-05-29"})

    assert_redirects_to(response, "cells:detail", a1.pk)
    transfer.refresh_from_db()
    assert transfer.ended_on == d("2026-05-29")
    assert list(client.get(cell_page).context["temporary"]) == []


@time_machine.travel(FROZEN)
def test_temporary_member_is_not_added_for_more_than_two_years(world, client_for):
    response = client_for("secretary").post(
        reverse("members:temporary_in", args=[world.tree.a1.pk]),
        {
            "member_name": "Hoàng Thị Mai",
            "from_text": "Đảng bộ Trường Đại học Y",
            "decided_on": "2026-02-01",
            "expected_return_on": "2028-02-02",
        },
    )

    assert "expected_return_on" in form_errors(response)
    assert not Transfer.objects.exists()


#
# Who may open what
#


@pytest.fixture
def a1_objects(world):
    """A position and a temporary transfer at A1, so that their own URLs can be checked too."""
    with time_machine.travel(FROZEN):
        position = services.position_assign(
            member=world.members.other,
            organization=world.tree.a1,
            role=Position.Role.COMMITTEE_MEMBER,
            started_on=d("2026-01-05"),
            assigned_by=world.personas.staff,
        )
        temporary = temporary_transfer(world)
    return {"position": position, "temporary": temporary}


def member_urls(world, a1_objects, which="other"):
    member = getattr(world.members, which)
    return [
        reverse("members:edit", args=[member.pk]),
        reverse("members:status", args=[member.pk]),
        reverse("members:position_assign", args=[member.pk]),
        reverse("members:transfer", args=[member.pk]),
        reverse("members:transfer_temporary", args=[member.pk]),
    ]


def cell_urls(world, a1_objects):
    return [
        reverse("members:create", args=[world.tree.a1.pk]),
        reverse("members:temporary_in", args=[world.tree.a1.pk]),
        reverse("members:position_end", args=[world.members.other.pk, a1_objects["position"].pk]),
        reverse("members:temporary_end", args=[a1_objects["temporary"].pk]),
    ]


def assert_nothing_written(world, a1_objects, before):
    assert AuditEntry.objects.count() == before
    a1_objects["position"].refresh_from_db()
    a1_objects["temporary"].refresh_from_db()
    assert a1_objects["position"].ended_on is None
    assert a1_objects["temporary"].ended_on is None
    for member in (world.members.own, world.members.other, world.members.probationary):
        member.refresh_from_db()
        assert member.organization == world.tree.a1


@pytest.mark.parametrize("which", ["own", "other", "probationary"])
def test_secretary_of_another_cell_does_get_404_on_every_member_page_of_a1(world, client_for, a1_objects, which):
    client = client_for("outsider")
    before = AuditEntry.objects.count()
    member = getattr(world.members, which)
    assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404

    for url in [*member_urls(world, a1_objects, which), *cell_urls(world, a1_objects)]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"full_name": "X", "ended_on": "2026-05-04"}).status_code == 404, url

    assert_nothing_written(world, a1_objects, before)


def test_leader_does_get_403_on_edit_pages_of_visible_members(world, client_for, a1_objects):
    client = client_for("leader")
    before = AuditEntry.objects.count()
    assert client.get(reverse("members:detail", args=[world.members.other.pk])).status_code == 200

    for url in [*member_urls(world, a1_objects), *cell_urls(world, a1_objects)]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"full_name": "X", "ended_on": "2026-05-04"}).status_code == 403, url

    assert_nothing_written(world, a1_objects, before)


def test_member_does_see_their_own_record_but_cannot_edit_it(world, client_for, a1_objects):
    client = client_for("member")
    own = world.members.own
    before = AuditEntry.objects.count()

    response = client.get(reverse("members:detail", args=[own.pk]))
    assert response.status_code == 200
    assert response.context["is_self"] is True
    assert response.context["can_edit"] is False
    assert client.get(reverse("members:me")).status_code == 302

    for url in member_urls(world, a1_objects, "own"):
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, EDIT_DATA).status_code in (403, 404), url
    assert client.get(reverse("members:detail", args=[world.members.other.pk])).status_code == 404

    assert_nothing_written(world, a1_objects, before)
    own.refresh_from_db()
    assert own.full_name == "Nguyễn Văn An"


def test_member_detail_does_show_the_phone_only_with_view_sensitive(world, client_for):
    member = world.members.other
    Member.objects.filter(pk=member.pk).update(phone="0912 345 678")
    url = reverse("members:detail", args=[member.pk])

    assert "0912 345 678" in client_for("secretary").get(url).content.decode()
    assert "0912 345 678" not in client_for("leader").get(url).content.decode()


def test_member_pages_do_not_exist_for_an_unknown_member(world, client_for):
    client = client_for("staff")

    for name in ("detail", "edit", "status", "position_assign", "transfer", "transfer_temporary"):
        assert client.get(reverse(f"members:{name}", args=[999_999])).status_code == 404


def test_member_page_query_count_does_not_grow_with_transfers(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member, client = world.members.own, client_for("staff")
    url = reverse("members:detail", args=[member.pk])

    def add_transfers(days):
        for day in days:  # decided under different parameter sets (2019 → QĐ 132, 2026 → QĐ 366 and later)
            Transfer.objects.create(
                kind=Transfer.Kind.OFFICIAL,
                member=member,
                from_organization=world.tree.a2,
                to_organization=world.tree.a1,
                decided_on=datetime.date.fromisoformat(day),
            )

    add_transfers(["2026-01-05"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_transfers(["2019-03-04", "2022-06-06", "2025-11-03", "2026-02-02"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["transfers"]) == 5
    assert len(many) == len(few)
