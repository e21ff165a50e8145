"""Writes to the member registry. Rules are checked here, inside a transaction."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import calendar as working_days
from cells import hooks
from cells.calendar import WorkingCalendar
from cells.concurrency import check_version
from cells.models import Organization, RoleAssignment
from cells.services import log_action, role_grant, role_revoke
from cells.text import one_line
from members import counts
from members.models import Member, Position, StatusChange, Transfer


def _check_cell(organization: Organization) -> None:
    if not organization.is_cell:
        raise ValidationError(
            {
                "organization": _("Party members belong to a party cell, not to a %(kind)s.")
                % {"kind": organization.get_kind_display()}
            }
        )
    if not organization.is_active:
        raise ValidationError({"organization": _("%(name)s has been dissolved.") % {"name": organization.name}})


def member_create(
    *,
    organization: Organization,
    full_name: str,
    status: str = Member.Status.PROBATIONARY,
    gender: str = "",
    date_of_birth: datetime.date | None = None,
    admitted_on: datetime.date | None = None,
    official_on: datetime.date | None = None,
    party_card_no: str | None = None,
    user=None,
    created_by,
) -> Member:
    """Put a new member on a cell's roll. Only probationary or full members can be created directly."""
    _check_cell(organization)
    if status not in (Member.Status.PROBATIONARY, Member.Status.FULL):
        raise ValidationError({"status": _("A new member is either probationary or a full member.")})
    member = Member(
        organization=organization,
        full_name=full_name or "",
        status=status,
        gender=gender or "",
        date_of_birth=date_of_birth,
        admitted_on=admitted_on,
        official_on=official_on,
        party_card_no=(party_card_no or "").strip() or None,
        user=user,
    )
    member.refresh_derived()
    if not member.full_name:
        raise ValidationError({"full_name": _("Enter the member's full name.")})
    if status == Member.Status.FULL and admitted_on and not official_on:
        raise ValidationError({"official_on": _("Enter the date of full membership.")})
    member.full_clean(exclude=["search_text", "sort_key"])
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(pk=organization.pk)
            _check_cell(organization)
            member.organization = organization
            member.save()
            counts.refresh([organization.pk])
            log_action(
                actor=created_by,
                action="members.member.created",
                organization=organization,
                target=member,
                message=member.full_name,
            )
    except IntegrityError:
        raise ValidationError({"party_card_no": _("This party card number is already recorded.")}) from None
    return member


#
# Status changes (with history)
#

Status = Member.Status

# Which status may follow which through `member_change_status`. Transfers out and in have their own services.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.PROBATIONARY: {Status.FULL, Status.SUSPENDED, Status.LEFT_PARTY, Status.DECEASED},
    Status.FULL: {Status.EXEMPT, Status.SUSPENDED, Status.LEFT_PARTY, Status.DECEASED},
    Status.EXEMPT: {Status.FULL, Status.SUSPENDED, Status.LEFT_PARTY, Status.DECEASED},
    # Back from a suspension: exactly the status held before it (decision D1, see `allowed_targets`).
    Status.SUSPENDED: {Status.FULL, Status.PROBATIONARY, Status.EXEMPT, Status.LEFT_PARTY, Status.DECEASED},
    Status.TRANSFERRED_OUT: set(),
    Status.LEFT_PARTY: set(),
    Status.DECEASED: set(),
}
# Changes that must cite a decision (number) of the competent committee.
NEEDS_DECISION = {Status.FULL, Status.EXEMPT, Status.SUSPENDED, Status.LEFT_PARTY}


def status_before_suspension(member: Member) -> str | None:
    """Decision D1: the status a suspended member held before the suspension, the one they return to (None when
    the record has no suspension change, e.g. a member imported as suspended)."""
    before = (
        member.status_changes.filter(status=Status.SUSPENDED)
        .order_by("-effective_on", "-id")
        .values_list("previous_status", flat=True)
        .first()
    )
    return before if before in (Status.FULL, Status.PROBATIONARY, Status.EXEMPT) else None


def allowed_targets(member: Member) -> list[str]:
    """The statuses `member_change_status` accepts for this member now, in the order of Member.Status: for a
    suspended member, only the status held before the suspension (D1) besides leaving the Party and death."""
    allowed = ALLOWED_TRANSITIONS[member.status]
    if member.status == Status.SUSPENDED:
        back = status_before_suspension(member)
        if back:
            allowed = {back, Status.LEFT_PARTY, Status.DECEASED}
    return [status for status in Status.values if status in allowed]


