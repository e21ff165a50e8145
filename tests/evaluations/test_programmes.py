"""Model-cell programmes (B21–B24): eligibility, registration, approval, yearly checks, recognition, coverage."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cells import services as cell_services
from cells.models import AuditEntry, Organization
from criteria.models import CriteriaSet, Criterion, RuleParameterSet
from criteria.selectors import parameters_on
from evaluations.models import EvaluationPeriod, Grade, HistoricalRating, ModelRegistration, OrgEvaluation
from evaluations.programmes import services as programmes
from meetings.models import Meeting
from tests.helpers import meeting_row

KIEU_MAU = CriteriaSet.Programme.MODEL_CELL
BON_TOT = CriteriaSet.Programme.FOUR_GOOD
Status = ModelRegistration.Status


@pytest.fixture
def english():
    """Messages are asserted on their English msgids."""
    with translation.override("en"):
        yield


# Phase 2023–2026: the default reference years are 2021 and 2022 (two years before the phase).
PHASE = (2023, 2026)
CHECK_YEAR = 2024


def rate(organization, **grades):
    """rate(a1, y2021="HTTNV", y2022="HTXSNV") records imported past results."""
    for key, grade in grades.items():
        HistoricalRating.objects.create(organization=organization, year=int(key[1:]), grade=grade)


def register(world, cell=None, *, programme=KIEU_MAU, phase=PHASE, reference_years=None):
    cell = cell or world.tree.a1
    return programmes.registration_create(
        organization=cell,
        programme=programme,
        phase_start=phase[0],
        phase_end=phase[1],
        reference_years=reference_years,
        registered_by=world.personas.secretary,
    )


def approve(world, registration):
    return programmes.registration_approve(
        registration=registration,
        approved_on=datetime.date(2023, 3, 1),
        approved_by_body="Ban Thường vụ Đảng ủy Khối",
        approved_by=world.personas.staff,
    )


def approved(world, cell=None, **kwargs):
    cell = cell or world.tree.a1
    rate(cell, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    return approve(world, register(world, cell, **kwargs))


def recognise(world, registration):
    return programmes.registration_recognise(
        registration=registration,
        recognised_on=datetime.date(2025, 1, 15),
        decision_no="123-QĐ/ĐUK",
        recognised_by=world.personas.staff,
    )


def regular_meetings(cell, count: int, year: int = CHECK_YEAR) -> None:
    Meeting.objects.bulk_create(meeting_row(cell, year, month) for month in range(1, count + 1))


def reviewed(cell, year: int = CHECK_YEAR, grade: str = Grade.GOOD) -> None:
    """The year's review is on record (an imported result): its discipline figure is known (D5)."""
    rate(cell, **{f"y{year}": grade})


@pytest.fixture
def criteria_set(db):
    """A small KIEU_MAU checklist: two figures from the data and one criterion checked by hand.

    Sets loaded by data migrations are removed first so that this one is the set that applies.
    """
    CriteriaSet.objects.filter(programme__in=programmes.PROGRAMMES).delete()
    criteria_set = CriteriaSet.objects.create(
        name="Chi bộ kiểu mẫu (test)",
        programme=KIEU_MAU,
        year_from=2022,
        year_to=2026,
        scoring_mode=CriteriaSet.ScoringMode.CHECKLIST,
    )
    group = criteria_set.groups.create(code="I", title="Tiêu chí chung")
    figures = [
        ("Sinh hoạt đủ 12 kỳ/năm", Criterion.Metric.MEETINGS_HELD, Criterion.Comparator.AT_LEAST, 12),
        ("Không có đảng viên bị kỷ luật", Criterion.Metric.MEMBERS_DISCIPLINED, Criterion.Comparator.AT_MOST, 0),
    ]
    for order, (text, metric, comparator, threshold) in enumerate(figures, start=1):
        criteria_set.criteria.create(
            group=group,
            code=str(order),
            text=text,
            kind=Criterion.Kind.METRIC,
            metric=metric,
            comparator=comparator,
            threshold=Decimal(threshold),
            order=order,
        )
    criteria_set.criteria.create(
        group=group, code="3", text="Cơ quan đạt chuẩn văn hóa", kind=Criterion.Kind.CHECK, order=3
    )
    return criteria_set


