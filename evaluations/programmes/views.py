"""Model-cell programme pages: coverage of a subtree, register a cell, approve, yearly checks, recognise or close.

Every page loads its object through cells.permissions (404 outside the user's subtrees, 403 when the role is too
weak): registering and withdrawing need SELF_ASSESS on the cell (its secretary, the grassroots committee, staff),
the yearly check APPRAISE (grassroots committee, staff), approval and the final outcome DECIDE (staff). The yearly
check page also takes the cell's admission target of the year (APPRAISE), which its admission criterion reads (B23).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.forms_pages import already_sent, apply_service_error, form_page, once, organization_page, save_form
from cells.inputs import choice_param, page_param, text_error
from cells.models import Organization
from cells.permissions import (
    APPRAISE,
    DECIDE,
    SELF_ASSESS,
    VIEW,
    default_root,
    get_access,
    get_organization_for_user,
    require_anywhere,
)
from cells.selectors import audit_history, breadcrumbs
from criteria.models import CriteriaSet, Criterion
from evaluations.models import Grade, ModelRegistration
from evaluations.programmes import services as programmes
from evaluations.programmes.forms import (
    PROGRAMME_CHOICES,
    AdmissionTargetForm,
    ApprovalForm,
    CoverageFilterForm,
    OptionalReasonForm,
    ReasonForm,
    RecognitionForm,
    RegistrationForm,
)


def _form_errors(request, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _service_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


#
# Coverage and the list of registrations
#


def _default_root(user) -> Organization:
    root = default_root(user)
    if root is None:
        raise Http404
    return root


@require_GET
def index(request):
    require_anywhere(request.user, VIEW)
    form = CoverageFilterForm(request.GET or None)
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    programme = data.get("programme") or CriteriaSet.Programme.MODEL_CELL
    year = data.get("year") or today.year
    if data.get("org"):
        root = get_organization_for_user(request.user, data["org"], action=VIEW)
    else:
        root = _default_root(request.user)
    result = programmes.coverage(user=request.user, root=root, programme=programme, year=year)
    access = get_access(request.user)
    for row in result["rows"]:
        row.registrable = [cell for cell in row.unregistered_cells if access.can(SELF_ASSESS, cell)]
    registrations = programmes.registration_list(user=request.user, root=root, programme=programme, year=year)
    page = Paginator(registrations, 100).get_page(page_param(request))
    return render(
        request,
        "evaluations/programme_index.html",
        {
            "form": form,
            "coverage": result,
            "page": page,
            "root": root,
            "programme": programme,
            "programme_label": programmes.programme_label(programme),
            "programmes": PROGRAMME_CHOICES,
            "year": year,
            "breadcrumbs": breadcrumbs(user=request.user, organization=root),
            "breadcrumb_tail": _("Model cells"),
        },
    )


#
# Registration
#


def register(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=SELF_ASSESS)
    if not organization.is_cell:
        raise Http404
    this_year = timezone.localdate().year
    initial = {
        "programme": choice_param(
            request, "programme", dict(PROGRAMME_CHOICES), default=CriteriaSet.Programme.MODEL_CELL
        ),
        "phase_start": this_year,
        "phase_end": this_year + 3,
    }
    form = RegistrationForm(request.POST or None, initial=initial)
    eligibility = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "register":
            try:
                _registration, url, first = once(
                    request,
                    form,
                    lambda: programmes.registration_create(
                        organization=organization,
                        programme=data["programme"],
                        phase_start=data["phase_start"],
                        phase_end=data["phase_end"],
                        reference_years=data["reference_years"],
                        registered_by=request.user,
                    ),
                    lambda registration: ("programmes:detail", registration.pk),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                if not first:
                    return already_sent(request, url)
                messages.success(request, _("The registration has been recorded. It now awaits approval."))
                return redirect(url)
        eligibility = programmes.registration_eligibility(
            organization=organization,
            phase_start=data["phase_start"],
            reference_years=data["reference_years"],
            programme=data["programme"],
        )
    elif request.method != "POST":
        eligibility = programmes.registration_eligibility(
            organization=organization, phase_start=this_year, programme=initial["programme"]
        )
    existing = list(ModelRegistration.objects.filter(organization=organization).order_by("-phase_start", "programme"))
    for registration in existing:
        registration.programme_label = programmes.programme_label(registration.programme)
    return form_page(
        request,
        "evaluations/programme_register.html",
        form,
        organization,
        eligibility=eligibility,
        eligibility_programme=programmes.programme_label(
            (form.cleaned_data.get("programme") if form.is_bound and form.is_valid() else None) or initial["programme"]
        ),
        eligibility_rows=[(year, Grade(grade).label if grade else None) for year, grade in eligibility.rows]
        if eligibility
        else [],
        existing=existing,
        breadcrumb_tail=_("Register in a model programme"),
    )


@require_GET
def detail(request, pk):
    registration = programmes.get_registration_for_user(request.user, pk, action=VIEW)
    organization = registration.organization
    access = get_access(request.user)
    status = registration.status
    in_progress = status in programmes.IN_PROGRESS_STATUSES
    open_statuses = (ModelRegistration.Status.REGISTERED, *programmes.IN_PROGRESS_STATUSES)
    checks = list(registration.year_checks.select_related("checked_by").order_by("year"))
    for check in checks:
        check.rows = programmes.check_result_rows(check)
        check.pending = bool(programmes.unknown_codes(check.results)) and not programmes.unmet_codes(check.results)
    checked_years = {check.year for check in checks}
    today = timezone.localdate()
    return organization_page(
        request,
        "evaluations/programme_detail.html",
        organization,
        registration=registration,
        programme_label=programmes.programme_label(registration.programme),
        snapshot=[
            (year, Grade(grade).label if grade else None)
            for year, grade in sorted(registration.eligibility_snapshot.items())
        ],
        checks=checks,
        years=[(year, year in checked_years) for year in programmes.check_years(registration)],
        blockers=programmes.recognition_blockers(registration) if in_progress else [],
        can_approve=status == ModelRegistration.Status.REGISTERED and access.can(DECIDE, organization),
        can_check=in_progress and access.can(APPRAISE, organization),
        can_decide=in_progress and access.can(DECIDE, organization),
        can_fail=status in open_statuses and access.can(DECIDE, organization),
        can_withdraw=status in open_statuses and access.can(SELF_ASSESS, organization),
        approval_form=ApprovalForm(initial={"approved_on": today}),
        recognition_form=RecognitionForm(initial={"recognised_on": today}),
        fail_form=ReasonForm(prefix="fail"),
        withdraw_form=OptionalReasonForm(prefix="withdraw"),
        history=audit_history(registration, limit=100),
        breadcrumb_tail=_("Model programme"),
    )


def _registration_step(request, pk, *, action: str, form: forms.Form, service, actor: str, done: str):
    """A step posted from the registration page: check the form, call the service with the form's data and the
    user (as its keyword `actor`), say how it went, and go back to the registration."""
    registration = programmes.get_registration_for_user(request.user, pk, action=action)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("programmes:detail", registration.pk)
    data = {name: value for name, value in form.cleaned_data.items() if name not in ("form_token", "confirmed")}
    try:
        _saved, url, first = once(
            request,
            form,
            lambda: service(registration=registration, **{actor: request.user}, **data),
            ("programmes:detail", registration.pk),
        )
    except ValidationError as error:
        _service_errors(request, error)
    else:
        if not first:
            return already_sent(request, url)
        messages.success(request, done)
    return redirect("programmes:detail", registration.pk)


@require_POST
def approve(request, pk):
    return _registration_step(
        request,
        pk,
        action=DECIDE,
        form=ApprovalForm(request.POST),
        service=programmes.registration_approve,
        actor="approved_by",
        done=_("The registration has been approved."),
    )


def check(request, pk, year):
    registration = programmes.get_registration_for_user(request.user, pk, action=APPRAISE)
    if not registration.phase_start <= year <= registration.phase_end:
        raise Http404
    target_form = None
    if request.method == "POST" and request.POST.get("action") == "target":
        # The admission target of the year (B23), on this page because the admission criterion reads it.
        target_form = AdmissionTargetForm(request.POST, prefix="target")
        response = save_form(
            request,
            target_form,
            lambda data: programmes.admission_target_set(
                organization=registration.organization, year=year, set_by=request.user, **data
            ),
            message=_("The admission target has been saved."),
            to=("programmes:check", registration.pk, year),
        )
        if response is not None:
            return response
    elif request.method == "POST":
        criteria_set = programmes.programme_criteria_set(
            organization=registration.organization, programme=registration.programme, year=year
        )
        codes = (
            criteria_set.criteria.exclude(kind=Criterion.Kind.METRIC).values_list("code", flat=True)
            if criteria_set
            else []
        )
        answers = {
            code: {
                "met": request.POST.get(f"met-{code}") == "on",
                "evidence": request.POST.get(f"evidence-{code}", "")[:2000],
            }
            for code in codes
        }
        try:
            for code, answer in answers.items():  # the input policy (cells/inputs.py) on texts read outside a form
                problem = text_error(answer["evidence"])
                if problem:
                    raise ValidationError(f"{code}: {problem}")
            result = programmes.year_check(
                registration=registration, year=year, answers=answers, checked_by=request.user
            )
        except ValidationError as error:
            # Nothing the user typed can fix these (state, missing criteria set): say why and show the page again.
            _service_errors(request, error)
            return redirect("programmes:check", registration.pk, year)
        if result.passed:
            messages.success(request, _("Yearly check %(year)s recorded: the criteria are met.") % {"year": year})
        elif programmes.unknown_codes(result.results) and not programmes.unmet_codes(result.results):
            messages.warning(
                request,
                _("Yearly check %(year)s recorded: some results are not known yet; record it again once they are.")
                % {"year": year},
            )
        else:
            messages.warning(request, _("Yearly check %(year)s recorded: criteria not met.") % {"year": year})
        return redirect("programmes:detail", registration.pk)
    page = programmes.check_page(registration=registration, year=year)
    admission = page.get("admission")
    if admission is not None and target_form is None:
        row = admission["row"]
        target_form = AdmissionTargetForm(
            prefix="target", initial={"target": row.target if row else None, "version": row.version if row else ""}
        )
    return organization_page(
        request,
        "evaluations/programme_check.html",
        registration.organization,
        registration=registration,
        programme_label=programmes.programme_label(registration.programme),
        year=year,
        year_started=year <= timezone.localdate().year,
        target_form=target_form,
        **page,
        breadcrumb_tail=_("Yearly check %(year)s") % {"year": year},
    )


@require_POST
def recognise(request, pk):
    return _registration_step(
        request,
        pk,
        action=DECIDE,
        form=RecognitionForm(request.POST),
        service=programmes.registration_recognise,
        actor="recognised_by",
        done=_("The cell has been recognised."),
    )


@require_POST
def fail(request, pk):
    return _registration_step(
        request,
        pk,
        action=DECIDE,
        form=ReasonForm(request.POST, prefix="fail"),
        service=programmes.registration_fail,
        actor="failed_by",
        done=_("The registration has been closed as not achieved."),
    )


@require_POST
def withdraw(request, pk):
    return _registration_step(
        request,
        pk,
        action=SELF_ASSESS,
        form=OptionalReasonForm(request.POST, prefix="withdraw"),
        service=programmes.registration_withdraw,
        actor="withdrawn_by",
        done=_("The registration has been withdrawn."),
    )
