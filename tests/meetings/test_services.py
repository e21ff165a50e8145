"""Meeting log services (meetings/services.py): rules B1-B9 against the database.

Cell A1 of the conftest tree holds An (FULL, the `member` persona), Bình (FULL) and Cường (PROBATIONARY).
Today is frozen on 15/06/2025; the meetings below count for June 2025 and take place on 10/06/2025.
"""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.utils import translation

from cells import services as cell_services
from cells.models import AuditEntry
from criteria.models import RuleParameterSet
from meetings import services
from meetings.models import (
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingScore,
    MeetingScoreItem,
    MeetingScoreTemplate,
    TemporaryAttendance,
)
from members import services as member_services
from members.models import Member
from tests.helpers import absences, meeting_minutes

pytestmark = pytest.mark.django_db

A = Attendance.Status
K = Meeting.Kind
NOW = "2025-06-15 10:00 +0700"
DAY = datetime.date(2025, 6, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


#
# Helpers
#


minutes = meeting_minutes  # complete minutes of a regular meeting on DAY (tests/helpers.py)


def create(world, organization=None, **overrides) -> Meeting:
    return services.meeting_create(
        organization=organization or world.tree.a1,
        data=minutes(world, **overrides),
        created_by=world.personas.secretary,
    )


def update(world, meeting, *, data=None, attendance=None, version="current", **kwargs) -> Meeting:
    meeting.refresh_from_db()
    return services.meeting_update(
        meeting=meeting,
        data=data or {},
        attendance=attendance,
        version=meeting.version if version == "current" else version,
        updated_by=world.personas.secretary,
        **kwargs,
    )


def finalise(world, meeting) -> Meeting:
    """Finalise `meeting`, scoring it first (manual items at 0) when it has no score: #15 item 1, the score is
    saved before the minutes are finalised."""
    meeting.refresh_from_db()
    if meeting.score is None and not services.finalise_problems(meeting):
        score(world, meeting)
        meeting.refresh_from_db()
    return services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=world.personas.secretary)


def score(world, meeting, manual=None) -> Meeting:
    meeting.refresh_from_db()
    return services.meeting_score(
        meeting=meeting, manual_points=manual or {}, version=meeting.version, scored_by=world.personas.secretary
    )


def add_member(cell, name: str, status: str = Member.Status.FULL) -> Member:
    member = Member(organization=cell, full_name=name, status=status)
    member.refresh_derived()
    member.save()
    return member


def written() -> dict:
    """Row counts of everything the meeting services write."""
    return {
        model.__name__: model.objects.count()
        for model in (Meeting, Attendance, TemporaryAttendance, MeetingScore, MeetingAttachment, AuditEntry)
    }


def stored_files(path: str = "meetings") -> list[str]:
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return []
    return [f"{path}/{name}" for name in files] + [
        found for directory in directories for found in stored_files(f"{path}/{directory}")
    ]


def default_sheet() -> MeetingScoreTemplate:
    return MeetingScoreTemplate.objects.get(name__startswith="Bảng điểm sinh hoạt chi bộ thường kỳ")


def items_by_code() -> dict[str, MeetingScoreItem]:
    return {item.code: item for item in default_sheet().items.all()}


def manual_points(**points) -> dict[int, Decimal]:
    """Manual items of the default sheet at full marks, unless given (by code)."""
    items = items_by_code()
    result = {item.pk: item.max_points for item in items.values() if not item.auto_key}
    for code, value in points.items():
        result[items[code].pk] = Decimal(str(value))
    return result


def rows(meeting) -> dict[int, Attendance]:
    return {row.member_id: row for row in meeting.attendances.all()}


def parameters(**values) -> RuleParameterSet:
    """A parameter set in force from 01/03/2025, after the seeded 2025 set (valid from 01/01/2025)."""
    return RuleParameterSet.objects.create(
        name="Bộ tham số thử", valid_from=datetime.date(2025, 3, 1), valid_to=None, values=values
    )


def test_default_sheet_is_the_100_point_sheet_with_its_levels():
    sheet = default_sheet()

    assert sheet.max_total == Decimal(100)
    assert sheet.levels == {"TOT": 90, "KHA": 70, "TRUNG_BINH": 50}
    assert {code for code, item in items_by_code().items() if item.required_for_top} == {"TL1", "TC1", "TC3", "KT2"}


#
# meeting_create
#


