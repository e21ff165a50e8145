"""What the evaluation demo's steps share: the years rated, the demo users who decide, the grade draws (better
organisations and members are HTXSNV more often) and the quota (B12: within each grassroots organisation, HTXSNV ≤
htxs_quota_pct_of_htt % of HTTNV, that year's parameters).

Deterministic: every draw comes from a generator named after the seed and an organisation's code (or a member's
key), so the same seed on the same data gives the same rows.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from cells.models import Organization
from evaluations import rules
from evaluations.models import Grade, grade_rank

EXC, GOOD, FUL, NOT = Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED, Grade.NOT_FULFILLED

SOURCE = "Dữ liệu mẫu"
HISTORY_YEARS = (2020, 2021, 2022, 2023, 2024)
DECIDED_YEAR = 2025
CURRENT_YEAR = 2026
STAFF_USERNAME = "bantochuc"  # opens, decides and locks the reviews
GRASSROOTS_USERNAME = "capuycoso"  # decides the members' grades of its đảng bộ (DB01)
SECRETARY_USERNAME = "bithu"  # their cell has not started its 2026 self-assessment (step 1 to show)
IMPORTED_AT = datetime.datetime(2025, 3, 10, 9, 0)


def seeded_rng(seed: int, *parts) -> random.Random:
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def worse(a: str, b: str) -> str:
    return a if grade_rank(a) >= grade_rank(b) else b


def at_least(grade: str, floor: str) -> str:
    return grade if grade_rank(grade) <= grade_rank(floor) else floor


def half(value: float) -> Decimal:
    return (Decimal(str(value)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _draw_grade(rng: random.Random, quality: float, *, excellent: float, fulfilled: float, not_fulfilled: float) -> str:
    """A grade around the quality (0–1): better organisations and members are HTXSNV more often, HTNV less."""
    p_excellent = excellent * (0.3 + 1.4 * quality)
    p_fulfilled = fulfilled * 2 * (1 - quality)
    p_not = not_fulfilled * 5 if quality < 0.2 else 0.0
    u = rng.random()
    if u < p_not:
        return NOT
    if u < p_not + p_fulfilled:
        return FUL
    if u >= 1 - p_excellent:
        return EXC
    return GOOD


def org_grade(rng, quality):
    return _draw_grade(rng, quality, excellent=0.25, fulfilled=0.06, not_fulfilled=0.003)


def member_grade(rng, quality):
    return _draw_grade(rng, quality, excellent=0.26, fulfilled=0.05, not_fulfilled=0.006)


def quota_places(params: dict, *, good: int, candidates: int, extra: int = 0) -> int:
    """How many of `candidates` HTXSNV grades fit the quota when the others become HTTNV (B12)."""
    for keep in range(candidates, -1, -1):
        if keep <= rules.member_quota(params=params, good_count=good + candidates - keep, extra_places=extra):
            return keep
    return 0


def fit_quota(grades: dict, params: dict, *, priority, pinned=frozenset(), fixed=frozenset()) -> set:
    """Within one quota unit, demote to HTTNV the HTXSNV grades that do not fit (B12), keeping the pinned ones, then
    the highest `priority`. If the pinned ones alone do not fit, HTNV/KHTNV grades of others (not `fixed`) become
    HTTNV first. Changes `grades` in place; returns the keys demoted."""
    pinned = {key for key in pinned if grades.get(key) == EXC}
    while True:
        excellent = [key for key, grade in grades.items() if grade == EXC]
        good = sum(1 for grade in grades.values() if grade == GOOD)
        keep = quota_places(params, good=good, candidates=len(excellent))
        if keep >= len(pinned):
            break
        lower = sorted((key for key, grade in grades.items() if grade in (FUL, NOT) and key not in fixed), key=str)
        if not lower:
            break
        grades[lower[0]] = GOOD
    ranked = sorted(excellent, key=lambda key: (key not in pinned, -priority(key), str(key)))
    demoted = set(ranked[keep:])
    for key in demoted:
        grades[key] = GOOD
    return demoted


def classified_org(organization: Organization, year: int, params: dict) -> bool:
    """rules.suggest_org_grade's test: founded at least the parameter's months before 31 December."""
    if organization.founded_on is None:
        return True
    months = params["org_min_months_for_classification"]
    return (datetime.date(year, 12, 31) - organization.founded_on).days >= months * 30
