"""Meeting log pages. Each view: load through the access module, validate a form, call one service."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.forms_pages import (
    already_sent,
    apply_service_error,
    flash_service_error,
    form_page,
    once,
    organization_page,
    save_form,
)
from cells.hooks import parameters_on
from cells.inputs import YEAR_MIN, check_text, choice_param, int_param, page_param
from cells.numbers import parse_decimal
from cells.permissions import (
    APPRAISE,
    LOG_MEETINGS,
    REOPEN_MEETINGS,
    UPPER_ROLES,
    VIEW,
    acts_from_above,
    default_root,
    get_access,
    get_organization_for_user,
    require,
    require_anywhere,
)
from cells.selectors import audit_history
from meetings import selectors as selectors
from meetings import services as services
from meetings.forms import AttachmentForm, MeetingForm, PeriodForm, ReasonForm
from meetings.guidance.services import guidance_for_cell
from meetings.models import Attendance, Meeting, MeetingAttachment
from members.models import Member


def get_meeting_for_user(user, pk, *, action: str = VIEW) -> Meeting:
    try:
        meeting = Meeting.objects.select_related(
            "organization", "organization__parent", "presiding", "minute_taker"
        ).get(pk=int(pk))
    except (Meeting.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, action, meeting.organization)
    return meeting


def _year(request) -> int:
    this_year = timezone.localdate().year
    return int_param(request, "year", default=this_year, min=YEAR_MIN, max=this_year)


def _cell_members(cell):

    return Member.objects.filter(organization=cell, status__in=Member.ON_ROLL).order_by("sort_key", "id")


#
# A cell's meetings
#


@require_GET
def cell_meetings(request, org_pk):
    cell = get_organization_for_user(request.user, org_pk, action=VIEW)
    if not cell.is_cell:
        return redirect(f"{_compliance_url()}?org={cell.pk}")
    year = _year(request)
    grid = selectors.cell_year_grid(cell=cell, year=year)
    access = get_access(request.user)
    return organization_page(
        request,
        "meetings/cell.html",
        cell,
        breadcrumb_tail=_("Meetings"),
        year=year,
        years=list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
        grid=grid,
        can_log=access.can(LOG_MEETINGS, cell) and cell.is_active,
        yearly_level=selectors.yearly_meeting_level(cell=cell, year=year),
    )


def _compliance_url():

    return reverse("meetings:compliance")


def meeting_create(request, org_pk):
    cell = get_organization_for_user(request.user, org_pk, action=LOG_MEETINGS)
    members = _cell_members(cell)
    today = timezone.localdate()
    initial = {
        "kind": choice_param(request, "kind", Meeting.Kind.values, default=Meeting.Kind.REGULAR),
        "period_month": today.month,
        "period_year": today.year,
        "date": today,
        "format": Meeting.Format.IN_PERSON,
        "start_time": datetime.time(8, 0),
        "end_time": datetime.time(9, 30),
    }
    secretary = cell.positions.filter(role="BI_THU", ended_on__isnull=True).values_list("member_id", flat=True).first()
    if secretary:
        initial["presiding"] = secretary
    form = MeetingForm(request.POST or None, members=members, initial=initial)
    guidance = _guidance(cell, today.year, today.month)
    return save_form(
        request,
        form,
        lambda data: services.meeting_create(organization=cell, data=_without_version(data), created_by=request.user),
        message=_("The meeting has been logged. Now tap the absentees."),
        to=lambda meeting: ("meetings:detail", meeting.pk),
    ) or form_page(request, "meetings/form.html", form, cell, breadcrumb_tail=_("New meeting"), guidance=guidance)


def _without_version(data: dict) -> dict:
    """The meeting's fields from a MeetingForm's data (the version only guards against concurrent edits, the token
    against a double submit)."""
    return {k: v for k, v in data.items() if k not in ("version", "form_token")}


def _guidance(cell, year, month):

    return guidance_for_cell(cell=cell, year=year, month=month)


def _attendance_from_post(post) -> dict[int, dict]:
    attendance = {}
    for key, value in post.items():
        if not key.startswith("att-"):
            continue
        try:
            member_id = int(key[4:])
        except ValueError:
            raise ValidationError(
                _("Attendance was sent for someone who is not on this cell's roll for the meeting.")
            ) from None
        reason = post.get(f"reason-{member_id}", "")
        check_text(reason, multiline=False)  # the input policy (cells/inputs.py): read outside a form
        attendance[member_id] = {
            "status": value,
            "reason": reason,
            "spoke": post.get(f"spoke-{member_id}") == "on",
        }
    return attendance


def _temporary_from_post(post, meeting) -> dict[int, bool]:
    if "temporary-sent" not in post:
        return {}
    present = set()
    for value in post.getlist("temporary"):
        try:
            present.add(int(value))
        except ValueError:
            raise ValidationError(_("Some attendees are not temporary members of this meeting.")) from None
    return {row.pk: row.pk in present for row in meeting.temporary_attendances.all()} | {pk: True for pk in present}


def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk, action=VIEW)
    access = get_access(request.user)
    can_edit = access.can(LOG_MEETINGS, meeting.organization) and not meeting.is_final
    members = _cell_members(meeting.organization)
    form = MeetingForm(
        request.POST or None,
        members=members,
        initial={**{f: getattr(meeting, f) for f in services.MEETING_FIELDS}, "version": meeting.version},
    )
    attendance_rows = list(meeting.attendances.select_related("member").order_by("member__sort_key", "member_id"))
    posted_attendance = {}
    if request.method == "POST":
        if not can_edit:
            require(request.user, LOG_MEETINGS, meeting.organization)
            messages.error(request, _("This meeting is finalised: ask the grassroots committee to reopen it."))
            return redirect("meetings:detail", meeting.pk)
        if form.is_valid():
            try:
                posted_attendance = _attendance_from_post(request.POST)
                _saved, url, first = once(
                    request,
                    form,
                    lambda: services.meeting_update(
                        meeting=meeting,
                        data=_without_version(form.cleaned_data),
                        attendance=posted_attendance,
                        temporary_present=_temporary_from_post(request.POST, meeting),
                        version=form.cleaned_data.get("version"),
                        updated_by=request.user,
                    ),
                    ("meetings:score" if request.POST.get("next") == "score" else "meetings:detail", meeting.pk),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                if not first:
                    return already_sent(request, url)
                messages.success(request, _("Saved."))
                return redirect(url)
        # Keep what the user tapped when the form comes back with errors.
        posted_attendance = posted_attendance or {
            int(k[4:]): {"status": v, "reason": request.POST.get(f"reason-{k[4:]}", "")}
            for k, v in request.POST.items()
            if k.startswith("att-") and k[4:].isdigit()
        }
        for row in attendance_rows:
            if row.member_id in posted_attendance:
                row.status = posted_attendance[row.member_id]["status"]
                row.reason = posted_attendance[row.member_id].get("reason", "")
    counts = services.attendance_counts(meeting, attendance_rows)
    duration = services.duration_check(meeting, counts)
    return _meeting_page(
        request,
        "meetings/detail.html",
        meeting,
        breadcrumb_tail=str(meeting.period_month) + "/" + str(meeting.period_year),
        form=form,
        attendance_rows=attendance_rows,
        temporary_rows=meeting.temporary_attendances.select_related("transfer", "transfer__member"),
        counts=counts,
        problems=services.finalise_problems(meeting, counts) if not meeting.is_final else [],
        warnings=services.finalise_warnings(meeting, counts, duration) if not meeting.is_final else [],
        duration=duration if meeting.kind in services.DURATION_KINDS else None,
        required_minutes=duration.minimum,
        can_edit=can_edit,
        can_reopen=meeting.is_final and access.can(REOPEN_MEETINGS, meeting.organization),
        can_confirm=meeting.is_final
        and meeting.score is not None
        and not meeting.confirmed_at
        and acts_from_above(request.user, meeting.organization, action=APPRAISE, roles=UPPER_ROLES),
        attachments=meeting.attachments.all(),
        attachment_form=AttachmentForm(),
        history=audit_history(meeting, limit=50),
        Attendance=Attendance,
    )


def _meeting_page(request, template_name: str, meeting: Meeting, **context):
    """A page about one meeting: the meeting, its cell and the cell's breadcrumbs, and `context`."""
    return organization_page(request, template_name, meeting.organization, meeting=meeting, **context)