def test_meeting_create_gives_every_on_roll_member_an_attendance_row(world):
    tree, members = world.tree, world.members
    exempt = add_member(tree.a1, "Phạm Văn Dũng", Member.Status.EXEMPT)
    suspended = add_member(tree.a1, "Hoàng Thị Em", Member.Status.SUSPENDED)
    gone = add_member(tree.a1, "Vũ Văn Giang", Member.Status.TRANSFERRED_OUT)
    elsewhere = add_member(tree.a2, "Đặng Thị Hoa", Member.Status.FULL)

    meeting = create(world)

    by_member = rows(meeting)
    assert set(by_member) == {members.own.pk, members.other.pk, members.probationary.pk, exempt.pk, suspended.pk}
    assert gone.pk not in by_member and elsewhere.pk not in by_member
    assert {by_member[m.pk].status for m in (members.own, members.other, members.probationary)} == {A.PRESENT}
    assert by_member[exempt.pk].status == A.EXEMPT
    assert by_member[suspended.pk].status == A.EXEMPT
    assert by_member[exempt.pk].reason and by_member[suspended.pk].reason  # the member's status, in words
    assert by_member[members.probationary.pk].member_status == Member.Status.PROBATIONARY
    counts = services.attendance_counts(meeting)
    # 5 on the roll; 2 not counted (exempt, suspended); 3 eligible, all present; 2 of them full members.
    assert (counts.total, counts.not_counted, counts.eligible, counts.present) == (5, 2, 3, 3)
    assert (counts.full, counts.probationary, counts.present_full) == (2, 1, 2)
    assert meeting.status == Meeting.Status.DRAFT and meeting.version == 1
    assert meeting.score_template == default_sheet()
    assert AuditEntry.objects.filter(action="cells.meeting.created", target_id=meeting.pk).count() == 1


def test_meeting_create_lists_open_temporary_transfers_apart_and_keeps_them_out_of_counts(world):
    tree, admin = world.tree, world.personas.admin

    def temporary(name, decided_on, to=tree.a1):
        return member_services.transfer_temporary(
            to_organization=to,
            decided_on=decided_on,
            expected_return_on=decided_on + datetime.timedelta(days=200),
            member_name=name,
            from_text="Đảng bộ tỉnh X",
            transferred_by=admin,
        )

    open_transfer = temporary("Đỗ Văn Khách", datetime.date(2025, 3, 1))
    ended = temporary("Lý Thị Cũ", datetime.date(2025, 2, 1))
    member_services.transfer_temporary_end(transfer=ended, ended_on=datetime.date(2025, 5, 31), ended_by=admin)
    temporary("Mai Văn Sau", datetime.date(2025, 6, 12))  # starts after the meeting date
    temporary("Tô Thị Khác", datetime.date(2025, 3, 1), to=tree.a2)  # another cell

    meeting = create(world)

    assert [row.transfer_id for row in meeting.temporary_attendances.all()] == [open_transfer.pk]
    assert meeting.temporary_attendances.get().present is True
    counts = services.attendance_counts(meeting)
    # Only the 3 members on A1's roll count; the temporary member is shown apart.
    assert (counts.total, counts.eligible, counts.present, counts.temporary_present) == (3, 3, 3, 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"period_month": 7, "date": DAY}, "period_month", id="month-not-begun"),
        pytest.param({"period_year": 2026, "period_month": 1}, "period_month", id="next-year"),
        pytest.param({"date": datetime.date(2025, 6, 16)}, "date", id="date-in-future"),
        pytest.param({"end_time": datetime.time(7, 30)}, "end_time", id="end-before-start"),
        pytest.param({"end_time": datetime.time(8, 0)}, "end_time", id="end-equals-start"),
        pytest.param({"kind": K.THEMATIC, "topic": "   "}, "topic", id="thematic-without-topic"),
        pytest.param({"pre_meeting_on": datetime.date(2025, 6, 11)}, "pre_meeting_on", id="prepared-after"),
        pytest.param({"documents_sent_on": datetime.date(2025, 6, 11)}, "documents_sent_on", id="sent-after"),
    ],
)
def test_meeting_create_refuses_invalid_minutes_and_writes_nothing(world, overrides, field):
    before = written()

    with pytest.raises(ValidationError) as caught:
        create(world, **overrides)

    assert field in caught.value.message_dict
    assert written() == before


@pytest.mark.parametrize("role", ["presiding", "minute_taker"])
def test_meeting_create_refuses_a_member_of_another_cell_in_the_chair_and_writes_nothing(world, role):
    stranger = add_member(world.tree.a2, "Đặng Thị Hoa")
    before = written()

    with pytest.raises(ValidationError) as caught:
        create(world, **{role: stranger})

    assert role in caught.value.message_dict
    assert written() == before


@pytest.mark.parametrize("node", ["root", "a"])
def test_meeting_create_refuses_a_node_that_is_not_a_cell_and_writes_nothing(world, node):
    before = written()

    with pytest.raises(ValidationError):
        create(world, organization=getattr(world.tree, node), presiding=None, minute_taker=None)

    assert written() == before


def test_meeting_create_refuses_a_dissolved_cell_and_writes_nothing(world):
    cell_services.organization_dissolve(
        organization=world.tree.a2, dissolved_on=datetime.date(2025, 6, 1), reason="Sáp nhập", dissolved_by=None
    )
    world.tree.a2.refresh_from_db()
    before = written()

    with pytest.raises(ValidationError):
        create(world, organization=world.tree.a2, presiding=None, minute_taker=None)

    assert written() == before


