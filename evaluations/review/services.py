"""The yearly review of party organisations: open a period, self-assess, appraise, decide or return, reopen.

Every write is a service in one transaction; each change of a field is written to the audit history with its
before and after values; `version` refuses a save based on a stale read (optimistic locking).
"""

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.concurrency import check_version
from cells.models import Organization
from cells.services import log_action, required_line
from cells.text import one_line
from criteria.models import CriteriaSet, RuleParameterSet
from criteria.selectors import parameters_on
from evaluations import discipline, rules
from evaluations.models import CriterionAnswer, EvaluationPeriod, Grade, OrgEvaluation
from evaluations.review import quota


def parameter_set_for_year(year: int) -> RuleParameterSet:
    parameter_set = parameters_on(datetime.date(year, 12, 31)).parameter_set
    if parameter_set is None:
        raise ValidationError(_("No rule parameter set covers %(year)s: add one first.") % {"year": year})
    return parameter_set


def criteria_set_for(organization: Organization, year: int) -> CriteriaSet | None:
    """The classification criteria set that applies to this organisation in this year (latest version)."""
    candidates = CriteriaSet.objects.filter(
        programme=CriteriaSet.Programme.CLASSIFICATION, year_from__lte=year
    ).order_by("-year_from", "-version")
    for criteria_set in candidates:
        if criteria_set.applies_to(organization, year):
            return criteria_set
    return None


def criteria_snapshot(criteria_set: CriteriaSet | None) -> dict:
    """A frozen copy of a set: what an evaluation was assessed against, whatever happens to the set later."""
    if criteria_set is None:
        return {}
    groups = {g.pk: g for g in criteria_set.groups.all()}
    return {
        "id": criteria_set.pk,
        "name": criteria_set.name,
        "version": criteria_set.version,
        "scoring_mode": criteria_set.scoring_mode,
        "groups": [
            {"code": g.code, "title": g.title, "parent": groups[g.parent_id].code if g.parent_id else ""}
            for g in groups.values()
        ],
        "criteria": [
            {
                "code": c.code,
                "group": groups[c.group_id].code if c.group_id else "",
                "text": c.text,
                "kind": c.kind,
                "max_points": str(c.max_points),
                "metric": c.metric,
                "comparator": c.comparator,
                "threshold": str(c.threshold) if c.threshold is not None else None,
                "hard_condition": c.hard_condition,
                "cap_grade": c.cap_grade,
            }
            for c in criteria_set.criteria.all().order_by("order", "code")
        ],
    }


def _check_dates(*, year: int, self_assessment_due, appraisal_due, decision_due) -> None:
    today = timezone.localdate()
    if year > today.year:
        raise ValidationError({"year": _("A review cannot be opened for a year that has not begun.")})
    if year < 2000:
        raise ValidationError({"year": _("Check the year.")})
    if not (self_assessment_due <= appraisal_due <= decision_due):
        raise ValidationError(
            {"decision_due": _("The deadlines must follow the steps: self-assessment, then appraisal, then decision.")}
        )


