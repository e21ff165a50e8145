"""Member ratings: not-classified cases and caps with their reasons, the HTXSNV quota and its exceptions, who may
decide, refused input that changes nothing, optimistic locking, the audit history and constant query counts.

Today is frozen on 10/02/2026 and the review is for 2025, so the whole year has ended. The parameter set in force
for 2025 is the seeded "QĐ 366" set (6 months for new members, 3 months of sick leave, quota 20% of HTTNV).
"""

import datetime
from decimal import Decimal
from functools import partial

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cells.models import AuditEntry, Organization
from criteria.models import RuleParameterSet
from evaluations.models import (
    EvaluationPeriod,
    Grade,
    MemberEvaluation,
    MemberReviewLock,
    NotClassified,
    QuotaException,
)
from evaluations.ratings import services
from members import services as member_services
from members.models import Discipline, Member
from tests import helpers
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

YEAR = 2025
G = Grade


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


open_period = partial(helpers.open_period, year=YEAR)


@pytest.fixture
def period(world):
    return open_period(world)


def add_members(cell: Organization, count: int, *, prefix: str, status=Member.Status.FULL) -> list[Member]:
    return helpers.bulk_members(
        Member(organization=cell, full_name=f"Đảng viên {prefix} {i:03d}", status=status) for i in range(count)
    )


def rows_of(period, organization) -> dict[int, MemberEvaluation]:
    """{member id: row}, after making sure every member on the roll has one."""
    services.ensure_member_rows(period=period, organization=organization)
    return {row.member_id: row for row in services.member_rows(period=period, organization=organization)}


def save(period, organization, changes: dict[int, dict], *, by, decide=True, versions=None):
    """ratings_save() with the versions read now (rows keyed by row id)."""
    current = {row.pk: row.version for row in MemberEvaluation.objects.filter(pk__in=changes)}
    return services.ratings_save(
        period=period,
        organization=organization,
        rows=changes,
        version_map=versions if versions is not None else current,
        saved_by=by,
        decide=decide,
    )


def snapshot(period) -> list[tuple]:
    return list(
        MemberEvaluation.objects.filter(period=period)
        .order_by("pk")
        .values_list(
            "pk",
            "self_grade",
            "proposed_grade",
            "votes_for",
            "votes_against",
            "final_grade",
            "disciplined",
            "sick_leave_months",
            "civil_servant_grade",
            "cap_grade",
            "version",
        )
    )


def change_status(world, member, status):
    member_services.member_change_status(
        member=member,
        status=status,
        effective_on=datetime.date(2025, 11, 1),
        decision_no="12-QĐ/ĐU",
        changed_by=world.personas.admin,
    )


#
# Rows, not-classified cases and caps (B13–B16)
#


def test_rows_are_created_for_every_member_on_the_roll_with_cell_and_grassroots(world, period):
    a2_members = add_members(world.tree.a2, 2, prefix="A2")

    created = services.ensure_member_rows(period=period, organization=world.tree.a)

    assert created == 5
    rows = {row.member_id: row for row in MemberEvaluation.objects.filter(period=period)}
    assert rows[world.members.own.pk].organization == world.tree.a1
    assert rows[a2_members[0].pk].organization == world.tree.a2
    assert {row.grassroots_id for row in rows.values()} == {world.tree.a.pk}
    assert rows[world.members.own.pk].cap_grade == G.EXCELLENT
    assert services.ensure_member_rows(period=period, organization=world.tree.a) == 0


def test_member_admitted_less_than_six_months_before_year_end_is_not_classified(world, period):
    Member.objects.filter(pk=world.members.probationary.pk).update(admitted_on=datetime.date(2025, 8, 1))
    Member.objects.filter(pk=world.members.other.pk).update(admitted_on=datetime.date(2025, 6, 30))

    rows = rows_of(period, world.tree.a1)

    new = rows[world.members.probationary.pk]
    assert new.not_classified == NotClassified.NEW_MEMBER
    assert new.cap_grade == ""
    assert "01/08/2025" in new.cap_reasons[0] and "6" in new.cap_reasons[0]
    assert rows[world.members.other.pk].not_classified == ""


def test_new_member_months_come_from_the_parameter_set(world):
    # Admitted 15/04/2025: 6 months → classified; with a set for 2025 that says 9 months → not classified.
    Member.objects.filter(pk=world.members.probationary.pk).update(admitted_on=datetime.date(2025, 4, 15))
    RuleParameterSet.objects.create(
        name="Tỉnh: 9 tháng", valid_from=datetime.date(2025, 6, 1), values={"new_member_min_months": 9}
    )
    period = open_period(world)

    row = rows_of(period, world.tree.a1)[world.members.probationary.pk]

    assert row.not_classified == NotClassified.NEW_MEMBER
    assert "9" in row.cap_reasons[0]


