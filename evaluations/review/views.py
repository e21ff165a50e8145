"""The yearly review pages: open a year, follow progress, and the three steps on one evaluation page."""

from decimal import InvalidOperation
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.forms_pages import already_sent, apply_service_error, form_page, once, organization_page, save_form
from cells.inputs import choice_param, line_feeds, page_param, text_error, text_param
from cells.models import Organization, RoleAssignment
from cells.numbers import parse_decimal
from cells.permissions import (
    APPRAISE,
    DECIDE,
    SELF_ASSESS,
    UPPER_ROLES,
    VIEW,
    acts_from_above,
    get_access,
    get_organization_for_user,
    require,
    require_anywhere,
    scope_filter,
)
from cells.selectors import audit_history, breadcrumbs
from cells.text import fold
from criteria.models import Criterion
from evaluations import discipline, rules
from evaluations.metrics import MEMBERS_DISCIPLINED, metrics_for
from evaluations.models import Grade, MemberEvaluation, OrgEvaluation
from evaluations.review import quota, services
from evaluations.review.forms import (
    AppraisalForm,
    CapExceptionForm,
    DecisionForm,
    PeriodOpenForm,
    ReasonForm,
    SelfAssessmentForm,
)
from evaluations.review.selectors import get_evaluation_for_user, get_period_for_user, visible_periods
from meetings.services import SIGNATURES
from members.models import Discipline


def can_appraise(user, organization: Organization) -> bool:
    """The appraisal comes from above: a grassroots committee or staff grant at a strict ancestor."""
    return acts_from_above(user, organization, action=APPRAISE, roles=UPPER_ROLES)


def can_decide(user, organization: Organization) -> bool:
    return acts_from_above(user, organization, action=DECIDE, roles=(RoleAssignment.Role.STAFF,))


@require_GET
def index(request):
    require_anywhere(request.user, VIEW)
    access = get_access(request.user)
    periods = list(visible_periods(request.user).select_related("root").order_by("-year", "root__path"))
    progress = {
        (row["period_id"], row["status"]): row["n"]
        for row in OrgEvaluation.objects.filter(period__in=[p.pk for p in periods])
        .filter(scope_filter(request.user, prefix="organization__", action=VIEW))
        .values("period_id", "status")
        .annotate(n=Count("id"))
    }
    for period in periods:
        period.progress = [
            (label, progress.get((period.pk, value), 0)) for value, label in OrgEvaluation.Status.choices
        ]
        period.total = sum(n for _label, n in period.progress)
    openable = [grant for grant in access.grants if grant.role == "STAFF"]
    return render(request, "evaluations/index.html", {"periods": periods, "openable": openable})


def period_open(request, org_pk):
    root = get_organization_for_user(request.user, org_pk, action=DECIDE)
    form = PeriodOpenForm(request.POST or None)
    return save_form(
        request,
        form,
        lambda data: services.period_open(root=root, opened_by=request.user, **data),
        message=_("The yearly review has been opened."),
        to=lambda period: ("evaluations:period", period.pk),
    ) or form_page(
        request,
        "cells/organization_action.html",
        form,
        root,
        title=_("Open the yearly review for %(name)s") % {"name": root.name},
        submit_label=_("Open"),
    )


