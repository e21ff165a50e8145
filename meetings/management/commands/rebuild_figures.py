"""Rebuild the kept figures from their source rows: the per-cell-per-month meeting summaries
(meetings.summaries.rebuild_all) and the per-organisation member counts (members.counts.rebuild_all).

The services keep both in the transaction of every change; run this after a bulk load that bypasses them (a bench
database, an import done in SQL) or to check that nothing drifted (`--check` only compares, and fails if it did).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from cells import figcache
from meetings import summaries
from members import counts


class Command(BaseCommand):
    help = "Rebuild the kept meeting summaries and member counts from the meeting and member rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only compare the kept figures with the source rows; exit 1 on drift."
        )

    def handle(self, *args, check=False, **options):
        if check:
            drift = []
            if summaries.kept_all() != summaries.rebuilt_all():
                drift.append("meeting summaries")
            if counts.kept_all() != counts.counted_all():
                drift.append("member counts")
            if drift:
                raise CommandError("Kept figures differ from the source rows: " + ", ".join(drift))
            self.stdout.write("Kept figures match the source rows.")
            return
        started = time.monotonic()
        n = summaries.rebuild_all()
        self.stdout.write(f"Meeting summaries: {n} rows in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        n = counts.rebuild_all()
        self.stdout.write(f"Member counts: {n} rows in {time.monotonic() - started:.1f} s")
        figcache.touch_tree()  # every figure kept in the cache was computed from the rows before
