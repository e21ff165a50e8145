"""The evaluation, model-cell and cell-profile reports built end to end (reports.building.report_build).

Each kind is built on a small hand-made fixture under the conftest tree, as the bloc staff (STAFF at the root, who
sees the whole tree). The figures are checked against numbers worked out by hand (the arithmetic is in the comments),
then the PDF text (pdftotext), the XLSX twin (openpyxl), and a second build on unchanged data.
"""

import datetime
import io
import unicodedata

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from openpyxl import load_workbook

from evaluations.models import (
    Grade,
    HistoricalRating,
    MemberEvaluation,
    ModelRegistration,
    OrgEvaluation,
    QuotaException,
)
from meetings.models import Meeting
from members import services as member_services
from members.models import Member, Position
from reports.building import report_build
from reports.models import Report
from reports.services import report_request
from tests.helpers import meeting_row, open_period
from tests.reports import pdf_text

pytestmark = pytest.mark.django_db

# March 2026: the whole of 2025 has ended and 2026 has begun.
FROZEN = "2026-03-01 09:00 +0700"
YEAR = 2025

EXCELLENT, GOOD, FULFILLED, NOT_FULFILLED = Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED, Grade.NOT_FULFILLED
RECOGNISED = ModelRegistration.Status.RECOGNISED
BUILDING = ModelRegistration.Status.BUILDING
WITHDRAWN = ModelRegistration.Status.WITHDRAWN


#
# Helpers
#


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def xlsx_tables(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def flat_text(report: Report) -> str:
    text = pdf_text(stored(report.pdf))
    assert unicodedata.is_normalized("NFC", text)
    return " ".join(text.split())  # names wrap inside narrow table cells


def build(world, kind: str, organization, year: int = YEAR) -> Report:
    """Request as the staff persona (the on-commit build never runs inside the test's transaction), then build."""
    staff = world.personas.staff
    report = report_request(user=staff, organization=organization, kind=kind, year=year)
    built = report_build(report_id=report.pk, as_user=staff)
    assert built is not None
    built.refresh_from_db()
    assert built.status == Report.Status.DONE, built.error
    assert stored(built.pdf).startswith(b"%PDF-")
    return built


def built_as_computed(world, year_of, kind: str, organization, figures: dict) -> tuple[Report, dict[str, list]]:
    """The report of `kind` for `organization` on the year that `year_of(world)` sets up, whose figures are those
    computed by hand; returns it with the tables of its xlsx."""
    year_of(world)
    report = build(world, kind, organization)
    assert report.figures == figures
    return report, xlsx_tables(stored(report.xlsx))


def new_member(world, cell, name: str, card: str, status=Member.Status.FULL) -> Member:
    return member_services.member_create(
        organization=cell, full_name=name, status=status, party_card_no=card, created_by=world.personas.admin
    )


def open_year(world):
    dues = datetime.date(2025, 12, 15), datetime.date(2025, 12, 31), datetime.date(2026, 1, 31)
    return open_period(world, year=YEAR, by="admin", dues=dues)


def decide(period, organization, grade: str, decision_no: str = "") -> None:
    updated = OrgEvaluation.objects.filter(period=period, organization=organization).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=grade, decision_no=decision_no
    )
    assert updated == 1


def label(grade: str) -> str:
    return str(Grade(grade).label)