@pytest.mark.parametrize(
    ("first", "second"),
    [(K.REGULAR, K.REGULAR), (K.REGULAR, K.COMBINED), (K.COMBINED, K.REGULAR), (K.COMBINED, K.COMBINED)],
)
def test_meeting_create_refuses_a_second_regular_meeting_for_the_month_and_writes_nothing(world, first, second):
    create(world, kind=first, topic="Chuyên đề quý II")
    before = written()

    with pytest.raises(ValidationError) as caught:
        create(world, kind=second, topic="Chuyên đề quý II", date=datetime.date(2025, 6, 12))

    assert "period_month" in caught.value.message_dict
    assert written() == before


def test_meeting_create_accepts_thematic_and_extraordinary_meetings_beside_the_regular_one(world):
    create(world)
    create(world, kind=K.THEMATIC, topic="Học tập và làm theo Bác")
    create(world, kind=K.EXTRAORDINARY)

    assert Meeting.objects.filter(organization=world.tree.a1, period_month=6).count() == 3


#
# meeting_update
#


@pytest.mark.parametrize("forged", ["other_cell", "not_on_roll", "no_such_member"])
def test_meeting_update_refuses_attendance_for_a_member_not_on_the_roll_and_writes_nothing(world, forged):
    meeting = create(world)
    if forged == "other_cell":
        member_id = add_member(world.tree.a2, "Đặng Thị Hoa").pk
    elif forged == "not_on_roll":
        # Joined after the meeting was logged: not on this meeting's roll.
        member_id = add_member(world.tree.a1, "Phạm Văn Mới").pk
    else:
        member_id = 999_999
    before, version = written(), meeting.version

    with pytest.raises(ValidationError):
        update(
            world,
            meeting,
            data={"location": "Phòng họp số 2"},
            attendance={world.members.other.pk: {"status": A.UNEXCUSED}, member_id: {"status": A.PRESENT}},
        )

    meeting.refresh_from_db()
    assert written() == before
    assert meeting.version == version and meeting.location == "Hội trường cơ quan"
    assert rows(meeting)[world.members.other.pk].status == A.PRESENT


@pytest.mark.parametrize("reason", ["", "   "])
def test_meeting_update_refuses_excused_absence_without_reason(world, reason):
    meeting = create(world)
    before = written()

    with pytest.raises(ValidationError):
        update(world, meeting, attendance={world.members.other.pk: {"status": A.EXCUSED, "reason": reason}})

    assert written() == before
    assert rows(meeting)[world.members.other.pk].status == A.PRESENT


def test_meeting_update_records_excused_absence_with_reason_and_unexcused_absence(world):
    meeting = create(world)

    update(
        world,
        meeting,
        attendance=absences(world, "  Đi   công tác  ") | {world.members.own.pk: {"status": A.PRESENT, "spoke": True}},
    )

    by_member = rows(meeting)
    assert (by_member[world.members.other.pk].status, by_member[world.members.other.pk].reason) == (
        A.EXCUSED,
        "Đi công tác",
    )
    assert by_member[world.members.probationary.pk].status == A.UNEXCUSED
    assert by_member[world.members.own.pk].spoke is True
    counts = services.attendance_counts(meeting)
    assert (counts.eligible, counts.present, counts.excused, counts.unexcused) == (3, 1, 1, 1)


def test_attendance_totals_on_the_meeting_follow_every_write_of_the_attendance(world):
    # The KPIs add up these totals instead of reading attendance rows: create, update and finalise keep them.
    exempt = add_member(world.tree.a1, "Phạm Văn Dũng", Member.Status.EXEMPT)
    meeting = create(world)
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.eligible_count) == (3, 3)

    update(
        world,
        meeting,
        attendance=absences(world) | {exempt.pk: {"status": A.PRESENT}},
    )
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.eligible_count) == (1, 3)

    update(world, meeting, attendance={world.members.other.pk: {"status": A.PRESENT}})
    finalise(world, meeting)
    meeting.refresh_from_db()
    counts = services.attendance_counts(meeting)
    assert (meeting.present_count, meeting.eligible_count) == (counts.present, counts.eligible) == (2, 3)


def test_meeting_update_does_not_count_an_exempt_member_tapped_present(world):
    exempt = add_member(world.tree.a1, "Phạm Văn Dũng", Member.Status.EXEMPT)
    meeting = create(world)

    update(world, meeting, attendance={exempt.pk: {"status": A.PRESENT}})

    assert rows(meeting)[exempt.pk].status == A.EXEMPT
    assert services.attendance_counts(meeting).eligible == 3


def test_meeting_update_refuses_tapping_a_counted_member_as_exempt(world):
    # Exemption comes from the member's status, never from a tap at the meeting: otherwise an absentee can be
    # taken out of the denominator and the meeting passes B4. (App bug: _apply_attendance accepts it.)
    meeting = create(world)
    update(world, meeting, attendance={world.members.other.pk: {"status": A.UNEXCUSED}})
    before = written()

    with pytest.raises(ValidationError):
        update(world, meeting, attendance={world.members.other.pk: {"status": A.EXEMPT}})

    assert written() == before
    assert rows(meeting)[world.members.other.pk].status == A.UNEXCUSED


