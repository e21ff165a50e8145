"""The yearly review of party organisations through its services: opening a year under the rules in force for it,
frozen criteria snapshots and parameters, the three steps (self-assessment, appraisal, decision) with returns and
reopening, refused input that writes nothing, optimistic locking, the audit history, the organisation quota (B12)
and locking a year.

Today is frozen on 10/02/2026. The rule parameter sets are the seeded ones (criteria/migrations/0002): QĐ 132 /
HD 21 for 2018–2022, QĐ 124 / HD 25 for 2023–2024, QĐ 366 / HD 43 from 2025. The classification criteria sets are
built here, so that these tests do not depend on the sets loaded by data migrations: "old frame" for 2018–2022 and
"new frame" from 2023, both 100 points.
"""

import datetime
from decimal import Decimal
from functools import partial
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cells import services as cell_services
from cells.models import AuditEntry, Organization
from criteria.models import CriteriaSet, Criterion, CriterionGroup, RuleParameterSet
from evaluations.models import EvaluationPeriod, Grade, NotClassified, OrgEvaluation, QuotaException
from evaluations.review import services
from tests import helpers

pytestmark = pytest.mark.django_db

D = Decimal
G = Grade
Status = OrgEvaluation.Status
YEAR = 2025
TARGET = "evaluations.orgevaluation"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


#
# Criteria sets and helpers
#


def make_set(name: str, year_from: int, year_to: int | None, criteria: list[tuple]) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.create(
        name=name, programme=CriteriaSet.Programme.CLASSIFICATION, year_from=year_from, year_to=year_to
    )
    groups = {}
    for order, (code, group, text, kind, max_points, hard, cap) in enumerate(criteria, start=1):
        if group not in groups:
            groups[group] = CriterionGroup.objects.create(
                criteria_set=criteria_set, code=group, title=f"Group {group}", order=len(groups) + 1
            )
        Criterion.objects.create(
            criteria_set=criteria_set,
            group=groups[group],
            code=code,
            text=text,
            kind=kind,
            max_points=max_points,
            hard_condition=hard,
            cap_grade=cap,
            order=order,
        )
    return criteria_set


@pytest.fixture
def sets(world):
    """Only the sets built here apply (any classification set loaded by a data migration is removed)."""
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    P, C = Criterion.Kind.POINTS, Criterion.Kind.CHECK
    old = make_set(
        "Old frame",
        2018,
        2022,
        [("1", "A", "Political tasks", P, 50, False, ""), ("2", "A", "Party building", P, 50, False, "")],
    )
    new = make_set(
        "New frame",
        2023,
        None,
        [
            ("1.1", "I", "General criteria", P, 30, False, ""),
            ("2.1", "II", "Task results", P, 70, False, ""),
            ("2.2", "II", "Minutes of every meeting kept", C, 0, True, "HTNV"),
        ],
    )
    return SimpleNamespace(old=old, new=new)


open_period = partial(helpers.open_period, year=YEAR)


@pytest.fixture
def period(world, sets):
    return open_period(world)


def evaluation_of(period: EvaluationPeriod, organization: Organization) -> OrgEvaluation:
    return OrgEvaluation.objects.get(period=period, organization=organization)


# Points (1.1 of 30, 2.1 of 70) that give each grade under the default thresholds (90 / 70 / 50).
POINTS = {G.EXCELLENT: (30, 65), G.GOOD: (25, 55), G.FULFILLED: (20, 40), G.NOT_FULFILLED: (10, 20)}


def answers_for(grade: str) -> dict:
    general, tasks = POINTS[grade]
    return {"1.1": {"points": D(general)}, "2.1": {"points": D(tasks)}, "2.2": {"met": True}}


def data_for(grade: str, **extra) -> dict:
    data = {"tasks_done_pct": D(100), "tasks_exceeded_pct": D(40), "tasks_late_pct": D(0), "self_grade": grade}
    data.update(extra)
    return data


def self_assess(world, evaluation, grade, *, submit, answers=None, data=None, version=None, by="secretary"):
    """services.self_assess with the points of `grade` and the data that claim it unless told, the evaluation's
    version unless told, as the secretary unless told."""
    return services.self_assess(
        evaluation=evaluation,
        answers=answers_for(grade) if answers is None else answers,
        data=data_for(grade) if data is None else data,
        version=evaluation.version if version is None else version,
        submit=submit,
        assessed_by=getattr(world.personas, by),
    )


def submit(world, evaluation, grade, **kwargs) -> OrgEvaluation:
    return self_assess(world, evaluation, grade, submit=True, **kwargs)


def draft(world, evaluation, grade=G.GOOD, **kwargs) -> OrgEvaluation:
    return self_assess(world, evaluation, grade, submit=False, **kwargs)


def appraise(world, evaluation, grade) -> OrgEvaluation:
    return services.appraise(
        evaluation=evaluation,
        grade=grade,
        comment="Agreed.",
        version=evaluation.version,
        appraised_by=world.personas.grassroots,
    )


