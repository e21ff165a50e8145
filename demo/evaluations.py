"""Demo data for the yearly reviews and the model programmes: five years of past ratings consistent with the
quota, the 2025 review decided and locked, the 2026 review in progress, and the model-cell registrations.

`build_evaluations(root=..., seed=...)` runs after `demo.build.build_demo` (and its meetings, when logged) and
reads the tree, the members' history and the meeting log back from the database (demo.context), then:

1. picks the model-programme cells and the grades their eligibility needs (demo.programmes.plan_programmes);
2. writes the past ratings 2020–2024 (demo.past_ratings);
3. opens, fills, decides and locks the 2025 review, and opens the 2026 one, in progress (demo.reviews);
4. writes the registers of D9 and D10: Dân vận khéo models, e-handbook use, residence feedback (demo.registers);
5. writes the model-programme registrations and their yearly checks (demo.programmes.build_programmes).

Deterministic: every draw comes from a generator named after the seed and an organisation's code (or a member's
key), so the same seed on the same data gives the same rows. Idempotent: each of the five parts is skipped when
its rows are already there. Everything is written with bulk inserts and updates.
"""

import datetime
import itertools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from cells.models import Organization
from criteria.models import CriteriaSet
from demo.context import EvaluationContext
from demo.grading import CURRENT_YEAR, DECIDED_YEAR, EXC, GOOD, GRASSROOTS_USERNAME, SOURCE, STAFF_USERNAME
from demo.past_ratings import plan_past_ratings
from demo.programmes import BON_TOT, FOUR_GOOD_PHASE, KIEU_MAU, MODEL_PHASE, build_programmes, plan_programmes
from demo.registers import build_registers
from demo.reviews import build_current_year, build_decided_year
from evaluations import rules
from evaluations.models import (
    EvaluationPeriod,
    Grade,
    HistoricalRating,
    MassMobilisationModel,
    MemberEvaluation,
    ModelRegistration,
    OrgEvaluation,
    QuotaException,
)
from evaluations.programmes import services as programme_services
from evaluations.review import quota
from evaluations.review import services as review_services

Status = OrgEvaluation.Status
RegistrationStatus = ModelRegistration.Status


#
# Reading back: the summary the seed prints
#


@dataclass
class EvaluationSummary:
    seconds: float = 0.0
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    history: dict[int, tuple[int, int]] = field(default_factory=dict)  # year: (organisations, members)
    history_member_grades: Counter = field(default_factory=Counter)
    decided_state: str = ""
    org_grades: Counter = field(default_factory=Counter)  # "" = not classified
    member_grades: Counter = field(default_factory=Counter)
    quota_checks: int = 0
    quota_over: list[str] = field(default_factory=list)
    progress: Counter = field(default_factory=Counter)
    current_rows: int = 0
    current_self_grades: int = 0
    current_proposals: int = 0
    registrations: Counter = field(default_factory=Counter)  # (programme, status)
    coverage: dict | None = None


def quota_overruns(root: Organization) -> tuple[int, list[str]]:
    """B12 over every year with ratings under `root` (past ratings by the member's cell, decided grades by the
    row's grassroots organisation; organisations by their grassroots organisation, and the grassroots organisations
    of a review decided in the app by their upper committee): (checks made, descriptions of the units over their
    places)."""
    organizations = {
        o.pk: o for o in Organization.objects.filter(path__startswith=root.path).only("pk", "code", "kind", "path")
    }

    def unit_of(pk: int) -> Organization | None:
        organization = organizations.get(pk)
        if organization is None:
            return None
        for ancestor in reversed([*organization.ancestor_ids(), organization.pk]):
            candidate = organizations.get(ancestor)
            if candidate is not None and candidate.is_grassroots:
                return candidate
        return None

    counts = defaultdict(Counter)  # (year, scope, unit pk) → grades
    for year, organization_id, grade in HistoricalRating.objects.filter(
        member__organization__path__startswith=root.path
    ).values_list("year", "member__organization_id", "grade"):
        unit = unit_of(organization_id)
        if unit is not None:
            counts[(year, QuotaException.Scope.MEMBERS, unit.pk)][grade] += 1
    for year, grassroots_id, grade in (
        MemberEvaluation.objects.filter(period__root=root)
        .exclude(final_grade="")
        .values_list("period__year", "grassroots_id", "final_grade")
    ):
        counts[(year, QuotaException.Scope.MEMBERS, grassroots_id)][grade] += 1
    org_rows = list(
        HistoricalRating.objects.filter(organization__path__startswith=root.path).values_list(
            "year", "organization_id", "grade"
        )
    ) + list(
        OrgEvaluation.objects.filter(period__root=root)
        .exclude(final_grade="")
        .values_list("period__year", "organization_id", "final_grade")
    )
    for year, organization_id, grade in org_rows:
        unit = unit_of(organization_id)
        if unit is not None and unit.pk != organization_id:
            counts[(year, QuotaException.Scope.ORGANISATIONS, unit.pk)][grade] += 1
    # The grassroots organisations under their upper committee (D3), in the reviews decided in the app (the past
    # ratings are records of what was decided then, before the app checked this level).
    for year, organization_id, grade in (
        OrgEvaluation.objects.filter(period__root=root, organization__kind__in=Organization.GRASSROOTS_KINDS)
        .exclude(final_grade="")
        .values_list("period__year", "organization_id", "final_grade")
    ):
        top = quota.org_unit_of(organizations[organization_id], organizations)
        if top is not None:
            counts[(year, QuotaException.Scope.ORGANISATIONS, top.pk)][grade] += 1
    extra = Counter()
    for year, organization_id, scope, places in QuotaException.objects.filter(period__root=root).values_list(
        "period__year", "organization_id", "scope", "extra_places"
    ):
        extra[(year, scope, organization_id)] += places
    params: dict[int, dict] = {}
    problems = []
    for (year, scope, unit_pk), grades in sorted(counts.items()):
        if year not in params:
            params[year] = rules.parameters_snapshot(review_services.parameter_set_for_year(year))
        allowed = rules.member_quota(
            params=params[year], good_count=grades[GOOD], extra_places=extra[(year, scope, unit_pk)]
        )
        if grades[EXC] > allowed:
            problems.append(f"{year} {organizations[unit_pk].code} ({scope}): {grades[EXC]} HTXSNV > {allowed}")
    return len(counts), problems