@transaction.atomic
def period_open(
    *,
    root: Organization,
    year: int,
    self_assessment_due: datetime.date,
    appraisal_due: datetime.date,
    decision_due: datetime.date,
    opened_by,
) -> EvaluationPeriod:
    """Open the yearly review for a subtree: one evaluation per active party organisation below the root (all
    grassroots organisations, their subordinate cells and sub-committees), each with its criteria set frozen."""
    _check_dates(
        year=year, self_assessment_due=self_assessment_due, appraisal_due=appraisal_due, decision_due=decision_due
    )
    if (
        EvaluationPeriod.objects.filter(year=year, root__path__startswith=root.path).exists()
        or EvaluationPeriod.objects.filter(
            year=year, root__in=Organization.objects.filter(pk__in=root.ancestor_ids())
        ).exists()
    ):
        raise ValidationError(
            _("An evaluation for %(year)s is already open for this part of the tree.") % {"year": year}
        )
    parameter_set = parameter_set_for_year(year)
    period = EvaluationPeriod.objects.create(
        year=year,
        root=root,
        parameter_set=parameter_set,
        self_assessment_due=self_assessment_due,
        appraisal_due=appraisal_due,
        decision_due=decision_due,
        opened_by=opened_by,
    )
    end = datetime.date(year, 12, 31)
    organizations = (
        Organization.objects.filter(path__startswith=root.path)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=end))
        .exclude(kind=Organization.Kind.UPPER)
        .filter(models_founded_before(end))
    )
    # Freeze the candidate sets first (locked), so that no edit can slip in between the snapshot and the freeze.
    list(
        CriteriaSet.objects.select_for_update().filter(
            programme=CriteriaSet.Programme.CLASSIFICATION, year_from__lte=year
        )
    )
    sets: dict[tuple, CriteriaSet | None] = {}
    snapshots: dict[int | None, dict] = {}
    rows = []
    for organization in organizations:
        key = (organization.kind, organization.unit_type)
        if key not in sets:
            sets[key] = criteria_set_for(organization, year)
        criteria_set = sets[key]
        set_id = criteria_set.pk if criteria_set else None
        if set_id not in snapshots:
            snapshots[set_id] = criteria_snapshot(criteria_set)
        rows.append(
            OrgEvaluation(
                period=period, organization=organization, criteria_set=criteria_set, criteria_snapshot=snapshots[set_id]
            )
        )
    OrgEvaluation.objects.bulk_create(rows, batch_size=1000)
    used = [s.pk for s in sets.values() if s is not None]
    CriteriaSet.objects.filter(pk__in=used, frozen_at__isnull=True).update(frozen_at=timezone.now())
    log_action(
        actor=opened_by,
        action="evaluations.period.opened",
        organization=root,
        target=period,
        message=_("Yearly review %(year)s opened for %(count)s organisations") % {"year": year, "count": len(rows)},
    )
    return period


def models_founded_before(day: datetime.date):
    return Q(founded_on__isnull=True) | Q(founded_on__lte=day)


#
# One organisation's evaluation
#

TRACKED_FIELDS = (
    "status",
    "self_score",
    "self_grade",
    "self_comment",
    "tasks_done_pct",
    "tasks_exceeded_pct",
    "tasks_late_pct",
    "leadership_disciplined",
    "units_disciplined_pct",
    "appraisal_grade",
    "appraisal_comment",
    "suggested_grade",
    "final_grade",
    "not_classified",
    "justification",
    "decision_no",
    "decision_date",
    "return_reason",
    "cap_override_grade",
    "cap_override_justification",
)


def _as_text(value) -> str:
    # Decimals are compared at the one decimal place they are stored with: 100 and 100.0 are no change.
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.1")))
    return str(value)


def _snapshot(evaluation: OrgEvaluation) -> dict:
    return {field: _as_text(getattr(evaluation, field)) for field in TRACKED_FIELDS}


def _lock(evaluation: OrgEvaluation, version) -> OrgEvaluation:
    locked = OrgEvaluation.objects.select_for_update().select_related("period", "organization").get(pk=evaluation.pk)
    check_version(locked, version)  # a missing or malformed version is refused like a stale one
    if locked.period.is_locked:
        raise ValidationError(_("The review of %(year)s is locked.") % {"year": locked.period.year})
    return locked


def _save(evaluation: OrgEvaluation, before: dict, *, actor, action: str, message: str = "") -> OrgEvaluation:
    after = _snapshot(evaluation)
    changes = {field: [before[field], after[field]] for field in TRACKED_FIELDS if before[field] != after[field]}
    evaluation.version += 1
    evaluation.save()
    log_action(
        actor=actor,
        action=action,
        organization=evaluation.organization,
        target=evaluation,
        message=message or str(evaluation),
        data={"changes": changes},
    )
    return evaluation


def _answers_map(evaluation: OrgEvaluation) -> dict[str, dict]:
    return {
        a.code: {"points": a.points, "met": a.met, "metric_value": a.metric_value, "evidence": a.evidence}
        for a in evaluation.answers.all()
    }


def refresh_suggestion(evaluation: OrgEvaluation) -> rules.Suggestion:
    """Recompute the suggested grade and its reasons from the snapshot, the answers, the parameters and the
    discipline facts as they are now (D5: read again at every step)."""
    return apply_suggestion(
        evaluation,
        _answers_map(evaluation),
        params=rules.parameters_snapshot(evaluation.period.parameter_set),
        year=evaluation.period.year,
    )


