"""Printouts for cells that meet on paper: the attendance sheet, the blank minutes form, and the minutes of a
logged meeting. Each is a PDF rendered during the request (a few tenths of a second for a cell of 25 members),
so there is no Report row or task behind them, unlike the reports app.

Each view loads the cell or meeting through cells.permissions (VIEW), reads the roll in a fixed number of
queries whatever its size, and hands the context to cells.pdf.render_pdf.
"""

import datetime
import urllib.parse

from django.conf import settings
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.inputs import YEAR_MIN, int_param
from cells.models import Organization
from cells.pdf import render_pdf
from cells.permissions import VIEW, get_organization_for_user
from cells.text import fold, given_name_sort_key
from meetings.models import Attendance, TemporaryAttendance
from meetings.services import attendance_counts
from meetings.views import get_meeting_for_user
from members.models import Member, Position, Transfer

A = Attendance.Status
NOT_ATTENDING = (Member.Status.EXEMPT, Member.Status.SUSPENDED)


#
# Loading, with access checks
#


def _get_cell(user, org_pk) -> Organization:
    cell = get_organization_for_user(user, org_pk, action=VIEW)
    if not cell.is_cell:  # only cells hold meetings; a committee has nothing to print here
        raise Http404
    return cell


def _period(request) -> tuple[int, int]:
    """The month the sheet is for, from ?year=&month=; the current month when missing or out of range."""
    today = timezone.localdate()
    year = int_param(request, "year", min=YEAR_MIN, max=today.year + 1)
    month = int_param(request, "month", min=1, max=12)
    if year is None or month is None:
        return today.year, today.month
    return year, month


#
# What the documents show
#


def _issuer(cell: Organization) -> dict:
    """The issuing body in the header: the cell's parent on the upper line, the cell below it."""
    return {"issuer_parent": cell.parent.name if cell.parent_id else "", "issuer_name": cell.name}


def _document_place() -> str:
    # No place is recorded per node yet; a deployment can name its town once. Otherwise a blank to fill in.
    return getattr(settings, "CHIBO_DOCUMENT_PLACE", "")


def _secretary_name(cell: Organization) -> str:
    position = (
        Position.objects.filter(organization=cell, role=Position.Role.SECRETARY, ended_on__isnull=True)
        .select_related("member")
        .order_by("-started_on", "-id")
        .first()
    )
    return position.member.full_name if position else ""


def _membership(status: str) -> str:
    """The full / probationary column: "full", "probationary" or "" (only full members are ever exempted)."""
    if status in (Member.Status.FULL, Member.Status.EXEMPT):
        return "full"
    if status == Member.Status.PROBATIONARY:
        return "probationary"
    return ""


def _roll(cell: Organization) -> list[Member]:
    """The members on the cell's roll in Vietnamese name order (given name first), in one query."""
    members = list(
        Member.objects.filter(organization=cell, status__in=Member.ON_ROLL)
        .only("id", "full_name", "status", "sort_key", "organization_id")
        .order_by("sort_key", "id")
    )
    for member in members:
        member.membership = _membership(member.status)
        member.attends = member.status not in NOT_ATTENDING
        member.suspended = member.status == Member.Status.SUSPENDED
    return members


