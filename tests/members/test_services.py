"""members.services and members.selectors.probation_alerts, exhaustively against the database.

Most tests run with today frozen at 2026-06-01 (Asia/Ho_Chi_Minh) so that every date below is fixed.
"""

import datetime
import json
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Q

from cells import selectors as cell_selectors
from cells.models import AuditEntry, Holiday, RoleAssignment
from cells.permissions import EDIT_MEMBERS, get_access
from criteria.models import RuleParameterSet
from members import selectors as member_selectors
from members import services
from members.models import Member, Position, StatusChange, Transfer
from members.selectors import probation_alerts
from tests.conftest import fresh
from tests.helpers import temporary_transfer

Status = Member.Status
Role = Position.Role

FROZEN = "2026-06-01 10:00 +0700"
TODAY = datetime.date(2026, 6, 1)
LONG_AGO = datetime.date(2018, 1, 1)  # an admission date whose probation is long over
SETUP_DAY = datetime.date(2026, 1, 5)  # the day the member reached the status under test
CHANGE_DAY = datetime.date(2026, 3, 2)  # the day of the change under test (after SETUP_DAY, before TODAY)

pytestmark = pytest.mark.django_db


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def new_member(world, *, name="Phạm Minh Đức", status=Status.FULL, admitted_on=LONG_AGO, organization=None, **extra):
    official_on = extra.pop("official_on", None)
    if status == Status.FULL and admitted_on and official_on is None:
        official_on = admitted_on + datetime.timedelta(days=366)
    return services.member_create(
        organization=organization or world.tree.a1,
        full_name=name,
        status=status,
        admitted_on=admitted_on,
        official_on=official_on,
        created_by=world.personas.admin,
        **extra,
    )


def change(world, member, status, on, decision_no="12-QĐ/ĐU", **extra):
    return services.member_change_status(
        member=member,
        status=status,
        effective_on=on,
        decision_no=decision_no,
        changed_by=world.personas.staff,
        **extra,
    )


def refused(world, member, status, on, **extra) -> dict:
    """The field errors of a status change that must be refused."""
    with pytest.raises(ValidationError) as error:
        change(world, member, status, on, **extra)
    return error.value.message_dict


def member_in(world, status, *, via=None):
    """A member who has reached `status` through the services (on SETUP_DAY), never by writing the field."""
    if status in (Status.PROBATIONARY, Status.FULL):
        return new_member(world, status=status)
    if status == Status.SUSPENDED:
        member = member_in(world, via) if via == Status.EXEMPT else new_member(world, status=via or Status.FULL)
        return change(world, member, Status.SUSPENDED, SETUP_DAY)
    if status == Status.TRANSFERRED_OUT:
        member = new_member(world)
        services.transfer_official(
            member=member, to_text="Đảng bộ Tỉnh X", decided_on=SETUP_DAY, transferred_by=world.personas.staff
        )
        member.refresh_from_db()
        return member
    member = new_member(world)
    return change(world, member, status, SETUP_DAY)


def assert_unchanged(member, status, changes):
    member.refresh_from_db()
    assert member.status == status
    assert StatusChange.objects.filter(member=member).count() == changes


#
# Status changes
#

ALLOWED = sorted((current, target) for current, targets in services.ALLOWED_TRANSITIONS.items() for target in targets)


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_member_change_status_does_apply_every_allowed_transition(world, current, target):
    # After a suspension the member may only go back to where they were: suspend from that status.
    member = member_in(
        world, current, via=target if target in (Status.FULL, Status.PROBATIONARY, Status.EXEMPT) else None
    )
    changes_before = member.status_changes.count()

    result = change(world, member, target, CHANGE_DAY, reason="  Theo   nghị quyết  ")

    member.refresh_from_db()
    assert result.status == member.status == target
    assert member.status_changes.count() == changes_before + 1
    last = member.status_changes.order_by("-effective_on", "-id").first()
    assert last.previous_status == current
    assert last.status == target
    assert last.effective_on == CHANGE_DAY
    assert last.decision_no == "12-QĐ/ĐU"
    assert last.reason == "Theo nghị quyết"
    assert last.organization == world.tree.a1
    assert last.recorded_by == world.personas.staff
    assert AuditEntry.objects.filter(
        action="members.member.status_changed", target_id=member.pk, organization=world.tree.a1
    ).exists()


def test_allowed_transitions_cover_every_status():
    assert set(services.ALLOWED_TRANSITIONS) == set(Status.values)
    for current, targets in services.ALLOWED_TRANSITIONS.items():
        assert current not in targets