def decide(world, evaluation, grade, *, justification="", decision_no="15-QĐ/ĐUK") -> OrgEvaluation:
    return services.decide(
        evaluation=evaluation,
        grade=grade,
        justification=justification,
        decision_no=decision_no,
        decision_date=datetime.date(2026, 1, 15),
        version=evaluation.version,
        decided_by=world.personas.staff,
    )


def through(world, evaluation, grade) -> OrgEvaluation:
    """Self-assess with the points of `grade`, appraise and decide it (the suggestion, so no justification)."""
    evaluation = submit(world, evaluation, grade)
    assert evaluation.suggested_grade == grade
    evaluation = appraise(world, evaluation, grade)
    return decide(world, evaluation, grade)


def entries(evaluation) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_type=TARGET, target_id=evaluation.pk).order_by("id"))


def state(evaluation) -> dict:
    """What must not change when a service refuses."""
    evaluation = OrgEvaluation.objects.get(pk=evaluation.pk)
    return {
        "version": evaluation.version,
        "status": evaluation.status,
        "row": {f: str(getattr(evaluation, f)) for f in services.TRACKED_FIELDS},
        "answers": sorted(evaluation.answers.values_list("code", "points", "met", "metric_value")),
        "audit": len(entries(evaluation)),
    }


def new_org(world, parent, code, *, kind=Organization.Kind.CELL, founded_on=None) -> Organization:
    return cell_services.organization_create(
        parent=parent,
        name=f"Chi bộ {code}",
        code=code,
        kind=kind,
        founded_on=founded_on,
        created_by=world.personas.admin,
    )


#
# Opening a year: the rules in force, one evaluation per organisation, frozen sets
#


def test_each_year_is_opened_under_the_rules_in_force_that_year(world, sets):
    old = open_period(world, year=2022)
    middle = open_period(world, year=2023)
    new = open_period(world, year=2025)

    assert "132-QĐ/TW" in old.parameter_set.name
    assert "124-QĐ/TW" in middle.parameter_set.name
    assert "366-QĐ/TW" in new.parameter_set.name
    assert {doc.number for doc in old.parameter_set.basis.all()} >= {"132-QĐ/TW", "21-HD/BTCTW"}
    assert {doc.number for doc in new.parameter_set.basis.all()} >= {"366-QĐ/TW", "43-HD/BTCTW"}
    # ...and the criteria set of the year.
    assert {e.criteria_set_id for e in old.org_evaluations.all()} == {sets.old.pk}
    assert {e.criteria_set_id for e in new.org_evaluations.all()} == {sets.new.pk}


def test_a_year_under_the_old_rules_is_decided_with_the_old_parameters(world, sets):
    period = open_period(world, year=2022)
    evaluation = evaluation_of(period, world.tree.a1)

    evaluation = submit(world, evaluation, G.GOOD, answers={"1": {"points": 40}, "2": {"points": 40}})
    assert evaluation.self_score == D(80)
    assert evaluation.suggested_grade == G.GOOD
    evaluation = decide(world, appraise(world, evaluation, G.GOOD), G.GOOD)

    evaluation.refresh_from_db()
    assert evaluation.final_grade == G.GOOD
    assert "132-QĐ/TW" in evaluation.parameters_snapshot["_name"]
    assert "21-HD/BTCTW" in evaluation.parameters_snapshot["_basis"]


def test_a_parameter_that_differs_between_years_changes_the_suggestion(world, sets):
    rules_2023 = RuleParameterSet.objects.get(name__contains="124-QĐ/TW")
    rules_2023.values = {"score_thresholds": {"HTXSNV": 95, "HTTNV": 75, "HTNV": 50}}
    rules_2023.full_clean()
    rules_2023.save()
    answers = {"1.1": {"points": 30}, "2.1": {"points": 62}, "2.2": {"met": True}}  # 92/100

    suggestions = {}
    for year in (2023, 2025):
        evaluation = evaluation_of(open_period(world, year=year), world.tree.c)
        evaluation = submit(world, evaluation, G.EXCELLENT, answers=answers)
        assert evaluation.self_score == D(92)
        suggestions[year] = evaluation.suggested_grade

    assert suggestions == {2023: G.GOOD, 2025: G.EXCELLENT}