def meeting_score(request, pk):
    meeting = get_meeting_for_user(request.user, pk, action=LOG_MEETINGS)
    template = meeting.score_template or services.score_template_on(meeting.date)
    if template is None:
        messages.error(request, _("No score sheet is valid for this date."))
        return redirect("meetings:detail", meeting.pk)
    items = list(template.items.all())
    existing = {score.item_id: score.points for score in meeting.scores.all()}
    counts = services.attendance_counts(meeting)
    auto = services.automatic_points(meeting, counts)
    reasons = services.automatic_reasons(meeting, counts, auto)
    errors = []
    if request.method == "POST":
        points = {}
        for item in items:
            if item.auto_key:
                continue
            try:
                # "7,5" or "7.5"; an empty box counts as 0.
                points[item.pk] = parse_decimal(request.POST.get(f"item-{item.pk}")) or Decimal(0)
            except InvalidOperation:
                errors.append(_("%(code)s: enter a number.") % {"code": item.code})
        if not errors:
            try:
                services.meeting_score(
                    meeting=meeting, manual_points=points, version=request.POST.get("version"), scored_by=request.user
                )
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, _("The score has been saved."))
                return redirect("meetings:detail", meeting.pk)
    rows = []
    for item in items:
        value = existing.get(item.pk)
        if item.auto_key:
            value = item.max_points if auto.get(item.auto_key) else Decimal(0)
        elif request.method == "POST":
            value = request.POST.get(f"item-{item.pk}", "")
        rows.append(
            {
                "item": item,
                "value": value if value is not None else item.max_points,
                "reason": reasons.get(item.auto_key, "") if item.auto_key else "",
            }
        )
    return _meeting_page(
        request,
        "meetings/score.html",
        meeting,
        breadcrumb_tail=_("Quality score"),
        template=template,
        rows=rows,
        errors=errors,
    )


