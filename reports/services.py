"""Report requests and builds. The request is a row; a task takes its id and builds it through `report_build`.

The same code runs in a Celery worker (with Redis) or in the request (eager mode, no broker).
"""

import datetime
import hashlib
import io
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.permissions import REPORTS, get_access
from cells.services import log_action
from reports.models import Report

logger = logging.getLogger(__name__)

# Requests one user may have waiting or building at once (a flood of requests is refused).
MAX_ACTIVE_PER_USER = getattr(settings, "REPORTS_MAX_ACTIVE_PER_USER", 3)
# A build with no heartbeat for this long is considered stuck (its worker died).
STALE_AFTER = datetime.timedelta(seconds=getattr(settings, "REPORTS_STALE_AFTER_SECONDS", 600))
MAX_ATTEMPTS = 3


def validate_period(
    *, kind: str, year: int, quarter: int | None, month: int | None, organization: Organization
) -> None:
    from reports.builders import BUILDERS

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
            from django.contrib.auth import get_user_model

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


def enqueue(report_id: int) -> None:
    from reports.tasks import report_generate as report_generate_task

    try:
        if report_generate_task.app.conf.task_always_eager:
            # Run here without touching a broker producer (Celery's eager delay() still acquires one).
            report_generate_task.apply(kwargs={"report_id": report_id})
        else:
            report_generate_task.delay(report_id=report_id)
    except Exception:  # noqa: BLE001 - eager: already recorded on the report; broker down: requeue_stale re-sends it
        logger.exception("Report %s: the build could not be run or enqueued", report_id)


def _set(report_id: int, **fields) -> None:
    Report.objects.filter(pk=report_id).update(**fields)


def report_build(*, report_id: int, as_user=None) -> Report | None:
    """Build one report: mark it running, gather the data, render PDF and XLSX, store them with the SHA-256.

    Returns None when there is nothing to do (done, or taken by another worker).
    """
    from reports.builders import BUILDERS

    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("organization").filter(pk=report_id).first()
        if report is None or report.status == Report.Status.DONE:
            return None
        if report.status == Report.Status.RUNNING and report.heartbeat_at and now - report.heartbeat_at < STALE_AFTER:
            return None  # another worker is on it
        report.status = Report.Status.RUNNING
        report.started_at = now
        report.heartbeat_at = now
        report.progress = 1
        report.attempts += 1
        report.error = ""
        report.save(update_fields=["status", "started_at", "heartbeat_at", "progress", "attempts", "error"])

    def progress(pct: int) -> None:
        _set(report.pk, progress=max(1, min(99, int(pct))), heartbeat_at=timezone.now())

    # Whose view bounds the figures: the requester, the schedule's owner, or the operator (build_report command).
    user = as_user or report.requested_by or (report.schedule.owner if report.schedule_id else None)
    if user is None:
        raise ValueError("A report needs a user whose scope bounds it.")
    built = BUILDERS[report.kind](report=report, user=user, progress=progress)
    from reports.pdf import render_pdf

    pdf_bytes = render_pdf(built.template, built.context)
    progress(90)
    xlsx_bytes = tables_to_xlsx(built.tables, title=built.title)
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    stem = f"{report.kind}-{report.organization.code}-{report.period_label.replace('/', '-')}-{report.pk}"
    report.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx_bytes), save=False)
    report.sha256 = digest
    # JSON-safe (decimals and dates as text), so the record can be compared between two builds.
    report.figures = json.loads(json.dumps(built.figures, cls=DjangoJSONEncoder))
    report.parameter_set = built.parameter_set
    report.data_as_of = built.data_as_of
    report.status = Report.Status.DONE
    report.progress = 100
    report.finished_at = timezone.now()
    report.save(
        update_fields=[
            "pdf",
            "xlsx",
            "sha256",
            "figures",
            "parameter_set",
            "data_as_of",
            "status",
            "progress",
            "finished_at",
        ]
    )
    return report


def report_failed(*, report_id: int, error: str) -> None:
    """Record the failure on the report, and count it on its schedule so that it shows (never silent)."""
    from django.db.models import F

    from reports.models import ReportSchedule

    _set(report_id, status=Report.Status.FAILED, error=error[:5000], finished_at=timezone.now())
    schedule_id = Report.objects.filter(pk=report_id).values_list("schedule_id", flat=True).first()
    if schedule_id:
        ReportSchedule.objects.filter(pk=schedule_id).update(failures=F("failures") + 1, last_error=error[:5000])


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


def tables_to_xlsx(tables: list[dict], *, title: str) -> bytes:
    """The same tables as the PDF, one sheet each, text kept as text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    used = set()
    for index, table in enumerate(tables, start=1):
        name = (table.get("sheet") or table["title"])[:28].replace("/", "-").replace(":", " ") or f"Sheet{index}"
        while name in used:
            name = f"{name[:25]}-{index}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        heading = WriteOnlyCell(sheet, value=table["title"])
        heading.font = Font(bold=True)
        sheet.append([heading])
        header = []
        for value in table["headers"]:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table["rows"]:
            cells = []
            for value in row:
                if isinstance(value, Promise):  # lazy translations (e.g. grade labels)
                    value = str(value)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