def test_period_open_creates_one_evaluation_per_active_organisation_below_the_root(world, sets):
    tree = world.tree
    dissolved = new_org(world, tree.b, "B3", founded_on=datetime.date(2015, 1, 1))
    cell_services.organization_dissolve(
        organization=dissolved,
        dissolved_on=datetime.date(2025, 6, 30),
        reason="Merged",
        dissolved_by=world.personas.admin,
    )
    not_yet = new_org(world, tree.a, "A3", founded_on=datetime.date(2026, 1, 15))
    young = new_org(world, tree.a, "A4", founded_on=datetime.date(2025, 9, 1))

    period = open_period(world)

    evaluated = set(period.org_evaluations.values_list("organization_id", flat=True))
    assert evaluated == {tree.a.pk, tree.a1.pk, tree.a2.pk, tree.b.pk, tree.b1.pk, tree.b2.pk, tree.c.pk, young.pk}
    assert tree.root.pk not in evaluated
    assert dissolved.pk not in evaluated
    assert not_yet.pk not in evaluated
    assert set(period.org_evaluations.values_list("status", flat=True)) == {Status.NOT_STARTED}
    opened = AuditEntry.objects.get(action="evaluations.period.opened", target_id=period.pk)
    assert opened.actor == world.personas.staff


def test_period_open_for_a_subtree_covers_only_that_subtree(world, sets):
    period = open_period(world, root=world.tree.b)

    assert set(period.org_evaluations.values_list("organization_id", flat=True)) == {
        world.tree.b.pk,
        world.tree.b1.pk,
        world.tree.b2.pk,
    }


def test_period_open_freezes_the_criteria_set_and_stores_its_snapshot(world, sets):
    period = open_period(world)

    sets.new.refresh_from_db()
    sets.old.refresh_from_db()
    assert sets.new.is_frozen
    assert not sets.old.is_frozen  # not used in 2025
    evaluation = evaluation_of(period, world.tree.a1)
    snapshot = evaluation.criteria_snapshot
    assert snapshot["id"] == sets.new.pk
    assert snapshot["name"] == "New frame"
    assert [c["code"] for c in snapshot["criteria"]] == ["1.1", "2.1", "2.2"]
    assert [D(c["max_points"]) for c in snapshot["criteria"]] == [D(30), D(70), D(0)]
    assert snapshot["criteria"][2]["hard_condition"] is True
    assert snapshot["criteria"][2]["cap_grade"] == "HTNV"
    assert {g["code"] for g in snapshot["groups"]} == {"I", "II"}
    assert snapshot == services.criteria_snapshot(sets.new)


@pytest.mark.parametrize(
    ("year", "dates", "field"),
    [
        (2027, None, "year"),  # the year has not begun
        (1999, None, "year"),
        (2025, (datetime.date(2026, 1, 20), datetime.date(2026, 1, 10), datetime.date(2026, 1, 31)), "decision_due"),
    ],
)
def test_period_open_refuses_bad_years_and_deadlines(world, sets, year, dates, field):
    dates = dates or (datetime.date(2026, 1, 10), datetime.date(2026, 1, 20), datetime.date(2026, 1, 31))

    with pytest.raises(ValidationError) as error:
        open_period(world, year=year, dues=dates)

    assert field in error.value.message_dict
    assert not EvaluationPeriod.objects.exists()
    assert not OrgEvaluation.objects.exists()


def test_period_open_refuses_a_year_already_open_above_or_below(world, sets):
    open_period(world, root=world.tree.b)

    with pytest.raises(ValidationError):
        open_period(world)  # the root's subtree contains B
    with pytest.raises(ValidationError):
        open_period(world, root=world.tree.b1)  # B1 sits under B

    open_period(world, root=world.tree.a)  # a sibling subtree is fine
    open_period(world, year=2024, root=world.tree.b)  # and another year
    assert EvaluationPeriod.objects.count() == 3


#
# Frozen snapshots and parameters
#


def test_editing_the_set_afterwards_changes_neither_snapshots_nor_decided_results(world, sets, period):
    decided = through(world, evaluation_of(period, world.tree.c), G.GOOD)
    snapshot_before = evaluation_of(period, world.tree.c).criteria_snapshot

    # Someone edits the set directly (the criteria pages would make a copy; this is the worst case).
    Criterion.objects.filter(criteria_set=sets.new, code="1.1").update(max_points=40)
    Criterion.objects.create(criteria_set=sets.new, code="2.3", text="New criterion", kind="POINTS", max_points=10)

    decided.refresh_from_db()
    assert decided.criteria_snapshot == snapshot_before
    assert decided.final_grade == G.GOOD
    assert decided.self_score == D(80)
    # An evaluation still in progress is assessed against its snapshot, not the edited set.
    pending = evaluation_of(period, world.tree.b)
    assert pending.criteria_snapshot == snapshot_before
    with pytest.raises(ValidationError):
        submit(world, pending, G.GOOD, answers={"1.1": {"points": 35}})  # 30 is the maximum in the snapshot
    with pytest.raises(ValidationError):
        submit(world, pending, G.GOOD, answers={"2.3": {"points": 5}})  # not in the snapshot
    pending = submit(world, pending, G.GOOD)
    assert pending.self_score == D(80)


