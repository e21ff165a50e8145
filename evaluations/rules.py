"""The grading rules (B10–B17, B21), as pure functions of the data and the parameters in force.

Nothing here reads a threshold from code: every number comes from a parameters mapping (a RuleParameterSet's
values merged over its DEFAULTS, or the snapshot stored with a decided result).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from cells import formats
from criteria.models import RuleParameterSet
from evaluations.models import GRADE_ORDER, Grade, NotClassified, grade_rank
from members.models import Discipline, Member
from members.services import _add_months


def parameters_snapshot(parameter_set) -> dict:
    """All parameter values of a set (defaults filled in), as stored with each decided result."""
    values = dict(RuleParameterSet.DEFAULTS)
    values.update(parameter_set.values or {})
    values["_name"] = parameter_set.name
    values["_basis"] = [doc.number for doc in parameter_set.basis.all()]
    return values


def _cap(current: str | None, cap: str) -> str:
    if current is None:
        return cap
    return GRADE_ORDER[max(grade_rank(current), grade_rank(cap))]


def grade_for_score(score: Decimal, thresholds: dict) -> str:
    """B11: ≥ 90 → HTXSNV, 70–<90 → HTTNV, 50–<70 → HTNV, < 50 → KHTNV (thresholds from the parameters)."""
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED):
        if score >= Decimal(str(thresholds[grade])):
            return grade
    return Grade.NOT_FULFILLED


@dataclass
class Suggestion:
    grade: str | None  # None when not classified
    not_classified: str = ""
    reasons: list[str] = field(default_factory=list)
    # The discipline cap (B13) alone: the best grade discipline allows, which only the deciding body may override
    # with a written justification (D5); HTXSNV when discipline limits nothing.
    discipline_cap: str = Grade.EXCELLENT
    discipline_reasons: list[str] = field(default_factory=list)

    def as_json(self) -> list[str]:
        return [str(reason) for reason in self.reasons]


#
# Collectives (party organisations)
#


@dataclass
class CriterionResult:
    code: str
    text: str
    met: bool | None
    points: Decimal
    max_points: Decimal
    hard_condition: bool
    cap_grade: str
    metric: str = ""


def evaluate_criteria(snapshot: dict, answers: dict[str, dict]) -> tuple[Decimal, Decimal, list[CriterionResult]]:
    """Score a criteria-set snapshot against answers {code: {points, met, metric_value}}.

    POINTS criteria give their points (0..max); CHECK criteria give max when met; METRIC criteria compare the
    computed value with the threshold and give max when the comparison holds.
    """
    total, maximum, results = Decimal(0), Decimal(0), []
    for criterion in snapshot.get("criteria", []):
        answer = answers.get(criterion["code"], {})
        max_points = Decimal(str(criterion.get("max_points") or 0))
        kind = criterion["kind"]
        met: bool | None
        if kind == "POINTS":
            points = Decimal(str(answer.get("points") or 0))
            points = max(Decimal(0), min(points, max_points))
            met = points >= max_points if criterion.get("hard_condition") else None
        elif kind == "CHECK":
            met = answer.get("met")
            points = max_points if met else Decimal(0)
        else:
            value = answer.get("metric_value")
            threshold = criterion.get("threshold")
            if value is None or threshold is None:
                met = None
            elif criterion.get("comparator", "GTE") == "LTE":
                met = Decimal(str(value)) <= Decimal(str(threshold))
            else:
                met = Decimal(str(value)) >= Decimal(str(threshold))
            points = max_points if met else Decimal(0)
        total += points
        maximum += max_points
        results.append(
            CriterionResult(
                code=criterion["code"],
                text=criterion["text"],
                met=met,
                points=points,
                max_points=max_points,
                hard_condition=bool(criterion.get("hard_condition")),
                cap_grade=criterion.get("cap_grade") or "",
                metric=criterion.get("metric") or "" if kind == "METRIC" else "",
            )
        )
    return total, maximum, results


def suggest_org_grade(
    *,
    params: dict,
    score: Decimal | None,
    max_score: Decimal | None,
    criteria_results: list[CriterionResult],
    founded_on: datetime.date | None,
    year: int,
    tasks_done_pct: Decimal | None,
    tasks_exceeded_pct: Decimal | None,
    tasks_late_pct: Decimal | None,
    leadership_disciplined: bool,
    units_disciplined_pct: Decimal,
    leadership_discipline_form: str = "",
) -> Suggestion:
    """The grade the system suggests for a party organisation, with every reason (B11, B13, B14)."""
    end_of_year = datetime.date(year, 12, 31)
    months = params["org_min_months_for_classification"]
    if founded_on and _add_months(founded_on, months) > end_of_year:
        return Suggestion(
            grade=None,
            not_classified=NotClassified.NEW_ORGANISATION,
            reasons=[
                _("Founded on %(date)s, less than %(months)s months before the end of the year: not classified.")
                % {"date": formats.date_vn(founded_on), "months": months}
            ],
        )
    reasons: list[str] = []
    if score is None:
        return Suggestion(grade=None, reasons=[_("The criteria have not been assessed yet.")])
    # Scale to 100 when the set's maximum is not 100 (e.g. a checklist).
    scaled = score if not max_score or max_score == 100 else (score * 100 / max_score).quantize(Decimal("0.1"))
    grade = grade_for_score(scaled, params["score_thresholds"])
    reasons.append(
        _("Score %(score)s/100 → %(grade)s.") % {"score": formats.points(scaled), "grade": Grade(grade).label}
    )
    for result in criteria_results:
        if result.hard_condition and result.met is False:
            cap = result.cap_grade or Grade.FULFILLED
            if grade_rank(cap) > grade_rank(grade):
                grade = cap
                reasons.append(
                    _("Hard condition %(code)s not met (%(text)s): at most %(grade)s.")
                    % {"code": result.code, "text": result.text[:80], "grade": Grade(cap).label}
                )
    # Extra conditions on task results (QĐ 366 Điều 11).
    if grade == Grade.EXCELLENT:
        exceeded = params["htxs_min_tasks_exceeded_pct"]
        if tasks_done_pct is not None and tasks_done_pct < 100:
            pass  # handled below with HTTNV, which needs every task completed too
        elif tasks_exceeded_pct is None or tasks_exceeded_pct < exceeded:
            grade = Grade.GOOD
            reasons.append(
                _("Fewer than %(pct)s%% of tasks exceeded their targets: at most %(grade)s.")
                % {"pct": formats.num(exceeded), "grade": Grade.GOOD.label}
            )
    if grade in (Grade.EXCELLENT, Grade.GOOD) and tasks_done_pct is not None and tasks_done_pct < 100:
        grade = Grade.FULFILLED
        reasons.append(_("Not every task was completed: at most %(grade)s.") % {"grade": Grade.FULFILLED.label})
    if grade == Grade.FULFILLED and tasks_late_pct is not None and tasks_late_pct > params["htnv_max_tasks_late_pct"]:
        grade = Grade.NOT_FULFILLED
        reasons.append(
            _("More than %(pct)s%% of tasks were late: %(grade)s.")
            % {"pct": formats.num(params["htnv_max_tasks_late_pct"]), "grade": Grade.NOT_FULFILLED.label}
        )
    # Discipline (B13, D5): a cap of its own, so that the decision step knows what only the deciding body may lift.
    cap, cap_reasons = discipline_cap_for_org(
        params=params,
        leadership_disciplined=leadership_disciplined,
        leadership_discipline_form=leadership_discipline_form,
        units_disciplined_pct=units_disciplined_pct,
    )
    if grade_rank(cap) > grade_rank(grade):
        grade = cap
    reasons.extend(cap_reasons)
    cap = discipline_criteria_cap(criteria_results, cap)
    return Suggestion(grade=grade, reasons=reasons, discipline_cap=cap, discipline_reasons=cap_reasons)


# The METRIC criteria whose figure is discipline: a hard condition on one of them is a discipline cap (D5).
DISCIPLINE_METRICS = ("members_disciplined",)


def discipline_criteria_cap(criteria_results: list[CriterionResult], cap: str) -> str:
    """`cap` lowered by the failed hard conditions of the criteria that read discipline ("no member disciplined")."""
    for result in criteria_results:
        if result.metric in DISCIPLINE_METRICS and result.hard_condition and result.met is False:
            cap = _cap(cap, result.cap_grade or Grade.FULFILLED)
    return cap


def discipline_cap_for_org(
    *, params: dict, leadership_disciplined: bool, leadership_discipline_form: str, units_disciplined_pct
) -> tuple[str, list[str]]:
    """B13 for a collective, from the discipline facts of its year (D5):
    - a member of its leading collective disciplined at `leadership_discipline_khtnv_min_form` or heavier, or more
      than `khtnv_disciplined_units_pct`% of its subordinate units with a disciplined member → KHTNV (HD 21, QĐ 124);
    - otherwise any leadership member or subordinate unit disciplined → at most HTTNV (QĐ 366 Điều 11: HTXSNV needs
      none).
    A leadership discipline of unknown form counts as the heavier case."""
    cap, reasons = Grade.EXCELLENT, []
    units_pct = Decimal(str(units_disciplined_pct or 0))
    limit = params.get("khtnv_disciplined_units_pct", RuleParameterSet.DEFAULTS["khtnv_disciplined_units_pct"])
    if leadership_disciplined:
        min_form = params.get(
            "leadership_discipline_khtnv_min_form", RuleParameterSet.DEFAULTS["leadership_discipline_khtnv_min_form"]
        )
        heavy = not leadership_discipline_form or Discipline.form_rank(leadership_discipline_form) >= (
            Discipline.form_rank(min_form)
        )
        if heavy:
            cap = Grade.NOT_FULFILLED
            reasons.append(
                _("A member of the leading collective was disciplined this year (%(form)s or heavier): %(grade)s.")
                % {"form": Discipline.Form(min_form).label, "grade": Grade.NOT_FULFILLED.label}
            )
        else:
            cap = _cap(cap, Grade.GOOD)
            reasons.append(
                _("A member of the leading collective was disciplined this year: at most %(grade)s.")
                % {"grade": Grade.GOOD.label}
            )
    if units_pct > limit:
        cap = Grade.NOT_FULFILLED
        reasons.append(
            _("More than %(pct)s%% of subordinate units were disciplined this year: %(grade)s.")
            % {"pct": formats.num(limit), "grade": Grade.NOT_FULFILLED.label}
        )
    elif units_pct > 0:
        cap = _cap(cap, Grade.GOOD)
        reasons.append(
            _("A subordinate unit was disciplined this year: at most %(grade)s.") % {"grade": Grade.GOOD.label}
        )
    return cap, reasons


#
# Members
#


def suggest_member_cap(
    *,
    params: dict,
    year: int,
    status: str,
    admitted_on: datetime.date | None,
    disciplined: bool,
    sick_leave_months: Decimal,
    is_civil_servant: bool,
    civil_servant_grade: str,
    maternity_leave: bool = False,
) -> Suggestion:
    """The best grade a member may get this year, or why they are not classified (B13–B16).

    B15: `sick_leave_months` is sick leave only; maternity leave is not sick leave and never brings the sick-leave
    cap: a member on maternity leave is rated on the time actually worked, which the reasons say.

    Returns grade=None with `not_classified` for members not classified; otherwise `grade` is the cap
    (HTXSNV when nothing limits it) and `reasons` explain every limit.
    """
    if status == Member.Status.EXEMPT:
        return Suggestion(grade=None, not_classified=NotClassified.EXEMPT, reasons=[_("Exempt: not evaluated.")])
    if status == Member.Status.SUSPENDED:
        return Suggestion(grade=None, not_classified=NotClassified.SUSPENDED, reasons=[_("Suspended: not evaluated.")])
    months = params["new_member_min_months"]
    end_of_year = datetime.date(year, 12, 31)
    if admitted_on and admitted_on > end_of_year:
        return Suggestion(grade=None, not_classified=NotClassified.NEW_MEMBER, reasons=[_("Admitted after the year.")])
    if admitted_on:
        if _add_months(admitted_on, months) > end_of_year:
            return Suggestion(
                grade=None,
                not_classified=NotClassified.NEW_MEMBER,
                reasons=[
                    _(
                        "Admitted on %(date)s, less than %(months)s months before the end of the year: reviewed but not classified."
                    )
                    % {"date": formats.date_vn(admitted_on), "months": months}
                ],
            )
    cap, reasons = Grade.EXCELLENT, []
    discipline_cap, discipline_reasons = Grade.EXCELLENT, []
    if disciplined:
        cap = discipline_cap = _cap(cap, Grade.NOT_FULFILLED)
        discipline_reasons.append(_("Disciplined this year: %(grade)s.") % {"grade": Grade.NOT_FULFILLED.label})
        reasons.extend(discipline_reasons)
    if sick_leave_months and Decimal(str(sick_leave_months)) >= params["sick_leave_cap_months"]:
        cap = _cap(cap, Grade.FULFILLED)
        reasons.append(
            _("Sick leave of %(months)s months or more: at most %(grade)s.")
            % {"months": params["sick_leave_cap_months"], "grade": Grade.FULFILLED.label}
        )
    if maternity_leave:
        reasons.append(
            _(
                "Maternity leave: rated on the time actually worked this year; maternity leave is not sick leave and "
                "does not count towards the sick-leave limit."
            )
        )
    if is_civil_servant and civil_servant_grade:
        if civil_servant_grade == Grade.NOT_FULFILLED:
            cap = _cap(cap, Grade.NOT_FULFILLED)
            reasons.append(
                _("Did not fulfil duties as a civil servant: %(grade)s.") % {"grade": Grade.NOT_FULFILLED.label}
            )
        elif civil_servant_grade != Grade.EXCELLENT:
            cap = _cap(cap, Grade.GOOD)
            reasons.append(
                _("Not rated %(excellent)s as a civil servant: at most %(grade)s.")
                % {"excellent": Grade.EXCELLENT.label, "grade": Grade.GOOD.label}
            )
    return Suggestion(grade=cap, reasons=reasons, discipline_cap=discipline_cap, discipline_reasons=discipline_reasons)


def member_quota(*, params: dict, good_count: int, extra_places: int = 0) -> int:
    """B12: HTXSNV places allowed = quota% × number rated HTTNV (rounded down), plus any granted exception."""
    return int(Decimal(good_count) * Decimal(str(params["htxs_quota_pct_of_htt"])) / 100) + extra_places


#
# Model cells (B21)
#


def model_cell_eligibility(ratings: dict[int, str | None], reference_years: list[int]) -> tuple[bool, list[str]]:
    """Seed rule: HTTNV or better in every reference year and HTXSNV in at least one."""
    reasons = []
    ok = True
    for year in reference_years:
        grade = ratings.get(year)
        if not grade:
            ok = False
            reasons.append(_("No rating recorded for %(year)s.") % {"year": year})
        elif grade_rank(grade) > grade_rank(Grade.GOOD):
            ok = False
            reasons.append(
                _("%(year)s: %(grade)s, below %(good)s.")
                % {"year": year, "grade": Grade(grade).label, "good": Grade.GOOD.label}
            )
    if ok and not any(ratings.get(year) == Grade.EXCELLENT for year in reference_years):
        ok = False
        reasons.append(_("Not rated %(excellent)s in any reference year.") % {"excellent": Grade.EXCELLENT.label})
    return ok, reasons
