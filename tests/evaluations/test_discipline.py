"""Discipline as a fact of the member record (D5) and what it caps (B13), and the model programmes' criteria that
read it (B23, B24). Each case is built by hand on the small tree of tests/conftest.py; the expected figures come
from the rules' text in domain.md:

- B13 (HD 16/21, QĐ 124): a member disciplined in the year → at most KHTNV. A collective whose leadership is
  disciplined, or with more than `khtnv_disciplined_units_pct` (20) % of its subordinate units disciplined → KHTNV;
  HTXSNV (QĐ 366 Điều 11) needs no subordinate unit and no member of the leading collective disciplined.
  HD 21: a member of the leading collective disciplined at "cảnh cáo" or above → KHTNV (the parameter
  `leadership_discipline_khtnv_min_form`).
- D5: the figures are read live at every step (self-assessment, appraisal, decision, lock) and summed up the tree;
  a cap is overridden only by the deciding body with a written justification, listed as an exception in the
  yearly report.

Today is frozen on 10/02/2026; the review is that of 2025.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cells.models import AuditEntry, Organization
from criteria.models import CriteriaSet, Criterion, CriterionGroup
from evaluations import discipline as review_discipline
from evaluations.metrics import metrics_for
from evaluations.models import Grade, HistoricalRating, MemberEvaluation, OrgEvaluation
from evaluations.programmes import services as programmes
from evaluations.ratings import services as ratings
from evaluations.review import services
from members import discipline
from members import services as member_services
from members.models import Discipline, Member, Position
from reports.building import report_build
from reports.models import Report
from reports.services import report_request
from tests import helpers
from tests.conftest import node_maker

pytestmark = pytest.mark.django_db

D = Decimal
G = Grade
YEAR = 2025
FORM = Discipline.Form


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False), translation.override("en"):
        yield


@pytest.fixture
def frame(world):
    """The classification frame of the seed, reduced: 30 + 70 points, and "no member disciplined in the year" as
    the hard condition of HTXSNV (criterion 3.2 of criteria/migrations/0006: at most HTTNV when it fails)."""
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    criteria_set = CriteriaSet.objects.create(
        name="Frame", programme=CriteriaSet.Programme.CLASSIFICATION, year_from=2023, year_to=None
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="I", title="I", order=1)
    P = Criterion.Kind.POINTS
    for order, (code, kind, points, metric, hard, cap) in enumerate(
        [
            ("1.1", P, 30, "", False, ""),
            ("2.1", P, 70, "", False, ""),
            ("3.2", Criterion.Kind.METRIC, 0, Criterion.Metric.MEMBERS_DISCIPLINED, True, G.GOOD),
        ],
        start=1,
    ):
        Criterion.objects.create(
            criteria_set=criteria_set,
            group=group,
            code=code,
            text=code,
            kind=kind,
            max_points=points,
            metric=metric,
            comparator=Criterion.Comparator.AT_MOST if metric else Criterion.Comparator.AT_LEAST,
            threshold=D(0) if metric else None,
            hard_condition=hard,
            cap_grade=cap,
            order=order,
        )
    return criteria_set


@pytest.fixture
def period(world, frame):
    return helpers.open_period(world, year=YEAR)


def record(world, member, form=FORM.REPRIMAND, day=datetime.date(YEAR, 11, 20), by="grassroots"):
    return discipline.discipline_record(
        member=member,
        form=form,
        decision_no="12-QĐ/ĐU",
        decided_on=day,
        deciding_body="Ban Thường vụ Đảng ủy A",
        reason="Vi phạm quy định về những điều đảng viên không được làm",
        recorded_by=getattr(world.personas, by),
    )


def evaluation_of(period, organization) -> OrgEvaluation:
    return OrgEvaluation.objects.get(period=period, organization=organization)


# Points of 1.1 (of 30) and 2.1 (of 70): 95 → HTXSNV, 80 → HTTNV.
ANSWERS = {
    G.EXCELLENT: {"1.1": {"points": D(30)}, "2.1": {"points": D(65)}},
    G.GOOD: {"1.1": {"points": D(25)}, "2.1": {"points": D(55)}},
}
EXCELLENT_DATA = {"tasks_done_pct": D(100), "tasks_exceeded_pct": D(40), "tasks_late_pct": D(0)}


def submitted(world, evaluation, grade=G.EXCELLENT, by="secretary", data=None) -> OrgEvaluation:
    return services.self_assess(
        evaluation=evaluation,
        answers=ANSWERS[grade],
        data={**EXCELLENT_DATA, "self_grade": grade, **(data or {})},
        version=evaluation.version,
        submit=True,
        assessed_by=getattr(world.personas, by),
    )


def appraised(world, evaluation, grade=G.EXCELLENT, by="grassroots") -> OrgEvaluation:
    return services.appraise(
        evaluation=evaluation,
        grade=grade,
        comment="",
        version=evaluation.version,
        appraised_by=getattr(world.personas, by),
    )


def decide(world, evaluation, grade, justification="", by="staff") -> OrgEvaluation:
    return services.decide(
        evaluation=evaluation,
        grade=grade,
        justification=justification,
        decision_no="5-QĐ/ĐUK",
        decision_date=datetime.date(2026, 1, 15),
        version=evaluation.version,
        decided_by=getattr(world.personas, by),
    )


JUSTIFICATION = "Vi phạm tự phát hiện, tự khắc phục ngay trong năm; chi bộ vẫn hoàn thành xuất sắc mọi nhiệm vụ."


#
# D5: read live at every step
#


def test_D5_disciplined_after_self_assessment_caps_at_decision(world, period):
    a1 = submitted(world, evaluation_of(period, world.tree.a1))
    assert a1.suggested_grade == G.EXCELLENT  # 95 points, nobody disciplined yet

    record(world, world.members.other)  # after the self-assessment
    a1 = appraised(world, a1)
    assert a1.suggested_grade == G.GOOD  # the appraisal reads it: HTXSNV needs no member disciplined
    assert not a1.answers.filter(code="3.2", metric_value__gt=0).exists()  # no stored answer said so

    with pytest.raises(ValidationError) as error:
        decide(world, a1, G.EXCELLENT)  # no written justification: the cap holds
    assert "justification" in error.value.message_dict

    a1 = decide(world, evaluation_of(period, world.tree.a1), G.GOOD)
    assert (a1.final_grade, a1.cap_override_at) == (G.GOOD, None)


def test_D5_discipline_recorded_after_the_decision_is_caught_at_the_lock(world, frame):
    period = helpers.open_period(world, year=YEAR, root=world.tree.a)
    for cell in (world.tree.a1, world.tree.a2):
        decide(world, appraised(world, submitted(world, evaluation_of(period, cell), G.GOOD), G.GOOD), G.GOOD)
    a = submitted(world, evaluation_of(period, world.tree.a), G.GOOD, by="grassroots")
    decide(world, appraised(world, a, G.GOOD, by="staff"), G.GOOD)
    ratings.ensure_member_rows(period=period, organization=world.tree.a)
    rows = list(ratings.member_rows(period=period, organization=world.tree.a))
    ratings.ratings_save(
        period=period,
        organization=world.tree.a,
        rows={row.pk: {"final_grade": G.GOOD} for row in rows},
        version_map={row.pk: row.version for row in rows},
        saved_by=world.personas.grassroots,
        decide=True,
    )

    record(world, world.members.other, day=datetime.date(YEAR, 12, 30))  # after every decision

    with pytest.raises(ValidationError) as error:
        services.period_lock(period=period, locked_by=world.personas.staff)
    text = " ".join(error.value.messages)
    assert world.members.other.full_name in text  # HTTNV, but disciplined: at most KHTNV
    assert "Đảng bộ A:" in text  # HTTNV, but 1 of its 2 cells has a disciplined member (50 % > 20 %): KHTNV
    assert "Chi bộ A1:" not in text  # HTTNV stands: only HTXSNV needs no member disciplined
    period.refresh_from_db()
    assert not period.is_locked


#
# B13 for a member
#


def test_B13_member_cap(world, period):
    other = world.members.other
    record(world, other, day=datetime.date(YEAR - 1, 12, 31))  # the year before: no cap in 2025
    ratings.ensure_member_rows(period=period, organization=world.tree.a1)
    row = MemberEvaluation.objects.get(period=period, member=other)
    assert (row.disciplined, row.cap_grade) == (False, G.EXCELLENT)

    fact = record(world, other)  # 20/11/2025
    ratings.ensure_member_rows(period=period, organization=world.tree.a1)
    row.refresh_from_db()
    assert (row.disciplined, row.cap_grade) == (True, G.NOT_FULFILLED)

    def save(grade):
        return ratings.ratings_save(
            period=period,
            organization=world.tree.a1,
            rows={row.pk: {"final_grade": grade}},
            version_map={row.pk: MemberEvaluation.objects.get(pk=row.pk).version},
            saved_by=world.personas.grassroots,
            decide=True,
        )

    with pytest.raises(ValidationError):
        save(G.FULFILLED)
    save(G.NOT_FULFILLED)
    # The table cannot untick it: "disciplined" is not an input any more.
    ratings.ratings_save(
        period=period,
        organization=world.tree.a1,
        rows={row.pk: {"disciplined": False}},
        version_map={row.pk: MemberEvaluation.objects.get(pk=row.pk).version},
        saved_by=world.personas.grassroots,
        decide=True,
    )
    row.refresh_from_db()
    assert row.disciplined

    discipline.discipline_annul(discipline=fact, reason="Quyết định bị hủy", annulled_by=world.personas.grassroots)
    save(G.GOOD)  # annulled: counts for nothing
    row.refresh_from_db()
    assert (row.disciplined, row.cap_grade, row.final_grade) == (False, G.EXCELLENT, G.GOOD)
    assert AuditEntry.objects.filter(action="members.discipline.annulled", target_id=fact.pk).exists()


def test_discipline_is_recorded_by_the_committee_above_not_by_the_cell(world):
    with pytest.raises(PermissionDenied):
        record(world, world.members.other, by="secretary")
    with pytest.raises(PermissionDenied):
        record(world, world.members.other, by="outsider")
    with pytest.raises(ValidationError):
        record(world, world.members.other, day=datetime.date(2026, 3, 1))  # after today
    fact = record(world, world.members.other, by="staff")
    assert (fact.organization, fact.recorded_by) == (world.tree.a1, world.personas.staff)
    assert AuditEntry.objects.filter(action="members.discipline.recorded", target_id=fact.pk).exists()


#
# B13 for collectives: summed up the tree, computed
#


def cells_under_a(world, count: int) -> list[Organization]:
    """A3, A4, ... so that Đảng bộ A has `count` subordinate cells."""
    node = node_maker(world.personas.admin)
    return [node(world.tree.a, f"Chi bộ A{n}", f"A{n}", Organization.Kind.CELL) for n in range(3, count + 1)]


def member_of(world, cell, name, card) -> Member:
    return member_services.member_create(
        organization=cell,
        full_name=name,
        status=Member.Status.FULL,
        party_card_no=card,
        created_by=world.personas.admin,
    )


def test_B13_grassroots_sees_subtree(world, frame):
    extra = cells_under_a(world, 5)  # A has 5 cells: one disciplined is 20 %, not more than 20 %
    period = helpers.open_period(world, year=YEAR)
    record(world, world.members.other)  # in A1

    figures = review_discipline.figures_for([evaluation_of(period, world.tree.a)], YEAR)[world.tree.a.pk]
    assert (figures.members_disciplined, figures.units_disciplined, figures.units) == (1, 1, 5)
    assert metrics_for(organizations=[world.tree.a], year=YEAR)[world.tree.a.pk]["members_disciplined"] == 1
    assert metrics_for(organizations=[world.tree.b], year=YEAR)[world.tree.b.pk]["members_disciplined"] == 0

    a = submitted(world, evaluation_of(period, world.tree.a), by="grassroots")
    assert (a.units_disciplined_pct, a.suggested_grade) == (D(20), G.GOOD)  # QĐ 366: HTXSNV needs none
    assert any("subordinate unit" in reason for reason in a.suggestion_reasons)

    record(world, member_of(world, extra[0], "Phạm Văn Dũng", "01.000010"))  # A3: 2 of 5 = 40 % > 20 %
    a = appraised(world, a, G.GOOD, by="staff")
    assert (a.units_disciplined_pct, a.suggested_grade) == (D(40), G.NOT_FULFILLED)

    b = submitted(world, evaluation_of(period, world.tree.b), by="staff")
    assert b.suggested_grade == G.EXCELLENT  # another đảng bộ: nothing below it


def test_B13_leadership_disciplined_computed(world, period):
    c = world.tree.c  # a chi bộ cơ sở: no subordinate unit, so only its leadership and its members count
    secretary = member_of(world, c, "Đỗ Thị Hoa", "03.000001")
    Position.objects.create(
        member=secretary, organization=c, role=Position.Role.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    record(world, secretary, FORM.REPRIMAND, by="staff")

    # The self-assessment cannot say otherwise: the figure is computed, never typed.
    evaluation = submitted(world, evaluation_of(period, c), by="staff", data={"leadership_disciplined": False})
    assert evaluation.leadership_disciplined is True
    assert evaluation.suggested_grade == G.GOOD  # a reprimand: only HTXSNV is barred (QĐ 366)
    assert any("leading collective" in reason for reason in evaluation.suggestion_reasons)

    record(world, secretary, FORM.WARNING, day=datetime.date(YEAR, 12, 1), by="staff")
    evaluation = appraised(world, evaluation, G.GOOD, by="staff")
    assert evaluation.suggested_grade == G.NOT_FULFILLED  # "cảnh cáo" or above (HD 21)

    # A seat that ended before the year is not the year's leadership: back to the members' condition (≤ HTTNV).
    Position.objects.filter(member=secretary).update(ended_on=datetime.date(YEAR - 1, 6, 30))
    evaluation = evaluation_of(period, c)
    services.refresh_suggestion(evaluation)
    assert (evaluation.leadership_disciplined, evaluation.suggested_grade) == (False, G.GOOD)


#
# D5: the override
#


def test_D5_override_needs_deciding_body_and_justification(world, period):
    record(world, world.members.other)
    a1 = appraised(world, submitted(world, evaluation_of(period, world.tree.a1)))
    assert a1.suggested_grade == G.GOOD

    for persona in ("secretary", "grassroots"):
        with pytest.raises(ValidationError) as error:
            decide(world, evaluation_of(period, world.tree.a1), G.EXCELLENT, JUSTIFICATION, by=persona)
        assert "grade" in error.value.message_dict
    for text in ("", "   \n\t ", "......................", "ok ok ok ok ok ok ok ok", "Đồng ý."):
        with pytest.raises(ValidationError) as error:
            decide(world, evaluation_of(period, world.tree.a1), G.EXCELLENT, text)
        assert "justification" in error.value.message_dict
    assert evaluation_of(period, world.tree.a1).status == OrgEvaluation.Status.APPRAISED

    a1 = decide(world, evaluation_of(period, world.tree.a1), G.EXCELLENT, JUSTIFICATION)
    a1.refresh_from_db()
    assert (a1.final_grade, a1.cap_override_grade, a1.cap_override_by) == (G.EXCELLENT, G.GOOD, world.personas.staff)
    assert a1.cap_override_justification == JUSTIFICATION and a1.cap_override_at

    # A member: the deciding body is the grassroots committee; the cell's secretary may not.
    ratings.ensure_member_rows(period=period, organization=world.tree.a1)
    row = MemberEvaluation.objects.get(period=period, member=world.members.other)
    with pytest.raises(PermissionDenied):
        review_discipline.member_cap_override(
            row=row, grade=G.GOOD, justification=JUSTIFICATION, granted_by=world.personas.secretary
        )
    with pytest.raises(ValidationError):
        review_discipline.member_cap_override(
            row=row, grade=G.GOOD, justification="tự khắc phục", granted_by=world.personas.grassroots
        )
    row = review_discipline.member_cap_override(
        row=row, grade=G.GOOD, justification=JUSTIFICATION, granted_by=world.personas.grassroots
    )
    assert (row.final_grade, row.cap_grade, row.cap_override_grade) == (G.GOOD, G.EXCELLENT, G.NOT_FULFILLED)
    ratings.ensure_member_rows(period=period, organization=world.tree.a1)  # a later refresh keeps the exception
    row.refresh_from_db()
    assert (row.disciplined, row.cap_grade, row.final_grade) == (True, G.EXCELLENT, G.GOOD)

    # Listed as exceptions in the yearly report (organisations first).
    listed = review_discipline.cap_exceptions(period=period, root=world.tree.root, scope=Q())
    assert [(e["name"], e["cap"], e["grade"], e["justification"]) for e in listed] == [
        ("Chi bộ A1 (Đảng bộ A)", G.GOOD, G.EXCELLENT, JUSTIFICATION),
        (world.members.other.full_name, G.NOT_FULFILLED, G.GOOD, JUSTIFICATION),
    ]

    # ...and in the yearly evaluation report's "exceptions" table (its XLSX twin).
    report = report_request(
        user=world.personas.staff, organization=world.tree.root, kind=Report.Kind.EVALUATION, year=YEAR
    )
    report = report_build(report_id=report.pk, as_user=world.personas.staff)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    assert report.figures["cap_exceptions"] == 2
    report.xlsx.open("rb")
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in load_workbook(report.xlsx).worksheets}
    report.xlsx.close()
    exceptions = sheets["Exceptions"][2:]
    assert [(row[1], row[3], row[4], row[5]) for row in exceptions] == [
        ("Chi bộ A1 (Đảng bộ A)", G.GOOD, G.EXCELLENT, JUSTIFICATION),
        (world.members.other.full_name, G.NOT_FULFILLED, G.GOOD, JUSTIFICATION),
    ]

    # Reopening the decision drops its exception.
    a1 = services.reopen(evaluation=a1, reason="Xem lại", version=a1.version, reopened_by=world.personas.staff)
    assert (a1.cap_override_at, a1.cap_override_justification) == (None, "")


#
# B23, B24: the programme criteria read the facts (through the metric)
#


def programme_set(programme: str, group_title: str) -> CriteriaSet:
    CriteriaSet.objects.filter(programme=programme).delete()
    criteria_set = CriteriaSet.objects.create(
        name=group_title,
        programme=programme,
        year_from=2022,
        year_to=2026,
        scoring_mode=CriteriaSet.ScoringMode.CHECKLIST,
    )
    group = criteria_set.groups.create(code="II", title=group_title)
    criteria_set.criteria.create(
        group=group,
        code="1",
        text="Không có đảng viên bị kỷ luật",
        kind=Criterion.Kind.METRIC,
        metric=Criterion.Metric.MEMBERS_DISCIPLINED,
        comparator=Criterion.Comparator.AT_MOST,
        threshold=D(0),
        hard_condition=True,
        order=1,
    )
    return criteria_set


def registered(world, programme: str):
    cell = world.tree.a1
    for year, grade in ((2021, G.GOOD), (2022, G.EXCELLENT), (2024, G.GOOD)):
        HistoricalRating.objects.create(organization=cell, year=year, grade=grade)
    registration = programmes.registration_create(
        organization=cell,
        programme=programme,
        phase_start=2023,
        phase_end=2026,
        reference_years=None,
        registered_by=world.personas.secretary,
    )
    return programmes.registration_approve(
        registration=registration,
        approved_on=datetime.date(2023, 3, 1),
        approved_by_body="Ban Thường vụ Đảng ủy Khối",
        approved_by=world.personas.staff,
    )


def programme_criterion_reads_the_facts(world, programme: str, group: str) -> None:
    """The programme's "no member disciplined" criterion fails with a disciplinary decision of the checked year on a
    member's record, and passes again once it is annulled (the criterion reads metrics_for, D5)."""
    programme_set(programme, group)
    registration = registered(world, programme)

    def check():
        return programmes.year_check(
            registration=registration, year=2024, answers={}, checked_by=world.personas.grassroots
        )

    assert check().results["1"]["met"] is True
    fact = record(world, world.members.probationary, day=datetime.date(2024, 5, 2))
    result = check()
    assert result.results["1"]["met"] is False and not result.passed
    discipline.discipline_annul(discipline=fact, reason="Hủy", annulled_by=world.personas.staff)
    assert check().results["1"]["met"] is True


