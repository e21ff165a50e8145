"""The paper printouts of a cell (meetings/printouts/views.py), rendered with the real WeasyPrint and read back with
pdftotext.

On top of the conftest world, cell A1 gets (time frozen at 20 March 2026):
    An, Bình (FULL), Cường (PROBATIONARY) from conftest; Đặng Thị Giang (FULL → EXEMPT);
    Hoàng Minh Tuấn attending temporarily from outside the tree;
    a regular meeting of March 2026: Bình absent with a reason, Cường absent without one, finalised.
"""

import datetime
import urllib.parse
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Meeting
from members import services as member_services
from members.models import Member
from tests.helpers import LOGIN, absences, assert_outcome, count_queries
from tests.reports import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 20)
EXCUSE = "Đi công tác tại Đà Nẵng"


@pytest.fixture(autouse=True)
def march_2026():
    with time_machine.travel("2026-03-20 09:00 +0700"):
        yield


def add_member(cell, full_name, *, status=Member.Status.FULL, by):
    return member_services.member_create(organization=cell, full_name=full_name, status=status, created_by=by)


def log_meeting(cell, *, month, by, presiding, minute_taker, vote_for=1) -> Meeting:
    return meeting_services.meeting_create(
        organization=cell,
        data={
            "kind": Meeting.Kind.REGULAR,
            "period_year": 2026,
            "period_month": month,
            "date": datetime.date(2026, month, 10),
            "start_time": datetime.time(8, 0),
            "end_time": datetime.time(10, 0),
            "location": "Hội trường tầng 3",
            "presiding": presiding,
            "minute_taker": minute_taker,
            "content": "Đánh giá kết quả thực hiện nhiệm vụ tháng trước.",
            "discussion": "Đồng chí Nguyễn Văn An đề nghị tăng cường kiểm tra.",
            "conclusion": "Chi bộ thống nhất triển khai nhiệm vụ tháng tới.",
            "vote_for": vote_for,
            "vote_against": 0,
            "vote_abstain": 0,
        },
        created_by=by,
    )


@pytest.fixture
def a1(world):
    """Cell A1 with an exempt member, a temporary member and a finalised meeting for March 2026."""
    admin, cell, members = world.personas.admin, world.tree.a1, world.members
    exempt = add_member(cell, "Đặng Thị Giang", by=admin)
    member_services.member_change_status(
        member=exempt,
        status=Member.Status.EXEMPT,
        effective_on=TODAY - datetime.timedelta(days=30),
        decision_no="12-QĐ/ĐU",
        changed_by=admin,
    )
    temporary = member_services.transfer_temporary(
        to_organization=cell,
        decided_on=TODAY - datetime.timedelta(days=60),
        expected_return_on=TODAY + datetime.timedelta(days=300),
        member_name="Hoàng Minh Tuấn",
        from_text="Chi bộ Trường Đại học Bách khoa",
        transferred_by=admin,
    )
    meeting = log_meeting(cell, month=3, by=admin, presiding=members.own, minute_taker=members.own)
    meeting = meeting_services.meeting_update(
        meeting=meeting,
        data={},
        attendance=absences(world, EXCUSE),
        version=meeting.version,
        updated_by=admin,
    )
    return SimpleNamespace(cell=cell, exempt=exempt, temporary=temporary, meeting=meeting)


def get_pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    # Table cells wrap long names: compare text with every run of whitespace as one space.
    return response, " ".join(pdf_text(response.content).split())


def assert_says(text, *phrases):
    for phrase in phrases:
        assert phrase in text


def roll_names(world, a1) -> list[str]:
    """The names of the four members on A1's roll (An, Bình, Cường, Giang)."""
    return [
        member.full_name for member in (world.members.own, world.members.other, world.members.probationary, a1.exempt)
    ]


def urls(a1) -> dict[str, str]:
    return {
        "attendance_sheet": reverse("printouts:attendance_sheet", args=[a1.cell.pk]) + "?year=2026&month=4",
        "minutes_blank": reverse("printouts:minutes_blank", args=[a1.cell.pk]) + "?year=2026&month=4",
        "minutes": reverse("printouts:minutes", args=[a1.meeting.pk]),
    }


#
# Access
#

PRINTOUTS = ("attendance_sheet", "minutes_blank", "minutes")


@pytest.mark.parametrize("printout", PRINTOUTS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        pytest.param("outsider", 404, id="hidden-from-secretary-of-another-cell"),
        pytest.param("member", 404, id="hidden-from-user-without-role"),
        pytest.param("anonymous", LOGIN, id="sends-anonymous-user-to-login"),
    ],
)
def test_printout_is_only_for_the_cell(a1, client_for, printout, persona, expected):
    response = client_for(persona).get(urls(a1)[printout])

    assert_outcome(response, expected)


@pytest.mark.parametrize("printout", ["attendance_sheet", "minutes_blank"])
def test_printout_of_a_committee_is_not_found(tree, client_for, printout):
    response = client_for("grassroots").get(reverse(f"printouts:{printout}", args=[tree.a.pk]))

    assert response.status_code == 404


def test_minutes_of_missing_meeting_is_not_found(a1, client_for):
    response = client_for("secretary").get(reverse("printouts:minutes", args=[a1.meeting.pk + 1000]))

    assert response.status_code == 404


#
# Content
#