def test_exempt_and_suspended_members_are_not_classified(world, period):
    change_status(world, world.members.other, Member.Status.EXEMPT)
    change_status(world, world.members.probationary, Member.Status.SUSPENDED)

    rows = rows_of(period, world.tree.a1)

    assert rows[world.members.other.pk].not_classified == NotClassified.EXEMPT
    assert rows[world.members.probationary.pk].not_classified == NotClassified.SUSPENDED
    assert rows[world.members.own.pk].not_classified == ""


def test_a_status_change_after_the_rows_exist_refreshes_the_reason(world, period):
    rows_of(period, world.tree.a1)
    change_status(world, world.members.other, Member.Status.SUSPENDED)

    row = rows_of(period, world.tree.a1)[world.members.other.pk]

    assert row.not_classified == NotClassified.SUSPENDED
    assert row.version == 1  # a derived refresh does not make open forms stale


def test_grade_given_to_a_not_classified_member_is_refused(world, period):
    change_status(world, world.members.other, Member.Status.SUSPENDED)
    row = rows_of(period, world.tree.a1)[world.members.other.pk]
    before = snapshot(period)

    with pytest.raises(ValidationError) as error:
        save(period, world.tree.a1, {row.pk: {"proposed_grade": G.GOOD}}, by=world.personas.grassroots)

    assert services.row_error_key(row.pk) in error.value.message_dict
    assert snapshot(period) == before


CAP_CASES = [
    # (fields entered, cap, a grade above the cap, the reason's number or grade)
    ({"disciplined": True}, G.NOT_FULFILLED, G.FULFILLED, G.NOT_FULFILLED.label),  # a disciplinary decision
    ({"sick_leave_months": "3"}, G.FULFILLED, G.GOOD, "3"),
    ({"civil_servant_grade": G.GOOD}, G.GOOD, G.EXCELLENT, G.EXCELLENT.label),
    ({"civil_servant_grade": G.NOT_FULFILLED}, G.NOT_FULFILLED, G.FULFILLED, G.NOT_FULFILLED.label),
]


def record_discipline(member, year: int) -> None:
    """D5: discipline is a fact of the member record (tests/evaluations/test_discipline.py), not a box in the table."""
    Discipline.objects.create(
        member=member,
        organization=member.organization,
        form=Discipline.Form.REPRIMAND,
        decision_no="7-QĐ/ĐU",
        decided_on=datetime.date(year, 6, 1),
        deciding_body="Đảng ủy A",
    )


@pytest.mark.parametrize(("fields", "cap", "too_high", "in_reason"), CAP_CASES)
def test_cap_refuses_a_better_decided_grade_and_shows_the_reason(world, period, fields, cap, too_high, in_reason):
    Member.objects.filter(pk=world.members.other.pk).update(is_civil_servant=True)
    row = rows_of(period, world.tree.a1)[world.members.other.pk]
    if fields.pop("disciplined", False):
        fields = dict(fields)
        record_discipline(world.members.other, period.year)
    before = snapshot(period)

    with pytest.raises(ValidationError) as error:
        save(period, world.tree.a1, {row.pk: {**fields, "final_grade": too_high}}, by=world.personas.grassroots)

    message = " ".join(error.value.message_dict[services.row_error_key(row.pk)])
    assert cap in message and str(in_reason) in message
    assert snapshot(period) == before

    save(period, world.tree.a1, {row.pk: {**fields, "final_grade": cap}}, by=world.personas.grassroots)

    row.refresh_from_db()
    assert (row.final_grade, row.cap_grade) == (cap, cap)
    assert row.cap_reasons and str(in_reason) in " ".join(row.cap_reasons)


def test_sick_leave_cap_months_come_from_the_parameter_set(world):
    RuleParameterSet.objects.create(
        name="Tỉnh: 4 tháng ốm", valid_from=datetime.date(2025, 6, 1), values={"sick_leave_cap_months": 4}
    )
    period = open_period(world)
    row = rows_of(period, world.tree.a1)[world.members.other.pk]

    save(period, world.tree.a1, {row.pk: {"sick_leave_months": "3.5", "final_grade": G.GOOD}}, by=world.personas.staff)

    row.refresh_from_db()
    assert (row.sick_leave_months, row.final_grade, row.cap_grade) == (Decimal("3.5"), G.GOOD, G.EXCELLENT)
    with pytest.raises(ValidationError):
        save(period, world.tree.a1, {row.pk: {"sick_leave_months": "4"}}, by=world.personas.staff)


