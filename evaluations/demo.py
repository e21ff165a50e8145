"""Demo data for the yearly reviews and the model programmes: five years of past ratings consistent with the
quota, the 2025 review decided and locked, the 2026 review in progress, and the model-cell registrations.

`build_evaluations(root=..., seed=...)` runs after `cells.demo.build_demo` (and its meetings, when logged) and
reads the tree, the members' history and the meeting log back from the database:

1. HistoricalRating (source "Dữ liệu mẫu") for 2020–2024: every party organisation old enough to be classified
   that year, and every member on a cell's roll on 31 December, admitted long enough before (B14). Within each
   grassroots organisation, HTXSNV ≤ htxs_quota_pct_of_htt % of HTTNV (that year's parameters), for its members
   and for its subordinate organisations (B12).
2. 2025: opened with services.period_open (real service), every evaluation filled in and decided: criteria
   answers, the suggestion computed by the same rules as services.refresh_suggestion (so the decided grade is the
   suggested one: a cell that missed a monthly meeting is capped by the frame's hard condition), a rating row per
   member on a roll on 31/12/2025 (caps from rules.suggest_member_cap, quota), then locked with
   services.period_lock (which checks that everything is decided).
3. 2026: opened, in progress: not started, self-assessed (with criteria answers), appraised or returned; member
   rows with self-assessed grades and some proposals in the cells that self-assessed, no decided grade.
4. Model programmes, per copy of the grassroots level: 29 "Chi bộ kiểu mẫu" registrations for 2022–2025 (13
   recognised, 10 not achieved, 6 still building) and 5 "Chi bộ bốn tốt" for 2023–2026, each eligible (B21) by
   the past ratings above, with yearly checks judged by the programme's criteria set (evaluations.programmes)
   against the meeting log where it exists (2024 on) and the paper records before.

Deterministic: every draw comes from a generator named after the seed and an organisation's code (or a member's
key), so the same seed on the same data gives the same rows. Idempotent: each of the four parts is skipped when
its rows are already there. Everything is written with bulk inserts and updates.

The Vietnamese strings below are demo data (comments, reasons, evidence), not user interface text.
"""

import datetime
import itertools
import random
import textwrap
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from cells import demo as cells_demo
from cells.models import Organization, RoleAssignment
from criteria.models import CriteriaSet, Criterion
from evaluations import metrics as metric_keys
from evaluations import programmes, quota, rules, services
from evaluations.models import (
    GRADE_ORDER,
    CriterionAnswer,
    EvaluationPeriod,
    Grade,
    HistoricalRating,
    MemberEvaluation,
    ModelRegistration,
    ModelYearCheck,
    OrgEvaluation,
    QuotaException,
    grade_rank,
)
from meetings.models import Meeting
from members.models import Member

Kind = Organization.Kind
Status = OrgEvaluation.Status
RegistrationStatus = ModelRegistration.Status
EXC, GOOD, FUL, NOT = Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED, Grade.NOT_FULFILLED
KIEU_MAU = CriteriaSet.Programme.MODEL_CELL
BON_TOT = CriteriaSet.Programme.FOUR_GOOD

SOURCE = "Dữ liệu mẫu"
HISTORY_YEARS = (2020, 2021, 2022, 2023, 2024)
DECIDED_YEAR = 2025
CURRENT_YEAR = 2026
STAFF_USERNAME = "bantochuc"  # opens, decides and locks the reviews
GRASSROOTS_USERNAME = "capuycoso"  # decides the members' grades of its đảng bộ (DB01)
SECRETARY_USERNAME = "bithu"  # their cell has not started its 2026 self-assessment (step 1 to show)
IMPORTED_AT = datetime.datetime(2025, 3, 10, 9, 0)

# Model programmes, per copy of the grassroots level (domain.md §5.1: 29 cells approved for 2022–2025; ≥ 4% of
# the 316 cells recognised by 2025).
MODEL_PHASE = (2022, 2025)
MODEL_REFERENCE_YEARS = [2020, 2021]
MODEL_RECOGNISED, MODEL_FAILED, MODEL_BUILDING = 13, 10, 6
FOUR_GOOD_PHASE = (2023, 2026)
FOUR_GOOD_REFERENCE_YEARS = [2021, 2022]  # the two years before the phase (programmes.default_reference_years)
FOUR_GOOD_COUNT = 5
APPROVED_BY_BODY = "Ban Thường vụ Đảng ủy Khối"
# At most this many of each status are chi bộ cơ sở; the others sit in distinct đảng bộ cơ sở.
GRASSROOTS_CELLS_AT_MOST = {
    RegistrationStatus.RECOGNISED: 3,
    RegistrationStatus.BUILDING: 1,
    RegistrationStatus.FAILED: 2,
}

# The 2026 review in progress: shares of the organisations at each step.
PROGRESS_SHARES = ((Status.SELF_ASSESSED, 0.35), (Status.APPRAISED, 0.20), (Status.RETURNED, 0.05))

# Score bands (points out of 100) drawn for each grade, away from the thresholds of the parameters.
SCORE_BANDS = {EXC: (90.5, 97.5), GOOD: (74.0, 88.5), FUL: (55.0, 68.5), NOT: (38.0, 48.5)}

# Members' yearly attributes (2025): shares of the classified members.
DISCIPLINED_SHARE = 0.003
LONG_SICK_LEAVE_SHARE = 0.012  # ≥ 3 months: at most HTNV (B15)
SHORT_SICK_LEAVE_SHARE = 0.03
MATERNITY_SHARE = 0.04  # of women under 40

