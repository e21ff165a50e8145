"""Discipline as a fact of the member record (D5; B13, B23, B24): recording and annulling a disciplinary decision,
and the reads every figure that depends on discipline is computed from.

A figure is never copied from here into another record at one step: the yearly review, the metrics and the model
programmes call these selectors each time they need the figure, so a decision recorded after a cell's
self-assessment still reaches its appraisal, its decision and the lock of the year.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.permissions import EDIT_MEMBERS, ROLE_ACTIONS, UPPER_ROLES, get_access
from cells.services import log_action, required_line
from cells.text import one_line
from members.models import Discipline, Member, Position


def can_record_discipline(user, member: Member) -> bool:
    """Discipline is recorded by the committee above the cell: a staff or grassroots-committee grant covering the
    member's cell that may edit members (a cell secretary may not)."""
    access = get_access(user)
    if access.is_superuser:
        return True
    return any(
        grant.role in UPPER_ROLES and EDIT_MEMBERS in ROLE_ACTIONS[grant.role]
        for grant in access.covering(member.organization)
    )


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def in_force(year: int) -> Q:
    """The disciplinary decisions that count for `year`: decided in that calendar year and not annulled."""
    start, end = _year_bounds(year)
    return Q(decided_on__gte=start, decided_on__lte=end, annulled_at__isnull=True)


@transaction.atomic
def discipline_record(
    *,
    member: Member,
    form: str,
    decision_no: str,
    decided_on: datetime.date,
    deciding_body: str,
    reason: str = "",
    recorded_by,
) -> Discipline:
    """Record a disciplinary decision on a member's record (audited). The figures of the member's year follow at
    once: the member's cap, the cell's and the grassroots organisation's figures, the programme criteria."""
    if not can_record_discipline(recorded_by, member):
        raise PermissionDenied
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if form not in Discipline.Form.values:
        raise ValidationError({"form": _("Choose the form of discipline.")})
    decision_no = required_line(decision_no, "decision_no", _("Give the number of the disciplinary decision."))
    deciding_body = required_line(deciding_body, "deciding_body", _("Name the body that decided the discipline."))
    if decided_on is None:
        raise ValidationError({"decided_on": _("Give the date of the decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The decision date cannot be in the future.")})
    if member.admitted_on and decided_on < member.admitted_on:
        raise ValidationError({"decided_on": _("The decision date cannot be before the member was admitted.")})
    discipline = Discipline(
        member=member,
        organization=member.organization,
        form=form,
        decision_no=decision_no[:100],
        decided_on=decided_on,
        deciding_body=deciding_body[:255],
        reason=one_line(reason)[:1000],
        recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
        recorded_at=timezone.now(),
    )
    discipline.full_clean()
    discipline.save()
    log_action(
        actor=recorded_by,
        action="members.discipline.recorded",
        organization=member.organization,
        target=discipline,
        message=_("%(name)s: %(form)s, decision %(number)s of %(date)s (%(body)s)")
        % {
            "name": member.full_name,
            "form": discipline.get_form_display(),
            "number": discipline.decision_no,
            "date": decided_on.strftime("%d/%m/%Y"),
            "body": discipline.deciding_body,
        },
        data={
            "member": member.pk,
            "form": form,
            "decision_no": discipline.decision_no,
            "decided_on": decided_on.isoformat(),
            "deciding_body": discipline.deciding_body,
            "reason": discipline.reason,
        },
    )
    return discipline


@transaction.atomic
def discipline_annul(*, discipline: Discipline, reason: str, annulled_by) -> Discipline:
    """Annul a disciplinary decision recorded by mistake (or quashed): it stays on the record, marked annulled with
    who, when and why, and counts for nothing from then on."""
    discipline = Discipline.objects.select_for_update().select_related("member__organization").get(pk=discipline.pk)
    if not can_record_discipline(annulled_by, discipline.member):
        raise PermissionDenied
    if discipline.is_annulled:
        raise ValidationError(_("This disciplinary decision has already been annulled."))
    reason = required_line(reason, "reason", _("Give the reason for annulling the decision."))
    discipline.annulled_at = timezone.now()
    discipline.annulled_by = annulled_by if getattr(annulled_by, "is_authenticated", False) else None
    discipline.annul_reason = reason[:1000]
    discipline.save(update_fields=["annulled_at", "annulled_by", "annul_reason"])
    log_action(
        actor=annulled_by,
        action="members.discipline.annulled",
        organization=discipline.member.organization,
        target=discipline,
        message=_("%(name)s: disciplinary decision %(number)s annulled: %(reason)s")
        % {"name": discipline.member.full_name, "number": discipline.decision_no, "reason": reason},
        data={"member": discipline.member_id, "reason": reason},
    )
    return discipline