@require_POST
def meeting_finalise(request, pk):
    meeting = get_meeting_for_user(request.user, pk, action=LOG_MEETINGS)
    try:
        services.meeting_finalise(meeting=meeting, version=request.POST.get("version"), finalised_by=request.user)
    except ValidationError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, _("The minutes have been finalised."))
    return redirect("meetings:detail", meeting.pk)


def meeting_reopen(request, pk):
    meeting = get_meeting_for_user(request.user, pk, action=REOPEN_MEETINGS)
    form = ReasonForm(request.POST or None)
    return save_form(
        request,
        form,
        lambda data: services.meeting_reopen(meeting=meeting, reason=data["reason"], reopened_by=request.user),
        message=_("The minutes have been reopened for correction."),
        to=("meetings:detail", meeting.pk),
    ) or form_page(
        request,
        "cells/organization_action.html",
        form,
        meeting.organization,
        title=_("Reopen the minutes of %(meeting)s") % {"meeting": meeting},
        submit_label=_("Reopen"),
        danger=True,
    )


@require_POST
def meeting_confirm(request, pk):
    meeting = get_meeting_for_user(request.user, pk, action=APPRAISE)
    if not acts_from_above(request.user, meeting.organization, action=APPRAISE, roles=UPPER_ROLES):
        raise PermissionDenied
    try:
        services.meeting_confirm(meeting=meeting, confirmed_by=request.user)
    except ValidationError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, _("The score has been confirmed."))
    return redirect("meetings:detail", meeting.pk)


