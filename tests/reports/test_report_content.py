"""The content of the evaluation, model-cell and cell-profile reports (issue #14): past years from the imported
results, an open review's progress, the drafted narrative, the programme choice, the personal-data policy, and a
constant number of queries whatever the size of the tree."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from cells.models import Organization
from evaluations.models import Grade, HistoricalRating, MemberEvaluation, OrgEvaluation
from members import services as member_services
from members.models import Member
from reports.builders.cell_profile import build_cell_profile
from reports.builders.evaluation import (
    DECIDED,
    IMPORTED,
    PROGRESS,
    basis_sentence,
    build_evaluation,
    compare,
    draft_results,
    draft_sections,
    draft_shortcomings,
    named_list,
)
from reports.builders.model_cells import build_model_cells
from reports.building import report_build
from reports.forms import ReportRequestForm
from reports.models import Report
from reports.services import report_request
from tests.helpers import open_period

FROZEN = "2026-03-01 09:00 +0700"
EXCELLENT, GOOD, FULFILLED, NOT_FULFILLED = Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED, Grade.NOT_FULFILLED


def built(world, kind: str, organization, year: int, persona: str = "staff", params=None):
    """The builder's result (sections, tables, figures) without rendering, as `persona`."""
    user = getattr(world.personas, persona)
    report = Report.objects.create(
        kind=kind, organization=organization, year=year, requested_by=user, params=params or {}
    )
    builder = {"evaluation": build_evaluation, "model_cells": build_model_cells, "cell_profile": build_cell_profile}
    return builder[kind](report=report, user=user, progress=lambda pct: None)


def sheet(tables: list[dict], name: str) -> dict:
    return next(table for table in tables if table["sheet"] == gettext(name))


def text_of(result) -> str:
    return " ".join(p for section in result.sections for p in section["paragraphs"])


def facts(**changes) -> dict:
    base = {
        "year": 2025,
        "source": DECIDED,
        "open": False,
        "progress": {"decided": 0, "appraised": 0, "self_assessed": 0, "of": 0},
        "grassroots": {EXCELLENT: 1, GOOD: 2, FULFILLED: 0, NOT_FULFILLED: 1, "classified": 4},
        "members": {EXCELLENT: 38, GOOD: 215, FULFILLED: 60, NOT_FULFILLED: 3, "classified": 316},
        "pct_good_or_better": 80.1,
        "pct_excellent": 12.0,
        "previous": {"pct_good_or_better": 77.8, "pct_excellent": 12.0},
        "target_good_or_better": 80,
        "target_excellent": 15,
        "excellent_orgs": ["Đảng bộ A"],
        "failed_orgs": ["Đảng bộ D"],
        "over_quota": [],
        "undecided_orgs": [],
    }
    base.update(changes)
    return base


#
# Drafting (pure functions)
#


def test_named_list_is_bounded_with_the_number_of_others():
    assert named_list(["A", "B"]) == "A, B"
    text = named_list([f"Chi bộ {n}" for n in range(1, 13)], limit=5)
    assert text.startswith("Chi bộ 1, Chi bộ 2, Chi bộ 3, Chi bộ 4, Chi bộ 5")
    assert "Chi bộ 6" not in text
    assert "7" in text  # "và 7 tổ chức khác"


def test_results_give_each_figure_with_its_base_the_comparison_and_the_target():
    text = " ".join(draft_results(facts=facts()))
    assert "253/316" in text  # 38 + 215 members HTTNV or better, of 316 classified
    assert "80,1" in text  # Vietnamese decimal comma
    assert "2,3" in text  # 80.1 − 77.8 percentage points on the previous year
    assert gettext("meeting the target of %(target)s") % {"target": "80%"} in text
    assert "1/4" in text  # grassroots organisations: one HTXSNV of four


def test_results_below_target_and_without_previous_year_say_so_without_inventing_a_comparison():
    text = " ".join(draft_results(facts=facts(pct_good_or_better=70.0, previous={})))
    assert gettext("below the target of %(target)s") % {"target": "80%"} in text
    assert compare(70.0, None) == ""
    assert gettext("the same as the previous year") == compare(12.0, 12.0)


def test_shortcomings_name_the_organisations_concerned_bounded():
    names = [f"Đảng bộ {n:02}" for n in range(1, 10)]
    text = " ".join(draft_shortcomings(facts=facts(failed_orgs=names)))
    assert "Đảng bộ 01" in text and "Đảng bộ 05" in text
    assert "Đảng bộ 06" not in text and "4" in text


