"""Model programmes tied to the rules (issue #13): D4 eligibility per programme, B21 for kiểu mẫu, the criteria
that read the year's decided grade, the year's review and the admission target (B23, B24, D5), and the shipped
criteria sets without the invented 95 % attendance requirement.

Each case is built by hand and checked against the rule's text in domain.md §8 / §8.1.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from criteria.models import CriteriaSet, Criterion, RuleParameterSet
from evaluations.models import AdmissionTarget, Grade, HistoricalRating, ModelRegistration, OrgEvaluation
from evaluations.programmes import services as programmes
from members.models import Member
from tests.helpers import open_period

KIEU_MAU = CriteriaSet.Programme.MODEL_CELL
BON_TOT = CriteriaSet.Programme.FOUR_GOOD
YEAR = 2024


def register(world, programme, *, phase=(2023, 2026)):
    return programmes.registration_create(
        organization=world.tree.a1,
        programme=programme,
        phase_start=phase[0],
        phase_end=phase[1],
        registered_by=world.personas.secretary,
    )


def approved(world, programme=KIEU_MAU):
    HistoricalRating.objects.create(organization=world.tree.a1, year=2021, grade=Grade.GOOD)
    HistoricalRating.objects.create(organization=world.tree.a1, year=2022, grade=Grade.EXCELLENT)
    registration = register(world, programme)
    return programmes.registration_approve(
        registration=registration,
        approved_on=datetime.date(2023, 3, 1),
        approved_by_body="Ban Thường vụ Đảng ủy Khối",
        approved_by=world.personas.staff,
    )


def one_criterion_set(programme, metric, comparator, threshold, *, hard=True):
    """The smallest checklist of `programme`: one criterion computed from `metric`."""
    CriteriaSet.objects.filter(programme__in=programmes.PROGRAMMES).delete()
    criteria_set = CriteriaSet.objects.create(
        name=f"{programme} (test)",
        programme=programme,
        year_from=2022,
        scoring_mode=CriteriaSet.ScoringMode.CHECKLIST,
    )
    criteria_set.criteria.create(
        code="1",
        text="Tiêu chí tính từ dữ liệu",
        kind=Criterion.Kind.METRIC,
        metric=metric,
        comparator=comparator,
        threshold=Decimal(threshold),
        hard_condition=hard,
    )
    return criteria_set


def decide(world, grade: str, year: int = YEAR) -> None:
    """The year's review is opened at the root and the cell's grade decided (`grade` "" = not classified)."""
    open_period(world, year=year)
    OrgEvaluation.objects.filter(organization=world.tree.a1, period__year=year).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=grade
    )


def check(world, registration, year: int = YEAR):
    return programmes.year_check(registration=registration, year=year, answers={}, checked_by=world.personas.staff)


#
# D4: eligibility is a setting of each programme; B21 stays for kiểu mẫu
#


@pytest.mark.django_db
def test_D4_bon_tot_not_bound_by_B21(world):
    # D4: "Bốn tốt: none by default". A1 has no past rating at all, and is rated HTNV in one reference year.
    HistoricalRating.objects.create(organization=world.tree.a1, year=2022, grade=Grade.FULFILLED)

    eligibility = programmes.registration_eligibility(organization=world.tree.a1, phase_start=2023, programme=BON_TOT)
    registration = register(world, BON_TOT)

    assert eligibility.ok and eligibility.rule == programmes.ELIGIBILITY_NONE and not eligibility.reasons
    assert registration.status == ModelRegistration.Status.REGISTERED


@pytest.mark.django_db
def test_B21_kieu_mau_still_bound(world):
    # B21: both reference years (2021, 2022 before a 2023 phase) HTTNV or better, one of them HTXSNV.
    HistoricalRating.objects.create(organization=world.tree.a1, year=2021, grade=Grade.GOOD)
    HistoricalRating.objects.create(organization=world.tree.a1, year=2022, grade=Grade.GOOD)

    eligibility = programmes.registration_eligibility(organization=world.tree.a1, phase_start=2023, programme=KIEU_MAU)
    with pytest.raises(ValidationError):
        register(world, KIEU_MAU)

    assert not eligibility.ok and eligibility.rule == programmes.ELIGIBILITY_B21
    assert not ModelRegistration.objects.filter(programme=KIEU_MAU).exists()


@pytest.mark.django_db
def test_D4_eligibility_follows_the_parameter_set_in_force(world):
    # The committee may bind bốn tốt to B21 too: the rule is read from the parameters in force when the phase starts.
    RuleParameterSet.objects.create(
        name="Bộ tham số 2023",
        valid_from=datetime.date(2023, 1, 1),
        values={"programme_eligibility": {"KIEU_MAU": "B21", "BON_TOT": "B21"}},
    )

    with pytest.raises(ValidationError):
        register(world, BON_TOT)

    assert programmes.eligibility_rule(programme=BON_TOT, phase_start=2023) == programmes.ELIGIBILITY_B21
    assert programmes.eligibility_rule(programme=BON_TOT, phase_start=2022) == programmes.ELIGIBILITY_NONE


@pytest.mark.django_db
def test_D4_register_page_says_which_rule_applies(world, client_for):
    url = reverse("programmes:register", args=[world.tree.a1.pk])

    bon_tot = client_for("secretary").get(f"{url}?programme={BON_TOT}").content.decode()
    kieu_mau = client_for("secretary").get(f"{url}?programme={KIEU_MAU}").content.decode()

    # A1 has no past rating: eligible for bốn tốt (no condition), not for kiểu mẫu (B21).
    assert reverse("rules:detail", args=["D4"]) in bon_tot and reverse("rules:detail", args=["D4"]) in kieu_mau
    assert 'border-success" id="eligibility"' in bon_tot and "không đặt điều kiện" in bon_tot
    assert reverse("rules:detail", args=["B21"]) not in bon_tot
    assert 'border-danger" id="eligibility"' in kieu_mau and reverse("rules:detail", args=["B21"]) in kieu_mau


#
# D5 / B23: "rated HTTNV or better" reads the decided grade; not known until it is decided
#


@pytest.mark.django_db
def test_D5_rating_criterion_not_yet_known_before_decision(world):
    # D5: criteria that depend on the year's ratings are "not yet known" until those ratings exist, never "met".
    one_criterion_set(KIEU_MAU, Criterion.Metric.ORG_GRADE, Criterion.Comparator.AT_LEAST, 3)
    registration = approved(world)
    open_period(world, year=YEAR)  # the review is open, the cell's grade not decided

    result = check(world, registration)

    assert result.results["1"]["met"] is None and result.results["1"]["value"] is None
    assert not result.passed
    assert programmes.unknown_codes(result.results) == ["1"] and programmes.unmet_codes(result.results) == []
    with translation.override("en"):
        blockers = programmes.recognition_blockers(registration)
    assert any("not known yet" in reason for reason in blockers)


@pytest.mark.django_db
def test_D5_not_known_shows_no_result_yet_on_the_check_page(world, client_for):
    one_criterion_set(KIEU_MAU, Criterion.Metric.ORG_GRADE, Criterion.Comparator.AT_LEAST, 3)
    registration = approved(world)

    with translation.override("vi"):
        page = client_for("grassroots").get(reverse("programmes:check", args=[registration.pk, YEAR]))

    assert page.status_code == 200
    assert "Chưa có kết quả" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("grade", "met"),
    [
        pytest.param(Grade.EXCELLENT, True, id="HTXSNV-meets"),
        pytest.param(Grade.GOOD, True, id="HTTNV-meets"),
        pytest.param(Grade.FULFILLED, False, id="HTNV-does-not"),
        pytest.param("", False, id="decided-not-classified-does-not"),
    ],
)
def test_B23_rating_criterion_reads_decided_grade(world, grade, met):
    # B23: "yearly rating ≥ HTTNV", from the decided result of the organisation's yearly evaluation.
    one_criterion_set(KIEU_MAU, Criterion.Metric.ORG_GRADE, Criterion.Comparator.AT_LEAST, 3)
    registration = approved(world)
    decide(world, grade)

    result = check(world, registration)

    assert result.results["1"]["met"] is met
    assert result.passed is met


@pytest.mark.django_db
def test_B23_decided_grade_wins_over_an_imported_result(world):
    one_criterion_set(KIEU_MAU, Criterion.Metric.ORG_GRADE, Criterion.Comparator.AT_LEAST, 3)
    registration = approved(world)
    HistoricalRating.objects.create(organization=world.tree.a1, year=YEAR, grade=Grade.GOOD)
    decide(world, Grade.FULFILLED)

    assert check(world, registration).results["1"]["met"] is False


#
# D5 / B24: "no member disciplined" is not known before the year's review exists
#


@pytest.mark.django_db
def test_D5_discipline_criterion_not_yet_known_before_the_review(world):
    one_criterion_set(BON_TOT, Criterion.Metric.MEMBERS_DISCIPLINED, Criterion.Comparator.AT_MOST, 0)
    registration = approved(world, BON_TOT)

    before = check(world, registration)
    open_period(world, year=YEAR)
    after = check(world, registration)

    assert before.results["1"]["met"] is None and not before.passed
    assert after.results["1"]["met"] is True and after.passed  # nobody disciplined in A1


@pytest.mark.django_db
def test_D5_points_set_with_a_hard_criterion_not_known_does_not_pass(world):
    criteria_set = one_criterion_set(KIEU_MAU, Criterion.Metric.ORG_GRADE, Criterion.Comparator.AT_LEAST, 3)
    CriteriaSet.objects.filter(pk=criteria_set.pk).update(scoring_mode=CriteriaSet.ScoringMode.POINTS, pass_points=0)
    registration = approved(world)

    assert not check(world, registration).passed


#
# B23: admission target met (enterprises)
#


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "met"),
    [
        pytest.param(None, None, id="no-target-not-yet-known"),
        pytest.param(2, False, id="1-admitted-of-2-not-met"),
        pytest.param(1, True, id="1-admitted-of-1-met"),
        pytest.param(0, True, id="target-0-met"),
    ],
)
def test_B23_admission_target(world, target, met):
    # B23: "admission target met": the year's admissions against the organisation's target, not "≥ 1 admission".
    one_criterion_set(KIEU_MAU, Criterion.Metric.ADMISSION_TARGET, Criterion.Comparator.AT_LEAST, 100)
    registration = approved(world)
    Member.objects.filter(pk=world.members.probationary.pk).update(admitted_on=datetime.date(YEAR, 5, 19))
    Member.objects.filter(pk=world.members.other.pk).update(admitted_on=datetime.date(YEAR - 3, 5, 19))
    if target is not None:
        programmes.admission_target_set(
            organization=world.tree.a1, year=YEAR, target=target, version="", set_by=world.personas.grassroots
        )

    result = check(world, registration)

    assert result.results["1"]["met"] is met
    assert result.passed is bool(met)


@pytest.mark.django_db
def test_B23_admission_target_is_entered_on_the_check_page(world, client_for):
    one_criterion_set(KIEU_MAU, Criterion.Metric.ADMISSION_TARGET, Criterion.Comparator.AT_LEAST, 100)
    registration = approved(world)
    url = reverse("programmes:check", args=[registration.pk, YEAR])
    client = client_for("grassroots")

    first = client.post(url, {"action": "target", "target-target": "3", "target-version": ""})
    changed = client.post(url, {"action": "target", "target-target": "2", "target-version": "1"})
    stale = client.post(url, {"action": "target", "target-target": "5", "target-version": "1"})

    assert first.status_code == 302 and changed.status_code == 302
    assert stale.status_code == 200  # shown again with the value now saved
    target = AdmissionTarget.objects.get(organization=world.tree.a1, year=YEAR)
    assert (target.target, target.version, target.set_by) == (2, 2, world.personas.grassroots)


@pytest.mark.django_db
def test_B23_admission_target_needs_the_grassroots_committee(world, client_for):
    one_criterion_set(KIEU_MAU, Criterion.Metric.ADMISSION_TARGET, Criterion.Comparator.AT_LEAST, 100)
    registration = approved(world)
    url = reverse("programmes:check", args=[registration.pk, YEAR])

    response = client_for("secretary").post(url, {"action": "target", "target-target": "0", "target-version": ""})

    assert response.status_code == 403
    assert not AdmissionTarget.objects.exists()


#
# The shipped criteria sets (criteria migrations 0006 + 0010)
#


@pytest.mark.django_db
def test_no_95_percent_attendance_criterion_in_the_shipped_sets():
    # B4: seed 004 reports 95 % attendance as a result; it is not a requirement of any programme.
    shipped = Criterion.objects.filter(criteria_set__programme__in=programmes.PROGRAMMES)

    assert shipped.exists()
    assert not shipped.filter(metric=Criterion.Metric.ATTENDANCE_RATE).exists()
    assert not shipped.filter(text__contains="95%").exists()


@pytest.mark.django_db
def test_B23_shipped_model_cell_sets_read_the_grade_and_the_admission_target():
    model_cell = Criterion.objects.filter(criteria_set__programme=KIEU_MAU)
    rated = model_cell.filter(text__contains="được xếp loại")

    assert rated.count() == 3  # one per host unit type
    assert all(c.kind == Criterion.Kind.METRIC and c.metric == Criterion.Metric.ORG_GRADE for c in rated)
    assert all(c.threshold == 3 and c.comparator == Criterion.Comparator.AT_LEAST and c.hard_condition for c in rated)
    admission = model_cell.get(metric=Criterion.Metric.ADMISSION_TARGET)
    assert admission.threshold == 100
    for criteria_set in CriteriaSet.objects.filter(programme=KIEU_MAU):  # numbered without a gap after the removal
        codes = criteria_set.criteria.filter(group__code="I").order_by("order").values_list("code", flat=True)
        assert list(codes) == ["1.1", "1.2", "1.3", "1.4", "1.5"]
