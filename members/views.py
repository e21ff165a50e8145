from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells import selectors as cell_selectors
from cells.models import Organization
from cells.permissions import (
    EDIT_MEMBERS,
    VIEW,
    VIEW_SENSITIVE,
    get_access,
    get_organization_for_user,
    organizations_visible_to,
    require,
)
from cells.views import apply_service_error
from criteria.selectors import parameters_on_days
from members import services
from members.forms import (
    EndDateForm,
    MemberCreateForm,
    MemberEditForm,
    OfficialTransferForm,
    PositionForm,
    StatusChangeForm,
    TemporaryTransferForm,
    TemporaryTransferOutForm,
)
from members.models import Member, Position, Transfer


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
    can_edit = access.can(EDIT_MEMBERS, member.organization)
    transfers = list(
        member.transfers.select_related("from_organization", "to_organization").order_by("-decided_on", "-id")
    )
    params = parameters_on_days(transfer.decided_on for transfer in transfers)  # one query for all of them
    for transfer in transfers:
        transfer.deadlines = services.transfer_deadlines(transfer, params[transfer.decided_on])
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "is_self": is_self,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=member.organization)
            if access.can_see(member.organization)
            else [],
            "breadcrumb_tail": member.full_name,
            "can_view_sensitive": is_self or access.can(VIEW_SENSITIVE, member.organization),
            "can_edit": can_edit,
            "positions": member.positions.select_related("organization").order_by("ended_on", "-started_on"),
            "timeline": member.status_changes.select_related("recorded_by").order_by("effective_on", "id"),
            "transfers": transfers,
            "allowed_statuses": [Member.Status(s).label for s in services.ALLOWED_TRANSITIONS[member.status]],
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


def _member_page(request, member, form, title, submit_label, danger=False):
    return render(
        request,
        "members/member_action.html",
        {
            "form": form,
            "member": member,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=member.organization),
            "breadcrumb_tail": member.full_name,
            "title": title,
            "submit_label": submit_label,
            "danger": danger,
        },
    )


def member_edit(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    initial = {field: getattr(member, field) for field in services.EDITABLE_FIELDS}
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, data=form.cleaned_data, updated_by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:detail", member.pk)
    return _member_page(request, member, form, _("Edit %(name)s") % {"name": member.full_name}, _("Save"))


def member_status(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    choices = [
        (s, Member.Status(s).label) for s in Member.Status.values if s in services.ALLOWED_TRANSITIONS[member.status]
    ]
    if not choices:
        messages.error(request, _("The status of this member can no longer be changed here."))
        return redirect("members:detail", member.pk)
    form = StatusChangeForm(request.POST or None, choices=choices, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_status(member=member, changed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect("members:detail", member.pk)
    return _member_page(
        request, member, form, _("Change the status of %(name)s") % {"name": member.full_name}, _("Change status")
    )


def position_assign(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    # The member's cell and the party organisations above it that the user may edit members in.
    ancestor_ids = [*member.organization.ancestor_ids(), member.organization_id]
    organizations = organizations_visible_to(request.user, action=EDIT_MEMBERS).filter(
        pk__in=ancestor_ids, dissolved_on__isnull=True
    )
    form = PositionForm(
        request.POST or None,
        organizations=organizations.order_by("depth"),
        initial={"organization": member.organization_id, "started_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_assign(member=member, assigned_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The position has been recorded."))
            return redirect("members:detail", member.pk)
    return _member_page(
        request, member, form, _("Committee position for %(name)s") % {"name": member.full_name}, _("Save")
    )


def position_end(request, pk, position_pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    position = get_object_or_404(Position.objects.select_related("organization"), pk=position_pk, member=member)
    require(request.user, EDIT_MEMBERS, position.organization)
    form = EndDateForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.position_end(position=position, ended_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The position has ended."))
            return redirect("members:detail", member.pk)
    return _member_page(request, member, form, _("End the position: %(position)s") % {"position": position}, _("Save"))


def _cell_by_code(request, form, field: str, code: str):
    """A cell the user may edit members in, looked up by code; a form error (not a 404) otherwise."""
    cell = (
        organizations_visible_to(request.user, action=EDIT_MEMBERS)
        .filter(code__iexact=(code or "").strip(), kind__in=Organization.CELL_KINDS)
        .first()
    )
    if cell is None:
        form.add_error(field, _("There is no party cell with this code in the part of the tree you manage."))
    return cell


def transfer_official(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    form = OfficialTransferForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_organization = _cell_by_code(request, form, "to_code", data["to_code"]) if data["to_code"] else None
        if not form.errors:
            try:
                services.transfer_official(
                    member=member,
                    to_organization=to_organization,
                    to_text=data["to_text"] if to_organization is None else "",
                    decided_on=data["decided_on"],
                    decision_no=data["decision_no"],
                    letter_issued_on=data["letter_issued_on"],
                    letter_presented_on=data["letter_presented_on"],
                    reason=data["reason"],
                    transferred_by=request.user,
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The transfer has been recorded."))
                return redirect("members:detail", member.pk)
    return _member_page(
        request, member, form, _("Official transfer of %(name)s") % {"name": member.full_name}, _("Transfer")
    )


def transfer_temporary_out(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    form = TemporaryTransferOutForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        host = _cell_by_code(request, form, "to_code", data["to_code"])
        if host is not None:
            try:
                services.transfer_temporary(
                    member=member,
                    to_organization=host,
                    decided_on=data["decided_on"],
                    expected_return_on=data["expected_return_on"],
                    decision_no=data["decision_no"],
                    reason=data["reason"],
                    transferred_by=request.user,
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The temporary transfer has been recorded."))
                return redirect("members:detail", member.pk)
    return _member_page(
        request, member, form, _("Temporary transfer of %(name)s") % {"name": member.full_name}, _("Transfer")
    )


def temporary_in(request, org_pk):
    """Record someone from outside the tree who attends this cell temporarily (kept out of its headcount)."""
    organization = get_organization_for_user(request.user, org_pk, action=EDIT_MEMBERS)
    form = TemporaryTransferForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_temporary(to_organization=organization, transferred_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The temporary member has been recorded."))
            return redirect("cells:detail", organization.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=organization),
            "title": _("Temporary member attending %(name)s") % {"name": organization.name},
        },
    )


def temporary_end(request, transfer_pk):
    transfer = get_object_or_404(
        Transfer.objects.select_related("to_organization"), pk=transfer_pk, kind=Transfer.Kind.TEMPORARY
    )
    require(request.user, EDIT_MEMBERS, transfer.to_organization)
    form = EndDateForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_temporary_end(transfer=transfer, ended_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The temporary transfer has ended."))
            return redirect("cells:detail", transfer.to_organization_id)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "organization": transfer.to_organization,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=transfer.to_organization),
            "title": _("End the temporary attendance of %(name)s") % {"name": transfer.display_name},
        },
    )