def test_sections_come_in_the_order_of_a_bao_cao():
    assert [s["key"] for s in draft_sections(facts=facts())] == ["results", "strengths", "shortcomings", "tasks"]


#
# Evaluation report: past years, open review, rule set of the year
#


def imported_2024(world):
    """2024 decided on paper and imported: A HTXSNV, C HTTNV (TCCSĐ), A1 HTTNV, A2 KHTNV; members An HTXSNV,
    Bình HTTNV, Cường HTNV."""
    tree, members = world.tree, world.members
    for organization, grade in ((tree.a, EXCELLENT), (tree.c, GOOD), (tree.a1, GOOD), (tree.a2, NOT_FULFILLED)):
        HistoricalRating.objects.create(organization=organization, year=2024, grade=grade, source="test")
    for member, grade in ((members.own, EXCELLENT), (members.other, GOOD), (members.probationary, FULFILLED)):
        HistoricalRating.objects.create(member=member, year=2024, grade=grade, source="test")


@time_machine.travel(FROZEN, tick=False)
def test_past_year_without_a_review_in_chibo_uses_the_imported_results(world):
    imported_2024(world)

    result = built(world, "evaluation", world.tree.root, 2024)

    assert result.figures["source"] == IMPORTED
    assert result.figures["grassroots_grades"] == {EXCELLENT: 1, GOOD: 1, FULFILLED: 0, NOT_FULFILLED: 0}
    assert result.figures["subordinate_grades"] == {EXCELLENT: 0, GOOD: 1, FULFILLED: 0, NOT_FULFILLED: 1}
    assert result.figures["member_grades"] == {EXCELLENT: 1, GOOD: 1, FULFILLED: 1, NOT_FULFILLED: 0}
    assert result.figures["pct_good_or_better"] == 66.7  # 2 of 3
    # The per-grassroots sheet of the .xlsx twin: A rated with A1, A2 (3 organisations), its three members.
    rows = {row[0]: row for row in sheet(result.tables, "Grassroots")["rows"]}
    assert rows["Đảng bộ A"][:7] == ["Đảng bộ A", 3, 3, 1, 1, 1, 0]
    assert rows["Chi bộ cơ sở C"][:3] == ["Chi bộ cơ sở C", 1, 1]
    # The rule set in force in 2024, not today's.
    assert result.parameter_set.valid_from <= datetime.date(2024, 12, 31)
    assert result.parameter_set.valid_to is None or result.parameter_set.valid_to >= datetime.date(2024, 12, 31)
    assert "124-QĐ/TW" in result.basis and "366-QĐ/TW" not in result.basis
    # The shortcomings name the organisation rated KHTNV? A2 is a subordinate cell: only TCCSĐ are named.
    assert "2024" in text_of(result)


@time_machine.travel(FROZEN, tick=False)
def test_past_year_xlsx_twin_holds_the_imported_grades(world):
    imported_2024(world)
    staff = world.personas.staff
    report = report_request(user=staff, organization=world.tree.root, kind=Report.Kind.EVALUATION, year=2024)
    done = report_build(report_id=report.pk, as_user=staff)
    done.refresh_from_db()
    assert done.status == Report.Status.DONE, done.error
    with done.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    members = [tuple(r) for r in workbook[gettext("Members")].iter_rows(values_only=True)]
    assert (str(Grade(EXCELLENT).label), 1) in members
    assert (str(Grade(GOOD).label), 1) in members


@time_machine.travel(FROZEN, tick=False)
def test_open_review_shows_its_progress_instead_of_zeros(world):
    period = open_period(world, year=2025)
    OrgEvaluation.objects.filter(period=period, organization=world.tree.a1).update(
        status=OrgEvaluation.Status.APPRAISED
    )
    OrgEvaluation.objects.filter(period=period, organization=world.tree.a2).update(
        status=OrgEvaluation.Status.SELF_ASSESSED
    )

    result = built(world, "evaluation", world.tree.root, 2025)

    assert result.figures["progress"] == {"decided": 0, "appraised": 1, "self_assessed": 2, "of": 7}
    assert "members_classified" not in result.figures  # no table of zero grades
    assert [t["sheet"] for t in result.tables][0] == gettext("Progress")
    progress = sheet(result.tables, "Progress")["rows"]
    assert [row[1:3] for row in progress if row[0] == OrgEvaluation.Status.APPRAISED.label] == [[1, 7]]
    expected = gettext(
        "The review of %(year)s is in progress: %(self)s of %(of)s organisations have self-assessed, "
        "%(appraised)s have been appraised and %(decided)s decided."
    ) % {"year": 2025, "self": 2, "of": 7, "appraised": 1, "decided": 0}
    assert expected in text_of(result)
    assert result.context["chart"] is None  # no bars of zeros


