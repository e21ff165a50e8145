"""The HTXSNV quota (rule B12) under decision D3, each case built by hand on the small tree of tests/conftest.py.

B12 (domain.md §8): in each TCCSĐ, count(HTXSNV) ≤ 20 % × count(HTTNV) for members; the same check for subordinate
organisations; an override needs a justification and the deciding body.
D3 (§8.1): the quota is a property of the final tally, not of the order of decisions: saving one grade never fails
because of the order; the check blocks at the closing step (closing the member review of a TCCSĐ, locking the year
for organisations) unless an exception with the deciding body's justification is recorded; a reopen re-runs it.
Both levels: members within each TCCSĐ; organisations: the TCCSĐ under the upper committee, the cells under each
đảng bộ cơ sở. The 2025 parameter set gives 20 %, so the places are int(HTTNV × 20 / 100) + exception places.
The messages are checked in Vietnamese, as the user reads them (LANGUAGE_CODE "vi").
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cells import services as cell_services
from cells.models import AuditEntry, Organization
from criteria.models import CriteriaSet
from evaluations.models import (
    EvaluationPeriod,
    Grade,
    MemberEvaluation,
    MemberReviewLock,
    OrgEvaluation,
    QuotaException,
)
from evaluations.ratings import services as ratings
from evaluations.review import services as review
from members.models import Member
from tests import helpers

pytestmark = pytest.mark.django_db

G = Grade
YEAR = 2025


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


@pytest.fixture
def period(world):
    # No criteria set: an organisation is assessed on its own score (the grades below are the deciding body's).
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    return helpers.open_period(world, year=YEAR)


#
# Members
#


def members_of_c(world, period, count: int) -> list[MemberEvaluation]:
    """Chi bộ cơ sở C (its own quota unit) with `count` full members, and their rating rows."""
    helpers.bulk_members(
        Member(organization=world.tree.c, full_name=f"Đảng viên C {i:02d}", status=Member.Status.FULL)
        for i in range(count)
    )
    ratings.ensure_member_rows(period=period, organization=world.tree.c)
    return list(ratings.member_rows(period=period, organization=world.tree.c))


def save_grade(world, period, row: MemberEvaluation, grade: str):
    """One decided grade saved on its own, as the grassroots committee would from the table (staff decide for C)."""
    row.refresh_from_db()
    return ratings.ratings_save(
        period=period,
        organization=world.tree.c,
        rows={row.pk: {"final_grade": grade}},
        version_map={row.pk: row.version},
        saved_by=world.personas.staff,
        decide=True,
    )


def close_c(world, period):
    return ratings.member_review_lock(period=period, grassroots=world.tree.c, locked_by=world.personas.staff)


def tally_of_c(period) -> tuple[int, int, int]:
    status = ratings.quota_status(period=period, organizations=[Organization.objects.get(code="C")])[0]
    return status["excellent"], status["good"], status["allowed"]


def test_D3_order_independent(world, period):
    rows = members_of_c(world, period, 6)

    # HTXSNV first: 1 HTXSNV against 0 HTTNV is saved (the old per-save check refused it: "tối đa 0").
    assert save_grade(world, period, rows[0], G.EXCELLENT)
    assert tally_of_c(period) == (1, 0, 0)
    # Then HTTNV one by one, each accepted.
    for row in rows[1:5]:
        assert save_grade(world, period, row, G.GOOD)
    assert save_grade(world, period, rows[5], G.FULFILLED)
    # 1 HTXSNV, 4 HTTNV: 20 % × 4 = 0.8 → 0 places; the closing step decides, and refuses.
    assert tally_of_c(period) == (1, 4, 0)
    with pytest.raises(ValidationError) as error:
        close_c(world, period)
    assert "Chi bộ cơ sở C" in " ".join(error.value.messages)
    assert not MemberReviewLock.objects.exists()

    # A fifth HTTNV: 20 % × 5 = 1 place: the same grades in any order now close.
    save_grade(world, period, rows[5], G.GOOD)
    assert tally_of_c(period) == (1, 5, 1)
    close_c(world, period)
    assert MemberReviewLock.objects.filter(period=period, grassroots=world.tree.c).exists()


def test_D3_lock_refused_then_accepted_with_exception(world, period):
    rows = members_of_c(world, period, 5)
    for row, grade in zip(rows, [G.EXCELLENT, G.GOOD, G.GOOD, G.GOOD, G.GOOD], strict=True):
        save_grade(world, period, row, grade)

    # 1 HTXSNV against 4 HTTNV: 0 places. The refusal names the unit, the counts and the way out.
    with pytest.raises(ValidationError) as error:
        close_c(world, period)
    message = " ".join(error.value.messages)
    assert "Chi bộ cơ sở C: 1 đảng viên xếp loại HTXSNV, tối đa được 0 (20% của 4 đảng viên HTTNV" in message
    assert "ngoại lệ" in message  # the way out: an exception
    with pytest.raises(ValidationError):
        review.period_lock(period=period, locked_by=world.personas.staff)  # the year's lock checks members too

    exception = ratings.quota_exception_record(
        period=period,
        organization=world.tree.c,
        scope="MEMBERS",
        extra_places=1,
        justification="Chi bộ dẫn đầu phong trào thi đua của Khối năm 2025.",
        decided_by_body="Ban Thường vụ Đảng ủy Khối",
        granted_by=world.personas.staff,
    )
    close_c(world, period)

    assert exception.decided_by_body == "Ban Thường vụ Đảng ủy Khối"
    assert tally_of_c(period) == (1, 4, 1)
    closed = AuditEntry.objects.get(action="evaluations.member_ratings.closed")
    assert closed.data == {"excellent": 1, "good": 4, "allowed": 1}


def test_D3_reopen_reruns(world, period):
    # The case: 1 HTXSNV + 5 HTTNV closes; reopening and changing one HTTNV to HTNV leaves 1 against 4.
    rows = members_of_c(world, period, 6)
    for row, grade in zip(rows, [G.EXCELLENT, *[G.GOOD] * 5], strict=True):
        save_grade(world, period, row, grade)
    close_c(world, period)

    with pytest.raises(ValidationError):  # closed: no rating of C can change
        save_grade(world, period, rows[5], G.FULFILLED)
    with pytest.raises(ValidationError):  # a reopen needs a reason
        ratings.member_review_reopen(
            period=period, grassroots=world.tree.c, reason=" ", reopened_by=world.personas.staff
        )

    ratings.member_review_reopen(
        period=period, grassroots=world.tree.c, reason="Khiếu nại của đảng viên", reopened_by=world.personas.staff
    )
    assert save_grade(world, period, rows[5], G.FULFILLED)  # saved: the tally shows it over, nothing refuses
    status = ratings.quota_status(period=period, organizations=[world.tree.c])[0]
    assert (status["excellent"], status["good"], status["allowed"], status["over_by"]) == (1, 4, 0, 1)

    with pytest.raises(ValidationError) as error:
        close_c(world, period)
    assert "tối đa được 0" in " ".join(error.value.messages)
    assert AuditEntry.objects.filter(action="evaluations.member_ratings.reopened").count() == 1


#
# Organisations
#


def decided(world, period, organization: Organization, grade: str) -> OrgEvaluation:
    """Self-assessed, appraised and decided `grade` through the services (with a justification, whatever the
    suggestion)."""
    evaluation = OrgEvaluation.objects.get(period=period, organization=organization)
    evaluation = review.self_assess(
        evaluation=evaluation,
        answers={},
        data={
            "self_score": Decimal(80),
            "self_grade": grade,
            "tasks_done_pct": Decimal(100),
            "tasks_exceeded_pct": Decimal(40),
            "tasks_late_pct": Decimal(0),
        },
        version=evaluation.version,
        submit=True,
        assessed_by=world.personas.staff,
    )
    evaluation = review.appraise(
        evaluation=evaluation,
        grade=grade,
        comment="Nhất trí.",
        version=evaluation.version,
        appraised_by=world.personas.staff,
    )
    return review.decide(
        evaluation=evaluation,
        grade=grade,
        justification="Quyết định của Ban Thường vụ.",
        decision_no="15-QĐ/ĐUK",
        decision_date=datetime.date(2026, 1, 15),
        version=evaluation.version,
        decided_by=world.personas.staff,
    )


def lock(world, period):
    return review.period_lock(period=period, locked_by=world.personas.staff)


def test_B12_tccsd_level(world, period):
    tree = world.tree
    # The TCCSĐ under the upper committee: A HTXSNV, B and C HTTNV → 20 % × 2 = 0 places, 1 used.
    assert decided(world, period, tree.a, G.EXCELLENT).final_grade == G.EXCELLENT  # never refused when decided
    for organization in (tree.b, tree.c, tree.a1, tree.a2, tree.b1, tree.b2):
        decided(world, period, organization, G.GOOD)

    with pytest.raises(ValidationError) as error:
        lock(world, period)
    message = " ".join(error.value.messages)
    assert f"{tree.root.name}: 1 tổ chức cơ sở đảng xếp loại HTXSNV, tối đa được 0 (20% của 2" in message
    assert not EvaluationPeriod.objects.get(pk=period.pk).is_locked

    # An exception for the upper committee's grassroots organisations, with the deciding body's justification.
    ratings.quota_exception_record(
        period=period,
        organization=tree.root,
        scope="ORGS",
        extra_places=1,
        justification="Đảng bộ A hoàn thành xuất sắc nhiệm vụ chính trị đặc biệt.",
        decided_by_body="Ban Thường vụ Đảng ủy Khối",
        granted_by=world.personas.staff,
    )
    assert lock(world, period).is_locked


def test_B12_cells_under_grassroots(world):
    tree = world.tree
    extra = [
        cell_services.organization_create(
            parent=tree.a,
            name=f"Chi bộ A{n}",
            code=f"A{n}",
            kind=Organization.Kind.CELL,
            created_by=world.personas.admin,
        )
        for n in range(3, 7)
    ]
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    period = helpers.open_period(world, year=YEAR)
    for organization in (tree.a, tree.b, tree.c, tree.b1, tree.b2):
        decided(world, period, organization, G.GOOD)
    # Đảng bộ A's cells: A1 HTXSNV, A2–A5 HTTNV, A6 HTNV → 20 % × 4 = 0 places.
    decided(world, period, tree.a1, G.EXCELLENT)
    for cell in (tree.a2, *extra[:3]):
        decided(world, period, cell, G.GOOD)
    a6 = decided(world, period, extra[3], G.FULFILLED)

    with pytest.raises(ValidationError) as error:
        lock(world, period)
    assert "Đảng bộ A: 1 tổ chức đảng trực thuộc xếp loại HTXSNV, tối đa được 0 (20% của 4" in " ".join(
        error.value.messages
    )

    # Reopen A6 and decide it HTTNV: 5 HTTNV → 1 place; locking again re-runs the check and passes.
    a6 = review.reopen(evaluation=a6, reason="Xem xét lại", version=a6.version, reopened_by=world.personas.staff)
    review.decide(
        evaluation=a6,
        grade=G.GOOD,
        justification="Xem xét lại.",
        decision_no="16-QĐ/ĐU",
        decision_date=datetime.date(2026, 1, 15),
        version=a6.version,
        decided_by=world.personas.staff,
    )
    assert lock(world, period).is_locked


#
# The pages
#

# The "I confirm" box of the danger zone's closing and reopening forms (ticked).
CONFIRMED = {"confirmed": "on"}


def test_D3_close_and_reopen_through_the_table_page(world, period, client_for):
    rows = members_of_c(world, period, 5)
    for row, grade in zip(rows, [G.EXCELLENT, *[G.GOOD] * 4], strict=True):
        save_grade(world, period, row, grade)
    staff = client_for("staff")
    table = reverse("ratings:table", args=[period.pk, world.tree.c.pk])

    page = staff.get(table)
    tally = page.context["quota"][0]
    assert (tally["live_excellent"], tally["live_good"], tally["live_allowed"], tally["live_over_by"]) == (1, 4, 0, 1)
    assert reverse("rules:detail", args=["B12"]) in page.content.decode()

    refused = staff.post(reverse("ratings:close", args=[period.pk, world.tree.c.pk]), CONFIRMED, follow=True)
    assert "B12" in refused.content.decode() and not MemberReviewLock.objects.exists()

    save_grade(world, period, rows[0], G.GOOD)
    staff.post(reverse("ratings:close", args=[period.pk, world.tree.c.pk]))  # without "I confirm": nothing happens
    assert not MemberReviewLock.objects.exists()
    staff.post(reverse("ratings:close", args=[period.pk, world.tree.c.pk]), CONFIRMED)
    assert MemberReviewLock.objects.filter(grassroots=world.tree.c).exists()
    closed = staff.get(table).content.decode()
    assert f'name="row" value="{rows[0].pk}"' not in closed  # closed rows are not posted

    staff.post(reverse("ratings:reopen", args=[period.pk, world.tree.c.pk]), {"reason": "Sửa sai sót", **CONFIRMED})
    assert not MemberReviewLock.objects.exists()


def test_B12_exception_for_the_upper_committee_through_its_page(world, period, client_for):
    url = reverse("ratings:exception", args=[period.pk, world.tree.root.pk])
    staff = client_for("staff")

    form = staff.get(url).context["form"]
    assert [value for value, _label in form.fields["scope"].choices] == ["ORGS"]
    response = staff.post(
        url,
        {
            "scope": "ORGS",
            "extra_places": "1",
            "decided_by_body": "Ban Thường vụ Đảng ủy Khối",
            "justification": "Đơn vị dẫn đầu phong trào thi đua.",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:period", args=[period.pk])
    assert QuotaException.objects.get().organization == world.tree.root