#
# Past grades and eligibility (B21)
#


@pytest.mark.django_db
def test_past_grade_prefers_the_decided_result_over_the_imported_one(world):
    a1 = world.tree.a1
    rate(a1, y2022=Grade.GOOD, y2021=Grade.FULFILLED)
    period = EvaluationPeriod.objects.create(
        year=2022,
        root=world.tree.root,
        parameter_set=RuleParameterSet.objects.first(),
        self_assessment_due=datetime.date(2022, 12, 1),
        appraisal_due=datetime.date(2022, 12, 10),
        decision_due=datetime.date(2022, 12, 20),
    )
    OrgEvaluation.objects.create(
        period=period, organization=a1, status=OrgEvaluation.Status.DECIDED, final_grade=Grade.EXCELLENT
    )

    assert programmes.past_grade(organization=a1, year=2022) == Grade.EXCELLENT
    assert programmes.past_grade(organization=a1, year=2021) == Grade.FULFILLED
    assert programmes.past_grade(organization=a1, year=2020) is None


@pytest.mark.django_db
def test_past_grades_read_every_year_in_one_query(world, django_assert_num_queries):
    rate(world.tree.a1, y2020=Grade.GOOD, y2021=Grade.EXCELLENT, y2022=Grade.GOOD)

    with django_assert_num_queries(1):
        grades = programmes.past_grades(organization=world.tree.a1, years=[2020, 2021, 2022, 2023])

    assert grades == {2020: Grade.GOOD, 2021: Grade.EXCELLENT, 2022: Grade.GOOD, 2023: None}


@pytest.mark.django_db
def test_cell_rated_good_then_excellent_is_eligible(world):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)

    result = programmes.registration_eligibility(organization=world.tree.a1, phase_start=2023)

    assert result.ok
    assert result.reasons == []
    assert result.reference_years == [2021, 2022]


@pytest.mark.django_db
def test_cell_rated_good_twice_is_refused_for_no_excellent_year(world, english):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.GOOD)

    with pytest.raises(ValidationError) as error:
        register(world)

    assert any("Not rated" in message and "any reference year" in message for message in error.value.messages)
    assert not ModelRegistration.objects.exists()


@pytest.mark.django_db
def test_cell_rated_fulfilled_in_one_year_is_refused(world, english):
    rate(world.tree.a1, y2021=Grade.FULFILLED, y2022=Grade.EXCELLENT)

    result = programmes.registration_eligibility(organization=world.tree.a1, phase_start=2023)

    assert not result.ok
    assert any("2021" in reason for reason in result.reasons)


@pytest.mark.django_db
def test_cell_without_a_rating_for_a_reference_year_is_refused(world, english):
    rate(world.tree.a1, y2022=Grade.EXCELLENT)

    with pytest.raises(ValidationError) as error:
        register(world)

    assert any("No rating recorded for 2021" in message for message in error.value.messages)


@pytest.mark.django_db
def test_reference_years_can_be_given_explicitly(world):
    rate(world.tree.a1, y2019=Grade.EXCELLENT, y2020=Grade.GOOD, y2021=Grade.FULFILLED, y2022=Grade.FULFILLED)

    registration = register(world, reference_years=[2019, 2020])

    assert registration.reference_years == [2019, 2020]
    assert registration.eligibility_snapshot == {"2019": "HTXSNV", "2020": "HTTNV"}


@pytest.mark.django_db
def test_number_of_reference_years_comes_from_the_parameters(world):
    parameter_set = parameters_on(datetime.date(PHASE[0], 1, 1)).parameter_set
    parameter_set.values = {**parameter_set.values, "model_cell_reference_years": 3}
    parameter_set.save(update_fields=["values"])
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)

    result = programmes.registration_eligibility(organization=world.tree.a1, phase_start=PHASE[0])

    assert result.reference_years == [2020, 2021, 2022]
    assert not result.ok  # 2020 has no rating


#
# Registration
#


@pytest.mark.django_db
def test_registration_stores_the_grades_it_was_judged_on_and_is_logged(world):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)

    registration = register(world)

    assert registration.status == Status.REGISTERED
    assert registration.eligibility_snapshot == {"2021": "HTTNV", "2022": "HTXSNV"}
    assert AuditEntry.objects.filter(action="evaluations.registration.created", target_id=registration.pk).exists()


