"""Monthly content guidance pages: the list of guidance a user can see, and publishing at a node."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells import selectors
from cells.permissions import APPRAISE, get_access, get_organization_for_user
from cells.views import apply_service_error
from meetings.guidance import services as guidance_services
from meetings.guidance.forms import GuidanceForm


@require_GET
def guidance_list(request):
    if not get_access(request.user).has_tree_access:
        raise PermissionDenied
    items = guidance_services.guidance_visible_to(user=request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/guidance_list.html",
        {"page": page, "publish_targets": guidance_services.guidance_publish_targets(user=request.user)},
    )


def guidance_create(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=APPRAISE)
    year, month = guidance_services.default_month()
    form = GuidanceForm(request.POST or None, initial={"year": year, "month": month})
    if request.method == "POST" and form.is_valid():
        try:
            guidance_services.guidance_publish(
                organization=organization, published_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Published the content guidance for %(name)s.") % {"name": organization.name})
            return redirect("guidance:list")
    return render(
        request,
        "meetings/guidance_form.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "breadcrumb_tail": _("Monthly content guidance"),
            "title": _("Monthly content guidance for %(name)s") % {"name": organization.name},
            "cancel_url": reverse("guidance:list"),
            "submit_label": _("Publish"),
        },
    )
