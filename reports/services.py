"""Report requests. The request is a row; once it is committed, `enqueue` hands its id to the build
(reports/building.py), which runs in a Celery worker (with Redis) or in the request (eager mode, no broker).
`requeue_stale` (the beat job) and `watch_build` (the report page, beat or not) send again the builds whose worker
stopped answering; `report_retry` is the user's button for a failed or stalled build.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.permissions import REPORTS, get_access
from cells.services import log_action
from reports.builders import BUILDERS
from reports.building import STALE_AFTER, enqueue, stale_after

__all__ = ["STALE_AFTER", "is_stalled", "report_request", "report_retry", "requeue_stale", "watch_build"]
from reports.models import Report

# Requests one user may have waiting or building at once (a flood of requests is refused).
MAX_ACTIVE_PER_USER = getattr(settings, "REPORTS_MAX_ACTIVE_PER_USER", 3)
MAX_ATTEMPTS = 3


def validate_period(
    *, kind: str, year: int, quarter: int | None, month: int | None, organization: Organization
) -> None:
    today = timezone.localdate()
    if kind not in BUILDERS:
        raise ValidationError({"kind": _("Unknown kind of report.")})
    if month and quarter:
        raise ValidationError({"month": _("Choose a month or a quarter, not both.")})
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    if quarter is not None and not 1 <= quarter <= 4:
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4.")})
    if year < 2000:
        raise ValidationError({"year": _("Check the year.")})
    first_month = month or (3 * (quarter - 1) + 1 if quarter else 1)
    if (year, first_month) > (today.year, today.month):
        raise ValidationError({"year": _("A report cannot cover a period that has not begun.")})
    if kind in (Report.Kind.EVALUATION, Report.Kind.MODEL_CELLS, Report.Kind.CELL_PROFILE) and (month or quarter):
        raise ValidationError({"month": _("This report covers a whole year.")})
    if kind == Report.Kind.CELL_PROFILE and not organization.is_cell:
        raise ValidationError({"organization": _("A cell profile is made for a party cell.")})


def report_request(
    *,
    user,
    organization: Organization,
    kind: str,
    year: int,
    quarter: int | None = None,
    month: int | None = None,
    schedule=None,
    params: dict | None = None,
) -> Report:
    """Record a report request and enqueue its build once the transaction commits. `params` are the kind's own
    choices (the model-cell report's programme)."""
    if user is not None and not get_access(user).can(REPORTS, organization):
        raise ValidationError(_("You may not request reports for %(name)s.") % {"name": organization.name})
    validate_period(kind=kind, year=year, quarter=quarter, month=month, organization=organization)
    with transaction.atomic():
        if user is not None and schedule is None:
            # Lock the user's row so that two simultaneous requests cannot both pass the limit.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            active = Report.objects.filter(requested_by=user, status__in=Report.ACTIVE).count()
            if active >= MAX_ACTIVE_PER_USER:
                raise ValidationError(
                    _("You already have %(count)s reports being built. Wait for them to finish.") % {"count": active}
                )
        report = Report.objects.create(
            kind=kind,
            organization=organization,
            year=year,
            quarter=quarter,
            month=month,
            requested_by=user,
            schedule=schedule,
            params=params or {},
        )
        log_action(
            actor=user,
            action="reports.report.requested",
            organization=organization,
            target=report,
            message=str(report),
        )
        transaction.on_commit(lambda: enqueue(report.pk))
    return report


def is_stalled(report: Report, *, now: datetime.datetime | None = None) -> bool:
    """No sign of life for REPORTS_STALE_AFTER_SECONDS: a RUNNING build whose worker stopped writing its heartbeat
    (killed, or the machine gone), or a PENDING one no worker has taken up (none running, or the message lost).
    `heartbeat_at` is the last sign of life: written by the build, and set when the build is queued again."""
    cutoff = (now or timezone.now()) - stale_after()
    if report.status == Report.Status.RUNNING:
        return (report.heartbeat_at or report.started_at or report.created_at) < cutoff
    if report.status == Report.Status.PENDING:
        return (report.heartbeat_at or report.created_at) < cutoff
    return False


def _take_up(report: Report, *, now: datetime.datetime) -> bool:
    """A locked, stalled RUNNING report: queue it again (True), or fail it after MAX_ATTEMPTS with the reason."""
    if report.attempts >= MAX_ATTEMPTS:
        report.status = Report.Status.FAILED
        report.error = _("The build stopped %(count)s times without finishing (worker lost).") % {
            "count": report.attempts
        }
        report.finished_at = now
        report.save(update_fields=["status", "error", "finished_at"])
        return False
    report.status = Report.Status.PENDING
    report.progress = 0
    report.heartbeat_at = now  # the waiting for a worker starts again now
    report.error = _("The worker building this report stopped answering; the build was queued again.")
    report.save(update_fields=["status", "progress", "heartbeat_at", "error"])
    transaction.on_commit(lambda: enqueue(report.pk))
    return True


def watch_build(*, report: Report, now: datetime.datetime | None = None) -> Report:
    """The report page's watch over its build, which needs no beat job: a RUNNING report seen stalled is taken up
    here (queued again while attempts remain, else failed with the reason, and the page offers a retry).

    Once per stall however many people watch: the row is locked (skip_locked: another viewer is on it) and checked
    again under the lock, and a report queued again is PENDING with a fresh `heartbeat_at`. Returns the report as
    it is now (the same object, refreshed when it changed)."""
    now = now or timezone.now()
    if report.status != Report.Status.RUNNING or not is_stalled(report, now=now):
        return report
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(skip_locked=True)
            .filter(pk=report.pk, status=Report.Status.RUNNING)
            .first()
        )
        if locked is not None and is_stalled(locked, now=now):
            _take_up(locked, now=now)
    report.refresh_from_db(fields=["status", "progress", "heartbeat_at", "error", "finished_at", "attempts"])
    return report


def report_retry(*, report: Report, user) -> Report:
    """Build again a report that failed, or whose build stalled (the page offers the button then)."""
    now = timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not (locked.status == Report.Status.FAILED or is_stalled(locked, now=now)):
            raise ValidationError(_("Only a failed or stalled report can be built again."))
        locked.status = Report.Status.PENDING
        locked.progress = 0
        locked.error = ""
        locked.heartbeat_at = now
        locked.finished_at = None
        locked.save(update_fields=["status", "progress", "error", "heartbeat_at", "finished_at"])
        log_action(
            actor=user,
            action="reports.report.retried",
            organization=locked.organization,
            target=locked,
            message=str(locked),
        )
    enqueue(locked.pk)  # committed: the worker (or the eager build, here) sees it PENDING
    return locked


def requeue_stale(*, now: datetime.datetime | None = None) -> dict:
    """Find builds whose worker stopped answering: run them again, or fail them after MAX_ATTEMPTS (the beat job;
    the report page does the same for the report it shows, see `watch_build`)."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    requeued, failed = [], []
    with transaction.atomic():
        stale = list(
            Report.objects.select_for_update(skip_locked=True).filter(
                status=Report.Status.RUNNING, heartbeat_at__lt=cutoff
            )
        )
        for report in stale:
            (requeued if _take_up(report, now=now) else failed).append(report.pk)
        # Pending ones never picked up (broker lost the message): enqueue again too.
        forgotten = Report.objects.filter(
            status=Report.Status.PENDING, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        ).exclude(pk__in=requeued)
        lost = list(forgotten.values_list("pk", flat=True))
        requeued.extend(lost)
        for report_id in lost:
            transaction.on_commit(lambda report_id=report_id: enqueue(report_id))
    return {"requeued": requeued, "failed": failed}
