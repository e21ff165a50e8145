"""Demo data: the model programmes, per copy of the grassroots level: 29 "Chi bộ kiểu mẫu" registrations for
2022–2025 (13 recognised, 10 not achieved, 6 still building), each eligible by B21, and 5 "Chi bộ bốn tốt" for
2023–2026 (no eligibility condition, D4: the committee picked cells with good past ratings), with yearly checks
judged by the programme's criteria set (evaluations.programmes) against the meeting log where it exists (2024 on)
and the paper records before, the year's decided grade (B23) and the cells' admission targets.

`plan_programmes` picks the cells first, and the grades their eligibility needs (the past ratings and the 2025
review follow them); `build_programmes` writes the registrations and their yearly checks once those are there.
"""

import datetime
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cells.models import Organization
from criteria.models import CriteriaSet, Criterion
from demo.common import aware
from demo.context import EvaluationContext
from demo.grading import EXC, FUL, GOOD, HISTORY_YEARS, STAFF_USERNAME, classified_org, quota_places, seeded_rng
from evaluations import metrics as metric_keys
from evaluations.models import (
    AdmissionTarget,
    HistoricalRating,
    ModelRegistration,
    ModelYearCheck,
    OrgEvaluation,
    grade_rank,
)
from evaluations.programmes import services as programme_services
from members.models import Member

Status = OrgEvaluation.Status
RegistrationStatus = ModelRegistration.Status
KIEU_MAU = CriteriaSet.Programme.MODEL_CELL
BON_TOT = CriteriaSet.Programme.FOUR_GOOD


# Model programmes, per copy of the grassroots level (domain.md §5.1: 29 cells approved for 2022–2025; ≥ 4% of
# the 316 cells recognised by 2025).
MODEL_PHASE = (2022, 2025)
MODEL_REFERENCE_YEARS = [2020, 2021]
MODEL_RECOGNISED, MODEL_FAILED, MODEL_BUILDING = 13, 10, 6
FOUR_GOOD_PHASE = (2023, 2026)
FOUR_GOOD_REFERENCE_YEARS = [2021, 2022]  # the two years before the phase (programme_services.default_reference_years)
FOUR_GOOD_COUNT = 5
APPROVED_BY_BODY = "Ban Thường vụ Đảng ủy Khối"
# At most this many of each status are chi bộ cơ sở; the others sit in distinct đảng bộ cơ sở.
GRASSROOTS_CELLS_AT_MOST = {
    RegistrationStatus.RECOGNISED: 3,
    RegistrationStatus.BUILDING: 1,
    RegistrationStatus.FAILED: 2,
}

CHECK_EVIDENCE = (
    "Báo cáo kết quả xây dựng chi bộ kiểu mẫu năm {year}",
    "Nghị quyết chi bộ và biên bản sinh hoạt năm {year}",
    "Quyết định công nhận, giấy khen của cấp có thẩm quyền năm {year}",
    "Báo cáo của thủ trưởng cơ quan, đơn vị năm {year}",
)
CHECK_SHORTFALL = "Năm {year} chưa đạt: chưa có quyết định công nhận của cấp có thẩm quyền."
FAILED_NOTE = "Không đạt: năm {year} chưa đạt tiêu chí {codes} ({text})."
FAILED_RATING_NOTE = "Không đạt: năm {year} chi bộ chỉ được xếp loại Hoàn thành nhiệm vụ."


@dataclass
class _Pick:
    cell: Organization
    programme: str
    status: str
    reference_years: list[int]
    excellent_year: int
    fail_year: int | None = None  # a forced failure: an unmet check (or an HTNV rating) that year
    fail_by_rating: bool = False


@dataclass
class ProgrammePlan:
    picks: list[_Pick] = field(default_factory=list)
    # (organisation pk, year) → ("exact", grade) or ("min", grade): what the past ratings must say.
    forced: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)

    def floor_2025(self) -> set[int]:
        return {
            p.cell.pk
            for p in self.picks
            if p.status in (RegistrationStatus.RECOGNISED, RegistrationStatus.BUILDING) or p.programme == BON_TOT
        }


def _answers_all_met(snapshot: dict, year: int) -> dict:
    return {
        c["code"]: {"met": True, "evidence": CHECK_EVIDENCE[n % len(CHECK_EVIDENCE)].format(year=year)}
        for n, c in enumerate(snapshot.get("criteria", []))
        if c["kind"] == Criterion.Kind.CHECK
    }


