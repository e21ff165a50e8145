from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells import selectors as cell_selectors
from cells.permissions import EDIT_MEMBERS, VIEW, VIEW_SENSITIVE, get_access, get_organization_for_user, require
from cells.views import apply_service_error
from members import services
from members.forms import MemberCreateForm
from members.models import Member


def get_member_for_user(user, pk, *, action: str = VIEW) -> Member:
    """A member record for `user`: their own record always; others through the tree scope (404/403)."""
    try:
        member = Member.objects.select_related("organization").get(pk=int(pk))
    except (Member.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    access = get_access(user)
    if action == VIEW and access.member_id == member.pk:
        return member
    require(user, action, member.organization)
    return member


@require_GET
def member_detail(request, pk):
    member = get_member_for_user(request.user, pk)
    access = get_access(request.user)
    is_self = access.member_id == member.pk
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "is_self": is_self,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=member.organization)
            if access.can_see(member.organization)
            else [],
            "can_view_sensitive": is_self or access.can(VIEW_SENSITIVE, member.organization),
            "positions": member.positions.select_related("organization").order_by("-started_on"),
        },
    )


@require_GET
def my_record(request):
    access = get_access(request.user)
    if not access.member_id:
        raise Http404
    return redirect("members:detail", access.member_id)


def member_create(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=EDIT_MEMBERS)
    form = MemberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(organization=organization, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": member.full_name})
            return redirect("cells:detail", organization.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=organization),
            "title": _("New party member in %(name)s") % {"name": organization.name},
        },
    )
