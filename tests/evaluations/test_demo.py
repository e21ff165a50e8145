"""The evaluation demo (demo/evaluations.py, run by `manage.py seed_demo`): five years of past ratings within the
quota, the 2025 review decided and locked, the 2026 review in progress, the model-cell registrations.

The seed runs once for the module without meetings (`--no-meetings`: about 10 s with the reviews), inside a
transaction rolled back when the module ends, so the other test modules still start from an empty database.
"""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max

from cells.models import Organization
from criteria.models import CriteriaSet
from demo.context import EvaluationContext
from demo.evaluations import build_evaluations, quota_overruns
from demo.grading import CURRENT_YEAR, DECIDED_YEAR, HISTORY_YEARS, SOURCE, STAFF_USERNAME
from demo.past_ratings import plan_past_ratings
from demo.programmes import plan_programmes
from evaluations import rules
from evaluations.models import (
    CriterionAnswer,
    EvaluationPeriod,
    Grade,
    HistoricalRating,
    MemberEvaluation,
    ModelRegistration,
    ModelYearCheck,
    OrgEvaluation,
    grade_rank,
)
from evaluations.programmes import services as programmes
from evaluations.review import quota, services
from members.models import Discipline, Member

Kind = Organization.Kind
Status = OrgEvaluation.Status
Registration = ModelRegistration.Status
KIEU_MAU = CriteriaSet.Programme.MODEL_CELL
BON_TOT = CriteriaSet.Programme.FOUR_GOOD


def grassroots_by_organization(root) -> dict[int, Organization]:
    """quota.grassroots_of, once per organisation."""
    return {
        organization.pk: quota.grassroots_of(organization)
        for organization in Organization.objects.filter(path__startswith=root.path).exclude(kind=Kind.UPPER)
    }


def params_for(year: int) -> dict:
    return rules.parameters_snapshot(services.parameter_set_for_year(year))


def rows_snapshot() -> dict:
    return {
        "past": HistoricalRating.objects.count(),
        "past_last": HistoricalRating.objects.aggregate(m=Max("pk"))["m"],
        "periods": list(EvaluationPeriod.objects.values_list("pk", "year", "state").order_by("pk")),
        "evaluations": list(OrgEvaluation.objects.values_list("pk", "status", "final_grade", "version").order_by("pk")),
        "answers": CriterionAnswer.objects.count(),
        "members": list(MemberEvaluation.objects.values_list("pk", "final_grade", "proposed_grade").order_by("pk")),
        "registrations": list(ModelRegistration.objects.values_list("pk", "status").order_by("pk")),
        "checks": ModelYearCheck.objects.count(),
    }


@pytest.mark.django_db
def test_the_seed_prints_the_review_summary_and_stays_fast(seeded_demo):
    assert "Reviews and model cells" in seeded_demo.output
    assert "no grassroots organisation over it" in seeded_demo.output
    assert "2025 review (locked)" in seeded_demo.output
    assert "2026 review in progress" in seeded_demo.output
    assert "target 4%: met" in seeded_demo.output
    assert seeded_demo.seconds < 60  # about 10 s: the tree without meetings, then the reviews


@pytest.mark.django_db
def test_five_years_of_past_ratings_for_organisations_and_members(seeded_demo):
    root = seeded_demo.root
    assert set(HistoricalRating.objects.values_list("source", flat=True)) == {SOURCE}
    for year in HISTORY_YEARS:
        params = params_for(year)
        rated = set(
            HistoricalRating.objects.filter(year=year, organization__isnull=False).values_list(
                "organization_id", flat=True
            )
        )
        expected = {
            o.pk
            for o in Organization.objects.filter(path__startswith=root.path).exclude(kind=Kind.UPPER)
            if (datetime.date(year, 12, 31) - o.founded_on).days >= params["org_min_months_for_classification"] * 30
        }
        assert rated == expected, year
        members = Counter(
            HistoricalRating.objects.filter(year=year, member__isnull=False).values_list("grade", flat=True)
        )
        total = sum(members.values())
        assert total > 3000, year
        assert 0.12 <= members[Grade.EXCELLENT] / total <= 0.18, (year, members)
        assert (members[Grade.EXCELLENT] + members[Grade.GOOD]) / total >= 0.85, (year, members)
        # Only members admitted at least 6 months before the end of the year are rated (B14).
        late = HistoricalRating.objects.filter(year=year, member__admitted_on__gt=datetime.date(year, 6, 30)).count()
        assert late == 0, year
    organisations = Counter(HistoricalRating.objects.filter(organization__isnull=False).values_list("grade", flat=True))
    assert organisations[Grade.GOOD] > organisations[Grade.EXCELLENT] > organisations[Grade.FULFILLED]
    assert organisations[Grade.NOT_FULFILLED] <= 10