def test_the_decision_stores_the_parameters_and_later_changes_of_the_set_do_not_change_it(world, sets, period):
    decided = through(world, evaluation_of(period, world.tree.c), G.EXCELLENT)  # C is grassroots: no quota
    stored = decided.parameters_snapshot
    assert stored["score_thresholds"] == {"HTXSNV": 90, "HTTNV": 70, "HTNV": 50}
    assert stored["htxs_min_tasks_exceeded_pct"] == 30
    assert "366-QĐ/TW" in stored["_name"]
    assert set(RuleParameterSet.DEFAULTS) <= set(stored)

    rules_2025 = period.parameter_set
    rules_2025.values = {"score_thresholds": {"HTXSNV": 95, "HTTNV": 75, "HTNV": 50}}
    rules_2025.save()

    decided.refresh_from_db()
    assert decided.final_grade == G.EXCELLENT
    assert decided.suggested_grade == G.EXCELLENT
    assert decided.parameters_snapshot == stored
    # An undecided organisation now gets the new thresholds: 93 points was HTXSNV, it is HTTNV.
    answers = {"1.1": {"points": 28}, "2.1": {"points": 65}, "2.2": {"met": True}}
    pending = submit(world, evaluation_of(period, world.tree.b), G.EXCELLENT, answers=answers)
    assert pending.self_score == D(93)
    assert pending.suggested_grade == G.GOOD


#
# Step 1: self-assessment
#


def test_saving_a_draft_keeps_the_evaluation_not_started(world, period):
    evaluation = evaluation_of(period, world.tree.a1)

    evaluation = draft(world, evaluation, data={"tasks_done_pct": D(100), "self_comment": "Draft report"})

    evaluation.refresh_from_db()
    assert evaluation.status == Status.NOT_STARTED
    assert evaluation.version == 2
    assert evaluation.self_score == D(80)
    assert evaluation.suggested_grade == G.GOOD
    assert evaluation.suggestion_reasons
    assert evaluation.self_comment == "Draft report"
    assert dict(evaluation.answers.values_list("code", "points")) == {"1.1": D(25), "2.1": D(55), "2.2": None}
    assert [e.action for e in entries(evaluation)] == ["evaluations.evaluation.saved"]


def test_submitting_moves_the_evaluation_to_self_assessed(world, period):
    evaluation = submit(world, evaluation_of(period, world.tree.a1), G.GOOD)

    evaluation.refresh_from_db()
    assert evaluation.status == Status.SELF_ASSESSED
    assert evaluation.self_grade == G.GOOD
    assert [e.action for e in entries(evaluation)] == ["evaluations.evaluation.self_assessed"]


def test_submitting_needs_the_grade_the_organisation_gives_itself(world, period):
    evaluation = evaluation_of(period, world.tree.a1)
    before = state(evaluation)

    with pytest.raises(ValidationError) as error:
        submit(world, evaluation, G.GOOD, data=data_for(G.GOOD, self_grade=""))

    assert "self_grade" in error.value.message_dict
    assert state(evaluation) == before


@pytest.mark.parametrize(
    "answers",
    [
        {"1.1": {"points": D("30.5")}},  # above the maximum
        {"1.1": {"points": D(-1)}},
        {"9.9": {"points": D(1)}},  # not a criterion of the set
        {"1.1": {"points": D(20)}, "X": {"met": True}},
    ],
)
def test_self_assessment_refuses_bad_answers_and_writes_nothing(world, period, answers):
    evaluation = evaluation_of(period, world.tree.a1)
    evaluation = draft(world, evaluation, data={})
    before = state(evaluation)

    with pytest.raises(ValidationError):
        draft(world, evaluation, answers=answers, data={"self_comment": "changed"})

    assert state(evaluation) == before


# units_disciplined_pct is no longer typed: it is computed from the members' records (D5, tests/evaluations/
# test_discipline.py).
@pytest.mark.parametrize("field", ["tasks_done_pct", "tasks_exceeded_pct", "tasks_late_pct"])
@pytest.mark.parametrize("value", [D("100.1"), D(-1)])
def test_self_assessment_refuses_percentages_out_of_range_and_writes_nothing(world, period, field, value):
    evaluation = evaluation_of(period, world.tree.a1)
    before = state(evaluation)

    with pytest.raises(ValidationError) as error:
        # The answers come first in the service: they must be rolled back too.
        submit(world, evaluation, G.GOOD, data=data_for(G.GOOD, **{field: value}))

    assert field in error.value.message_dict
    assert state(evaluation) == before


def test_self_assessment_refuses_a_grade_outside_the_four(world, period):
    evaluation = evaluation_of(period, world.tree.a1)
    before = state(evaluation)

    with pytest.raises(ValidationError):
        submit(world, evaluation, G.GOOD, data=data_for("XUAT_SAC"))

    assert state(evaluation) == before