def test_proposal_above_the_cap_is_refused_and_a_new_cap_checks_the_stored_grades(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    save(period, world.tree.a1, {row.pk: {"proposed_grade": G.GOOD}}, by=world.personas.secretary, decide=False)

    # A disciplinary decision recorded since makes the stored proposal too high: the next save must lower it.
    record_discipline(world.members.own, period.year)
    with pytest.raises(ValidationError):
        save(period, world.tree.a1, {row.pk: {"self_grade": G.GOOD}}, by=world.personas.secretary, decide=False)
    save(
        period,
        world.tree.a1,
        {row.pk: {"proposed_grade": G.NOT_FULFILLED}},
        by=world.personas.secretary,
        decide=False,
    )

    row.refresh_from_db()
    assert (row.disciplined, row.proposed_grade, row.cap_grade) == (True, G.NOT_FULFILLED, G.NOT_FULFILLED)


#
# Refused input changes nothing
#


@pytest.mark.parametrize(
    "fields",
    [
        {"final_grade": "XYZ"},
        {"self_grade": "htxsnv"},
        {"votes_for": "-1"},
        {"votes_for": "abc"},
        {"votes_for": "2", "votes_against": "1"},  # A1 has 2 full members
        {"sick_leave_months": "13"},
        {"sick_leave_months": "ba"},
    ],
)
def test_bad_input_is_refused_with_a_row_message_and_changes_nothing(world, period, fields):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    good = rows_of(period, world.tree.a1)[world.members.other.pk]
    before = snapshot(period)
    audit = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        save(period, world.tree.a1, {row.pk: fields, good.pk: {"self_grade": G.GOOD}}, by=world.personas.grassroots)

    assert list(error.value.message_dict) == [services.row_error_key(row.pk)]
    assert snapshot(period) == before
    assert AuditEntry.objects.count() == audit


def test_votes_up_to_the_full_members_are_accepted(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]

    save(period, world.tree.a1, {row.pk: {"votes_for": "2", "votes_against": "0"}}, by=world.personas.secretary)

    row.refresh_from_db()
    assert (row.votes_for, row.votes_against) == (2, 0)


def test_forged_row_of_another_subtree_is_refused_and_nothing_changes(world, period):
    b1_member = member_services.member_create(
        organization=world.tree.b1, full_name="Phạm Văn Bê", status=Member.Status.FULL, created_by=world.personas.admin
    )
    b1_row = rows_of(period, world.tree.b1)[b1_member.pk]
    a1_row = rows_of(period, world.tree.a1)[world.members.own.pk]
    before = snapshot(period)

    with pytest.raises(ValidationError):
        save(
            period,
            world.tree.a,
            {a1_row.pk: {"self_grade": G.GOOD}, b1_row.pk: {"self_grade": G.EXCELLENT}},
            by=world.personas.grassroots,
        )

    assert snapshot(period) == before


def test_row_of_another_period_is_refused(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    other_year = open_period(world, year=2024, root=world.tree.b)

    with pytest.raises(ValidationError):
        save(other_year, world.tree.b, {row.pk: {"self_grade": G.GOOD}}, by=world.personas.staff)


def test_locked_period_is_refused(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    EvaluationPeriod.objects.filter(pk=period.pk).update(state=EvaluationPeriod.State.LOCKED)
    before = snapshot(period)

    with pytest.raises(ValidationError) as error:
        save(period, world.tree.a1, {row.pk: {"self_grade": G.GOOD}}, by=world.personas.staff)

    assert "2025" in str(error.value)
    assert snapshot(period) == before


def test_stale_version_is_refused(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    save(period, world.tree.a1, {row.pk: {"self_grade": G.GOOD}}, by=world.personas.secretary, decide=False)
    before = snapshot(period)

    with pytest.raises(ValidationError) as error:
        save(
            period,
            world.tree.a1,
            {row.pk: {"self_grade": G.FULFILLED}},
            by=world.personas.grassroots,
            versions={row.pk: 1},
        )

    assert world.members.own.full_name in str(error.value)
    assert snapshot(period) == before


def test_stale_row_that_this_save_does_not_change_does_not_block_it(world, period):
    rows = rows_of(period, world.tree.a1)
    own, other = rows[world.members.own.pk], rows[world.members.other.pk]
    save(period, world.tree.a1, {own.pk: {"self_grade": G.GOOD}}, by=world.personas.secretary, decide=False)

    save(
        period,
        world.tree.a1,
        {own.pk: {"self_grade": G.GOOD}, other.pk: {"self_grade": G.FULFILLED}},
        by=world.personas.grassroots,
        versions={own.pk: 1, other.pk: 1},
    )

    other.refresh_from_db()
    assert other.self_grade == G.FULFILLED


#
# Who decides
#


def test_service_refuses_a_decided_grade_without_the_right_to_decide(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    before = snapshot(period)

    with pytest.raises(ValidationError):
        save(period, world.tree.a1, {row.pk: {"final_grade": G.GOOD}}, by=world.personas.secretary, decide=False)

    assert snapshot(period) == before


def test_secretary_page_shows_the_decided_grade_disabled(world, period, client_for):
    response = client_for("secretary").get(reverse("ratings:table", args=[period.pk, world.tree.a1.pk]))

    assert response.status_code == 200
    assert response.context["may_decide"] is False
    row = MemberEvaluation.objects.get(period=period, member=world.members.own)
    assert f'name="final-{row.pk}" aria-labelledby="m-{row.pk} h-final" disabled' in response.content.decode()


def test_secretary_posting_a_decided_grade_gets_403_and_nothing_changes(world, period, client_for):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    before = snapshot(period)

    response = client_for("secretary").post(
        reverse("ratings:table", args=[period.pk, world.tree.a1.pk]),
        {"row": [row.pk], f"version-{row.pk}": row.version, f"final-{row.pk}": G.EXCELLENT},
    )

    assert response.status_code == 403
    assert snapshot(period) == before


def test_secretary_saves_self_grades_proposals_and_votes(world, period, client_for):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]

    response = client_for("secretary").post(
        reverse("ratings:table", args=[period.pk, world.tree.a1.pk]),
        {
            "row": [row.pk],
            f"version-{row.pk}": row.version,
            f"self-{row.pk}": G.EXCELLENT,
            f"proposed-{row.pk}": G.GOOD,
            f"for-{row.pk}": "2",
            f"against-{row.pk}": "0",
            f"sick-{row.pk}": "",
        },
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.self_grade, row.proposed_grade, row.votes_for, row.votes_against) == (G.EXCELLENT, G.GOOD, 2, 0)
    assert row.final_grade == "" and row.version == 2


def test_grassroots_committee_decides_from_the_page(world, period, client_for):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]

    response = client_for("grassroots").post(
        reverse("ratings:table", args=[period.pk, world.tree.a.pk]),
        {"row": [row.pk], f"version-{row.pk}": row.version, f"final-{row.pk}": G.FULFILLED},
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.final_grade, row.decided_by) == (G.FULFILLED, world.personas.grassroots)


def test_forged_row_posted_through_the_page_is_refused(world, period, client_for):
    a2_member = add_members(world.tree.a2, 1, prefix="A2")[0]
    a2_row = rows_of(period, world.tree.a)[a2_member.pk]
    before = snapshot(period)

    response = client_for("secretary").post(
        reverse("ratings:table", args=[period.pk, world.tree.a1.pk]),
        {"row": [a2_row.pk], f"version-{a2_row.pk}": 1, f"self-{a2_row.pk}": G.GOOD},
    )

    assert response.status_code == 200
    assert response.context["top_errors"]
    assert snapshot(period) == before


def test_refused_save_keeps_the_input_and_shows_row_errors(world, period, client_for):
    rows = rows_of(period, world.tree.a1)
    own, other = rows[world.members.own.pk], rows[world.members.other.pk]
    url = reverse("ratings:table", args=[period.pk, world.tree.a1.pk])

    response = client_for("secretary").post(
        url,
        {
            "row": [own.pk, other.pk],
            f"version-{own.pk}": 1,
            f"version-{other.pk}": 1,
            f"self-{own.pk}": "XYZ",
            f"self-{other.pk}": G.GOOD,
            f"for-{other.pk}": "9",
        },
    )

    assert response.status_code == 200
    shown = {r["obj"].pk: r for group in response.context["groups"] for r in group["rows"]}
    assert shown[own.pk]["errors"] and shown[other.pk]["errors"]  # bad grade; 9 votes for 2 full members
    assert shown[other.pk]["v"]["self"] == G.GOOD and shown[other.pk]["v"]["for"] == "9"
    other.refresh_from_db()
    assert other.self_grade == ""


def test_stale_save_through_the_page_keeps_the_input(world, period, client_for):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    url = reverse("ratings:table", args=[period.pk, world.tree.a1.pk])
    save(period, world.tree.a1, {row.pk: {"self_grade": G.GOOD}}, by=world.personas.secretary, decide=False)

    response = client_for("grassroots").post(
        url, {"row": [row.pk], f"version-{row.pk}": 1, f"self-{row.pk}": G.FULFILLED, f"final-{row.pk}": G.GOOD}
    )

    assert response.status_code == 200
    assert any(world.members.own.full_name in message for message in response.context["top_errors"])
    shown = response.context["groups"][0]["rows"][0]
    assert (shown["v"]["self"], shown["v"]["final"], str(shown["v"]["version"])) == (G.FULFILLED, G.GOOD, "1")
    row.refresh_from_db()
    assert (row.self_grade, row.final_grade) == (G.GOOD, "")


def test_locked_period_page_is_read_only_and_refuses_posts(world, period, client_for):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    EvaluationPeriod.objects.filter(pk=period.pk).update(state=EvaluationPeriod.State.LOCKED)
    url = reverse("ratings:table", args=[period.pk, world.tree.a1.pk])

    page = client_for("grassroots").get(url)
    response = client_for("grassroots").post(url, {"row": [row.pk], f"version-{row.pk}": 1, f"self-{row.pk}": "HTNV"})

    assert page.context["editable"] is False and page.context["may_decide"] is False
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.self_grade == ""


#
# Quota (B12) and exceptions
#


EXCEPTION_OK = {
    "scope": QuotaException.Scope.MEMBERS,
    "extra_places": 1,
    "justification": "Đơn vị dẫn đầu phong trào thi đua.",
    "decided_by_body": "Ban Thường vụ Đảng ủy Khối",
}


def record_exception(world, period, *, organization=None, by="staff", **change):
    """quota_exception_record() of EXCEPTION_OK with `change`, for Đảng bộ A unless told, by the staff persona."""
    return services.quota_exception_record(
        period=period,
        organization=organization or world.tree.a,
        granted_by=getattr(world.personas, by),
        **(EXCEPTION_OK | change),
    )


@pytest.fixture
def fifteen_in_a(world, period):
    """Đảng bộ A with 15 full members: the 3 of A1 and 12 in A2."""
    add_members(world.tree.a2, 12, prefix="A2")
    return list(rows_of(period, world.tree.a).values())


@pytest.fixture
def at_the_quota(world, period, fifteen_in_a):
    """The 15 rows of Đảng bộ A decided 10 HTTNV, 2 HTXSNV (20% of 10: the quota is full), 3 HTNV."""
    grades = [G.GOOD] * 10 + [G.EXCELLENT] * 2 + [G.FULFILLED] * 3
    save(
        period,
        world.tree.a,
        {row.pk: {"final_grade": grade} for row, grade in zip(fifteen_in_a, grades, strict=True)},
        by=world.personas.grassroots,
    )
    return fifteen_in_a


def test_quota_one_over_is_saved_and_shown_over_then_closing_is_refused(world, period, at_the_quota):
    # D3 (was: the save was refused): 10 HTTNV → 20% → 2 HTXSNV allowed; a third is saved, shown over the
    # quota, and closing the member ratings of Đảng bộ A is refused naming it and the counts, changing nothing.
    rows = at_the_quota

    save(period, world.tree.a, {rows[12].pk: {"final_grade": G.EXCELLENT}}, by=world.personas.grassroots)

    status = services.quota_status(period=period, organizations=[world.tree.a])[0]
    assert (status["excellent"], status["good"], status["allowed"], status["over_by"]) == (3, 10, 2, 1)
    before = snapshot(period)
    with pytest.raises(ValidationError) as error:
        services.member_review_lock(period=period, grassroots=world.tree.a, locked_by=world.personas.grassroots)
    message = " ".join(error.value.messages)
    assert world.tree.a.name in message and " 3 " in message and " 2 " in message and " 10 " in message
    assert snapshot(period) == before
    assert not MemberReviewLock.objects.exists()


def test_recorded_exception_lets_the_save_pass(world, period, at_the_quota):
    rows = at_the_quota

    record_exception(world, period)
    save(period, world.tree.a, {rows[12].pk: {"final_grade": G.EXCELLENT}}, by=world.personas.grassroots)

    status = services.quota_status(period=period, organizations=[world.tree.a])[0]
    assert (status["excellent"], status["allowed"], status["extra_places"], status["remaining"]) == (3, 3, 1, 0)
    assert AuditEntry.objects.filter(action="evaluations.quota_exception.recorded").count() == 1


def test_exception_for_subordinate_organisations_does_not_add_member_places(world, period, fifteen_in_a):
    record_exception(world, period, scope=QuotaException.Scope.ORGANISATIONS, extra_places=5)
    save(
        period,
        world.tree.a,
        {row.pk: {"final_grade": G.EXCELLENT if i == 0 else G.GOOD} for i, row in enumerate(fifteen_in_a)},
        by=world.personas.grassroots,
    )  # 1 HTXSNV, 14 HTTNV: 2 places, fine

    save(period, world.tree.a, {fifteen_in_a[1].pk: {"final_grade": G.EXCELLENT}}, by=world.personas.grassroots)
    save(period, world.tree.a, {fifteen_in_a[2].pk: {"final_grade": G.EXCELLENT}}, by=world.personas.grassroots)

    # 3 HTXSNV, 12 HTTNV: 2 places; the 5 places for subordinate organisations do not count for members.
    with pytest.raises(ValidationError):
        services.member_review_lock(period=period, grassroots=world.tree.a, locked_by=world.personas.grassroots)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"justification": ""}, "justification"),
        ({"justification": "   quá ít "}, "justification"),
        ({"extra_places": 0}, "extra_places"),
        ({"extra_places": 51}, "extra_places"),
        ({"extra_places": "hai"}, "extra_places"),
        ({"decided_by_body": " "}, "decided_by_body"),
        ({"scope": "ALL"}, "scope"),
    ],
)
def test_exception_with_bad_input_is_refused(world, period, change, field):
    with pytest.raises(ValidationError) as error:
        record_exception(world, period, **change)

    assert field in error.value.message_dict
    assert not QuotaException.objects.exists()