REFUSED_FROM = {  # the targets refused from each current status, the status itself included where listed
    Status.TRANSFERRED_OUT: [Status.FULL, Status.PROBATIONARY],
    Status.DECEASED: [Status.FULL, Status.PROBATIONARY, Status.LEFT_PARTY, Status.SUSPENDED, Status.DECEASED],
    Status.LEFT_PARTY: [Status.FULL, Status.PROBATIONARY],
    Status.FULL: [Status.PROBATIONARY, Status.TRANSFERRED_OUT, Status.FULL],  # transfers have their own service
    Status.PROBATIONARY: [Status.EXEMPT, Status.TRANSFERRED_OUT, Status.PROBATIONARY],
    Status.EXEMPT: [Status.PROBATIONARY],
    Status.SUSPENDED: [Status.SUSPENDED],
}
REFUSED = [(current, target) for current, targets in REFUSED_FROM.items() for target in targets]


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_member_change_status_does_not_apply_a_refused_transition(world, current, target):
    member = member_in(world, current)
    changes_before = member.status_changes.count()

    assert "status" in refused(world, member, target, CHANGE_DAY)
    assert_unchanged(member, current, changes_before)


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_accept_an_unknown_status(world):
    member = world.members.other

    with pytest.raises(ValidationError):
        change(world, member, "NOT_A_STATUS", CHANGE_DAY)

    assert_unchanged(member, Status.FULL, 0)


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.PROBATIONARY, Status.FULL),
        (Status.FULL, Status.EXEMPT),
        (Status.FULL, Status.SUSPENDED),
        (Status.FULL, Status.LEFT_PARTY),
        (Status.EXEMPT, Status.FULL),
    ],
)
@pytest.mark.parametrize("decision_no", ["", "   "])
def test_member_change_status_does_require_a_decision_number(world, current, target, decision_no):
    member = member_in(world, current)
    changes_before = member.status_changes.count()

    assert "decision_no" in refused(world, member, target, CHANGE_DAY, decision_no=decision_no)
    assert_unchanged(member, current, changes_before)


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_require_a_decision_number_for_a_death(world):
    member = world.members.other

    change(world, member, Status.DECEASED, CHANGE_DAY, decision_no="")

    member.refresh_from_db()
    assert member.status == Status.DECEASED
    assert member.status_changes.get().decision_no == ""


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_accept_a_future_date(world):
    member = world.members.other

    assert "effective_on" in refused(world, member, Status.EXEMPT, TODAY + datetime.timedelta(days=1))
    assert_unchanged(member, Status.FULL, 0)


@time_machine.travel(FROZEN)
def test_member_change_status_does_accept_today(world):
    member = world.members.other

    change(world, member, Status.EXEMPT, TODAY)

    member.refresh_from_db()
    assert member.status == Status.EXEMPT


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_accept_a_date_before_the_previous_change(world):
    member = member_in(world, Status.EXEMPT)  # exempt since SETUP_DAY

    assert "effective_on" in refused(world, member, Status.FULL, SETUP_DAY - datetime.timedelta(days=1))
    assert_unchanged(member, Status.EXEMPT, 1)


@time_machine.travel(FROZEN)
def test_member_change_status_does_accept_the_same_day_as_the_previous_change(world):
    member = member_in(world, Status.EXEMPT)

    change(world, member, Status.FULL, SETUP_DAY)

    assert_unchanged(member, Status.FULL, 2)


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_accept_a_date_before_admission(world):
    member = new_member(world, admitted_on=d("2026-02-01"), official_on=d("2026-02-01"))

    assert "effective_on" in refused(world, member, Status.EXEMPT, d("2026-01-31"))
    assert_unchanged(member, Status.FULL, 0)


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_accept_an_end_before_the_start(world):
    member = world.members.other

    assert "ends_on" in refused(world, member, Status.EXEMPT, CHANGE_DAY, ends_on=CHANGE_DAY)
    assert_unchanged(member, Status.FULL, 0)


#
# Probation (12 months by default; the months come from the parameter set in force on the change date)
#


@pytest.fixture
def eighteen_months():
    """A parameter set in force from 2026 with 18 months of probation (12 before)."""
    RuleParameterSet.objects.create(name="Thử 18 tháng", valid_from=d("2026-01-01"), values={"probation_months": 18})


def assert_made_full(world, member, on):
    """The probationary `member` is recognised as a full member on `on`: one change in the timeline."""
    change(world, member, Status.FULL, on)
    assert_unchanged(member, Status.FULL, 1)
    assert member.official_on == on


@time_machine.travel(FROZEN)
def test_member_change_status_does_not_make_full_before_the_probation_ends(world):
    member = new_member(world, status=Status.PROBATIONARY, admitted_on=d("2025-03-10"))

    assert "effective_on" in refused(world, member, Status.FULL, d("2026-03-09"))
    assert_unchanged(member, Status.PROBATIONARY, 0)
    assert member.official_on is None


@time_machine.travel(FROZEN)
def test_member_change_status_does_make_full_when_the_probation_ends_and_sets_official_on(world):
    member = new_member(world, status=Status.PROBATIONARY, admitted_on=d("2025-03-10"))

    assert_made_full(world, member, d("2026-03-10"))


