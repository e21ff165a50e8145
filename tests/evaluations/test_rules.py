"""The grading rules as pure functions (B10–B17, B21): every number comes from a parameters mapping, never from code.

No database: the parameters are `RuleParameterSet.DEFAULTS` (the values of the seeded sets) or a copy with one value
changed, which shows that the rule reads that value.
"""

import copy
import datetime
from decimal import Decimal

import pytest

from criteria.models import RuleParameterSet
from evaluations import rules
from evaluations.models import Grade, NotClassified
from members.models import Member

D = Decimal
G = Grade


def params(**changes) -> dict:
    values = copy.deepcopy(RuleParameterSet.DEFAULTS)
    values.update(changes)
    return values


#
# B11: score thresholds
#


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("100", G.EXCELLENT),
        ("90", G.EXCELLENT),
        ("89.9", G.GOOD),
        ("70", G.GOOD),
        ("69.9", G.FULFILLED),
        ("50", G.FULFILLED),
        ("49.9", G.NOT_FULFILLED),
        ("0", G.NOT_FULFILLED),
    ],
)
def test_grade_for_score_uses_the_default_thresholds(score, expected):
    assert rules.grade_for_score(D(score), params()["score_thresholds"]) == expected


def test_grade_for_score_reads_the_thresholds_it_is_given():
    thresholds = {"HTXSNV": 95, "HTTNV": 75, "HTNV": 50}

    assert rules.grade_for_score(D("94.9"), thresholds) == G.GOOD
    assert rules.grade_for_score(D("95"), thresholds) == G.EXCELLENT
    assert rules.grade_for_score(D("74.9"), thresholds) == G.FULFILLED
    assert rules.grade_for_score(D("75"), thresholds) == G.GOOD
    # The same score, graded with the defaults, is one level higher.
    assert rules.grade_for_score(D("90"), params()["score_thresholds"]) == G.EXCELLENT
    assert rules.grade_for_score(D("90"), thresholds) == G.GOOD


#
# Criteria scoring
#


def criterion(code, kind="POINTS", max_points="10", **extra) -> dict:
    return {"code": code, "text": f"Criterion {code}", "kind": kind, "max_points": max_points, **extra}


def test_evaluate_criteria_clamps_points_between_zero_and_max():
    snapshot = {"criteria": [criterion("1"), criterion("2"), criterion("3"), criterion("4")]}
    answers = {"1": {"points": D("12")}, "2": {"points": D("-3")}, "3": {"points": D("7.5")}}

    total, maximum, results = rules.evaluate_criteria(snapshot, answers)

    assert [r.points for r in results] == [D("10"), D("0"), D("7.5"), D("0")]
    assert total == D("17.5")
    assert maximum == D("40")
    # A points criterion that is not a hard condition has no met/not met.
    assert {r.met for r in results} == {None}


def test_evaluate_criteria_gives_check_criteria_their_max_only_when_met():
    snapshot = {"criteria": [criterion("1", "CHECK", "5"), criterion("2", "CHECK", "5"), criterion("3", "CHECK", "5")]}
    answers = {"1": {"met": True}, "2": {"met": False}}

    total, maximum, results = rules.evaluate_criteria(snapshot, answers)

    assert [(r.met, r.points) for r in results] == [(True, D("5")), (False, D("0")), (None, D("0"))]
    assert total == D("5")
    assert maximum == D("15")


def test_evaluate_criteria_compares_metrics_with_their_threshold():
    snapshot = {
        "criteria": [
            criterion("gte-ok", "METRIC", "4", comparator="GTE", threshold="12"),
            criterion("gte-short", "METRIC", "4", comparator="GTE", threshold="12"),
            criterion("lte-ok", "METRIC", "4", comparator="LTE", threshold="0"),
            criterion("lte-over", "METRIC", "4", comparator="LTE", threshold="0"),
            criterion("no-data", "METRIC", "4", comparator="GTE", threshold="85"),
        ]
    }
    answers = {
        "gte-ok": {"metric_value": D("12")},
        "gte-short": {"metric_value": D("11")},
        "lte-ok": {"metric_value": D("0")},
        "lte-over": {"metric_value": D("1")},
        "no-data": {"metric_value": None},
    }

    total, _maximum, results = rules.evaluate_criteria(snapshot, answers)

    assert {r.code: r.met for r in results} == {
        "gte-ok": True,
        "gte-short": False,
        "lte-ok": True,
        "lte-over": False,
        "no-data": None,
    }
    assert total == D("8")