def test_without_criteria_the_score_is_entered_directly_within_0_to_100(world, sets):
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    evaluation = evaluation_of(open_period(world), world.tree.a1)
    assert evaluation.criteria_set is None
    assert evaluation.criteria_snapshot == {}

    with pytest.raises(ValidationError):
        submit(world, evaluation, G.GOOD, answers={}, data=data_for(G.GOOD, self_score=D(101)))
    with pytest.raises(ValidationError):
        submit(world, evaluation, G.GOOD, answers={"1.1": {"points": 1}}, data=data_for(G.GOOD, self_score=D(80)))

    evaluation = submit(world, evaluation, G.GOOD, answers={}, data=data_for(G.GOOD, self_score=D(80)))
    assert evaluation.self_score == D(80)
    assert evaluation.suggested_grade == G.GOOD


def test_a_failed_hard_condition_caps_the_suggestion(world, period):
    answers = answers_for(G.EXCELLENT) | {"2.2": {"met": False}}

    evaluation = submit(world, evaluation_of(period, world.tree.c), G.EXCELLENT, answers=answers)

    assert evaluation.self_score == D(95)
    assert evaluation.suggested_grade == G.FULFILLED
    assert any("2.2" in reason for reason in evaluation.suggestion_reasons)


#
# Step 2: appraisal
#


def test_appraisal_comes_only_after_the_submission(world, period):
    evaluation = evaluation_of(period, world.tree.a1)
    with pytest.raises(ValidationError):
        appraise(world, evaluation, G.GOOD)

    evaluation = draft(world, evaluation)
    before = state(evaluation)
    with pytest.raises(ValidationError):
        appraise(world, evaluation, G.GOOD)  # a draft is not submitted
    assert state(evaluation) == before

    evaluation = appraise(world, submit(world, evaluation, G.GOOD), G.FULFILLED)
    evaluation.refresh_from_db()
    assert evaluation.status == Status.APPRAISED
    assert evaluation.appraisal_grade == G.FULFILLED
    assert evaluation.appraisal_comment == "Agreed."

    with pytest.raises(ValidationError):
        appraise(world, evaluation, G.GOOD)  # once


@pytest.mark.parametrize("grade", ["", "XYZ", "KHONG_XEP_LOAI"])
def test_appraisal_refuses_a_grade_outside_the_four(world, period, grade):
    evaluation = submit(world, evaluation_of(period, world.tree.a1), G.GOOD)
    before = state(evaluation)

    with pytest.raises(ValidationError):
        appraise(world, evaluation, grade)

    assert state(evaluation) == before


def test_the_self_assessment_cannot_change_once_appraised(world, period):
    evaluation = appraise(world, submit(world, evaluation_of(period, world.tree.a1), G.GOOD), G.GOOD)
    before = state(evaluation)

    with pytest.raises(ValidationError):
        submit(world, evaluation, G.EXCELLENT)

    assert state(evaluation) == before


#
# Step 3: decision
#


@pytest.fixture
def appraised(world, period):
    """A1 self-assessed at 80 points (suggested HTTNV) and appraised HTTNV."""
    return appraise(world, submit(world, evaluation_of(period, world.tree.a1), G.GOOD), G.GOOD)


def test_decision_equal_to_the_suggestion_needs_no_justification(world, appraised):
    evaluation = decide(world, appraised, G.GOOD)

    evaluation.refresh_from_db()
    assert evaluation.status == Status.DECIDED
    assert evaluation.final_grade == G.GOOD
    assert evaluation.decision_no == "15-QĐ/ĐUK"
    assert evaluation.decided_by == world.personas.staff
    assert evaluation.decided_at is not None
    assert evaluation.parameters_snapshot["score_thresholds"]["HTXSNV"] == 90


@pytest.mark.parametrize("justification", ["", "   \n "])
def test_decision_different_from_the_suggestion_without_justification_is_refused(world, appraised, justification):
    before = state(appraised)

    with pytest.raises(ValidationError) as error:
        decide(world, appraised, G.FULFILLED, justification=justification)

    assert "justification" in error.value.message_dict
    assert state(appraised) == before
    appraised.refresh_from_db()
    assert appraised.final_grade == ""
    assert appraised.parameters_snapshot == {}


def test_decision_different_from_the_suggestion_with_justification_is_recorded(world, appraised):
    evaluation = decide(world, appraised, G.FULFILLED, justification="  Two targets\nmissed  ")

    evaluation.refresh_from_db()
    assert evaluation.final_grade == G.FULFILLED
    assert evaluation.suggested_grade == G.GOOD
    assert evaluation.justification == "Two targets missed"


@pytest.mark.parametrize("grade", ["", "XYZ", "htxsnv"])
def test_decision_refuses_a_grade_outside_the_four(world, appraised, grade):
    before = state(appraised)

    with pytest.raises(ValidationError) as error:
        decide(world, appraised, grade, justification="Because")

    assert "grade" in error.value.message_dict
    assert state(appraised) == before


def test_decision_comes_only_after_the_appraisal(world, period):
    evaluation = submit(world, evaluation_of(period, world.tree.a1), G.GOOD)
    before = state(evaluation)

    with pytest.raises(ValidationError):
        decide(world, evaluation, G.GOOD)

    assert state(evaluation) == before


