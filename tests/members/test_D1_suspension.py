"""Decision D1: when a suspension (đình chỉ sinh hoạt đảng) ends, the member returns to EXACTLY the status held before
it (exempt stays exempt, dự bị stays dự bị). Whether the probation pauses is unknown: both dates are recorded (the
status changes), the probation deadline is NOT moved, and the member page shows the suspension next to it."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import services
from members.models import Member

d = datetime.date.fromisoformat
Status = Member.Status


def change(world, member, status, on, decision_no="5-QĐ/ĐU"):
    return services.member_change_status(
        member=member, status=status, effective_on=d(on), decision_no=decision_no, changed_by=world.personas.staff
    )


def refused_status(world, member, status, on):
    with pytest.raises(ValidationError) as error:
        change(world, member, status, on)
    return error.value.message_dict


@time_machine.travel("2026-03-10 10:00 +0700")
def test_D1_exempt_member_returns_exempt_after_suspension(world, client_for):
    member = world.members.other  # a full member
    change(world, member, Status.EXEMPT, "2025-06-01")
    change(world, member, Status.SUSPENDED, "2025-09-01")

    # The status page offers the way back to exempt only (and leaving the Party, death).
    page = client_for("secretary").get(reverse("members:status", args=[member.pk])).content.decode()
    assert f'value="{Status.EXEMPT}"' in page
    assert f'value="{Status.FULL}"' not in page
    assert "status" in refused_status(world, member, Status.FULL, "2025-12-01")

    change(world, member, Status.EXEMPT, "2025-12-01")

    member.refresh_from_db()
    assert member.status == Status.EXEMPT
    assert list(member.status_changes.values_list("previous_status", "status")) == [
        (Status.FULL, Status.EXEMPT),
        (Status.EXEMPT, Status.SUSPENDED),
        (Status.SUSPENDED, Status.EXEMPT),
    ]


@time_machine.travel("2026-03-10 10:00 +0700")
def test_D1_probationary_member_returns_probationary_with_the_deadline_unchanged_and_shown(world, client_for):
    # Admitted 01/03/2025: 12 months of probation end on 01/03/2026. Suspended 01/09/2025–01/12/2025 (3 months).
    member = services.member_create(
        organization=world.tree.a1,
        full_name="Phạm Thị Dung",
        status=Status.PROBATIONARY,
        admitted_on=d("2025-03-01"),
        created_by=world.personas.staff,
    )
    change(world, member, Status.SUSPENDED, "2025-09-01")

    secretary = client_for("secretary")
    page = secretary.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Hạn dự bị" in page and "01/03/2026" in page
    assert "Thời gian đình chỉ: 01/09/2025–nay" in page

    assert "status" in refused_status(world, member, Status.FULL, "2025-12-01")
    change(world, member, Status.PROBATIONARY, "2025-12-01", decision_no="")

    member.refresh_from_db()
    assert member.status == Status.PROBATIONARY
    page = secretary.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "01/03/2026" in page  # not moved by the three months of suspension
    assert (
        "Thời gian đình chỉ: 01/09/2025–01/12/2025; chưa rõ có tính vào thời gian dự bị hay không — hạn dự bị giữ "
        "nguyên" in page
    )
    assert reverse("rules:detail", args=["D1"]) in page

    # The deadline is the one the rules apply: full membership can be recognised from 01/03/2026, not 3 months later.
    assert "effective_on" in refused_full(world, member, "2026-02-28")
    change(world, member, Status.FULL, "2026-03-01")
    member.refresh_from_db()
    assert member.status == Status.FULL and member.official_on == d("2026-03-01")
    page = secretary.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Hạn dự bị" not in page


def refused_full(world, member, on):
    return refused_status(world, member, Status.FULL, on)


@time_machine.travel("2026-03-10 10:00 +0700")
def test_D1_full_member_returns_full(world):
    member = world.members.other
    change(world, member, Status.SUSPENDED, "2025-09-01")

    assert "status" in refused_status(world, member, Status.EXEMPT, "2025-12-01")
    assert "status" in refused_status(world, member, Status.PROBATIONARY, "2025-12-01")
    change(world, member, Status.FULL, "2025-12-01")

    member.refresh_from_db()
    assert member.status == Status.FULL