@time_machine.travel(FROZEN, tick=False)
def test_decided_review_compares_with_the_imported_previous_year_and_names_organisations(world):
    imported_2024(world)  # 2024: 2 of 3 members HTTNV or better (66.7 %)
    period = open_period(world, year=2025)
    for organization, grade in ((world.tree.a, NOT_FULFILLED), (world.tree.c, GOOD)):
        OrgEvaluation.objects.filter(period=period, organization=organization).update(
            status=OrgEvaluation.Status.DECIDED, final_grade=grade
        )
    for member in (world.members.own, world.members.other, world.members.probationary):
        MemberEvaluation.objects.create(
            period=period, member=member, organization=member.organization, grassroots=world.tree.a, final_grade=GOOD
        )

    result = built(world, "evaluation", world.tree.root, 2025)

    assert result.figures["pct_good_or_better"] == 100.0
    sections = {s["key"]: " ".join(s["paragraphs"]) for s in result.sections}
    assert "3/3" in sections["results"]
    assert "33,3" in sections["results"]  # up 100 − 66.7 = 33.3 points on 2024
    assert "Đảng bộ A" in sections["shortcomings"]  # rated KHTNV
    assert "Đảng bộ B" in sections["shortcomings"]  # not yet decided
    # Each bar its own target: HTTNV+ 80 %, HTXSNV 15 %.
    assert [row[2] for row in built_chart(result)] == [80, 15]
    assert result.basis.count("366-QĐ/TW") == 1  # each document named once


def built_chart(result):
    return [(label, value, target) for label, value, target in result.context["chart"]]


def test_basis_names_each_document_once_in_the_order_issued():
    class Doc:
        def __init__(self, number, issued_on, title):
            self.number, self.issued_on, self.title, self.issuer = number, issued_on, title, "Bộ Chính trị"

        def get_doc_type_display(self):
            return "Quy định"

    later = Doc("366-QĐ/TW", datetime.date(2025, 8, 30), "Quy định về kiểm điểm")
    earlier = Doc("124-QĐ/TW", datetime.date(2023, 10, 4), "Quy định về kiểm điểm")
    text = basis_sentence([later, earlier, later])
    assert text.count("366-QĐ/TW") == 1
    assert text.index("124-QĐ/TW") < text.index("366-QĐ/TW")
    assert "30/08/2025" in text
    assert "Quy định Quy định" not in text


#
# Model-cell report: the programme choice
#