def _temporary_members(cell: Organization, year: int, month: int) -> list[Transfer]:
    """Temporary transfers into the cell that are open at some point of the month, in one query."""
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    transfers = (
        Transfer.objects.filter(to_organization=cell, kind=Transfer.Kind.TEMPORARY, decided_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("member", "from_organization")
    )
    # Sorted here: someone from outside the tree has only a name, no member row with a sort key.
    return sorted(transfers, key=lambda transfer: (given_name_sort_key(transfer.display_name), transfer.pk))


def _roll_counts(members: list[Member], temporary: list[Transfer]) -> dict:
    counts = {"total": len(members), "full": 0, "probationary": 0, "not_attending": 0, "temporary": len(temporary)}
    for member in members:
        if member.status in NOT_ATTENDING:
            counts["not_attending"] += 1
        elif member.status == Member.Status.FULL:
            counts["full"] += 1
        elif member.status == Member.Status.PROBATIONARY:
            counts["probationary"] += 1
    counts["eligible"] = counts["total"] - counts["not_attending"]
    return counts


def _pdf_response(pdf: bytes, title: str) -> HttpResponse:
    """Inline PDF named `title`.pdf: an ASCII fallback name plus the UTF-8 name (RFC 6266)."""
    ascii_name = (slugify(fold(title)) or "document") + ".pdf"
    utf8_name = urllib.parse.quote(title + ".pdf", safe="")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    # Member names: never kept by a shared cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


#
# Views
#


def _month_sheet(request, org_pk) -> tuple[Organization, dict]:
    """The cell and what every sheet for a month of it shows: the header, the month, the roll and its counts."""
    cell = _get_cell(request.user, org_pk)
    year, month = _period(request)
    members = _roll(cell)
    temporary = _temporary_members(cell, year, month)
    context = {
        **_issuer(cell),
        "cell": cell,
        "year": year,
        "month": month,
        "members": members,
        "temporary": temporary,
        "counts": _roll_counts(members, temporary),
        "place": _document_place(),
    }
    return cell, context


def _month_title(title: str, context: dict) -> str:
    return title % {"cell": context["cell"].name, "month": context["month"], "year": context["year"]}


@require_GET
def attendance_sheet(request, org_pk):
    cell, context = _month_sheet(request, org_pk)
    pdf = render_pdf("meetings/pdf/attendance_sheet.html", {**context, "signer_name": _secretary_name(cell)})
    return _pdf_response(pdf, _month_title(_("Attendance sheet %(cell)s %(month)02d-%(year)s"), context))


@require_GET
def minutes_blank(request, org_pk):
    _cell, context = _month_sheet(request, org_pk)
    pdf = render_pdf("meetings/pdf/minutes_blank.html", context)
    return _pdf_response(pdf, _month_title(_("Minutes form %(cell)s %(month)02d-%(year)s"), context))


@require_GET
def minutes(request, meeting_pk):
    """The minutes of a logged meeting. A draft prints too, marked as a draft on every page, so that the cell can
    read it over on paper before finalising; only finalised minutes print without the mark."""
    meeting = get_meeting_for_user(request.user, meeting_pk)  # with its cell's parent, for the header
    rows = list(meeting.attendances.select_related("member").order_by("member__sort_key", "member_id"))
    # Prefetched so that attendance_counts() reads the temporary attendees from this list, not a second query.
    prefetch_related_objects(
        [meeting],
        Prefetch(
            "temporary_attendances",
            queryset=TemporaryAttendance.objects.select_related("transfer__member", "transfer__from_organization"),
        ),
    )
    temporary_rows = sorted(
        meeting.temporary_attendances.all(), key=lambda row: (given_name_sort_key(row.transfer.display_name), row.pk)
    )
    counts = attendance_counts(meeting, rows)
    groups = {"present": [], "excused": [], "unexcused": [], "not_counted": []}
    group_of = {A.PRESENT: "present", A.EXCUSED: "excused", A.UNEXCUSED: "unexcused"}
    for row in rows:
        row.membership = _membership(row.member_status)
        groups[group_of.get(row.status, "not_counted")].append(row)
    not_attending_members = counts.total - counts.full - counts.probationary  # exempt or suspended on the day
    cell = meeting.organization
    vote_for_percent = None
    if meeting.vote_for is not None and counts.present_full:
        vote_for_percent = round(meeting.vote_for * 100 / counts.present_full, 1)
    context = {
        **_issuer(cell),
        "cell": cell,
        "meeting": meeting,
        "counts": counts,
        "rate_percent": round(counts.rate * 100, 1),
        "not_attending_members": not_attending_members,
        # Members not counted at this meeting beyond the exempt and suspended ones (e.g. on special duty).
        "show_not_counted": counts.not_counted != not_attending_members,
        "absent": counts.excused + counts.unexcused,
        "groups": groups,
        "temporary": temporary_rows,
        "votes_recorded": meeting.vote_for is not None,
        "vote_for_percent": vote_for_percent,
        "is_draft": not meeting.is_final,
        "place": _document_place(),
        "document_date": meeting.date,
    }
    pdf = render_pdf("meetings/pdf/minutes.html", context)
    title = _("Minutes %(cell)s %(month)02d-%(year)s") % {
        "cell": cell.name,
        "month": meeting.period_month,
        "year": meeting.period_year,
    }
    if not meeting.is_final:
        title = _("%(title)s (draft)") % {"title": title}
    return _pdf_response(pdf, title)
