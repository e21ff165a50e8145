"""The member registry's pages: the member list with its filters and its export, a member's record and the forms
that change it (the record, the status, committee positions, transfers), and the members part of a node's page.

The list and its export show exactly what the filter selects, within the user's scope.
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from cells import hooks
from cells import selectors as cell_selectors
from cells.forms_pages import form_page, save_form
from cells.inputs import page_param
from cells.models import Organization
from cells.names import org_label
from cells.permissions import (
    APPRAISE,
    EDIT_MEMBERS,
    VIEW,
    VIEW_SENSITIVE,
    get_access,
    get_organization_for_user,
    organizations_visible_to,
    require,
    require_anywhere,
)
from members import discipline, selectors, services, spreadsheets
from members.forms import (
    DisciplineAnnulForm,
    DisciplineForm,
    EndDateForm,
    MemberCreateForm,
    MemberEditForm,
    MemberFilterForm,
    OfficialTransferForm,
    PositionForm,
    StatusChangeForm,
    TemporaryTransferForm,
    TemporaryTransferOutForm,
)
from members.models import Discipline, Member, Position, Transfer

#
# The list and its export
#


def _filters(request) -> tuple[MemberFilterForm, selectors.MemberFilter]:
    form = MemberFilterForm(request.GET or None)
    filters = selectors.MemberFilter()
    if form.is_valid():
        data = form.cleaned_data
        organization = None
        if data.get("org"):
            organization = get_organization_for_user(request.user, data["org"], action=VIEW)
        filters = selectors.MemberFilter(
            organization=organization,
            statuses=tuple(data.get("status") or ()),
            gender=data.get("gender") or "",
            age_band=data.get("age_band") or "",
            admission_year=data.get("admission_year"),
            position=data.get("position") or "",
            q=(data.get("q") or "").strip(),
        )
    return form, filters


@require_GET
def member_list_view(request):
    require_anywhere(request.user, VIEW)
    form, filters = _filters(request)
    members = selectors.member_list(user=request.user, filters=filters)
    counts = selectors.list_counts(user=request.user, filters=filters, members=members)
    paginator = Paginator(members, 50)
    paginator.count = counts.total  # counted once (kept counts, or bounded): no second COUNT of every match
    page = paginator.get_page(page_param(request))
    access = get_access(request.user)
    for member in page:  # personal data (date of birth) only with VIEW_SENSITIVE on the member's node, in memory
        member.show_personal = access.can(VIEW_SENSITIVE, member.organization)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "counts": [
                (Member.Status(status).label, counts.by_status[status])
                for status in Member.Status.values
                if counts.by_status.get(status)
            ],
            "total": counts.total,
            "total_exact": counts.exact,
            "querystring": query.urlencode(),
            "can_import": get_access(request.user).can_anywhere(EDIT_MEMBERS),
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=filters.organization)
            if filters.organization
            else [],
            "breadcrumb_tail": _("Party members") if filters.organization else "",
        },
    )


EXPORT_LIMIT = 200_000


def _export_rows(request, members):
    access = get_access(request.user)
    header = [
        _("Full name"),
        _("Gender"),
        _("Date of birth"),
        _("Status"),
        _("Party cell"),
        _("Admission date"),
        _("Full membership date"),
        _("Party card number"),
        _("Job title"),
        _("Workplace"),
        _("Phone"),
    ]
    yield header

    def day(value):
        return value.strftime("%d/%m/%Y") if value else ""

    for member in members.iterator(chunk_size=2000):
        sensitive = access.can(VIEW_SENSITIVE, member.organization)
        yield [
            member.full_name,
            member.get_gender_display() if member.gender else "",
            day(member.date_of_birth) if sensitive else "",  # personal data, like the phone
            member.get_status_display(),
            org_label(member.organization),
            day(member.admitted_on),
            day(member.official_on),
            member.party_card_no or "",
            member.job_title,
            member.workplace,
            member.phone if sensitive else "",
        ]


# Cells starting with these are run as formulas by spreadsheet programs (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


class _Echo:
    def write(self, value):
        return value


@require_GET
def member_export(request, fmt):
    require_anywhere(request.user, VIEW)
    _form, filters = _filters(request)
    members = selectors.member_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())
        # A byte-order mark so that spreadsheet programs read the Vietnamese text as UTF-8.
        stream = (
            ("\ufeff" if i == 0 else "") + writer.writerow([_csv_text(value) for value in row])
            for i, row in enumerate(_export_rows(request, members))
        )
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dang-vien-{stamp}.csv"'
        return response

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Party members")[:31])
    for row in _export_rows(request, members):
        sheet.append(spreadsheets.as_text(sheet, row))
    response = HttpResponse(content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="dang-vien-{stamp}.xlsx"'
    workbook.save(response)
    return response


#
# A member's record
#


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
    services.transfers_deadlines(transfers)  # the parameters and the holiday calendar read once for all of them
    timeline = list(member.status_changes.select_related("recorded_by").order_by("effective_on", "id"))
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
            "timeline": timeline,
            "probation": selectors.probation_of(member, timeline),
            "transfers": transfers,
            "residence_feedback": list(member.residence_feedback.order_by("-year")),  # QĐ 213 (D10)
            "can_record_residence": access.can(APPRAISE, member.organization),
            "allowed_statuses": [Member.Status(s).label for s in services.ALLOWED_TRANSITIONS[member.status]],
            **_discipline_context(
                request.user, member, can_view_sensitive=is_self or access.can(VIEW_SENSITIVE, member.organization)
            ),
            **_history_context(member, shown=is_self or access.can(VIEW_SENSITIVE, member.organization)),
        },
    )


def _history_context(member: Member, *, shown: bool) -> dict:
    """The member's attendance of the last 12 months and yearly ratings (#15 item 10), for the member themself and
    those who may see their personal data; three queries whatever the length of the record."""
    if not shown:
        return {"show_history": False}
    return {
        "show_history": True,
        "attendance_history": hooks.member_attendance_history(member, today=timezone.localdate()),
        "rating_history": hooks.member_rating_history(member),
    }


def _discipline_context(user, member: Member, *, can_view_sensitive: bool) -> dict:
    """The member's disciplinary decisions (D5), for those who may see personal data; recording them is for the
    committee above the cell."""
    if not can_view_sensitive:
        return {"show_discipline": False}
    return {
        "show_discipline": True,
        "disciplines": member.disciplines.select_related("recorded_by", "annulled_by").order_by("-decided_on", "-id"),
        "can_record_discipline": discipline.can_record_discipline(user, member),
    }


@require_GET
def my_record(request):
    access = get_access(request.user)
    if not access.member_id:
        raise Http404
    return redirect("members:detail", access.member_id)


def member_create(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=EDIT_MEMBERS)
    form = MemberCreateForm(request.POST or None)
    return _cell_form(
        request,
        organization,
        form,
        lambda data: services.member_create(organization=organization, created_by=request.user, **data),
        lambda member: _("Added %(name)s.") % {"name": member.full_name},
        _("New party member in %(name)s") % {"name": organization.name},
    )


def _cell_form(request, organization, form, save, message, title: str):
    """A form page about a cell's roll: `save` on a valid POST, then back to the cell (Cancel too)."""
    return save_form(request, form, save, message=message, to=("cells:detail", organization.pk)) or form_page(
        request, "members/member_form.html", form, organization, title=title
    )