@time_machine.travel(FROZEN)
def test_member_change_status_does_take_probation_months_from_the_parameter_set_in_force(world, eighteen_months):
    member = new_member(world, status=Status.PROBATIONARY, admitted_on=d("2024-10-01"))

    # 12 months would end on 2025-10-01; the set valid on 2026-03-02 says 18, so not before 2026-04-01.
    assert "effective_on" in refused(world, member, Status.FULL, d("2026-03-31"))
    assert_unchanged(member, Status.PROBATIONARY, 0)

    assert_made_full(world, member, d("2026-04-01"))


@time_machine.travel(FROZEN)
def test_member_change_status_does_use_the_parameters_valid_on_the_change_date_not_today(world, eighteen_months):
    member = new_member(world, status=Status.PROBATIONARY, admitted_on=d("2024-10-01"))

    # Effective 2025-12-01: the default 12 months were in force then, so the probation ended on 2025-10-01.
    assert_made_full(world, member, d("2025-12-01"))


#
# Suspension: back only to the status held before it
#


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("before", "other"),
    [(Status.FULL, Status.PROBATIONARY), (Status.PROBATIONARY, Status.FULL)],
    ids=["full-not-to-probation", "probationary-not-to-full"],
)
def test_member_change_status_does_not_return_a_suspended_member_to_another_status(world, before, other):
    member = member_in(world, Status.SUSPENDED, via=before)

    assert "status" in refused(world, member, other, CHANGE_DAY)
    assert_unchanged(member, Status.SUSPENDED, 1)


@time_machine.travel(FROZEN)
def test_member_change_status_does_return_a_suspended_member_to_the_previous_status(world):
    member = member_in(world, Status.SUSPENDED, via=Status.FULL)

    change(world, member, Status.FULL, CHANGE_DAY)

    assert_unchanged(member, Status.FULL, 2)


# Decision D1 (an exempt member comes back exempt, a probationary one probationary): tests/members/test_D1_suspension.py


#
# Official transfers
#


@time_machine.travel(FROZEN)
def test_transfer_official_does_move_the_member_within_the_tree(world):
    member, a1, a2 = world.members.other, world.tree.a1, world.tree.a2

    transfer = services.transfer_official(
        member=member,
        to_organization=a2,
        decided_on=d("2026-05-04"),
        decision_no="  05-QĐ/ĐU ",
        letter_issued_on=d("2026-05-05"),
        letter_presented_on=d("2026-05-11"),
        transferred_by=world.personas.staff,
    )

    member.refresh_from_db()
    assert member.organization == a2
    assert member.status == Status.FULL
    assert StatusChange.objects.filter(member=member).count() == 0
    assert Transfer.objects.filter(member=member).count() == 1
    assert transfer.kind == Transfer.Kind.OFFICIAL
    assert transfer.decision_no == "05-QĐ/ĐU"
    assert transfer.completed_on == d("2026-05-11")
    assert transfer.recorded_by == world.personas.staff
    assert list(a1.transfers_out.all()) == [transfer]
    assert list(a2.transfers_in.all()) == [transfer]
    assert list(Transfer.objects.filter(Q(from_organization=a1) | Q(to_organization=a1))) == [transfer]
    assert list(Transfer.objects.filter(Q(from_organization=a2) | Q(to_organization=a2))) == [transfer]
    for organization in (a1, a2):
        entry = AuditEntry.objects.get(action="members.member.transferred", organization=organization)
        assert entry.target_id == member.pk
        assert entry.data == {"transfer": transfer.pk}
        assert entry.actor == world.personas.staff


@time_machine.travel(FROZEN)
def test_transfer_official_does_mark_a_member_leaving_the_tree_as_transferred_out(world):
    member, a1 = world.members.other, world.tree.a1

    transfer = services.transfer_official(
        member=member,
        to_text="  Đảng bộ   Tỉnh X ",
        decided_on=d("2026-05-04"),
        decision_no="05-QĐ/ĐU",
        letter_issued_on=d("2026-05-05"),
        transferred_by=world.personas.staff,
    )

    member.refresh_from_db()
    assert member.status == Status.TRANSFERRED_OUT
    assert member.organization == a1  # the record stays in the cell's history
    assert transfer.to_organization is None
    assert transfer.to_text == "Đảng bộ Tỉnh X"
    assert transfer.from_organization == a1
    assert transfer.completed_on == d("2026-05-05")
    status_change = StatusChange.objects.get(member=member)
    assert status_change.previous_status == Status.FULL
    assert status_change.status == Status.TRANSFERRED_OUT
    assert status_change.effective_on == d("2026-05-04")
    assert status_change.decision_no == "05-QĐ/ĐU"
    assert status_change.organization == a1
    assert AuditEntry.objects.filter(action="members.member.transferred_out", organization=a1).count() == 1
    # Off the roll: no longer counted in the cell.
    counts = member_selectors.member_counts_by_organization(organization_filter=Q())
    assert counts[a1.pk]["all"] == 2