def _meets_common(figures: dict) -> bool:
    """For a cell with no criteria set of the programme: the meeting figures every set asks for (attendance is a
    reported figure, not a criterion: B4)."""
    return (
        figures[metric_keys.MEETINGS_HELD] >= 12
        and figures[metric_keys.THEMATIC_QUARTERS] >= 4
        and (figures[metric_keys.MEMBERS_DISCIPLINED] or 0) <= 0
    )


def _passes_on_data(ctx: EvaluationContext, cell: Organization, programme: str, year: int) -> bool:
    """Would the yearly check pass on the system's figures alone (every criterion answered by hand met)?

    Members disciplined count as none: the plan keeps discipline out of the cells it picks, and reading the
    2025 rating rows here would make a second plan (after they are written) differ from the first. For the same
    reason the year's grade counts as HTTNV (the plan forces it for the cells it keeps) and the admission target as
    reached (build_programmes sets each cell's target at what it admitted)."""
    figures = {
        **ctx.metrics(year)[cell.pk],
        metric_keys.MEMBERS_DISCIPLINED: Decimal(0),
        programme_services.ORG_GRADE: Decimal(programme_services.GRADE_LEVELS[GOOD]),
        metric_keys.ADMISSION_TARGET: Decimal(100),
    }
    criteria_set = ctx.programme_set(cell, programme, year)
    if criteria_set is None:
        return _meets_common(figures)
    snapshot = ctx.snapshot(criteria_set)
    passed, _results = programme_services._evaluate(
        snapshot, criteria_set.pass_points, _answers_all_met(snapshot, year), figures
    )
    return passed


def plan_programmes(ctx: EvaluationContext) -> ProgrammePlan:
    plan = ProgrammePlan()
    by_copy = defaultdict(list)
    for cell in ctx.cells:
        by_copy[ctx.copy_of(cell)].append(cell)
    # HTXSNV places each đảng bộ cơ sở has for its subordinate organisations in a reference year, when all the
    # others are rated HTTNV (chi bộ cơ sở have no such quota: the bloc rates them directly).
    subordinates = Counter()
    for organization in ctx.organizations.values():
        if ctx.subordinate(organization):
            for year in (2020, 2021, 2022):
                if classified_org(organization, year, ctx.params(year)):
                    subordinates[(ctx.grassroots[organization.pk].pk, year)] += 1
    places = {key: quota_places(ctx.params(key[1]), good=0, candidates=count) for key, count in subordinates.items()}
    for copy in sorted(by_copy, key=int):
        _plan_copy(ctx, plan, sorted(by_copy[copy], key=lambda c: c.code), places, copy)
    return plan


