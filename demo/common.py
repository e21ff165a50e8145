"""Helpers every demo builder uses: weighted draws and date arithmetic.

The Vietnamese strings in the demo modules are demo *data* (unit and department names, personal names, minutes,
comments, reasons), not user interface text.
"""

import calendar
import datetime
import itertools
import random

from django.utils import timezone


class Weighted:
    """`rng.choices` with precomputed cumulative weights: one call per draw, no re-summing."""

    def __init__(self, pairs):
        self.values = [value for value, _weight in pairs]
        self.cum_weights = list(itertools.accumulate(weight for _value, weight in pairs))

    def draw(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def years_before(day: datetime.date, years: float) -> datetime.date:
    return day - datetime.timedelta(days=int(years * 365.2425))


def years_after(day: datetime.date, years: float) -> datetime.date:
    return day + datetime.timedelta(days=int(years * 365.2425))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (as members.services counts probation)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day in [start, end] (start when the range is empty); always one draw, so later draws do not shift."""
    offset = rng.randint(0, max(0, (end - start).days))
    return start + datetime.timedelta(days=offset)


def aware(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
