"""The kept month summaries (meetings/summaries.py) give the figures of meetings.counting exactly: the same
per-cell annotations and totals as counting reads from the meeting rows, on the varied year of test_counting (every
D6 case: grace, draft, make-up, founding and dissolution inside the year, thematic quarters), for every node and
period, whatever "today" and the grace parameter are — the summary keeps facts, not a verdict."""

import datetime

import pytest
import time_machine

from cells.models import Organization
from criteria.models import RuleParameterSet
from meetings import counting, summaries
from meetings.models import CellMonthSummary
from tests.meetings.test_counting import PERIODS, varied_year

pytestmark = pytest.mark.django_db

FIELDS = tuple(counting.FIGURES)


def both(root, period, today):
    cells = Organization.objects.filter(path__startswith=root.path, kind__in=Organization.CELL_KINDS)
    win = counting.window(period.year, today)
    existing = counting.cells_existing(cells, period.year, period.months)
    source = counting.per_cell(existing, months=period.months, win=win).order_by("pk").values("pk", *FIELDS)
    kept = summaries.per_cell(existing, months=period.months, win=win).order_by("pk").values("pk", *FIELDS)
    return list(source), list(kept)


@pytest.mark.parametrize("today", ["2025-11-05", "2026-01-05", "2026-02-16"])  # inside a grace, before, after
@pytest.mark.parametrize("node", ["root", "b", "a1"])
def test_D6_kept_summaries_give_countings_figures(world, node, today):
    with time_machine.travel(f"{today} 09:00 +0700", tick=False):
        varied_year(world)
        day = datetime.date.fromisoformat(today)
        root = getattr(world.tree, node)
        assert summaries.kept_all() == summaries.rebuilt_all()
        for period in PERIODS:
            source, kept = both(root, period, day)
            assert source and kept == source, period.label
            cells = Organization.objects.filter(path__startswith=root.path)
            assert summaries.totals(cells, year=period.year, months=period.months, today=day) == counting.totals(
                cells, year=period.year, months=period.months, today=day
            )


def test_D6_a_longer_grace_needs_no_rewrite_of_the_kept_rows(world):
    """late_grace_days is versioned data: the kept row keeps the date, the read applies the grace in force."""
    with time_machine.travel("2026-02-16 09:00 +0700", tick=False):
        varied_year(world)
        before = summaries.kept_all()
        for parameters in RuleParameterSet.objects.all():
            parameters.values = {**parameters.values, "late_grace_days": 25}
            parameters.save()
        assert counting.window(2025).deadlines[4] == datetime.date(2025, 5, 25)
        assert summaries.kept_all() == before
        for period in PERIODS:
            source, kept = both(world.tree.root, period, datetime.date(2026, 2, 16))
            assert kept == source, period.label


def test_rebuild_all_writes_what_the_services_keep(world):
    with time_machine.travel("2026-02-16 09:00 +0700", tick=False):
        varied_year(world)
        kept = summaries.kept_all()
        CellMonthSummary.objects.all().delete()
        assert summaries.rebuild_all() == len(kept)
        assert summaries.kept_all() == kept
