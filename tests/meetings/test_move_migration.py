"""The meeting log moved from `cells` (and its score sheets from `criteria`) to `meetings` without losing a row.

The database is taken back to the release before the move (cells 0003, criteria 0006, no meetings app), filled by
hand through the models of that release, then migrated forward: every table keeps its rows and the new models
read them. (The same was done on PostgreSQL with the previous release's full demo data: see the closing note of
issue 11; `scripts/check_meetings_move.sh` repeats it.)
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cells.models import AuditEntry
from meetings.models import Meeting

BEFORE_MOVE = [("cells", "0003_meeting_attendance_totals"), ("criteria", "0006_seed_criteria_sets"), ("meetings", None)]
TABLES = (
    "cells_meeting",
    "cells_attendance",
    "cells_temporaryattendance",
    "cells_meetingattachment",
    "cells_meetingscore",
    "cells_monthlyguidance",
    "cells_notification",
    "criteria_meetingscoretemplate",
    "criteria_meetingscoreitem",
    "criteria_meetingscoretemplate_basis",
)


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def fill_the_old_release(apps) -> dict:
    User = apps.get_model("auth", "User")
    Organization = apps.get_model("cells", "Organization")
    AuditEntry = apps.get_model("cells", "AuditEntry")
    Member = apps.get_model("members", "Member")
    Transfer = apps.get_model("members", "Transfer")
    Meeting = apps.get_model("cells", "Meeting")
    Attendance = apps.get_model("cells", "Attendance")
    TemporaryAttendance = apps.get_model("cells", "TemporaryAttendance")
    MeetingAttachment = apps.get_model("cells", "MeetingAttachment")
    MeetingScore = apps.get_model("cells", "MeetingScore")
    MonthlyGuidance = apps.get_model("cells", "MonthlyGuidance")
    Notification = apps.get_model("cells", "Notification")
    Template = apps.get_model("criteria", "MeetingScoreTemplate")
    Item = apps.get_model("criteria", "MeetingScoreItem")
    Document = apps.get_model("criteria", "RegulationDocument")

    user = User.objects.create(username="bithu-cu")
    root = Organization.objects.create(name="Đảng ủy Khối", code="K", kind="DANG_BO_CAP_TREN_CO_SO", path="/")
    root.path = f"/{root.pk}/"
    root.save()
    cell = Organization.objects.create(
        name="Chi bộ Văn phòng", code="K-CB1", kind="CHI_BO_CO_SO", parent=root, depth=1, path=""
    )
    cell.path = f"{root.path}{cell.pk}/"
    cell.save()
    members = [Member.objects.create(full_name=f"Đảng viên {n}", organization=cell, status="CHINH_THUC") for n in "AB"]
    visitor = Member.objects.create(full_name="Đảng viên tạm thời", organization=root, status="CHINH_THUC")
    transfer = Transfer.objects.create(
        kind="TAM_THOI", member=visitor, to_organization=cell, decided_on=datetime.date(2025, 1, 2)
    )
    template = Template.objects.create(name="Bảng điểm cũ", valid_from=datetime.date(2020, 1, 1), levels={"TOT": 90})
    template.basis.set(Document.objects.all()[:2])
    item = Item.objects.create(template=template, section="A", code="A1", text="Chuẩn bị", max_points=5)
    meeting = Meeting.objects.create(
        organization=cell,
        period_year=2025,
        period_month=1,
        date=datetime.date(2025, 1, 10),
        start_time=datetime.time(8),
        end_time=datetime.time(10),
        score_template=template,
        present_count=2,
        eligible_count=2,
    )
    for member in members:
        Attendance.objects.create(meeting=meeting, member=member, status="CO_MAT")
    TemporaryAttendance.objects.create(meeting=meeting, transfer=transfer)
    MeetingAttachment.objects.create(
        meeting=meeting, file="meetings/1/1/bien-ban.pdf", original_name="bien-ban.pdf", content_type="x", size=3
    )
    MeetingScore.objects.create(meeting=meeting, item=item, points=5)
    MonthlyGuidance.objects.create(organization=root, year=2025, month=1, title="Tháng 1", content="Nội dung")
    Notification.objects.create(user=user, key="k1", message="Nhắc lịch")
    AuditEntry.objects.create(action="cells.meeting.created", target_type="cells.meeting", target_id=meeting.pk)
    return {"meeting": meeting.pk, "template": template.pk}


@pytest.mark.django_db(transaction=True)
def test_moving_the_meeting_models_to_their_app_keeps_every_row():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_MOVE)
    executor = MigrationExecutor(connection)  # reads what is applied now: the release before the move
    ids = fill_the_old_release(executor._create_project_state(with_applied_migrations=True).apps)
    before = row_counts()
    assert all(before.values()), before  # every moved table has rows to lose

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    assert row_counts() == before
    meeting = Meeting.objects.get(pk=ids["meeting"])
    assert meeting.organization.name == "Chi bộ Văn phòng"
    assert meeting.attendances.count() == 2 and meeting.temporary_attendances.count() == 1
    assert meeting.score_template.pk == ids["template"] and meeting.score_template.basis.count() == 2
    assert [score.item.code for score in meeting.scores.all()] == ["A1"]
    assert meeting.attachments.get().original_name == "bien-ban.pdf"
    # The audit entry follows its model's new label; the content type moved instead of being duplicated.
    assert AuditEntry.objects.get(action="cells.meeting.created").target_type == "meetings.meeting"
    assert ContentType.objects.filter(model="meeting").values_list("app_label", flat=True).get() == "meetings"