def refused_transfer(world, member, **kwargs):
    organization_before = member.organization_id
    status_before = member.status
    transfers_before = Transfer.objects.count()
    with pytest.raises(ValidationError) as error:
        services.transfer_official(member=member, transferred_by=world.personas.staff, **kwargs)
    member.refresh_from_db()
    assert member.organization_id == organization_before
    assert member.status == status_before
    assert Transfer.objects.count() == transfers_before
    assert not AuditEntry.objects.filter(action__startswith="members.member.transferred").exists()
    return error.value


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("status", [Status.DECEASED, Status.LEFT_PARTY, Status.TRANSFERRED_OUT])
def test_transfer_official_does_not_transfer_a_member_off_the_roll(world, status):
    member = member_in(world, status)
    AuditEntry.objects.filter(action__startswith="members.member.transferred").delete()

    refused_transfer(world, member, to_organization=world.tree.a2, decided_on=CHANGE_DAY)


@time_machine.travel(FROZEN)
def test_transfer_official_does_not_transfer_to_the_same_cell(world):
    error = refused_transfer(world, world.members.other, to_organization=world.tree.a1, decided_on=CHANGE_DAY)

    assert "to_organization" in error.message_dict


@time_machine.travel(FROZEN)
def test_transfer_official_does_not_transfer_to_a_node_that_is_not_a_cell(world):
    error = refused_transfer(world, world.members.other, to_organization=world.tree.b, decided_on=CHANGE_DAY)

    assert "organization" in error.message_dict


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("to_text", ["", "   "])
def test_transfer_official_does_require_a_destination(world, to_text):
    error = refused_transfer(world, world.members.other, to_text=to_text, decided_on=CHANGE_DAY)

    assert "to_organization" in error.message_dict


@time_machine.travel(FROZEN)
def test_transfer_official_does_not_accept_both_a_cell_and_a_text_destination(world):
    error = refused_transfer(
        world, world.members.other, to_organization=world.tree.a2, to_text="Đảng bộ Tỉnh X", decided_on=CHANGE_DAY
    )

    assert "to_organization" in error.message_dict


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"decided_on": TODAY + datetime.timedelta(days=1)}, "decided_on"),
        ({"decided_on": CHANGE_DAY, "letter_issued_on": CHANGE_DAY - datetime.timedelta(days=1)}, "letter_issued_on"),
        ({"decided_on": CHANGE_DAY, "letter_issued_on": TODAY + datetime.timedelta(days=1)}, "letter_issued_on"),
        (
            {"decided_on": CHANGE_DAY, "letter_issued_on": d("2026-03-10"), "letter_presented_on": d("2026-03-09")},
            "letter_presented_on",
        ),
        ({"decided_on": CHANGE_DAY, "letter_presented_on": d("2026-03-09")}, "letter_issued_on"),
        (
            {
                "decided_on": CHANGE_DAY,
                "letter_issued_on": d("2026-03-10"),
                "letter_presented_on": TODAY + datetime.timedelta(days=1),
            },
            "letter_presented_on",
        ),
    ],
)
def test_transfer_official_does_not_accept_inconsistent_dates(world, dates, field):
    error = refused_transfer(world, world.members.other, to_organization=world.tree.a2, **dates)

    assert field in error.message_dict


#
# Deadlines (rule B20): working days skip Saturdays and Sundays
#

# Decided Monday 2026-01-05. 60 working days = 12 full weeks of five working days = 84 calendar days,
# so the procedure is due Monday 2026-03-30 (Jan 5 + 26 days = Jan 31, + 28 = Feb 28, + 30 = Mar 30).
DECIDED = d("2026-01-05")
PROCEDURE_DUE = d("2026-03-30")
# Letter issued Friday 2026-01-09. 30 working days = 6 weeks = 42 days: Friday 2026-02-20.
LETTER_ISSUED = d("2026-01-09")
LETTER_DUE = d("2026-02-20")


@pytest.fixture
def without_holidays(db):
    """The weekend arithmetic alone: no holiday calendar (the seeded one puts Tết 2026 in these spans; B20 with
    holidays: tests/cells/test_calendar.py)."""
    Holiday.objects.all().delete()


@pytest.mark.usefixtures("without_holidays")
def test_add_working_days_does_skip_weekends():
    friday = d("2026-01-09")

    assert services.add_working_days(friday, 1) == d("2026-01-12")  # Monday
    assert services.add_working_days(friday, 5) == d("2026-01-16")
    assert services.add_working_days(d("2026-01-10"), 1) == d("2026-01-12")  # from a Saturday
    assert services.add_working_days(friday, 0) == friday


def transfer(**kwargs):
    return Transfer(kind=Transfer.Kind.OFFICIAL, decided_on=DECIDED, **kwargs)


@time_machine.travel(FROZEN)
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_count_60_and_30_working_days(db):
    deadlines = services.transfer_deadlines(transfer(letter_issued_on=LETTER_ISSUED))

    assert deadlines["procedure_due"] == PROCEDURE_DUE
    assert deadlines["letter_due"] == LETTER_DUE
    assert PROCEDURE_DUE.weekday() == 0 and LETTER_DUE.weekday() == 4