def _plan_copy(ctx: EvaluationContext, plan: ProgrammePlan, cells: list[Organization], places: dict, copy: str) -> None:
    rng = seeded_rng(ctx.seed, "programmes", copy)
    order = list(cells)
    rng.shuffle(order)
    chosen: set[int] = set()
    used_grassroots: dict[str, set[int]] = {KIEU_MAU: set(), BON_TOT: set()}
    grassroots_cells = Counter()

    def rated(cell, years):
        return all(classified_org(cell, year, ctx.params(year)) for year in years)

    def excellent_year(cell, years):
        grassroots = ctx.grassroots[cell.pk]
        for year in rng.sample(years, len(years)):
            if cell.is_grassroots or places.get((grassroots.pk, year), 0) > 0:
                return year
        return None

    def take(pool, count, programme, status, reference_years, *, distinct=True):
        taken = []
        for cell in pool:
            if len(taken) == count:
                break
            grassroots = ctx.grassroots[cell.pk]
            if cell.pk in chosen or (distinct and grassroots.pk in used_grassroots[programme]):
                continue
            at_most = GRASSROOTS_CELLS_AT_MOST.get(status)
            if programme == KIEU_MAU and cell.is_grassroots and at_most is not None:
                if grassroots_cells[status] >= at_most:
                    continue
            year = excellent_year(cell, reference_years)
            if year is None:
                continue
            if not cell.is_grassroots:
                places[(grassroots.pk, year)] -= 1
            if cell.is_grassroots:
                grassroots_cells[status] += 1
            chosen.add(cell.pk)
            used_grassroots[programme].add(grassroots.pk)
            pick = _Pick(cell, programme, status, reference_years, year)
            taken.append(pick)
        if len(taken) < count and distinct:
            rest = take(pool, count - len(taken), programme, status, reference_years, distinct=False)
            taken.extend(rest)
        return taken

    kieu = [cell for cell in order if rated(cell, MODEL_REFERENCE_YEARS)]
    passes = {cell.pk: {y: _passes_on_data(ctx, cell, KIEU_MAU, y) for y in range(2022, 2026)} for cell in kieu}
    recognised = take(
        [c for c in kieu if all(passes[c.pk].values())],
        MODEL_RECOGNISED,
        KIEU_MAU,
        RegistrationStatus.RECOGNISED,
        MODEL_REFERENCE_YEARS,
    )
    # Still building: the 2025 check names what is missing, so only cells whose unit type has a criteria set.
    building = take(
        [
            c
            for c in kieu
            if all(passes[c.pk][y] for y in (2022, 2023, 2024)) and ctx.programme_set(c, KIEU_MAU, 2025) is not None
        ],
        MODEL_BUILDING,
        KIEU_MAU,
        RegistrationStatus.BUILDING,
        MODEL_REFERENCE_YEARS,
    )
    honest = [c for c in kieu if not all(passes[c.pk].values())]
    failed = take(
        honest + [c for c in kieu if c not in honest],
        MODEL_FAILED,
        KIEU_MAU,
        RegistrationStatus.FAILED,
        MODEL_REFERENCE_YEARS,
    )
    for pick in building:
        if passes[pick.cell.pk][2025]:
            pick.fail_year = 2025  # still building: the 2025 check found a criterion not met yet
    for pick in failed:
        if all(passes[pick.cell.pk].values()):
            # Nothing in the data stops it: a criterion answered by hand was not met, or a year rated HTNV.
            if ctx.programme_set(pick.cell, KIEU_MAU, 2024) is not None and rng.random() < 0.7:
                pick.fail_year = rng.choice((2023, 2024, 2025))
            else:
                pick.fail_year, pick.fail_by_rating = rng.choice((2023, 2024)), True

    four = [cell for cell in order if rated(cell, FOUR_GOOD_REFERENCE_YEARS)]
    four_pool = [c for c in four if all(_passes_on_data(ctx, c, BON_TOT, y) for y in (2023, 2024, 2025))]
    four_good = take(four_pool, FOUR_GOOD_COUNT, BON_TOT, RegistrationStatus.BUILDING, FOUR_GOOD_REFERENCE_YEARS)
    if four_good:
        four_good[-1].fail_year = 2025

    for pick in recognised + building + failed + four_good:
        plan.picks.append(pick)
        for year in pick.reference_years:
            plan.forced[(pick.cell.pk, year)] = ("exact", EXC) if year == pick.excellent_year else ("min", GOOD)
        keeps_good = pick.status != RegistrationStatus.FAILED
        for year in range(max(pick.reference_years) + 1, HISTORY_YEARS[-1] + 1):
            if pick.fail_by_rating and year == pick.fail_year:
                plan.forced[(pick.cell.pk, year)] = ("exact", FUL)
            elif keeps_good or (pick.fail_year and year < pick.fail_year):
                plan.forced.setdefault((pick.cell.pk, year), ("min", GOOD))


#
# Registrations and yearly checks
#


def build_programmes(ctx: EvaluationContext, plan: ProgrammePlan, users: dict) -> None:
    staff = users.get(STAFF_USERNAME)
    picks = plan.picks
    cells = [pick.cell for pick in picks]
    grades = defaultdict(dict)
    for organization_id, year, grade in HistoricalRating.objects.filter(
        organization_id__in=[c.pk for c in cells]
    ).values_list("organization_id", "year", "grade"):
        grades[organization_id][year] = grade
    for organization_id, year, grade in (
        OrgEvaluation.objects.filter(organization_id__in=[c.pk for c in cells], status=Status.DECIDED)
        .exclude(final_grade="")
        .values_list("organization_id", "period__year", "final_grade")
    ):
        grades[organization_id][year] = grade
    _admission_targets(picks, staff)
    metrics = {year: ctx.metrics(year, refresh=True) for year in range(2022, 2026)}
    registrations, checks_by_pick = [], []
    for pick in picks:
        rng = seeded_rng(ctx.seed, "registration", pick.programme, pick.cell.code)
        start, end = MODEL_PHASE if pick.programme == KIEU_MAU else FOUR_GOOD_PHASE
        registered_on = datetime.date(start, rng.randint(2, 3), rng.randint(1, 28))
        approved_on = registered_on + datetime.timedelta(days=rng.randint(20, 45))
        snapshot = {str(year): grades[pick.cell.pk].get(year) for year in pick.reference_years}
        registration = ModelRegistration(
            organization=pick.cell,
            programme=pick.programme,
            phase_start=start,
            phase_end=end,
            reference_years=pick.reference_years,
            eligibility_snapshot=snapshot,
            status=pick.status,
            registered_on=registered_on,
            approved_on=approved_on,
            approved_by_body=APPROVED_BY_BODY,
            registered_by=staff,
        )
        checks, failure = [], None
        for year in range(start, min(end, 2025) + 1):
            check, unmet = _year_check(ctx, pick, year, grades[pick.cell.pk], metrics[year], rng)
            check.checked_by = staff
            checks.append(check)
            if not check.passed:
                failure = (year, unmet)
                break
        if pick.status == RegistrationStatus.RECOGNISED and failure is not None:
            registration.status = RegistrationStatus.FAILED  # cannot happen with the picks above; never recognise
        if registration.status == RegistrationStatus.RECOGNISED:
            registration.recognised_on = datetime.date(2025, 12, rng.randint(18, 29))
            registration.decision_no = f"{rng.randint(430, 480)}-QĐ/ĐUK"
        elif registration.status == RegistrationStatus.FAILED:
            year, unmet = failure or (checks[-1].year if checks else end, "rating")
            if unmet and unmet != "rating":
                codes = ", ".join(code for code, _text in unmet)
                text = FAILED_NOTE.format(
                    year=year, codes=codes, text=textwrap.shorten(unmet[0][1], 90, placeholder="…")
                )
            else:
                text = FAILED_RATING_NOTE.format(year=year)
            registration.notes = f"{datetime.date(year + 1, 1, rng.randint(10, 25)):%d/%m/%Y}: {text}"
        registrations.append(registration)
        checks_by_pick.append(checks)
    ModelRegistration.objects.bulk_create(registrations, batch_size=500)
    rows = []
    for registration, checks in zip(registrations, checks_by_pick, strict=True):
        for check in checks:
            check.registration_id = registration.pk
            rows.append(check)
    ModelYearCheck.objects.bulk_create(rows, batch_size=500)


