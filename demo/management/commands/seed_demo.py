"""`manage.py seed_demo`: load the demo bloc committee, its meetings, reviews and the demo logins (building logic in
the demo package: demo/build.py runs the steps in order)."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from cells.models import Organization
from demo.accounts import DEMO_PASSWORD, demo_logins
from demo.build import build_all
from demo.evaluations import summary_lines
from demo.meetings import MEETINGS_FROM_YEAR, meeting_months
from demo.tree import ROOT_CODE
from meetings.selectors import Period, kpis
from members.models import Member, Position, Transfer


class Command(BaseCommand):
    help = (
        "Create a demo bloc committee (44 đảng bộ cơ sở with 288 cells, 28 chi bộ cơ sở, about 4,760 members) "
        f"and demo logins with the password {DEMO_PASSWORD!r}, with their meetings from "
        f"{MEETINGS_FROM_YEAR} to last month. Does nothing if the demo is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025): same seed, same data.")
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Copies of the grassroots level, for benchmarks (default 1); the demo logins are created once.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) if any organisation exists at all.",
        )
        parser.add_argument(
            "--no-meetings",
            action="store_false",
            dest="meetings",
            help="Only the tree, members and logins: no meetings (fast).",
        )
        parser.add_argument(
            "--no-evaluations",
            action="store_false",
            dest="evaluations",
            help="No past ratings, yearly reviews (2025 decided, 2026 in progress) or model-cell registrations.",
        )

    @no_translations
    def handle(
        self, *args, seed: int, scale: int, if_empty: bool, meetings: bool = True, evaluations: bool = True, **options
    ):
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        started = time.monotonic()
        with transaction.atomic():
            if Organization.objects.filter(code=ROOT_CODE).exists():
                self.stdout.write(f"The demo data is already present (organisation {ROOT_CODE}); nothing changed.")
                self._print_logins()
                return
            if if_empty and Organization.objects.exists():
                self.stdout.write("The database already holds organisations (--if-empty); no demo data was added.")
                self._print_logins()
                return
            try:
                plan, kept, reviews = build_all(seed=seed, scale=scale, meetings=meetings, evaluations=evaluations)
            except ValueError as error:
                raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started

        kind = Organization.Kind
        self.stdout.write(
            self.style.SUCCESS(f"Demo data created in {elapsed:.1f} s (seed {seed}, scale {scale}):")
            + f"\n  1 {kind.UPPER.label} [{ROOT_CODE}]: {plan.root.name}"
            + f"\n  {plan.count(kind.GRASSROOTS_COMMITTEE)} đảng bộ cơ sở"
            + f" with {plan.count(kind.SUB_COMMITTEE)} đảng bộ bộ phận"
            + f" and {plan.count(kind.CELL)} chi bộ trực thuộc"
            + f"\n  {plan.count(kind.GRASSROOTS_CELL)} chi bộ cơ sở"
            + f"\n  {len(plan.members)} members"
            + f" ({sum(1 for m in plan.members if m.status == Member.Status.PROBATIONARY)} probationary),"
            + f" {len(plan.positions)} committee positions ({sum(1 for p in plan.positions if p.role == Position.Role.SECRETARY)} bí thư)"
            + self._history_summary(plan)
        )
        if plan.meeting_stats is not None:
            self._print_meetings(plan)
        if reviews is not None:
            self.stdout.write(f"Reviews and model cells ({reviews.seconds:.1f} s):")
            self.stdout.write("\n".join(summary_lines(reviews)))
        if kept:
            self.stdout.write(
                self.style.WARNING(
                    f"These users already existed and were left as they were (password unchanged): {', '.join(kept)}"
                )
            )
        self._print_logins()

    @staticmethod
    def _history_summary(plan) -> str:
        by_status = {}
        for member in plan.members:
            by_status[member.status] = by_status.get(member.status, 0) + 1
        off_roll = ", ".join(
            f"{by_status.get(status, 0)} {Member.Status(status).label.lower()}"
            for status in (Member.Status.EXEMPT, Member.Status.SUSPENDED, Member.Status.TRANSFERRED_OUT)
            + (Member.Status.DECEASED, Member.Status.LEFT_PARTY)
        )
        official = [t for t in plan.transfers if t.kind == Transfer.Kind.OFFICIAL and t.to_organization is not None]
        temporary = sum(1 for t in plan.transfers if t.kind == Transfer.Kind.TEMPORARY)
        return (
            f"\n  {len(plan.status_changes)} status changes ({off_roll})"
            + f"\n  {len(official)} transfers between cells, {temporary} temporary members from outside"
        )

    def _print_meetings(self, plan) -> None:
        stats = plan.meeting_stats
        months = meeting_months(plan.today)
        span = f"{months[0][1]:02d}/{months[0][0]}–{months[-1][1]:02d}/{months[-1][0]}" if months else "none"
        self.stdout.write(
            f"  {stats.meetings} meetings ({span}; {stats.final} finalised), {stats.attendance} attendance rows, "
            f"{stats.temporary_attendance} temporary members' attendance, {stats.scores} score lines"
        )
        superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if superuser is None or not months or months[-1][0] < 2025:
            return
        figures = kpis(user=superuser, root=plan.root, period=Period(year=2025), today=plan.today)
        self.stdout.write(
            "2025, as the compliance page counts it: "
            f"{figures.pct_all_regular}% of {figures.cells} cells held all 12 regular meetings, "
            f"{figures.pct_all_thematic}% a thematic meeting every quarter; "
            f"attendance {figures.attendance_pct}%; {figures.pct_good}% of regular meetings rated Tốt."
        )

    def _print_logins(self) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo logins exist in this database.")
            return
        header = ("Username", "Password", "Role", "Lands at")
        table = [header] + [(r.username, r.password, r.role, r.lands_at) for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(3)]
        lines = []
        for n, row in enumerate(table):
            lines.append(
                "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
            )
            if n == 0:
                lines.append("  ".join("-" * width for width in widths) + "  " + "-" * len(header[3]))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):\n" + "\n".join(lines))