@time_machine.travel(FROZEN)
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_flag_late_open_procedures(db):
    deadlines = services.transfer_deadlines(transfer(letter_issued_on=LETTER_ISSUED))

    assert deadlines["procedure_late"] is True  # not completed, and today (2026-06-01) is past 2026-03-30
    assert deadlines["letter_late"] is True


@time_machine.travel("2026-02-02 10:00 +0700")
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_not_flag_open_procedures_still_in_time(db):
    deadlines = services.transfer_deadlines(transfer(letter_issued_on=LETTER_ISSUED))

    assert deadlines["procedure_late"] is False
    assert deadlines["letter_late"] is False


@time_machine.travel(FROZEN)
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_not_flag_procedures_completed_on_the_due_date(db):
    deadlines = services.transfer_deadlines(
        transfer(letter_issued_on=LETTER_ISSUED, letter_presented_on=LETTER_DUE, completed_on=PROCEDURE_DUE)
    )

    assert deadlines["procedure_late"] is False
    assert deadlines["letter_late"] is False


@time_machine.travel(FROZEN)
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_flag_procedures_completed_a_day_late(db):
    deadlines = services.transfer_deadlines(
        transfer(
            letter_issued_on=LETTER_ISSUED,
            letter_presented_on=LETTER_DUE + datetime.timedelta(days=3),  # the next Monday
            completed_on=PROCEDURE_DUE + datetime.timedelta(days=1),
        )
    )

    assert deadlines["procedure_late"] is True
    assert deadlines["letter_late"] is True


@time_machine.travel(FROZEN)
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_not_have_a_letter_deadline_without_a_letter(db):
    deadlines = services.transfer_deadlines(transfer())

    assert deadlines["letter_due"] is None
    assert deadlines["letter_late"] is False


@time_machine.travel(FROZEN)
@pytest.mark.usefixtures("without_holidays")
def test_transfer_deadlines_does_take_working_days_from_the_parameter_set_in_force(db):
    RuleParameterSet.objects.create(name="Thử", valid_from=d("2026-01-01"), values={"transfer_working_days": 5})

    assert services.transfer_deadlines(transfer())["procedure_due"] == d("2026-01-12")


#
# Temporary transfers: attending without joining the roll
#


def on_roll_counts(world):
    counts = member_selectors.member_counts_by_organization(organization_filter=Q())
    tree = {
        row.organization.pk: row.member_count for row in cell_selectors.organization_tree(user=world.personas.staff)
    }
    return {
        name: (counts.get(getattr(world.tree, name).pk, {"all": 0})["all"], tree[getattr(world.tree, name).pk])
        for name in ("a1", "a2", "a", "b1", "root")
    }


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_not_count_a_visitor_from_outside_in_the_headcount(world):
    before = on_roll_counts(world)
    members_before = Member.objects.count()

    transfer = temporary_transfer(world, member_name="  Hoàng   Thị Mai ", transferred_by=world.personas.secretary)

    assert transfer.kind == Transfer.Kind.TEMPORARY
    assert transfer.member is None
    assert transfer.member_name == "Hoàng Thị Mai"
    assert transfer.display_name == "Hoàng Thị Mai"
    assert transfer.from_text == "Đảng bộ Trường Đại học Y"
    assert transfer.from_organization is None
    assert transfer.ended_on is None
    assert Member.objects.count() == members_before
    assert on_roll_counts(world) == before
    assert before["a1"] == (3, 3)
    assert AuditEntry.objects.filter(
        action="members.transfer.temporary_started", organization=world.tree.a1, target_id=transfer.pk
    ).exists()


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_keep_a_tree_member_on_the_home_roll(world):
    before = on_roll_counts(world)
    member = world.members.other

    transfer = temporary_transfer(
        world, member=member, to_organization=world.tree.b1, expected_return_on=d("2026-08-01")
    )

    member.refresh_from_db()
    assert member.organization == world.tree.a1
    assert transfer.from_organization == world.tree.a1
    assert transfer.member_name == ""
    assert on_roll_counts(world) == before


def refused_temporary(world, **kwargs):
    transfers_before = Transfer.objects.count()
    with pytest.raises(ValidationError) as error:
        temporary_transfer(world, **kwargs)
    assert Transfer.objects.count() == transfers_before
    return error.value


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_not_last_more_than_two_years(world):
    error = refused_temporary(world, expected_return_on=d("2028-02-02"))

    assert "expected_return_on" in error.message_dict


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_accept_exactly_two_years(world):
    transfer = temporary_transfer(world, expected_return_on=d("2028-02-01"))

    assert transfer.expected_return_on == d("2028-02-01")


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("end", ["2026-02-01", "2026-01-31"])
def test_transfer_temporary_does_not_end_before_it_starts(world, end):
    error = refused_temporary(world, expected_return_on=d(end))

    assert "expected_return_on" in error.message_dict


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_not_start_in_the_future(world):
    error = refused_temporary(world, decided_on=TODAY + datetime.timedelta(days=1), expected_return_on=d("2026-09-01"))

    assert "decided_on" in error.message_dict


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(("member_name", "from_text"), [("", "Đảng bộ Trường Y"), ("Hoàng Thị Mai", ""), ("", "")])
def test_transfer_temporary_does_require_name_and_home_of_a_visitor(world, member_name, from_text):
    error = refused_temporary(world, member_name=member_name, from_text=from_text, expected_return_on=d("2026-09-01"))

    assert "member_name" in error.message_dict


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_not_send_a_member_to_their_own_cell(world):
    error = refused_temporary(world, member=world.members.other, expected_return_on=d("2026-09-01"))

    assert "to_organization" in error.message_dict


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_not_send_a_member_off_the_roll(world):
    member = member_in(world, Status.DECEASED)

    refused_temporary(world, member=member, to_organization=world.tree.b1, expected_return_on=d("2026-09-01"))