def test_meeting_update_refuses_a_stale_version_and_writes_nothing(world):
    meeting = create(world)
    opened_at = meeting.version
    update(world, meeting, data={"location": "Phòng họp số 1"})  # someone else saves first
    before = written()

    with pytest.raises(ValidationError):
        update(world, meeting, data={"location": "Phòng họp số 2"}, version=opened_at)

    meeting.refresh_from_db()
    assert meeting.location == "Phòng họp số 1"
    assert meeting.version == opened_at + 1
    assert written() == before


def test_meeting_update_refuses_changing_into_a_second_regular_meeting(world):
    create(world)
    thematic = create(world, kind=K.THEMATIC, topic="Học tập và làm theo Bác")
    before = written()

    with pytest.raises(ValidationError) as caught:
        update(world, thematic, data={"kind": K.COMBINED})

    assert "period_month" in caught.value.message_dict
    thematic.refresh_from_db()
    assert thematic.kind == K.THEMATIC
    assert written() == before


def test_meeting_update_logs_changes_with_before_and_after(world):
    meeting = create(world)

    update(
        world,
        meeting,
        data={"location": "Phòng họp số 2", "content": meeting.content},
        attendance={world.members.other.pk: {"status": A.EXCUSED, "reason": "Ốm"}},
    )

    entry = AuditEntry.objects.get(action="cells.meeting.updated", target_id=meeting.pk)
    assert entry.actor == world.personas.secretary
    assert entry.organization == world.tree.a1
    assert entry.data == {
        "changes": {"location": ["Hội trường cơ quan", "Phòng họp số 2"]},
        "attendance": {str(world.members.other.pk): [A.PRESENT, A.EXCUSED]},
    }


def test_meeting_update_without_changes_bumps_the_version_but_logs_nothing(world):
    meeting = create(world)

    update(world, meeting, data={"location": meeting.location})

    meeting.refresh_from_db()
    assert meeting.version == 2
    assert not AuditEntry.objects.filter(action="cells.meeting.updated").exists()


#
# Finalising (B3, B6, B7)
#


def test_meeting_finalise_lists_every_missing_minutes_field_and_writes_nothing(world):
    meeting = create(world, location="", presiding=None, minute_taker=None, content="", conclusion="", vote_for=None)
    before = written()

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        finalise(world, meeting)

    text = " ".join(caught.value.messages)
    for field in ("place", "presiding", "minute-taker", "content", "conclusion or resolution", "votes"):
        assert field in text
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    assert written() == before


def test_meeting_finalise_gives_every_problem_at_once(world):
    meeting = create(world, conclusion="", end_time=datetime.time(9, 0), vote_for=3)

    with pytest.raises(ValidationError) as caught:
        finalise(world, meeting)

    # Missing conclusion (B6), 3 votes for 2 full members (B7), not scored (#15); 60 minutes (B3) is no refusal (D7).
    assert len(caught.value.messages) == 3


@pytest.mark.parametrize(
    ("vote_for", "vote_against", "vote_abstain", "other", "allowed"),
    [
        # An and Bình are full members, Cường is probationary: all three present, 2 may vote.
        pytest.param(2, 0, 0, A.PRESENT, True, id="2-votes-2-full"),
        pytest.param(1, 0, 1, A.PRESENT, True, id="1-for-1-abstain"),
        pytest.param(3, 0, 0, A.PRESENT, False, id="probationary-counted"),
        pytest.param(1, 1, 1, A.PRESENT, False, id="3-votes-split"),
        # Bình absent: only An may vote.
        pytest.param(2, 0, 0, A.UNEXCUSED, False, id="absent-member-counted"),
        pytest.param(1, 0, 0, A.UNEXCUSED, True, id="1-vote-1-full"),
    ],
)
def test_meeting_finalise_allows_no_more_votes_than_present_full_members(
    world, vote_for, vote_against, vote_abstain, other, allowed
):
    meeting = create(world, vote_for=vote_for, vote_against=vote_against, vote_abstain=vote_abstain)
    update(world, meeting, attendance={world.members.other.pk: {"status": other}})

    if allowed:
        finalise(world, meeting)
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.FINAL
    else:
        with pytest.raises(ValidationError):
            finalise(world, meeting)
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.DRAFT