def _member_form(request, member, form, save, message: str, title: str, submit_label: str | None = None):
    """A form page about one member: `save` on a valid POST, then back to the member's record (Cancel too)."""
    return save_form(request, form, save, message=message, to=("members:detail", member.pk)) or form_page(
        request,
        "members/member_action.html",
        form,
        member.organization,
        member=member,
        breadcrumb_tail=member.full_name,
        title=title,
        submit_label=submit_label or _("Save"),
    )


def member_edit(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    initial = {field: getattr(member, field) for field in services.EDITABLE_FIELDS} | {"version": member.version}
    form = MemberEditForm(request.POST or None, initial=initial)
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_update(
            member=member, data=data, version=data.get("version"), updated_by=request.user
        ),
        _("Saved."),
        _("Edit %(name)s") % {"name": member.full_name},
    )


def member_status(request, pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    # D1: a suspended member goes back only to the status held before the suspension.
    choices = [(s, Member.Status(s).label) for s in services.allowed_targets(member)]
    if not choices:
        messages.error(request, _("The status of this member can no longer be changed here."))
        return redirect("members:detail", member.pk)
    form = StatusChangeForm(request.POST or None, choices=choices, initial={"effective_on": timezone.localdate()})
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_change_status(member=member, changed_by=request.user, **data),
        _("The status has been changed."),
        _("Change the status of %(name)s") % {"name": member.full_name},
        _("Change status"),
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
    return _member_form(
        request,
        member,
        form,
        lambda data: services.position_assign(member=member, assigned_by=request.user, **data),
        _("The position has been recorded."),
        _("Committee position for %(name)s") % {"name": member.full_name},
    )


def position_end(request, pk, position_pk):
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    position = get_object_or_404(Position.objects.select_related("organization"), pk=position_pk, member=member)
    require(request.user, EDIT_MEMBERS, position.organization)
    form = EndDateForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return _member_form(
        request,
        member,
        form,
        lambda data: services.position_end(position=position, ended_by=request.user, **data),
        _("The position has ended."),
        _("End the position: %(position)s") % {"position": position},
    )


def _discipline_member(request, pk) -> Member:
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    if not discipline.can_record_discipline(request.user, member):
        raise PermissionDenied
    return member


def discipline_record(request, pk):
    member = _discipline_member(request, pk)
    form = DisciplineForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    return _member_form(
        request,
        member,
        form,
        lambda data: discipline.discipline_record(member=member, recorded_by=request.user, **data),
        _("The disciplinary decision has been recorded."),
        _("Disciplinary decision for %(name)s") % {"name": member.full_name},
    )


def discipline_annul(request, pk, discipline_pk):
    member = _discipline_member(request, pk)
    record = get_object_or_404(Discipline, pk=discipline_pk, member=member)
    form = DisciplineAnnulForm(request.POST or None)
    return _member_form(
        request,
        member,
        form,
        lambda data: discipline.discipline_annul(discipline=record, annulled_by=request.user, **data),
        _("The disciplinary decision has been annulled."),
        _("Annul the disciplinary decision %(number)s") % {"number": record.decision_no},
        _("Annul"),
    )


def _cell_by_code(request, code: str) -> Organization:
    """A cell the user may edit members in, looked up by code; an error on the form's to_code (not a 404) otherwise."""
    cell = (
        organizations_visible_to(request.user, action=EDIT_MEMBERS)
        .filter(code__iexact=(code or "").strip(), kind__in=Organization.CELL_KINDS)
        .first()
    )
    if cell is None:
        raise ValidationError(
            {"to_code": _("There is no party cell with this code in the part of the tree you manage.")}
        )
    return cell


def _transfer_page(request, pk, form_class, transfer, message: str, title: str):
    """Transfer a member (officially or temporarily) with `transfer` (the service): the form's other fields are its
    arguments, and its to_code names the receiving cell in the tree (none: an organisation outside it, to_text)."""
    member = get_member_for_user(request.user, pk, action=EDIT_MEMBERS)
    form = form_class(request.POST or None, initial={"decided_on": timezone.localdate()})

    def save(data):
        data = dict(data)
        to_code = data.pop("to_code")
        to_organization = _cell_by_code(request, to_code) if to_code else None
        if to_organization is not None and "to_text" in data:
            data["to_text"] = ""
        return transfer(member=member, to_organization=to_organization, transferred_by=request.user, **data)

    return _member_form(request, member, form, save, message, title % {"name": member.full_name}, _("Transfer"))


def transfer_official(request, pk):
    return _transfer_page(
        request,
        pk,
        OfficialTransferForm,
        services.transfer_official,
        _("The transfer has been recorded."),
        _("Official transfer of %(name)s"),
    )


def transfer_temporary_out(request, pk):
    return _transfer_page(
        request,
        pk,
        TemporaryTransferOutForm,
        services.transfer_temporary,
        _("The temporary transfer has been recorded."),
        _("Temporary transfer of %(name)s"),
    )


def temporary_in(request, org_pk):
    """Record someone from outside the tree who attends this cell temporarily (kept out of its headcount)."""
    organization = get_organization_for_user(request.user, org_pk, action=EDIT_MEMBERS)
    form = TemporaryTransferForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    return _cell_form(
        request,
        organization,
        form,
        lambda data: services.transfer_temporary(to_organization=organization, transferred_by=request.user, **data),
        _("The temporary member has been recorded."),
        _("Temporary member attending %(name)s") % {"name": organization.name},
    )


def temporary_end(request, transfer_pk):
    transfer = get_object_or_404(
        Transfer.objects.select_related("to_organization"), pk=transfer_pk, kind=Transfer.Kind.TEMPORARY
    )
    require(request.user, EDIT_MEMBERS, transfer.to_organization)
    form = EndDateForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return _cell_form(
        request,
        transfer.to_organization,
        form,
        lambda data: services.transfer_temporary_end(transfer=transfer, ended_by=request.user, **data),
        _("The temporary transfer has ended."),
        _("End the temporary attendance of %(name)s") % {"name": transfer.display_name},
    )


#
# The members part of a node's page
#


def organization_page_context(request, organization: Organization) -> dict:
    """The members part of a node's page (cells.views.organization_detail, through cells.hooks): the roll of a
    cell (paged), the committee in office, the latest transfers in and out, temporary members, probation alerts."""
    members_page = None
    if organization.is_cell:
        members = Member.objects.filter(organization=organization).order_by("sort_key", "id")
        members_page = Paginator(members, 50).get_page(page_param(request))
    committee = (
        organization.positions.filter(ended_on__isnull=True)
        .select_related("member")
        .order_by("role", "member__sort_key")
    )
    transfers = (
        Transfer.objects.filter(Q(from_organization=organization) | Q(to_organization=organization))
        .select_related("member", "from_organization", "to_organization")
        .order_by("-decided_on", "-id")[:20]
    )
    temporary = (
        Transfer.objects.filter(to_organization=organization, kind=Transfer.Kind.TEMPORARY, ended_on__isnull=True)
        .select_related("member", "from_organization")
        .order_by("member_name", "id")
    )
    return {
        "members_page": members_page,
        "committee": committee,
        "transfers": transfers,
        "temporary": temporary if organization.is_cell else [],
        "probation_alerts": selectors.probation_alerts(user=request.user, organization=organization, limit=20),
    }
