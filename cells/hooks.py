"""What the tree asks of the layers above it.

`cells` is the bottom layer (see the layer contract in pyproject.toml): it may not import members, meetings,
criteria or anything higher. Where the tree, its pages or the layers just above it need something that only a
higher layer knows — the rule parameters in force on a day, how many members a node has — they call a hook
declared here, and the layer that knows fills it in its `AppConfig.ready()`:

    criteria  → parameters_on_days
    members   → member_id_for_user, members_on_roll, move_members_on_merge, fill_member_counts,
                member_counts_by_organization, structure_warnings, organization_page_context,
                people_for_users
    evaluations → member_attendance_history (read in meetings), member_rating_history

Each hook has exactly one provider; calling a hook nobody provided is a configuration error, never a silent
default.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


class Hook:
    """One function that a higher layer provides to a lower one."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._provider: Callable | None = None

    def provide(self, function: Callable) -> Callable:
        if self._provider is not None and self._provider is not function:
            raise ImproperlyConfigured(f"The hook {self.name} is already provided by {self._provider!r}.")
        self._provider = function
        return function

    def __call__(self, *args, **kwargs):
        if self._provider is None:
            raise ImproperlyConfigured(f"Nothing provides the hook {self.name}: is its app in INSTALLED_APPS?")
        return self._provider(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


#
# Rules (provided by criteria: rules are versioned data, criteria.RuleParameterSet)
#

parameters_on_days = Hook(
    "parameters_on_days",
    "parameters_on_days(days) -> {day: Parameters}: the rule parameter set in force on each day (one query).",
)


def parameters_on(day: datetime.date | None = None):
    """The rule parameters in force on `day` (today by default), e.g. `parameters_on(day)["min_full_members"]`."""
    day = day or timezone.localdate()
    return parameters_on_days([day])[day]


#
# Members (provided by members)
#

member_id_for_user = Hook(
    "member_id_for_user", "member_id_for_user(user) -> int | None: the party member record linked to a login."
)
members_on_roll = Hook(
    "members_on_roll", "members_on_roll(organization) -> int: members on the roll of this node itself."
)
move_members_on_merge = Hook(
    "move_members_on_merge",
    "move_members_on_merge(source, target) -> list[int]: move the members on source's roll to target, inside the "
    "merger's transaction; returns their ids for the audit entry.",
)
member_counts_by_organization = Hook(
    "member_counts_by_organization",
    "member_counts_by_organization(organization_filter=Q) -> {org_id: {'all': n, 'full': n}}: members on the roll "
    "per node, `organization_filter` being a Q over the member's organisation (prefix 'organization__').",
)
fill_member_counts = Hook(
    "fill_member_counts",
    "fill_member_counts(top, rows, *, user, include_dissolved=False, with_total=True): member counts of a tree "
    "page's rows (cells.selectors.TreeRow), read for those rows only.",
)
structure_warnings = Hook(
    "structure_warnings", "structure_warnings(organization) -> list: rule B19 warnings for one node."
)
people_for_users = Hook(
    "people_for_users",
    "people_for_users(user_ids) -> {user_id: (member_name, [(organization_id, position_label, organization_name), "
    "...])}: the party member record linked to each login and the committee seats it holds now (for the history: "
    "who did it). One query.",
)
organization_page_context = Hook(
    "organization_page_context",
    "organization_page_context(request, organization) -> dict: what the node page shows of its members "
    "(the roll, the committee, transfers, temporary members).",
)


#
# A member's record page (members, below meetings and evaluations)
#

member_attendance_history = Hook(
    "member_attendance_history",
    "member_attendance_history(member, *, today) -> meetings.member_history.AttendanceHistory: the meetings of the "
    "last 12 months where the member was on the attendance list, with present / counted (one query).",
)
member_rating_history = Hook(
    "member_rating_history",
    "member_rating_history(member) -> list[evaluations.member_history.RatingRow]: the member's yearly ratings, "
    "decided in chibo or imported, newest first (two queries).",
)