@pytest.mark.parametrize(
    ("kind", "end", "shortfall"),
    [
        pytest.param(K.REGULAR, datetime.time(9, 29), 1, id="regular-89"),
        pytest.param(K.REGULAR, datetime.time(9, 30), 0, id="regular-90"),
        pytest.param(K.THEMATIC, datetime.time(9, 29), 1, id="thematic-89"),
        pytest.param(K.THEMATIC, datetime.time(9, 30), 0, id="thematic-90"),
        pytest.param(K.COMBINED, datetime.time(9, 59), 1, id="combined-119"),
        pytest.param(K.COMBINED, datetime.time(9, 30), 30, id="combined-90"),
        pytest.param(K.COMBINED, datetime.time(10, 0), 0, id="combined-120"),
        pytest.param(K.EXTRAORDINARY, datetime.time(8, 30), 0, id="extraordinary-30"),
    ],
)
def test_meeting_finalise_records_the_duration_shortfall_by_kind(world, kind, end, shortfall):
    # D7: a meeting shorter than the minimum of B3 (90 minutes, 120 combined) is finalised all the same; the
    # shortfall is written in its history. B3 sets no minimum for an extraordinary meeting.
    meeting = create(world, kind=kind, topic="Chuyên đề quý II", end_time=end)

    assert finalise(world, meeting).status == Meeting.Status.FINAL
    entry = AuditEntry.objects.get(action="cells.meeting.finalised", target_id=meeting.pk)
    assert entry.data["shortfall_minutes"] == shortfall


def test_meeting_finalise_reads_minimum_durations_from_parameters_valid_on_meeting_date(world):
    parameters(min_meeting_minutes=60, min_combined_meeting_minutes=100)
    regular = create(world, end_time=datetime.time(9, 10))  # 70 minutes
    combined = create(
        world,
        kind=K.COMBINED,
        period_month=5,
        date=datetime.date(2025, 5, 20),
        pre_meeting_on=datetime.date(2025, 5, 15),
        documents_sent_on=datetime.date(2025, 5, 18),
        end_time=datetime.time(9, 50),
    )  # 110 minutes

    assert services.required_minutes(regular) == 60
    assert services.required_minutes(combined) == 100
    assert services.finalise_warnings(regular) == services.finalise_warnings(combined) == []
    assert finalise(world, regular).status == Meeting.Status.FINAL
    assert finalise(world, combined).status == Meeting.Status.FINAL


def test_meeting_finalise_ignores_parameters_not_yet_valid_on_meeting_date(world):
    later = parameters(min_meeting_minutes=60)
    later.valid_from = datetime.date(2025, 6, 11)  # the day after the meeting
    later.save()
    earlier = RuleParameterSet.objects.create(
        name="Bộ cũ", valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31), values={}
    )
    meeting = create(world, end_time=datetime.time(9, 10))  # 70 minutes

    assert earlier.get("min_meeting_minutes") == 90
    assert services.required_minutes(meeting) == 90
    assert services.duration_check(meeting).shortfall == 20
    assert len(services.finalise_warnings(meeting)) == 1


def test_meeting_finalise_locks_the_minutes_and_logs_it(world):
    meeting = create(world)

    finalise(world, meeting)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL
    assert meeting.finalised_by == world.personas.secretary and meeting.finalised_at is not None
    assert meeting.score is not None  # scored before finalising (#15)
    assert AuditEntry.objects.filter(action="cells.meeting.finalised", target_id=meeting.pk).count() == 1


def test_meeting_finalise_refuses_an_unscored_meeting_and_says_so(world):
    # #15 item 1: finalising before scoring was a dead end (no score could be entered afterwards).
    meeting = create(world)
    before = written()

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=world.personas.secretary)

    assert caught.value.messages == ["The meeting has not been scored: score it (step 3) before finalising."]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    assert written() == before


def test_finalised_meeting_is_read_only(world):
    meeting = create(world)
    finalise(world, meeting)
    meeting.refresh_from_db()
    score_before = meeting.score
    before = written()

    with pytest.raises(ValidationError):
        update(world, meeting, data={"location": "Phòng họp số 2"})
    with pytest.raises(ValidationError):
        update(world, meeting, attendance={world.members.other.pk: {"status": A.UNEXCUSED}})
    with pytest.raises(ValidationError):
        score(world, meeting, manual_points())
    with pytest.raises(ValidationError):
        finalise(world, meeting)
    with pytest.raises(ValidationError):
        services.attachment_add(meeting=meeting, uploaded_file=pdf(), uploaded_by=world.personas.secretary)

    meeting.refresh_from_db()
    assert meeting.location == "Hội trường cơ quan" and meeting.score == score_before
    assert written() == before


#
# Reopening
#


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_meeting_reopen_refuses_a_missing_reason_and_writes_nothing(world, reason):
    meeting = finalise(world, create(world))
    before = written()

    with pytest.raises(ValidationError) as caught:
        services.meeting_reopen(meeting=meeting, reason=reason, reopened_by=world.personas.grassroots)

    assert "reason" in caught.value.message_dict
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL
    assert written() == before


def test_meeting_reopen_unlocks_the_minutes_clears_confirmation_and_logs_the_reason(world):
    meeting = create(world)
    score(world, meeting, manual_points())
    finalise(world, meeting)
    services.meeting_confirm(meeting=meeting, confirmed_by=world.personas.grassroots)

    services.meeting_reopen(meeting=meeting, reason="Sửa  tên người phát biểu", reopened_by=world.personas.grassroots)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.confirmed_by is None and meeting.confirmed_at is None
    entry = AuditEntry.objects.get(action="cells.meeting.reopened", target_id=meeting.pk)
    assert (entry.message, entry.actor) == ("Sửa tên người phát biểu", world.personas.grassroots)
    update(world, meeting, data={"location": "Phòng họp số 2"})  # editable again