def test_evaluate_criteria_reports_hard_conditions_with_their_cap():
    snapshot = {
        "criteria": [
            criterion("full", "POINTS", "10", hard_condition=True, cap_grade="HTNV"),
            criterion("partial", "POINTS", "10", hard_condition=True),
            criterion("meetings", "METRIC", "0", threshold="12", hard_condition=True, cap_grade="HTNV"),
        ]
    }
    answers = {"full": {"points": 10}, "partial": {"points": 9}, "meetings": {"metric_value": 11}}

    _total, _maximum, results = rules.evaluate_criteria(snapshot, answers)

    assert [(r.code, r.hard_condition, r.met, r.cap_grade) for r in results] == [
        ("full", True, True, "HTNV"),
        ("partial", True, False, ""),
        ("meetings", True, False, "HTNV"),
    ]


#
# Organisations (B11, B13, B14)
#


def suggest(**overrides) -> rules.Suggestion:
    """An organisation that would be HTXSNV: 95/100, every task done, 40% exceeded, nothing late, no discipline."""
    arguments = {
        "params": params(),
        "score": D("95"),
        "max_score": D("100"),
        "criteria_results": [],
        "founded_on": datetime.date(2010, 1, 1),
        "year": 2025,
        "tasks_done_pct": D("100"),
        "tasks_exceeded_pct": D("40"),
        "tasks_late_pct": D("0"),
        "leadership_disciplined": False,
        "units_disciplined_pct": D("0"),
    }
    arguments.update(overrides)
    return rules.suggest_org_grade(**arguments)


def failed_hard_condition(code="3.1", cap="HTNV") -> rules.CriterionResult:
    return rules.CriterionResult(
        code=code,
        text="Twelve regular meetings",
        met=False,
        points=D(0),
        max_points=D(0),
        hard_condition=True,
        cap_grade=cap,
    )


def test_org_with_everything_done_is_suggested_excellent():
    suggestion = suggest()

    assert suggestion.grade == G.EXCELLENT
    assert suggestion.not_classified == ""
    assert len(suggestion.reasons) == 1  # the score step
    assert "95" in suggestion.reasons[0]


def test_org_founded_less_than_six_months_before_year_end_is_not_classified():
    suggestion = suggest(founded_on=datetime.date(2025, 8, 1))

    assert suggestion.grade is None
    assert suggestion.not_classified == NotClassified.NEW_ORGANISATION
    assert len(suggestion.reasons) == 1
    assert "01/08/2025" in suggestion.reasons[0]
    assert "6" in suggestion.reasons[0]


def test_org_founded_six_months_before_year_end_is_classified():
    assert suggest(founded_on=datetime.date(2025, 6, 1)).grade == G.EXCELLENT
    assert suggest(founded_on=datetime.date(2025, 6, 30)).grade == G.EXCELLENT


@pytest.mark.parametrize(
    "founded_on", [datetime.date(2025, 7, 1), datetime.date(2025, 7, 2), datetime.date(2025, 7, 4)]
)
def test_org_founded_in_july_is_not_classified_like_a_member_admitted_then(founded_on):
    # Six calendar months, as for members (suggest_member_cap): founded on 2 July is 5 months 29 days before the
    # end of the year. Counting 30-day months (180 days) classifies organisations founded 1–4 July.
    assert cap(admitted_on=founded_on).not_classified == NotClassified.NEW_MEMBER

    suggestion = suggest(founded_on=founded_on)

    assert suggestion.grade is None
    assert suggestion.not_classified == NotClassified.NEW_ORGANISATION