def test_attendance_sheet_lists_the_roll_the_exempt_and_the_temporary_members(a1, world, client_for):
    response, text = get_pdf(client_for("secretary"), urls(a1)["attendance_sheet"])

    assert_says(text, *roll_names(world, a1), "Miễn sinh hoạt", "Hoàng Minh Tuấn", "Chi bộ Trường Đại học Bách khoa")
    # On the roll 4: full 2, probationary 1, exempt 1; 3 must attend; 1 temporary member.
    assert_says(
        text,
        "tháng 4 năm 2026",
        "Tổng số đảng viên của chi bộ: 4; trong đó chính thức: 2, dự bị: 1",
        "Số đảng viên phải dự: 3",
        "Đảng viên sinh hoạt tạm thời: 1",
    )
    # Vietnamese name order: by given name (An, Bình, Cường, Giang), not by family name.
    positions = [text.index(name) for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Đặng Thị Giang")]
    assert positions == sorted(positions)
    assert {font["emb"] for font in pdf_fonts(response.content)} == {"yes"}


def test_attendance_sheet_is_inline_with_ascii_and_utf8_file_names(a1, client_for):
    response, _ = get_pdf(client_for("secretary"), urls(a1)["attendance_sheet"])

    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="')
    ascii_name = disposition.split('filename="')[1].split('"')[0]
    assert ascii_name.isascii() and ascii_name.endswith(".pdf") and "04-2026" in ascii_name
    utf8_name = urllib.parse.unquote(disposition.split("filename*=UTF-8''")[1])
    assert "Chi bộ A1" in utf8_name and utf8_name.endswith(".pdf")
    assert "private" in response["Cache-Control"]


def test_attendance_sheet_falls_back_to_this_month_on_a_bad_period(a1, client_for):
    url = reverse("printouts:attendance_sheet", args=[a1.cell.pk]) + "?year=abc&month=13"

    _, text = get_pdf(client_for("secretary"), url)

    assert "tháng 3 năm 2026" in text


def test_blank_minutes_prefill_the_counts(a1, client_for):
    _, text = get_pdf(client_for("secretary"), urls(a1)["minutes_blank"])

    assert_says(
        text,
        "BIÊN BẢN",
        "sinh hoạt chi bộ định kỳ tháng 4 năm 2026",
        "Tổng số đảng viên của chi bộ: 4 đồng chí; trong đó chính thức: 2, dự bị: 1",
        "miễn sinh hoạt hoặc đình chỉ sinh hoạt: 1",
        "Số đảng viên phải dự: 3",
        "Đảng viên sinh hoạt tạm thời: 1",
    )
    assert_says(text, "THƯ KÝ", "CHỦ TRÌ", "BIỂU QUYẾT", "Tán thành", "không tán thành", "không biểu quyết")


def test_finalised_minutes_show_counts_attendance_and_the_absentee_reason(a1, world, client_for, personas):
    scored = meeting_services.meeting_score(
        meeting=a1.meeting, manual_points={}, version=a1.meeting.version, scored_by=personas.admin
    )
    meeting = meeting_services.meeting_finalise(meeting=scored, version=scored.version, finalised_by=personas.admin)

    _, text = get_pdf(client_for("secretary"), reverse("printouts:minutes", args=[meeting.pk]))

    assert "BẢN NHÁP" not in text
    assert_says(
        text,
        "sinh hoạt chi bộ định kỳ tháng 3 năm 2026",
        "ngày 10 tháng 3 năm 2026",
        "Hội trường tầng 3",
        "Đánh giá kết quả thực hiện nhiệm vụ tháng trước.",
        "Chi bộ thống nhất triển khai nhiệm vụ tháng tới.",
    )
    # 4 on the roll: full 2, probationary 1, exempt 1; 3 must attend; only An is present.
    assert_says(
        text,
        "Tổng số đảng viên của chi bộ: 4 đồng chí; trong đó chính thức: 2, dự bị: 1",
        "Số đảng viên phải dự: 3; có mặt: 1",
        "vắng mặt: 2 (có lý do: 1, không có lý do: 1)",
        EXCUSE,
    )
    assert_says(text, *roll_names(world, a1), "Hoàng Minh Tuấn", "Tán thành: 1 đồng chí, đạt 100%")


def test_draft_minutes_print_with_a_draft_mark(a1, client_for):
    _, text = get_pdf(client_for("secretary"), urls(a1)["minutes"])

    assert text.count("BẢN NHÁP") >= 2  # the banner on page 1 and the mark at the top of every page
    assert EXCUSE in text


def test_minutes_show_the_score_and_rating_when_scored(a1, client_for):
    Meeting.objects.filter(pk=a1.meeting.pk).update(score="92.5", rating=Meeting.Rating.GOOD)

    _, text = get_pdf(client_for("secretary"), urls(a1)["minutes"])

    assert "92,5 điểm" in text


#
# Queries do not grow with the roll
#


@pytest.mark.parametrize("printout", ["attendance_sheet", "minutes_blank"])
def test_cell_printout_queries_do_not_grow_with_the_roll(a1, personas, client_for, printout):
    client = client_for("secretary")
    url = urls(a1)[printout]
    before = count_queries(client, url)

    for number in range(10):
        add_member(a1.cell, f"Nguyễn Văn Mười {number}", by=personas.admin)

    assert count_queries(client, url) == before


def test_minutes_queries_do_not_grow_with_the_roll(a1, world, personas, client_for):
    client = client_for("secretary")
    before = count_queries(client, urls(a1)["minutes"])

    for number in range(10):
        add_member(a1.cell, f"Nguyễn Văn Mười {number}", by=personas.admin)
    february = log_meeting(
        a1.cell, month=2, by=personas.admin, presiding=world.members.own, minute_taker=world.members.own
    )

    assert count_queries(client, reverse("printouts:minutes", args=[february.pk])) == before
