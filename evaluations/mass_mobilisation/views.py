"""The "Dân vận khéo" register pages (D9, B25): the register of a subtree for a year, and add / edit / delete.

Every page loads through cells.permissions (404 outside the user's subtrees, 403 when the role is too weak): the
register is seen with VIEW; a model is recorded, changed or deleted with APPRAISE on its organisation (the
grassroots committee or the bloc staff, who assess and recognise the models).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.forms_pages import already_sent, form_page, once, organization_page, save_form
from cells.inputs import YEAR_MAX, YEAR_MIN, int_param
from cells.models import Organization, SubmittedForm
from cells.permissions import (
    APPRAISE,
    VIEW,
    default_root,
    get_access,
    get_organization_for_user,
    organizations_visible_to,
    require_anywhere,
)
from evaluations.mass_mobilisation import services
from evaluations.mass_mobilisation.forms import ModelCreateForm, ModelEditForm, RegisterFilterForm
from evaluations.models import MassMobilisationModel
from evaluations.review.forms import ConfirmForm


def index_url(organization: Organization, year: int) -> str:
    return f"{reverse('massmobilisation:index')}?{urlencode({'org': organization.pk, 'year': year})}"


@require_GET
def index(request):
    require_anywhere(request.user, VIEW)
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    if data.get("org"):
        root = get_organization_for_user(request.user, data["org"], action=VIEW)
    else:
        root = default_root(request.user)
        if root is None:
            raise Http404
    rows = list(services.register(user=request.user, root=root, year=year))
    children = list(organizations_visible_to(request.user).filter(parent=root).order_by("path"))
    per_child = {child.pk: {"organization": child, "total": 0, "recognised": 0} for child in children}
    for row in rows:
        for child in children:
            if row.organization.path.startswith(child.path):
                per_child[child.pk]["total"] += 1
                per_child[child.pk]["recognised"] += row.is_recognised
                break
    access = get_access(request.user)
    for row in rows:
        row.can_edit = access.can(APPRAISE, row.organization)
    return organization_page(
        request,
        "evaluations/mass_mobilisation_index.html",
        root,
        form=form,
        root=root,
        year=year,
        rows=rows,
        children=list(per_child.values()),
        counts=services.level_counts(user=request.user, root=root, year=year),
        score_range=services.score_range(year),
        can_add=root.dissolved_on is None and access.can(APPRAISE, root),
        breadcrumb_tail=_("Mass mobilisation models"),
    )


def create(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=APPRAISE)
    if organization.dissolved_on is not None:
        raise Http404
    year = int_param(request, "year", default=timezone.localdate().year, min=YEAR_MIN, max=YEAR_MAX)
    if request.method == "POST":  # the range shown is the year typed (the service checks the year again)
        try:
            year = min(max(int(request.POST.get("year", "")), YEAR_MIN), YEAR_MAX)
        except ValueError:
            pass
    form = ModelCreateForm(request.POST or None, initial={"year": year})
    form.show_range(services.score_range(year))
    response = save_form(
        request,
        form,
        lambda data: services.model_create(
            organization=organization, year=data["year"], data=data, created_by=request.user
        ),
        message=_("The model has been added to the register."),
        to=lambda model: index_url(organization, model.year),
    )
    return response or form_page(
        request,
        "evaluations/mass_mobilisation_form.html",
        form,
        organization,
        title=_("New mass mobilisation model — %(name)s") % {"name": organization.name},
        cancel_url=index_url(organization, year),
        breadcrumb_tail=_("Mass mobilisation models"),
    )


def edit(request, pk):
    model = services.get_model_for_user(request.user, pk, action=APPRAISE)
    initial = {name: getattr(model, name) for name in services.FIELDS} | {"version": model.version}
    form = ModelEditForm(request.POST or None, initial=initial)
    form.show_range(services.score_range(model.year))
    response = save_form(
        request,
        form,
        lambda data: services.model_update(
            model=model, data=data, version=data.get("version"), updated_by=request.user
        ),
        message=_("Saved."),
        to=index_url(model.organization, model.year),
    )
    return response or form_page(
        request,
        "evaluations/mass_mobilisation_form.html",
        form,
        model.organization,
        model=model,
        delete_form=ConfirmForm(),
        title=_("%(name)s (%(year)s)") % {"name": model.name, "year": model.year},
        cancel_url=index_url(model.organization, model.year),
        breadcrumb_tail=_("Mass mobilisation models"),
    )


@require_POST
def delete(request, pk):
    """Delete a model from the register: only with "I confirm" ticked (#15 item 8), once per form shown (the same
    form sent again lands on the register, not on a 404 of the model gone)."""
    form = ConfirmForm(request.POST)
    if form.is_valid():
        earlier = SubmittedForm.objects.filter(token=form.cleaned_data["form_token"], user=request.user).first()
        if earlier is not None and earlier.result_url:
            return already_sent(request, earlier.result_url)
    model: MassMobilisationModel = services.get_model_for_user(request.user, pk, action=APPRAISE)
    organization, year = model.organization, model.year
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("massmobilisation:edit", model.pk)
    once(
        request,
        form,
        lambda: services.model_delete(model=model, deleted_by=request.user),
        lambda _deleted: index_url(organization, year),
    )
    messages.success(request, _("The model has been deleted from the register."))
    return redirect(index_url(organization, year))