def test_org_minimum_age_comes_from_the_parameters():
    suggestion = suggest(founded_on=datetime.date(2025, 8, 1), params=params(org_min_months_for_classification=3))
    assert suggestion.grade == G.EXCELLENT

    suggestion = suggest(founded_on=datetime.date(2025, 3, 1), params=params(org_min_months_for_classification=12))
    assert suggestion.grade is None
    assert suggestion.not_classified == NotClassified.NEW_ORGANISATION
    assert "12" in suggestion.reasons[0]


def test_org_without_a_score_has_no_suggestion_yet():
    suggestion = suggest(score=None)

    assert suggestion.grade is None
    assert suggestion.not_classified == ""
    assert len(suggestion.reasons) == 1


def test_org_score_is_scaled_to_100_when_the_set_has_another_maximum():
    # 45 of 50 is 90/100.
    assert suggest(score=D("45"), max_score=D("50")).grade == G.EXCELLENT
    assert suggest(score=D("44"), max_score=D("50")).grade == G.GOOD


def test_org_failed_hard_condition_caps_the_grade_with_its_reason():
    suggestion = suggest(criteria_results=[failed_hard_condition(cap="HTNV")])

    assert suggestion.grade == G.FULFILLED
    assert len(suggestion.reasons) == 2
    assert "3.1" in suggestion.reasons[1]


def test_org_failed_hard_condition_without_cap_caps_at_fulfilled():
    suggestion = suggest(criteria_results=[failed_hard_condition(cap="")])

    assert suggestion.grade == G.FULFILLED


def test_org_failed_hard_condition_never_raises_a_lower_grade():
    suggestion = suggest(score=D("40"), criteria_results=[failed_hard_condition(cap="HTNV")])

    assert suggestion.grade == G.NOT_FULFILLED
    assert len(suggestion.reasons) == 1  # the cap is not a reason when the score is already lower


@pytest.mark.parametrize(
    ("exceeded", "expected"),
    [(D("40"), G.EXCELLENT), (D("30"), G.EXCELLENT), (D("29.9"), G.GOOD), (None, G.GOOD)],
)
def test_org_excellent_needs_tasks_exceeded_at_the_threshold(exceeded, expected):
    suggestion = suggest(tasks_exceeded_pct=exceeded)

    assert suggestion.grade == expected
    if expected == G.GOOD:
        assert len(suggestion.reasons) == 2
        assert "30" in suggestion.reasons[1]


def test_org_tasks_exceeded_threshold_comes_from_the_parameters():
    assert suggest(tasks_exceeded_pct=D("25"), params=params(htxs_min_tasks_exceeded_pct=20)).grade == G.EXCELLENT
    assert suggest(tasks_exceeded_pct=D("35"), params=params(htxs_min_tasks_exceeded_pct=50)).grade == G.GOOD


@pytest.mark.parametrize("score", [D("95"), D("80")])
def test_org_with_unfinished_tasks_gets_at_most_fulfilled(score):
    suggestion = suggest(score=score, tasks_done_pct=D("99"))

    assert suggestion.grade == G.FULFILLED
    assert len(suggestion.reasons) == 2


def test_org_fulfilled_with_more_than_20_pct_late_is_not_fulfilled():
    assert suggest(score=D("60"), tasks_late_pct=D("20")).grade == G.FULFILLED

    suggestion = suggest(score=D("60"), tasks_late_pct=D("20.1"))
    assert suggestion.grade == G.NOT_FULFILLED
    assert "20" in suggestion.reasons[-1]


def test_org_late_tasks_limit_comes_from_the_parameters():
    assert suggest(score=D("60"), tasks_late_pct=D("25"), params=params(htnv_max_tasks_late_pct=30)).grade == (
        G.FULFILLED
    )