def test_an_organisation_founded_late_in_the_year_is_decided_without_a_grade(world, sets):
    young = new_org(world, world.tree.a, "A4", founded_on=datetime.date(2025, 9, 1))
    period = open_period(world)
    evaluation = evaluation_of(period, young)

    evaluation = submit(world, evaluation, G.GOOD, data=data_for(""))  # no self grade needed
    assert evaluation.status == Status.SELF_ASSESSED
    assert evaluation.not_classified == NotClassified.NEW_ORGANISATION
    assert evaluation.suggested_grade == ""
    evaluation = appraise(world, evaluation, G.GOOD)
    before = state(evaluation)

    with pytest.raises(ValidationError) as error:
        decide(world, evaluation, G.GOOD, justification="Good work")
    assert "grade" in error.value.message_dict
    assert state(evaluation) == before

    evaluation = decide(world, evaluation, "")
    evaluation.refresh_from_db()
    assert evaluation.status == Status.DECIDED
    assert evaluation.final_grade == ""
    assert evaluation.not_classified == NotClassified.NEW_ORGANISATION


def test_nothing_changes_in_a_locked_period(world, period, appraised):
    other = submit(world, evaluation_of(period, world.tree.a2), G.GOOD)
    EvaluationPeriod.objects.filter(pk=period.pk).update(state=EvaluationPeriod.State.LOCKED)
    before = (state(appraised), state(other))

    with pytest.raises(ValidationError):
        decide(world, appraised, G.GOOD)
    with pytest.raises(ValidationError):
        services.send_back(
            evaluation=appraised, reason="x", version=appraised.version, returned_by=world.personas.staff
        )
    with pytest.raises(ValidationError):
        appraise(world, other, G.GOOD)
    with pytest.raises(ValidationError):
        submit(world, evaluation_of(period, world.tree.b1), G.GOOD)

    assert (state(appraised), state(other)) == before


#
# Returning and reopening
#


@pytest.mark.parametrize("reason", ["", "  \n  "])
def test_returning_needs_a_reason(world, appraised, reason):
    before = state(appraised)

    with pytest.raises(ValidationError) as error:
        services.send_back(
            evaluation=appraised, reason=reason, version=appraised.version, returned_by=world.personas.staff
        )

    assert "reason" in error.value.message_dict
    assert state(appraised) == before


def test_returning_with_a_reason_lets_the_organisation_assess_again(world, appraised):
    evaluation = services.send_back(
        evaluation=appraised,
        reason="  Attach the minutes ",
        version=appraised.version,
        returned_by=world.personas.staff,
    )

    evaluation.refresh_from_db()
    assert evaluation.status == Status.RETURNED
    assert evaluation.return_reason == "Attach the minutes"
    last = entries(evaluation)[-1]
    assert last.action == "evaluations.evaluation.returned"
    assert last.message == "Attach the minutes"
    assert last.data["changes"]["status"] == [Status.APPRAISED, Status.RETURNED]

    evaluation = submit(world, evaluation, G.FULFILLED)
    assert evaluation.status == Status.SELF_ASSESSED
    assert evaluation.suggested_grade == G.FULFILLED


def test_an_unsubmitted_evaluation_cannot_be_returned(world, period):
    evaluation = evaluation_of(period, world.tree.a1)

    with pytest.raises(ValidationError):
        services.send_back(
            evaluation=evaluation, reason="Why", version=evaluation.version, returned_by=world.personas.staff
        )


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(world, appraised, reason):
    decided = decide(world, appraised, G.GOOD)
    before = state(decided)

    with pytest.raises(ValidationError) as error:
        services.reopen(evaluation=decided, reason=reason, version=decided.version, reopened_by=world.personas.staff)

    assert "reason" in error.value.message_dict
    assert state(decided) == before


def test_reopening_logs_the_reason_and_allows_a_new_decision(world, appraised):
    decided = decide(world, appraised, G.GOOD)

    evaluation = services.reopen(
        evaluation=decided, reason="Complaint upheld", version=decided.version, reopened_by=world.personas.staff
    )

    evaluation.refresh_from_db()
    assert evaluation.status == Status.APPRAISED
    assert evaluation.final_grade == ""
    assert evaluation.decided_at is None
    last = entries(evaluation)[-1]
    assert last.action == "evaluations.evaluation.reopened"
    assert last.message == "Complaint upheld"
    assert last.actor == world.personas.staff
    assert last.data["changes"]["final_grade"] == [G.GOOD, ""]
    assert last.data["changes"]["status"] == [Status.DECIDED, Status.APPRAISED]

    evaluation = decide(world, evaluation, G.FULFILLED, justification="After the complaint")
    assert evaluation.final_grade == G.FULFILLED


