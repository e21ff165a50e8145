"""The yearly review pages: open a year, follow progress, and the three steps on one evaluation page."""

import uuid
from collections import defaultdict
from decimal import InvalidOperation
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.forms_pages import already_sent, apply_service_error, form_page, once, organization_page, save_form
from cells.inputs import choice_param, id_param, line_feeds, page_param, text_error, text_param
from cells.models import Organization, RoleAssignment, SubmittedForm
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
    ConfirmForm,
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
    within = id_param(request, "org")  # the dashboard's drill-down: the organisations of one subtree
    if within:
        subtree = get_organization_for_user(request.user, within, action=VIEW)
        evaluations = evaluations.filter(organization__path__startswith=subtree.path)
    # The dashboard's grade figures drill down here: the TCCSĐ (level=grassroots) or the subordinate organisations
    # (level=subordinate) of the subtree with one decided grade, exactly the rows the figure counts.
    level = choice_param(request, "level", ("grassroots", "subordinate"))
    if level == "grassroots":
        evaluations = evaluations.filter(organization__kind__in=Organization.GRASSROOTS_KINDS)
    elif level == "subordinate":
        evaluations = evaluations.exclude(organization__kind__in=Organization.GRASSROOTS_KINDS)
    # One grouped read of the evaluations gives the status buttons, the grade figures and, unless a search narrows
    # the rows, the number of rows behind the page (a period holds one evaluation per organisation of the bloc:
    # each read of them is a scan of tens of thousands of rows). COUNT(*), not of the ids: the evaluations'
    # progress index answers it without reading the rows.
    tally = list(evaluations.values("status", "final_grade").annotate(n=Count("*")).order_by())
    counts: dict[str, int] = defaultdict(int)
    grades: dict[str, int] = defaultdict(int)
    for row in tally:
        counts[row["status"]] += row["n"]
        if row["final_grade"]:
            grades[row["final_grade"]] += row["n"]
    status = choice_param(request, "status", OrgEvaluation.Status.values)
    if status:
        evaluations = evaluations.filter(status=status)
    grade = choice_param(request, "grade", Grade.values)
    if grade:
        evaluations = evaluations.filter(final_grade=grade)
    matching = sum(
        row["n"]
        for row in tally
        if (not status or row["status"] == status) and (not grade or row["final_grade"] == grade)
    )
    # The filters that narrow the rows, kept by the status buttons and the search.
    kept = {"org": within or "", "level": level or "", "grade": grade or ""}
    keep_query = urlencode({key: value for key, value in kept.items() if value})
    q = text_param(request, "q", max_length=100)
    if q:
        evaluations = evaluations.filter(organization__search_text__contains=fold(q))
    paginator = Paginator(evaluations.select_related("organization__parent").order_by("organization__path"), 100)
    if not q:
        paginator.count = matching  # counted above; the search is the one filter the tally does not know
    page = paginator.get_page(page_param(request))
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
            "grade": grade,
            "level": level,
            "within": within,
            "keep_query": keep_query,
            "can_lock": not period.is_locked and access.can(DECIDE, period.root),
            "lock_form": ConfirmForm(),
            "undecided": counts.get(OrgEvaluation.Status.NOT_STARTED, 0)
            + counts.get(OrgEvaluation.Status.SELF_ASSESSED, 0)
            + counts.get(OrgEvaluation.Status.APPRAISED, 0)
            + counts.get(OrgEvaluation.Status.RETURNED, 0),
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
    """Lock the year (a closing action, in the page's danger zone): only with "I confirm" ticked, once per form."""
    period = get_period_for_user(request.user, pk)
    require(request.user, DECIDE, period.root)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("evaluations:period", period.pk)
    try:
        _locked, url, first = once(
            request,
            form,
            lambda: services.period_lock(period=period, locked_by=request.user),
            ("evaluations:period", period.pk),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("evaluations:period", period.pk)
    if not first:
        return already_sent(request, url)
    messages.success(request, _("The review of %(year)s is locked.") % {"year": period.year})
    return redirect(url)


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
        # The decided grade is never pre-filled: the suggestion and the proposal are shown beside it; the user picks.
        "decide": DecisionForm(initial={"version": evaluation.version}, prefix="decide"),
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
        "return": (may_return, ReasonForm, services.send_back, "returned_by", _("The evaluation has been returned.")),
        "reopen": (may_reopen, ReasonForm, services.reopen, "reopened_by", _("The decision has been reopened.")),
    }
    decision_confirm = None
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
            elif action == "decide":
                if not may_decide:
                    if url := _sent_before(request, "decide"):  # a double click on "Record the decision"
                        return already_sent(request, url)
                    raise PermissionDenied
                form = step_forms["decide"] = DecisionForm(request.POST, prefix="decide")
                decision_confirm, response = _decide_step(request, evaluation, form)
                if response is not None:
                    return response
            elif action in steps:
                allowed, form_class, service, actor, done = steps[action]
                if not allowed:
                    if url := _sent_before(request, action):  # the step is done: this is the same form sent again
                        return already_sent(request, url)
                    raise PermissionDenied
                form = step_forms[action] = form_class(request.POST, prefix=action)
                if form.is_valid():
                    data = {
                        k: v for k, v in form.cleaned_data.items() if k not in ("version", "form_token", "confirmed")
                    }
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
        decision_confirm=decision_confirm,
        grade_choices=Grade.choices,
    )