def summarise(root: Organization, *, user=None) -> EvaluationSummary:
    summary = EvaluationSummary()
    history = defaultdict(lambda: [0, 0])
    past = HistoricalRating.objects.filter(source=SOURCE)
    for year, _grade in past.filter(organization__path__startswith=root.path).values_list("year", "grade"):
        history[year][0] += 1
    for year, grade in past.filter(member__organization__path__startswith=root.path).values_list("year", "grade"):
        history[year][1] += 1
        summary.history_member_grades[grade] += 1
    summary.history = {year: tuple(history[year]) for year in sorted(history)}
    decided = EvaluationPeriod.objects.filter(root=root, year=DECIDED_YEAR).first()
    if decided is not None:
        summary.decided_state = decided.state
        summary.org_grades = Counter(decided.org_evaluations.values_list("final_grade", flat=True))
        summary.member_grades = Counter(decided.member_evaluations.values_list("final_grade", flat=True))
    summary.quota_checks, summary.quota_over = quota_overruns(root)
    current = EvaluationPeriod.objects.filter(root=root, year=CURRENT_YEAR).first()
    if current is not None:
        summary.progress = Counter(current.org_evaluations.values_list("status", flat=True))
        rows = current.member_evaluations
        summary.current_rows = rows.count()
        summary.current_self_grades = rows.exclude(self_grade="").count()
        summary.current_proposals = rows.exclude(proposed_grade="").count()
    summary.registrations = Counter(
        ModelRegistration.objects.filter(organization__path__startswith=root.path).values_list("programme", "status")
    )
    if user is not None:
        summary.coverage = programme_services.coverage(user=user, root=root, programme=KIEU_MAU, year=MODEL_PHASE[1])
    return summary


def _grade_counts(counts: Counter) -> str:
    parts = [f"{counts.get(grade, 0)} {grade}" for grade in Grade.values]
    if counts.get(""):
        parts.append(f"{counts['']} not classified")
    return ", ".join(parts)