def _last_change_date(member: Member) -> datetime.date | None:
    last = member.status_changes.order_by("-effective_on", "-id").values_list("effective_on", flat=True).first()
    return last


def member_change_status(
    *,
    member: Member,
    status: str,
    effective_on: datetime.date,
    decision_no: str = "",
    reason: str = "",
    ends_on: datetime.date | None = None,
    changed_by,
) -> Member:
    """Change a member's status and keep the change in the timeline. Refuses transitions that make no sense."""

    decision_no = one_line(decision_no)
    reason = one_line(reason)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        current = Status(member.status)
        if status not in Status.values:
            raise ValidationError({"status": _("Unknown status.")})
        target = Status(status)
        if target == current:
            raise ValidationError({"status": _("The member already has this status.")})
        if target not in ALLOWED_TRANSITIONS[current]:
            raise ValidationError(
                {
                    "status": _("A member who is %(current)s cannot become %(target)s.")
                    % {"current": current.label.lower(), "target": target.label.lower()}
                }
            )
        if effective_on > timezone.localdate():
            raise ValidationError({"effective_on": _("The date cannot be in the future.")})
        last = _last_change_date(member)
        if last and effective_on < last:
            raise ValidationError(
                {
                    "effective_on": _("The date cannot be before the previous change (%(date)s).")
                    % {"date": last.strftime("%d/%m/%Y")}
                }
            )
        if member.admitted_on and effective_on < member.admitted_on:
            raise ValidationError({"effective_on": _("The date cannot be before the admission date.")})
        if target in NEEDS_DECISION and not decision_no:
            raise ValidationError({"decision_no": _("Enter the number of the decision.")})
        if ends_on and ends_on <= effective_on:
            raise ValidationError({"ends_on": _("The end date must be after the start date.")})
        if current == Status.SUSPENDED and target in (Status.FULL, Status.PROBATIONARY, Status.EXEMPT):
            # Decision D1: back to exactly the status held before the suspension (exempt stays exempt, probationary
            # stays probationary, with the probation deadline unchanged: the suspension's dates are on the record).
            expected = status_before_suspension(member)
            if expected and expected != target:
                raise ValidationError(
                    {
                        "status": _("After suspension the member returns to %(status)s.")
                        % {"status": Status(expected).label.lower()}
                    }
                )
        if current == Status.PROBATIONARY and target == Status.FULL and member.admitted_on:
            months = hooks.parameters_on(effective_on)["probation_months"]
            earliest = _add_months(member.admitted_on, months)
            if effective_on < earliest:
                raise ValidationError(
                    {
                        "effective_on": _(
                            "Full membership can be recognised only after %(months)s months of probation, from %(date)s."
                        )
                        % {"months": months, "date": earliest.strftime("%d/%m/%Y")}
                    }
                )
        StatusChange.objects.create(
            member=member,
            previous_status=current,
            status=target,
            effective_on=effective_on,
            ends_on=ends_on,
            decision_no=decision_no[:100],
            reason=reason[:500],
            organization=member.organization,
            recorded_by=changed_by if getattr(changed_by, "is_authenticated", False) else None,
        )
        if target not in Member.ON_ROLL:
            _end_seats(member=member, ended_on=effective_on, keep_under=None, by=changed_by)
        member.status = target
        fields = ["status", "updated_at"]
        if target == Status.FULL and current == Status.PROBATIONARY:
            member.official_on = effective_on
            fields.append("official_on")
        member.save(update_fields=fields)
        counts.refresh([member.organization_id])
        log_action(
            actor=changed_by,
            action="members.member.status_changed",
            organization=member.organization,
            target=member,
            message=f"{member.full_name}: {current.label} → {target.label}",
        )
    return member


def _end_seats(*, member: Member, ended_on: datetime.date, keep_under: Organization | None, by) -> None:
    """End the member's open committee seats that no longer fit (all of them, or those not above
    `keep_under`), and take back the cell-secretary role they gave at cells the member has left."""

    open_seats = (
        Position.objects.select_for_update().filter(member=member, ended_on__isnull=True).select_related("organization")
    )
    for seat in open_seats:
        if keep_under is not None and keep_under.path.startswith(seat.organization.path):
            continue
        _end_position(seat, max(seat.started_on or ended_on, ended_on), member=member, by=by)
    if member.user_id:
        stale = RoleAssignment.objects.filter(user_id=member.user_id, role=RoleAssignment.Role.SECRETARY)
        if keep_under is not None:
            stale = stale.exclude(organization=keep_under)
        for assignment in stale.select_related("organization", "user"):
            role_revoke(assignment=assignment, revoked_by=by)