def _sent_before(request, prefix: str) -> str | None:
    """The result of this very form (its token) if this user already sent it: a second click after the step was
    taken lands on the first one's result instead of a refusal (cells.concurrency)."""
    try:
        token = uuid.UUID(request.POST.get(f"{prefix}-form_token") or "")
    except ValueError:
        return None
    earlier = SubmittedForm.objects.filter(token=token, user=request.user).first()
    return earlier.result_url if earlier and earlier.result_url else None


DECIDE_FIELDS = ("grade", "justification", "decision_no", "decision_date")


def _decide_step(request, evaluation: OrgEvaluation, form: DecisionForm):
    """The decision in two steps, without a script: the form sent without `confirmed` is checked by the rules and
    answered with the summary to confirm (nothing stored); sent again from the summary with "I confirm" ticked, it
    is recorded, once per form (a double click lands on the first result). "Change" goes back to the form.
    Returns (the summary to show, or None; the response, or None to show the page)."""
    if not form.is_valid():
        return None, None
    data = {name: form.cleaned_data.get(name) for name in DECIDE_FIELDS}
    version = form.cleaned_data.get("version")
    step = request.POST.get("decide-step")
    if request.POST.get("decide-edit"):  # back from the summary to the form, the values kept
        return None, None
    preview = services.decision_preview(evaluation=evaluation, version=version, decided_by=request.user, **data)
    if step != "confirm" or not form.cleaned_data.get("confirmed"):
        if step == "confirm":
            form.add_error("confirmed", _("Tick “I confirm” to go ahead: nothing has been changed yet."))
        return preview, None
    _saved, url, first = once(
        request,
        form,
        lambda: services.decide(evaluation=evaluation, version=version, decided_by=request.user, **data),
        ("evaluations:detail", evaluation.pk),
    )
    if not first:
        return None, already_sent(request, url)
    messages.success(request, _("The decision has been recorded. The result is locked."))
    return None, redirect(url)


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


@require_GET
def evidence_download(request, pk, code):
    """An evidence file of one criterion: through the storage (local disk or object storage), scope checked again."""
    evaluation = get_evaluation_for_user(request.user, pk, action=VIEW)
    answer = evaluation.answers.filter(code=code).exclude(evidence_file="").first()
    if answer is None:
        raise Http404
    name = answer.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(answer.evidence_file.open("rb"), as_attachment=True, filename=name)