@require_POST
def attachment_add(request, pk):
    meeting = get_meeting_for_user(request.user, pk, action=LOG_MEETINGS)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _saved, url, first = once(
                request,
                form,
                lambda: services.attachment_add(
                    meeting=meeting, uploaded_file=form.cleaned_data["file"], uploaded_by=request.user
                ),
                ("meetings:detail", meeting.pk),
            )
        except ValidationError as error:
            flash_service_error(request, error)
        else:
            if not first:
                return already_sent(request, url)
            messages.success(request, _("The file has been attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("meetings:detail", meeting.pk)


@require_GET
def attachment_download(request, pk):
    attachment = get_object_or_404(MeetingAttachment.objects.select_related("meeting__organization"), pk=pk)
    require(request.user, VIEW, attachment.meeting.organization)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


#
# Compliance across a subtree
#


def _period_and_root(request):
    """For the pages about a subtree over a period (VIEW somewhere): the period form, the period and the root."""
    require_anywhere(request.user, VIEW)
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    year, month, quarter, org = today.year, None, None, None
    if form.is_valid():
        year = form.cleaned_data.get("year") or today.year
        month = form.cleaned_data.get("month")
        quarter = form.cleaned_data.get("quarter") if not month else None
        org = form.cleaned_data.get("org")
    year = min(year, today.year)
    root = get_organization_for_user(request.user, org, action=VIEW) if org else default_root(request.user)
    if root is None:
        raise Http404
    return form, selectors.Period(year=year, month=month, quarter=quarter), root


def _period_page(request, template_name: str, tail: str, period, root, **context):
    """A page about the subtree under `root` over `period`, with the root's breadcrumbs and then `tail`."""
    return organization_page(request, template_name, root, period=period, root=root, breadcrumb_tail=tail, **context)


MISSING_SHOWN = 200  # cells listed on the compliance page; the PDF/Excel report lists them all
HEAT_ROWS = 100  # heat-map rows per page (a bloc may have thousands of grassroots organisations)


@require_GET
def compliance(request):
    form, period, root = _period_and_root(request)
    kpis = selectors.kpis(user=request.user, root=root, period=period)
    missing = selectors.missing_cells(user=request.user, root=root, period=period, limit=MISSING_SHOWN)
    heat_page = Paginator(selectors.heat_rows(user=request.user, root=root, year=period.year), HEAT_ROWS).get_page(
        page_param(request, "rows")
    )
    selectors.fill_heat_months(heat_page.object_list, user=request.user, root=root, year=period.year)
    return _period_page(
        request,
        "meetings/compliance.html",
        _("Meeting compliance"),
        period,
        root,
        form=form,
        kpis=kpis,
        heatmap=heat_page.object_list,
        heat_page=heat_page,
        heat_query=f"org={root.pk}&{period.querystring()}",
        missing=missing,
        missing_more=max(0, kpis.cells - kpis.cells_all_regular - len(missing)) if kpis.months_counted else 0,
        months=list(selectors.MONTHS),
    )


@require_GET
def flagged(request):
    """Members to follow up (B5) for a subtree and year: a page of its own, as it reads a year of attendance."""
    _form, period, root = _period_and_root(request)
    params = parameters_on(datetime.date(period.year, 12, 31))
    return _period_page(
        request,
        "meetings/flags.html",
        _("Members to follow up"),
        period,
        root,
        flags=selectors.flagged_members(user=request.user, root=root, year=period.year),
        limit=params["max_consecutive_excused_absences"],
        review_months=params["unexcused_absence_months_for_removal_review"],
    )


@require_GET
def meeting_list(request):
    """The meetings behind a KPI: subtree, period and optional kind / rating / state filters."""
    _form, period, root = _period_and_root(request)
    meetings = selectors.meetings_visible_to(request.user).filter(
        organization__path__startswith=root.path, period_year=period.year, period_month__in=period.months
    )
    kind = choice_param(request, "kind", ("regular", "thematic"))
    if kind == "regular":
        meetings = meetings.filter(kind__in=Meeting.REGULAR_KINDS)
    elif kind == "thematic":
        meetings = meetings.filter(kind__in=Meeting.THEMATIC_KINDS)
    rating = choice_param(request, "rating", Meeting.Rating.values)
    if rating:
        meetings = meetings.filter(rating=rating)
    status = choice_param(request, "status", Meeting.Status.values)
    if status:
        meetings = meetings.filter(status=status)
    meetings = meetings.select_related("organization").order_by("organization__name", "period_month", "date")
    page = Paginator(meetings, 100).get_page(page_param(request))
    query = request.GET.copy()
    query.pop("page", None)
    return _period_page(
        request, "meetings/list.html", _("Meetings"), period, root, page=page, querystring=query.urlencode()
    )