@pytest.mark.django_db
def test_registration_is_refused_for_a_grassroots_committee(world, english):
    rate(world.tree.a, y2021=Grade.EXCELLENT, y2022=Grade.EXCELLENT)

    with pytest.raises(ValidationError, match="Only a party cell"):
        register(world, world.tree.a)


@pytest.mark.django_db
def test_registration_is_refused_twice_for_the_same_programme_and_phase(world, english):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    register(world)

    with pytest.raises(ValidationError, match="already registered"):
        register(world)

    assert ModelRegistration.objects.count() == 1


@pytest.mark.django_db
def test_the_same_cell_may_register_in_both_programmes(world):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    register(world)

    register(world, programme=BON_TOT)

    assert ModelRegistration.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("phase", [(2025, 2023), (2020, 2030)])
def test_registration_is_refused_for_a_backwards_or_too_long_phase(world, phase):
    rate(world.tree.a1, y2018=Grade.EXCELLENT, y2019=Grade.EXCELLENT, y2023=Grade.EXCELLENT, y2024=Grade.EXCELLENT)

    with pytest.raises(ValidationError):
        register(world, phase=phase)


#
# Approval
#


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "body", "status_code", "status", "approved_on"),
    [
        pytest.param(
            "staff", "Ban Thường vụ Đảng ủy Khối", 302, Status.APPROVED, datetime.date(2023, 3, 1), id="staff-approve"
        ),
        pytest.param("grassroots", "Đảng ủy A", 403, Status.REGISTERED, None, id="grassroots-cannot-approve"),
    ],
)
def test_only_staff_approve_a_registration_through_the_page(
    world, client_for, persona, body, status_code, status, approved_on
):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    registration = register(world)

    response = client_for(persona).post(
        reverse("programmes:approve", args=[registration.pk]), {"approved_on": "2023-03-01", "approved_by_body": body}
    )

    assert response.status_code == status_code
    registration.refresh_from_db()
    assert registration.status == status
    assert registration.approved_on == approved_on


#
# Yearly checks
#


@pytest.mark.django_db
@pytest.mark.parametrize(
    "meetings",
    [
        pytest.param(12, id="12-finalised-regular-meetings-and-the-checks-met-passes"),
        pytest.param(11, id="11-meetings-does-not-meet-the-meetings-criterion"),
    ],
)
def test_year_check_with_12_meetings_passes_and_with_11_does_not(world, criteria_set, meetings):
    registration = approved(world)
    regular_meetings(world.tree.a1, meetings)
    reviewed(world.tree.a1)

    check = programmes.year_check(
        registration=registration, year=CHECK_YEAR, answers={"3": {"met": True}}, checked_by=world.personas.grassroots
    )

    passed = meetings == 12
    assert check.passed is passed
    assert check.results["1"]["met"] is passed and check.results["1"]["value"] == str(meetings)
    assert check.results["2"]["met"] is True and check.results["3"]["met"] is True
    assert check.criteria_snapshot["id"] == criteria_set.pk
    registration.refresh_from_db()
    assert registration.status == Status.BUILDING


@pytest.mark.django_db
def test_year_check_fails_when_a_check_criterion_is_not_ticked(world, criteria_set):
    registration = approved(world)
    regular_meetings(world.tree.a1, 12)
    reviewed(world.tree.a1)

    check = programmes.year_check(
        registration=registration, year=CHECK_YEAR, answers={}, checked_by=world.personas.grassroots
    )

    assert not check.passed
    assert programmes.unmet_codes(check.results) == ["3"]


@pytest.mark.django_db
def test_year_check_again_replaces_the_results(world, criteria_set):
    registration = approved(world)
    regular_meetings(world.tree.a1, 12)
    reviewed(world.tree.a1)
    programmes.year_check(registration=registration, year=CHECK_YEAR, answers={}, checked_by=world.personas.staff)

    check = programmes.year_check(
        registration=registration, year=CHECK_YEAR, answers={"3": {"met": True}}, checked_by=world.personas.staff
    )

    assert check.passed
    assert registration.year_checks.count() == 1