def summary_lines(summary: EvaluationSummary) -> list[str]:
    lines = []
    if summary.history:
        years = sorted(summary.history)
        organisations = sum(o for o, _m in summary.history.values())
        members = sum(m for _o, m in summary.history.values())
        grades = summary.history_member_grades
        total = sum(grades.values()) or 1
        lines.append(
            f"  Past ratings {years[0]}–{years[-1]} ({SOURCE}): {organisations} organisation and {members} member "
            f"ratings; members {100 * grades[EXC] / total:.1f}% HTXSNV, "
            f"{100 * (grades[EXC] + grades[GOOD]) / total:.1f}% HTTNV or better"
        )
    if summary.decided_state:
        lines.append(
            f"  {DECIDED_YEAR} review ({summary.decided_state.lower()}): {sum(summary.org_grades.values())} "
            f"organisations decided ({_grade_counts(summary.org_grades)})"
            f"\n    {sum(summary.member_grades.values())} members ({_grade_counts(summary.member_grades)})"
        )
    if summary.quota_over:
        lines.append(
            f"  Quota (B12): {len(summary.quota_over)} of {summary.quota_checks} checks over: "
            + "; ".join(summary.quota_over[:5])
        )
    else:
        lines.append(
            f"  Quota (B12, HTXSNV ≤ 20% of HTTNV): no grassroots organisation over it "
            f"({summary.quota_checks} checks of members and subordinate organisations, all years, and of the grassroots "
            f"organisations under the upper committee in {DECIDED_YEAR})"
        )
    if summary.progress:
        steps = ", ".join(
            f"{summary.progress[status]} {Status(status).label.lower()}"
            for status in Status.values
            if summary.progress.get(status) or status != Status.DECIDED
        )
        lines.append(
            f"  {CURRENT_YEAR} review in progress: {steps}; {summary.current_rows} member rows "
            f"({summary.current_self_grades} self-assessed, {summary.current_proposals} proposed by their cell)"
        )
    for programme, (start, end) in ((KIEU_MAU, MODEL_PHASE), (BON_TOT, FOUR_GOOD_PHASE)):
        statuses = {status: n for (p, status), n in summary.registrations.items() if p == programme}
        if statuses:
            detail = ", ".join(
                f"{statuses[status]} {RegistrationStatus(status).label.lower()}"
                for status in RegistrationStatus.values
                if statuses.get(status)
            )
            lines.append(
                f"  {CriteriaSet.Programme(programme).label} ({programme}) {start}–{end}: "
                f"{sum(statuses.values())} registrations ({detail})"
            )
    coverage = summary.coverage
    if coverage is not None:
        lines.append(
            f"  Model cells {coverage['year']}: {coverage['recognised']} of {coverage['cells']} cells recognised "
            f"({coverage['recognised_pct']}%, target {coverage['target_pct']}%: "
            f"{'met' if coverage['target_met'] else 'not met'}); {len(coverage['missing'])} of "
            f"{coverage['committees']} đảng bộ cơ sở with no registered cell"
        )
    if summary.skipped:
        lines.append(f"  Already present, left as they were: {', '.join(summary.skipped)}")
    return lines


#
# Entry point
#


@transaction.atomic
def build_evaluations(*, root: Organization, seed: int, today: datetime.date | None = None) -> EvaluationSummary:
    """Write the evaluation demo under `root` (see the module docstring); returns what the seed prints.

    Each part is skipped when its rows exist: the past ratings (source "Dữ liệu mẫu"), the 2025 and 2026
    periods of `root`, the registrations of `root`'s cells. Runs in one transaction.
    """
    started = time.monotonic()
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):  # the reasons and audit messages stored, as the UI writes them
        built, skipped = _build(root=root, seed=seed, today=today)
    viewer = get_user_model().objects.filter(username=STAFF_USERNAME).first()
    viewer = viewer or get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    summary = summarise(root, user=viewer)
    summary.built, summary.skipped = built, skipped
    summary.seconds = time.monotonic() - started
    return summary


def _build(*, root: Organization, seed: int, today: datetime.date) -> tuple[list[str], list[str]]:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=(STAFF_USERNAME, GRASSROOTS_USERNAME))}
    ctx = EvaluationContext(root=root, seed=seed, today=today)
    plan = plan_programmes(ctx)
    summary_built, summary_skipped = [], []

    if HistoricalRating.objects.filter(source=SOURCE, organization__path__startswith=root.path).exists():
        summary_skipped.append("past ratings")
    else:
        rows = plan_past_ratings(ctx, plan.forced)
        while batch := list(itertools.islice(rows, 20000)):
            HistoricalRating.objects.bulk_create(batch, batch_size=2000)
        summary_built.append("past ratings")

    if EvaluationPeriod.objects.filter(root=root, year=DECIDED_YEAR).exists():
        summary_skipped.append(f"{DECIDED_YEAR} review")
    else:
        build_decided_year(ctx, plan, users)
        summary_built.append(f"{DECIDED_YEAR} review")

    if EvaluationPeriod.objects.filter(root=root, year=CURRENT_YEAR).exists():
        summary_skipped.append(f"{CURRENT_YEAR} review")
    elif today.year >= CURRENT_YEAR:
        build_current_year(ctx, users)
        summary_built.append(f"{CURRENT_YEAR} review")

    if MassMobilisationModel.objects.filter(organization__path__startswith=root.path).exists():
        summary_skipped.append("registers (Dân vận khéo, e-handbook, residence feedback)")
    else:
        build_registers(ctx, users.get(STAFF_USERNAME))
        summary_built.append("registers (Dân vận khéo, e-handbook, residence feedback)")

    if ModelRegistration.objects.filter(organization__path__startswith=root.path).exists():
        summary_skipped.append("model-cell registrations")
    else:
        build_programmes(ctx, plan, users)
        summary_built.append("model-cell registrations")

    return summary_built, summary_skipped