@time_machine.travel(FROZEN)
def test_transfer_temporary_does_not_open_a_second_temporary_transfer_for_a_member(world):
    member = world.members.other
    first = temporary_transfer(world, member=member, to_organization=world.tree.b1, expected_return_on=d("2026-08-01"))

    refused_temporary(world, member=member, to_organization=world.tree.b2, expected_return_on=d("2026-09-01"))

    assert list(Transfer.objects.filter(member=member)) == [first]


@time_machine.travel(FROZEN)
def test_transfer_temporary_end_does_close_it_and_allow_a_new_one(world):
    member = world.members.other
    first = temporary_transfer(world, member=member, to_organization=world.tree.b1, expected_return_on=d("2026-08-01"))

    services.transfer_temporary_end(transfer=first, ended_on=d("2026-04-30"), ended_by=world.personas.outsider)

    first.refresh_from_db()
    assert first.ended_on == d("2026-04-30")
    assert AuditEntry.objects.filter(
        action="members.transfer.temporary_ended", organization=world.tree.b1, target_id=first.pk
    ).exists()
    second = temporary_transfer(
        world,
        member=member,
        to_organization=world.tree.b2,
        decided_on=d("2026-05-04"),
        expected_return_on=d("2026-09-01"),
    )
    assert second.ended_on is None


@time_machine.travel(FROZEN)
def test_transfer_temporary_end_does_not_close_a_closed_one_again(world):
    transfer = temporary_transfer(world)
    services.transfer_temporary_end(transfer=transfer, ended_on=d("2026-04-30"), ended_by=world.personas.staff)

    with pytest.raises(ValidationError):
        services.transfer_temporary_end(transfer=transfer, ended_on=d("2026-05-04"), ended_by=world.personas.staff)

    transfer.refresh_from_db()
    assert transfer.ended_on == d("2026-04-30")


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("ended_on", ["2026-01-31", "2026-06-02"])
def test_transfer_temporary_end_does_not_accept_a_date_outside_start_and_today(world, ended_on):
    transfer = temporary_transfer(world)

    with pytest.raises(ValidationError) as error:
        services.transfer_temporary_end(transfer=transfer, ended_on=d(ended_on), ended_by=world.personas.staff)

    assert "ended_on" in error.value.message_dict
    transfer.refresh_from_db()
    assert transfer.ended_on is None


@time_machine.travel(FROZEN)
def test_transfer_temporary_end_does_not_close_an_official_transfer(world):
    official = services.transfer_official(
        member=world.members.other,
        to_organization=world.tree.a2,
        decided_on=d("2026-02-01"),
        transferred_by=world.personas.staff,
    )

    with pytest.raises(ValidationError):
        services.transfer_temporary_end(transfer=official, ended_on=d("2026-04-30"), ended_by=world.personas.staff)

    official.refresh_from_db()
    assert official.ended_on is None


#
# Committee positions
#


def assign(world, member, role=Role.SECRETARY, organization=None, started_on=CHANGE_DAY, **extra):
    return services.position_assign(
        member=member,
        organization=organization or world.tree.a1,
        role=role,
        started_on=started_on,
        assigned_by=world.personas.staff,
        **extra,
    )


def secretary_roles(world, user):
    return RoleAssignment.objects.filter(user=user, organization=world.tree.a1, role=RoleAssignment.Role.SECRETARY)


@time_machine.travel(FROZEN)
def test_position_assign_does_end_the_previous_secretary_and_grant_the_role(world):
    previous = assign(world, world.members.other, started_on=SETUP_DAY)
    user = world.personas.member
    assert not get_access(fresh(user)).can(EDIT_MEMBERS, world.tree.a1)

    position = assign(world, world.members.own, term_label=" 2025-2030 ")

    previous.refresh_from_db()
    assert previous.ended_on == CHANGE_DAY - datetime.timedelta(days=1)
    assert position.ended_on is None
    assert position.term_label == "2025-2030"
    assert list(Position.objects.filter(organization=world.tree.a1, role=Role.SECRETARY, ended_on__isnull=True)) == [
        position
    ]
    assert secretary_roles(world, user).count() == 1
    assert get_access(fresh(user)).can(EDIT_MEMBERS, world.tree.a1)
    assert AuditEntry.objects.filter(action="members.position.assigned", target_id=position.pk).exists()
    assert AuditEntry.objects.filter(action="cells.role.granted", organization=world.tree.a1).count() == 2  # + conftest