def test_request_form_puts_the_programme_in_the_params_of_model_cell_reports_only(world):
    base = {"org": world.tree.root.pk, "year": 2025, "quarter": "", "month": ""}
    form = ReportRequestForm({**base, "kind": Report.Kind.MODEL_CELLS, "programme": "BON_TOT"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["params"] == {"programme": "BON_TOT"}
    form = ReportRequestForm({**base, "kind": Report.Kind.EVALUATION, "programme": "BON_TOT"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["params"] == {}
    hostile = ReportRequestForm({**base, "kind": Report.Kind.MODEL_CELLS, "programme": "<script>"})
    assert not hostile.is_valid() and "programme" in hostile.errors


def test_programme_choice_reaches_the_report_and_names_it(world, client_for):
    response = client_for("staff").post(
        reverse("reports:index"),
        {"kind": Report.Kind.MODEL_CELLS, "org": world.tree.root.pk, "year": 2025, "programme": "BON_TOT"},
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.params == {"programme": "BON_TOT"}

    four_good = built(world, "model_cells", world.tree.root, 2025, params={"programme": "BON_TOT"})
    model = built(world, "model_cells", world.tree.root, 2025, params={"programme": "KIEU_MAU"})
    assert four_good.title == gettext("REPORT ON BUILDING FOUR-GOOD PARTY CELLS")
    assert model.title == gettext("REPORT ON BUILDING MODEL PARTY CELLS")
    assert gettext("Four-good party cell") in text_of(four_good)
    assert [s["key"] for s in four_good.sections] == ["results", "shortcomings", "tasks"]  # nothing to praise
    # Both grassroots committees (A, B) have no cell registered: named in the shortcomings.
    shortcomings = " ".join(next(s for s in four_good.sections if s["key"] == "shortcomings")["paragraphs"])
    assert "Đảng bộ A" in shortcomings and "Đảng bộ B" in shortcomings


#
# Cell profile: personal data (the policy of the pages: VIEW_SENSITIVE)
#


def with_birthdays(world):
    for member in (world.members.own, world.members.other, world.members.probationary):
        Member.objects.filter(pk=member.pk).update(date_of_birth=datetime.date(1980, 7, 14))


def test_cell_profile_pdf_leadership_sees_no_dob(world):
    with_birthdays(world)

    leader = built(world, "cell_profile", world.tree.a1, 2025, persona="leader")
    staff = built(world, "cell_profile", world.tree.a1, 2025, persona="staff")

    roll = sheet(leader.tables, "Members")
    assert gettext("Date of birth") not in roll["headers"]
    assert all("14/07/1980" not in [str(c) for c in row] for row in roll["rows"])
    assert len(roll["headers"]) == len(roll["rows"][0])
    assert gettext("Date of birth") in sheet(staff.tables, "Members")["headers"]
    assert any("14/07/1980" in row for row in sheet(staff.tables, "Members")["rows"])


def test_member_pages_leadership_sees_no_dob(world, client_for):
    with_birthdays(world)
    member = world.members.other

    leader_detail = client_for("leader").get(reverse("members:detail", args=[member.pk])).content.decode()
    leader_list = client_for("leader").get(reverse("members:list") + f"?org={world.tree.a1.pk}").content.decode()
    secretary_detail = client_for("secretary").get(reverse("members:detail", args=[member.pk])).content.decode()

    assert "14/07/1980" not in leader_detail
    assert "14/07/1980" not in leader_list
    assert member.full_name in leader_list
    assert "14/07/1980" in secretary_detail  # the cell's secretary may see personal data


#
# Constant queries
#


def grow(world, n: int) -> None:
    """n more cells under B, each with two members, rated in 2025."""
    admin = world.personas.admin
    from cells import services as cell_services

    period = OrgEvaluation.objects.first().period
    for index in range(n):
        cell = cell_services.organization_create(
            parent=world.tree.b,
            name=f"Chi bộ thêm {index}",
            code=f"X{index}",
            kind=Organization.Kind.CELL,
            created_by=admin,
        )
        OrgEvaluation.objects.create(
            period=period, organization=cell, status=OrgEvaluation.Status.DECIDED, final_grade=GOOD
        )
        for k in range(2):
            m = member_services.member_create(
                organization=cell,
                full_name=f"Đảng viên {index}-{k}",
                status=Member.Status.FULL,
                party_card_no=f"09.{index:03}{k:03}",
                created_by=admin,
            )
            MemberEvaluation.objects.create(
                period=period, member=m, organization=cell, grassroots=world.tree.b, final_grade=GOOD
            )


def queries(world, kind: str, organization, year: int, **kwargs) -> int:
    cache.clear()  # each count is of a build without the figures cache (cells/figcache.py), as after any change
    with CaptureQueriesContext(connection) as captured:
        built(world, kind, organization, year, **kwargs)
    return len(captured)


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize("kind", ["evaluation", "model_cells"])
def test_builders_run_a_constant_number_of_queries(world, kind):
    period = open_period(world, year=2025)
    OrgEvaluation.objects.filter(period=period, organization=world.tree.a).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=GOOD
    )
    imported_2024(world)
    MemberEvaluation.objects.create(
        period=period, member=world.members.own, organization=world.tree.a1, grassroots=world.tree.a, final_grade=GOOD
    )
    queries(world, kind, world.tree.root, 2025)  # warm up: the access and the rule sets cached on first use
    small = queries(world, kind, world.tree.root, 2025)
    grow(world, 6)
    large = queries(world, kind, world.tree.root, 2025)
    assert large == small


@time_machine.travel(FROZEN, tick=False)
def test_decided_source_and_progress_source_are_told_apart(world):
    period = open_period(world, year=2025)
    assert built(world, "evaluation", world.tree.root, 2025).context["facts"]["source"] == PROGRESS
    OrgEvaluation.objects.filter(period=period, organization=world.tree.c).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=GOOD
    )
    assert built(world, "evaluation", world.tree.root, 2025).context["facts"]["source"] == DECIDED


pytestmark = pytest.mark.django_db