@pytest.mark.parametrize("persona", ["grassroots", "secretary", "leader", "outsider"])
def test_only_staff_may_record_an_exception(world, period, persona):
    with pytest.raises(PermissionDenied):
        record_exception(world, period, by=persona)

    assert not QuotaException.objects.exists()


def test_exception_is_refused_for_a_cell_and_on_a_locked_year(world, period):
    with pytest.raises(ValidationError):
        record_exception(world, period, organization=world.tree.a1)
    EvaluationPeriod.objects.filter(pk=period.pk).update(state=EvaluationPeriod.State.LOCKED)
    with pytest.raises(ValidationError):
        record_exception(world, period)

    assert not QuotaException.objects.exists()


def test_exception_page_records_and_refuses_without_justification(world, period, client_for):
    url = reverse("ratings:exception", args=[period.pk, world.tree.a.pk])
    client = client_for("staff")

    refused = client.post(url, EXCEPTION_OK | {"justification": ""})
    recorded = client.post(url, EXCEPTION_OK)

    assert refused.status_code == 200 and refused.context["form"].errors["justification"]
    assert recorded.status_code == 302
    assert QuotaException.objects.get().granted_by == world.personas.staff


#
# Warnings (B17), the page's panel and the index
#


def test_khtnv_warning_when_more_than_half_of_classified_members(world, period):
    rows = rows_of(period, world.tree.a1)
    own, other = rows[world.members.own.pk], rows[world.members.other.pk]
    save(period, world.tree.a1, {own.pk: {"proposed_grade": G.NOT_FULFILLED}}, by=world.personas.secretary)
    assert services.khtnv_warnings(period=period, organizations=[world.tree.a]) == []

    save(period, world.tree.a1, {other.pk: {"final_grade": G.NOT_FULFILLED}}, by=world.personas.grassroots)

    warnings = services.khtnv_warnings(period=period, organizations=[world.tree.a])
    assert [(w["organization_id"], w["khtnv"], w["classified"]) for w in warnings] == [(world.tree.a1.pk, 2, 3)]
    # A not-classified member does not count among the classified.
    change_status(world, world.members.probationary, Member.Status.SUSPENDED)
    rows_of(period, world.tree.a1)
    assert services.khtnv_warnings(period=period, organizations=[world.tree.a1])[0]["classified"] == 2