@pytest.mark.django_db
def test_year_check_is_refused_before_approval_and_outside_the_phase(world, criteria_set):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    registration = register(world)
    with pytest.raises(ValidationError):
        programmes.year_check(registration=registration, year=CHECK_YEAR, answers={}, checked_by=world.personas.staff)

    registration = approve(world, registration)
    with pytest.raises(ValidationError):
        programmes.year_check(registration=registration, year=2022, answers={}, checked_by=world.personas.staff)


@pytest.mark.django_db
def test_year_check_refuses_answers_for_unknown_criteria(world, criteria_set):
    registration = approved(world)

    with pytest.raises(ValidationError):
        programmes.year_check(
            registration=registration, year=CHECK_YEAR, answers={"99": {"met": True}}, checked_by=world.personas.staff
        )


@pytest.mark.django_db
def test_year_check_page_links_each_figure_to_the_meetings_behind_it(world, criteria_set, client_for):
    registration = approved(world)
    regular_meetings(world.tree.a1, 12)
    reviewed(world.tree.a1)

    response = client_for("grassroots").get(reverse("programmes:check", args=[registration.pk, CHECK_YEAR]))

    assert response.status_code == 200
    meetings_url = f"{reverse('meetings:list')}?org={world.tree.a1.pk}&amp;year={CHECK_YEAR}&amp;kind=regular"
    assert meetings_url in response.content.decode()


@pytest.mark.django_db
def test_year_check_through_the_page_records_the_ticked_criteria(world, criteria_set, client_for):
    registration = approved(world)
    regular_meetings(world.tree.a1, 12)
    reviewed(world.tree.a1)

    response = client_for("grassroots").post(
        reverse("programmes:check", args=[registration.pk, CHECK_YEAR]), {"met-3": "on", "evidence-3": "QĐ 12/2024"}
    )

    assert response.status_code == 302
    check = registration.year_checks.get(year=CHECK_YEAR)
    assert check.passed
    assert check.results["3"]["evidence"] == "QĐ 12/2024"


#
# Recognition and closing
#


@pytest.mark.django_db
def test_recognition_is_refused_when_a_yearly_check_failed(world, criteria_set):
    registration = approved(world)
    regular_meetings(world.tree.a1, 12, year=2023)
    reviewed(world.tree.a1, 2023)
    regular_meetings(world.tree.a1, 11, year=2024)
    reviewed(world.tree.a1, 2024)
    programmes.year_check(registration=registration, year=2023, answers={"3": {"met": True}}, checked_by=None)
    programmes.year_check(registration=registration, year=2024, answers={"3": {"met": True}}, checked_by=None)

    with pytest.raises(ValidationError) as error:
        recognise(world, registration)

    assert any("2024" in message for message in error.value.messages)
    registration.refresh_from_db()
    assert registration.status == Status.BUILDING


@pytest.mark.django_db
def test_recognition_is_refused_without_any_yearly_check(world, english):
    registration = approved(world)

    with pytest.raises(ValidationError, match="No yearly check"):
        recognise(world, registration)


@pytest.mark.django_db
def test_recognition_after_passed_checks_locks_the_checks(world, criteria_set):
    registration = approved(world)
    regular_meetings(world.tree.a1, 12, year=2023)
    reviewed(world.tree.a1, 2023)
    regular_meetings(world.tree.a1, 12, year=2024)
    reviewed(world.tree.a1, 2024)
    for year in (2023, 2024):
        programmes.year_check(registration=registration, year=year, answers={"3": {"met": True}}, checked_by=None)

    registration = recognise(world, registration)

    assert registration.status == Status.RECOGNISED
    with pytest.raises(ValidationError):
        programmes.year_check(registration=registration, year=2024, answers={}, checked_by=None)
    assert registration.year_checks.get(year=2024).passed


@pytest.mark.django_db
def test_fail_needs_a_reason_and_keeps_it(world):
    registration = approved(world)
    with pytest.raises(ValidationError):
        programmes.registration_fail(registration=registration, reason=" ", failed_by=world.personas.staff)

    registration = programmes.registration_fail(
        registration=registration, reason="Không duy trì sinh hoạt", failed_by=world.personas.staff
    )

    assert registration.status == Status.FAILED
    assert "Không duy trì sinh hoạt" in registration.notes


