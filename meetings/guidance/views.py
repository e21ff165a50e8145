"""Monthly content guidance pages: the list of guidance a user can see, and publishing at a node."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.forms_pages import form_page, save_form
from cells.inputs import page_param
from cells.permissions import APPRAISE, get_access, get_organization_for_user
from meetings.guidance import services as guidance_services
from meetings.guidance.forms import GuidanceForm


@require_GET
def guidance_list(request):
    if not get_access(request.user).has_tree_access:
        raise PermissionDenied
    items = guidance_services.guidance_visible_to(user=request.user)
    page = Paginator(items, 50).get_page(page_param(request))
    return render(
        request,
        "meetings/guidance_list.html",
        {"page": page, "publish_targets": guidance_services.guidance_publish_targets(user=request.user)},
    )


def guidance_create(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=APPRAISE)
    year, month = guidance_services.default_month()
    form = GuidanceForm(request.POST or None, initial={"year": year, "month": month})
    return save_form(
        request,
        form,
        lambda data: guidance_services.guidance_publish(organization=organization, published_by=request.user, **data),
        message=_("Published the content guidance for %(name)s.") % {"name": organization.name},
        to="guidance:list",
    ) or form_page(
        request,
        "meetings/guidance_form.html",
        form,
        organization,
        breadcrumb_tail=_("Monthly content guidance"),
        title=_("Monthly content guidance for %(name)s") % {"name": organization.name},
        cancel_url=reverse("guidance:list"),
        submit_label=_("Publish"),
    )