@pytest.mark.django_db
def test_no_grassroots_organisation_over_the_quota_in_any_year(seeded_demo):
    """B12, counted independently of the builder: members by their cell's grassroots organisation (today's cell
    for past ratings, the row's for decided ones), subordinate organisations by theirs."""
    grassroots = grassroots_by_organization(seeded_demo.root)
    counts = defaultdict(Counter)
    for year, cell_id, grade in HistoricalRating.objects.filter(member__isnull=False).values_list(
        "year", "member__organization_id", "grade"
    ):
        counts[(year, "members", grassroots[cell_id].pk)][grade] += 1
    for year, organization_id, grade in HistoricalRating.objects.filter(organization__isnull=False).values_list(
        "year", "organization_id", "grade"
    ):
        unit = grassroots[organization_id]
        if unit.pk != organization_id:
            counts[(year, "organisations", unit.pk)][grade] += 1
    decided = EvaluationPeriod.objects.get(root=seeded_demo.root, year=DECIDED_YEAR)
    for cell_id, grassroots_id, grade in decided.member_evaluations.values_list(
        "organization_id", "grassroots_id", "final_grade"
    ):
        assert grassroots[cell_id].pk == grassroots_id
        counts[(decided.year, "members", grassroots_id)][grade] += 1
    for organization_id, grade in decided.org_evaluations.values_list("organization_id", "final_grade"):
        unit = grassroots[organization_id]
        if unit.pk != organization_id:
            counts[(decided.year, "organisations", unit.pk)][grade] += 1
    # D3: the grassroots organisations under the upper committee (the demo's only one), in the review decided in
    # the app.
    for grade in decided.org_evaluations.filter(organization__kind__in=Organization.GRASSROOTS_KINDS).values_list(
        "final_grade", flat=True
    ):
        counts[(decided.year, "grassroots organisations", seeded_demo.root.pk)][grade] += 1
    assert counts[(decided.year, "grassroots organisations", seeded_demo.root.pk)][Grade.GOOD] > 0
    years = {year for year, _scope, _unit in counts}
    assert years == {*HISTORY_YEARS, DECIDED_YEAR}
    params = {year: params_for(year) for year in years}
    over = []
    for (year, scope, unit), grades in counts.items():
        allowed = rules.member_quota(params=params[year], good_count=grades[Grade.GOOD])
        if grades[Grade.EXCELLENT] > allowed:
            over.append((year, scope, unit, grades[Grade.EXCELLENT], allowed))
    assert over == []
    # The quota binds: most grassroots organisations use their places.
    used = sum(1 for (year, scope, _u), g in counts.items() if scope == "members" and g[Grade.EXCELLENT])
    assert used > len(counts) / 3
    assert quota_overruns(seeded_demo.root)[1] == []


