"""Working days: Monday to Friday, less the days off of the holiday calendar (cells.Holiday: public holidays, Tết,
compensatory and swapped days off), plus the weekend days worked in exchange (ngày làm bù). Every working-day
deadline (rule B20's 60 and 30 working days, ...) is computed here, never with `weekday()` alone.

One query per call: the calendar rows of the span a call may reach are read at once. A page that computes many
deadlines loads a `WorkingCalendar` for the whole span once and passes it on (`calendar=`).
"""

import datetime
from dataclasses import dataclass, field

from cells.models import Holiday

# How far past the start a first read reaches for `n` working days: 7/5 of them in calendar days, plus room for
# Tết and the other holidays of a year. A deadline further away reads the next span (a second query).
_SLACK_DAYS = 30


@dataclass
class WorkingCalendar:
    """The holiday calendar between `start` and `end` (inclusive), read in one query."""

    start: datetime.date
    end: datetime.date
    days_off: set[datetime.date] = field(default_factory=set)
    days_worked: set[datetime.date] = field(default_factory=set)

    @classmethod
    def load(cls, start: datetime.date, end: datetime.date) -> "WorkingCalendar":
        calendar = cls(start=start, end=end)
        for day, kind in Holiday.objects.filter(date__range=(start, end)).values_list("date", "kind"):
            (calendar.days_worked if kind == Holiday.Kind.WORKING_DAY else calendar.days_off).add(day)
        return calendar

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def extended_to(self, day: datetime.date) -> "WorkingCalendar":
        """This calendar, or one reaching `day` (the missing part read in one query)."""
        if self.covers(day):
            return self
        if day > self.end:
            more = WorkingCalendar.load(self.end + datetime.timedelta(days=1), day)
            start, end = self.start, day
        else:
            more = WorkingCalendar.load(day, self.start - datetime.timedelta(days=1))
            start, end = day, self.end
        return WorkingCalendar(
            start=start,
            end=end,
            days_off=self.days_off | more.days_off,
            days_worked=self.days_worked | more.days_worked,
        )

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.days_worked:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, day: datetime.date, days: int) -> datetime.date:
        return add_working_days(day, days, calendar=self)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        return working_days_between(start, end, calendar=self)


def span_for(day: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    """The dates a deadline of `days` working days after `day` can normally reach (what to load for it)."""
    return day, day + datetime.timedelta(days=days * 7 // 5 + _SLACK_DAYS)


def calendar_for(days: list[tuple[datetime.date, int]]) -> WorkingCalendar | None:
    """One calendar (one query) for many deadlines: `days` holds (start day, working days) pairs."""
    if not days:
        return None
    spans = [span_for(day, count) for day, count in days]
    return WorkingCalendar.load(min(start for start, _end in spans), max(end for _start, end in spans))


def add_working_days(day: datetime.date, days: int, *, calendar: WorkingCalendar | None = None) -> datetime.date:
    """The date `days` working days after `day` (the day itself not counted; `day` when `days` is 0)."""
    if days <= 0:
        return day
    calendar = calendar or WorkingCalendar.load(*span_for(day, days))
    current, remaining = day, days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if not calendar.covers(current):
            calendar = calendar.extended_to(span_for(current, remaining)[1])
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date, *, calendar: WorkingCalendar | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`): so that
    `working_days_between(day, add_working_days(day, n)) == n`."""
    if end <= start:
        return 0
    calendar = calendar or WorkingCalendar.load(start, end)
    calendar = calendar.extended_to(start).extended_to(end)
    count, current = 0, start
    while current < end:
        current += datetime.timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count
