"""Building one report: gather its data (reports/builders.py), render the PDF and the XLSX, store them.

`enqueue(report_id)` hands a requested report to the `report_generate` task, which builds it through
`report_build` in a Celery worker (with Redis) or here in the process (eager mode, no broker). Requests and the
watch over stuck builds are in reports/services.py; the periodic tasks in reports/tasks.py.
"""

import datetime
import hashlib
import io
import json
import logging
import re

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from cells import formats, pdf
from cells.inputs import xlsx_text
from reports.builders import BUILDERS
from reports.models import Report, ReportSchedule

logger = logging.getLogger(__name__)

# A build with no heartbeat for this long is considered stuck (its worker died).
STALE_AFTER = datetime.timedelta(seconds=getattr(settings, "REPORTS_STALE_AFTER_SECONDS", 600))


def _set(report_id: int, **fields) -> None:
    Report.objects.filter(pk=report_id).update(**fields)


def report_build(*, report_id: int, as_user=None) -> Report | None:
    """Build one report: mark it running, gather the data, render PDF and XLSX, store them with the SHA-256.

    Returns None when there is nothing to do (done, or taken by another worker).
    """
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
    pdf_bytes = pdf.render_pdf(built.template, built.context)  # through the module: bench/run.py times it
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
    _set(report_id, status=Report.Status.FAILED, error=error[:5000], finished_at=timezone.now())
    schedule_id = Report.objects.filter(pk=report_id).values_list("schedule_id", flat=True).first()
    if schedule_id:
        ReportSchedule.objects.filter(pk=schedule_id).update(failures=F("failures") + 1, last_error=error[:5000])


def tables_to_xlsx(tables: list[dict], *, title: str) -> bytes:
    """The same tables as the PDF, one sheet each, text kept as text (never a formula)."""
    workbook = Workbook(write_only=True)
    used = set()
    for index, table in enumerate(tables, start=1):
        name = xlsx_text(str(table.get("sheet") or table["title"]))[:28].replace("/", "-").replace(":", " ")
        name = re.sub(r"[\\*?\[\]]", " ", name).strip() or f"Sheet{index}"
        while name in used:
            name = f"{name[:25]}-{index}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        heading = WriteOnlyCell(sheet, value=xlsx_text(str(table["title"])))
        heading.font = Font(bold=True)
        sheet.append([heading])
        header = []
        for value in table["headers"]:
            cell = WriteOnlyCell(sheet, value=xlsx_text(str(value)))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table["rows"]:
            cells = []
            for value in row:
                if isinstance(value, Promise):  # lazy translations (e.g. grade labels)
                    value = str(value)
                # Stored text may hold what XML cannot (a row written before the input policy): never fail on it.
                cell = WriteOnlyCell(sheet, value=xlsx_text(value))
                if isinstance(value, str):
                    cell.data_type = "s"
                elif number_format := formats.xlsx_number_format(value):
                    cell.number_format = number_format  # numbers stay numbers, shown grouped (cells/formats.py)
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@shared_task(
    name="reports.report_generate",
    bind=True,
    acks_late=True,  # a worker killed mid-build leaves the message to be delivered again
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),  # transient database trouble
    retry_backoff=5,
    retry_kwargs={"max_retries": 3},
)
def report_generate(self, report_id: int) -> None:
    """The build as a Celery task (a thin wrapper: it takes the id and calls `report_build`)."""
    try:
        report_build(report_id=report_id)
    except OperationalError:
        # Put it back in the queue's hands so that the retry builds it instead of seeing it "running".
        try:
            Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
                status=Report.Status.PENDING, progress=0
            )
        except OperationalError:
            pass  # database still away: the heartbeat goes stale and requeue_stale takes it
        raise
    except Exception as error:  # noqa: BLE001 - record every other failure on the report, then re-raise
        logger.exception("Report %s failed", report_id)
        report_failed(report_id=report_id, error=f"{error.__class__.__name__}: {error}")
        raise


def enqueue(report_id: int) -> None:
    try:
        if report_generate.app.conf.task_always_eager:
            # Run here without touching a broker producer (Celery's eager delay() still acquires one).
            report_generate.apply(kwargs={"report_id": report_id})
        else:
            report_generate.delay(report_id=report_id)
    except Exception:  # noqa: BLE001 - eager: already recorded on the report; broker down: requeue_stale re-sends it
        logger.exception("Report %s: the build could not be run or enqueued", report_id)