#
# Yearly evaluation results (kind "evaluation")
#
# period_open(2025) at the root opens one evaluation per party organisation below it: A, A1, A2, B, B1, B2, C (7).
# Decided: A HTXSNV, A1 HTTNV, A2 HTNV, C HTTNV; B, B1, B2 not decided.
#   grassroots_grades (B26)   the TCCSĐ only: A HTXSNV, C HTTNV → HTXSNV 1, HTTNV 1, HTNV 0, KHTNV 0
#   subordinate_grades        A1 HTTNV, A2 HTNV → HTXSNV 0, HTTNV 1, HTNV 1, KHTNV 0
#   meetings (B26, D6)        no meeting logged in 2025: 0 % of the 5 cells held every month; attendance unknown
#   decided per grassroots    A 3/3 (A, A1, A2), B 0/3, C 1/1
# Members (final grades):
#   under A   HTTNV 5 (An, Bình, Cường in A1; Dũng, Hà in A2), HTXSNV 2 (Giang in A1, Hải in A2),
#             plus Khánh (A1) not classified (empty final grade: not counted)
#   under C   HTTNV 1 (Lan), HTNV 1 (Minh)
#   member_grades             HTXSNV 2, HTTNV 5 + 1 = 6, HTNV 1, KHTNV 0
#   members_classified        2 + 6 + 1 = 9
#   pct_good_or_better        (2 + 6) / 9 = 88.888… → 88.9
#   pct_excellent             2 / 9 = 22.222… → 22.2
# Quota (20 % of HTTNV, rounded down):
#   A   allowed int(5 × 20 / 100) = 1, HTXSNV 2 → remaining 1 − 2 = −1 → over quota
#   C   allowed int(1 × 20 / 100) = 0, HTXSNV 0 → remaining 0
#   over_quota                ["Đảng bộ A"]
# Basis: the 2025 parameter set "QĐ 366-QĐ/TW, HD 43-HD/BTCTW, HD 42-HD/BTCTW (từ 2025)".
#

EVALUATION_FIGURES = {
    "period": True,
    "members_classified": 9,
    "pct_good_or_better": 88.9,
    "pct_excellent": 22.2,
    "grassroots_grades": {"HTXSNV": 1, "HTTNV": 1, "HTNV": 0, "KHTNV": 0},
    "subordinate_grades": {"HTXSNV": 0, "HTTNV": 1, "HTNV": 1, "KHTNV": 0},
    "pct_cells_all_regular": 0.0,
    "attendance_pct": None,
    "member_grades": {"HTXSNV": 2, "HTTNV": 6, "HTNV": 1, "KHTNV": 0},
    "over_quota": ["Đảng bộ A"],
    "cap_exceptions": 0,  # D5: no discipline cap lifted (tests/evaluations/test_discipline.py lists one)
    # The review is still open (B, B1, B2 undecided): its progress, each stage counting those beyond it (issue #14).
    "progress": {"decided": 4, "appraised": 4, "self_assessed": 4, "of": 7},
    # The registers (D9, D10): no Dân vận khéo model, no e-handbook user, no residence feedback; the 10 members
    # created below are full or probationary (An, Bình, Cường, Dũng, Hà, Giang, Hải, Khánh, Lan, Minh).
    **{
        "mass_mobilisation_models": {"CO_SO": 0, "KHOI": 0, "TINH": 0, "TRUNG_UONG": 0},
        "mass_mobilisation_recognised": 0,
        "ehandbook_members": 0,
        "residence_feedback_members": 0,
        "members_taking_part": 10,
    },
}
NO_REGISTER_FIGURES = {
    "mass_mobilisation_models": {"CO_SO": 0, "KHOI": 0, "TINH": 0, "TRUNG_UONG": 0},
    "mass_mobilisation_recognised": 0,
    "ehandbook_members": 0,
    "residence_feedback_members": 0,
}
BASIS_NAME = "QĐ 366-QĐ/TW, HD 43-HD/BTCTW, HD 42-HD/BTCTW (từ 2025)"


