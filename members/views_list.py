"""The member list with filters, and its export: exactly what the filter shows, within the user's scope."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from cells import selectors as cell_selectors
from cells.permissions import (
    EDIT_MEMBERS,
    VIEW,
    VIEW_SENSITIVE,
    get_access,
    get_organization_for_user,
    require_anywhere,
)
from members.forms import MemberFilterForm
from members.models import Member
from members.selectors import MemberFilter, member_list, status_counts


def _filters(request) -> tuple[MemberFilterForm, MemberFilter]:
    form = MemberFilterForm(request.GET or None)
    filters = MemberFilter()
    if form.is_valid():
        data = form.cleaned_data
        organization = None
        if data.get("org"):
            organization = get_organization_for_user(request.user, data["org"], action=VIEW)
        filters = MemberFilter(
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
    members = member_list(user=request.user, filters=filters)
    counts = status_counts(members)
    paginator = Paginator(members, 50)
    paginator.count = sum(counts.values())  # the per-status counts already add up to it: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
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
                (Member.Status(status).label, counts.get(status, 0))
                for status in Member.Status.values
                if counts.get(status)
            ],
            "total": sum(counts.values()),
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
            day(member.date_of_birth),
            member.get_status_display(),
            member.organization.name,
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
    members = member_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
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
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text: never a formula
            cells.append(cell)
        sheet.append(cells)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="dang-vien-{stamp}.xlsx"'
    workbook.save(response)
    return response