@pytest.mark.django_db
def test_2025_is_decided_and_locked(seeded_demo):
    period = EvaluationPeriod.objects.get(root=seeded_demo.root, year=DECIDED_YEAR)
    assert period.state == EvaluationPeriod.State.LOCKED
    assert period.opened_by.username == STAFF_USERNAME
    evaluations = list(period.org_evaluations.select_related("organization"))
    assert (
        len(evaluations)
        == Organization.objects.filter(path__startswith=seeded_demo.root.path).exclude(kind=Kind.UPPER).count()
    )
    for evaluation in evaluations:
        assert evaluation.status == Status.DECIDED
        assert evaluation.final_grade or evaluation.not_classified
        assert evaluation.final_grade == evaluation.suggested_grade  # decided as suggested: no justification
        assert evaluation.suggestion_reasons and evaluation.decided_by and evaluation.decided_at
        assert evaluation.decision_no and evaluation.parameters_snapshot["htxs_quota_pct_of_htt"] == 20
        assert evaluation.self_grade and evaluation.appraisal_grade == evaluation.final_grade
    # The stored answers give the stored suggestion (services.refresh_suggestion recomputes it the same way).
    for evaluation in evaluations[:40]:
        before = (evaluation.suggested_grade, evaluation.self_score, list(evaluation.suggestion_reasons))
        services.refresh_suggestion(evaluation)
        assert (evaluation.suggested_grade, evaluation.self_score, evaluation.suggestion_reasons) == before
    assert CriterionAnswer.objects.filter(evaluation__period=period).count() >= 8 * len(evaluations)
    grades = Counter(e.final_grade for e in evaluations)
    assert grades[Grade.GOOD] > len(evaluations) / 2 and grades[Grade.EXCELLENT] > 0

    rows = list(period.member_evaluations.select_related("member"))
    rated = {row.member_id for row in rows}
    on_roll = set(
        Member.objects.filter(
            organization__path__startswith=seeded_demo.root.path,
            status__in=Member.ON_ROLL,
            admitted_on__lte=datetime.date(2025, 12, 31),
        ).values_list("pk", flat=True)
    )
    assert on_roll <= rated
    for row in rows:
        if row.not_classified:
            assert not (row.final_grade or row.proposed_grade or row.self_grade)
        else:
            assert row.final_grade and row.cap_grade and row.decided_at
            assert grade_rank(row.final_grade) >= grade_rank(row.cap_grade)
            assert grade_rank(row.proposed_grade) >= grade_rank(row.cap_grade)
            assert grade_rank(row.final_grade) >= grade_rank(row.proposed_grade)
        if row.disciplined:
            assert row.final_grade == Grade.NOT_FULFILLED
            # D5: a disciplinary decision of the year on the member's record says so.
            assert Discipline.objects.filter(member_id=row.member_id, decided_on__year=DECIDED_YEAR).exists()
    assert {row.member_id for row in rows if row.disciplined} == set(
        Discipline.objects.filter(decided_on__year=DECIDED_YEAR).values_list("member_id", flat=True)
    )
    assert any(row.disciplined for row in rows)
    members = Counter(row.final_grade for row in rows if not row.not_classified)
    classified = sum(members.values())
    assert 0.12 <= members[Grade.EXCELLENT] / classified <= 0.18
    assert (members[Grade.EXCELLENT] + members[Grade.GOOD]) / classified >= 0.85
    assert Counter(row.not_classified for row in rows if row.not_classified).keys() >= {"MOI_KET_NAP"}


@pytest.mark.django_db
def test_2026_is_in_progress_with_a_realistic_mix(seeded_demo):
    period = EvaluationPeriod.objects.get(root=seeded_demo.root, year=CURRENT_YEAR)
    assert period.state == EvaluationPeriod.State.OPEN
    assert period.decision_due > datetime.date(2026, 12, 31)
    evaluations = list(period.org_evaluations.select_related("organization"))
    statuses = Counter(e.status for e in evaluations)
    total = len(evaluations)
    for status, share in ((Status.NOT_STARTED, 0.40), (Status.SELF_ASSESSED, 0.35), (Status.APPRAISED, 0.20)):
        assert abs(statuses[status] / total - share) < 0.02, statuses
    assert 0 < statuses[Status.RETURNED] <= 0.06 * total
    assert statuses[Status.DECIDED] == 0
    by_code = {e.organization.code: e for e in evaluations}
    assert by_code["DB01-CB01"].status == Status.NOT_STARTED  # the demo secretary does step 1
    db01 = [e for code, e in by_code.items() if code.startswith("DB01-")]
    assert sum(e.status == Status.SELF_ASSESSED for e in db01) >= 2  # step 2 for capuycoso
    started = {e.organization_id for e in evaluations if e.status != Status.NOT_STARTED}
    for evaluation in evaluations:
        answers = CriterionAnswer.objects.filter(evaluation=evaluation).count()
        if evaluation.status == Status.NOT_STARTED:
            assert not evaluation.self_grade and answers == 0
            continue
        assert evaluation.self_grade and evaluation.suggested_grade
        if evaluation.criteria_snapshot.get("criteria"):
            assert answers > 0
        if evaluation.status == Status.APPRAISED:
            assert evaluation.appraisal_grade
        if evaluation.status == Status.RETURNED:
            assert evaluation.return_reason
    rows = list(period.member_evaluations.all())
    assert rows and all(not row.final_grade for row in rows)
    assert {row.organization_id for row in rows} <= started
    assert sum(1 for row in rows if row.self_grade) > len(rows) / 2
    assert any(row.proposed_grade for row in rows)