def _add_months(day: datetime.date, months: int) -> datetime.date:

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: datetime.date, days: int, *, calendar: WorkingCalendar | None = None) -> datetime.date:
    """`days` working days after `day`: weekends and the holiday calendar's days off skipped, make-up working days
    counted (cells.calendar, the one place working days are computed)."""
    return working_days.add_working_days(day, days, calendar=calendar)


#
# Transfers (chuyển sinh hoạt đảng)
#


def transfer_deadlines(transfer: Transfer, params=None, *, calendar: WorkingCalendar | None = None) -> dict:
    """Rule B20 deadlines for one transfer, with the working-day counts in force on its decision date
    (`params`: those parameters when the caller has read them for many transfers at once; `calendar`: the holiday
    calendar read once for them, see `transfers_deadlines`)."""

    today = timezone.localdate()
    params = params or hooks.parameters_on(transfer.decided_on)
    procedure_due = add_working_days(transfer.decided_on, params["transfer_working_days"], calendar=calendar)
    letter_due = None
    if transfer.letter_issued_on:
        letter_due = add_working_days(transfer.letter_issued_on, params["letter_working_days"], calendar=calendar)
    return {
        "procedure_due": procedure_due,
        "procedure_late": (transfer.completed_on or today) > procedure_due,
        "letter_due": letter_due,
        "letter_late": letter_due is not None and (transfer.letter_presented_on or today) > letter_due,
    }


def transfers_deadlines(transfers: list[Transfer]) -> None:
    """Set `deadlines` (transfer_deadlines) on each official transfer of a page: the parameters and the holiday
    calendar are read once for all of them (two queries)."""
    official = [transfer for transfer in transfers if transfer.kind == Transfer.Kind.OFFICIAL]
    if not official:
        return
    params = hooks.parameters_on_days({transfer.decided_on for transfer in official})
    spans = []
    for transfer in official:
        spans.append((transfer.decided_on, params[transfer.decided_on]["transfer_working_days"]))
        if transfer.letter_issued_on:
            spans.append((transfer.letter_issued_on, params[transfer.decided_on]["letter_working_days"]))
    calendar = working_days.calendar_for(spans)
    for transfer in official:
        transfer.deadlines = transfer_deadlines(transfer, params[transfer.decided_on], calendar=calendar)


def _check_transfer_dates(
    *, decided_on: datetime.date, letter_issued_on: datetime.date | None, letter_presented_on: datetime.date | None
) -> None:

    today = timezone.localdate()
    if decided_on > today:
        raise ValidationError({"decided_on": _("The date cannot be in the future.")})
    if letter_issued_on and letter_issued_on < decided_on:
        raise ValidationError({"letter_issued_on": _("The letter cannot be issued before the decision.")})
    if letter_issued_on and letter_issued_on > today:
        raise ValidationError({"letter_issued_on": _("The date cannot be in the future.")})
    if letter_presented_on:
        if not letter_issued_on:
            raise ValidationError({"letter_issued_on": _("Enter the date the letter was issued.")})
        if letter_presented_on < letter_issued_on:
            raise ValidationError({"letter_presented_on": _("The letter cannot be presented before it was issued.")})
        if letter_presented_on > today:
            raise ValidationError({"letter_presented_on": _("The date cannot be in the future.")})