def test_meeting_reopen_refuses_a_draft(world):
    meeting = create(world)

    with pytest.raises(ValidationError):
        services.meeting_reopen(meeting=meeting, reason="Sửa", reopened_by=world.personas.grassroots)


#
# B4: attendance quality
#


@pytest.mark.parametrize(
    ("present", "excused", "unexcused", "met"),
    [
        # eligible = present + excused + unexcused; met when present / eligible > 85% and nobody unexcused.
        pytest.param(18, 2, 0, True, id="18-of-20-is-90pct"),
        pytest.param(17, 3, 0, False, id="17-of-20-is-exactly-85pct"),
        pytest.param(6, 1, 0, True, id="6-of-7-is-85.7pct"),
        pytest.param(5, 1, 0, False, id="5-of-6-is-83.3pct"),
        pytest.param(19, 0, 1, False, id="19-of-20-but-1-unexcused"),
        pytest.param(3, 0, 0, True, id="all-present"),
        pytest.param(0, 0, 0, False, id="nobody-eligible"),
    ],
)
def test_attendance_quality_met_follows_hand_computed_cases(world, present, excused, unexcused, met):
    meeting = Meeting(organization=world.tree.a1, date=DAY, kind=K.REGULAR)
    counts = services.AttendanceCounts(
        eligible=present + excused + unexcused, present=present, excused=excused, unexcused=unexcused
    )

    assert services.attendance_quality_met(meeting, counts) is met


def test_attendance_quality_met_counts_the_roll_and_leaves_exempt_members_out(world):
    cell = world.tree.a1
    extra = [add_member(cell, f"Ngô Văn Số {k:02d}") for k in range(17)]  # 3 + 17 = 20 counted members
    exempt = [add_member(cell, f"Hồ Thị Miễn {k}", Member.Status.EXEMPT) for k in range(2)]
    meeting = create(world)
    update(world, meeting, attendance={m.pk: {"status": A.EXCUSED, "reason": "Ốm"} for m in extra[:3]})

    counts = services.attendance_counts(meeting)
    # 22 on the roll, 2 exempt → 20 eligible; 3 excused → 17 present: 17/20 = 85%, not more than 85%.
    assert (counts.total, counts.eligible, counts.present) == (22, 20, 17)
    assert services.attendance_quality_met(meeting, counts) is False

    update(world, meeting, attendance={extra[0].pk: {"status": A.PRESENT}})
    counts = services.attendance_counts(meeting)
    # 18/20 = 90% > 85%, nobody unexcused.
    assert counts.present == 18
    assert services.attendance_quality_met(meeting, counts) is True
    assert len(exempt) == counts.not_counted


def test_attendance_quality_threshold_comes_from_parameters(world):
    parameters(quality_attendance_pct=80)
    meeting = Meeting(organization=world.tree.a1, date=DAY, kind=K.REGULAR)
    counts = services.AttendanceCounts(eligible=20, present=17, excused=3)

    # 17/20 = 85% > 80%.
    assert services.attendance_quality_met(meeting, counts) is True


#
# B9: score and rating
#


def test_meeting_score_fills_automatic_items_from_the_log(world):
    meeting = create(world)

    score(world, meeting, manual_points(CB3=4, TC2=8.5, TC4=7, TC5=5, KT1=9, TC3=10))

    meeting.refresh_from_db()
    points = {row.item.code: (row.points, row.automatic) for row in meeting.scores.select_related("item")}
    # Automatic items at full marks: CB1 5 (prepared 05/06), CB2 5 (sent 08/06, 2 days ahead), TL1 20 (3/3,
    # nobody unexcused), TC1 10 (105 min), KT2 10 (minutes complete) = 50.
    assert {code for code, (_points, automatic) in points.items() if automatic} == {"CB1", "CB2", "TL1", "TC1", "KT2"}
    assert all(points[code][0] == items_by_code()[code].max_points for code in ("CB1", "CB2", "TL1", "TC1", "KT2"))
    # Manual: 4 + 8.5 + 10 + 7 + 5 + 9 = 43.5; total 93.5 → Tốt.
    assert meeting.score == Decimal("93.5")
    assert meeting.rating == Meeting.Rating.GOOD
    assert meeting.version == 2
    assert AuditEntry.objects.filter(action="cells.meeting.scored", target_id=meeting.pk).count() == 1


