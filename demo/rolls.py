"""Who was on each cell's roll, and with what status, on any day: read back from the member records, their status
changes and the transfers between cells. The meetings (attendance) and the evaluations (who is rated) use it."""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass

from cells.models import Organization
from demo.member_history import STRUCK_OFF_REASON
from members.models import Member, StatusChange, Transfer

Status = Member.Status


@dataclass
class RollEntry:
    """One member's stay in one cell, with their status timeline (from their records)."""

    member_id: int
    start: datetime.date  # in the cell from (inclusive) ...
    end: datetime.date  # ... to (exclusive)
    dates: list[datetime.date]  # status timeline: `statuses[i]` from `dates[i]`
    statuses: list[str]
    date_of_birth: datetime.date | None
    struck_off_on: datetime.date | None  # struck off for not attending: absent without reason before that

    def status_on(self, day: datetime.date) -> str | None:
        """The status on `day` if the member is on this cell's roll that day, else None."""
        if not self.start <= day < self.end:
            return None
        index = bisect.bisect_right(self.dates, day) - 1
        if index < 0:
            return None
        status = self.statuses[index]
        return status if status in Member.ON_ROLL else None


def cell_rolls(root: Organization) -> dict[int, list[RollEntry]]:
    """Every cell's members over time, from the member records, status changes and transfers between cells."""
    changes = defaultdict(list)
    for member_id, previous, status, effective_on, reason in (
        StatusChange.objects.filter(member__organization__path__startswith=root.path)
        .order_by("effective_on", "pk")
        .values_list("member_id", "previous_status", "status", "effective_on", "reason")
    ):
        changes[member_id].append((previous, status, effective_on, reason))
    moves = defaultdict(list)
    for member_id, from_id, decided_on in (
        Transfer.objects.filter(
            kind=Transfer.Kind.OFFICIAL,
            member__organization__path__startswith=root.path,
            from_organization__isnull=False,
            to_organization__isnull=False,
        )
        .order_by("decided_on", "pk")
        .values_list("member_id", "from_organization_id", "decided_on")
    ):
        moves[member_id].append((from_id, decided_on))
    rolls = defaultdict(list)
    for member_id, organization_id, status, admitted_on, official_on, date_of_birth in (
        Member.objects.filter(organization__path__startswith=root.path)
        .order_by("pk")
        .values_list("pk", "organization_id", "status", "admitted_on", "official_on", "date_of_birth")
    ):
        own = changes.get(member_id, [])
        if admitted_on:
            timeline = [(admitted_on, Status.PROBATIONARY)]
            if official_on and official_on >= admitted_on:
                timeline.append((official_on, Status.FULL))
        else:
            timeline = [(datetime.date.min, own[0][0] if own and own[0][0] else status)]
        timeline += [(effective_on, new) for _previous, new, effective_on, _reason in own]
        timeline.sort(key=lambda point: point[0])
        dates, statuses = [point[0] for point in timeline], [point[1] for point in timeline]
        struck_off_on = next(
            (day for _p, new, day, reason in own if new == Status.LEFT_PARTY and reason == STRUCK_OFF_REASON), None
        )
        start = datetime.date.min
        for from_id, decided_on in moves.get(member_id, []):
            rolls[from_id].append(
                RollEntry(member_id, start, decided_on, dates, statuses, date_of_birth, struck_off_on)
            )
            start = decided_on
        rolls[organization_id].append(
            RollEntry(member_id, start, datetime.date.max, dates, statuses, date_of_birth, struck_off_on)
        )
    return rolls
