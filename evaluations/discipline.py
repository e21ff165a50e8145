"""Discipline in the yearly review (D5; B13): the live figures each step reads, and the exceptions to a discipline
cap that only the deciding body may record.

The facts are the disciplinary decisions on the members' records (members.discipline). Nothing here copies them at
one step: the self-assessment, the appraisal, the decision and the lock of the year each read them again, so a
member disciplined after the cell's self-assessment still caps its grade at the decision. The stored copies
(OrgEvaluation.leadership_disciplined / units_disciplined_pct, MemberEvaluation.disciplined) are refreshed at every
step for display and history; no rule reads them back.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization, RoleAssignment
from cells.names import org_label
from cells.permissions import APPRAISE, DECIDE, acts_from_above, get_access
from cells.services import log_action
from cells.templatetags.chibo import display_name
from cells.text import one_line
from criteria.models import Criterion, RuleParameterSet
from evaluations import rules
from evaluations.models import (
    EvaluationPeriod,
    Grade,
    MemberEvaluation,
    MemberReviewLock,
    OrgEvaluation,
    grade_rank,
)
from members.discipline import DisciplineFigures, discipline_figures, disciplined_member_ids

MEMBERS_DISCIPLINED = Criterion.Metric.MEMBERS_DISCIPLINED


def _param(params: dict, key: str):
    return params.get(key, RuleParameterSet.DEFAULTS[key])


def figures_for(evaluations: list[OrgEvaluation], year: int) -> dict[int, DisciplineFigures]:
    """{organisation pk: its discipline figures for the year}, for many evaluations in four queries."""
    return discipline_figures(organizations=[e.organization for e in evaluations], year=year)


def apply_figures(evaluation: OrgEvaluation, answers: dict[str, dict], figures: DisciplineFigures) -> dict:
    """Put the live figures on the evaluation (unsaved) and into the answers of every criterion that reads
    "members disciplined"; returns the answers to score. A đảng bộ cơ sở gets the sum over its subtree."""
    evaluation.leadership_disciplined = figures.leadership_disciplined
    evaluation.units_disciplined_pct = figures.units_disciplined_pct
    evaluation.leadership_discipline_form = figures.leadership_worst_form  # not a field: read by the suggestion
    answers = dict(answers)
    for criterion in evaluation.criteria_snapshot.get("criteria", []):
        if criterion["kind"] == "METRIC" and criterion.get("metric") == MEMBERS_DISCIPLINED:
            answer = dict(answers.get(criterion["code"], {}))
            answer["metric_value"] = figures.members_disciplined
            answers[criterion["code"]] = answer
    return answers


def check_justification(text: str, params: dict) -> str:
    """A real written justification: at least `cap_override_min_chars` characters once whitespace is collapsed, and
    not a placeholder (dots, dashes, one repeated character, no words)."""
    text = one_line(text)
    minimum = _param(params, "cap_override_min_chars")
    letters = [c for c in text.casefold() if c.isalpha()]
    words = [w for w in text.split() if sum(c.isalpha() for c in w) >= 2]
    if len(text) < minimum or len(letters) < minimum // 2 or len(set(letters)) < 5 or len(words) < 3:
        raise ValidationError(
            {
                "justification": _(
                    "Overriding a discipline cap needs a written justification of at least %(count)s characters, "
                    "in words (rule B13)."
                )
                % {"count": minimum}
            }
        )
    return text


def may_decide_org(user, organization: Organization) -> bool:
    """The deciding body of an organisation's grade: the committee staff above it (domain.md §4.7)."""
    return acts_from_above(user, organization, action=DECIDE, roles=(RoleAssignment.Role.STAFF,))


def may_decide_member(user, row: MemberEvaluation) -> bool:
    """The deciding body of a member's grade: the grassroots committee (or the committee staff above it)."""
    return get_access(user).can(APPRAISE, row.grassroots)


def record_org_override(evaluation: OrgEvaluation, *, grade: str, cap: str, justification: str, user) -> None:
    """Mark a decision (unsaved) as lifting the discipline cap `cap`: who, when, why. The caller saves and audits."""
    evaluation.cap_override_grade = cap
    evaluation.cap_override_justification = justification[:10000]
    evaluation.cap_override_by = user if getattr(user, "is_authenticated", False) else None
    evaluation.cap_override_at = timezone.now()