def test_table_page_shows_quota_and_rows_grouped_by_cell(world, period, client_for):
    add_members(world.tree.a2, 2, prefix="A2")

    response = client_for("grassroots").get(reverse("ratings:table", args=[period.pk, world.tree.a.pk]))

    assert response.status_code == 200
    assert [group["cell"] for group in response.context["groups"]] == [world.tree.a1, world.tree.a2]
    assert response.context["quota"][0]["organization"] == world.tree.a
    assert response.context["may_decide"] is True and response.context["may_record_exception"] is False


def test_cap_and_not_classified_reasons_are_shown_on_the_page(world, period, client_for):
    change_status(world, world.members.probationary, Member.Status.SUSPENDED)
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    record_discipline(world.members.own, period.year)
    save(period, world.tree.a1, {row.pk: {"self_grade": G.NOT_FULFILLED}}, by=world.personas.secretary, decide=False)
    row.refresh_from_db()
    suspended = MemberEvaluation.objects.get(period=period, member=world.members.probationary)

    content = client_for("secretary").get(reverse("ratings:table", args=[period.pk, world.tree.a1.pk])).content.decode()

    assert f'<div class="small text-muted d-md-none">{row.cap_reasons[0]}</div>' in content
    assert f'<div class="small text-muted d-md-none">{suspended.cap_reasons[0]}</div>' in content
    assert f'name="self-{suspended.pk}"' not in content  # nothing to grade