def apply_suggestion(
    evaluation: OrgEvaluation, answers: dict[str, dict], *, params: dict, year: int, figures=None
) -> rules.Suggestion:
    """Set the suggested grade and its reasons (and, with criteria, the self score) on `evaluation` from these
    answers and parameters, unsaved, and return the suggestion. The demo calls it with answers it holds in memory.

    The discipline figures (D5) are read from the members' records (or given as `figures`, read in bulk): they
    replace the stored discipline flags and the "members disciplined" answers, whatever was entered before."""
    if figures is None:
        figures = discipline.figures_for([evaluation], year)[evaluation.organization_id]
    answers = discipline.apply_figures(evaluation, answers, figures)
    score, maximum, results = rules.evaluate_criteria(evaluation.criteria_snapshot, answers)
    has_criteria = bool(evaluation.criteria_snapshot.get("criteria"))
    suggestion = rules.suggest_org_grade(
        params=params,
        score=score if has_criteria else evaluation.self_score,
        max_score=maximum if has_criteria else Decimal(100),
        criteria_results=results,
        founded_on=evaluation.organization.founded_on,
        year=year,
        tasks_done_pct=evaluation.tasks_done_pct,
        tasks_exceeded_pct=evaluation.tasks_exceeded_pct,
        tasks_late_pct=evaluation.tasks_late_pct,
        leadership_disciplined=evaluation.leadership_disciplined,
        units_disciplined_pct=evaluation.units_disciplined_pct or Decimal(0),
        leadership_discipline_form=figures.leadership_worst_form,
    )
    if has_criteria:
        evaluation.self_score = score
    evaluation.suggested_grade = suggestion.grade or ""
    evaluation.not_classified = suggestion.not_classified
    evaluation.suggestion_reasons = suggestion.as_json()
    return suggestion


def _validate_answers(evaluation: OrgEvaluation, answers: dict[str, dict]) -> dict[str, dict]:
    known = {c["code"]: c for c in evaluation.criteria_snapshot.get("criteria", [])}
    unknown = set(answers) - set(known)
    if unknown:
        raise ValidationError(_("Some answers do not belong to this criteria set."))
    for code, answer in answers.items():
        criterion = known[code]
        if criterion["kind"] == "POINTS" and answer.get("points") is not None:
            points = Decimal(str(answer["points"]))
            if points < 0 or points > Decimal(criterion["max_points"]):
                raise ValidationError(
                    _("%(code)s: give between 0 and %(max)s points.") % {"code": code, "max": criterion["max_points"]}
                )
    return answers


def _pct(value, field: str):
    if value is None or value == "":
        return None
    value = Decimal(str(value))
    if value < 0 or value > 100:
        raise ValidationError({field: _("Enter a percentage between 0 and 100.")})
    return value