def test_B23_model_cell_no_member_disciplined_reads_the_facts(world):
    programme_criterion_reads_the_facts(world, CriteriaSet.Programme.MODEL_CELL, "Tiêu chí chung")


def test_B24_four_good_disqualifier_reads_the_facts(world):
    programme_criterion_reads_the_facts(world, CriteriaSet.Programme.FOUR_GOOD, "Đoàn kết, kỷ luật tốt")


def test_D5_member_exception_through_the_ratings_page(world, period, client_for):
    record(world, world.members.other)
    ratings.ensure_member_rows(period=period, organization=world.tree.a1)
    row = MemberEvaluation.objects.get(period=period, member=world.members.other)
    exception_url = reverse("evaluations:member_cap_exception", args=[row.pk])

    table = client_for("grassroots").get(reverse("ratings:table", args=[period.pk, world.tree.a1.pk]))
    assert exception_url in table.content.decode()  # the deciding body is offered the exception
    secretary_table = client_for("secretary").get(reverse("ratings:table", args=[period.pk, world.tree.a1.pk]))
    assert exception_url not in secretary_table.content.decode()
    assert client_for("secretary").get(exception_url).status_code == 403

    refused = client_for("grassroots").post(exception_url, {"grade": G.GOOD, "justification": "tự khắc phục"})
    assert refused.status_code == 200 and "justification" in refused.context["form"].errors
    done = client_for("grassroots").post(exception_url, {"grade": G.GOOD, "justification": JUSTIFICATION})
    assert done.status_code == 302
    row.refresh_from_db()
    assert (row.final_grade, row.cap_override_grade, row.cap_override_by) == (
        G.GOOD,
        G.NOT_FULFILLED,
        world.personas.grassroots,
    )
