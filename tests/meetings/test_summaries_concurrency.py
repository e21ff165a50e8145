"""Two writers to one cell's month at the same moment (PostgreSQL): the kept month summary ends up with both
meetings, as a rebuild from the meeting rows says — the second writer's refresh waits for the first's commit (the
summary row is created, then locked, before the meetings are read), so neither overwrites the other with a stale
view."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from cells import figcache
from cells.models import FiguresStamp
from meetings import summaries
from meetings.models import CellMonthSummary, Meeting
from tests import helpers


@pytest.fixture
def postgresql(services_required):
    if connection.vendor != "postgresql":
        services_required("postgresql")  # skips here, or fails when REQUIRE_SERVICES=1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_meetings_of_one_month_saved_at_once_are_both_kept(world, postgresql):
    cell = world.tree.a1
    rows = [
        helpers.meeting_row(cell, 2025, 5, day=12),  # the regular meeting, finalised
        helpers.meeting_row(cell, 2025, 5, day=20, kind=Meeting.Kind.THEMATIC, topic="Chuyên đề"),
    ]
    barrier = threading.Barrier(2)
    errors = []

    def write(meeting: Meeting) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                meeting.save()  # refreshes the month's summary in this transaction
                time.sleep(0.5)  # hold the transaction open while the other writer refreshes
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(row,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    kept = CellMonthSummary.objects.get(organization=cell, period_year=2025, period_month=5)
    assert (kept.status, kept.date, kept.thematic_date) == (
        Meeting.Status.FINAL,
        datetime.date(2025, 5, 12),
        datetime.date(2025, 5, 20),
    )
    assert summaries.kept_all() == summaries.rebuilt_all()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_writers_in_cells_of_two_committees_renew_the_blocs_version_without_a_deadlock(world, postgresql):
    """Each writer renews its cell's, its committee's and the bloc's version in its own transaction (cells/
    figcache.py). Four writers in four cells of two committees, each also touching a second cell, at once: the
    versions are written in key order, so they queue on the bloc's row instead of deadlocking, all commit, and a
    reader that took the bloc's version before them finds a new one after."""
    tree = world.tree
    figcache.touch_tree()
    figcache.touch([tree.a1.pk, tree.b1.pk])
    before = FiguresStamp.objects.get(node=tree.root.pk).version
    pairs = [(tree.a1, tree.b2), (tree.b1, tree.a2), (tree.a2, tree.b1), (tree.b2, tree.a1)]
    barrier = threading.Barrier(len(pairs))
    errors = []

    def write(first, second) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                helpers.meeting_row(first, 2025, 5, day=12).save()
                time.sleep(0.2)  # hold the first cell's versions while the others take theirs
                helpers.meeting_row(second, 2025, 6, day=12).save()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert FiguresStamp.objects.get(node=tree.root.pk).version != before
    assert summaries.kept_all() == summaries.rebuilt_all()