def test_grassroots_cell_is_its_own_quota_unit(world, period, client_for):
    members = add_members(world.tree.c, 6, prefix="C")
    rows = rows_of(period, world.tree.c)

    save(
        period,
        world.tree.c,
        {rows[m.pk].pk: {"final_grade": G.GOOD if i else G.EXCELLENT} for i, m in enumerate(members)},
        by=world.personas.staff,
    )

    assert {row.grassroots_id for row in MemberEvaluation.objects.filter(period=period)} == {world.tree.c.pk}
    status = services.quota_status(period=period, organizations=[world.tree.c])[0]
    assert (status["good"], status["allowed"], status["remaining"]) == (5, 1, 0)


def test_index_lists_the_cells_the_user_may_enter(world, period, client_for):
    secretary = client_for("secretary").get(reverse("ratings:index", args=[period.pk]))
    grassroots = client_for("grassroots").get(reverse("ratings:index", args=[period.pk]))

    assert [o.pk for o in secretary.context["organizations"]] == [world.tree.a1.pk]
    assert [o.pk for o in grassroots.context["organizations"]] == [world.tree.a.pk, world.tree.a1.pk, world.tree.a2.pk]
    assert grassroots.context["organizations"][0].on_roll == 3


def test_staff_opening_the_root_table_is_sent_to_the_index(world, period, client_for):
    response = client_for("staff").get(reverse("ratings:table", args=[period.pk, world.tree.root.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:index", args=[period.pk])


def test_table_of_a_node_outside_the_period_is_404(world, client_for):
    period_b = open_period(world, root=world.tree.b)

    response = client_for("staff").get(reverse("ratings:table", args=[period_b.pk, world.tree.a1.pk]))

    assert response.status_code == 404


#
# Audit history
#


def test_audit_history_records_before_and_after_of_every_changed_field(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    save(period, world.tree.a1, {row.pk: {"proposed_grade": G.FULFILLED}}, by=world.personas.secretary, decide=False)

    save(
        period,
        world.tree.a1,
        {row.pk: {"proposed_grade": G.FULFILLED, "final_grade": G.FULFILLED, "sick_leave_months": "3"}},
        by=world.personas.grassroots,
    )

    entry = AuditEntry.objects.filter(action="evaluations.member_ratings.saved").first()
    changes = entry.data["changes"][str(row.pk)]
    assert entry.actor == world.personas.grassroots and entry.target_id == period.pk
    assert changes["member"] == world.members.own.full_name
    assert changes["final_grade"] == ["", G.FULFILLED]
    assert changes["sick_leave_months"] == ["0.0", "3.0"]
    assert changes["cap_grade"] == [G.EXCELLENT, G.FULFILLED]
    assert "proposed_grade" not in changes  # unchanged


def test_saving_without_changes_writes_nothing(world, period):
    row = rows_of(period, world.tree.a1)[world.members.own.pk]
    audit = AuditEntry.objects.count()

    assert save(period, world.tree.a1, {row.pk: {"self_grade": ""}}, by=world.personas.secretary) == []

    assert AuditEntry.objects.count() == audit
    row.refresh_from_db()
    assert row.version == 1


#
# Query counts: 30 and 300 members (N+1 guards)
#


def build_committee(world, *, code: str, cells: int, members_per_cell: int) -> Organization:
    """A new grassroots committee under the root with `cells` cells of `members_per_cell` full members each."""
    new_cells = helpers.grow_tree(
        under=world.tree.root, committees=1, cells=cells, members=members_per_cell, prefix=code
    )
    return new_cells[0].parent


def table_post(rows: list[MemberEvaluation]) -> dict:
    """The whole table: HTTNV everywhere, HTXSNV for one member in ten (within the 20% quota)."""
    data = {"row": [row.pk for row in rows]}
    for i, row in enumerate(rows):
        grade = G.EXCELLENT if i % 10 == 0 else G.GOOD
        data |= {
            f"version-{row.pk}": row.version,
            f"self-{row.pk}": grade,
            f"proposed-{row.pk}": grade,
            f"for-{row.pk}": "5",
            f"against-{row.pk}": "0",
            f"final-{row.pk}": grade,
            f"sick-{row.pk}": "",
        }
    return data


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_members(world, client_for, capsys):
    small = build_committee(world, code="Q30", cells=3, members_per_cell=10)
    large = build_committee(world, code="Q300", cells=10, members_per_cell=30)
    period = open_period(world)
    staff = world.personas.staff
    counts = {}
    for label, committee in (("30", small), ("300", large)):
        created_queries = CaptureQueriesContext(connection)
        with created_queries:
            services.ensure_member_rows(period=period, organization=committee)
        inserts = sum(1 for q in created_queries.captured_queries if q["sql"].startswith("INSERT"))
        ensure = count_queries(lambda c=committee: services.ensure_member_rows(period=period, organization=c))
        rows = list(services.member_rows(period=period, organization=committee))
        post = table_post(rows)
        submitted = {row.pk: {} for row in rows}
        for row in rows:
            for prefix, field in (("self", "self_grade"), ("proposed", "proposed_grade"), ("final", "final_grade")):
                submitted[row.pk][field] = post[f"{prefix}-{row.pk}"]
            submitted[row.pk] |= {"votes_for": "5", "votes_against": "0"}
        service = count_queries(
            lambda c=committee, s=submitted, r=rows: services.ratings_save(
                period=period,
                organization=c,
                rows=s,
                version_map={row.pk: row.version for row in r},
                saved_by=staff,
                decide=True,
            )
        )
        # The same table again through the page, on fresh rows (version 2, grades moved down one step).
        rows = list(services.member_rows(period=period, organization=committee))
        post = table_post(rows)
        for row in rows:
            post[f"final-{row.pk}"] = G.FULFILLED
        client = client_for(fresh(staff))
        url = reverse("ratings:table", args=[period.pk, committee.pk])
        view_post = count_queries(lambda u=url, p=post, cl=client: cl.post(u, p))
        view_get = count_queries(lambda u=url, cl=client: cl.get(u))
        counts[label] = {
            "first ensure (INSERTs)": f"{len(created_queries.captured_queries)} ({inserts})",
            "ensure": ensure,
            "ratings_save": service,
            "POST": view_post,
            "GET": view_get,
        }
        assert MemberEvaluation.objects.filter(
            period=period, grassroots=committee, final_grade=G.FULFILLED
        ).count() == (len(rows))
    with capsys.disabled():
        print(f"\nqueries for 30 and 300 members: {counts}")
    for key in ("ensure", "ratings_save", "POST", "GET"):
        assert counts["30"][key] == counts["300"][key], key
    assert counts["300"]["ratings_save"] <= 15


#
# URL × persona (the rows proposed for tests/test_permissions.py)
#


def _current_period(world) -> EvaluationPeriod:
    period = EvaluationPeriod.objects.filter(root=world.tree.root).first()
    return period or open_period(world)


@helpers.labelled("")
def period_only(world):
    return {"period_pk": _current_period(world).pk}


def period_and(name):
    @helpers.labelled(name)
    def kwargs(world):
        return {"period_pk": _current_period(world).pk, "org_pk": getattr(world.tree, name).pk}

    return kwargs


L, R = helpers.LOGIN, helpers.REDIRECT

# fmt: off
RATINGS_SPEC = [
    # url name            method  kwargs              anon admin staff leader grass secr member outs norole
    ("ratings:index",     "get",  period_only,        L,   200,  200,  403,   200,  200, 404,   200, 404),
    ("ratings:table",     "get",  period_and("a1"),   L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("ratings:table",     "get",  period_and("a"),    L,   200,  200,  403,   200,  404, 404,   404, 404),
    ("ratings:table",     "get",  period_and("b1"),   L,   200,  200,  403,   404,  404, 404,   200, 404),
    ("ratings:table",     "get",  period_and("root"), L,   R,    R,    403,   404,  404, 404,   404, 404),
    ("ratings:table",     "post", period_and("a1"),   L,   R,    R,    403,   R,    R,   404,   404, 404),
    ("ratings:exception", "get",  period_and("a"),    L,   200,  200,  403,   403,  404, 404,   404, 404),
    ("ratings:exception", "get",  period_and("a1"),   L,   404,  404,  403,   403,  403, 404,   404, 404),
    ("ratings:exception", "post", period_and("a"),    L,   200,  200,  403,   403,  404, 404,   404, 404),
    ("ratings:exception", "get",  period_and("root"), L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("ratings:close",     "post", period_and("a"),    L,   R,    R,    403,   R,    404, 404,   404, 404),
    ("ratings:close",     "post", period_and("a1"),   L,   404,  404,  403,   404,  403, 404,   404, 404),
    ("ratings:close",     "get",  period_and("a"),    L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("ratings:reopen",    "post", period_and("a"),    L,   R,    R,    403,   R,    404, 404,   404, 404),
]
# fmt: on


@helpers.matrix(RATINGS_SPEC)
def test_ratings_url_gives_expected_response_for_persona(world, client_for, case):
    helpers.check_matrix_case(world, client_for, case, state=AuditEntry.objects.count)