def test_org_unfinished_and_late_tasks_fall_step_by_step_to_not_fulfilled():
    suggestion = suggest(score=D("95"), tasks_done_pct=D("90"), tasks_late_pct=D("25"))

    assert suggestion.grade == G.NOT_FULFILLED
    # score → HTXSNV, unfinished tasks → HTNV, late tasks → KHTNV
    assert len(suggestion.reasons) == 3


def test_org_with_disciplined_leadership_is_not_fulfilled():
    suggestion = suggest(leadership_disciplined=True)

    assert suggestion.grade == G.NOT_FULFILLED
    assert len(suggestion.reasons) == 2


def test_org_with_more_than_20_pct_units_disciplined_is_not_fulfilled():
    suggestion = suggest(units_disciplined_pct=D("21"))

    assert suggestion.grade == G.NOT_FULFILLED
    assert "20" in suggestion.reasons[-1]


def test_org_units_disciplined_limit_comes_from_the_parameters():
    assert suggest(units_disciplined_pct=D("21"), params=params(khtnv_disciplined_units_pct=25)).grade == G.GOOD


@pytest.mark.parametrize("pct", [D("5"), D("20")])
def test_org_with_any_unit_disciplined_cannot_be_excellent(pct):
    suggestion = suggest(units_disciplined_pct=pct)

    assert suggestion.grade == G.GOOD
    assert len(suggestion.reasons) == 2


def test_org_with_a_disciplined_unit_keeps_a_good_grade():
    # The sub-unit rule only blocks HTXSNV; an HTTNV score stays HTTNV.
    assert suggest(score=D("80"), units_disciplined_pct=D("10")).grade == G.GOOD


def test_org_reasons_explain_every_step():
    suggestion = suggest(
        score=D("95"),
        criteria_results=[failed_hard_condition(code="3.2", cap="HTTNV")],
        tasks_done_pct=D("95"),
        tasks_late_pct=D("25"),
        leadership_disciplined=True,
        units_disciplined_pct=D("30"),
    )

    assert suggestion.grade == G.NOT_FULFILLED
    # score, hard condition, unfinished tasks, late tasks, leadership, sub-units
    assert len(suggestion.reasons) == 6
    assert "3.2" in suggestion.reasons[1]
    assert all(isinstance(reason, str) and reason for reason in suggestion.as_json())


#
# Members (B13–B16)
#


def cap(**overrides) -> rules.Suggestion:
    arguments = {
        "params": params(),
        "year": 2025,
        "status": Member.Status.FULL,
        "admitted_on": datetime.date(2010, 5, 19),
        "disciplined": False,
        "sick_leave_months": D("0"),
        "is_civil_servant": False,
        "civil_servant_grade": "",
    }
    arguments.update(overrides)
    return rules.suggest_member_cap(**arguments)


def test_member_without_limits_may_be_excellent():
    suggestion = cap()

    assert suggestion.grade == G.EXCELLENT
    assert suggestion.reasons == []


@pytest.mark.parametrize(
    ("status", "reason"),
    [(Member.Status.EXEMPT, NotClassified.EXEMPT), (Member.Status.SUSPENDED, NotClassified.SUSPENDED)],
)
def test_member_exempt_or_suspended_is_not_classified(status, reason):
    suggestion = cap(status=status)

    assert suggestion.grade is None
    assert suggestion.not_classified == reason
    assert suggestion.reasons


def test_member_admitted_less_than_six_months_before_year_end_is_not_classified():
    suggestion = cap(status=Member.Status.PROBATIONARY, admitted_on=datetime.date(2025, 7, 1))

    assert suggestion.grade is None
    assert suggestion.not_classified == NotClassified.NEW_MEMBER
    assert "01/07/2025" in suggestion.reasons[0]


def test_member_admitted_six_months_before_year_end_is_classified():
    # A probationary member admitted six months before the end of the year is classified.
    assert cap(status=Member.Status.PROBATIONARY, admitted_on=datetime.date(2025, 6, 30)).grade == G.EXCELLENT


def test_member_admitted_after_the_year_is_not_classified():
    assert cap(admitted_on=datetime.date(2026, 1, 5)).not_classified == NotClassified.NEW_MEMBER