def _member_to_transfer(member: Member, to_organization: Organization | None) -> Member:
    """The member, locked, once they may be transferred to the cell `to_organization` (None: out of the tree)."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if not member.is_on_roll:
        raise ValidationError(_("Only a member on a cell's roll can be transferred."))
    if to_organization is not None and to_organization.pk == member.organization_id:
        raise ValidationError({"to_organization": _("The member is already in this cell.")})
    return member


def transfer_official(
    *,
    member: Member,
    to_organization: Organization | None = None,
    to_text: str = "",
    decided_on: datetime.date,
    decision_no: str = "",
    letter_issued_on: datetime.date | None = None,
    letter_presented_on: datetime.date | None = None,
    reason: str = "",
    transferred_by,
) -> Transfer:
    """Official transfer of a member on the roll: to another cell of the tree (the member moves, the transfer
    shows in both cells' history) or out of the tree (the member's status becomes "transferred out")."""
    to_text = one_line(to_text)
    if bool(to_organization) == bool(to_text):
        raise ValidationError(
            {"to_organization": _("Choose a party cell in the tree, or name the organisation outside it.")}
        )
    if to_organization is not None:
        _check_cell(to_organization)
    _check_transfer_dates(
        decided_on=decided_on, letter_issued_on=letter_issued_on, letter_presented_on=letter_presented_on
    )
    with transaction.atomic():
        member = _member_to_transfer(member, to_organization)
        source = member.organization
        transfer = Transfer.objects.create(
            kind=Transfer.Kind.OFFICIAL,
            member=member,
            from_organization=source,
            to_organization=to_organization,
            to_text=to_text[:255],
            decided_on=decided_on,
            decision_no=one_line(decision_no)[:100],
            letter_issued_on=letter_issued_on,
            letter_presented_on=letter_presented_on,
            completed_on=letter_presented_on if to_organization is not None else letter_issued_on,
            reason=one_line(reason)[:500],
            recorded_by=transferred_by if getattr(transferred_by, "is_authenticated", False) else None,
        )
        _end_seats(member=member, ended_on=decided_on, keep_under=to_organization, by=transferred_by)
        if to_organization is not None:
            member.organization = to_organization
            member.save(update_fields=["organization", "updated_at"])
            counts.refresh([source.pk, to_organization.pk])
            for organization in (source, to_organization):
                log_action(
                    actor=transferred_by,
                    action="members.member.transferred",
                    organization=organization,
                    target=member,
                    message=_("%(name)s: official transfer from %(source)s to %(target)s")
                    % {"name": member.full_name, "source": source.name, "target": to_organization.name},
                    data={"transfer": transfer.pk},
                )
        else:
            StatusChange.objects.create(
                member=member,
                previous_status=member.status,
                status=Member.Status.TRANSFERRED_OUT,
                effective_on=decided_on,
                decision_no=transfer.decision_no,
                reason=_("Transferred to %(target)s") % {"target": to_text},
                organization=source,
                recorded_by=transfer.recorded_by,
            )
            member.status = Member.Status.TRANSFERRED_OUT
            member.save(update_fields=["status", "updated_at"])
            counts.refresh([source.pk])
            log_action(
                actor=transferred_by,
                action="members.member.transferred_out",
                organization=source,
                target=member,
                message=_("%(name)s: official transfer to %(target)s") % {"name": member.full_name, "target": to_text},
                data={"transfer": transfer.pk},
            )
    return transfer


def transfer_temporary(
    *,
    to_organization: Organization,
    decided_on: datetime.date,
    expected_return_on: datetime.date,
    member: Member | None = None,
    member_name: str = "",
    from_text: str = "",
    decision_no: str = "",
    reason: str = "",
    transferred_by,
) -> Transfer:
    """A member attends `to_organization` temporarily without joining its roll (đảng số).

    Either a member of the tree (`member`) or someone from outside it (`member_name`, `from_text`).
    The stay is bounded by the parameters in force (rule B20: at most two years, for full-time study).
    """
    _check_cell(to_organization)
    member_name = one_line(member_name)
    from_text = one_line(from_text)
    if member is None and not (member_name and from_text):
        raise ValidationError({"member_name": _("Name the member and the party organisation they come from.")})
    _check_transfer_dates(decided_on=decided_on, letter_issued_on=None, letter_presented_on=None)
    if expected_return_on <= decided_on:
        raise ValidationError({"expected_return_on": _("The end date must be after the start date.")})
    if expected_return_on > _add_months(decided_on, 24):
        raise ValidationError({"expected_return_on": _("A temporary transfer lasts at most two years.")})
    with transaction.atomic():
        if member is not None:
            member = _member_to_transfer(member, to_organization)
            open_transfer = Transfer.objects.filter(member=member, kind=Transfer.Kind.TEMPORARY, ended_on__isnull=True)
            if open_transfer.exists():
                raise ValidationError(_("This member already has an open temporary transfer."))
        transfer = Transfer.objects.create(
            kind=Transfer.Kind.TEMPORARY,
            member=member,
            member_name=member_name[:150] if member is None else "",
            from_organization=member.organization if member is not None else None,
            from_text=from_text[:255] if member is None else "",
            to_organization=to_organization,
            decided_on=decided_on,
            decision_no=one_line(decision_no)[:100],
            expected_return_on=expected_return_on,
            reason=one_line(reason)[:500],
            recorded_by=transferred_by if getattr(transferred_by, "is_authenticated", False) else None,
        )
        log_action(
            actor=transferred_by,
            action="members.transfer.temporary_started",
            organization=to_organization,
            target=transfer,
            message=_("%(name)s attends temporarily") % {"name": transfer.display_name},
        )
    return transfer


def transfer_temporary_end(*, transfer: Transfer, ended_on: datetime.date, ended_by) -> Transfer:

    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.kind != Transfer.Kind.TEMPORARY or transfer.ended_on:
            raise ValidationError(_("This temporary transfer is already closed."))
        _check_end_date(ended_on, transfer.decided_on)
        _end(
            transfer,
            ended_on,
            by=ended_by,
            action="members.transfer.temporary_ended",
            organization=transfer.to_organization,
            message=_("%(name)s no longer attends temporarily") % {"name": transfer.display_name},
        )
    return transfer


#
# Record edits
#

EDITABLE_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "admitted_on",
    "official_on",
    "party_card_no",
    "job_title",
    "workplace",
    "is_civil_servant",
    "ehandbook_since",
    "phone",
    "notes",
)


def member_update(*, member: Member, data: dict, version: int | None, updated_by) -> Member:
    """Edit the record's own fields (not status or cell: those have their own services). Logs before/after.

    `version` is the record's version when the form was read: refused when someone else saved it since."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        check_version(member, version)
        before = {field: getattr(member, field) for field in EDITABLE_FIELDS}
        for field in EDITABLE_FIELDS:
            if field in data:
                value = data[field]
                if isinstance(value, str):
                    value = value.strip()
                setattr(member, field, value)
        member.party_card_no = member.party_card_no or None
        member.refresh_derived()
        if not member.full_name:
            raise ValidationError({"full_name": _("Enter the member's full name.")})
        member.full_clean(exclude=["search_text", "sort_key", "organization", "user"])
        if (
            member.party_card_no
            and Member.objects.filter(party_card_no=member.party_card_no).exclude(pk=member.pk).exists()
        ):
            raise ValidationError({"party_card_no": _("This party card number is already recorded.")})
        changes = {
            field: [str(before[field] or ""), str(getattr(member, field) or "")]
            for field in EDITABLE_FIELDS
            if before[field] != getattr(member, field)
        }
        if not changes:
            return member
        member.version += 1
        member.save(update_fields=[*changes.keys(), "search_text", "sort_key", "version", "updated_at"])
        sensitive = {"phone"}
        log_action(
            actor=updated_by,
            action="members.member.updated",
            organization=member.organization,
            target=member,
            message=member.full_name,
            # Personal data stays out of the audit log: record that it changed, not its values.
            data={"changes": {f: (v if f not in sensitive else ["…", "…"]) for f, v in changes.items()}},
        )
    return member