def self_assess(
    *,
    evaluation: OrgEvaluation,
    answers: dict[str, dict],
    data: dict,
    version,
    submit: bool,
    assessed_by,
) -> OrgEvaluation:
    """Step 1: the cell or grassroots committee assesses itself. Saving keeps a draft; `submit` moves it on."""
    with transaction.atomic():
        evaluation = _lock(evaluation, version)
        if evaluation.status not in (
            OrgEvaluation.Status.NOT_STARTED,
            OrgEvaluation.Status.SELF_ASSESSED,
            OrgEvaluation.Status.RETURNED,
        ):
            raise ValidationError(_("The self-assessment can no longer be changed at this step."))
        before = _snapshot(evaluation)
        answers = _validate_answers(evaluation, answers)
        existing = {a.code: a for a in evaluation.answers.all()}
        for code, answer in answers.items():
            row = existing.get(code) or CriterionAnswer(evaluation=evaluation, code=code)
            for key in ("points", "met", "metric_value"):
                if key in answer:
                    setattr(row, key, answer[key])
            if "evidence" in answer:
                row.evidence = (answer["evidence"] or "")[:10000]
            if "evidence_file" in answer and answer["evidence_file"]:
                row.evidence_file = answer["evidence_file"]
            row.save()
        # The discipline figures (leadership_disciplined, units_disciplined_pct) are computed from the members'
        # records (D5), never typed: refresh_suggestion() below sets them.
        for field in ("tasks_done_pct", "tasks_exceeded_pct", "tasks_late_pct"):
            if field in data:
                setattr(evaluation, field, _pct(data[field], field) if data[field] is not None else None)
        for field in ("self_comment",):
            if field in data:
                setattr(evaluation, field, data[field])
        if "self_score" in data and not evaluation.criteria_snapshot.get("criteria"):
            score = data["self_score"]
            if score is not None and (Decimal(score) < 0 or Decimal(score) > 100):
                raise ValidationError({"self_score": _("Enter a score between 0 and 100.")})
            evaluation.self_score = score
        if "self_grade" in data:
            if data["self_grade"] and data["self_grade"] not in Grade.values:
                raise ValidationError({"self_grade": _("Choose one of the four grades.")})
            evaluation.self_grade = data["self_grade"] or ""
        refresh_suggestion(evaluation)
        if submit:
            if not evaluation.self_grade and not evaluation.not_classified:
                raise ValidationError({"self_grade": _("Choose the grade the organisation gives itself.")})
            evaluation.status = OrgEvaluation.Status.SELF_ASSESSED
        elif evaluation.status == OrgEvaluation.Status.NOT_STARTED:
            evaluation.status = OrgEvaluation.Status.NOT_STARTED
        return _save(
            evaluation,
            before,
            actor=assessed_by,
            action="evaluations.evaluation.self_assessed" if submit else "evaluations.evaluation.saved",
        )


def appraise(*, evaluation: OrgEvaluation, grade: str, comment: str, version, appraised_by) -> OrgEvaluation:
    """Step 2: the grassroots committee appraises and proposes a grade."""
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose one of the four grades.")})
    with transaction.atomic():
        evaluation = _lock(evaluation, version)
        if evaluation.status != OrgEvaluation.Status.SELF_ASSESSED:
            raise ValidationError(_("Only a submitted self-assessment can be appraised."))
        before = _snapshot(evaluation)
        evaluation.appraisal_grade = grade
        evaluation.appraisal_comment = (comment or "").strip()[:10000]
        evaluation.status = OrgEvaluation.Status.APPRAISED
        refresh_suggestion(evaluation)
        return _save(evaluation, before, actor=appraised_by, action="evaluations.evaluation.appraised")


def _decision_fields(*, year: int, decision_no: str, decision_date) -> str:
    """The deciding committee's decision on the year ("Quyết định số …, ngày …"): a number, and a date neither in
    the future nor before the year under review. Returns the number, cleaned."""
    decision_no = one_line(decision_no or "")
    errors = {}
    if not decision_no:
        errors["decision_no"] = _("Enter the number of the decision (Quyết định số …).")
    if decision_date is None:
        errors["decision_date"] = _("Enter the date of the decision.")
    elif decision_date > timezone.localdate():
        errors["decision_date"] = _("The decision cannot be dated in the future.")
    elif decision_date < datetime.date(year, 1, 1):
        errors["decision_date"] = _("A decision on the review of %(year)s cannot be dated before %(year)s.") % {
            "year": year
        }
    if errors:
        raise ValidationError(errors)
    return decision_no[:100]