@time_machine.travel(FROZEN)
def test_position_assign_does_not_grant_the_role_when_told_not_to(world):
    assign(world, world.members.own, grant_secretary_role=False)

    assert not secretary_roles(world, world.personas.member).exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_not_grant_a_role_to_a_member_without_an_account(world):
    roles_before = RoleAssignment.objects.count()

    assign(world, world.members.other)

    assert RoleAssignment.objects.count() == roles_before


@time_machine.travel(FROZEN)
def test_position_assign_does_not_grant_a_second_secretary_role(world):
    member = world.members.own
    assign(world, member)
    services.position_end(position=member.positions.get(), ended_on=d("2026-04-01"), ended_by=world.personas.staff)

    assign(world, member, started_on=d("2026-05-04"))

    assert secretary_roles(world, world.personas.member).count() == 1


@time_machine.travel(FROZEN)
def test_position_assign_does_grant_the_role_in_the_same_transaction(world):
    previous = assign(world, world.members.other, started_on=SETUP_DAY)
    positions_before = Position.objects.count()

    with (
        mock.patch("members.services.role_grant", side_effect=ValidationError("boom")),
        pytest.raises(ValidationError),
    ):
        assign(world, world.members.own)

    previous.refresh_from_db()
    assert previous.ended_on is None
    assert Position.objects.count() == positions_before
    assert not AuditEntry.objects.filter(action="members.position.assigned", target_id__gt=previous.pk).exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_not_end_a_deputy_when_a_deputy_is_added(world):
    first = assign(world, world.members.other, role=Role.DEPUTY_SECRETARY, grant_secretary_role=False)

    assign(world, world.members.own, role=Role.DEPUTY_SECRETARY, grant_secretary_role=False)

    first.refresh_from_db()
    assert first.ended_on is None


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("name", ["a", "root"])
def test_position_assign_does_seat_a_member_in_an_ancestor_committee(world, name):
    organization = getattr(world.tree, name)

    position = assign(world, world.members.own, role=Role.STANDING_COMMITTEE, organization=organization)

    assert position.organization == organization
    # Not a cell: no cell-secretary role is granted.
    assert not RoleAssignment.objects.filter(user=world.personas.member).exists()


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("name", ["a2", "b", "b1", "c"])
def test_position_assign_does_not_seat_a_member_outside_their_cell_and_its_ancestors(world, name):
    with pytest.raises(ValidationError) as error:
        assign(world, world.members.own, organization=getattr(world.tree, name))

    assert "organization" in error.value.message_dict
    assert not Position.objects.exists()
    assert not RoleAssignment.objects.filter(user=world.personas.member).exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_not_seat_a_member_off_the_roll(world):
    member = member_in(world, Status.DECEASED)

    with pytest.raises(ValidationError):
        assign(world, member)

    assert not Position.objects.exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_not_accept_a_future_start(world):
    with pytest.raises(ValidationError) as error:
        assign(world, world.members.own, started_on=TODAY + datetime.timedelta(days=1))

    assert "started_on" in error.value.message_dict
    assert not Position.objects.exists()


@time_machine.travel(FROZEN)
def test_position_assign_does_not_seat_a_member_twice_in_the_same_position(world):
    assign(world, world.members.own, role=Role.COMMITTEE_MEMBER)

    with pytest.raises(ValidationError) as error:
        assign(world, world.members.own, role=Role.COMMITTEE_MEMBER)

    assert "role" in error.value.message_dict
    assert Position.objects.count() == 1


#
# Record edits
#


def update(world, member, **data):
    version = Member.objects.get(pk=member.pk).version
    return services.member_update(member=member, data=data, version=version, updated_by=world.personas.secretary)


def test_member_update_does_not_accept_a_duplicate_card_number(world):
    member = world.members.own

    with pytest.raises(ValidationError) as error:
        update(world, member, party_card_no=" 01.000002 ", job_title="Kỹ sư")

    assert "party_card_no" in error.value.message_dict
    member.refresh_from_db()
    assert member.party_card_no == "01.000001"
    assert member.job_title == ""
    assert not AuditEntry.objects.filter(action="members.member.updated").exists()


def test_member_update_does_save_and_log_the_changes(world):
    member = world.members.own

    update(world, member, full_name="  Nguyễn  Văn   Ân ", job_title="Kỹ sư", party_card_no="")

    member.refresh_from_db()
    assert member.full_name == "Nguyễn Văn Ân"
    assert member.job_title == "Kỹ sư"
    assert member.party_card_no is None
    assert member.search_text == "nguyen van an"
    entry = AuditEntry.objects.get(action="members.member.updated")
    assert entry.organization == world.tree.a1
    assert entry.actor == world.personas.secretary
    assert entry.target_id == member.pk
    assert entry.data == {
        "changes": {
            "full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"],
            "job_title": ["", "Kỹ sư"],
            "party_card_no": ["01.000001", ""],
        }
    }


