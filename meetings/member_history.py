"""A member's attendance history, for their record page (members cannot read meetings: cells.hooks
`member_attendance_history`, filled in EvaluationsConfig.ready() with the ratings, evaluations/member_history.py)."""

import datetime
from dataclasses import dataclass, field

from meetings.models import Attendance


@dataclass
class AttendanceHistory:
    since: datetime.date
    rows: list = field(default_factory=list)  # Attendance, each with its meeting, newest first
    present: int = 0
    counted: int = 0  # meetings where the member was expected (exempt and special duty are outside, B4)

    @property
    def absent(self) -> int:
        return self.counted - self.present


def year_ago(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def member_attendance_history(member, *, today: datetime.date) -> AttendanceHistory:
    """The meetings of the last 12 months where `member` was on the attendance list (one query)."""
    since = year_ago(today)
    rows = list(
        Attendance.objects.filter(member=member, meeting__date__gt=since, meeting__date__lte=today)
        .select_related("meeting__organization")
        .order_by("-meeting__date", "-meeting_id")
    )
    history = AttendanceHistory(since=since, rows=rows)
    for row in rows:
        if row.status in Attendance.NOT_COUNTED:
            continue
        history.counted += 1
        history.present += row.status == Attendance.Status.PRESENT
    return history
