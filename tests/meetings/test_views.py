"""Meeting pages (meetings/views.py) through the test client.

Today is frozen on 15/06/2025. The secretary persona holds cell A1 (An and Bình full members, Cường probationary);
the outsider is secretary of B1; the grassroots persona holds committee A; staff and leader sit at the root.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cells.models import AuditEntry
from meetings import services as services
from meetings.models import (
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingScore,
    MeetingScoreTemplate,
    TemporaryAttendance,
)
from tests.helpers import meeting_minutes

pytestmark = pytest.mark.django_db

A = Attendance.Status
K = Meeting.Kind
DAY = datetime.date(2025, 6, 10)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-06-15 10:00 +0700", tick=False):
        yield


def form_data(world, **overrides) -> dict:
    """The meeting form as a browser sends it."""
    data = {
        "kind": K.REGULAR,
        "period_month": "6",
        "period_year": "2025",
        "date": "2025-06-10",
        "start_time": "08:00",
        "end_time": "09:45",
        "location": "Hội trường cơ quan",
        "format": Meeting.Format.IN_PERSON,
        "presiding": str(world.members.own.pk),
        "minute_taker": str(world.members.other.pk),
        "topic": "",
        "guests": "",
        "upper_attendee": "Đ/c Phạm Văn Tư, Đảng ủy viên",
        "pre_meeting_on": "2025-06-05",
        "documents_sent_on": "2025-06-08",
        "content": "Học tập chuyên đề; kiểm điểm công việc tháng 5",
        "discussion": "Đ/c An, đ/c Bình phát biểu",
        "conclusion": "Chi bộ thống nhất nhiệm vụ tháng 6",
        "vote_for": "2",
        "vote_against": "0",
        "vote_abstain": "0",
    }
    data.update(overrides)
    return data


def create(world, cell=None, **overrides) -> Meeting:
    """A regular meeting on DAY (tests/helpers.py), neither prepared nor sent ahead, logged by the admin."""
    values = {"content": "Nội dung", "conclusion": "Kết luận", "pre_meeting_on": None, "documents_sent_on": None}
    data = meeting_minutes(world, **{**values, **overrides})
    return services.meeting_create(organization=cell or world.tree.a1, data=data, created_by=world.personas.admin)


def written() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Meeting, Attendance, TemporaryAttendance, MeetingScore, MeetingAttachment, AuditEntry)
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def pdf(name="bien-ban.pdf", content=PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


#
# The whole path on a phone: create → tap absentees → score → finalise
#


def test_secretary_logs_scores_and_finalises_a_meeting_and_the_grid_shows_it_final(world, client_for):
    client, cell, members = client_for("secretary"), world.tree.a1, world.members

    assert client.get(reverse("meetings:create", args=[cell.pk])).status_code == 200
    response = client.post(reverse("meetings:create", args=[cell.pk]), form_data(world))

    meeting = Meeting.objects.get(organization=cell)
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert [row.status for row in detail.context["attendance_rows"]] == [A.PRESENT] * 3

    # Tap Bình absent with reason; An spoke. Only An is a full member present now: 1 vote.
    response = client.post(
        reverse("meetings:detail", args=[meeting.pk]),
        {
            **form_data(world, vote_for="1"),
            "version": str(meeting.version),
            f"att-{members.own.pk}": A.PRESENT,
            f"spoke-{members.own.pk}": "on",
            f"att-{members.other.pk}": A.EXCUSED,
            f"reason-{members.other.pk}": "Đi công tác",
            f"att-{members.probationary.pk}": A.PRESENT,
            "next": "score",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("meetings:score", args=[meeting.pk])
    meeting.refresh_from_db()
    other = meeting.attendances.get(member=members.other)
    assert (other.status, other.reason) == (A.EXCUSED, "Đi công tác")
    assert meeting.attendances.get(member=members.own).spoke is True

    score_page = client.get(response["Location"])
    assert score_page.status_code == 200
    manual = {f"item-{row['item'].pk}": str(row["item"].max_points) for row in score_page.context["rows"]}
    response = client.post(reverse("meetings:score", args=[meeting.pk]), {**manual, "version": str(meeting.version)})
    assert response.status_code == 302
    meeting.refresh_from_db()
    # 2 present of 3 eligible = 66.7 % → TL1 (20) lost; everything else at full marks: 80 → Khá.
    assert (meeting.score, meeting.rating) == (Decimal(80), Meeting.Rating.FAIR)

    response = client.post(
        reverse("meetings:finalise", args=[meeting.pk]), {"version": str(meeting.version), "confirm": "yes"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL

    grid = client.get(reverse("meetings:cell", args=[cell.pk]) + "?year=2025")
    assert grid.status_code == 200
    assert grid.context["grid"]["months"][5].state == "counted"
    assert [m.state for m in grid.context["grid"]["months"][:5]] == ["missing"] * 5
    assert list(
        AuditEntry.objects.filter(target_type="meetings.meeting", target_id=meeting.pk)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["cells.meeting.created", "cells.meeting.updated", "cells.meeting.scored", "cells.meeting.finalised"]


def test_create_form_shows_service_errors_and_writes_nothing(world, client_for):
    before = written()

    response = client_for("secretary").post(
        reverse("meetings:create", args=[world.tree.a1.pk]), form_data(world, end_time="07:00")
    )

    assert response.status_code == 200
    assert "end_time" in response.context["form"].errors
    assert written() == before


def test_finalise_page_shows_every_problem_and_keeps_the_draft(world, client_for):
    meeting = create(world, conclusion="", vote_for=3)

    response = client_for("secretary").post(
        reverse("meetings:finalise", args=[meeting.pk]), {"version": str(meeting.version), "confirm": "yes"}
    )

    assert response.status_code == 302
    assert len(messages_of(response)) == 3  # missing conclusion, 3 votes for 2 full members, not scored
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_stale_save_is_refused_and_the_typed_input_is_kept(world, client_for):
    meeting = create(world)
    client, members = client_for("secretary"), world.members
    opened = client.get(reverse("meetings:detail", args=[meeting.pk]))
    version = opened.context["form"]["version"].value()
    # Someone else saves in between.
    services.meeting_update(
        meeting=meeting, data={"location": "Phòng họp số 1"}, version=version, updated_by=world.personas.grassroots
    )
    before = written()

    response = client.post(
        reverse("meetings:detail", args=[meeting.pk]),
        {
            **form_data(world, location="Phòng họp số 2", conclusion="Kết luận mới"),
            "version": str(version),
            f"att-{members.own.pk}": A.PRESENT,
            f"att-{members.other.pk}": A.EXCUSED,
            f"reason-{members.other.pk}": "Ốm",
            f"att-{members.probationary.pk}": A.UNEXCUSED,
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert (form["location"].value(), form["conclusion"].value()) == ("Phòng họp số 2", "Kết luận mới")
    shown = {row.member_id: (row.status, row.reason) for row in response.context["attendance_rows"]}
    assert shown[members.other.pk] == (A.EXCUSED, "Ốm")
    assert shown[members.probationary.pk][0] == A.UNEXCUSED
    meeting.refresh_from_db()
    assert meeting.location == "Phòng họp số 1"
    assert set(meeting.attendances.values_list("status", flat=True)) == {A.PRESENT}
    assert written() == before


def test_finalised_meeting_cannot_be_saved_through_the_page(world, client_for):
    meeting = create(world)
    meeting = services.meeting_score(meeting=meeting, manual_points={}, version=meeting.version, scored_by=None)
    meeting = services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=world.personas.admin)
    before = written()

    response = client_for("secretary").post(
        reverse("meetings:detail", args=[meeting.pk]),
        {**form_data(world, location="Phòng họp số 2"), "version": str(meeting.version)},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Hội trường cơ quan"
    assert written() == before


def test_leader_cannot_save_a_meeting(world, client_for):
    meeting = create(world)
    before = written()

    response = client_for("leader").post(
        reverse("meetings:detail", args=[meeting.pk]), {**form_data(world, location="X"), "version": "1"}
    )

    assert response.status_code == 403
    assert written() == before


def test_forged_attendance_id_is_refused_on_the_page(world, client_for):
    meeting = create(world)
    before = written()

    response = client_for("secretary").post(
        reverse("meetings:detail", args=[meeting.pk]),
        {**form_data(world), "version": str(meeting.version), "att-999999": A.PRESENT, "att-abc": A.PRESENT},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert written() == before


def test_finalise_with_a_malformed_version_is_refused_without_a_server_error(world, client_for):
    # App bug: _stale() calls int(version) on the posted text → ValueError → 500.
    meeting = create(world)

    response = client_for("secretary").post(
        reverse("meetings:finalise", args=[meeting.pk]), {"version": "abc", "confirm": "yes"}
    )

    assert response.status_code in (302, 400)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_score_page_refuses_points_that_are_not_a_number_without_a_server_error(world, client_for):
    # App bug: Decimal("NaN") parses, then `points < 0` raises InvalidOperation in the service → 500.
    meeting = create(world)
    item = MeetingScoreTemplate.objects.get(pk=meeting.score_template_id).items.get(code="TC2")
    before = written()

    response = client_for("secretary").post(
        reverse("meetings:score", args=[meeting.pk]), {f"item-{item.pk}": "NaN", "version": str(meeting.version)}
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert written() == before


@pytest.mark.parametrize("typed", ["7,5", "7.5", " 7,5 "])
def test_score_page_reads_a_decimal_comma_or_dot_and_writes_the_box_value_with_a_dot(world, client_for, typed):
    # Issue 12: the page wrote value="7,5", which a browser's number box shows empty and posts back as "".
    meeting = create(world)
    item = MeetingScoreTemplate.objects.get(pk=meeting.score_template_id).items.get(code="TC2")
    client = client_for("secretary")
    url = reverse("meetings:score", args=[meeting.pk])

    response = client.post(url, {f"item-{item.pk}": typed, "version": str(meeting.version)})

    assert response.status_code == 302
    assert MeetingScore.objects.get(meeting=meeting, item=item).points == Decimal("7.5")
    page = client.get(url).content.decode()
    assert f'name="item-{item.pk}" value="7.5"' in page
    assert 'inputmode="decimal"' in page


@pytest.mark.parametrize("value", ["10.5", "-1", "abc"])
def test_score_page_refuses_points_out_of_range(world, client_for, value):
    meeting = create(world)
    item = MeetingScoreTemplate.objects.get(pk=meeting.score_template_id).items.get(code="TC2")
    before = written()

    response = client_for("secretary").post(
        reverse("meetings:score", args=[meeting.pk]), {f"item-{item.pk}": value, "version": str(meeting.version)}
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert written() == before


#
# Reopen and confirm
#


def finalised_and_scored(world) -> Meeting:
    meeting = create(world)
    manual = {item.pk: item.max_points for item in meeting.score_template.items.all() if not item.auto_key}
    meeting = services.meeting_score(
        meeting=meeting, manual_points=manual, version=meeting.version, scored_by=world.personas.admin
    )
    return services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=world.personas.admin)


def test_secretary_cannot_reopen_finalised_minutes(world, client_for):
    meeting = finalised_and_scored(world)
    client, url = client_for("secretary"), reverse("meetings:reopen", args=[meeting.pk])
    before = written()

    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Sửa biên bản"}).status_code == 403

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL
    assert written() == before


def test_grassroots_committee_reopens_finalised_minutes_with_a_reason(world, client_for):
    meeting = finalised_and_scored(world)
    client, url = client_for("grassroots"), reverse("meetings:reopen", args=[meeting.pk])

    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 200 and refused.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL

    response = client.post(url, {"reason": "Bổ sung ý kiến đ/c Bình"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    entry = AuditEntry.objects.get(action="cells.meeting.reopened", target_id=meeting.pk)
    assert (entry.actor, entry.message) == (world.personas.grassroots, "Bổ sung ý kiến đ/c Bình")


def test_upper_committee_confirms_the_score_and_the_secretary_cannot(world, client_for):
    meeting = finalised_and_scored(world)
    url = reverse("meetings:confirm", args=[meeting.pk])

    assert client_for("secretary").post(url).status_code == 403
    meeting.refresh_from_db()
    assert meeting.confirmed_at is None

    assert client_for("grassroots").post(url).status_code == 302

    meeting.refresh_from_db()
    assert meeting.confirmed_by == world.personas.grassroots
    detail = client_for("grassroots").get(reverse("meetings:detail", args=[meeting.pk]))
    assert detail.context["can_confirm"] is False  # confirmed once


#
# Attachments
#


def test_secretary_attaches_a_scan_and_a_leader_downloads_it(world, client_for):
    meeting = create(world)

    response = client_for("secretary").post(reverse("meetings:attachment_add", args=[meeting.pk]), {"file": pdf()})

    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get(meeting=meeting)
    download = client_for("leader").get(reverse("meetings:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")


def test_renamed_executable_is_refused_on_the_page_and_nothing_is_written(world, client_for):
    meeting = create(world)
    before = written()

    response = client_for("secretary").post(
        reverse("meetings:attachment_add", args=[meeting.pk]),
        {"file": pdf(content=b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")},
    )

    assert response.status_code == 302
    assert messages_of(response)
    assert written() == before


def test_a_120_mb_attachment_is_refused_before_its_body_is_read(world, client_for):
    """The declared size is enough: the test client's body is one byte, so reading it would fail loudly."""
    meeting = create(world)
    before = written()

    response = client_for("secretary").generic(
        "POST",
        reverse("meetings:attachment_add", args=[meeting.pk]),
        b"x",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(120 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "Tệp quá lớn" in response.content.decode()
    assert "120,0" in response.content.decode()  # the size sent, then the limit
    assert written() == before


def test_a_request_within_the_limit_is_read_as_usual(world, client_for, settings):
    settings.REQUEST_MAX_BYTES = 10 * 1024 * 1024
    meeting = create(world)

    response = client_for("secretary").post(reverse("meetings:attachment_add", args=[meeting.pk]), {"file": pdf()})

    assert response.status_code == 302
    assert MeetingAttachment.objects.filter(meeting=meeting).count() == 1


#
# Another cell's secretary: every meetings URL of A1 is a 404, and nothing is written
#


def test_secretary_of_another_cell_gets_404_on_every_meetings_url_of_a1(world, client_for):
    meeting = finalised_and_scored(world)
    services.meeting_reopen(meeting=meeting, reason="Sửa", reopened_by=world.personas.admin)
    attachment = services.attachment_add(meeting=meeting, uploaded_file=pdf(), uploaded_by=world.personas.admin)
    meeting.refresh_from_db()
    a1 = world.tree.a1.pk
    version = {"version": str(meeting.version)}
    requests = [
        ("get", reverse("meetings:cell", args=[a1]), None),
        ("get", reverse("meetings:create", args=[a1]), None),
        ("post", reverse("meetings:create", args=[a1]), form_data(world, period_month="5", date="2025-05-20")),
        ("get", reverse("meetings:detail", args=[meeting.pk]), None),
        ("post", reverse("meetings:detail", args=[meeting.pk]), {**form_data(world, location="X"), **version}),
        ("get", reverse("meetings:score", args=[meeting.pk]), None),
        ("post", reverse("meetings:score", args=[meeting.pk]), version),
        ("post", reverse("meetings:finalise", args=[meeting.pk]), version),
        ("get", reverse("meetings:reopen", args=[meeting.pk]), None),
        ("post", reverse("meetings:reopen", args=[meeting.pk]), {"reason": "Sửa"}),
        ("post", reverse("meetings:confirm", args=[meeting.pk]), None),
        ("post", reverse("meetings:attachment_add", args=[meeting.pk]), {"file": pdf()}),
        ("get", reverse("meetings:attachment", args=[attachment.pk]), None),
        ("get", reverse("meetings:compliance") + f"?org={a1}", None),
        ("get", reverse("meetings:list") + f"?org={a1}", None),
    ]
    client = client_for("outsider")
    before = written()
    state = Meeting.objects.filter(pk=meeting.pk).values().get()

    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 404, (method, url)

    assert written() == before
    assert Meeting.objects.filter(pk=meeting.pk).values().get() == state


#
# Compliance pages: scoped to the user's subtree
#


@pytest.fixture
def logged(world):
    """Regular meetings for June 2025 in A1 (Tốt), A2 (Khá) and B1 (Tốt), a thematic one in A1 (Tốt)."""
    made = {
        "a1": create(world),
        "a2": create(world, world.tree.a2, presiding=None, minute_taker=None),
        "b1": create(world, world.tree.b1, presiding=None, minute_taker=None),
        "a1_thematic": create(world, kind=K.THEMATIC, topic="Học tập và làm theo Bác"),
        "a1_may": create(world, period_month=5, date=datetime.date(2025, 5, 20)),
    }
    ratings = {"a1": "TOT", "a2": "KHA", "b1": "TOT", "a1_thematic": "TOT", "a1_may": "KHA"}
    for key, rating in ratings.items():
        Meeting.objects.filter(pk=made[key].pk).update(rating=rating)
    return made


def test_secretary_compliance_page_shows_only_their_cell(world, client_for, logged):
    response = client_for("secretary").get(reverse("meetings:compliance") + "?year=2025")

    assert response.status_code == 200
    assert response.context["root"] == world.tree.a1
    assert [row.organization for row in response.context["heatmap"]] == [world.tree.a1]
    assert response.context["kpis"].cells == 1
    assert [item["cell"].pk for item in response.context["missing"]] == [world.tree.a1.pk]


@pytest.mark.parametrize("node", ["b1", "root", "a", "a2"])
def test_secretary_compliance_page_of_a_node_outside_the_scope_is_not_found(world, client_for, node):
    url = reverse("meetings:compliance") + f"?org={getattr(world.tree, node).pk}"

    assert client_for("secretary").get(url).status_code == 404


def test_grassroots_compliance_page_covers_their_committee(world, client_for, logged):
    client = client_for("grassroots")

    response = client.get(reverse("meetings:compliance") + "?year=2025&month=6")

    assert response.context["root"] == world.tree.a
    assert sorted(row.organization.code for row in response.context["heatmap"]) == ["A1", "A2"]
    k = response.context["kpis"]
    # June 2025 is the current month (today 15/06): no month is due yet, so no cell owes one (D6).
    assert (k.cells, k.months_counted, k.months_pending) == (0, [], [6])
    assert client.get(reverse("meetings:compliance") + f"?org={world.tree.b.pk}").status_code == 404


def test_staff_compliance_page_drills_down_to_a_committee(world, client_for, logged):
    response = client_for("staff").get(reverse("meetings:compliance") + f"?org={world.tree.a.pk}&year=2025")

    assert response.status_code == 200
    assert response.context["root"] == world.tree.a
    assert response.context["kpis"].cells == 2


def test_staff_compliance_page_lists_the_first_missing_cells_and_counts_the_rest(
    world, client_for, logged, monkeypatch
):
    monkeypatch.setattr("meetings.views.MISSING_SHOWN", 2)

    response = client_for("staff").get(reverse("meetings:compliance") + "?year=2025&month=5")

    # May 2025 and its 10 grace days have ended; only A1 logged it, as a draft, which does not count (D6): all five
    # cells miss it, two listed by name (A1 with its draft), three counted.
    assert [item["cell"].code for item in response.context["missing"]] == ["A1", "A2"]
    assert response.context["missing"][0]["drafts"] == [5]
    assert response.context["missing_more"] == 3
    assert "và 3 chi bộ khác" in response.content.decode()


def test_staff_compliance_heat_map_pages_its_rows_and_fills_only_the_page(world, client_for, logged, monkeypatch):
    monkeypatch.setattr("meetings.views.HEAT_ROWS", 1)
    url = reverse("meetings:compliance") + "?year=2025"

    pages = [client_for("staff").get(url + f"&rows={n}") for n in (1, 2, 3)]

    assert [len(page.context["heatmap"]) for page in pages] == [1, 1, 1]
    assert pages[0].context["heat_page"].paginator.count == 3  # A, B and C hold cells
    rows = {page.context["heatmap"][0].organization.code: page.context["heatmap"][0] for page in pages}
    # June: B1 logged it, B2 nothing; all drafts, shown apart and not counted (D6).
    assert (rows["B"].cells, rows["B"].drafts, rows["B"].counted) == (2, {6: 1}, {6: 0})
    assert (rows["A"].cells, rows["A"].drafts, rows["C"].drafts) == (2, {5: 1, 6: 2}, {})  # A1 also logged May
    assert "rows=3" in pages[1].content.decode() and "rows=1" in pages[1].content.decode()


def test_cell_page_of_a_committee_sends_to_its_compliance_page(world, client_for):
    response = client_for("staff").get(reverse("meetings:cell", args=[world.tree.a.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:compliance") + f"?org={world.tree.a.pk}"


def listed(response) -> set[int]:
    return {m.pk for m in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"a1", "a2", "b1", "a1_thematic", "a1_may"}),
        ("&kind=regular", {"a1", "a2", "b1", "a1_may"}),
        ("&kind=thematic", {"a1_thematic"}),
        ("&kind=regular&rating=TOT", {"a1", "b1"}),
        ("&month=5", {"a1_may"}),
        ("&quarter=2&kind=regular&rating=KHA", {"a2", "a1_may"}),
        ("&rating=BOGUS&kind=regular&month=6", {"a1", "a2", "b1"}),
    ],
)
def test_meeting_list_filters_by_period_kind_and_rating(world, client_for, logged, query, expected):
    response = client_for("staff").get(reverse("meetings:list") + "?year=2025" + query)

    assert response.status_code == 200
    assert listed(response) == {logged[key].pk for key in expected}


def test_meeting_list_drills_down_to_a_subtree_and_stays_in_scope(world, client_for, logged):
    staff_of_a = client_for("staff").get(reverse("meetings:list") + f"?year=2025&org={world.tree.a.pk}&kind=regular")
    secretary = client_for("secretary").get(reverse("meetings:list") + "?year=2025&rating=TOT")

    assert listed(staff_of_a) == {logged[key].pk for key in ("a1", "a2", "a1_may")}
    assert listed(secretary) == {logged[key].pk for key in ("a1", "a1_thematic")}
