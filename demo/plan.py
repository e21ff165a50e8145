"""The demo plan: everything `demo.build.build_demo` writes, as unsaved model instances.

Planning runs no query, so the same seed gives the same data and tests can compare plans without a database.
"""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cells.models import Organization
from members.models import Member, Position, StatusChange, Transfer

if TYPE_CHECKING:  # annotation only: demo.meetings imports demo.rolls → demo.member_history → this module
    from demo.meetings import MeetingStats


@dataclass
class CellInfo:
    """What member planning needs to know about a cell beyond the Organization row."""

    organization: Organization
    profile: str
    unit_name: str  # the department (or, for a chi bộ cơ sở, the host unit) its bí thư heads
    workplace: str
    host_name: str = ""  # the host unit of its grassroots organisation


@dataclass
class DemoPlan:
    """Everything `build_demo` writes, as unsaved model instances in insertion order."""

    root: Organization
    organizations: list[Organization] = field(default_factory=list)  # below the root, parents before children
    members: list[Member] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    members_by_cell: dict[str, list[Member]] = field(default_factory=dict)  # by cell code
    # Where the demo accounts land (copy 1).
    grassroots_committee: Organization | None = None  # capuycoso
    secretary_cell: Organization | None = None  # bithu
    secretary_member: Member | None = None
    ordinary_member: Member | None = None  # dangvien
    outsider_cell: Organization | None = None  # bithu2
    outsider_member: Member | None = None
    # Member history (plan_member_events): status changes and transfers, in insertion order.
    status_changes: list[StatusChange] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    # Per copy: its cells, and the codes of the weak cells and of the cells the demo accounts use.
    copy_cells: list[list[CellInfo]] = field(default_factory=list)
    weak_codes: set[str] = field(default_factory=set)
    protected_codes: set[str] = field(default_factory=set)
    today: datetime.date | None = None
    meetings_seed: int = 0  # build_meetings draws from this
    meeting_stats: "MeetingStats | None" = None  # set by build_demo when it logs meetings

    @property
    def cells(self) -> list[Organization]:
        return [org for org in self.organizations if org.kind in Organization.CELL_KINDS]

    def count(self, kind: str) -> int:
        return sum(1 for org in self.organizations if org.kind == kind)
