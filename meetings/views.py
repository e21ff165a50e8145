"""Meeting log pages. Each view: load through the access module, validate a form, call one service."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells import formats
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
from meetings import counting
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
    # The home page's month card may ask for last month (?month=11&year=2026) while its grace runs.
    year = int_param(request, "year", default=today.year, min=YEAR_MIN, max=today.year)
    month = int_param(request, "month", default=today.month, min=1, max=12 if year < today.year else today.month)
    initial = {
        "kind": choice_param(request, "kind", Meeting.Kind.values, default=Meeting.Kind.REGULAR),
        "period_month": month,
        "period_year": year,
        "date": today,
        "format": Meeting.Format.IN_PERSON,
        "start_time": datetime.time(8, 0),
        "end_time": datetime.time(9, 30),
    }
    secretary = cell.positions.filter(role="BI_THU", ended_on__isnull=True).values_list("member_id", flat=True).first()
    if secretary:
        initial["presiding"] = secretary
    form = MeetingForm(request.POST or None, members=members, initial=initial, organization=cell)
    guidance = _guidance(cell, year, month)
    # Said up front, before the form is filled: this month's regular meeting is already logged.
    existing = services.regular_meeting_of(cell, year, month)
    return save_form(
        request,
        form,
        lambda data: services.meeting_create(organization=cell, data=_without_version(data), created_by=request.user),
        message=_("The meeting has been logged. Now tap the absentees."),
        to=lambda meeting: ("meetings:detail", meeting.pk),
    ) or form_page(
        request,
        "meetings/form.html",
        form,
        cell,
        breadcrumb_tail=_("New meeting"),
        guidance=guidance,
        existing=existing,
    )


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
    can_log = access.can(LOG_MEETINGS, meeting.organization)
    can_edit = can_log and not meeting.is_final
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
                    _after_save(request, meeting),
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
    problems = services.finalise_problems(meeting, counts) if not meeting.is_final else []
    return _meeting_page(
        request,
        "meetings/detail.html",
        meeting,
        breadcrumb_tail=str(meeting.period_month) + "/" + str(meeting.period_year),
        form=form,
        attendance_rows=attendance_rows,
        temporary_rows=meeting.temporary_attendances.select_related("transfer", "transfer__member"),
        counts=counts,
        problems=problems,
        warnings=services.finalise_warnings(meeting, counts, duration) if not meeting.is_final else [],
        steps=_steps(meeting, counts, problems, here="minutes" if problems and not meeting.is_final else "attendance")
        if can_log
        else [],
        can_edit_log=can_log,
        anchor=_anchor(request),
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


SECTIONS = ("attendance", "minutes")  # the sections of the meeting page a save returns to


def _anchor(request) -> str:
    """The section of the meeting page the user was in when saving (set by static/js/meeting.js; the attendance
    without JS)."""
    anchor = request.POST.get("anchor", "")
    return anchor if anchor in SECTIONS else SECTIONS[0]


def _after_save(request, meeting: Meeting) -> str:
    """Where a saved draft goes: the score sheet ("Save and score"), else back to the section saved."""
    if request.POST.get("next") == "score":
        return reverse("meetings:score", args=[meeting.pk])
    return reverse("meetings:detail", args=[meeting.pk]) + "#" + _anchor(request)


def _steps(meeting: Meeting, counts, problems: list[str], *, here: str) -> list[dict]:
    """The meeting as four steps (attendance → minutes → score → finalise), each with its state ("done", "todo"
    or "ready") and a short note of what is missing, for the step bar at the top of its pages."""
    detail = reverse("meetings:detail", args=[meeting.pk])
    final = meeting.is_final
    scored = meeting.score is not None
    absent = counts.excused + counts.unexcused
    steps = [
        {
            "key": "attendance",
            "label": _("Attendance"),
            "url": detail + "#attendance",
            "state": "done" if final or counts.total else "todo",
            "note": _("%(present)s present, %(absent)s absent") % {"present": counts.present, "absent": absent},
        },
        {
            "key": "minutes",
            "label": _("Minutes"),
            "url": detail + "#minutes",
            "state": "done" if final or not problems else "todo",
            "note": _("complete") if final or not problems else _("%(n)s to complete") % {"n": len(problems)},
        },
        {
            "key": "score",
            "label": _("Score"),
            "url": reverse("meetings:score", args=[meeting.pk]),
            "state": "done" if scored else "todo",
            "note": (
                f"{formats.points(meeting.score)} · {meeting.get_rating_display()}" if scored else _("not scored")
            ),
        },
        {
            "key": "finalise",
            "label": _("Finalise"),
            "url": reverse("meetings:finalise", args=[meeting.pk]),
            "state": "done" if final else ("ready" if scored and not problems else "todo"),
            "note": _("finalised") if final else (_("ready") if scored and not problems else _("not yet")),
        },
    ]
    for number, step in enumerate(steps, start=1):
        step["number"] = number
        step["current"] = step["key"] == here
    return steps


def _meeting_page(request, template_name: str, meeting: Meeting, **context):
    """A page about one meeting: the meeting, its cell and the cell's breadcrumbs, and `context`."""
    return organization_page(request, template_name, meeting.organization, meeting=meeting, **context)