def test_meeting_score_gives_no_automatic_points_for_what_the_log_lacks(world):
    # Not prepared by the committee, documents sent on the day itself; 1 vote for the 1 full member present.
    meeting = create(world, pre_meeting_on=None, documents_sent_on=DAY, vote_for=1)
    update(world, meeting, attendance={world.members.other.pk: {"status": A.UNEXCUSED}})

    score(world, meeting, manual_points())

    meeting.refresh_from_db()
    points = {row.item.code: row.points for row in meeting.scores.select_related("item")}
    assert (points["CB1"], points["CB2"], points["TL1"]) == (0, 0, 0)
    # 100 − 5 (CB1) − 5 (CB2) − 20 (TL1) = 70 → Khá.
    assert meeting.score == Decimal(70)
    assert meeting.rating == Meeting.Rating.FAIR


@pytest.mark.parametrize(("code", "value"), [("TC2", "10.5"), ("KT1", "11"), ("CB3", "-1")])
def test_meeting_score_refuses_manual_points_out_of_range_and_writes_nothing(world, code, value):
    meeting = create(world)
    before = written()

    with pytest.raises(ValidationError):
        score(world, meeting, manual_points(**{code: value}))

    meeting.refresh_from_db()
    assert meeting.score is None and meeting.rating == "" and meeting.version == 1
    assert written() == before


def test_meeting_score_refuses_an_item_of_another_sheet_and_writes_nothing(world):
    other_sheet = MeetingScoreTemplate.objects.create(
        name="Bảng khác", valid_from=datetime.date(2030, 1, 1), levels={"TOT": 90}
    )
    foreign = MeetingScoreItem.objects.create(template=other_sheet, section="X", code="X1", text="X", max_points=5)
    meeting = create(world)
    before = written()

    with pytest.raises(ValidationError):
        score(world, meeting, {**manual_points(), foreign.pk: Decimal(1)})

    assert written() == before


@pytest.mark.parametrize(
    ("total", "rating"),
    [
        ("100", "TOT"),
        ("90", "TOT"),
        ("89.5", "KHA"),
        ("70", "KHA"),
        ("69.5", "TRUNG_BINH"),
        ("50", "TRUNG_BINH"),
        ("49.5", "KEM"),
        ("0", "KEM"),
    ],
)
def test_rating_for_uses_the_levels_of_the_default_sheet(total, rating):
    assert services.rating_for(default_sheet(), Decimal(total), top_blocked=False) == rating


def test_rating_follows_the_levels_of_the_sheet_valid_on_the_meeting_date(world):
    sheet = MeetingScoreTemplate.objects.create(
        name="Bảng điểm 2025 (thử)",
        valid_from=datetime.date(2025, 1, 1),
        levels={"TOT": 80, "KHA": 60, "TRUNG_BINH": 40},
    )
    auto = MeetingScoreItem.objects.create(
        template=sheet, section="A", code="A1", text="Tỷ lệ dự", max_points=40, auto_key="attendance", order=1
    )
    manual = MeetingScoreItem.objects.create(
        template=sheet, section="B", code="B1", text="Nội dung", max_points=60, order=2
    )
    meeting = create(world)
    assert meeting.score_template == sheet

    score(world, meeting, {manual.pk: Decimal(42)})

    meeting.refresh_from_db()
    # 40 (attendance met) + 42 = 82 ≥ 80 → Tốt on this sheet (it would be Khá on the default one).
    assert meeting.score == Decimal(82)
    assert meeting.rating == Meeting.Rating.GOOD
    assert set(meeting.scores.values_list("item_id", flat=True)) == {auto.pk, manual.pk}


@pytest.mark.parametrize(
    ("tc3", "total", "rating"),
    [
        # TC3 (many members speak) must be at full marks for Tốt.
        pytest.param(10, "100", "TOT", id="full-marks"),
        pytest.param(5, "95", "KHA", id="95-capped"),
        pytest.param(9.5, "99.5", "KHA", id="99.5-capped"),
    ],
)
def test_required_item_below_max_caps_the_rating_at_fair(world, tc3, total, rating):
    meeting = create(world)

    score(world, meeting, manual_points(TC3=tc3))

    meeting.refresh_from_db()
    assert meeting.score == Decimal(total)
    assert meeting.rating == rating


def test_required_automatic_item_missed_caps_the_rating_at_fair_even_at_90(world):
    meeting = create(world, vote_for=None)  # minutes incomplete: KT2 (10 points, required for Tốt) is lost

    score(world, meeting, manual_points())

    meeting.refresh_from_db()
    # 100 − 10 = 90, but KT2 is below its maximum → Khá.
    assert (meeting.score, meeting.rating) == (Decimal(90), Meeting.Rating.FAIR)


def test_meeting_finalise_refreshes_the_automatic_items_and_keeps_the_manual_ones(world):
    meeting = create(world, vote_for=1)
    update(world, meeting, attendance={world.members.other.pk: {"status": A.UNEXCUSED}})
    score(world, meeting, manual_points(TC4=6))
    meeting.refresh_from_db()
    # TL1 lost (an unexcused absence): 100 − 20 − 4 (TC4) = 76 → Khá.
    assert (meeting.score, meeting.rating) == (Decimal(76), Meeting.Rating.FAIR)

    update(world, meeting, attendance={world.members.other.pk: {"status": A.PRESENT}})
    finalise(world, meeting)

    meeting.refresh_from_db()
    points = {row.item.code: row.points for row in meeting.scores.select_related("item")}
    # TL1 back to 20; TC4 stays 6: 96, every required item at full marks → Tốt.
    assert (points["TL1"], points["TC4"]) == (20, 6)
    assert (meeting.score, meeting.rating) == (Decimal(96), Meeting.Rating.GOOD)