@pytest.mark.django_db
def test_secretary_withdraws_the_cells_registration(world, client_for):
    registration = approved(world)

    url = reverse("programmes:withdraw", args=[registration.pk])
    client = client_for("secretary")

    # Without "I confirm" ticked nothing happens (#15 item 8).
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status != Status.WITHDRAWN

    response = client.post(url, {"withdraw-confirmed": "on"})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.WITHDRAWN


#
# Coverage (B22)
#


def _set_status(registration, status, **fields):
    ModelRegistration.objects.filter(pk=registration.pk).update(status=status, **fields)


@pytest.mark.django_db
def test_coverage_counts_per_grassroots_organisation_and_flags_those_without_a_registration(world):
    tree = world.tree
    a1 = approved(world, tree.a1)
    _set_status(a1, Status.RECOGNISED, recognised_on=datetime.date(2025, 1, 15))
    a2 = approved(world, tree.a2)
    _set_status(a2, Status.WITHDRAWN)  # withdrawn: not counted
    rate(tree.c, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    register(world, tree.c)  # proposed, not yet approved
    rate(tree.b1, y2021=Grade.EXCELLENT, y2022=Grade.EXCELLENT)
    register(world, tree.b1, programme=BON_TOT)  # another programme: not counted for KIEU_MAU

    result = programmes.coverage(user=world.personas.staff, root=tree.root, programme=KIEU_MAU, year=2025)

    rows = {row.organization.code: row for row in result["rows"]}
    assert set(rows) == {"A", "B", "C"}
    assert (rows["A"].cell_count, len(rows["A"].registered), len(rows["A"].recognised)) == (2, 1, 1)
    assert (rows["B"].cell_count, len(rows["B"].registered)) == (2, 0)
    assert (rows["C"].cell_count, len(rows["C"].registered), len(rows["C"].approved)) == (1, 1, 0)
    # B22: every đảng bộ cơ sở has a registered cell; B has none. C is a chi bộ cơ sở, not flagged.
    assert [row.organization.code for row in result["missing"]] == ["B"]
    # 1 recognised of 5 cells = 20.0%, against 4%: at least ceil(5 × 4%) = 1 cell.
    assert result["cells"] == 5
    assert result["registered"] == 2
    assert result["recognised"] == 1
    assert result["recognised_pct"] == Decimal("20.0")
    assert result["target_pct"] == 4
    assert result["target_cells"] == 1
    assert result["target_met"]
    # A recognition dated 2025 does not count for 2024.
    earlier = programmes.coverage(user=world.personas.staff, root=tree.root, programme=KIEU_MAU, year=2024)
    assert earlier["recognised"] == 0 and earlier["recognised_pct"] == Decimal("0.0")
    assert not earlier["target_met"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "root", "year"), [("staff", "root", 2025), ("staff", "root", 2024), ("grassroots", "a", 2025)]
)
def test_coverage_totals_agree_with_the_full_coverage(world, persona, root, year):
    tree = world.tree
    _set_status(approved(world, tree.a1), Status.RECOGNISED, recognised_on=datetime.date(2025, 1, 15))
    _set_status(approved(world, tree.a2), Status.WITHDRAWN)
    rate(tree.c, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    register(world, tree.c)
    rate(tree.b1, y2021=Grade.EXCELLENT, y2022=Grade.EXCELLENT)
    register(world, tree.b1, programme=BON_TOT)
    user, node = getattr(world.personas, persona), getattr(tree, root)

    full = programmes.coverage(user=user, root=node, programme=KIEU_MAU, year=year)
    totals = programmes.coverage_totals(user=user, root=node, programme=KIEU_MAU, year=year)

    keys = ["committees", "cells", "registered", "approved", "recognised", "recognised_pct", "target_cells"]
    assert {key: totals[key] for key in keys} == {key: full[key] for key in keys}
    assert totals["missing_count"] == len(full["missing"])
    assert (totals["target_met"], totals["progress_pct"]) == (full["target_met"], full["progress_pct"])


@pytest.mark.django_db
def test_coverage_below_target_with_many_cells(world):
    tree = world.tree
    for i in range(25):  # 5 + 25 = 30 cells
        cell_services.organization_create(
            parent=tree.b,
            name=f"Chi bộ Y{i}",
            code=f"Y{i}",
            kind=Organization.Kind.CELL,
            created_by=world.personas.admin,
        )
    registration = approved(world, tree.a1)
    _set_status(registration, Status.RECOGNISED, recognised_on=datetime.date(2025, 1, 15))

    result = programmes.coverage(user=world.personas.staff, root=tree.root, programme=KIEU_MAU, year=2025)

    # 1 / 30 = 3.3% < 4%; the target is ceil(30 × 4%) = 2 cells, so the bar is at 50%.
    assert result["recognised_pct"] == Decimal("3.3")
    assert result["target_cells"] == 2
    assert not result["target_met"]
    assert result["progress_pct"] == 50


@pytest.mark.django_db
def test_coverage_is_limited_to_the_users_subtree(world):
    result = programmes.coverage(user=world.personas.grassroots, root=world.tree.a, programme=KIEU_MAU, year=2025)

    assert [row.organization.code for row in result["rows"]] == ["A"]
    assert result["cells"] == 2


@pytest.mark.django_db
def test_coverage_runs_the_same_queries_whatever_the_tree_size(world, django_assert_num_queries):
    staff = world.personas.staff
    programmes.coverage(user=staff, root=world.tree.root, programme=KIEU_MAU, year=2025)  # loads the access
    with django_assert_num_queries(3):
        programmes.coverage(user=staff, root=world.tree.root, programme=KIEU_MAU, year=2025)
    for i in range(10):
        cell_services.organization_create(
            parent=world.tree.b, name=f"Chi bộ Z{i}", code=f"Z{i}", kind=Organization.Kind.CELL, created_by=staff
        )
    with django_assert_num_queries(3):
        programmes.coverage(user=staff, root=world.tree.root, programme=KIEU_MAU, year=2025)


#
# Pages and scope
#


@pytest.mark.django_db
def test_index_shows_coverage_against_the_target(world, client_for):
    response = client_for("staff").get(reverse("programmes:index"), {"programme": KIEU_MAU, "year": 2025})

    assert response.status_code == 200
    assert response.context["coverage"]["cells"] == 5
    assert [row.organization.code for row in response.context["coverage"]["missing"]] == ["A", "B"]


@pytest.mark.django_db
def test_secretary_sees_eligibility_then_registers_the_cell(world, client_for):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.EXCELLENT)
    client = client_for("secretary")
    url = reverse("programmes:register", args=[world.tree.a1.pk])
    data = {"programme": KIEU_MAU, "phase_start": 2023, "phase_end": 2026, "reference_years": ""}

    preview = client.post(url, {**data, "action": "check"})
    assert preview.status_code == 200
    assert preview.context["eligibility"].ok
    assert not ModelRegistration.objects.exists()

    response = client.post(url, {**data, "action": "register"})
    registration = ModelRegistration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:detail", args=[registration.pk])


