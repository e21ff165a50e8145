"""Demo data: the past ratings (HistoricalRating, source "Dữ liệu mẫu") for 2020–2024: every party organisation
old enough to be classified that year, and every member on a cell's roll on 31 December, admitted long enough before
(B14), within the quota (B12) for members and for subordinate organisations."""

import datetime
import random
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone

from cells.models import Organization
from demo.context import EvaluationContext
from demo.grading import (
    EXC,
    GOOD,
    HISTORY_YEARS,
    IMPORTED_AT,
    SOURCE,
    at_least,
    classified_org,
    fit_quota,
    member_grade,
    org_grade,
    seeded_rng,
)
from evaluations import rules
from evaluations.models import HistoricalRating

Kind = Organization.Kind


def plan_past_ratings(ctx: EvaluationContext, forced: dict) -> Iterator[HistoricalRating]:
    """The past ratings, organisations and members, year by year (a generator: at `--scale 95` a year is 450,000
    rows); `forced` ({(organisation pk, year): ("exact" or "min", grade)}) makes the model cells eligible (B21) and
    keeps them rated HTTNV or better while they build."""
    imported_at = timezone.make_aware(IMPORTED_AT)
    for year in HISTORY_YEARS:
        params = ctx.params(year)
        # Organisations
        grades: dict[int, str] = {}
        for pk, organization in ctx.organizations.items():
            if organization.kind == Kind.UPPER or not classified_org(organization, year, params):
                continue
            grade = org_grade(seeded_rng(ctx.seed, "org", year, organization.code), ctx.org_quality[pk])
            how, value = forced.get((pk, year), ("", ""))
            if how == "exact":
                grade = value
            elif how == "min":
                grade = at_least(grade, value)
            grades[pk] = grade
        units = defaultdict(dict)
        for pk, grade in grades.items():
            if ctx.subordinate(ctx.organizations[pk]):
                units[ctx.grassroots[pk].pk][pk] = grade
        exact = {pk for (pk, y), (how, _grade) in forced.items() if y == year and how == "exact"}
        pinned = {pk for pk in exact if forced[(pk, year)][1] == EXC}
        for unit in units.values():
            fit_quota(unit, params, priority=lambda pk: ctx.org_quality[pk], pinned=pinned, fixed=exact)
            grades.update(unit)
        for pk, grade in grades.items():
            yield HistoricalRating(organization_id=pk, year=year, grade=grade, source=SOURCE, imported_at=imported_at)

        # Members on a roll on 31 December, classified that year (B14).
        end = datetime.date(year, 12, 31)
        member_grades: dict[int, str] = {}
        priority: dict[int, float] = {}
        unit_of: dict[int, int] = {}
        for cell_pk, entries in ctx.roll_on(end).items():
            rng = seeded_rng(ctx.seed, "member", year, ctx.organizations[cell_pk].code)
            for member_pk, status in entries:
                info = ctx.members[member_pk]
                draw, jitter = rng.random(), rng.random()
                cap = rules.suggest_member_cap(
                    params=params,
                    year=year,
                    status=status,
                    admitted_on=info.admitted_on,
                    disciplined=False,
                    sick_leave_months=Decimal(0),
                    is_civil_servant=False,
                    civil_servant_grade="",
                )
                if cap.grade is None:
                    continue
                member_grades[member_pk] = member_grade(random.Random(draw), info.quality)
                priority[member_pk] = info.quality + 0.2 * jitter
                unit_of[member_pk] = ctx.grassroots[cell_pk].pk
        # The quota holds whichever cell a member is counted in (the cell of that year, or today's after a move):
        # members whose grassroots organisation changed since are never HTXSNV and count in no unit's places.
        units = defaultdict(dict)
        for member_pk, grade in member_grades.items():
            now = ctx.grassroots.get(ctx.members[member_pk].organization_id)
            if now is not None and now.pk == unit_of[member_pk]:
                units[unit_of[member_pk]][member_pk] = grade
            elif grade == EXC:
                member_grades[member_pk] = GOOD
        for unit in units.values():
            fit_quota(unit, params, priority=priority.__getitem__)
            member_grades.update(unit)
        for member_pk, grade in member_grades.items():
            yield HistoricalRating(member_id=member_pk, year=year, grade=grade, source=SOURCE, imported_at=imported_at)