def meeting_score(request, pk):
    """Step 3, the score sheet. Once the minutes are finalised it shows the saved score read-only, with why."""
    meeting = get_meeting_for_user(request.user, pk, action=LOG_MEETINGS)
    template = meeting.score_template or services.score_template_on(meeting.date)
    if template is None:
        messages.error(request, _("No score sheet is valid for this date."))
        return redirect("meetings:detail", meeting.pk)
    items = list(template.items.all())
    existing = {score.item_id: score.points for score in meeting.scores.all()}
    counts = services.attendance_counts(meeting)
    auto = services.automatic_points(meeting, counts)
    explanations = services.automatic_explanations(meeting, counts, auto)
    errors = []
    if request.method == "POST" and meeting.is_final:
        messages.error(request, _("This meeting is finalised: ask the grassroots committee to reopen it."))
        return redirect("meetings:score", meeting.pk)
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
                messages.success(request, _("The score has been saved. Last step: finalise the minutes."))
                return redirect("meetings:finalise", meeting.pk)
    rows = []
    for item in items:
        value = existing.get(item.pk)
        if item.auto_key and not (meeting.is_final and value is not None):
            value = item.max_points if auto.get(item.auto_key) else Decimal(0)
        elif request.method == "POST":
            value = request.POST.get(f"item-{item.pk}", "")
        rows.append(
            {
                "item": item,
                "value": value if value is not None else item.max_points,
                "met": bool(auto.get(item.auto_key)) if item.auto_key else None,
                "reason": explanations.get(item.auto_key, "") if item.auto_key else "",
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
        read_only=meeting.is_final,
        steps=_steps(meeting, counts, services.finalise_problems(meeting, counts), here="score"),
    )


def meeting_finalise(request, pk):
    """Step 4: a page that sums up the meeting (attendance, the score, what is missing) and asks to confirm;
    the POST with `confirm` finalises (a POST without it comes back to this page)."""
    meeting = get_meeting_for_user(request.user, pk, action=LOG_MEETINGS)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.meeting_finalise(meeting=meeting, version=request.POST.get("version"), finalised_by=request.user)
        except ValidationError as error:
            flash_service_error(request, error)
            return redirect("meetings:finalise", meeting.pk)
        messages.success(request, _("The minutes have been finalised with their score."))
        return redirect("meetings:detail", meeting.pk)
    if request.method == "POST":
        return redirect("meetings:finalise", meeting.pk)  # not confirmed: the page asks
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if meeting.is_final:
        return redirect("meetings:detail", meeting.pk)
    counts = services.attendance_counts(meeting)
    problems = services.finalise_problems(meeting, counts)
    duration = services.duration_check(meeting, counts)
    return _meeting_page(
        request,
        "meetings/finalise.html",
        meeting,
        breadcrumb_tail=_("Finalise the minutes"),
        counts=counts,
        problems=problems,
        warnings=services.finalise_warnings(meeting, counts, duration),
        steps=_steps(meeting, counts, problems, here="finalise"),
        can_finalise=not problems and meeting.score is not None,
    )


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


CELLS_PER_PAGE = 100


@require_GET
def compliance_cells(request):
    """The cells behind a compliance figure (B1, or B2 with kind=thematic) for a subtree and period: all the cells
    it counts, or only those that comply (state=complete) or not (state=incomplete); their number is the figure's."""
    _form, period, root = _period_and_root(request)
    kind = choice_param(request, "kind", (counting.REGULAR, counting.THEMATIC)) or counting.REGULAR
    state = choice_param(request, "state", ("complete", "incomplete"))
    complete = {"complete": True, "incomplete": False}.get(state)
    kpis = selectors.kpis(user=request.user, root=root, period=period)
    rows = selectors.cells_behind(user=request.user, root=root, period=period, kind=kind, complete=complete)
    page = Paginator(rows, CELLS_PER_PAGE).get_page(page_param(request))
    figure = kpis.regular_figure if kind == counting.REGULAR else kpis.thematic_figure
    base = f"org={root.pk}&{period.querystring()}&kind={kind}"
    return _period_page(
        request,
        "meetings/compliance_cells.html",
        _("Cells behind the figure"),
        period,
        root,
        kind=kind,
        state=state,
        kpis=kpis,
        figure=figure,
        incomplete_count=figure.base - figure.part,
        rule="B2" if kind == counting.THEMATIC else "B1",
        page=page,
        base_query=base,
        querystring=f"{base}&state={state}" if state else base,
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
    # counted=1: only the meetings behind the compliance figures (attendance, % rated Good): those that count (D6).
    counted = choice_param(request, "counted", ("1",)) == "1"
    attendance = None
    if counted:
        meetings = meetings.filter(
            pk__in=selectors.counted_meetings(user=request.user, root=root, period=period).values("pk")
        )
        attendance = meetings.aggregate(
            present=Sum("present_count", default=0), eligible=Sum("eligible_count", default=0)
        )
    meetings = meetings.select_related("organization__parent").order_by(
        "organization__name", "organization__parent__name", "organization_id", "period_month", "date"
    )
    page = Paginator(meetings, 100).get_page(page_param(request))
    query = request.GET.copy()
    query.pop("page", None)
    return _period_page(
        request,
        "meetings/list.html",
        _("Meetings"),
        period,
        root,
        page=page,
        querystring=query.urlencode(),
        counted=counted,
        attendance=attendance,
    )