@pytest.mark.django_db
def test_register_page_shows_why_an_ineligible_cell_is_refused(world, client_for):
    rate(world.tree.a1, y2021=Grade.GOOD, y2022=Grade.GOOD)

    response = client_for("secretary").post(
        reverse("programmes:register", args=[world.tree.a1.pk]),
        {"programme": KIEU_MAU, "phase_start": 2023, "phase_end": 2026, "action": "register"},
    )

    assert response.status_code == 200
    assert not response.context["eligibility"].ok
    assert response.context["form"].non_field_errors()
    assert not ModelRegistration.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["programmes:detail", "programmes:withdraw", "programmes:approve"])
def test_outsider_gets_404_on_another_subtrees_registration(world, client_for, url_name):
    registration = approved(world)
    client = client_for("outsider")

    response = (
        client.get(reverse(url_name, args=[registration.pk]))
        if url_name.endswith("detail")
        else client.post(reverse(url_name, args=[registration.pk]))
    )

    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == Status.APPROVED


@pytest.mark.django_db
def test_outsider_gets_404_on_the_yearly_check_of_another_subtree(world, client_for):
    registration = approved(world)

    response = client_for("outsider").get(reverse("programmes:check", args=[registration.pk, CHECK_YEAR]))

    assert response.status_code == 404