@pytest.mark.django_db
def test_model_cells_are_eligible_and_the_target_is_met(seeded_demo):
    registrations = list(ModelRegistration.objects.filter(programme=KIEU_MAU).select_related("organization"))
    assert len(registrations) == 29
    assert Counter(r.status for r in registrations) == {
        Registration.RECOGNISED: 13,
        Registration.FAILED: 10,
        Registration.BUILDING: 6,
    }
    for registration in registrations:
        assert registration.organization.is_cell
        assert (registration.phase_start, registration.phase_end) == (2022, 2025)
        assert registration.reference_years == [2020, 2021]
        assert registration.approved_on.year == 2022
        ratings = {int(year): grade for year, grade in registration.eligibility_snapshot.items()}
        ok, reasons = rules.model_cell_eligibility(ratings, registration.reference_years)
        assert ok, (registration.organization.code, reasons)
        # The snapshot is what the past ratings say (programmes.registration_eligibility reads them back).
        eligibility = programmes.registration_eligibility(
            organization=registration.organization, phase_start=2022, reference_years=[2020, 2021]
        )
        assert eligibility.ok and eligibility.snapshot == registration.eligibility_snapshot
        checks = list(registration.year_checks.order_by("year"))
        if registration.status == Registration.RECOGNISED:
            assert registration.recognised_on.year == 2025 and registration.recognised_on.month == 12
            assert registration.decision_no
            assert [c.year for c in checks] == [2022, 2023, 2024, 2025] and all(c.passed for c in checks)
        elif registration.status == Registration.FAILED:
            assert checks and not checks[-1].passed and registration.notes
        else:
            assert programmes.recognition_blockers(registration)
    recognised = [r.organization for r in registrations if r.status == Registration.RECOGNISED]
    assert len({quota.grassroots_of(cell).pk for cell in recognised}) == len(recognised)

    staff = EvaluationPeriod.objects.get(root=seeded_demo.root, year=DECIDED_YEAR).opened_by
    coverage = programmes.coverage(user=staff, root=seeded_demo.root, programme=KIEU_MAU, year=2025)
    assert coverage["recognised"] == 13 and coverage["recognised_pct"] >= 4 and coverage["target_met"]
    assert coverage["missing"]  # B22 is a KPI: some đảng bộ cơ sở show the flag

    four_good = ModelRegistration.objects.filter(programme=BON_TOT)
    assert four_good.count() == 5
    for registration in four_good:
        assert (registration.phase_start, registration.phase_end) == (2023, 2026)
        assert registration.status in programmes.IN_PROGRESS_STATUSES
        ratings = {int(year): grade for year, grade in registration.eligibility_snapshot.items()}
        assert rules.model_cell_eligibility(ratings, [2021, 2022])[0]


@pytest.mark.django_db
def test_a_second_run_changes_nothing(seeded_demo):
    before = rows_snapshot()
    summary = build_evaluations(root=seeded_demo.root, seed=2025)
    assert summary.built == [] and len(summary.skipped) == 5
    assert rows_snapshot() == before
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert rows_snapshot() == before


@pytest.mark.django_db
def test_the_plan_is_deterministic(seeded_demo):
    """Planned again from the same seed and data, the past ratings are the ones written."""
    context = EvaluationContext(root=seeded_demo.root, seed=2025, today=datetime.date.today())
    plan = plan_programmes(context)
    rows = plan_past_ratings(context, plan.forced)
    planned = Counter((r.organization_id, r.member_id, r.year, r.grade) for r in rows)
    stored = Counter(HistoricalRating.objects.values_list("organization_id", "member_id", "year", "grade"))
    assert planned == stored
    assert sorted(p.cell.code for p in plan.picks) == sorted(
        ModelRegistration.objects.values_list("organization__code", flat=True)
    )
