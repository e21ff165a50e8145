"""Demo data: the yearly reviews (evaluations.review.services, called `review_services` below).

- 2025, decided: opened with review_services.period_open (the real service), every evaluation filled in and
  decided: criteria answers, the suggestion computed by review_services.apply_suggestion (as refresh_suggestion
  does, so the decided grade is the suggested one: a cell that missed a monthly meeting is capped by the frame's hard
  condition), a rating row per member on a roll on 31/12/2025 (caps from rules.suggest_member_cap, quota), then
  locked with review_services.period_lock (which checks that everything is decided).
- 2026, in progress: opened; not started, self-assessed (with criteria answers), appraised or returned; member rows
  with self-assessed grades and some proposals in the cells that self-assessed, no decided grade.
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cells.models import Organization, RoleAssignment
from demo.common import aware
from demo.context import EvaluationContext
from demo.grading import (
    CURRENT_YEAR,
    DECIDED_YEAR,
    EXC,
    FUL,
    GOOD,
    GRASSROOTS_USERNAME,
    NOT,
    SECRETARY_USERNAME,
    STAFF_USERNAME,
    at_least,
    fit_quota,
    half,
    member_grade,
    org_grade,
    seeded_rng,
    worse,
)
from demo.programmes import ProgrammePlan
from evaluations import discipline as review_discipline
from evaluations import metrics as metric_keys
from evaluations import rules
from evaluations.models import (
    GRADE_ORDER,
    CriterionAnswer,
    EvaluationPeriod,
    MemberEvaluation,
    OrgEvaluation,
    grade_rank,
)
from evaluations.review import quota
from evaluations.review import services as review_services
from members.models import Discipline, Member, Position

Status = OrgEvaluation.Status


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


def _points_answers(rng: random.Random, snapshot: dict, target: Decimal) -> dict[str, Decimal]:
    """Points for each POINTS criterion of the snapshot, adding up to `target` (scaled to the set's maximum)."""
    criteria = [(c["code"], Decimal(c["max_points"])) for c in snapshot.get("criteria", []) if c["kind"] == "POINTS"]
    maximum = sum((m for _c, m in criteria), Decimal(0))
    if not criteria or not maximum:
        return {}
    total = half(float(target * maximum / 100))
    points = {
        code: max(Decimal(0), min(m, half(float(m * total / maximum) + rng.uniform(-0.6, 0.6)))) for code, m in criteria
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
    discipline: object = None  # the organisation's discipline figures of the year (D5), read in bulk


def _fill_self_assessment(draft: _OrgDraft, grade: str, metrics: dict | None, params: dict, year: int) -> None:
    """Answers, self-assessed figures and the suggestion (review_services.apply_suggestion on the answers in memory)."""
    evaluation, rng = draft.evaluation, draft.rng
    snapshot = evaluation.criteria_snapshot
    low, high = SCORE_BANDS[grade]
    target = half(rng.uniform(low, high))
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
        done, exceeded, late = Decimal(100), half(rng.uniform(30, 48)), Decimal(0)
    elif grade == GOOD:
        done, exceeded, late = Decimal(100), half(rng.uniform(5, 28)), half(rng.uniform(0, 5))
    elif grade == FUL:
        done = Decimal(100) if rng.random() < 0.6 else half(rng.uniform(90, 99))
        exceeded, late = half(rng.uniform(0, 10)), half(rng.uniform(5, 18))
    else:
        done, exceeded, late = half(rng.uniform(70, 88)), Decimal(0), half(rng.uniform(25, 40))
    evaluation.tasks_done_pct, evaluation.tasks_exceeded_pct, evaluation.tasks_late_pct = done, exceeded, late
    has_criteria = bool(snapshot.get("criteria"))
    if not has_criteria:
        evaluation.self_score = target
    evaluation.self_comment = SELF_COMMENTS[grade].format(year=year)
    draft.suggestion = review_services.apply_suggestion(
        evaluation, answers, params=params, year=year, figures=draft.discipline
    )


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


# What a self-assessment fills in (bulk_update: one value per row). The discipline figures are those computed from
# the members' disciplinary decisions (D5); the drafts leave the justification at its default.
SELF_ASSESSMENT_FIELDS = (
    "leadership_disciplined",
    "units_disciplined_pct",
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


def _open(ctx: EvaluationContext, year: int, opened_on: datetime.date, staff):
    """The review of `year` opened on `opened_on` (due 15/12, 31/12 and 15/01 of the next year): the period, its
    parameters and its evaluations."""
    period = review_services.period_open(
        root=ctx.root,
        year=year,
        self_assessment_due=datetime.date(year, 12, 15),
        appraisal_due=datetime.date(year, 12, 31),
        decision_due=datetime.date(year + 1, 1, 15),
        opened_by=staff,
    )
    opened_at = min(aware(opened_on, 8, 30), timezone.now())
    EvaluationPeriod.objects.filter(pk=period.pk).update(opened_at=opened_at)
    period.opened_at = opened_at
    evaluations = list(
        OrgEvaluation.objects.filter(period=period).select_related("organization").order_by("organization__path")
    )
    return period, rules.parameters_snapshot(period.parameter_set), evaluations


def build_decided_year(ctx: EvaluationContext, plan: ProgrammePlan, users: dict) -> None:
    year = DECIDED_YEAR
    staff = users.get(STAFF_USERNAME)
    period, params, evaluations = _open(ctx, year, datetime.date(2025, 11, 14), staff)
    floors = plan.floor_2025()
    programme_cells = {pick.cell.pk for pick in plan.picks}

    # Members first: their discipline feeds the cells' "no member disciplined" condition.
    member_rows = _decided_member_rows(ctx, period, params, avoid=programme_cells, users=users)
    disciplined = Counter(row.organization_id for row in member_rows if row.disciplined)
    _record_discipline(ctx, member_rows, users)  # D5: the facts on the members' records
    discipline_figures = review_discipline.figures_for(evaluations, year)

    metrics = ctx.metrics(year) if year in ctx.meeting_years else None
    drafts = []
    for evaluation in evaluations:
        organization = evaluation.organization
        rng = seeded_rng(ctx.seed, year, "org", organization.code)
        merit = org_grade(rng, ctx.org_quality[organization.pk])
        if organization.pk in floors:
            merit = at_least(merit, GOOD)
        draft = _OrgDraft(evaluation, rng, merit, discipline=discipline_figures[organization.pk])
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
        for pk in fit_quota(unit, params, priority=lambda pk: ctx.org_quality[pk]):
            draft = by_pk[pk]
            _fill_self_assessment(draft, GOOD, _metric_answers(draft), params, year)
    # B12 for the grassroots organisations under the upper committee (D3: checked when the year is locked).
    tops = defaultdict(dict)
    upper = {pk: o for pk, o in ctx.organizations.items() if o.kind == Organization.Kind.UPPER}
    upper[ctx.root.pk] = ctx.root
    for draft in drafts:
        organization = draft.evaluation.organization
        top = quota.org_unit_of(organization, upper) if organization.is_grassroots else None
        if top is not None and draft.suggestion.grade:
            tops[top.pk][organization.pk] = draft.suggestion.grade
    for unit in tops.values():
        for pk in fit_quota(unit, params, priority=lambda pk: ctx.org_quality[pk]):
            draft = by_pk[pk]
            _fill_self_assessment(draft, GOOD, _metric_answers(draft), params, year)

    decided_at = aware(datetime.date(2026, 1, 12), 15)
    bloc_decision = f"{seeded_rng(ctx.seed, year, 'decision').randint(310, 420)}-QĐ/ĐUK"
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
            evaluation.decision_no = f"{seeded_rng(ctx.seed, year, 'decision', grassroots.code).randint(12, 95)}-QĐ/ĐU"
    # What every decision shares in one UPDATE, the rest row by row.
    OrgEvaluation.objects.filter(period=period).update(
        status=Status.DECIDED,
        decided_by=staff,
        decided_at=min(decided_at, timezone.now()),
        decision_date=min(decided_at, timezone.now()).date(),  # the committee's decision ("ngày …")
        parameters_snapshot=params,
        version=4,
    )
    OrgEvaluation.objects.bulk_update(
        [d.evaluation for d in drafts], (*SELF_ASSESSMENT_FIELDS, "final_grade", "decision_no"), batch_size=500
    )
    CriterionAnswer.objects.bulk_create(_answer_rows(drafts), batch_size=2000)
    MemberEvaluation.objects.bulk_create(member_rows, batch_size=1000)
    review_services.period_lock(period=period, locked_by=staff)


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


def _decided_member_rows(ctx: EvaluationContext, period: EvaluationPeriod, params: dict, *, avoid: set, users: dict):
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
    # D5: the demo keeps discipline off committee seats, and within the share of subordinate units above which a
    # đảng bộ would be KHTNV (B13), so that the decided grades stay those of the members' merit.
    seats = set(Position.objects.filter(role__in=Position.COMMITTEE_ROLES).values_list("member_id", flat=True))
    children = Counter(o.parent_id for o in ctx.organizations.values())
    units_taken: dict[int, set[int]] = defaultdict(set)
    rows: list[MemberEvaluation] = []
    merit: dict[int, str] = {}
    priority: dict[int, float] = {}
    for cell in ctx.cells:
        entries = rolls.get(cell.pk, [])
        rng = seeded_rng(ctx.seed, year, "members", cell.code)
        grassroots = ctx.grassroots[cell.pk]
        full_then = sum(1 for _pk, status in entries if status == Member.Status.FULL)
        voters = min(full_then, full_now.get(cell.pk, 0))
        for member_pk, status in entries:
            info = ctx.members[member_pk]
            draws = [rng.random() for _i in range(8)]
            row = MemberEvaluation(
                period=period, member_id=member_pk, organization_id=cell.pk, grassroots_id=grassroots.pk
            )
            row.disciplined = (
                draws[0] < DISCIPLINED_SHARE
                and cell.pk not in avoid
                and not info.has_user
                and info.pk not in seats
                and status in (Member.Status.FULL, Member.Status.PROBATIONARY)
                and bool(info.admitted_on)
                and info.admitted_on < datetime.date(year, 6, 1)  # classified (B14): the cap applies
                and _discipline_fits(ctx, cell, units_taken, children, params)
            )
            if draws[1] < LONG_SICK_LEAVE_SHARE:
                row.sick_leave_months = Decimal(str(3 + int(draws[2] * 4)))
            elif draws[1] < LONG_SICK_LEAVE_SHARE + SHORT_SICK_LEAVE_SHARE:
                row.sick_leave_months = half(0.5 + draws[2] * 1.5)
            young = info.date_of_birth is not None and (end - info.date_of_birth).days < 40 * 365
            row.maternity_leave = info.gender == Member.Gender.FEMALE and young and draws[3] < MATERNITY_SHARE
            grade = member_grade(random.Random(draws[4]), info.quality)
            if info.is_civil_servant:
                row.civil_servant_grade = grade if draws[5] < 0.9 else worse(grade, GOOD)
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
                merit[member_pk] = worse(grade, cap.grade)
                priority[member_pk] = info.quality + 0.2 * draws[6]
                row.self_grade = merit[member_pk]
                if draws[7] < 0.15 and merit[member_pk] != EXC:
                    row.self_grade = GRADE_ORDER[grade_rank(merit[member_pk]) - 1]  # the member's own view
                    if grade_rank(row.self_grade) < grade_rank(cap.grade):
                        row.self_grade = merit[member_pk]
                row.votes_against = 1 if merit[member_pk] in (FUL, NOT) and voters > 3 and draws[5] < 0.5 else 0
                row.votes_for = max(0, voters - row.votes_against - int(draws[6] * 3))
            row.decided_by = grassroots_user if grassroots.pk in decided_by_grassroots else staff
            row.decided_at = min(aware(datetime.date(2025, 12, 26), 16), timezone.now())
            row.version = 3 if cap.grade else 1
            rows.append(row)
    # B12 in each grassroots organisation: the proposals beyond the places are decided HTTNV.
    units = defaultdict(dict)
    by_member = {row.member_id: row for row in rows}
    for member_pk, grade in merit.items():
        units[by_member[member_pk].grassroots_id][member_pk] = grade
    for unit in units.values():
        fit_quota(unit, params, priority=priority.__getitem__)
        for member_pk, grade in unit.items():
            row = by_member[member_pk]
            row.proposed_grade = merit[member_pk]
            row.final_grade = grade
    return rows


# Demo disciplinary decisions are dated before this day, after the member's admission.
DISCIPLINE_BEFORE = datetime.date(DECIDED_YEAR, 10, 1)


def _discipline_fits(ctx: EvaluationContext, cell: Organization, taken: dict, children: Counter, params: dict) -> bool:
    """Whether disciplining a member of `cell` keeps every organisation above it at or under the share of
    subordinate units disciplined that makes it KHTNV (and records the units taken when it does)."""
    limit = params["khtnv_disciplined_units_pct"]
    chain = [pk for pk in cell.ancestor_ids() if pk in ctx.organizations and pk in ctx.grassroots] + [cell.pk]
    steps = list(zip(chain, chain[1:], strict=False))  # (organisation above, its unit containing the cell)
    for above, unit in steps:
        if 100 * len(taken[above] | {unit}) > limit * children[above]:
            return False
    for above, unit in steps:
        taken[above].add(unit)
    return True


def _record_discipline(ctx: EvaluationContext, rows: list[MemberEvaluation], users: dict) -> None:
    """A disciplinary decision (D5) on the record of each member the 2025 rows mark disciplined: mostly a
    reprimand, decided by the grassroots committee during the year."""
    staff = users.get(STAFF_USERNAME)
    facts = []
    for row in rows:
        if not row.disciplined:
            continue
        info = ctx.members[row.member_id]
        rng = seeded_rng(ctx.seed, DECIDED_YEAR, "discipline", info.pk)
        start = max(info.admitted_on + datetime.timedelta(days=1), datetime.date(DECIDED_YEAR, 1, 15))
        decided_on = start + datetime.timedelta(days=int(rng.random() * max(1, (DISCIPLINE_BEFORE - start).days)))
        grassroots = ctx.grassroots[row.organization_id]
        body = grassroots.name if grassroots.is_cell else f"Ban Thường vụ {grassroots.name}"
        facts.append(
            Discipline(
                member_id=info.pk,
                organization_id=row.organization_id,
                form=Discipline.Form.REPRIMAND if rng.random() < 0.8 else Discipline.Form.WARNING,
                decision_no=f"{rng.randint(5, 95)}-QĐ/ĐU",
                decided_on=decided_on,
                deciding_body=body,
                reason=rng.choice(DISCIPLINE_REASONS),
                recorded_by=staff,
                recorded_at=aware(decided_on + datetime.timedelta(days=3), 9),
            )
        )
    Discipline.objects.bulk_create(facts)


DISCIPLINE_REASONS = (
    "Vi phạm quy định về những điều đảng viên không được làm",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
    "Vi phạm nguyên tắc tập trung dân chủ",
    "Không thực hiện đúng quy định về nêu gương",
)


def build_current_year(ctx: EvaluationContext, users: dict) -> None:
    year = CURRENT_YEAR
    staff = users.get(STAFF_USERNAME)
    period, params, evaluations = _open(ctx, year, datetime.date(2026, 11, 2), staff)
    statuses = _progress(ctx, evaluations)
    discipline_figures = review_discipline.figures_for(evaluations, year)
    drafts = []
    for evaluation in evaluations:
        status = statuses[evaluation.organization_id]
        if status == Status.NOT_STARTED:
            continue
        organization = evaluation.organization
        rng = seeded_rng(ctx.seed, year, "org", organization.code)
        merit = org_grade(rng, ctx.org_quality[organization.pk])
        draft = _OrgDraft(evaluation, rng, merit, discipline=discipline_figures[organization.pk])
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


def _progress(ctx: EvaluationContext, evaluations: list[OrgEvaluation]) -> dict[int, str]:
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
        key=lambda e: seeded_rng(ctx.seed, CURRENT_YEAR, "progress", e.organization.code).random(),
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


def _current_member_rows(ctx: EvaluationContext, period: EvaluationPeriod, params: dict, statuses: dict) -> list:
    """Rows for the members on the roll of the cells that self-assessed: derived fields as
    evaluations.ratings.services.ensure_member_rows computes them, self-assessed grades, and the cell's proposals in
    about half of the cells (all of those already appraised)."""
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
        rng = seeded_rng(ctx.seed, year, "members", cell.code)
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
                grade = worse(member_grade(random.Random(draws[0]), info.quality), cap.grade)
                if draws[1] < 0.9:
                    row.self_grade = grade
                if proposals:
                    row.proposed_grade = grade if grade != EXC or draws[2] < 0.7 else GOOD
                    row.votes_for = max(0, voters - int(draws[3] * 3))
                    row.votes_against = 0
                    row.version = 2
            rows.append(row)
    return rows