@require_GET
def period_detail(request, pk):
    period = get_period_for_user(request.user, pk)
    access = get_access(request.user)
    evaluations = OrgEvaluation.objects.filter(period=period).filter(
        scope_filter(request.user, prefix="organization__", action=VIEW)
    )
    counts = {row["status"]: row["n"] for row in evaluations.values("status").annotate(n=Count("id"))}
    grades = {
        row["final_grade"]: row["n"]
        for row in evaluations.exclude(final_grade="").values("final_grade").annotate(n=Count("id"))
    }
    status = choice_param(request, "status", OrgEvaluation.Status.values)
    if status:
        evaluations = evaluations.filter(status=status)
    q = text_param(request, "q", max_length=100)
    if q:
        evaluations = evaluations.filter(organization__search_text__contains=fold(q))
    page = Paginator(evaluations.select_related("organization").order_by("organization__path"), 100).get_page(
        page_param(request)
    )
    org_quota = [t for t in quota.org_tallies(period=period) if access.can_see(t.unit)]
    return render(
        request,
        "evaluations/period_detail.html",
        {
            "period": period,
            "page": page,
            "counts": [(value, label, counts.get(value, 0)) for value, label in OrgEvaluation.Status.choices],
            "grades": [(label, grades.get(value, 0)) for value, label in Grade.choices],
            "status": status,
            "q": q,
            "can_lock": not period.is_locked and access.can(DECIDE, period.root),
            # D3: the live organisation quota of each unit (B12), checked when the year is locked.
            "org_quota": org_quota,
            "org_quota_over": any(t.over for t in org_quota),
            "may_record_exception": not period.is_locked and access.can(DECIDE, period.root),
            "organization": period.root,
            "breadcrumbs": breadcrumbs(user=request.user, organization=period.root)
            if access.can_see(period.root)
            else [],
            "breadcrumb_tail": _("Yearly review %(year)s") % {"year": period.year},
        },
    )