def evaluation_2025(world):
    tree, members = world.tree, world.members
    period = open_year(world)
    assert period.parameter_set.name == BASIS_NAME
    assert OrgEvaluation.objects.filter(period=period).count() == 7
    for organization, grade in ((tree.a, EXCELLENT), (tree.a1, GOOD), (tree.a2, FULFILLED), (tree.c, GOOD)):
        decide(period, organization, grade)

    def rate(member, grassroots, grade):
        MemberEvaluation.objects.create(
            period=period, member=member, organization=member.organization, grassroots=grassroots, final_grade=grade
        )

    for member in (members.own, members.other, members.probationary):
        rate(member, tree.a, GOOD)
    rate(new_member(world, tree.a2, "Phạm Văn Dũng", "02.000001"), tree.a, GOOD)
    rate(new_member(world, tree.a2, "Vũ Thị Hà", "02.000002"), tree.a, GOOD)
    rate(new_member(world, tree.a1, "Đỗ Thị Giang", "01.000004"), tree.a, EXCELLENT)
    rate(new_member(world, tree.a2, "Hoàng Văn Hải", "02.000003"), tree.a, EXCELLENT)
    rate(new_member(world, tree.a1, "Bùi Văn Khánh", "01.000005"), tree.a, "")
    rate(new_member(world, tree.c, "Ngô Thị Lan", "03.000001"), tree.c, GOOD)
    rate(new_member(world, tree.c, "Đặng Văn Minh", "03.000002"), tree.c, FULFILLED)
    return period


@time_machine.travel(FROZEN, tick=False)
def test_evaluation_report_figures_pdf_and_xlsx_match_hand_computed_values(world):
    report, sheets = built_as_computed(
        world, evaluation_2025, Report.Kind.EVALUATION, world.tree.root, EVALUATION_FIGURES
    )

    assert report.parameter_set.name == BASIS_NAME
    # XLSX: three tables (organisations by grade, members by grade, per grassroots organisation), then the
    # registers' two (D9, D10: tests/evaluations/test_registers.py checks their figures).
    orgs, members, grassroots = (gettext(name) for name in ("Organisations", "Members", "Grassroots"))
    subordinate = gettext("Subordinate")
    assert list(sheets) == [
        gettext("Progress"),  # the review is open: its progress first (issue #14)
        orgs,
        subordinate,
        members,
        grassroots,
        gettext("Meetings"),  # B26: the year's meeting figures (meetings.counting)
        gettext("Exceptions"),  # D5: the discipline caps lifted by the deciding body
        gettext("Dan van kheo"),
        gettext("E-handbook"),
    ]
    # Row 1 the title, row 2 the headers, then the rows.
    # B26: the TCCSĐ (A, C) apart from the subordinate cells (A1, A2), with their share of the TCCSĐ classified.
    assert sheets[orgs][2:] == [
        (label(EXCELLENT), 1, 50),
        (label(GOOD), 1, 50),
        (label(FULFILLED), 0, 0),
        (label(NOT_FULFILLED), 0, 0),
    ]
    assert sheets[subordinate][2:] == [
        (label(EXCELLENT), 0),
        (label(GOOD), 1),
        (label(FULFILLED), 1),
        (label(NOT_FULFILLED), 0),
    ]
    assert sheets[members][2:] == [
        (label(EXCELLENT), 2),
        (label(GOOD), 6),
        (label(FULFILLED), 1),
        (label(NOT_FULFILLED), 0),
    ]
    # Sorted by name ("C" before "Đ"); members HTXSNV, HTTNV, HTNV, KHTNV; allowed; places left.
    # Decided and organisations in two number columns (never "1/1", which reads like a date), then a totals row.
    assert sheets[grassroots][2:5] == [
        ("Chi bộ cơ sở C", 1, 1, 0, 1, 1, 0, 0, 0),
        ("Đảng bộ A", 3, 3, 2, 5, 0, 0, 1, -1),
        ("Đảng bộ B", 0, 3, 0, 0, 0, 0),  # no quota: the empty cells are not written
    ]

    flat = flat_text(report)
    for expected in (
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ngày 01 tháng 3 năm 2026",
        "88,9",  # pct_good_or_better, Vietnamese decimal comma
        "22,2",  # pct_excellent
        f"{label(EXCELLENT)} 2 {label(GOOD)} 6 {label(FULFILLED)} 1 {label(NOT_FULFILLED)} 0",
        # Decided and organisations in two columns, never "1/1"; the totals row after them.
        "Chi bộ cơ sở C 1 1 0 1 1 0 0 0",
        "Đảng bộ A 3 3 2 5 0 0 1 -1",
        "Đảng bộ B 0 3 0 0 0 0",
        "Tổng cộng 4 7 2 6 1 0",
    ):
        assert expected in flat, expected
    # The legal basis once, before the body: "Căn cứ" and the documents of the parameter set in force, whatever their
    # order (pdftotext may join a hyphen at a line break: "43HD").
    assert flat.count("Căn cứ") == 1
    documents = flat.split("Căn cứ")[1].split(". ")[0].replace("-", "")
    for number in ("366-QĐ/TW", "43-HD/BTCTW", "42-HD/BTCTW"):
        assert number.replace("-", "") in documents, number


