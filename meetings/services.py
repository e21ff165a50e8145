"""Writes to the meeting log. Every rule (B1–B9) is checked here, inside one transaction; a short meeting (B3) is
finalised all the same and loses the duration item of its score (D7).

Thresholds come from the parameter set in force on the meeting date (cells.hooks.parameters_on, provided by criteria) and
the score sheet valid on that date (criteria.MeetingScoreTemplate); none is a constant here.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import formats
from cells.concurrency import check_version
from cells.formats import date_vn
from cells.hooks import parameters_on
from cells.models import Organization, RoleAssignment
from cells.services import log_action, required_line
from cells.text import one_line
from meetings import summaries
from meetings.models import (
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingScore,
    MeetingScoreTemplate,
    Notification,
    TemporaryAttendance,
)
from members.models import Member, Transfer

A = Attendance.Status


def _lastdate_vn(year: int, month: int) -> datetime.date:

    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def score_template_on(day: datetime.date) -> MeetingScoreTemplate | None:
    return (
        MeetingScoreTemplate.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


#
# Creating a meeting
#

MEETING_FIELDS = (
    "kind",
    "period_year",
    "period_month",
    "date",
    "start_time",
    "end_time",
    "location",
    "format",
    "presiding",
    "minute_taker",
    "guests",
    "upper_attendee",
    "topic",
    "pre_meeting_on",
    "documents_sent_on",
    "content",
    "discussion",
    "conclusion",
    "vote_for",
    "vote_against",
    "vote_abstain",
)


def _check_meeting_fields(meeting: Meeting) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not (1 <= (meeting.period_month or 0) <= 12):
        errors["period_month"] = _("Choose a month from 1 to 12.")
    elif (meeting.period_year, meeting.period_month) > (today.year, today.month):
        errors["period_month"] = _("A meeting cannot be logged for a month that has not begun.")
    elif meeting.period_year < 2000:
        errors["period_year"] = _("Check the year.")
    if meeting.date and meeting.date > today:
        errors["date"] = _("The meeting date cannot be in the future.")
    if meeting.date and "period_month" not in errors and "period_year" not in errors:
        first = datetime.date(meeting.period_year, meeting.period_month, 1)
        if meeting.date < first - datetime.timedelta(days=31):
            errors["date"] = _("The meeting date is too far before the month it counts for.")
    if meeting.start_time and meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = _("The end time must be after the start time.")
    if meeting.kind == Meeting.Kind.THEMATIC and not (meeting.topic or "").strip():
        errors["topic"] = _("A thematic meeting needs its topic.")
    if meeting.pre_meeting_on and meeting.date and meeting.pre_meeting_on > meeting.date:
        errors["pre_meeting_on"] = _("The committee's preparation must be on or before the meeting date.")
    if meeting.documents_sent_on and meeting.date and meeting.documents_sent_on > meeting.date:
        errors["documents_sent_on"] = _("Documents cannot be sent after the meeting.")
    for person in ("presiding", "minute_taker"):
        member = getattr(meeting, person)
        if member is not None and member.organization_id != meeting.organization_id:
            errors[person] = _("Choose a member of this cell.")
    if errors:
        raise ValidationError(errors)


def _log(meeting: Meeting, change: str, by, message: str | None = None, data: dict | None = None) -> None:
    """Log a change to a meeting in its cell's history (action "cells.meeting.<change>"; the message names the
    meeting unless given)."""
    log_action(
        actor=by,
        action=f"cells.meeting.{change}",
        organization=meeting.organization,
        target=meeting,
        message=str(meeting) if message is None else message,
        data=data,
    )


def _roll_status(member) -> str:

    if member.status == Member.Status.EXEMPT:
        return A.EXEMPT
    if member.status == Member.Status.SUSPENDED:
        return A.EXEMPT
    return A.PRESENT


def regular_meeting_of(organization, year: int, month: int, *, exclude_pk: int | None = None) -> Meeting | None:
    """The cell's regular meeting logged for `month`/`year` (a cell has at most one: meeting_create and
    meeting_update refuse a second), or None."""
    meetings = Meeting.objects.filter(
        organization=organization, period_year=year, period_month=month, kind__in=Meeting.REGULAR_KINDS
    )
    if exclude_pk is not None:
        meetings = meetings.exclude(pk=exclude_pk)
    return meetings.order_by("pk").first()


def meeting_create(*, organization: Organization, data: dict, created_by) -> Meeting:
    """Log a meeting for a cell. Every member on the roll gets an attendance row, present by default (the
    secretary then only taps the absentees); exempt and suspended members are listed but not counted;
    members attending temporarily are listed apart."""

    if not organization.is_cell:
        raise ValidationError(_("Meetings are logged by party cells."))
    if not organization.is_active:
        raise ValidationError(_("%(name)s has been dissolved.") % {"name": organization.name})
    meeting = Meeting(organization=organization, created_by=created_by)
    for field in MEETING_FIELDS:
        if field in data:
            setattr(meeting, field, data[field])
    _check_meeting_fields(meeting)
    meeting.full_clean(
        exclude=["organization", "score_template", "confirmed_by", "finalised_by", "created_by"],
        validate_constraints=False,
    )
    if (
        meeting.counts_as_regular
        and Meeting.objects.filter(
            organization=organization,
            period_year=meeting.period_year,
            period_month=meeting.period_month,
            kind__in=Meeting.REGULAR_KINDS,
        ).exists()
    ):
        raise ValidationError(
            {
                "period_month": _("This cell already has a regular meeting for %(month)s/%(year)s.")
                % {"month": meeting.period_month, "year": meeting.period_year}
            }
        )
    meeting.score_template = score_template_on(meeting.date)
    try:
        with transaction.atomic():
            meeting.save()
            roll = Member.objects.filter(organization=organization, status__in=Member.ON_ROLL).order_by("sort_key")
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        meeting=meeting,
                        member=member,
                        status=_roll_status(member),
                        reason=member.get_status_display() if _roll_status(member) != A.PRESENT else "",
                        member_status=member.status,
                    )
                    for member in roll
                ]
            )
            temporary = Transfer.objects.filter(
                to_organization=organization,
                kind=Transfer.Kind.TEMPORARY,
                decided_on__lte=meeting.date,
            ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=meeting.date))
            TemporaryAttendance.objects.bulk_create(
                [TemporaryAttendance(meeting=meeting, transfer=transfer) for transfer in temporary]
            )
            refresh_attendance_totals([meeting.pk])
            _log(meeting, "created", created_by)
    except IntegrityError:
        raise ValidationError(
            {
                "period_month": _("This cell already has a regular meeting for %(month)s/%(year)s.")
                % {"month": meeting.period_month, "year": meeting.period_year}
            }
        ) from None
    return meeting


#
# Editing a draft
#


def _stale(meeting: Meeting, version) -> None:
    """Refuse a save unless `version` is the locked meeting's version (missing or malformed counts as stale)."""
    check_version(meeting, version)