def clear_override(evaluation) -> None:
    evaluation.cap_override_grade = ""
    evaluation.cap_override_justification = ""
    evaluation.cap_override_by = None
    evaluation.cap_override_at = None


#
# Members
#


def member_discipline_cap(row: MemberEvaluation, params: dict, *, disciplined: bool) -> rules.Suggestion:
    member = row.member
    return rules.suggest_member_cap(
        params=params,
        year=row.period.year,
        status=member.status,
        admitted_on=member.admitted_on,
        disciplined=disciplined,
        sick_leave_months=row.sick_leave_months,
        is_civil_servant=member.is_civil_servant,
        civil_servant_grade=row.civil_servant_grade,
    )


@transaction.atomic
def member_cap_override(*, row: MemberEvaluation, grade: str, justification: str, granted_by) -> MemberEvaluation:
    """The deciding body decides a disciplined member's grade above the discipline cap (B13: "unless the violation
    was self-detected and fixed"), with a written justification. Recorded on the row as an exception (who, when,
    why), audited, and listed in the yearly report. The member's other caps (B14–B16) still apply."""
    row = (
        MemberEvaluation.objects.select_for_update(of=("self",))
        .select_related("period__parameter_set", "member", "grassroots", "organization")
        .get(pk=row.pk)
    )
    if not may_decide_member(granted_by, row):
        raise PermissionDenied
    if row.period.is_locked:
        raise ValidationError(_("The review of %(year)s is locked.") % {"year": row.period.year})
    if MemberReviewLock.objects.filter(period=row.period, grassroots=row.grassroots).exists():
        raise ValidationError(
            _("The member ratings of %(name)s are already closed for %(year)s.")
            % {"name": row.grassroots.name, "year": row.period.year}
        )
    params = rules.parameters_snapshot(row.period.parameter_set)
    if row.member_id not in disciplined_member_ids(year=row.period.year, member_ids=[row.member_id]):
        raise ValidationError(_("%(name)s has no disciplinary decision this year.") % {"name": row.member.full_name})
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose one of the four grades.")})
    capped = member_discipline_cap(row, params, disciplined=True)
    if capped.grade is None:
        raise ValidationError(_("%(name)s is not classified this year.") % {"name": row.member.full_name})
    other = member_discipline_cap(row, params, disciplined=False)
    if grade_rank(grade) < grade_rank(other.grade):
        raise ValidationError(
            {
                "grade": _("%(grade)s is better than the member's other limits allow (at most %(cap)s).")
                % {"grade": grade, "cap": other.grade}
            }
        )
    justification = check_justification(justification, params)
    before = {"final_grade": row.final_grade, "cap_grade": row.cap_grade}
    row.disciplined = True
    row.cap_override_grade = capped.discipline_cap
    row.cap_override_justification = justification[:10000]
    row.cap_override_by = granted_by if getattr(granted_by, "is_authenticated", False) else None
    row.cap_override_at = timezone.now()
    row.cap_grade = other.grade
    row.cap_reasons = [*other.as_json(), overridden_reason(capped.discipline_cap)]
    row.final_grade = grade
    row.decided_by = row.cap_override_by
    row.decided_at = row.cap_override_at
    row.version += 1
    row.save()
    log_action(
        actor=granted_by,
        action="evaluations.member_cap.overridden",
        organization=row.organization,
        target=row.period,
        message=_("%(name)s: discipline cap %(cap)s overridden, decided %(grade)s: %(why)s")
        % {"name": row.member.full_name, "cap": capped.discipline_cap, "grade": grade, "why": justification},
        data={
            "member": row.member_id,
            "changes": {
                "final_grade": [before["final_grade"], grade],
                "cap_grade": [before["cap_grade"], row.cap_grade],
            },
            "justification": justification,
        },
    )
    return row


def overridden_reason(cap: str) -> str:
    return _("Disciplined this year: the cap %(grade)s was lifted by the deciding body (exception).") % {"grade": cap}


def refresh_member_discipline(rows: list[MemberEvaluation], year: int) -> set[int]:
    """Set MemberEvaluation.disciplined from the facts on each row (unsaved); returns the disciplined member ids.
    A row whose discipline cap was lifted keeps `disciplined` but is capped without it (see suggest input)."""
    disciplined = disciplined_member_ids(year=year, member_ids=[row.member_id for row in rows])
    for row in rows:
        row.disciplined = row.member_id in disciplined
    return disciplined