def test_only_a_decided_evaluation_can_be_reopened(world, appraised):
    before = state(appraised)

    with pytest.raises(ValidationError):
        services.reopen(evaluation=appraised, reason="Why", version=appraised.version, reopened_by=world.personas.staff)

    assert state(appraised) == before


#
# Optimistic locking
#


def test_a_stale_version_is_refused_for_every_step(world, period):
    evaluation = evaluation_of(period, world.tree.a1)
    stale = evaluation.version
    evaluation = draft(world, evaluation, data={}, version=stale, by="grassroots")
    before = state(evaluation)

    # self_assess with the version read before someone else's save
    with pytest.raises(ValidationError):
        submit(world, evaluation, G.EXCELLENT, version=stale)
    assert state(evaluation) == before

    evaluation = submit(world, evaluation, G.GOOD)
    stale = evaluation.version
    evaluation = services.send_back(
        evaluation=evaluation, reason="Redo", version=stale, returned_by=world.personas.staff
    )
    evaluation = submit(world, evaluation, G.GOOD)
    before = state(evaluation)
    with pytest.raises(ValidationError):
        services.appraise(
            evaluation=evaluation, grade=G.GOOD, comment="", version=stale, appraised_by=world.personas.grassroots
        )
    assert state(evaluation) == before

    stale = evaluation.version
    evaluation = appraise(world, evaluation, G.GOOD)
    evaluation = services.send_back(
        evaluation=evaluation, reason="Redo", version=evaluation.version, returned_by=world.personas.staff
    )
    evaluation = appraise(world, submit(world, evaluation, G.GOOD), G.GOOD)
    before = state(evaluation)
    with pytest.raises(ValidationError):
        services.decide(
            evaluation=evaluation,
            grade=G.GOOD,
            justification="",
            decision_no="",
            version=stale,
            decided_by=world.personas.staff,
        )
    assert state(evaluation) == before

    # The current version goes through.
    assert decide(world, evaluation, G.GOOD).status == Status.DECIDED


@pytest.mark.parametrize("version", ["1", 1])
def test_the_version_may_come_as_text_from_a_form(world, period, version):
    evaluation = evaluation_of(period, world.tree.a1)

    evaluation = draft(world, evaluation, answers={}, data={}, version=version)

    assert evaluation.version == 2


#
# Audit history
#


def test_every_step_is_in_the_history_with_before_and_after(world, period):
    evaluation = submit(world, evaluation_of(period, world.tree.a1), G.GOOD)
    evaluation = appraise(world, evaluation, G.GOOD)
    evaluation = decide(world, evaluation, G.GOOD)

    history = entries(evaluation)
    assert [e.action for e in history] == [
        "evaluations.evaluation.self_assessed",
        "evaluations.evaluation.appraised",
        "evaluations.evaluation.decided",
    ]
    assert [e.actor for e in history] == [world.personas.secretary, world.personas.grassroots, world.personas.staff]
    assert {e.organization_id for e in history} == {world.tree.a1.pk}

    submitted = history[0].data["changes"]
    assert submitted["status"] == [Status.NOT_STARTED, Status.SELF_ASSESSED]
    assert submitted["self_grade"] == ["", G.GOOD]
    assert submitted["suggested_grade"] == ["", G.GOOD]
    assert submitted["self_score"][0] == ""
    assert D(submitted["self_score"][1]) == D(80)
    assert submitted["tasks_done_pct"][0] == ""
    assert D(submitted["tasks_done_pct"][1]) == D(100)
    assert "leadership_disciplined" not in submitted  # unchanged fields are not listed

    assert history[1].data["changes"] == {
        "status": [Status.SELF_ASSESSED, Status.APPRAISED],
        "appraisal_grade": ["", G.GOOD],
        "appraisal_comment": ["", "Agreed."],
    }
    decided = history[2].data["changes"]
    assert decided["status"] == [Status.APPRAISED, Status.DECIDED]
    assert decided["final_grade"] == ["", G.GOOD]
    assert decided["decision_no"] == ["", "15-QĐ/ĐUK"]


def test_saving_the_same_values_again_records_no_changes(world, period):
    evaluation = evaluation_of(period, world.tree.a1)
    for _attempt in range(2):
        evaluation = draft(world, evaluation, data=data_for(G.GOOD, units_disciplined_pct=D(0)))

    history = entries(evaluation)
    assert len(history) == 2
    assert history[0].data["changes"]
    assert history[1].data["changes"] == {}


#
# The organisation quota (B12)
#


@pytest.fixture
def big_a(world, sets):
    """Đảng bộ A with seven cells (A1, A2 and A3–A7), and the 2025 period."""
    extra = [new_org(world, world.tree.a, f"A{n}") for n in range(3, 8)]
    return [world.tree.a1, world.tree.a2, *extra], open_period(world)


def decide_the_rest(world, period, grade=G.GOOD) -> None:
    for evaluation in OrgEvaluation.objects.filter(period=period).exclude(status=Status.DECIDED):
        through(world, evaluation, grade)