def _value_for_log(value):
    if hasattr(value, "pk"):
        return str(value)
    return "" if value is None else str(value)


def meeting_update(
    *,
    meeting: Meeting,
    data: dict,
    attendance: dict[int, dict] | None = None,
    temporary_present: dict[int, bool] | None = None,
    version: int | None,
    updated_by,
) -> Meeting:
    """Save a draft: its fields and attendance. `attendance` maps member id → {status, reason, spoke}; a
    member who is not on this meeting's roll is refused (a forged id), and so is an excused absence with no
    reason. Refused when finalised, or when someone else saved since `version` was read."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if meeting.is_final:
            raise ValidationError(_("This meeting is finalised: ask the grassroots committee to reopen it."))
        _stale(meeting, version)
        before = {field: _value_for_log(getattr(meeting, field)) for field in MEETING_FIELDS}
        for field in MEETING_FIELDS:
            if field in data:
                setattr(meeting, field, data[field])
        if (
            meeting.counts_as_regular
            and Meeting.objects.filter(
                organization=meeting.organization_id,
                period_year=meeting.period_year,
                period_month=meeting.period_month,
                kind__in=Meeting.REGULAR_KINDS,
            )
            .exclude(pk=meeting.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "period_month": _("This cell already has a regular meeting for %(month)s/%(year)s.")
                    % {"month": meeting.period_month, "year": meeting.period_year}
                }
            )
        _check_meeting_fields(meeting)
        meeting.full_clean(
            exclude=["organization", "score_template", "confirmed_by", "finalised_by", "created_by"],
            validate_constraints=False,
        )
        changes = {
            field: [before[field], _value_for_log(getattr(meeting, field))]
            for field in MEETING_FIELDS
            if before[field] != _value_for_log(getattr(meeting, field))
        }
        attendance_changes = _apply_attendance(meeting, attendance or {})
        if temporary_present:
            rows = {row.pk: row for row in meeting.temporary_attendances.all()}
            unknown = set(temporary_present) - set(rows)
            if unknown:
                raise ValidationError(_("Some attendees are not temporary members of this meeting."))
            changed = [
                row for pk, row in rows.items() if pk in temporary_present and row.present != temporary_present[pk]
            ]
            for row in changed:
                row.present = temporary_present[row.pk]
            TemporaryAttendance.objects.bulk_update(changed, ["present"])
        meeting.version += 1
        meeting.score_template = meeting.score_template or score_template_on(meeting.date)
        meeting.save()
        if attendance_changes:
            refresh_attendance_totals([meeting.pk])
        if changes or attendance_changes:
            _log(meeting, "updated", updated_by, data={"changes": changes, "attendance": attendance_changes})
    return meeting


def _apply_attendance(meeting: Meeting, attendance: dict[int, dict]) -> dict:
    if not attendance:
        return {}
    rows = {row.member_id: row for row in meeting.attendances.all()}
    unknown = set(attendance) - set(rows)
    if unknown:
        raise ValidationError(_("Attendance was sent for someone who is not on this cell's roll for the meeting."))
    errors = []
    changed, log = [], {}
    for member_id, values in attendance.items():
        row = rows[member_id]
        status = values.get("status", row.status)
        if status not in A.values:
            raise ValidationError(_("Unknown attendance value."))
        if row.status in Attendance.NOT_COUNTED and status not in Attendance.NOT_COUNTED:
            # Exemption comes from the member's status, not from a tap at the meeting.
            status = row.status
        elif status in Attendance.NOT_COUNTED and row.status not in Attendance.NOT_COUNTED:
            raise ValidationError(_("Exemption comes from the member's status; it cannot be set at a meeting."))
        reason = one_line(values.get("reason"))[:255]
        if status == A.EXCUSED and not reason:
            errors.append(_("Give the reason for each absence with reason."))
        spoke = bool(values.get("spoke", row.spoke)) and status == A.PRESENT
        if (row.status, row.reason, row.spoke) != (status, reason if status != A.PRESENT else "", spoke):
            log[str(member_id)] = [row.status, status]
            row.status, row.reason, row.spoke = status, (reason if status != A.PRESENT else ""), spoke
            changed.append(row)
    if errors:
        raise ValidationError(sorted(set(errors)))
    Attendance.objects.bulk_update(changed, ["status", "reason", "spoke"])
    return log


#
# Counting, checking and scoring
#


@dataclass
class AttendanceCounts:
    """The counts the minutes template asks for (domain.md §3.5)."""

    total: int = 0  # on the roll (tổng số đảng viên)
    full: int = 0
    probationary: int = 0
    not_counted: int = 0  # exempt, suspended, special duty
    eligible: int = 0  # the denominator
    present: int = 0
    present_full: int = 0
    present_probationary: int = 0
    excused: int = 0
    unexcused: int = 0
    temporary_present: int = 0

    @property
    def rate(self) -> float:
        return self.present / self.eligible if self.eligible else 0.0


def refresh_attendance_totals(meetings) -> None:
    """Write `present_count` and `eligible_count` of the given meetings (a queryset or ids) from their
    attendance rows: one UPDATE whatever their number. Called wherever attendance rows are written."""
    present = (
        Attendance.objects.filter(meeting=OuterRef("pk"), status=A.PRESENT)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    eligible = (
        Attendance.objects.filter(meeting=OuterRef("pk"))
        .exclude(status__in=Attendance.NOT_COUNTED)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ids = meetings.values("pk") if hasattr(meetings, "values") else list(meetings)
    Meeting.objects.filter(pk__in=ids).update(
        present_count=Coalesce(Subquery(present), 0), eligible_count=Coalesce(Subquery(eligible), 0)
    )
    # The UPDATE sends no signal: the kept month summaries carry these totals (meetings.summaries).
    summaries.refresh(Meeting.objects.filter(pk__in=ids).values_list(*summaries.KEY_FIELDS).distinct())


def attendance_counts(meeting: Meeting, rows=None) -> AttendanceCounts:

    rows = list(rows if rows is not None else meeting.attendances.all())
    counts = AttendanceCounts(total=len(rows))
    for row in rows:
        counts.full += row.member_status == Member.Status.FULL
        counts.probationary += row.member_status == Member.Status.PROBATIONARY
        if row.status in Attendance.NOT_COUNTED:
            counts.not_counted += 1
            continue
        counts.eligible += 1
        if row.status == A.PRESENT:
            counts.present += 1
            counts.present_full += row.member_status == Member.Status.FULL
            counts.present_probationary += row.member_status == Member.Status.PROBATIONARY
        elif row.status == A.EXCUSED:
            counts.excused += 1
        elif row.status == A.UNEXCUSED:
            counts.unexcused += 1
    counts.temporary_present = sum(1 for row in meeting.temporary_attendances.all() if row.present)
    return counts


# Kinds of meeting rule B3 sets a minimum duration for (the month's regular meeting, a thematic one, both combined).
DURATION_KINDS = (Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC, Meeting.Kind.COMBINED)


@dataclass(frozen=True)
class Duration:
    """Rule B3 for one meeting: how long it lasted against the minimum in force on its date (D7: a shorter
    meeting is finalised all the same; the shortfall is shown and costs the duration item of its score)."""

    minutes: int
    minimum: int
    small_cell: bool = False  # the committee's exception for small cells lowered the minimum

    @property
    def shortfall(self) -> int:
        return max(0, self.minimum - self.minutes)

    @property
    def met(self) -> bool:
        return self.shortfall == 0

    def shortfall_text(self) -> str:
        """ "Thiếu 10 phút so với tối thiểu 90 phút" (empty when the minimum is met)."""
        if self.met:
            return ""
        text = _("%(shortfall)s minutes short of the minimum of %(minimum)s minutes") % {
            "shortfall": self.shortfall,
            "minimum": self.minimum,
        }
        if self.small_cell:
            text += " " + _("(the small-cell minimum set by the committee)")
        return text


def duration_check(meeting: Meeting, counts: AttendanceCounts | None = None) -> Duration:
    """Rule B3 with the parameters in force on the meeting date: `min_meeting_minutes`, or
    `min_combined_meeting_minutes` for a combined meeting; when the committee set the small-cell exception
    (`small_cell_max_members` > 0), a cell with at most that many members on the meeting's roll needs only
    `small_cell_min_meeting_minutes`. `counts` (the meeting's attendance counts) saves reading the roll."""
    params = parameters_on(meeting.date)
    minimum = params["min_combined_meeting_minutes" if meeting.kind == Meeting.Kind.COMBINED else "min_meeting_minutes"]
    small_cell = False
    small_cell_max = params["small_cell_max_members"]
    if small_cell_max and params["small_cell_min_meeting_minutes"] < minimum:
        members = (counts if counts is not None else attendance_counts(meeting)).total
        if members <= small_cell_max:
            minimum, small_cell = params["small_cell_min_meeting_minutes"], True
    return Duration(minutes=meeting.duration_minutes, minimum=minimum, small_cell=small_cell)


def required_minutes(meeting: Meeting, counts: AttendanceCounts | None = None) -> int:
    """The minimum duration of this meeting (rule B3, see duration_check)."""
    return duration_check(meeting, counts).minimum


def attendance_quality_met(meeting: Meeting, counts: AttendanceCounts) -> bool:
    """Rule B4: more than the threshold present and nobody absent without reason."""
    threshold = parameters_on(meeting.date)["quality_attendance_pct"]
    return counts.eligible > 0 and counts.rate * 100 > threshold and counts.unexcused == 0


def finalise_problems(meeting: Meeting, counts: AttendanceCounts | None = None) -> list[str]:
    """Everything that stops a meeting from being finalised (rules B6, B7), in words for the secretary. A short
    meeting is not refused (D7): see finalise_warnings."""
    counts = counts or attendance_counts(meeting)
    problems = []
    # B6: minutes completeness
    missing = []
    for field, label in (
        ("location", _("place")),
        ("presiding", _("presiding")),
        ("minute_taker", _("minute-taker")),
        ("content", _("content")),
        ("conclusion", _("conclusion or resolution")),
    ):
        if not getattr(meeting, field):
            missing.append(str(label))
    if meeting.vote_for is None:
        missing.append(str(_("votes")))
    if missing:
        problems.append(_("The minutes are missing: %(fields)s.") % {"fields": ", ".join(missing)})
    if counts.total == 0:
        problems.append(_("The attendance list is empty."))
    if meeting.kind == Meeting.Kind.THEMATIC and not meeting.topic:
        problems.append(_("A thematic meeting needs its topic."))
    # B7: only full members present may vote
    votes = (meeting.vote_for or 0) + (meeting.vote_against or 0) + (meeting.vote_abstain or 0)
    if votes > counts.present_full:
        problems.append(
            _(
                "%(votes)s votes were counted but only %(full)s full members were present (probationary members do not vote)."
            )
            % {"votes": votes, "full": counts.present_full}
        )
    return problems


def finalise_warnings(
    meeting: Meeting, counts: AttendanceCounts | None = None, duration: Duration | None = None
) -> list[str]:
    """What the secretary is told before finalising without being stopped: a meeting shorter than the minimum
    of rule B3 (D7: it is finalised and counts for its month; the shortfall costs the duration item of its
    score). `duration` saves checking it again."""
    if meeting.kind not in DURATION_KINDS:
        return []
    duration = duration or duration_check(meeting, counts)
    if duration.met:
        return []
    return [
        _("%(shortfall)s. It can be finalised; the duration item of its score gets no points.")
        % {"shortfall": duration.shortfall_text()}
    ]


def automatic_points(meeting: Meeting, counts: AttendanceCounts) -> dict[str, bool]:
    """Which automatically known criteria the meeting meets (full marks when met, none otherwise)."""
    return {
        "attendance": attendance_quality_met(meeting, counts),
        "duration": duration_check(meeting, counts).met,
        "minutes": not finalise_problems(meeting, counts),
        "documents": bool(meeting.documents_sent_on)
        and meeting.documents_sent_on <= meeting.date - datetime.timedelta(days=1),
        "preparation": bool(meeting.pre_meeting_on) and meeting.pre_meeting_on <= meeting.date,
    }


def automatic_reasons(meeting: Meeting, counts: AttendanceCounts, points: dict[str, bool] | None = None) -> dict:
    """Why an automatic item of the score sheet got no points, by `auto_key`, for the items that did not (the
    duration item names the minimum of rule B3 it missed)."""
    points = points if points is not None else automatic_points(meeting, counts)
    reasons = {}
    if not points.get("duration"):
        duration = duration_check(meeting, counts)
        reasons["duration"] = _("Lasted %(minutes)s minutes. %(shortfall)s.") % {
            "minutes": duration.minutes,
            "shortfall": duration.shortfall_text(),
        }
    return reasons


def automatic_explanations(meeting: Meeting, counts: AttendanceCounts, points: dict[str, bool] | None = None) -> dict:
    """Why each automatic item of the score sheet has its points, met or not, by `auto_key`, in words for the
    secretary (what was entered, against what the rule asks; when nothing was entered, where to enter it)."""
    points = points if points is not None else automatic_points(meeting, counts)
    missed = automatic_reasons(meeting, counts, points)
    params = parameters_on(meeting.date)
    texts = {}
    attendance = _("%(present)s of %(eligible)s present (more than %(pct)s%% needed)") % {
        "present": counts.present,
        "eligible": counts.eligible,
        "pct": params["quality_attendance_pct"],
    }
    if counts.unexcused:
        attendance += "; " + _("%(n)s absent without reason (none allowed)") % {"n": counts.unexcused}
    texts["attendance"] = attendance + "."
    if points.get("duration"):
        duration = duration_check(meeting, counts)
        texts["duration"] = _("Lasted %(minutes)s minutes (minimum %(minimum)s).") % {
            "minutes": duration.minutes,
            "minimum": duration.minimum,
        }
    else:
        texts["duration"] = missed.get("duration", "")
    problems = finalise_problems(meeting, counts)
    texts["minutes"] = (
        " ".join(problems) + " " + _("Fill them in at the Minutes step.")
        if problems
        else _("The minutes are complete.")
    )
    if not meeting.documents_sent_on:
        texts["documents"] = _("No date entered for sending the documents: enter it at the Minutes step.")
    elif points.get("documents"):
        texts["documents"] = _("Documents sent on %(day)s, at least a day before the meeting (%(date)s).") % {
            "day": date_vn(meeting.documents_sent_on),
            "date": date_vn(meeting.date),
        }
    else:
        texts["documents"] = _("Documents sent on %(day)s: they must be sent at least a day before the meeting.") % {
            "day": date_vn(meeting.documents_sent_on)
        }
    if not meeting.pre_meeting_on:
        texts["preparation"] = _("No date entered for the cell committee's preparation: enter it at the Minutes step.")
    elif points.get("preparation"):
        texts["preparation"] = _("The cell committee prepared it on %(day)s, before the meeting (%(date)s).") % {
            "day": date_vn(meeting.pre_meeting_on),
            "date": date_vn(meeting.date),
        }
    else:
        texts["preparation"] = _("The cell committee's preparation (%(day)s) is after the meeting.") % {
            "day": date_vn(meeting.pre_meeting_on)
        }
    return texts


def rating_for(template: MeetingScoreTemplate, total: Decimal, top_blocked: bool) -> str:
    """Rule B9: the level for a score; a missed must-have item caps the rating one level below the top."""
    levels = sorted(template.levels.items(), key=lambda item: -item[1])
    for index, (rating, minimum) in enumerate(levels):
        if total >= Decimal(str(minimum)):
            if index == 0 and top_blocked:
                return levels[1][0] if len(levels) > 1 else rating
            return rating
    return Meeting.Rating.POOR


def _apply_score(meeting: Meeting, manual_points: dict[int, Decimal]) -> None:
    """Write the score rows, total and rating of a locked meeting: automatic items from the log."""
    template = meeting.score_template or score_template_on(meeting.date)
    if template is None:
        raise ValidationError(_("No score sheet is valid for this date."))
    items = list(template.items.all())
    if set(manual_points) - {item.pk for item in items}:
        raise ValidationError(_("Some scores do not belong to this score sheet."))
    auto = automatic_points(meeting, attendance_counts(meeting))
    rows, total, top_blocked = [], Decimal(0), False
    for item in items:
        if item.auto_key:
            points = item.max_points if auto.get(item.auto_key) else Decimal(0)
        else:
            points = Decimal(manual_points.get(item.pk, 0))
            if not points.is_finite() or points < 0 or points > item.max_points:
                raise ValidationError(
                    _("%(code)s: give between 0 and %(max)s points.") % {"code": item.code, "max": item.max_points}
                )
        if item.required_for_top and points < item.max_points:
            top_blocked = True
        total += points
        rows.append(MeetingScore(meeting=meeting, item=item, points=points, automatic=bool(item.auto_key)))
    MeetingScore.objects.filter(meeting=meeting).delete()
    MeetingScore.objects.bulk_create(rows)
    meeting.score_template = template
    meeting.score = total
    meeting.rating = rating_for(template, total, top_blocked)


def meeting_score(*, meeting: Meeting, manual_points: dict[int, Decimal], version: int | None, scored_by) -> Meeting:
    """Score a meeting on its sheet: automatic items from the log, the rest as given (0..max)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if meeting.is_final:
            raise ValidationError(_("This meeting is finalised: ask the grassroots committee to reopen it."))
        _stale(meeting, version)
        _apply_score(meeting, manual_points)
        meeting.version += 1
        meeting.save(update_fields=["score_template", "score", "rating", "version", "updated_at"])
        _log(
            meeting,
            "scored",
            scored_by,
            _("Score %(score)s: %(rating)s")
            % {"score": formats.points(meeting.score), "rating": meeting.get_rating_display()},
        )
    return meeting


#
# Lifecycle
#


def meeting_finalise(*, meeting: Meeting, version: int | None, finalised_by) -> Meeting:
    """Lock the minutes after checking them (B6, B7). Refuses with every reason at once. A meeting shorter than
    the minimum (B3) is finalised all the same (D7); its duration against the minimum is written in the history."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if meeting.is_final:
            raise ValidationError(_("This meeting is already finalised."))
        _stale(meeting, version)
        counts = attendance_counts(meeting)
        problems = finalise_problems(meeting, counts)
        if meeting.score is None:
            # The score goes with the minutes: once finalised it cannot be entered (no dead end).
            problems.append(_("The meeting has not been scored: score it (step 3) before finalising."))
        if problems:
            raise ValidationError(problems)
        duration = duration_check(meeting, counts)
        manual = {row.item_id: row.points for row in meeting.scores.filter(automatic=False)}
        if meeting.score is not None:
            # Attendance or times may have changed since scoring: refresh the automatic items.
            _apply_score(meeting, manual)
        refresh_attendance_totals([meeting.pk])
        meeting.status = Meeting.Status.FINAL
        meeting.finalised_by = finalised_by
        meeting.finalised_at = timezone.now()
        meeting.version += 1
        meeting.save(
            update_fields=[
                "status",
                "finalised_by",
                "finalised_at",
                "version",
                "score_template",
                "score",
                "rating",
                "updated_at",
            ]
        )
        _log(
            meeting,
            "finalised",
            finalised_by,
            data={
                "duration_minutes": duration.minutes,
                "minimum_minutes": duration.minimum,
                "shortfall_minutes": duration.shortfall if meeting.kind in DURATION_KINDS else 0,
                "small_cell_minimum": duration.small_cell,
            },
        )
    return meeting


def meeting_reopen(*, meeting: Meeting, reason: str, reopened_by) -> Meeting:
    """Unlock finalised minutes for a correction. Needs a reason, which stays in the meeting's history."""
    reason = required_line(reason, "reason", _("Give the reason for reopening the minutes."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if not meeting.is_final:
            raise ValidationError(_("This meeting is not finalised."))
        meeting.status = Meeting.Status.DRAFT
        meeting.confirmed_by = None
        meeting.confirmed_at = None
        meeting.version += 1
        meeting.save(update_fields=["status", "confirmed_by", "confirmed_at", "version", "updated_at"])
        _log(meeting, "reopened", reopened_by, reason[:1000])
        _notify_reopened(meeting, reason, reopened_by)
    return meeting


def _notify_reopened(meeting: Meeting, reason: str, reopened_by) -> None:
    """Tell the cell's secretaries (and whoever finalised the minutes) that the minutes were reopened, and why."""
    users = set(
        RoleAssignment.objects.filter(
            organization=meeting.organization, role=RoleAssignment.Role.SECRETARY, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if meeting.finalised_by_id:
        users.add(meeting.finalised_by_id)
    users.discard(getattr(reopened_by, "pk", None))
    now = timezone.now()
    message = _("The minutes of %(meeting)s were reopened for correction: %(reason)s") % {
        "meeting": meeting,
        "reason": reason,
    }
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                key=f"meeting-reopened:{meeting.pk}:{meeting.version}:{user_id}",
                message=message[:1000],
                link=reverse("meetings:detail", args=[meeting.pk]),
                created_at=now,
            )
            for user_id in sorted(users)
        ],
        ignore_conflicts=True,
    )


def meeting_confirm(*, meeting: Meeting, confirmed_by) -> Meeting:
    """The attending upper-committee member confirms the score of finalised minutes."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if not meeting.is_final:
            raise ValidationError(_("Only finalised minutes can be confirmed."))
        if meeting.score is None:
            raise ValidationError(_("The meeting has not been scored."))
        if meeting.confirmed_at:
            raise ValidationError(_("The score has already been confirmed."))
        meeting.confirmed_by = confirmed_by
        meeting.confirmed_at = timezone.now()
        meeting.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
        _log(meeting, "confirmed", confirmed_by)
    return meeting


#
# Attachments
#

# File signatures we accept: scanned minutes (PDF) and photos (JPEG, PNG). The extension must agree.
SIGNATURES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}


def attachment_add(*, meeting: Meeting, uploaded_file, uploaded_by) -> MeetingAttachment:
    """Attach a scan or photo. Checks the size and the file's first bytes, not only its name."""
    max_bytes = getattr(settings, "MEETING_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s MB); the limit is %(max)s MB.")
                % {"size": round(uploaded_file.size / 1024 / 1024, 1), "max": max_bytes // 1024 // 1024}
            }
        )
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    name = (uploaded_file.name or "").lower()
    content_type = None
    for kind, (signature, extensions) in SIGNATURES.items():
        if head.startswith(signature) and name.endswith(extensions):
            content_type = kind
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, JPEG and PNG files can be attached.")})
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.is_final:
            raise ValidationError(_("This meeting is finalised: ask the grassroots committee to reopen it."))
        attachment = MeetingAttachment(
            meeting=meeting,
            original_name=uploaded_file.name[:255],
            content_type=content_type,
            size=uploaded_file.size,
            uploaded_by=uploaded_by,
        )
        attachment.file.save(uploaded_file.name, uploaded_file, save=False)
        attachment.save()
        _log(meeting, "attachment_added", uploaded_by, attachment.original_name)
    return attachment
