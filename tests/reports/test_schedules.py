"""Scheduled reports (reports.schedules): which period, when due, which nodes, once per period, failures counted."""

import datetime

import pytest
from django.urls import reverse

from reports import builders
from reports.models import Report, ReportSchedule
from reports.schedules import due, previous_period, run_schedules, targets
from reports.tasks import report_generate

Frequency = ReportSchedule.Frequency
Targets = ReportSchedule.Targets
D = datetime.date

#
# previous_period: the month, quarter or year that has just ended
#


@pytest.mark.parametrize(
    ("frequency", "today", "key", "period"),
    [
        (Frequency.MONTHLY, D(2026, 1, 3), "2025-12", {"year": 2025, "month": 12}),
        (Frequency.MONTHLY, D(2026, 1, 31), "2025-12", {"year": 2025, "month": 12}),
        (Frequency.MONTHLY, D(2026, 2, 1), "2026-01", {"year": 2026, "month": 1}),
        (Frequency.MONTHLY, D(2025, 12, 31), "2025-11", {"year": 2025, "month": 11}),
        (Frequency.QUARTERLY, D(2026, 1, 3), "2025-Q4", {"year": 2025, "quarter": 4}),
        (Frequency.QUARTERLY, D(2026, 3, 31), "2025-Q4", {"year": 2025, "quarter": 4}),
        (Frequency.QUARTERLY, D(2026, 4, 1), "2026-Q1", {"year": 2026, "quarter": 1}),
        (Frequency.QUARTERLY, D(2026, 7, 3), "2026-Q2", {"year": 2026, "quarter": 2}),
        (Frequency.QUARTERLY, D(2026, 10, 3), "2026-Q3", {"year": 2026, "quarter": 3}),
        (Frequency.QUARTERLY, D(2025, 12, 31), "2025-Q3", {"year": 2025, "quarter": 3}),
        (Frequency.YEARLY, D(2026, 1, 3), "2025", {"year": 2025}),
        (Frequency.YEARLY, D(2025, 12, 31), "2024", {"year": 2024}),
    ],
)
def test_previous_period_is_the_one_that_just_ended(frequency, today, key, period):
    assert previous_period(frequency, today) == (key, period)


#
# due(): by day of the month and frequency, once per period
#


def _schedule(frequency, *, day=3, last_period="", enabled=True) -> ReportSchedule:
    # Not saved: due() reads only these fields.
    return ReportSchedule(frequency=frequency, day_of_month=day, last_period=last_period, enabled=enabled)


@pytest.mark.parametrize(
    ("schedule", "today", "expected"),
    [
        (_schedule(Frequency.MONTHLY), D(2026, 2, 2), False),  # before the day of the month
        (_schedule(Frequency.MONTHLY), D(2026, 2, 3), True),
        (_schedule(Frequency.MONTHLY), D(2026, 2, 27), True),  # a missed day is caught up later in the month
        (_schedule(Frequency.MONTHLY, last_period="2026-01"), D(2026, 2, 3), False),  # January already built
        (_schedule(Frequency.MONTHLY, last_period="2026-01"), D(2026, 3, 3), True),
        (_schedule(Frequency.MONTHLY, last_period="2025-11"), D(2026, 1, 3), True),  # across the year end
        (_schedule(Frequency.MONTHLY, enabled=False), D(2026, 2, 3), False),
        (_schedule(Frequency.MONTHLY, day=1), D(2026, 2, 1), True),
        (_schedule(Frequency.QUARTERLY), D(2026, 1, 3), True),
        (_schedule(Frequency.QUARTERLY), D(2026, 2, 3), False),  # not the first month of a quarter
        (_schedule(Frequency.QUARTERLY), D(2026, 3, 3), False),
        (_schedule(Frequency.QUARTERLY), D(2026, 4, 3), True),
        (_schedule(Frequency.QUARTERLY), D(2026, 4, 2), False),
        (_schedule(Frequency.QUARTERLY, last_period="2026-Q1"), D(2026, 4, 20), False),
        (_schedule(Frequency.QUARTERLY), D(2026, 10, 3), True),
        (_schedule(Frequency.YEARLY), D(2026, 1, 3), True),
        (_schedule(Frequency.YEARLY), D(2026, 1, 2), False),
        (_schedule(Frequency.YEARLY), D(2026, 2, 3), False),
        (_schedule(Frequency.YEARLY, last_period="2025"), D(2026, 1, 10), False),
        (_schedule(Frequency.YEARLY, last_period="2025"), D(2027, 1, 3), True),
    ],
)
def test_due_by_day_of_month_frequency_and_last_period(schedule, today, expected):
    assert due(schedule, today) is expected


#
# run_schedules
#


@pytest.fixture
def schedule(world):
    """`schedule(owner_persona, targets=…, frequency=…)`: a schedule at the root of the conftest tree."""

    def make(owner="leader", *, targets=Targets.BOTH, frequency=Frequency.MONTHLY, **extra):
        return ReportSchedule.objects.create(
            name=f"Báo cáo {frequency.lower()} — {owner}",
            kind=Report.Kind.COMPLIANCE,
            frequency=frequency,
            day_of_month=3,
            root=world.tree.root,
            targets=targets,
            owner=getattr(world.personas, owner),
            **extra,
        )

    return make


def _organizations(reports):
    return sorted(report.organization.code for report in reports)