@time_machine.travel(FROZEN, tick=False)
def test_evaluation_report_counts_the_quota_exception_places_of_its_members_only(world):
    # A is allowed 1 HTXSNV (20 % of 5 HTTNV) and has 2: over the quota by one. One exception place for A's members
    # brings it to 2, none left; the places for subordinate organisations (A's and C's) are another quota.
    period = evaluation_2025(world)
    tree = world.tree
    members, organisations = QuotaException.Scope.MEMBERS, QuotaException.Scope.ORGANISATIONS
    for organization, scope in ((tree.a, members), (tree.a, organisations), (tree.c, organisations)):
        QuotaException.objects.create(
            period=period,
            organization=organization,
            scope=scope,
            extra_places=1,
            justification="Thành tích đột xuất",
            decided_by_body="Ban Thường vụ",
            granted_by=world.personas.admin,
        )

    report = build(world, Report.Kind.EVALUATION, tree.root)

    assert report.figures["over_quota"] == []
    assert xlsx_tables(stored(report.xlsx))[gettext("Grassroots")][2:4] == [
        ("Chi bộ cơ sở C", 1, 1, 0, 1, 1, 0, 0, 0),
        ("Đảng bộ A", 3, 3, 2, 5, 0, 0, 2, 0),
    ]


@time_machine.travel(FROZEN, tick=False)
def test_evaluation_report_without_a_review_says_so(world):
    report = build(world, Report.Kind.EVALUATION, world.tree.root)

    # The registers (D9, D10) do not depend on the review: their sections are there, nothing else.
    assert report.figures == {
        "period": False,
        **NO_REGISTER_FIGURES,
        "members_taking_part": 3,
        "pct_cells_all_regular": 0.0,  # B26: the meeting figures do not depend on the review either
        "attendance_pct": None,
    }
    assert list(xlsx_tables(stored(report.xlsx))) == [
        gettext("Meetings"),
        gettext("Dan van kheo"),
        gettext("E-handbook"),
    ]
    expected = gettext("No yearly review was opened for %(year)s and no past result was imported.") % {"year": YEAR}
    assert expected in flat_text(report)  # the "results" section of the narrative (issue #14)


#
# Model-cell progress (kind "model_cells", programme KIEU_MAU)
#
# Cells: A1, A2 (under A), B1, B2 (under B), C (a grassroots cell, its own row) → 5.
# Registrations for the programme:
#   A1  RECOGNISED on 20/11/2025, phase 2024–2026  → registered, recognised
#   A2  BUILDING, phase 2025–2027                  → registered
#   B1  WITHDRAWN, phase 2025–2027                 → not counted
#   B2  BUILDING, phase 2026–2028                  → does not cover 2025: not counted
#   C   RECOGNISED on 15/01/2026, phase 2025–2027  → registered, not recognised by the end of 2025
#   registered        A1, A2, C = 3
#   recognised        A1 = 1
#   recognised_pct    1 / 5 = 20.0 %  ≥ target 4 % → target met
#   per row           A 1/2 = 50.0, B 0/2 = 0.0, C 0/1 = 0.0
#   committees without registration: B (C is a grassroots cell, never flagged) → 1
# Eligibility for a phase from 2026 (reference years 2024, 2025: HTTNV or better both years, HTXSNV in one):
#   A1  2024 HTXSNV, 2025 HTTNV                         → eligible
#   A2  2024 HTTNV, 2025 HTTNV                          → no HTXSNV
#   B1  2024 HTTNV, 2025 HTXSNV                         → eligible
#   B2  2024 HTXSNV, nothing for 2025                   → missing year
#   C   2024 HTTNV, 2025 imported HTNV but decided HTXSNV in chibo (the decision wins) → eligible
#   eligible          3 (A 1, B 1, C 1)
#