@require_POST
def period_lock(request, pk):
    period = get_period_for_user(request.user, pk)
    require(request.user, DECIDE, period.root)
    try:
        services.period_lock(period=period, locked_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The review of %(year)s is locked.") % {"year": period.year})
    return redirect("evaluations:period", period.pk)


def _criteria_rows(evaluation: OrgEvaluation, answers: dict, metrics: dict) -> list[dict]:
    rows = []
    groups = {g["code"]: g["title"] for g in evaluation.criteria_snapshot.get("groups", [])}
    for criterion in evaluation.criteria_snapshot.get("criteria", []):
        answer = answers.get(criterion["code"])
        rows.append(
            {
                "criterion": criterion,
                "group": groups.get(criterion.get("group"), ""),
                "answer": answer,
                "metric": metrics.get(criterion.get("metric")) if criterion["kind"] == "METRIC" else None,
            }
        )
    return rows


def _metrics(evaluation: OrgEvaluation) -> dict:
    """Figures the system already holds for the organisation's year (meetings, attendance, discipline)."""
    if not evaluation.organization.is_cell:
        # The meeting figures are a cell's; for a committee they stay empty (not applicable) rather than zero. The
        # members disciplined are summed over its subtree (D5).
        figures = metrics_for(organizations=[evaluation.organization], year=evaluation.period.year)
        return {MEMBERS_DISCIPLINED: figures[evaluation.organization.pk][MEMBERS_DISCIPLINED]}
    return metrics_for(organizations=[evaluation.organization], year=evaluation.period.year).get(
        evaluation.organization.pk, {}
    )


def _answers_from_post(post, files, evaluation: OrgEvaluation, metrics: dict) -> dict:
    answers = {}
    for criterion in evaluation.criteria_snapshot.get("criteria", []):
        code = criterion["code"]
        answer = {"evidence": line_feeds(post.get(f"evidence-{code}", ""))}  # a textarea: "\r\n" from the browser
        # The input policy (cells/inputs.py) on a text read outside a form.
        problem = text_error(answer["evidence"])
        if problem:
            raise ValidationError(f"{code}: {problem}")
        if criterion["kind"] == "POINTS":
            try:
                answer["points"] = parse_decimal(post.get(f"points-{code}"))  # "7,5" or "7.5"; None when empty
            except InvalidOperation:
                raise ValidationError(_("%(code)s: enter a number.") % {"code": code}) from None
        elif criterion["kind"] == "CHECK":
            answer["met"] = post.get(f"met-{code}") == "on"
        else:
            value = metrics.get(criterion.get("metric"))
            answer["metric_value"] = value
        upload = files.get(f"file-{code}")
        if upload:
            head = upload.read(16)
            upload.seek(0)
            name = upload.name.lower()
            if upload.size > 10 * 1024 * 1024 or not any(
                head.startswith(sig) and name.endswith(ext) for sig, ext in SIGNATURES.values()
            ):
                raise ValidationError(_("%(code)s: only PDF, JPEG and PNG files up to 10 MB.") % {"code": code})
            answer["evidence_file"] = upload
        answers[code] = answer
    return answers


def _answers_as_posted(post, evaluation: OrgEvaluation, saved: dict) -> dict:
    """What the user typed, to show again when their save was refused (e.g. a stale version)."""
    posted = {}
    for criterion in evaluation.criteria_snapshot.get("criteria", []):
        code = criterion["code"]
        answer = saved.get(code)
        posted[code] = SimpleNamespace(
            points=post.get(f"points-{code}", ""),
            met=post.get(f"met-{code}") == "on",
            metric_value=answer.metric_value if answer else None,
            evidence=post.get(f"evidence-{code}", ""),
            evidence_file=answer.evidence_file if answer else None,
        )
    return posted


def evaluation_detail(request, pk):
    evaluation = get_evaluation_for_user(request.user, pk, action=VIEW)
    access = get_access(request.user)
    organization = evaluation.organization
    locked = evaluation.period.is_locked
    may_self = (
        not locked
        and access.can(SELF_ASSESS, organization)
        and evaluation.status
        in (OrgEvaluation.Status.NOT_STARTED, OrgEvaluation.Status.SELF_ASSESSED, OrgEvaluation.Status.RETURNED)
    )
    may_appraise = (
        not locked
        and can_appraise(request.user, organization)
        and evaluation.status == OrgEvaluation.Status.SELF_ASSESSED
    )
    may_decide = (
        not locked and can_decide(request.user, organization) and evaluation.status == OrgEvaluation.Status.APPRAISED
    )
    may_return = (
        not locked
        and can_decide(request.user, organization)
        and evaluation.status
        in (
            OrgEvaluation.Status.SELF_ASSESSED,
            OrgEvaluation.Status.APPRAISED,
        )
    )
    may_reopen = not locked and can_decide(request.user, organization) and evaluation.is_decided
    metrics = _metrics(evaluation)
    answers = {a.code: a for a in evaluation.answers.all()}
    initial = {
        field: getattr(evaluation, field)
        for field in (
            "self_grade",
            "self_score",
            "tasks_done_pct",
            "tasks_exceeded_pct",
            "tasks_late_pct",
            "self_comment",
        )
    } | {"version": evaluation.version}
    self_form = SelfAssessmentForm(initial=initial, prefix="self")
    proposed = {"grade": evaluation.appraisal_grade or evaluation.suggested_grade, "version": evaluation.version}
    step_forms = {
        "appraise": AppraisalForm(initial=proposed, prefix="appraise"),
        "decide": DecisionForm(initial=proposed, prefix="decide"),
        "return": ReasonForm(initial={"version": evaluation.version}, prefix="return"),
        "reopen": ReasonForm(initial={"version": evaluation.version}, prefix="reopen"),
    }
    # The steps after the self-assessment: (allowed, form, service, the service's keyword for the user, message).
    # The service takes the form's fields as they are.
    steps = {
        "appraise": (
            may_appraise,
            AppraisalForm,
            services.appraise,
            "appraised_by",
            _("The appraisal has been recorded."),
        ),
        "decide": (
            may_decide,
            DecisionForm,
            services.decide,
            "decided_by",
            _("The decision has been recorded. The result is locked."),
        ),
        "return": (may_return, ReasonForm, services.send_back, "returned_by", _("The evaluation has been returned.")),
        "reopen": (may_reopen, ReasonForm, services.reopen, "reopened_by", _("The decision has been reopened.")),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit"):
                if not may_self:
                    raise PermissionDenied
                self_form = SelfAssessmentForm(request.POST, prefix="self")
                if self_form.is_valid():
                    data = {k: v for k, v in self_form.cleaned_data.items() if k not in ("version", "form_token")}
                    _saved, url, first = once(
                        request,
                        self_form,
                        lambda: services.self_assess(
                            evaluation=evaluation,
                            answers=_answers_from_post(request.POST, request.FILES, evaluation, metrics),
                            data=data,
                            version=self_form.cleaned_data.get("version"),
                            submit=action == "submit",
                            assessed_by=request.user,
                        ),
                        ("evaluations:detail", evaluation.pk),
                    )
                    if not first:
                        return already_sent(request, url)
                    messages.success(request, _("Submitted for appraisal.") if action == "submit" else _("Saved."))
                    return redirect(url)
            elif action in steps:
                allowed, form_class, service, actor, done = steps[action]
                if not allowed:
                    raise PermissionDenied
                form = step_forms[action] = form_class(request.POST, prefix=action)
                if form.is_valid():
                    data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "form_token")}
                    version = form.cleaned_data.get("version")
                    _saved, url, first = once(
                        request,
                        form,
                        lambda: service(evaluation=evaluation, version=version, **data, **{actor: request.user}),
                        ("evaluations:detail", evaluation.pk),
                    )
                    if not first:
                        return already_sent(request, url)
                    messages.success(request, done)
                    return redirect(url)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            target = {
                "save": self_form,
                "submit": self_form,
                **step_forms,
            }.get(action, self_form)
            apply_service_error(target, error)
    if request.method == "POST" and request.POST.get("action") in ("save", "submit"):
        answers = _answers_as_posted(request.POST, evaluation, answers)
    return organization_page(
        request,
        "evaluations/evaluation_detail.html",
        organization,
        evaluation=evaluation,
        breadcrumb_tail=_("Yearly review %(year)s") % {"year": evaluation.period.year},
        rows=_criteria_rows(evaluation, answers, metrics),
        metrics=[
            (Criterion.Metric(key).label, value) for key, value in metrics.items() if key in Criterion.Metric.values
        ],
        meetings_url=f"?org={organization.pk}&year={evaluation.period.year}&kind=regular",
        self_form=self_form,
        appraisal_form=step_forms["appraise"],
        decision_form=step_forms["decide"],
        return_form=step_forms["return"],
        reopen_form=step_forms["reopen"],
        may_self=may_self,
        may_appraise=may_appraise,
        may_decide=may_decide,
        may_return=may_return,
        may_reopen=may_reopen,
        history=audit_history(evaluation, limit=100),
        today=timezone.localdate(),
        discipline=_discipline_context(evaluation),
        org_tally=quota.org_tally_of(evaluation=evaluation) if may_decide else None,
    )