#
# Reads (one or two queries each, whatever the number of organisations)
#


def disciplined_member_ids(*, year: int, member_ids: Iterable[int] | None = None) -> set[int]:
    """Members with a disciplinary decision in force for `year` (B13: "disciplined in the year")."""
    query = Discipline.objects.filter(in_force(year))
    if member_ids is not None:
        query = query.filter(member_id__in=list(member_ids))
    return set(query.values_list("member_id", flat=True))


def member_disciplines(*, year: int, member_ids: Iterable[int]) -> dict[int, list[Discipline]]:
    """{member id: that year's decisions in force, latest first}."""
    result: dict[int, list[Discipline]] = defaultdict(list)
    for discipline in Discipline.objects.filter(in_force(year), member_id__in=list(member_ids)).order_by(
        "-decided_on", "-id"
    ):
        result[discipline.member_id].append(discipline)
    return dict(result)


def _decisions(year: int) -> list[dict]:
    # The year's decisions in force are few (a handful in a bloc of thousands of members): read them once.
    return list(Discipline.objects.filter(in_force(year)).values("member_id", "organization__path"))


def _count_below(decisions: list[dict], path: str) -> int:
    return len({d["member_id"] for d in decisions if d["organization__path"].startswith(path)})


def members_disciplined_by_org(*, organizations: Iterable[Organization], year: int) -> dict[int, int]:
    """{organisation pk: distinct members disciplined in the year on its roll or anywhere below it}. One query.

    A decision counts for the organisation the member was on the roll of when it was recorded."""
    decisions = _decisions(year)
    return {organization.pk: _count_below(decisions, organization.path) for organization in organizations}


@dataclass
class DisciplineFigures:
    """What a party organisation's year holds on discipline, summed over its subtree (D5)."""

    members_disciplined: int = 0  # distinct members of the subtree disciplined in the year
    units: int = 0  # direct subordinate party organisations
    units_disciplined: int = 0  # ...with a member disciplined in the year somewhere below them
    leadership: list = field(default_factory=list)  # [(member name, form)] of the node's committee seats
    leadership_worst_form: str = ""  # the heaviest form among them

    @property
    def units_disciplined_pct(self):
        if not self.units:
            return Decimal(0)
        return (Decimal(100 * self.units_disciplined) / Decimal(self.units)).quantize(Decimal("0.1"))

    @property
    def leadership_disciplined(self) -> bool:
        return bool(self.leadership)


def discipline_figures(*, organizations: Iterable[Organization], year: int) -> dict[int, DisciplineFigures]:
    """{organisation pk: DisciplineFigures} for the calendar year, in four queries whatever the number of nodes.

    A decision counts for the organisation the member was on the roll of when it was recorded, and for every node
    above it. A subordinate unit is a direct child organisation active in the year; it counts as disciplined when a
    member somewhere below it was. The leadership is the node's own committee seats (Position.COMMITTEE_ROLES) held
    at some time during the year.
    """
    organizations = list(organizations)
    result = {o.pk: DisciplineFigures() for o in organizations}
    if not organizations:
        return result
    start, end = _year_bounds(year)
    decisions = _decisions(year)
    for organization in organizations:
        result[organization.pk].members_disciplined = _count_below(decisions, organization.path)
    # Direct subordinate units active during the year.
    children = Organization.objects.filter(parent_id__in=[o.pk for o in organizations]).filter(
        Q(founded_on__isnull=True) | Q(founded_on__lte=end), Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=start)
    )
    for child in children.values("parent_id", "path"):
        figures = result[child["parent_id"]]
        figures.units += 1
        if any(d["organization__path"].startswith(child["path"]) for d in decisions):
            figures.units_disciplined += 1
    # The node's committee seats held during the year, and their holders' decisions in force.
    seats = Position.objects.filter(
        organization_id__in=[o.pk for o in organizations],
        role__in=Position.COMMITTEE_ROLES,
    ).filter(Q(started_on__isnull=True) | Q(started_on__lte=end), Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    holders = defaultdict(set)
    for seat in seats.values("organization_id", "member_id"):
        holders[seat["member_id"]].add(seat["organization_id"])
    if holders:
        for discipline in Discipline.objects.filter(in_force(year), member_id__in=list(holders)).select_related(
            "member"
        ):
            for organization_id in holders[discipline.member_id]:
                figures = result[organization_id]
                figures.leadership.append((discipline.member.full_name, discipline.form))
                if not figures.leadership_worst_form or Discipline.form_rank(discipline.form) > Discipline.form_rank(
                    figures.leadership_worst_form
                ):
                    figures.leadership_worst_form = discipline.form
    return result