MODEL_FIGURES = {
    "cells": 5,
    "registered": 3,
    "eligible": 3,
    "recognised": 1,
    "recognised_pct": "20.0",
    "target_pct": "4",
    "target_met": True,
    "committees_without_registration": 1,
}


def model_cells_2025(world):
    tree = world.tree

    def register(cell, status, phase_start, recognised_on=None):
        ModelRegistration.objects.create(
            organization=cell,
            programme="KIEU_MAU",
            phase_start=phase_start,
            phase_end=phase_start + 2,
            reference_years=[phase_start - 2, phase_start - 1],
            status=status,
            registered_on=datetime.date(phase_start - 1, 12, 1),
            recognised_on=recognised_on,
        )

    register(tree.a1, RECOGNISED, 2024, datetime.date(2025, 11, 20))
    register(tree.a2, BUILDING, 2025)
    register(tree.b1, WITHDRAWN, 2025)
    register(tree.b2, BUILDING, 2026)
    register(tree.c, RECOGNISED, 2025, datetime.date(2026, 1, 15))

    past = {
        tree.a1: {2024: EXCELLENT, 2025: GOOD},
        tree.a2: {2024: GOOD, 2025: GOOD},
        tree.b1: {2024: GOOD, 2025: EXCELLENT},
        tree.b2: {2024: EXCELLENT},
        tree.c: {2024: GOOD, 2025: FULFILLED},
    }
    HistoricalRating.objects.bulk_create(
        HistoricalRating(organization=cell, year=year, grade=grade)
        for cell, grades in past.items()
        for year, grade in grades.items()
    )
    period = open_year(world)
    decide(period, tree.c, EXCELLENT)


@time_machine.travel(FROZEN, tick=False)
def test_model_cells_report_figures_pdf_and_xlsx_match_hand_computed_values(world):
    report, sheets = built_as_computed(world, model_cells_2025, Report.Kind.MODEL_CELLS, world.tree.root, MODEL_FIGURES)

    coverage = gettext("Coverage")
    assert list(sheets) == [coverage]
    # Name, cells, registered, eligible, recognised, share recognised, note.
    none_registered = gettext("none registered")
    assert sheets[coverage][2:] == [
        ("Đảng bộ A", 2, 2, 1, 1, 50.0, None),
        ("Đảng bộ B", 2, 0, 1, 0, 0.0, none_registered),
        ("Chi bộ cơ sở C", 1, 1, 1, 0, 0.0, None),
    ]

    flat = flat_text(report)
    for expected in (
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN",
        "ngày 01 tháng 3 năm 2026",
        "Đảng bộ A 2 2 1 1 50,0",
        "Đảng bộ B 2 0 1 0 0,0",
        "Chi bộ cơ sở C 1 1 1 0 0,0",
        none_registered,  # "chưa có chi bộ đăng ký" (pdftotext reads the last column apart)
    ):
        assert expected in flat, expected


@time_machine.travel(FROZEN, tick=False)
def test_model_cells_report_without_recognised_cells_misses_the_target(world):
    # Only A2 building: registered 1, recognised 0 → 0 / 5 = 0.0 % < 4 %; B without registration (C never flagged).
    ModelRegistration.objects.create(
        organization=world.tree.a2, programme="KIEU_MAU", phase_start=2025, phase_end=2027, status=BUILDING
    )

    report = build(world, Report.Kind.MODEL_CELLS, world.tree.root)

    assert report.figures == {
        **MODEL_FIGURES,
        "registered": 1,
        "eligible": 0,
        "recognised": 0,
        "recognised_pct": "0.0",
        "target_met": False,
    }


