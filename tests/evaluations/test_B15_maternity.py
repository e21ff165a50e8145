"""Rule B15: "sick_leave_months ≥ 3 → rating ≤ HTNV; maternity → evaluate on time worked" (HD 21-HD/BTCTW 2019).

Maternity leave is not sick leave: a member on maternity leave is rated on the time actually worked, never capped at
HTNV for it; sick leave of 3 months or more (the parameter in force) still caps, maternity or not. The review is for
2025 (the seeded parameter set: 3 months of sick leave), decided by the grassroots committee.
"""

from decimal import Decimal
from functools import partial

import pytest
import time_machine

from evaluations.models import Grade, MemberEvaluation
from evaluations.ratings import services
from tests import helpers

pytestmark = pytest.mark.django_db
G = Grade
ON_TIME_WORKED = "đánh giá theo thời gian công tác thực tế"

open_period = partial(helpers.open_period, year=2025)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


def row_of(period, world) -> MemberEvaluation:
    services.ensure_member_rows(period=period, organization=world.tree.a1)
    return MemberEvaluation.objects.get(period=period, member=world.members.other)


def save(period, world, row, fields):
    return services.ratings_save(
        period=period,
        organization=world.tree.a1,
        rows={row.pk: fields},
        version_map={row.pk: MemberEvaluation.objects.get(pk=row.pk).version},
        saved_by=world.personas.grassroots,
        decide=True,
    )


def test_B15_maternity_leave_is_rated_on_time_worked_not_capped_as_sick_leave(world):
    period = open_period(world)
    row = row_of(period, world)

    # Maternity leave for most of the year, no sick leave: HTXSNV stays possible and the reason says why.
    save(period, world, row, {"maternity_leave": True, "final_grade": G.EXCELLENT})

    row.refresh_from_db()
    assert (row.final_grade, row.cap_grade) == (G.EXCELLENT, G.EXCELLENT)
    assert ON_TIME_WORKED in " ".join(row.cap_reasons)


def test_B15_sick_leave_of_three_months_still_caps_a_member_on_maternity_leave(world):
    period = open_period(world)
    row = row_of(period, world)

    save(period, world, row, {"maternity_leave": True, "sick_leave_months": "3", "final_grade": G.FULFILLED})

    row.refresh_from_db()
    assert row.cap_grade == G.FULFILLED
    reasons = " ".join(row.cap_reasons)
    assert ON_TIME_WORKED in reasons and "3" in reasons


def test_B15_no_maternity_reason_without_maternity_leave(world):
    period = open_period(world)
    row = row_of(period, world)

    save(period, world, row, {"sick_leave_months": Decimal("2.5"), "final_grade": G.EXCELLENT})

    row.refresh_from_db()
    assert row.cap_grade == G.EXCELLENT
    assert ON_TIME_WORKED not in " ".join(row.cap_reasons)