def _discipline_context(evaluation: OrgEvaluation) -> dict:
    """The discipline facts of the organisation's year, read now (D5), and the cap they set (B13)."""
    figures = discipline.figures_for([evaluation], evaluation.period.year)[evaluation.organization_id]
    params = evaluation.parameters_snapshot if evaluation.is_decided and evaluation.parameters_snapshot else None
    params = params or rules.parameters_snapshot(evaluation.period.parameter_set)
    probe = OrgEvaluation(
        organization=evaluation.organization, criteria_snapshot=evaluation.criteria_snapshot, period=evaluation.period
    )
    answers = discipline.apply_figures(probe, {}, figures)
    cap = discipline.org_discipline_cap(probe, answers, params)
    return {
        "figures": figures,
        "leadership": [(name, Discipline.Form(form).label) for name, form in figures.leadership],
        "cap": cap,
        "cap_label": Grade(cap).label,
        "capped": cap != Grade.EXCELLENT,
        "min_chars": params.get("cap_override_min_chars", 20),
    }


def member_cap_exception(request, pk):
    """D5: the deciding body (the grassroots committee, or the committee staff) decides a disciplined member's
    grade above the discipline cap (B13) with a written justification, recorded as an exception."""
    try:
        row = MemberEvaluation.objects.select_related("member", "organization", "grassroots", "period").get(pk=int(pk))
    except (MemberEvaluation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(request.user, VIEW, row.organization)
    if not discipline.may_decide_member(request.user, row):
        raise PermissionDenied
    form = CapExceptionForm(request.POST or None, initial={"grade": row.final_grade or Grade.GOOD})
    to = ("ratings:table", row.period_id, row.organization_id)
    return save_form(
        request,
        form,
        lambda data: discipline.member_cap_override(row=row, granted_by=request.user, **data),
        message=_("The exception has been recorded."),
        to=to,
    ) or form_page(
        request,
        "cells/organization_action.html",
        form,
        row.organization,
        title=_("Exception to the discipline cap: %(name)s (%(year)s)")
        % {"name": row.member.full_name, "year": row.period.year},
        submit_label=_("Record the exception"),
        breadcrumb_tail=row.member.full_name,
    )