#
# Cell profile (kind "cell_profile") of A1 for 2025
#
# Committee (positions not ended): An secretary, Bình deputy secretary (Cường's seat ended in 2024: not listed).
# Members on the roll: An (FULL), Bình (FULL), Cường (PROBATIONARY), Dung (EXEMPT); Oanh transferred out: not listed.
#   members 4, full_members 2
# Meetings of 2025 in A1: a regular meeting in months 1–11 (month 3 combined with a thematic one; month 11 still
#   a draft), none in December; a separate thematic meeting in month 8. (A 2024 meeting and an A2 meeting: ignored.)
#   regular_meetings 10 (months 1–10: November's draft does not count, D6)
#   thematic_quarters 2 (Q1 by the combined meeting of March, Q3 by August)
# Evaluations 2021–2025:
#   2020 imported HTXSNV        → outside the five years
#   2021 imported HTTNV, 2022 imported HTXSNV, 2023 nothing ("—"), 2024 imported HTNV,
#   2025 imported HTTNV but decided HTXSNV in chibo with decision 15-QĐ/ĐUK → the decision wins
#

PROFILE_FIGURES = {"members": 4, "full_members": 2, "regular_meetings": 10, "thematic_quarters": 2}


def _meeting(cell, year, month, *, kind=Meeting.Kind.REGULAR, status=Meeting.Status.FINAL, day=5):
    rating = Meeting.Rating.GOOD if status == Meeting.Status.FINAL else ""
    return meeting_row(
        cell, year, month, day=day, kind=kind, status=status, rating=rating, topic=f"Sinh hoạt tháng {month}"
    )


def profile_2025(world):
    tree, members = world.tree, world.members
    Position.objects.create(
        member=members.own, organization=tree.a1, role=Position.Role.SECRETARY, term_label="2025-2030"
    )
    Position.objects.create(
        member=members.other, organization=tree.a1, role=Position.Role.DEPUTY_SECRETARY, term_label="2025-2030"
    )
    Position.objects.create(
        member=members.probationary,
        organization=tree.a1,
        role=Position.Role.COMMITTEE_MEMBER,
        term_label="2020-2025",
        ended_on=datetime.date(2024, 6, 30),
    )
    dung = new_member(world, tree.a1, "Phan Thị Dung", "01.000006")
    oanh = new_member(world, tree.a1, "Trịnh Thị Oanh", "01.000007")
    Member.objects.filter(pk=dung.pk).update(status=Member.Status.EXEMPT)
    Member.objects.filter(pk=oanh.pk).update(status=Member.Status.TRANSFERRED_OUT)

    Kind, Status = Meeting.Kind, Meeting.Status
    meetings = [
        _meeting(
            tree.a1,
            2025,
            month,
            kind=Kind.COMBINED if month == 3 else Kind.REGULAR,
            status=Status.DRAFT if month == 11 else Status.FINAL,
        )
        for month in range(1, 12)
    ]
    meetings.append(_meeting(tree.a1, 2025, 8, kind=Kind.THEMATIC, day=20))
    meetings.append(_meeting(tree.a1, 2024, 12))
    meetings.append(_meeting(tree.a2, 2025, 12, kind=Kind.THEMATIC))
    Meeting.objects.bulk_create(meetings)

    HistoricalRating.objects.bulk_create(
        HistoricalRating(organization=tree.a1, year=year, grade=grade)
        for year, grade in ((2020, EXCELLENT), (2021, GOOD), (2022, EXCELLENT), (2024, FULFILLED), (2025, GOOD))
    )
    period = open_year(world)
    decide(period, tree.a1, EXCELLENT, decision_no="15-QĐ/ĐUK")


