"""Scheduled reports (Celery beat calls `run_schedules` daily; see config/celery.py)."""

import datetime

from django.db import transaction
from django.utils import timezone

from cells.models import Organization
from cells.permissions import REPORTS, get_access
from reports.building import enqueue
from reports.models import Report, ReportSchedule


def previous_period(frequency: str, today: datetime.date) -> tuple[str, dict]:
    """The period a schedule reports on when it runs today: the month, quarter or year that just ended."""
    if frequency == ReportSchedule.Frequency.MONTHLY:
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return f"{year}-{month:02d}", {"year": year, "month": month}
    if frequency == ReportSchedule.Frequency.QUARTERLY:
        quarter = (today.month - 1) // 3  # the quarter before the current one
        year = today.year if quarter else today.year - 1
        quarter = quarter or 4
        return f"{year}-Q{quarter}", {"year": year, "quarter": quarter}
    return str(today.year - 1), {"year": today.year - 1}


def due(schedule: ReportSchedule, today: datetime.date) -> bool:
    if not schedule.enabled or today.day < schedule.day_of_month:
        return False
    if schedule.frequency == ReportSchedule.Frequency.QUARTERLY and today.month not in (1, 4, 7, 10):
        return False
    if schedule.frequency == ReportSchedule.Frequency.YEARLY and today.month != 1:
        return False
    key, _period = previous_period(schedule.frequency, today)
    return schedule.last_period != key


def targets(schedule: ReportSchedule) -> list[Organization]:
    """The nodes a schedule builds for, bounded by what its owner may request reports on."""
    access = get_access(schedule.owner)
    nodes = []
    if schedule.targets in (ReportSchedule.Targets.ROOT, ReportSchedule.Targets.BOTH):
        nodes.append(schedule.root)
    if schedule.targets in (ReportSchedule.Targets.GRASSROOTS, ReportSchedule.Targets.BOTH):
        nodes.extend(
            Organization.objects.filter(
                path__startswith=schedule.root.path, kind__in=Organization.GRASSROOTS_KINDS, dissolved_on__isnull=True
            ).order_by("path")
        )
    return [node for node in nodes if access.can(REPORTS, node)]


def run_schedules(*, today: datetime.date | None = None) -> dict:
    """Create the reports of every schedule that is due (idempotent: a period is built once per schedule)."""
    today = today or timezone.localdate()
    created = []
    for schedule in ReportSchedule.objects.select_related("root", "owner").filter(enabled=True):
        if not due(schedule, today):
            continue
        key, period = previous_period(schedule.frequency, today)
        with transaction.atomic():
            locked = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
            if locked.last_period == key:
                continue
            rows = [
                Report(kind=schedule.kind, organization=node, schedule=schedule, **period) for node in targets(schedule)
            ]
            Report.objects.bulk_create(rows)
            locked.last_period = key
            locked.last_run_at = timezone.now()
            locked.save(update_fields=["last_period", "last_run_at"])
            ids = list(
                Report.objects.filter(schedule=schedule, year=period["year"])
                .filter(month=period.get("month"), quarter=period.get("quarter"))
                .values_list("pk", flat=True)
            )
            for report_id in ids:
                transaction.on_commit(lambda report_id=report_id: enqueue(report_id))
            created.extend(ids)
    return {"created": created}