def _check_decision(
    evaluation: OrgEvaluation, *, grade: str, justification: str, decision_no: str, decision_date, decided_by
) -> dict:
    """Every rule of the decision step, on `evaluation` as it is now (its suggestion refreshed, unsaved): the
    grade against the suggestion and the discipline cap (B13, D5), the decision's number and date. Returns what
    the decision will record."""
    if evaluation.status != OrgEvaluation.Status.APPRAISED:
        raise ValidationError(_("Only an appraised evaluation can be decided."))
    suggestion = refresh_suggestion(evaluation)
    justification = one_line(justification)
    overrides_cap = bool(
        grade in Grade.values
        and not evaluation.not_classified
        and rules.grade_rank(grade) < rules.grade_rank(suggestion.discipline_cap)
    )
    if overrides_cap:
        if not discipline.may_decide_org(decided_by, evaluation.organization):
            raise ValidationError(
                {
                    "grade": _(
                        "Discipline allows at most %(cap)s (rule B13): only the deciding body can record an exception."
                    )
                    % {"cap": Grade(suggestion.discipline_cap).label}
                }
            )
        justification = discipline.check_justification(
            justification, rules.parameters_snapshot(evaluation.period.parameter_set)
        )
    if evaluation.not_classified:
        if grade:
            raise ValidationError({"grade": _("This organisation is not classified this year.")})
    else:
        if grade not in Grade.values:
            raise ValidationError({"grade": _("Choose one of the four grades.")})
        if grade != evaluation.suggested_grade and not justification:
            raise ValidationError(
                {
                    "justification": _(
                        "The decision differs from the suggested grade (%(grade)s): write the justification."
                    )
                    % {"grade": Grade(evaluation.suggested_grade).label if evaluation.suggested_grade else "—"}
                }
            )
    decision_no = _decision_fields(year=evaluation.period.year, decision_no=decision_no, decision_date=decision_date)
    return {
        "grade": grade or "",
        "justification": justification,
        "decision_no": decision_no,
        "decision_date": decision_date,
        "suggestion": suggestion,
        "overrides_cap": overrides_cap,
    }


def decision_preview(
    *,
    evaluation: OrgEvaluation,
    grade: str,
    justification: str,
    decision_no: str,
    decision_date=None,
    version,
    decided_by,
) -> dict:
    """What a decision would record, checked by the same rules as `decide` and stored nowhere: the summary the
    deciding user confirms (the grade chosen against the suggestion and the appraisal, a discipline cap lifted, the
    decision's number and date, the HTXSNV quota of the unit before and after, B12/D3)."""
    fresh = OrgEvaluation.objects.select_related("period", "period__parameter_set", "organization").get(
        pk=evaluation.pk
    )
    check_version(fresh, version)
    if fresh.period.is_locked:
        raise ValidationError(_("The review of %(year)s is locked.") % {"year": fresh.period.year})
    plan = _check_decision(
        fresh,
        grade=grade,
        justification=justification,
        decision_no=decision_no,
        decision_date=decision_date,
        decided_by=decided_by,
    )
    tally = quota.org_tally_of(evaluation=fresh)
    after = None
    if tally is not None:
        excellent = tally.excellent + (plan["grade"] == Grade.EXCELLENT)
        good = tally.good + (plan["grade"] == Grade.GOOD)
        after = dataclasses.replace(
            tally,
            excellent=excellent,
            good=good,
            allowed=rules.member_quota(
                params={"htxs_quota_pct_of_htt": tally.pct}, good_count=good, extra_places=tally.extra_places
            ),
        )
    return {
        **plan,
        "evaluation": fresh,
        "suggested_grade": fresh.suggested_grade,
        "not_classified": fresh.not_classified,
        "cap": plan["suggestion"].discipline_cap,
        "quota_before": tally,
        "quota_after": after,
    }


def decide(
    *,
    evaluation: OrgEvaluation,
    grade: str,
    justification: str,
    decision_no: str,
    decision_date=None,
    version,
    decided_by,
) -> OrgEvaluation:
    """Step 3: the bloc staff decide. A grade different from the system's suggestion needs a justification; the
    decision carries the deciding committee's number and date (not in the future, not before the year).
    The decision stores the parameters in force, so that changing the set later never changes it.

    D5: a grade better than the discipline cap (B13), read from the members' records now, is an exception: only
    the deciding body records it, with a real written justification, and it is kept with who and when."""
    with transaction.atomic():
        evaluation = _lock(evaluation, version)
        plan = _check_decision(
            evaluation,
            grade=grade,
            justification=justification,
            decision_no=decision_no,
            decision_date=decision_date,
            decided_by=decided_by,
        )
        before = _snapshot(evaluation)
        if plan["overrides_cap"]:
            discipline.record_org_override(
                evaluation,
                grade=plan["grade"],
                cap=plan["suggestion"].discipline_cap,
                justification=plan["justification"],
                user=decided_by,
            )
        else:
            discipline.clear_override(evaluation)
        evaluation.final_grade = plan["grade"]
        evaluation.justification = plan["justification"][:10000]
        evaluation.decision_no = plan["decision_no"]
        evaluation.decision_date = plan["decision_date"]
        evaluation.status = OrgEvaluation.Status.DECIDED
        evaluation.decided_by = decided_by
        evaluation.decided_at = timezone.now()
        evaluation.parameters_snapshot = rules.parameters_snapshot(evaluation.period.parameter_set)
        return _save(evaluation, before, actor=decided_by, action="evaluations.evaluation.decided")