@pytest.mark.django_db
def test_run_schedules_creates_one_report_per_target(world, schedule):
    monthly = schedule("leader")

    result = run_schedules(today=D(2026, 2, 3))

    reports = list(Report.objects.filter(schedule=monthly))
    # The root and every grassroots organisation under it: A and B (committees), C (grassroots cell).
    assert _organizations(reports) == ["A", "B", "C", "DUK"]
    assert sorted(result["created"]) == sorted(report.pk for report in reports)
    for report in reports:
        assert (report.kind, report.year, report.month, report.quarter) == (Report.Kind.COMPLIANCE, 2026, 1, None)
        assert report.status == Report.Status.PENDING
        assert report.requested_by is None  # scheduled: bounded by the schedule's owner
    monthly.refresh_from_db()
    assert monthly.last_period == "2026-01"
    assert monthly.last_run_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("which", "expected"),
    [(Targets.ROOT, ["DUK"]), (Targets.GRASSROOTS, ["A", "B", "C"]), (Targets.BOTH, ["A", "B", "C", "DUK"])],
)
def test_run_schedules_builds_for_the_chosen_targets(world, schedule, which, expected):
    schedule("staff", targets=which, frequency=Frequency.QUARTERLY)

    run_schedules(today=D(2026, 4, 3))

    reports = list(Report.objects.all())
    assert _organizations(reports) == expected
    assert {(r.year, r.quarter, r.month) for r in reports} == {(2026, 1, None)}


@pytest.mark.django_db
def test_run_schedules_builds_nothing_outside_owner_scope(world, schedule):
    # The grassroots persona may report on A only: not on the root, B or C.
    schedule("grassroots")

    run_schedules(today=D(2026, 2, 3))

    assert _organizations(Report.objects.all()) == ["A"]


@pytest.mark.django_db
def test_schedule_of_owner_without_reports_action_builds_nothing(world, schedule):
    secretary_schedule = schedule("secretary")

    run_schedules(today=D(2026, 2, 3))

    assert not Report.objects.exists()
    secretary_schedule.refresh_from_db()
    assert secretary_schedule.last_period == "2026-01"  # the period is settled, with nothing to build


@pytest.mark.django_db
def test_run_schedules_skips_dissolved_grassroots_organisation(world, schedule):
    from cells.models import Organization

    Organization.objects.filter(pk=world.tree.c.pk).update(dissolved_on=D(2025, 12, 31))
    monthly = schedule("leader")

    assert sorted(node.code for node in targets(monthly)) == ["A", "B", "DUK"]
    run_schedules(today=D(2026, 2, 3))
    assert _organizations(Report.objects.all()) == ["A", "B", "DUK"]


@pytest.mark.django_db
def test_run_schedules_is_idempotent_within_a_period(world, schedule):
    schedule("leader")
    first = run_schedules(today=D(2026, 2, 3))

    again_same_day = run_schedules(today=D(2026, 2, 3))
    later_same_month = run_schedules(today=D(2026, 2, 25))

    assert len(first["created"]) == 4
    assert again_same_day == later_same_month == {"created": []}
    assert Report.objects.count() == 4

    next_month = run_schedules(today=D(2026, 3, 3))

    assert len(next_month["created"]) == 4
    assert set(Report.objects.filter(pk__in=next_month["created"]).values_list("month", flat=True)) == {2}


@pytest.mark.django_db
def test_run_schedules_skips_disabled_schedule_and_day_not_reached(world, schedule):
    schedule("leader", enabled=False)
    schedule("staff", frequency=Frequency.YEARLY)

    assert run_schedules(today=D(2026, 2, 3)) == {"created": []}  # yearly runs in January
    assert run_schedules(today=D(2026, 1, 2)) == {"created": []}  # before the 3rd
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_run_schedules_enqueues_each_report_when_it_commits(world, schedule, django_capture_on_commit_callbacks):
    schedule("grassroots")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_schedules(today=D(2026, 2, 3))

    assert len(callbacks) == 1
    report = Report.objects.get()
    assert report.status == Report.Status.DONE, report.error  # built by the eager task, as the owner
    assert report.figures["cells"] == 2  # A1 and A2


@pytest.mark.django_db
def test_failed_scheduled_report_is_counted_on_its_schedule(world, schedule, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("Không đọc được dữ liệu")

    monkeypatch.setitem(builders.BUILDERS, Report.Kind.COMPLIANCE, broken)
    monthly = schedule("leader", targets=Targets.GRASSROOTS)
    created = run_schedules(today=D(2026, 2, 3))["created"]

    for report_id in created:
        with pytest.raises(RuntimeError):
            report_generate.apply(kwargs={"report_id": report_id})

    monthly.refresh_from_db()
    assert monthly.failures == 3
    assert monthly.last_error == "RuntimeError: Không đọc được dữ liệu"
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.FAILED}


@pytest.mark.django_db
def test_report_index_shows_schedule_failures_to_superuser(world, schedule, client_for):
    schedule("leader", failures=2, last_error="RuntimeError: Không đọc được dữ liệu")

    html = client_for("admin").get(reverse("reports:index")).content.decode()

    assert "Báo cáo monthly — leader" in html
    assert "text-bg-danger" in html
    assert ">2 " in html  # the failure count badge
    leader_html = client_for("leader").get(reverse("reports:index")).content.decode()
    assert "Báo cáo monthly — leader" not in leader_html  # schedules are for administrators


@pytest.mark.django_db
def test_report_index_shows_schedule_last_error_to_superuser(world, schedule, client_for):
    schedule("leader", failures=1, last_error="RuntimeError: Không đọc được dữ liệu")

    html = client_for("admin").get(reverse("reports:index")).content.decode()

    assert "Không đọc được dữ liệu" in html
