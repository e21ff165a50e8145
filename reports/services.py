"""Report requests. The request is a row; once it is committed, `enqueue` hands its id to the build
(reports/building.py), which runs in a Celery worker (with Redis) or in the request (eager mode, no broker).
`requeue_stale` sends again the builds whose worker stopped answering.
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
from reports.building import STALE_AFTER, enqueue
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
) -> Report:
    """Record a report request and enqueue its build once the transaction commits."""
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


def requeue_stale(*, now: datetime.datetime | None = None) -> dict:
    """Find builds whose worker stopped answering: run them again, or fail them after MAX_ATTEMPTS."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    requeued, failed = [], []
    with transaction.atomic():
        stale = list(
            Report.objects.select_for_update(skip_locked=True).filter(
                status=Report.Status.RUNNING, heartbeat_at__lt=cutoff
            )
        )
        for report in stale:
            if report.attempts >= MAX_ATTEMPTS:
                report.status = Report.Status.FAILED
                report.error = _("The build stopped %(count)s times without finishing (worker lost).") % {
                    "count": report.attempts
                }
                report.finished_at = now
                report.save(update_fields=["status", "error", "finished_at"])
                failed.append(report.pk)
            else:
                report.status = Report.Status.PENDING
                report.progress = 0
                report.save(update_fields=["status", "progress"])
                requeued.append(report.pk)
        # Pending ones never picked up (broker lost the message): enqueue again too.
        forgotten = Report.objects.filter(
            status=Report.Status.PENDING, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        ).exclude(pk__in=requeued)
        requeued.extend(forgotten.values_list("pk", flat=True))
        for report_id in requeued:
            transaction.on_commit(lambda report_id=report_id: enqueue(report_id))
    return {"requeued": requeued, "failed": failed}