def send_back(*, evaluation: OrgEvaluation, reason: str, version, returned_by) -> OrgEvaluation:
    """Step 3, the other way: return the evaluation to the organisation with a reason."""
    reason = required_line(reason, "reason", _("Give the reason for returning the evaluation."))
    with transaction.atomic():
        evaluation = _lock(evaluation, version)
        if evaluation.status not in (OrgEvaluation.Status.SELF_ASSESSED, OrgEvaluation.Status.APPRAISED):
            raise ValidationError(_("Only a submitted evaluation can be returned."))
        before = _snapshot(evaluation)
        evaluation.status = OrgEvaluation.Status.RETURNED
        evaluation.return_reason = reason[:10000]
        return _save(evaluation, before, actor=returned_by, action="evaluations.evaluation.returned", message=reason)


def reopen(*, evaluation: OrgEvaluation, reason: str, version, reopened_by) -> OrgEvaluation:
    """Unlock a decided evaluation (back to appraised). Needs a reason, which is logged."""
    reason = required_line(reason, "reason", _("Give the reason for reopening the decision."))
    with transaction.atomic():
        evaluation = _lock(evaluation, version)
        if not evaluation.is_decided:
            raise ValidationError(_("Only a decided evaluation can be reopened."))
        before = _snapshot(evaluation)
        evaluation.status = OrgEvaluation.Status.APPRAISED
        evaluation.final_grade = ""
        evaluation.decided_at = None
        evaluation.decided_by = None
        # The decision withdrawn takes its number and date with it (kept in the history); a new one needs its own.
        evaluation.decision_no = ""
        evaluation.decision_date = None
        discipline.clear_override(evaluation)  # an exception belonged to the decision reopened
        return _save(evaluation, before, actor=reopened_by, action="evaluations.evaluation.reopened", message=reason)


@transaction.atomic
def period_lock(*, period: EvaluationPeriod, locked_by) -> EvaluationPeriod:
    """Lock a year once every organisation and member is decided and the HTXSNV quota (B12, D3) holds for the
    organisations and the members (or an exception was recorded): nothing in it can change afterwards."""
    period = EvaluationPeriod.objects.select_for_update().select_related("root", "parameter_set").get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(_("The review of %(year)s is already locked.") % {"year": period.year})
    pending = period.org_evaluations.exclude(status=OrgEvaluation.Status.DECIDED).count()
    if pending:
        raise ValidationError(
            _("%(count)s organisations have not been decided yet: decide them before locking the year.")
            % {"count": pending}
        )
    undecided_members = period.member_evaluations.filter(final_grade="", not_classified="").count()
    if undecided_members:
        raise ValidationError(
            _("%(count)s members have no decided grade yet: decide them before locking the year.")
            % {"count": undecided_members}
        )
    # D5: every decided grade against the discipline facts as they are at the lock (B13), unless an exception.
    problems = discipline.lock_problems(period)
    if problems:
        raise ValidationError(
            [_("Discipline recorded since the decisions changes these results: reopen them first.")]
            + problems[:20]
            + (["…"] if len(problems) > 20 else [])
        )
    # D3: the quota (B12) is checked on the final tally, at both levels, each time the year is locked.
    member_units = Organization.objects.filter(pk__in=period.member_evaluations.values("grassroots_id"))
    quota.refuse_if_over(
        [*quota.org_tallies(period=period), *quota.member_tallies(period=period, units=member_units.order_by("path"))],
        step=_("Locking the review of %(year)s") % {"year": period.year},
    )
    period.state = EvaluationPeriod.State.LOCKED
    period.save(update_fields=["state"])
    log_action(
        actor=locked_by,
        action="evaluations.period.locked",
        organization=period.root,
        target=period,
        message=str(period),
    )
    return period