def test_member_minimum_membership_comes_from_the_parameters():
    assert cap(admitted_on=datetime.date(2025, 7, 1), params=params(new_member_min_months=3)).grade == G.EXCELLENT
    assert cap(admitted_on=datetime.date(2025, 3, 1), params=params(new_member_min_months=12)).grade is None


def test_member_disciplined_is_capped_at_not_fulfilled():
    suggestion = cap(disciplined=True)

    assert suggestion.grade == G.NOT_FULFILLED
    assert len(suggestion.reasons) == 1


@pytest.mark.parametrize(
    ("months", "expected"), [(D("3"), G.FULFILLED), (D("4.5"), G.FULFILLED), (D("2.9"), G.EXCELLENT)]
)
def test_member_on_sick_leave_three_months_is_capped_at_fulfilled(months, expected):
    assert cap(sick_leave_months=months).grade == expected


def test_member_sick_leave_limit_comes_from_the_parameters():
    assert cap(sick_leave_months=D("3"), params=params(sick_leave_cap_months=4)).grade == G.EXCELLENT


@pytest.mark.parametrize(
    ("civil_servant_grade", "expected"),
    [
        (G.EXCELLENT, G.EXCELLENT),
        (G.GOOD, G.GOOD),
        (G.FULFILLED, G.GOOD),
        (G.NOT_FULFILLED, G.NOT_FULFILLED),
    ],
)
def test_member_civil_servant_grade_caps_the_party_grade(civil_servant_grade, expected):
    assert cap(is_civil_servant=True, civil_servant_grade=civil_servant_grade).grade == expected


def test_member_civil_servant_grade_is_ignored_for_others():
    assert cap(is_civil_servant=False, civil_servant_grade=G.NOT_FULFILLED).grade == G.EXCELLENT


def test_member_caps_combine_to_the_lowest_with_every_reason():
    suggestion = cap(disciplined=True, sick_leave_months=D("3"), is_civil_servant=True, civil_servant_grade=G.GOOD)

    assert suggestion.grade == G.NOT_FULFILLED
    assert len(suggestion.reasons) == 3


#
# B12: quota
#


@pytest.mark.parametrize(
    ("good_count", "extra", "expected"),
    [(10, 0, 2), (4, 0, 0), (5, 0, 1), (9, 0, 1), (0, 0, 0), (4, 1, 1), (10, 2, 4)],
)
def test_member_quota_is_20_pct_of_good_rounded_down_plus_extra_places(good_count, extra, expected):
    assert rules.member_quota(params=params(), good_count=good_count, extra_places=extra) == expected


def test_member_quota_share_comes_from_the_parameters():
    assert rules.member_quota(params=params(htxs_quota_pct_of_htt=30), good_count=10) == 3


#
# B21: model cells
#


@pytest.mark.parametrize(
    ("ratings", "eligible", "reasons"),
    [
        ({2020: G.EXCELLENT, 2021: G.GOOD}, True, 0),
        ({2020: G.EXCELLENT, 2021: G.EXCELLENT}, True, 0),
        ({2020: G.GOOD, 2021: G.GOOD}, False, 1),  # no HTXSNV year
        ({2020: G.EXCELLENT, 2021: G.FULFILLED}, False, 1),  # a year below HTTNV
        ({2020: G.NOT_FULFILLED, 2021: G.EXCELLENT}, False, 1),
        ({2020: G.EXCELLENT}, False, 1),  # 2021 missing
        ({}, False, 2),
    ],
)
def test_model_cell_eligibility_follows_the_seed_rule(ratings, eligible, reasons):
    ok, why = rules.model_cell_eligibility(ratings, [2020, 2021])

    assert ok is eligible
    assert len(why) == reasons


def test_model_cell_eligibility_ignores_years_outside_the_reference_years():
    ok, _why = rules.model_cell_eligibility({2019: G.NOT_FULFILLED, 2020: G.EXCELLENT, 2021: G.GOOD}, [2020, 2021])

    assert ok is True
