"""History in words (issue #15 item 4; cells/history.py and templates/cells/includes/history.html).

Each history entry says who did it (the person's name, from the member record linked to the login or the login's
full name, and their role at the node), what, in Vietnamese, and the changed values with their field labels and
display values; identical consecutive entries show once with a count; no action code, field code or English word
reaches the page.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cells import history
from cells.models import AuditEntry
from cells.services import log_action
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db

# Words that would mean English (or a code) reached the reader.
ENGLISH = re.compile(
    r"\b(the|of|edited|created|meeting|finalised|changed|status|secretary|deputy|committee|member|role|recorded|"
    r"granted|minutes|empty|None|True|False)\b",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def items_of(entries):
    return history.history_items(entries)


def entries_of(**filters):
    return AuditEntry.objects.filter(**filters).select_related("actor", "organization")


def text_of(item) -> str:
    parts = [item.who, item.role, item.sentence, item.note]
    parts += [f"{c.label}: {c.value or f'{c.before} → {c.after}'}" for c in item.changes]
    return " | ".join(p for p in parts if p)


def november_meeting(world, by):
    return meeting_services.meeting_create(
        organization=world.tree.a1,
        data={
            "kind": Meeting.Kind.REGULAR,
            "period_year": 2025,
            "period_month": 11,
            "date": datetime.date(2025, 11, 14),
            "start_time": datetime.time(8, 0),
            "end_time": datetime.time(10, 0),
        },
        created_by=by,
    )


#
# Every known action code reads as a Vietnamese sentence
#


@pytest.mark.parametrize("action", sorted(history.SENTENCES))
def test_each_known_action_code_renders_a_vietnamese_sentence(world, action):
    entry = log_action(actor=world.personas.staff, action=action, organization=world.tree.a1, message="")
    (item,) = items_of(entries_of(pk=entry.pk))

    assert action not in item.sentence
    assert "%(" not in item.sentence
    assert not ENGLISH.search(item.sentence), item.sentence
    with translation.override("en"):
        english = str(history.SENTENCES[action].text)
    assert str(history.SENTENCES[action].text) != english, f"{action}: no Vietnamese msgstr"


def test_an_unknown_code_still_reads_as_a_sentence_without_the_code(world):
    entry = log_action(actor=world.personas.staff, action="cells.thing.frobbed", organization=world.tree.a1)
    (item,) = items_of(entries_of(pk=entry.pk))

    assert "frobbed" not in item.sentence
    assert item.sentence == "Ghi nhận một thay đổi"


#
# What: the sentences of a meeting's life, with field labels and display values
#


def test_meeting_history_says_what_in_vietnamese_with_labels_and_display_values(world):
    staff = world.personas.staff
    meeting = november_meeting(world, staff)
    excused = world.members.own
    meeting_services.meeting_update(
        meeting=meeting,
        data={
            "location": "Hội trường tầng 2",
            "date": datetime.date(2025, 11, 20),
            "kind": Meeting.Kind.THEMATIC,
            "topic": "Chuyển đổi số",
        },
        attendance={excused.pk: {"status": Attendance.Status.EXCUSED, "reason": "Ốm"}},
        version=meeting.version,
        updated_by=staff,
    )

    items = items_of(entries_of(target_type="meetings.meeting", target_id=meeting.pk))
    updated, created = items

    assert created.sentence == "Ghi buổi sinh hoạt tháng 11/2025"
    assert updated.sentence == "Sửa buổi sinh hoạt tháng 11/2025"
    changes = {c.label: (c.before, c.after) for c in updated.changes}
    assert changes["Địa điểm"] == ("(trống)", "Hội trường tầng 2")
    assert changes["Ngày"] == ("14/11/2025", "20/11/2025")
    assert changes["Loại buổi sinh hoạt"] == ("Sinh hoạt thường kỳ", "Sinh hoạt chuyên đề")
    assert changes["Điểm danh Nguyễn Văn An"] == ("Có mặt", "Vắng có lý do")
    for item in items:
        assert not ENGLISH.search(text_of(item)), text_of(item)
        assert "cells.meeting" not in text_of(item)


def test_finalised_and_reopened_meetings_read_as_sentences_with_the_reason(world):
    meeting = november_meeting(world, world.personas.staff)
    log_action(
        actor=world.personas.staff,
        action="cells.meeting.finalised",
        organization=world.tree.a1,
        target=meeting,
        data={"duration_minutes": 90, "minimum_minutes": 120, "shortfall_minutes": 30, "small_cell_minimum": False},
    )
    log_action(
        actor=world.personas.grassroots,
        action="cells.meeting.reopened",
        organization=world.tree.a1,
        target=meeting,
        message="Sai ngày họp",
    )

    reopened, finalised, _created = items_of(entries_of(target_type="meetings.meeting", target_id=meeting.pk))

    assert finalised.sentence == "Chốt biên bản buổi sinh hoạt tháng 11/2025"
    assert [(c.label, c.value) for c in finalised.changes] == [
        ("Thời lượng sinh hoạt", "90 phút (thiếu 30 phút so với tối thiểu 120 phút)")
    ]
    assert reopened.sentence == "Mở lại biên bản buổi sinh hoạt tháng 11/2025"
    assert reopened.note == "Sai ngày họp"


def test_evaluation_steps_show_status_and_grade_labels_not_codes(world):
    entry = log_action(
        actor=world.personas.grassroots,
        action="evaluations.evaluation.appraised",
        organization=world.tree.a1,
        data={
            "changes": {
                "status": ["SELF_ASSESSED", "APPRAISED"],
                "appraisal_grade": ["", "HTTNV"],
                "self_score": ["80.0", "82.5"],
            }
        },
    )
    entry.target_type = "evaluations.orgevaluation"
    entry.save()

    (item,) = items_of(entries_of(pk=entry.pk))

    assert item.sentence == "Thẩm định"
    changes = {c.label: (c.before, c.after) for c in item.changes}
    assert changes["Tiến độ"] == ("Đã tự đánh giá", "Đã thẩm định")
    assert changes["Điểm tự chấm"] == ("80", "82,5")
    assert ("(trống)", "Hoàn thành tốt nhiệm vụ") in changes.values()
    assert "SELF_ASSESSED" not in text_of(item) and "status" not in text_of(item)


def test_a_role_granted_by_the_seed_in_english_reads_in_vietnamese(world):
    # The demo seed wrote its message in English; the sentence is built from the role, not from the message.
    assignment = world.assignments["secretary"]
    world.personas.secretary.last_name, world.personas.secretary.first_name = "Lê Văn", "Dũng"
    world.personas.secretary.save()
    AuditEntry.objects.filter(action="cells.role.granted").update(message="x: Cell secretary / deputy secretary")
    (item,) = items_of(entries_of(action="cells.role.granted", target_id=assignment.pk))

    assert item.sentence == "Phân quyền cho Lê Văn Dũng: Bí thư / Phó Bí thư chi bộ"
    assert not ENGLISH.search(item.sentence)


def test_a_revoked_role_reads_in_vietnamese_from_an_english_message(world):
    entry = log_action(
        actor=None,
        action="cells.role.revoked",
        organization=world.tree.a1,
        message="bithu: Cell secretary / deputy secretary",
    )
    entry.target_type, entry.target_id = "cells.roleassignment", 999999
    entry.save()

    (item,) = items_of(entries_of(pk=entry.pk))

    assert item.sentence == "Thu hồi quyền Bí thư / Phó Bí thư chi bộ của bithu"
    assert item.who == "Hệ thống"


#
# Who: the person's name and role at the node
#


def test_the_actor_shows_the_members_name_and_seat_at_the_node(world):
    from members.models import Position

    user = world.personas.secretary
    member = world.members.other
    member.user = user
    member.save(update_fields=["user"])
    Position.objects.create(member=member, organization=world.tree.a1, role=Position.Role.SECRETARY)
    meeting = november_meeting(world, user)

    (item,) = items_of(entries_of(target_type="meetings.meeting", target_id=meeting.pk))

    assert item.who == "Trần Thị Bình"  # the member record, not the login "secretary"
    assert item.role == "Bí thư"


def test_the_actor_without_a_member_record_shows_the_login_full_name_and_role_above_the_node(world):
    staff = world.personas.staff
    staff.last_name, staff.first_name = "Trần Thị Thanh", "Hương"
    staff.save()
    meeting = november_meeting(world, staff)

    (item,) = items_of(entries_of(target_type="meetings.meeting", target_id=meeting.pk))

    assert item.who == "Trần Thị Thanh Hương"
    assert item.role == "Cán bộ Ban Tổ chức, Đảng ủy Khối các cơ quan"


#
# Identical consecutive entries collapse
#


def test_identical_consecutive_entries_collapse_into_one_with_a_count(world):
    meeting = november_meeting(world, world.personas.staff)
    for _ in range(3):
        log_action(
            actor=world.personas.staff,
            action="cells.meeting.confirmed",
            organization=world.tree.a1,
            target=meeting,
        )
    # another person's identical action is not the same line
    log_action(
        actor=world.personas.grassroots, action="cells.meeting.confirmed", organization=world.tree.a1, target=meeting
    )

    items = items_of(entries_of(target_type="meetings.meeting", target_id=meeting.pk))

    assert [(i.sentence, i.count) for i in items] == [
        ("Xác nhận điểm buổi sinh hoạt tháng 11/2025", 1),
        ("Xác nhận điểm buổi sinh hoạt tháng 11/2025", 3),
        ("Ghi buổi sinh hoạt tháng 11/2025", 1),
    ]


def test_identical_entries_far_apart_do_not_collapse(world):
    meeting = november_meeting(world, world.personas.staff)
    first = log_action(
        actor=world.personas.staff, action="cells.meeting.confirmed", organization=world.tree.a1, target=meeting
    )
    AuditEntry.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    log_action(actor=world.personas.staff, action="cells.meeting.confirmed", organization=world.tree.a1, target=meeting)

    items = items_of(entries_of(target_type="meetings.meeting", target_id=meeting.pk).order_by("-created_at"))

    assert [i.count for i in items] == [1, 1, 1]


#
# The pages
#


def test_the_cell_page_and_the_meeting_page_show_the_history_in_words(world, client_for):
    meeting = november_meeting(world, world.personas.staff)
    for _ in range(5):
        log_action(
            actor=world.personas.staff, action="cells.meeting.confirmed", organization=world.tree.a1, target=meeting
        )
    client = client_for("staff")

    for url in (reverse("cells:detail", args=[world.tree.a1.pk]), reverse("meetings:detail", args=[meeting.pk])):
        content = client.get(url).content.decode()
        section = content[content.index('class="history') :]
        section = section[: section.index("</ul>\n")]
        assert "Xác nhận điểm buổi sinh hoạt tháng 11/2025" in section
        assert "5 lần" in section
        assert "cells.meeting" not in content
        assert section.count("Xác nhận điểm") == 1


def test_history_query_count_does_not_grow_with_the_entries(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = november_meeting(world, world.personas.staff)

    def measure():
        with CaptureQueriesContext(connection) as captured:
            items_of(entries_of(organization=world.tree.a1))
        return len(captured)

    few = measure()
    for user in (world.personas.grassroots, world.personas.secretary, world.personas.admin):
        meeting_services.meeting_update(
            meeting=meeting,
            data={"location": f"Phòng {user.pk}"},
            version=Meeting.objects.get(pk=meeting.pk).version,
            updated_by=user,
        )
    assert measure() == few


def test_a_scored_meeting_shows_its_score_with_a_decimal_comma_and_its_rating_label(world):
    meeting = november_meeting(world, world.personas.staff)
    for message in ("Score 85.5: Tốt", "Score 85.5: Good"):  # written in Vietnamese, or by an English session
        AuditEntry.objects.filter(action="cells.meeting.scored").delete()
        log_action(
            actor=world.personas.staff,
            action="cells.meeting.scored",
            organization=world.tree.a1,
            target=meeting,
            message=message,
        )
        (item,) = items_of(entries_of(action="cells.meeting.scored"))

        assert item.sentence == "Chấm điểm buổi sinh hoạt tháng 11/2025"
        assert [(c.label, c.value) for c in item.changes] == [("Điểm", "85,5"), ("Xếp loại", "Tốt")]


def test_member_ratings_show_each_member_with_the_grade_labels(world):
    entry = log_action(
        actor=world.personas.grassroots,
        action="evaluations.member_ratings.saved",
        organization=world.tree.a1,
        data={"changes": {"7": {"member": "Nguyễn Văn An", "final_grade": ["HTNV", "HTTNV"]}}},
    )
    entry.target_type = "evaluations.evaluationperiod"
    entry.save()

    (item,) = items_of(entries_of(pk=entry.pk))

    assert item.sentence == "Lưu xếp loại đảng viên"
    assert [(c.label, c.before, c.after) for c in item.changes] == [
        ("Nguyễn Văn An — Mức xếp loại được quyết định", "Hoàn thành nhiệm vụ", "Hoàn thành tốt nhiệm vụ")
    ]
    assert not ENGLISH.search(text_of(item))