def test_quota_an_excellent_cell_beyond_20_pct_is_decided_and_the_year_lock_refused(world, big_a):
    # D3 (was: the decision was refused): the quota is checked on the final tally when the year is locked.
    cells, period = big_a
    a1, a2, a3, a4, a5, a6, a7 = cells
    for cell in (a2, a3, a4, a5, a6):
        through(world, evaluation_of(period, cell), G.GOOD)
    through(world, evaluation_of(period, a7), G.EXCELLENT)  # 1 place for 5 HTTNV: taken

    evaluation = appraise(world, submit(world, evaluation_of(period, a1), G.EXCELLENT), G.EXCELLENT)
    assert decide(world, evaluation, G.EXCELLENT).final_grade == G.EXCELLENT
    decide_the_rest(world, period)

    with pytest.raises(ValidationError) as error:
        services.period_lock(period=period, locked_by=world.personas.staff)
    assert "Đảng bộ A: 2 tổ chức đảng trực thuộc xếp loại HTXSNV, tối đa được 1" in " ".join(error.value.messages)
    assert not EvaluationPeriod.objects.get(pk=period.pk).is_locked


def test_quota_exception_for_the_grassroots_organisation_allows_one_more(world, big_a):
    cells, period = big_a
    a1, a2, a3, a4, a5, a6, a7 = cells
    for cell in (a2, a3, a4, a5, a6):
        through(world, evaluation_of(period, cell), G.GOOD)
    for cell in (a1, a7):
        through(world, evaluation_of(period, cell), G.EXCELLENT)
    decide_the_rest(world, period)

    def grant(organization, scope):
        QuotaException.objects.create(
            period=period,
            organization=organization,
            scope=scope,
            extra_places=1,
            justification="Outstanding unit of the year",
            decided_by_body="BTV Đảng ủy Khối",
            granted_by=world.personas.staff,
        )

    # An exception for members, or for another grassroots organisation, does not help.
    grant(world.tree.a, QuotaException.Scope.MEMBERS)
    grant(world.tree.b, QuotaException.Scope.ORGANISATIONS)
    with pytest.raises(ValidationError):
        services.period_lock(period=period, locked_by=world.personas.staff)

    grant(world.tree.a, QuotaException.Scope.ORGANISATIONS)
    assert services.period_lock(period=period, locked_by=world.personas.staff).is_locked


def test_quota_never_refuses_a_decision(world, sets, period):
    # D3: grassroots organisations are ranked by the upper committee, but deciding one is never refused by the
    # quota (3 HTXSNV against 0 HTTNV here); the year's lock checks it (tests/evaluations/test_quota.py).
    for organization in (world.tree.a, world.tree.b, world.tree.c):
        assert through(world, evaluation_of(period, organization), G.EXCELLENT).final_grade == G.EXCELLENT


#
# Locking a year
#


def test_a_small_tree_is_entered_decided_and_locked(world, sets):
    tree = world.tree
    period = open_period(world, root=tree.b)
    assert period.org_evaluations.count() == 3

    through(world, evaluation_of(period, tree.b1), G.GOOD)
    through(world, evaluation_of(period, tree.b2), G.FULFILLED)
    with pytest.raises(ValidationError):
        services.period_lock(period=period, locked_by=world.personas.staff)  # B is not decided
    period.refresh_from_db()
    assert period.state == EvaluationPeriod.State.OPEN

    through(world, evaluation_of(period, tree.b), G.EXCELLENT)
    period = services.period_lock(period=period, locked_by=world.personas.staff)

    period.refresh_from_db()
    assert period.is_locked
    assert AuditEntry.objects.filter(action="evaluations.period.locked", target_id=period.pk).count() == 1
    assert dict(period.org_evaluations.values_list("organization_id", "final_grade")) == {
        tree.b.pk: G.EXCELLENT,
        tree.b1.pk: G.GOOD,
        tree.b2.pk: G.FULFILLED,
    }
    with pytest.raises(ValidationError):
        services.period_lock(period=period, locked_by=world.personas.staff)  # already locked
    decided = evaluation_of(period, tree.b1)
    with pytest.raises(ValidationError):
        services.reopen(
            evaluation=decided, reason="Late complaint", version=decided.version, reopened_by=world.personas.staff
        )
    decided.refresh_from_db()
    assert decided.final_grade == G.GOOD


def test_period_lock_counts_every_undecided_organisation(world, period):
    through(world, evaluation_of(period, world.tree.c), G.GOOD)
    appraise(world, submit(world, evaluation_of(period, world.tree.a1), G.GOOD), G.GOOD)

    with pytest.raises(ValidationError) as error:
        services.period_lock(period=period, locked_by=world.personas.staff)

    assert "6" in error.value.messages[0]  # 7 organisations, 1 decided
    period.refresh_from_db()
    assert not period.is_locked