def test_member_update_does_not_put_the_phone_number_in_the_audit_log(world):
    member = world.members.own

    update(world, member, phone="0912 345 678")
    update(world, member, phone="0987 654 321")

    member.refresh_from_db()
    assert member.phone == "0987 654 321"
    entries = AuditEntry.objects.filter(action="members.member.updated")
    assert entries.count() == 2
    for entry in entries:
        assert "phone" in entry.data["changes"]
        text = json.dumps(entry.data, ensure_ascii=False) + entry.message
        assert "0912" not in text and "345" not in text
        assert "0987" not in text and "321" not in text


def test_member_update_does_not_log_when_nothing_changes(world):
    member = world.members.own

    update(world, member, full_name="Nguyễn Văn An", job_title="")

    assert not AuditEntry.objects.filter(action="members.member.updated").exists()


def test_member_update_does_not_change_status_or_cell(world):
    member = world.members.own

    update(world, member, status=Status.DECEASED, organization=world.tree.b1, job_title="Kỹ sư")

    member.refresh_from_db()
    assert member.status == Status.FULL
    assert member.organization == world.tree.a1


@time_machine.travel(FROZEN)
def test_member_update_does_not_accept_a_future_birth_date(world):
    member = world.members.own

    with pytest.raises(ValidationError) as error:
        update(world, member, date_of_birth=TODAY + datetime.timedelta(days=1))

    assert "date_of_birth" in error.value.message_dict
    member.refresh_from_db()
    assert member.date_of_birth is None


#
# Probation alerts (rule B18)
#


@time_machine.travel(FROZEN)
def test_probation_alerts_does_list_members_due_soon_and_mark_overdue_ones(world):
    due_soon = new_member(world, name="Đỗ Văn Hùng", status=Status.PROBATIONARY, admitted_on=d("2025-06-20"))
    overdue = new_member(world, name="Bùi Thị Lan", status=Status.PROBATIONARY, admitted_on=d("2025-05-01"))
    new_member(world, name="Phan Văn Nam", status=Status.PROBATIONARY, admitted_on=d("2025-08-01"))  # due in 2 months
    new_member(world, name="Hồ Thị Hoa", status=Status.FULL, admitted_on=d("2025-05-01"), official_on=d("2026-05-01"))

    alerts = probation_alerts(user=world.personas.staff)

    assert [(a.member, a.due_on, a.overdue) for a in alerts] == [
        (overdue, d("2026-05-01"), True),
        (due_soon, d("2026-06-20"), False),
    ]


@time_machine.travel(FROZEN)
def test_probation_alerts_does_not_list_members_outside_the_scope(world):
    new_member(world, name="Đỗ Văn Hùng", status=Status.PROBATIONARY, admitted_on=d("2025-06-20"))

    assert probation_alerts(user=world.personas.outsider) == []
    assert len(probation_alerts(user=world.personas.secretary)) == 1
    assert probation_alerts(user=world.personas.staff, organization=world.tree.b) == []


@time_machine.travel(FROZEN)
def test_probation_alerts_does_take_months_and_window_from_the_parameter_set_in_force(world):
    RuleParameterSet.objects.create(
        name="Thử", valid_from=d("2026-01-01"), values={"probation_months": 18, "probation_alert_days": 10}
    )
    member = new_member(world, name="Đỗ Văn Hùng", status=Status.PROBATIONARY, admitted_on=d("2024-12-05"))
    new_member(world, name="Bùi Thị Lan", status=Status.PROBATIONARY, admitted_on=d("2025-06-20"))  # due 2026-12-20

    alerts = probation_alerts(user=world.personas.staff)

    assert [(a.member, a.due_on, a.overdue) for a in alerts] == [(member, d("2026-06-05"), False)]


def test_parameters_on_days_picks_the_set_parameters_on_would_pick(db):
    from criteria.models import RuleParameterSet
    from criteria.selectors import parameters_on, parameters_on_days

    RuleParameterSet.objects.create(
        name="Thử: chuyển sinh hoạt 45 ngày",
        valid_from=d("2026-03-01"),
        valid_to=d("2026-03-31"),
        values={"transfer_working_days": 45},
    )
    days = [d(f"{year}-{month:02d}-15") for year in range(2016, 2028) for month in (1, 3, 7)] + [d("1990-01-01")]

    chosen = parameters_on_days(days)

    assert {day: chosen[day].parameter_set for day in days} == {day: parameters_on(day).parameter_set for day in days}
    assert chosen[d("2026-03-15")]["transfer_working_days"] == 45
    in_march = Transfer(kind=Transfer.Kind.OFFICIAL, decided_on=d("2026-03-16"))
    assert services.transfer_deadlines(in_march, chosen[d("2026-03-15")]) == services.transfer_deadlines(in_march)
    assert services.transfer_deadlines(in_march)["procedure_due"] == services.add_working_days(in_march.decided_on, 45)