@time_machine.travel(FROZEN, tick=False)
def test_cell_profile_figures_pdf_and_xlsx_match_hand_computed_values(world):
    report, sheets = built_as_computed(world, profile_2025, Report.Kind.CELL_PROFILE, world.tree.a1, PROFILE_FIGURES)

    committee, members, meetings, evaluations = (
        gettext(name) for name in ("Committee", "Members", "Meetings", "Evaluations")
    )
    assert list(sheets) == [committee, members, meetings, evaluations]
    assert sheets[committee][2:] == [
        (gettext("Secretary"), "Nguyễn Văn An", "2025-2030"),
        (gettext("Deputy secretary"), "Trần Thị Bình", "2025-2030"),
    ]
    assert [row[:2] for row in sheets[members][2:]] == [
        (1, "Nguyễn Văn An"),
        (2, "Trần Thị Bình"),
        (3, "Lê Văn Cường"),
        (4, "Phan Thị Dung"),
    ]
    meeting_rows = sheets[meetings][2:]
    assert [row[0] for row in meeting_rows] == list(range(1, 13))
    assert meeting_rows[0][:3] == (1, "05/01/2025", gettext("Counted"))  # D6
    assert meeting_rows[2][4] == 1  # March: combined with a thematic meeting
    assert meeting_rows[7][4] == 1  # August: the separate thematic meeting
    assert meeting_rows[10][2] == gettext("Draft, not finalised")
    assert meeting_rows[11][:3] == (12, None, gettext("Missing"))
    imported = gettext("imported")
    assert sheets[evaluations][2:] == [
        ("2021", label(GOOD), imported),
        ("2022", label(EXCELLENT), imported),
        ("2023", "—", None),
        ("2024", label(FULFILLED), imported),
        ("2025", label(EXCELLENT), "15-QĐ/ĐUK"),
    ]

    flat = flat_text(report)
    for expected in (
        "ĐẢNG BỘ A CHI BỘ A1",  # the parent and the cell, upper-cased in the header
        "ngày 01 tháng 3 năm 2026",  # day padded, month 3 not (months 1 and 2 are)
        "HỒ SƠ CHI BỘ",
        f"{gettext('Secretary')} Nguyễn Văn An 2025-2030",
        "Phan Thị Dung",
        f"2021 {label(GOOD)} {imported}",
        "2023 —",
        f"2025 {label(EXCELLENT)} 15-QĐ/ĐUK",
    ):
        assert expected in flat, expected
    assert "Trịnh Thị Oanh" not in flat  # transferred out: off the roll
    assert "2020" not in flat.split(gettext("Evaluations of the last five years"))[1]


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize("node", ["root", "a", "b"])
def test_cell_profile_request_for_a_non_cell_is_refused_and_creates_nothing(world, node):
    with pytest.raises(ValidationError) as raised:
        report_request(
            user=world.personas.staff, organization=getattr(world.tree, node), kind=Report.Kind.CELL_PROFILE, year=YEAR
        )

    assert "organization" in raised.value.message_dict
    assert not Report.objects.exists()


#
# Every kind
#


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("year_of", "kind", "node", "figures"),
    [
        pytest.param(evaluation_2025, Report.Kind.EVALUATION, "root", EVALUATION_FIGURES, id="evaluation"),
        pytest.param(model_cells_2025, Report.Kind.MODEL_CELLS, "root", MODEL_FIGURES, id="model-cells"),
        pytest.param(profile_2025, Report.Kind.CELL_PROFILE, "a1", PROFILE_FIGURES, id="cell-profile"),
    ],
)
def test_report_built_twice_gives_the_same_figures(world, year_of, kind, node, figures):
    year_of(world)

    first = build(world, kind, getattr(world.tree, node))
    second = build(world, kind, getattr(world.tree, node))

    assert first.pk != second.pk
    assert second.figures == first.figures == figures
    assert xlsx_tables(stored(second.xlsx)) == xlsx_tables(stored(first.xlsx))