SELF_COMMENTS = {
    EXC: (
        "Tập thể lãnh đạo hoàn thành toàn bộ chỉ tiêu, nhiệm vụ năm {year}, nhiều chỉ tiêu vượt kế hoạch; đoàn kết, "
        "thống nhất; sinh hoạt chi bộ nền nếp, có chất lượng; không có đảng viên vi phạm."
    ),
    GOOD: (
        "Hoàn thành tốt các chỉ tiêu, nhiệm vụ năm {year}; duy trì nền nếp sinh hoạt, thực hiện nghiêm nguyên tắc tập "
        "trung dân chủ. Hạn chế: một số nhiệm vụ chuyên môn còn chậm so với kế hoạch, đã đề ra giải pháp khắc phục."
    ),
    FUL: (
        "Hoàn thành các nhiệm vụ chủ yếu năm {year}; còn hạn chế trong việc duy trì sinh hoạt định kỳ và đôn đốc thực "
        "hiện nghị quyết; chi bộ đã chỉ rõ nguyên nhân và biện pháp khắc phục."
    ),
    NOT: (
        "Chưa hoàn thành một số chỉ tiêu chủ yếu năm {year}; nội bộ còn có ý kiến chưa thống nhất; chi bộ nghiêm túc "
        "kiểm điểm, đề ra kế hoạch khắc phục."
    ),
}
APPRAISAL_COMMENTS = {
    EXC: "Thống nhất với kết quả tự đánh giá; đề nghị xếp loại Hoàn thành xuất sắc nhiệm vụ.",
    GOOD: "Cơ bản thống nhất với báo cáo kiểm điểm; đề nghị xếp loại Hoàn thành tốt nhiệm vụ.",
    FUL: "Đề nghị xếp loại Hoàn thành nhiệm vụ: chưa đạt đầy đủ điều kiện của mức cao hơn (xem các lý do gợi ý).",
    NOT: "Đề nghị xếp loại Không hoàn thành nhiệm vụ; yêu cầu có kế hoạch khắc phục cụ thể.",
}
RETURN_REASONS = (
    "Báo cáo kiểm điểm chưa nêu rõ hạn chế, khuyết điểm và nguyên nhân; đề nghị bổ sung và gửi lại.",
    "Thiếu minh chứng cho tiêu chí 2.1 (kết quả thực hiện nhiệm vụ chính trị); đề nghị bổ sung báo cáo của cơ quan.",
    "Điểm tự chấm tiêu chí 2.2 chưa khớp với kết quả thực hiện chỉ tiêu nghị quyết; đề nghị rà soát lại.",
    "Chưa gửi kèm trích biên bản họp chi bộ kiểm điểm cuối năm; đề nghị bổ sung.",
)
CHECK_EVIDENCE = (
    "Báo cáo kết quả xây dựng chi bộ kiểu mẫu năm {year}",
    "Nghị quyết chi bộ và biên bản sinh hoạt năm {year}",
    "Quyết định công nhận, giấy khen của cấp có thẩm quyền năm {year}",
    "Báo cáo của thủ trưởng cơ quan, đơn vị năm {year}",
)
CHECK_SHORTFALL = "Năm {year} chưa đạt: chưa có quyết định công nhận của cấp có thẩm quyền."
FAILED_NOTE = "Không đạt: năm {year} chưa đạt tiêu chí {codes} ({text})."
FAILED_RATING_NOTE = "Không đạt: năm {year} chi bộ chỉ được xếp loại Hoàn thành nhiệm vụ."


#
# Small helpers
#