def _admission_targets(picks: list[_Pick], staff) -> None:
    """Each registered cell's admission target for the years checked (B23), set at what it admitted that year: the
    grassroots committees set targets the cells could reach."""
    years = range(min(MODEL_PHASE[0], FOUR_GOOD_PHASE[0]), 2026)
    cells = {pick.cell.pk for pick in picks}
    admitted = Counter(
        Member.objects.filter(organization_id__in=cells, admitted_on__year__in=list(years)).values_list(
            "organization_id", "admitted_on__year"
        )
    )
    AdmissionTarget.objects.bulk_create(
        [
            AdmissionTarget(organization_id=pk, year=year, target=admitted[(pk, year)], set_by=staff)
            for pk in sorted(cells)
            for year in years
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def _year_check(ctx: EvaluationContext, pick: _Pick, year: int, grades: dict, metrics: dict, rng) -> tuple:
    """One yearly check as programme_services.year_check stores it; (check, unmet criteria or "rating")."""
    cell = pick.cell
    criteria_set = ctx.programme_set(cell, pick.programme, year)
    snapshot = ctx.snapshot(criteria_set)
    checked_at = min(aware(datetime.date(year, 12, rng.randint(10, 22)), 10), timezone.now())
    good = grades.get(year) is not None and grade_rank(grades[year]) <= grade_rank(GOOD)
    if not snapshot.get("criteria"):
        # No criteria set of the programme for this kind of unit: the check was recorded on paper.
        passed = good and _meets_common(metrics[cell.pk]) and not (pick.fail_year == year)
        return (
            ModelYearCheck(year=year, criteria_snapshot={}, results={}, passed=passed, checked_at=checked_at),
            "rating" if not good else [],
        )
    answers = _answers_all_met(snapshot, year)
    for criterion in snapshot["criteria"]:  # a set still asking for the grade by hand (a copy made before 0010)
        if criterion["kind"] == Criterion.Kind.CHECK and "xếp loại" in criterion["text"]:
            answers[criterion["code"]]["met"] = good
    level = programme_services.GRADE_LEVELS.get(grades.get(year))
    figures = {**metrics[cell.pk], programme_services.ORG_GRADE: None if level is None else Decimal(level)}
    if pick.fail_year == year and not pick.fail_by_rating:
        hand = [c for c in snapshot["criteria"] if c["kind"] == Criterion.Kind.CHECK and "xếp loại" not in c["text"]]
        if hand:
            missed = hand[seeded_rng(ctx.seed, "shortfall", pick.programme, cell.code).randrange(len(hand))]
            answers[missed["code"]] = {"met": False, "evidence": CHECK_SHORTFALL.format(year=year)}
    passed, results = programme_services._evaluate(snapshot, criteria_set.pass_points, answers, figures)
    unmet = [(c["code"], c["text"]) for c in snapshot["criteria"] if not results[c["code"]]["met"]]
    check = ModelYearCheck(year=year, criteria_snapshot=snapshot, results=results, passed=passed, checked_at=checked_at)
    return check, unmet