#
# Confirmation by the upper committee
#


def test_meeting_confirm_refuses_a_draft(world):
    meeting = create(world)
    score(world, meeting, manual_points())

    with pytest.raises(ValidationError):
        services.meeting_confirm(meeting=meeting, confirmed_by=world.personas.grassroots)


def test_meeting_confirm_refuses_finalised_minutes_without_a_score(world):
    # Minutes finalised without a score can no longer be made (#15: the score is required first), but older
    # ones exist: written directly.
    meeting = create(world)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.FINAL)
    meeting.refresh_from_db()

    with pytest.raises(ValidationError):
        services.meeting_confirm(meeting=meeting, confirmed_by=world.personas.grassroots)

    meeting.refresh_from_db()
    assert meeting.confirmed_at is None


def test_meeting_confirm_records_the_confirmation_once(world):
    meeting = create(world)
    score(world, meeting, manual_points())
    finalise(world, meeting)

    services.meeting_confirm(meeting=meeting, confirmed_by=world.personas.grassroots)
    meeting.refresh_from_db()
    confirmed_at = meeting.confirmed_at
    before = written()

    with pytest.raises(ValidationError):
        services.meeting_confirm(meeting=meeting, confirmed_by=world.personas.staff)

    meeting.refresh_from_db()
    assert meeting.confirmed_by == world.personas.grassroots
    assert meeting.confirmed_at == confirmed_at
    assert written() == before
    assert AuditEntry.objects.filter(action="cells.meeting.confirmed", target_id=meeting.pk).count() == 1


#
# Attachments
#

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "bien-ban.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = PDF_BYTES if size is None else PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bien-ban.pdf", PDF_BYTES, "application/pdf"),
        ("Ảnh buổi họp.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        ("anh.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    ],
)
def test_attachment_add_accepts_a_pdf_or_a_photo(world, name, content, content_type):
    meeting = create(world)
    files_before = stored_files()

    attachment = services.attachment_add(
        meeting=meeting, uploaded_file=SimpleUploadedFile(name, content), uploaded_by=world.personas.secretary
    )

    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(content))
    assert attachment.file.name.startswith(f"meetings/{world.tree.a1.pk}/{meeting.pk}/")
    assert default_storage.open(attachment.file.name).read() == content
    assert len(stored_files()) == len(files_before) + 1
    assert AuditEntry.objects.filter(action="cells.meeting.attachment_added", target_id=meeting.pk).count() == 1


def assert_attachment_refused(world, meeting, uploaded_file) -> ValidationError:
    before, files_before = written(), stored_files()
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(meeting=meeting, uploaded_file=uploaded_file, uploaded_by=world.personas.secretary)
    assert written() == before
    assert stored_files() == files_before
    return caught.value


def test_attachment_add_refuses_a_file_over_the_configured_limit(world, settings):
    settings.MEETING_ATTACHMENT_MAX_BYTES = 1024 * 1024
    meeting = create(world)

    error = assert_attachment_refused(world, meeting, pdf(size=1024 * 1024 + 1))

    assert "file" in error.message_dict
    services.attachment_add(meeting=meeting, uploaded_file=pdf(size=1024 * 1024), uploaded_by=None)  # at the limit


def test_attachment_add_refuses_a_file_just_over_the_default_limit(world, settings):
    del settings.MEETING_ATTACHMENT_MAX_BYTES  # the service's own default: 10 MB
    meeting = create(world)

    error = assert_attachment_refused(world, meeting, pdf(size=10 * 1024 * 1024 + 1))

    assert "file" in error.message_dict


def test_attachment_add_refuses_a_50_mb_upload(world):
    # The size the upload handler reports is checked before anything is read or stored.
    big = InMemoryUploadedFile(
        io.BytesIO(PDF_BYTES), "file", "bien-ban.pdf", "application/pdf", size=50 * 1024 * 1024, charset=None
    )

    error = assert_attachment_refused(world, create(world), big)

    assert "file" in error.message_dict


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("bien-ban.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", id="exe-renamed-pdf"),
        pytest.param("bien-ban.exe", PDF_BYTES, id="pdf-named-exe"),
        pytest.param("anh.jpg", PDF_BYTES, id="pdf-named-jpg"),
        pytest.param("bien-ban.pdf", b"<html><script>", id="html-renamed-pdf"),
        pytest.param("bien-ban.pdf", b"", id="empty"),
    ],
)
def test_attachment_add_refuses_a_file_whose_bytes_do_not_match_its_name(world, name, content):
    error = assert_attachment_refused(world, create(world), SimpleUploadedFile(name, content))

    assert "file" in error.message_dict