#
# Committee positions
#


def position_assign(
    *,
    member: Member,
    organization: Organization,
    role: str,
    started_on: datetime.date,
    term_label: str = "",
    grant_secretary_role: bool = True,
    assigned_by,
) -> Position:
    """Seat a member in the committee of their cell or of a party organisation above it.

    A new secretary (or deputy) replaces the current holder, whose seat ends the day before. When the seat is
    secretary or deputy of a cell and the member has a login, the same transaction gives that login the
    cell-secretary role (unless `grant_secretary_role` is False).
    """

    if role not in Position.Role.values:
        raise ValidationError({"role": _("Unknown position.")})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        if not member.is_on_roll:
            raise ValidationError(_("Only a member on a cell's roll can hold a committee position."))
        if not organization.is_active:
            raise ValidationError({"organization": _("%(name)s has been dissolved.") % {"name": organization.name}})
        if not member.organization.path.startswith(organization.path):
            raise ValidationError(
                {
                    "organization": _(
                        "A member can only sit in the committee of their own cell or of a party organisation above it."
                    )
                }
            )
        if Position.objects.filter(member=member, organization=organization, role=role, ended_on__isnull=True).exists():
            raise ValidationError({"role": _("The member already holds this position.")})
        if role == Position.Role.SECRETARY:  # one secretary at a time
            for current in (
                Position.objects.select_for_update()
                .filter(organization=organization, role=role, ended_on__isnull=True)
                .select_related("member")
            ):
                current.ended_on = max(current.started_on or started_on, started_on - datetime.timedelta(days=1))
                current.save(update_fields=["ended_on"])
                _revoke_replaced_secretary(previous=current, organization=organization, by=assigned_by)
        position = Position.objects.create(
            member=member,
            organization=organization,
            role=role,
            started_on=started_on,
            term_label=one_line(term_label)[:20],
        )
        log_action(
            actor=assigned_by,
            action="members.position.assigned",
            organization=organization,
            target=position,
            message=f"{member.full_name}: {position.get_role_display()}",
        )
        if (
            grant_secretary_role
            and member.user_id
            and organization.is_cell
            and role in (Position.Role.SECRETARY, Position.Role.DEPUTY_SECRETARY)
            and not RoleAssignment.objects.filter(
                user_id=member.user_id, organization=organization, role=RoleAssignment.Role.SECRETARY
            ).exists()
        ):
            role_grant(
                user=member.user, organization=organization, role=RoleAssignment.Role.SECRETARY, granted_by=assigned_by
            )
    return position