def capped_by_discipline(row: MemberEvaluation) -> bool:
    """Whether the member's cap must include discipline: disciplined, and no exception recorded."""
    return row.disciplined and not row.cap_override_at


#
# The lock of the year: every decided grade checked against the facts as they are now
#


def lock_problems(period: EvaluationPeriod) -> list[str]:
    """Decided grades better than their discipline cap as the facts stand at the lock, with no exception recorded.
    Six queries."""
    params = rules.parameters_snapshot(period.parameter_set)
    problems = []
    evaluations = list(
        OrgEvaluation.objects.filter(period=period, status=OrgEvaluation.Status.DECIDED, cap_override_at__isnull=True)
        .exclude(final_grade="")
        .select_related("organization")
    )
    figures = figures_for(evaluations, period.year)
    for evaluation in evaluations:
        answers = apply_figures(evaluation, {}, figures[evaluation.organization_id])
        cap = org_discipline_cap(evaluation, answers, params)
        if grade_rank(evaluation.final_grade) < grade_rank(cap):
            problems.append(
                _("%(name)s: decided %(grade)s, but discipline now allows at most %(cap)s (rule B13).")
                % {"name": evaluation.organization.name, "grade": evaluation.final_grade, "cap": cap}
            )
    rows = list(
        MemberEvaluation.objects.filter(period=period, cap_override_at__isnull=True)
        .filter(~Q(final_grade=""), ~Q(final_grade=Grade.NOT_FULFILLED))
        .select_related("member")
    )
    disciplined = disciplined_member_ids(year=period.year, member_ids=[row.member_id for row in rows])
    for row in rows:
        if row.member_id in disciplined:
            problems.append(
                _("%(name)s: decided %(grade)s, but was disciplined this year: at most %(cap)s (rule B13).")
                % {"name": row.member.full_name, "grade": row.final_grade, "cap": Grade.NOT_FULFILLED}
            )
    return problems


def org_discipline_cap(evaluation: OrgEvaluation, answers: dict, params: dict) -> str:
    """The discipline cap of an organisation from figures already applied (apply_figures)."""
    _score, _maximum, results = rules.evaluate_criteria(evaluation.criteria_snapshot, answers)
    cap, _reasons = rules.discipline_cap_for_org(
        params=params,
        leadership_disciplined=evaluation.leadership_disciplined,
        leadership_discipline_form=getattr(evaluation, "leadership_discipline_form", ""),
        units_disciplined_pct=evaluation.units_disciplined_pct,
    )
    return rules.discipline_criteria_cap(results, cap)


#
# The yearly report
#


def cap_exceptions(*, period: EvaluationPeriod, root: Organization, scope: Q) -> list[dict]:
    """The discipline caps lifted by the deciding body in a year's review under `root` (D5), organisations first,
    for the yearly report's "exceptions" section. `scope` is the user's scope (cells.permissions.scope_filter on
    organisations). Two queries."""
    rows = []
    for evaluation in (
        OrgEvaluation.objects.filter(
            period=period, organization__path__startswith=root.path, cap_override_at__isnull=False
        )
        .filter(organization__in=Organization.objects.filter(scope))
        .select_related("organization__parent", "cap_override_by")
        .order_by("organization__path")
    ):
        rows.append(_exception_row(_("Party organisation"), org_label(evaluation.organization), "", evaluation))
    for row in (
        MemberEvaluation.objects.filter(
            period=period, organization__path__startswith=root.path, cap_override_at__isnull=False
        )
        .filter(organization__in=Organization.objects.filter(scope))
        .select_related("member", "organization__parent", "cap_override_by")
        .order_by("organization__path", "member__sort_key")
    ):
        rows.append(_exception_row(_("Party member"), row.member.full_name, org_label(row.organization), row))
    return rows


def _exception_row(kind: str, name: str, where: str, record) -> dict:
    return {
        "kind": kind,
        "name": name,
        "where": where,
        "cap": record.cap_override_grade,
        "grade": record.final_grade,
        "justification": record.cap_override_justification,
        "by": display_name(record.cap_override_by),
        "at": timezone.localtime(record.cap_override_at).strftime("%d/%m/%Y"),
    }