def _rng(seed: int, *parts) -> random.Random:
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _aware(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _worse(a: str, b: str) -> str:
    return a if grade_rank(a) >= grade_rank(b) else b


def _at_least(grade: str, floor: str) -> str:
    return grade if grade_rank(grade) <= grade_rank(floor) else floor


def _half(value: float) -> Decimal:
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


def _org_grade(rng, quality):
    return _draw_grade(rng, quality, excellent=0.25, fulfilled=0.06, not_fulfilled=0.003)


def _member_grade(rng, quality):
    return _draw_grade(rng, quality, excellent=0.26, fulfilled=0.05, not_fulfilled=0.006)


def _places(params: dict, *, good: int, candidates: int, extra: int = 0) -> int:
    """How many of `candidates` HTXSNV grades fit the quota when the others become HTTNV (B12)."""
    for keep in range(candidates, -1, -1):
        if keep <= rules.member_quota(params=params, good_count=good + candidates - keep, extra_places=extra):
            return keep
    return 0


def _fit_quota(grades: dict, params: dict, *, priority, pinned=frozenset(), fixed=frozenset()) -> set:
    """Within one quota unit, demote to HTTNV the HTXSNV grades that do not fit (B12), keeping the pinned ones, then
    the highest `priority`. If the pinned ones alone do not fit, HTNV/KHTNV grades of others (not `fixed`) become
    HTTNV first. Changes `grades` in place; returns the keys demoted."""
    pinned = {key for key in pinned if grades.get(key) == EXC}
    while True:
        excellent = [key for key, grade in grades.items() if grade == EXC]
        good = sum(1 for grade in grades.values() if grade == GOOD)
        keep = _places(params, good=good, candidates=len(excellent))
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


def _classified_org(organization: Organization, year: int, params: dict) -> bool:
    """rules.suggest_org_grade's test: founded at least the parameter's months before 31 December."""
    if organization.founded_on is None:
        return True
    months = params["org_min_months_for_classification"]
    return (datetime.date(year, 12, 31) - organization.founded_on).days >= months * 30


#
# What the builder reads once
#


@dataclass
class _MemberInfo:
    pk: int
    organization_id: int
    status: str
    admitted_on: datetime.date | None
    is_civil_servant: bool
    gender: str
    date_of_birth: datetime.date | None
    has_user: bool
    quality: float = 0.5


class _Context:
    def __init__(self, *, root: Organization, seed: int, today: datetime.date):
        self.root, self.seed, self.today = root, seed, today
        self.organizations = {
            o.pk: o
            for o in Organization.objects.filter(path__startswith=root.path)
            .exclude(pk=root.pk)
            .filter(dissolved_on__isnull=True)
            .order_by("path")
        }
        # The quota unit of each organisation: itself for a grassroots organisation, else the nearest one above
        # (quota.grassroots_of, once per organisation below grassroots level).
        self.grassroots: dict[int, Organization] = {}
        for organization in self.organizations.values():
            if organization.is_grassroots:
                self.grassroots[organization.pk] = organization
            elif organization.kind != Kind.UPPER:
                found = quota.grassroots_of(organization)
                if found is not None:
                    self.grassroots[organization.pk] = found
        self.cells = [o for o in self.organizations.values() if o.is_cell and o.pk in self.grassroots]
        self.org_quality = {pk: _rng(seed, "quality", o.code).random() for pk, o in self.organizations.items()}
        self.members = {}
        for row in (
            Member.objects.filter(organization__path__startswith=root.path)
            .order_by("pk")
            .values_list(
                "pk",
                "organization_id",
                "status",
                "admitted_on",
                "is_civil_servant",
                "gender",
                "date_of_birth",
                "user_id",
            )
        ):
            info = _MemberInfo(*row[:7], has_user=row[7] is not None)
            info.quality = _rng(seed, "member-quality", info.pk).random()
            self.members[info.pk] = info
        self.rolls = cells_demo._rolls(root)  # {cell pk: [roll entries]}, from the members' history
        self.meeting_years = set(
            Meeting.objects.filter(organization__path__startswith=root.path, status=Meeting.Status.FINAL)
            .order_by()
            .values_list("period_year", flat=True)
            .distinct()
        )
        self.params_by_year: dict[int, dict] = {}
        self._programme_sets: dict[tuple, CriteriaSet | None] = {}
        self._snapshots: dict[int, dict] = {}
        self._metrics: dict[int, dict] = {}

    def params(self, year: int) -> dict:
        if year not in self.params_by_year:
            self.params_by_year[year] = rules.parameters_snapshot(services.parameter_set_for_year(year))
        return self.params_by_year[year]

    def copy_of(self, organization: Organization) -> str:
        """Which copy of the grassroots level (`--scale`) the organisation belongs to: "1", "2", ..."""
        return self.grassroots[organization.pk].code.partition("-S")[2] or "1"

    def subordinate(self, organization: Organization) -> bool:
        """Counts in its grassroots organisation's quota for subordinate organisations."""
        return not organization.is_grassroots and organization.pk in self.grassroots

    def roll_on(self, day: datetime.date) -> dict[int, list[tuple[int, str]]]:
        """{cell pk: [(member pk, status)]} of the members on each cell's roll that day."""
        result = {}
        for cell in self.cells:
            entries = []
            for entry in self.rolls.get(cell.pk, []):
                status = entry.status_on(day)
                if status is not None and entry.member_id in self.members:
                    entries.append((entry.member_id, status))
            result[cell.pk] = sorted(entries)
        return result

    def programme_set(self, organization: Organization, programme: str, year: int) -> CriteriaSet | None:
        key = (organization.kind, organization.unit_type, programme, year)
        if key not in self._programme_sets:
            self._programme_sets[key] = programmes.programme_criteria_set(
                organization=organization, programme=programme, year=year
            )
        return self._programme_sets[key]

    def snapshot(self, criteria_set: CriteriaSet | None) -> dict:
        if criteria_set is None:
            return {}
        if criteria_set.pk not in self._snapshots:
            self._snapshots[criteria_set.pk] = services.criteria_snapshot(criteria_set)
        return self._snapshots[criteria_set.pk]

    def metrics(self, year: int, *, refresh: bool = False) -> dict[int, dict]:
        """metrics_for every cell; the meeting figures of a year before the meeting log are those of the paper
        records (a full year, attendance 95–99%)."""
        if refresh or year not in self._metrics:
            figures = metric_keys.metrics_for(organizations=self.cells, year=year)
            if year not in self.meeting_years:
                for cell in self.cells:
                    figures[cell.pk].update(self.paper_meetings(cell, year))
            self._metrics[year] = figures
        return self._metrics[year]

    def paper_meetings(self, cell: Organization, year: int) -> dict:
        rng = _rng(self.seed, "paper-meetings", year, cell.code)
        return {
            metric_keys.MEETINGS_HELD: Decimal(12),
            metric_keys.THEMATIC_QUARTERS: Decimal(4),
            metric_keys.ATTENDANCE_RATE: _half(rng.uniform(95.5, 99.0)),
            metric_keys.MEETINGS_GOOD: Decimal(rng.randint(8, 12)),
        }


#
# Model programmes: which cells, and the grades their eligibility needs
#


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
class _ProgrammePlan:
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
    """For a cell with no criteria set of the programme: the meeting figures every set asks for."""
    return (
        figures[metric_keys.MEETINGS_HELD] >= 12
        and figures[metric_keys.THEMATIC_QUARTERS] >= 4
        and (figures[metric_keys.ATTENDANCE_RATE] or 0) >= 95
        and figures[metric_keys.MEMBERS_DISCIPLINED] <= 0
    )


def _passes_on_data(ctx: _Context, cell: Organization, programme: str, year: int) -> bool:
    """Would the yearly check pass on the system's figures alone (every criterion answered by hand met)?

    Members disciplined count as none: the plan keeps discipline out of the cells it picks, and reading the
    2025 rating rows here would make a second plan (after they are written) differ from the first."""
    figures = {**ctx.metrics(year)[cell.pk], metric_keys.MEMBERS_DISCIPLINED: Decimal(0)}
    criteria_set = ctx.programme_set(cell, programme, year)
    if criteria_set is None:
        return _meets_common(figures)
    snapshot = ctx.snapshot(criteria_set)
    passed, _results = programmes._evaluate(
        snapshot, criteria_set.pass_points, _answers_all_met(snapshot, year), figures
    )
    return passed


def _plan_programmes(ctx: _Context) -> _ProgrammePlan:
    plan = _ProgrammePlan()
    by_copy = defaultdict(list)
    for cell in ctx.cells:
        by_copy[ctx.copy_of(cell)].append(cell)
    # HTXSNV places each đảng bộ cơ sở has for its subordinate organisations in a reference year, when all the
    # others are rated HTTNV (chi bộ cơ sở have no such quota: the bloc rates them directly).
    subordinates = Counter()
    for organization in ctx.organizations.values():
        if ctx.subordinate(organization):
            for year in (2020, 2021, 2022):
                if _classified_org(organization, year, ctx.params(year)):
                    subordinates[(ctx.grassroots[organization.pk].pk, year)] += 1
    places = {key: _places(ctx.params(key[1]), good=0, candidates=count) for key, count in subordinates.items()}
    for copy in sorted(by_copy, key=int):
        _plan_copy(ctx, plan, sorted(by_copy[copy], key=lambda c: c.code), places, copy)
    return plan


def _plan_copy(ctx: _Context, plan: _ProgrammePlan, cells: list[Organization], places: dict, copy: str) -> None:
    rng = _rng(ctx.seed, "programmes", copy)
    order = list(cells)
    rng.shuffle(order)
    chosen: set[int] = set()
    used_grassroots: dict[str, set[int]] = {KIEU_MAU: set(), BON_TOT: set()}
    grassroots_cells = Counter()

    def rated(cell, years):
        return all(_classified_org(cell, year, ctx.params(year)) for year in years)

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
# 1. Past ratings, 2020–2024
#


def _plan_history(ctx: _Context, forced: dict) -> Iterator[HistoricalRating]:
    """The past ratings, organisations and members, year by year (a generator: at `--scale 95` a year is 450,000
    rows); `forced` ({(organisation pk, year): ("exact" or "min", grade)}) makes the model cells eligible (B21) and
    keeps them rated HTTNV or better while they build."""
    imported_at = timezone.make_aware(IMPORTED_AT)
    for year in HISTORY_YEARS:
        params = ctx.params(year)
        # Organisations
        grades: dict[int, str] = {}
        for pk, organization in ctx.organizations.items():
            if organization.kind == Kind.UPPER or not _classified_org(organization, year, params):
                continue
            grade = _org_grade(_rng(ctx.seed, "org", year, organization.code), ctx.org_quality[pk])
            how, value = forced.get((pk, year), ("", ""))
            if how == "exact":
                grade = value
            elif how == "min":
                grade = _at_least(grade, value)
            grades[pk] = grade
        units = defaultdict(dict)
        for pk, grade in grades.items():
            if ctx.subordinate(ctx.organizations[pk]):
                units[ctx.grassroots[pk].pk][pk] = grade
        exact = {pk for (pk, y), (how, _grade) in forced.items() if y == year and how == "exact"}
        pinned = {pk for pk in exact if forced[(pk, year)][1] == EXC}
        for unit in units.values():
            _fit_quota(unit, params, priority=lambda pk: ctx.org_quality[pk], pinned=pinned, fixed=exact)
            grades.update(unit)
        for pk, grade in grades.items():
            yield HistoricalRating(organization_id=pk, year=year, grade=grade, source=SOURCE, imported_at=imported_at)

        # Members on a roll on 31 December, classified that year (B14).
        end = datetime.date(year, 12, 31)
        member_grades: dict[int, str] = {}
        priority: dict[int, float] = {}
        unit_of: dict[int, int] = {}
        for cell_pk, entries in ctx.roll_on(end).items():
            rng = _rng(ctx.seed, "member", year, ctx.organizations[cell_pk].code)
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
                member_grades[member_pk] = _member_grade(random.Random(draw), info.quality)
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
            _fit_quota(unit, params, priority=priority.__getitem__)
            member_grades.update(unit)
        for member_pk, grade in member_grades.items():
            yield HistoricalRating(member_id=member_pk, year=year, grade=grade, source=SOURCE, imported_at=imported_at)


#
# 2–3. The reviews of 2025 (decided) and 2026 (in progress)
#


def _points_answers(rng: random.Random, snapshot: dict, target: Decimal) -> dict[str, Decimal]:
    """Points for each POINTS criterion of the snapshot, adding up to `target` (scaled to the set's maximum)."""
    criteria = [(c["code"], Decimal(c["max_points"])) for c in snapshot.get("criteria", []) if c["kind"] == "POINTS"]
    maximum = sum((m for _c, m in criteria), Decimal(0))
    if not criteria or not maximum:
        return {}
    total = _half(float(target * maximum / 100))
    points = {
        code: max(Decimal(0), min(m, _half(float(m * total / maximum) + rng.uniform(-0.6, 0.6))))
        for code, m in criteria
    }
    caps = dict(criteria)
    difference = total - sum(points.values())
    step = Decimal("0.5")
    codes = [code for code, _m in sorted(criteria, key=lambda c: -c[1])]
    while difference:
        moved = False
        for code in codes:
            if difference > 0 and points[code] + step <= caps[code]:
                points[code] += step
                difference -= step
                moved = True
            elif difference < 0 and points[code] - step >= 0:
                points[code] -= step
                difference += step
                moved = True
            if not difference:
                break
        if not moved:
            break
    return points


@dataclass
class _OrgDraft:
    evaluation: OrgEvaluation
    rng: random.Random
    merit: str
    answers: dict = field(default_factory=dict)  # {code: {"points", "met", "metric_value", "evidence"}}
    suggestion: rules.Suggestion | None = None


def _fill_self_assessment(draft: _OrgDraft, grade: str, metrics: dict | None, params: dict, year: int) -> None:
    """Answers, self-assessed figures and the suggestion (as services.refresh_suggestion computes it)."""
    evaluation, rng = draft.evaluation, draft.rng
    snapshot = evaluation.criteria_snapshot
    low, high = SCORE_BANDS[grade]
    target = _half(rng.uniform(low, high))
    answers = {}
    groups = {c["code"]: c.get("group", "") for c in snapshot.get("criteria", [])}
    for code, points in _points_answers(rng, snapshot, target).items():
        evidence = f"Báo cáo kiểm điểm tập thể năm {year}, phần {groups.get(code) or 'I'}"
        answers[code] = {"points": points, "met": None, "metric_value": None, "evidence": evidence}
    if metrics is not None:
        for criterion in snapshot.get("criteria", []):
            value = metrics.get(criterion.get("metric")) if criterion["kind"] == "METRIC" else None
            if value is not None:
                answers[criterion["code"]] = {"points": None, "met": None, "metric_value": value, "evidence": ""}
    draft.answers = answers
    if grade == EXC:
        done, exceeded, late = Decimal(100), _half(rng.uniform(30, 48)), Decimal(0)
    elif grade == GOOD:
        done, exceeded, late = Decimal(100), _half(rng.uniform(5, 28)), _half(rng.uniform(0, 5))
    elif grade == FUL:
        done = Decimal(100) if rng.random() < 0.6 else _half(rng.uniform(90, 99))
        exceeded, late = _half(rng.uniform(0, 10)), _half(rng.uniform(5, 18))
    else:
        done, exceeded, late = _half(rng.uniform(70, 88)), Decimal(0), _half(rng.uniform(25, 40))
    evaluation.tasks_done_pct, evaluation.tasks_exceeded_pct, evaluation.tasks_late_pct = done, exceeded, late
    evaluation.leadership_disciplined = False
    evaluation.units_disciplined_pct = Decimal(0)
    has_criteria = bool(snapshot.get("criteria"))
    if not has_criteria:
        evaluation.self_score = target
    evaluation.self_comment = SELF_COMMENTS[grade].format(year=year)
    _suggest(draft, params, year)


def _suggest(draft: _OrgDraft, params: dict, year: int) -> None:
    """services.refresh_suggestion, on the answers in memory."""
    evaluation = draft.evaluation
    snapshot = evaluation.criteria_snapshot
    score, maximum, results = rules.evaluate_criteria(snapshot, draft.answers)
    has_criteria = bool(snapshot.get("criteria"))
    suggestion = rules.suggest_org_grade(
        params=params,
        score=score if has_criteria else evaluation.self_score,
        max_score=maximum if has_criteria else Decimal(100),
        criteria_results=results,
        founded_on=evaluation.organization.founded_on,
        year=year,
        tasks_done_pct=evaluation.tasks_done_pct,
        tasks_exceeded_pct=evaluation.tasks_exceeded_pct,
        tasks_late_pct=evaluation.tasks_late_pct,
        leadership_disciplined=evaluation.leadership_disciplined,
        units_disciplined_pct=evaluation.units_disciplined_pct or Decimal(0),
    )
    if has_criteria:
        evaluation.self_score = score
    evaluation.suggested_grade = suggestion.grade or ""
    evaluation.not_classified = suggestion.not_classified
    evaluation.suggestion_reasons = suggestion.as_json()
    draft.suggestion = suggestion


def _answer_rows(drafts: list[_OrgDraft]) -> list[CriterionAnswer]:
    rows = []
    for draft in drafts:
        for code, answer in sorted(draft.answers.items()):
            rows.append(
                CriterionAnswer(
                    evaluation_id=draft.evaluation.pk,
                    code=code,
                    points=answer["points"],
                    met=answer["met"],
                    metric_value=answer["metric_value"],
                    evidence=answer["evidence"],
                )
            )
    return rows


# What a self-assessment fills in (bulk_update: one value per row). The drafts leave leadership_disciplined,
# units_disciplined_pct and justification at their defaults.
SELF_ASSESSMENT_FIELDS = (
    "self_score",
    "self_grade",
    "self_comment",
    "tasks_done_pct",
    "tasks_exceeded_pct",
    "tasks_late_pct",
    "appraisal_grade",
    "appraisal_comment",
    "suggested_grade",
    "suggestion_reasons",
    "not_classified",
)


def _open(ctx: _Context, year: int, dues: tuple[datetime.date, datetime.date, datetime.date], opened_on, staff):
    period = services.period_open(
        root=ctx.root,
        year=year,
        self_assessment_due=dues[0],
        appraisal_due=dues[1],
        decision_due=dues[2],
        opened_by=staff,
    )
    opened_at = min(_aware(opened_on, 8, 30), timezone.now())
    EvaluationPeriod.objects.filter(pk=period.pk).update(opened_at=opened_at)
    period.opened_at = opened_at
    evaluations = list(
        OrgEvaluation.objects.filter(period=period).select_related("organization").order_by("organization__path")
    )
    return period, evaluations


def _build_decided_year(ctx: _Context, plan: _ProgrammePlan, users: dict) -> None:
    year = DECIDED_YEAR
    staff = users.get(STAFF_USERNAME)
    period, evaluations = _open(
        ctx,
        year,
        (datetime.date(2025, 12, 15), datetime.date(2025, 12, 31), datetime.date(2026, 1, 15)),
        datetime.date(2025, 11, 14),
        staff,
    )
    params = rules.parameters_snapshot(period.parameter_set)
    floors = plan.floor_2025()
    programme_cells = {pick.cell.pk for pick in plan.picks}

    # Members first: their discipline feeds the cells' "no member disciplined" condition.
    member_rows = _decided_member_rows(ctx, period, params, avoid=programme_cells, users=users)
    disciplined = Counter(row.organization_id for row in member_rows if row.disciplined)

    metrics = ctx.metrics(year) if year in ctx.meeting_years else None
    drafts = []
    for evaluation in evaluations:
        organization = evaluation.organization
        rng = _rng(ctx.seed, year, "org", organization.code)
        merit = _org_grade(rng, ctx.org_quality[organization.pk])
        if organization.pk in floors:
            merit = _at_least(merit, GOOD)
        draft = _OrgDraft(evaluation, rng, merit)
        figures = None
        if organization.is_cell:
            figures = {metric_keys.MEMBERS_DISCIPLINED: Decimal(disciplined.get(organization.pk, 0))}
            if metrics is not None:
                figures[metric_keys.MEETINGS_HELD] = metrics[organization.pk][metric_keys.MEETINGS_HELD]
        _fill_self_assessment(draft, merit, figures, params, year)
        drafts.append(draft)

    # B12 for subordinate organisations: the HTXSNV suggestions beyond the places get an HTTNV self-assessment.
    units = defaultdict(dict)
    by_pk = {draft.evaluation.organization_id: draft for draft in drafts}
    for draft in drafts:
        organization = draft.evaluation.organization
        if ctx.subordinate(organization) and draft.suggestion.grade:
            units[ctx.grassroots[organization.pk].pk][organization.pk] = draft.suggestion.grade
    for unit in units.values():
        for pk in _fit_quota(unit, params, priority=lambda pk: ctx.org_quality[pk]):
            draft = by_pk[pk]
            _fill_self_assessment(draft, GOOD, _metric_answers(draft), params, year)

    decided_at = _aware(datetime.date(2026, 1, 12), 15)
    bloc_decision = f"{_rng(ctx.seed, year, 'decision').randint(310, 420)}-QĐ/ĐUK"
    for draft in drafts:
        evaluation = draft.evaluation
        organization = evaluation.organization
        final = evaluation.suggested_grade
        evaluation.self_grade = "" if evaluation.not_classified else draft.merit
        evaluation.self_comment = SELF_COMMENTS[draft.merit].format(year=year)
        evaluation.appraisal_grade = final
        evaluation.appraisal_comment = APPRAISAL_COMMENTS[final] if final else ""
        evaluation.final_grade = final
        if organization.is_grassroots:
            evaluation.decision_no = bloc_decision
        else:
            grassroots = ctx.grassroots[organization.pk]
            evaluation.decision_no = f"{_rng(ctx.seed, year, 'decision', grassroots.code).randint(12, 95)}-QĐ/ĐU"
    # What every decision shares in one UPDATE, the rest row by row.
    OrgEvaluation.objects.filter(period=period).update(
        status=Status.DECIDED,
        decided_by=staff,
        decided_at=min(decided_at, timezone.now()),
        parameters_snapshot=params,
        version=4,
    )
    OrgEvaluation.objects.bulk_update(
        [d.evaluation for d in drafts], (*SELF_ASSESSMENT_FIELDS, "final_grade", "decision_no"), batch_size=500
    )
    CriterionAnswer.objects.bulk_create(_answer_rows(drafts), batch_size=2000)
    MemberEvaluation.objects.bulk_create(member_rows, batch_size=1000)
    services.period_lock(period=period, locked_by=staff)


def _metric_answers(draft: _OrgDraft) -> dict | None:
    """The system figures already answered for a draft (kept when its self-assessment is redrawn)."""
    metric_codes = {
        c["code"]: c.get("metric")
        for c in draft.evaluation.criteria_snapshot.get("criteria", [])
        if c["kind"] == "METRIC"
    }
    figures = {
        metric_codes[code]: answer["metric_value"]
        for code, answer in draft.answers.items()
        if code in metric_codes and answer["metric_value"] is not None
    }
    return figures or None


def _decided_member_rows(ctx: _Context, period: EvaluationPeriod, params: dict, *, avoid: set, users: dict):
    """A decided rating row for every member on a cell's roll on 31 December (caps B13–B16, quota B12)."""
    year = period.year
    end = datetime.date(year, 12, 31)
    staff, grassroots_user = users.get(STAFF_USERNAME), users.get(GRASSROOTS_USERNAME)
    decided_by_grassroots = set(
        RoleAssignment.objects.filter(user=grassroots_user, role=RoleAssignment.Role.GRASSROOTS).values_list(
            "organization_id", flat=True
        )
    )
    rolls = ctx.roll_on(end)
    full_now = Counter(m.organization_id for m in ctx.members.values() if m.status == Member.Status.FULL)
    rows: list[MemberEvaluation] = []
    merit: dict[int, str] = {}
    priority: dict[int, float] = {}
    for cell in ctx.cells:
        entries = rolls.get(cell.pk, [])
        rng = _rng(ctx.seed, year, "members", cell.code)
        grassroots = ctx.grassroots[cell.pk]
        full_then = sum(1 for _pk, status in entries if status == Member.Status.FULL)
        voters = min(full_then, full_now.get(cell.pk, 0))
        for member_pk, status in entries:
            info = ctx.members[member_pk]
            draws = [rng.random() for _i in range(8)]
            row = MemberEvaluation(
                period=period, member_id=member_pk, organization_id=cell.pk, grassroots_id=grassroots.pk
            )
            row.disciplined = draws[0] < DISCIPLINED_SHARE and cell.pk not in avoid and not info.has_user
            if draws[1] < LONG_SICK_LEAVE_SHARE:
                row.sick_leave_months = Decimal(str(3 + int(draws[2] * 4)))
            elif draws[1] < LONG_SICK_LEAVE_SHARE + SHORT_SICK_LEAVE_SHARE:
                row.sick_leave_months = _half(0.5 + draws[2] * 1.5)
            young = info.date_of_birth is not None and (end - info.date_of_birth).days < 40 * 365
            row.maternity_leave = info.gender == Member.Gender.FEMALE and young and draws[3] < MATERNITY_SHARE
            grade = _member_grade(random.Random(draws[4]), info.quality)
            if info.is_civil_servant:
                row.civil_servant_grade = grade if draws[5] < 0.9 else _worse(grade, GOOD)
            cap = rules.suggest_member_cap(
                params=params,
                year=year,
                status=status,
                admitted_on=info.admitted_on,
                disciplined=row.disciplined,
                sick_leave_months=row.sick_leave_months,
                is_civil_servant=info.is_civil_servant,
                civil_servant_grade=row.civil_servant_grade,
            )
            row.cap_grade, row.cap_reasons, row.not_classified = cap.grade or "", cap.as_json(), cap.not_classified
            if cap.grade is None:
                row.civil_servant_grade = ""
            else:
                merit[member_pk] = _worse(grade, cap.grade)
                priority[member_pk] = info.quality + 0.2 * draws[6]
                row.self_grade = merit[member_pk]
                if draws[7] < 0.15 and merit[member_pk] != EXC:
                    row.self_grade = GRADE_ORDER[grade_rank(merit[member_pk]) - 1]  # the member's own view
                    if grade_rank(row.self_grade) < grade_rank(cap.grade):
                        row.self_grade = merit[member_pk]
                row.votes_against = 1 if merit[member_pk] in (FUL, NOT) and voters > 3 and draws[5] < 0.5 else 0
                row.votes_for = max(0, voters - row.votes_against - int(draws[6] * 3))
            row.decided_by = grassroots_user if grassroots.pk in decided_by_grassroots else staff
            row.decided_at = min(_aware(datetime.date(2025, 12, 26), 16), timezone.now())
            row.version = 3 if cap.grade else 1
            rows.append(row)
    # B12 in each grassroots organisation: the proposals beyond the places are decided HTTNV.
    units = defaultdict(dict)
    by_member = {row.member_id: row for row in rows}
    for member_pk, grade in merit.items():
        units[by_member[member_pk].grassroots_id][member_pk] = grade
    for unit in units.values():
        _fit_quota(unit, params, priority=priority.__getitem__)
        for member_pk, grade in unit.items():
            row = by_member[member_pk]
            row.proposed_grade = merit[member_pk]
            row.final_grade = grade
    return rows


def _build_current_year(ctx: _Context, users: dict) -> None:
    year = CURRENT_YEAR
    staff = users.get(STAFF_USERNAME)
    period, evaluations = _open(
        ctx,
        year,
        (datetime.date(2026, 12, 15), datetime.date(2026, 12, 31), datetime.date(2027, 1, 15)),
        datetime.date(2026, 11, 2),
        staff,
    )
    params = rules.parameters_snapshot(period.parameter_set)
    statuses = _progress(ctx, evaluations)
    drafts = []
    for evaluation in evaluations:
        status = statuses[evaluation.organization_id]
        if status == Status.NOT_STARTED:
            continue
        organization = evaluation.organization
        rng = _rng(ctx.seed, year, "org", organization.code)
        merit = _org_grade(rng, ctx.org_quality[organization.pk])
        draft = _OrgDraft(evaluation, rng, merit)
        # The meeting figures of a year in progress are not final: left for the form to fill in when submitted.
        _fill_self_assessment(draft, merit, None, params, year)
        evaluation.status = status
        evaluation.self_grade = merit
        evaluation.version = 2
        if status == Status.APPRAISED or (status == Status.RETURNED and rng.random() < 0.5):
            evaluation.appraisal_grade = evaluation.suggested_grade or merit
            evaluation.appraisal_comment = APPRAISAL_COMMENTS[evaluation.appraisal_grade]
            evaluation.version = 3
        if status == Status.RETURNED:
            evaluation.return_reason = rng.choice(RETURN_REASONS)
            evaluation.version += 1
        drafts.append(draft)
    OrgEvaluation.objects.bulk_update(
        [d.evaluation for d in drafts], (*SELF_ASSESSMENT_FIELDS, "status", "return_reason", "version"), batch_size=500
    )
    CriterionAnswer.objects.bulk_create(_answer_rows(drafts), batch_size=2000)
    MemberEvaluation.objects.bulk_create(_current_member_rows(ctx, period, params, statuses), batch_size=1000)


def _progress(ctx: _Context, evaluations: list[OrgEvaluation]) -> dict[int, str]:
    """{organisation pk: the step it has reached}, by rank of a per-organisation draw so the shares are exact. The
    demo secretary's cell and their đảng bộ have not started (step 1 to show); two other cells of that đảng bộ
    have self-assessed (step 2 for the grassroots committee)."""
    pinned: dict[int, str] = {}
    secretary = (
        Organization.objects.filter(
            role_assignments__user__username=SECRETARY_USERNAME, role_assignments__role=RoleAssignment.Role.SECRETARY
        )
        .order_by("path")
        .first()
    )
    if secretary is not None and secretary.pk in ctx.grassroots:
        committee = ctx.grassroots[secretary.pk]
        pinned[secretary.pk] = Status.NOT_STARTED
        pinned[committee.pk] = Status.NOT_STARTED
        siblings = sorted(
            (o for o in ctx.cells if o.pk != secretary.pk and ctx.grassroots[o.pk].pk == committee.pk),
            key=lambda o: o.code,
        )
        for sibling in siblings[:2]:
            pinned[sibling.pk] = Status.SELF_ASSESSED
    counts = {status: round(share * len(evaluations)) for status, share in PROGRESS_SHARES}
    for status in pinned.values():
        if status in counts:
            counts[status] -= 1
    ranked = sorted(
        (e for e in evaluations if e.organization_id not in pinned),
        key=lambda e: _rng(ctx.seed, CURRENT_YEAR, "progress", e.organization.code).random(),
    )
    result = {e.organization_id: pinned[e.organization_id] for e in evaluations if e.organization_id in pinned}
    position = 0
    for status, _share in PROGRESS_SHARES:
        for evaluation in ranked[position : position + max(0, counts[status])]:
            result[evaluation.organization_id] = status
        position += max(0, counts[status])
    for evaluation in ranked[position:]:
        result[evaluation.organization_id] = Status.NOT_STARTED
    return result


def _current_member_rows(ctx: _Context, period: EvaluationPeriod, params: dict, statuses: dict) -> list:
    """Rows for the members on the roll of the cells that self-assessed: derived fields as
    member_services.ensure_member_rows computes them, self-assessed grades, and the cell's proposals in about half
    of the cells (all of those already appraised)."""
    year = period.year
    members_by_cell = defaultdict(list)
    for info in ctx.members.values():
        if info.status in Member.ON_ROLL:
            members_by_cell[info.organization_id].append(info)
    rows = []
    for cell in ctx.cells:
        status = statuses.get(cell.pk, Status.NOT_STARTED)
        if status == Status.NOT_STARTED:
            continue
        rng = _rng(ctx.seed, year, "members", cell.code)
        proposals = status == Status.APPRAISED or (status == Status.SELF_ASSESSED and rng.random() < 0.5)
        members = sorted(members_by_cell.get(cell.pk, []), key=lambda m: m.pk)
        voters = sum(1 for m in members if m.status == Member.Status.FULL)
        for info in members:
            draws = [rng.random() for _i in range(4)]
            row = MemberEvaluation(
                period=period, member_id=info.pk, organization_id=cell.pk, grassroots_id=ctx.grassroots[cell.pk].pk
            )
            cap = rules.suggest_member_cap(
                params=params,
                year=year,
                status=info.status,
                admitted_on=info.admitted_on,
                disciplined=False,
                sick_leave_months=Decimal(0),
                is_civil_servant=info.is_civil_servant,
                civil_servant_grade="",
            )
            row.cap_grade, row.cap_reasons, row.not_classified = cap.grade or "", cap.as_json(), cap.not_classified
            if cap.grade is not None:
                grade = _worse(_member_grade(random.Random(draws[0]), info.quality), cap.grade)
                if draws[1] < 0.9:
                    row.self_grade = grade
                if proposals:
                    row.proposed_grade = grade if grade != EXC or draws[2] < 0.7 else GOOD
                    row.votes_for = max(0, voters - int(draws[3] * 3))
                    row.votes_against = 0
                    row.version = 2
            rows.append(row)
    return rows


#
# 4. Model programmes: registrations and yearly checks
#


def _build_programmes(ctx: _Context, plan: _ProgrammePlan, users: dict) -> None:
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
    metrics = {year: ctx.metrics(year, refresh=True) for year in range(2022, 2026)}
    registrations, checks_by_pick = [], []
    for pick in picks:
        rng = _rng(ctx.seed, "registration", pick.programme, pick.cell.code)
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


def _year_check(ctx: _Context, pick: _Pick, year: int, grades: dict, metrics: dict, rng) -> tuple:
    """One yearly check as programmes.year_check stores it; (check, unmet criteria or "rating")."""
    cell = pick.cell
    criteria_set = ctx.programme_set(cell, pick.programme, year)
    snapshot = ctx.snapshot(criteria_set)
    checked_at = min(_aware(datetime.date(year, 12, rng.randint(10, 22)), 10), timezone.now())
    good = grades.get(year) is not None and grade_rank(grades[year]) <= grade_rank(GOOD)
    if not snapshot.get("criteria"):
        # No criteria set of the programme for this kind of unit: the check was recorded on paper.
        passed = good and _meets_common(metrics[cell.pk]) and not (pick.fail_year == year)
        return (
            ModelYearCheck(year=year, criteria_snapshot={}, results={}, passed=passed, checked_at=checked_at),
            "rating" if not good else [],
        )
    answers = _answers_all_met(snapshot, year)
    for criterion in snapshot["criteria"]:
        if criterion["kind"] == Criterion.Kind.CHECK and "xếp loại" in criterion["text"]:
            answers[criterion["code"]]["met"] = good
    if pick.fail_year == year and not pick.fail_by_rating:
        hand = [c for c in snapshot["criteria"] if c["kind"] == Criterion.Kind.CHECK and "xếp loại" not in c["text"]]
        if hand:
            missed = hand[_rng(ctx.seed, "shortfall", pick.programme, cell.code).randrange(len(hand))]
            answers[missed["code"]] = {"met": False, "evidence": CHECK_SHORTFALL.format(year=year)}
    passed, results = programmes._evaluate(snapshot, criteria_set.pass_points, answers, metrics[cell.pk])
    unmet = [(c["code"], c["text"]) for c in snapshot["criteria"] if not results[c["code"]]["met"]]
    check = ModelYearCheck(year=year, criteria_snapshot=snapshot, results=results, passed=passed, checked_at=checked_at)
    return check, unmet


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
    row's grassroots organisation): (checks made, descriptions of the units over their places)."""
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
    extra = Counter()
    for year, organization_id, scope, places in QuotaException.objects.filter(period__root=root).values_list(
        "period__year", "organization_id", "scope", "extra_places"
    ):
        extra[(year, scope, organization_id)] += places
    params: dict[int, dict] = {}
    problems = []
    for (year, scope, unit_pk), grades in sorted(counts.items()):
        if year not in params:
            params[year] = rules.parameters_snapshot(services.parameter_set_for_year(year))
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
        summary.coverage = programmes.coverage(user=user, root=root, programme=KIEU_MAU, year=MODEL_PHASE[1])
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
            f"({summary.quota_checks} checks of members and subordinate organisations, all years)"
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
    ctx = _Context(root=root, seed=seed, today=today)
    plan = _plan_programmes(ctx)
    summary_built, summary_skipped = [], []

    if HistoricalRating.objects.filter(source=SOURCE, organization__path__startswith=root.path).exists():
        summary_skipped.append("past ratings")
    else:
        rows = _plan_history(ctx, plan.forced)
        while batch := list(itertools.islice(rows, 20000)):
            HistoricalRating.objects.bulk_create(batch, batch_size=2000)
        summary_built.append("past ratings")

    if EvaluationPeriod.objects.filter(root=root, year=DECIDED_YEAR).exists():
        summary_skipped.append(f"{DECIDED_YEAR} review")
    else:
        _build_decided_year(ctx, plan, users)
        summary_built.append(f"{DECIDED_YEAR} review")

    if EvaluationPeriod.objects.filter(root=root, year=CURRENT_YEAR).exists():
        summary_skipped.append(f"{CURRENT_YEAR} review")
    elif today.year >= CURRENT_YEAR:
        _build_current_year(ctx, users)
        summary_built.append(f"{CURRENT_YEAR} review")

    if ModelRegistration.objects.filter(organization__path__startswith=root.path).exists():
        summary_skipped.append("model-cell registrations")
    else:
        _build_programmes(ctx, plan, users)
        summary_built.append("model-cell registrations")

    return summary_built, summary_skipped