def _revoke_replaced_secretary(*, previous: Position, organization: Organization, by) -> None:
    """The replaced secretary's login loses the cell-secretary role unless they still hold a seat that gives it."""

    user_id = previous.member.user_id
    if not user_id or not organization.is_cell:
        return
    still_seated = Position.objects.filter(
        member=previous.member,
        organization=organization,
        role__in=(Position.Role.SECRETARY, Position.Role.DEPUTY_SECRETARY),
        ended_on__isnull=True,
    ).exists()
    if still_seated:
        return
    for assignment in RoleAssignment.objects.filter(
        user_id=user_id, organization=organization, role=RoleAssignment.Role.SECRETARY
    ).select_related("organization", "user"):
        role_revoke(assignment=assignment, revoked_by=by)


def position_end(*, position: Position, ended_on: datetime.date, ended_by) -> Position:

    with transaction.atomic():
        position = Position.objects.select_for_update().select_related("member", "organization").get(pk=position.pk)
        if position.ended_on:
            raise ValidationError(_("This position has already ended."))
        _check_end_date(ended_on, position.started_on)
        _end_position(position, ended_on, member=position.member, by=ended_by)
    return position


def _check_end_date(ended_on: datetime.date, started_on: datetime.date | None) -> None:
    """A committee seat or a temporary transfer ends between its start and today."""
    if ended_on > timezone.localdate() or (started_on and ended_on < started_on):
        raise ValidationError({"ended_on": _("The end date must be between the start date and today.")})


def _end_position(position: Position, ended_on: datetime.date, *, member: Member, by) -> None:
    """End a committee seat (of `member`) on `ended_on`, in the audit log too."""
    _end(
        position,
        ended_on,
        by=by,
        action="members.position.ended",
        organization=position.organization,
        message=f"{member.full_name}: {position.get_role_display()}",
    )


def _end(
    record: Position | Transfer, ended_on: datetime.date, *, by, action: str, organization: Organization, message: str
) -> None:
    """Close a committee seat or a temporary attendance on `ended_on`, with its audit entry."""
    record.ended_on = ended_on
    record.save(update_fields=["ended_on"])
    log_action(actor=by, action=action, organization=organization, target=record, message=message)


#
# What the tree asks of members (provided through cells.hooks, see members/apps.py)
#


def members_on_roll(organization: Organization) -> int:
    """Members on the roll of this node itself (a node with members cannot be dissolved)."""
    return Member.objects.filter(organization=organization, status__in=Member.ON_ROLL).count()


def move_members_on_merge(source: Organization, target: Organization) -> list[int]:
    """A merger moves the members on the source's roll to the target (inside the merger's transaction)."""
    moved_member_ids = list(
        Member.objects.filter(organization=source, status__in=Member.ON_ROLL).values_list("pk", flat=True)
    )
    Member.objects.filter(pk__in=moved_member_ids).update(organization=target, updated_at=timezone.now())
    counts.refresh([source.pk, target.pk])
    return moved_member_ids


def member_id_for_user(user) -> int | None:
    """The party member record linked to a login, if any (a plain member sees their own record)."""
    return Member.objects.filter(user=user).values_list("id", flat=True).first()
