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
import math
import re
import threading
import time
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from cells import formats, pdf
from cells.inputs import xlsx_text
from reports.builders import BUILDERS
from reports.builders.common import document_context
from reports.models import Report, ReportSchedule

logger = logging.getLogger(__name__)


def stale_after() -> datetime.timedelta:
    """A build with no heartbeat for this long has lost its worker. Read at each use (a setting a test may change)."""
    return datetime.timedelta(seconds=settings.REPORTS_STALE_AFTER_SECONDS)


# The limit as configured at start-up, for code that reads it once (tests compute dates from it).
STALE_AFTER = stale_after()

# Where the progress bar stands: gathering the data fills 1–GATHER_END % (the builders' own 0–100 scaled down),
# rendering the PDF GATHER_END–RENDER_END % (estimated by time: WeasyPrint has no progress hook), the rest is the
# spreadsheet and storing the files. Rendering is most of a build's time, so it gets most of the bar.
GATHER_END = 30
RENDER_END = 95
RENDER_ESTIMATE_DEFAULT = 10.0  # seconds, for a kind never built before


def _set(report_id: int, **fields) -> None:
    Report.objects.filter(pk=report_id).update(**fields)


def render_estimate(report: Report) -> float:
    """Seconds the PDF of `report` should take to render: most of the last build of the same kind (same
    organisation if there is one, else any), or a default. Only for moving the progress bar."""
    done = Report.objects.filter(
        kind=report.kind, status=Report.Status.DONE, started_at__isnull=False, finished_at__isnull=False
    ).exclude(pk=report.pk)
    for builds in (done.filter(organization_id=report.organization_id), done):
        last = builds.order_by("-finished_at").values_list("started_at", "finished_at").first()
        if last:
            return max(1.0, 0.8 * (last[1] - last[0]).total_seconds())
    return RENDER_ESTIMATE_DEFAULT


class Heartbeat:
    """The build's pulse on its row: `heartbeat_at` and `progress`.

    A thread writes the heartbeat every REPORTS_HEARTBEAT_SECONDS for the whole build, so that a long query or a
    long render never looks like a dead worker (the report page and requeue_stale take a build with an old
    heartbeat for lost). While the PDF renders (`rendering()`), it also moves the progress from where it stood
    towards RENDER_END, quickly at first and then ever slower, by the time elapsed against an estimate: the bar
    advances during rendering without ever reaching the end before the PDF is there.

    The thread writes through its own database connection and closes it. It writes only while the row is still
    this attempt's (RUNNING with the same `attempts`: a build taken over by another worker is left alone) and
    never lowers the progress (Greatest). Inside a transaction (a build run eagerly in a test) it does not start:
    its writes would wait for the caller's row lock.
    """

    def __init__(self, *, report_id: int, attempt: int, threaded: bool = True):
        self.report_id = report_id
        self.attempt = attempt
        self.interval = float(settings.REPORTS_HEARTBEAT_SECONDS)
        self._lock = threading.Lock()
        self._progress = 1
        self._render: tuple[float, int, float] | None = None  # (started, from %, estimate in seconds)
        self._stop = threading.Event()
        self._thread = None
        if threaded and not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, name=f"report-{report_id}-heartbeat", daemon=True)
            self._thread.start()

    def set(self, pct: float) -> None:
        """A step reached (from the build's own thread)."""
        with self._lock:
            self._progress = max(self._progress, max(1, min(99, int(pct))))
            value = self._progress
        self._write(value)

    def current(self) -> int:
        with self._lock:
            if self._render is None:
                return self._progress
            started, start, estimate = self._render
            share = 1 - math.exp(-2 * (time.monotonic() - started) / estimate)  # 86 % of the way at the estimate
            return max(self._progress, min(RENDER_END - 1, int(start + (RENDER_END - start) * share)))

    @contextmanager
    def rendering(self, *, estimate: float):
        with self._lock:
            self._render = (time.monotonic(), self._progress, max(0.1, estimate))
        try:
            yield
        finally:
            with self._lock:
                self._render = None
        self.set(RENDER_END)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(10.0, 2 * self.interval))

    def _write(self, value: int) -> None:
        Report.objects.filter(pk=self.report_id, status=Report.Status.RUNNING, attempts=self.attempt).update(
            progress=Greatest(F("progress"), Value(value)), heartbeat_at=timezone.now()
        )

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self._write(self.current())
                except DatabaseError:  # the database away for a moment: the next beat tries again
                    logger.warning("Report %s: heartbeat not written", self.report_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


def report_build(*, report_id: int, as_user=None) -> Report | None:
    """Build one report: mark it running, gather the data, render PDF and XLSX, store them with the SHA-256.

    Returns None when there is nothing to do (done, or taken by another worker).
    """
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("organization").filter(pk=report_id).first()
        if report is None or report.status == Report.Status.DONE:
            return None
        if report.status == Report.Status.RUNNING and report.heartbeat_at and now - report.heartbeat_at < stale_after():
            return None  # another worker is on it
        report.status = Report.Status.RUNNING
        report.started_at = now
        report.heartbeat_at = now
        report.progress = 1
        report.attempts += 1
        report.error = ""
        report.save(update_fields=["status", "started_at", "heartbeat_at", "progress", "attempts", "error"])

    heartbeat = Heartbeat(report_id=report.pk, attempt=report.attempts)
    try:
        return _build(report, heartbeat=heartbeat, as_user=as_user)
    finally:
        heartbeat.stop()


def _build(report: Report, *, heartbeat: Heartbeat, as_user) -> Report:
    def progress(pct: int) -> None:
        # The builders count 0–100 for gathering; on the bar it is the first GATHER_END %.
        heartbeat.set(1 + (GATHER_END - 1) * max(0, min(100, pct)) / 100)

    # Whose view bounds the figures: the requester, the schedule's owner, or the operator (build_report command).
    user = as_user or report.requested_by or (report.schedule.owner if report.schedule_id else None)
    if user is None:
        raise ValueError("A report needs a user whose scope bounds it.")
    built = BUILDERS[report.kind](report=report, user=user, progress=progress)
    merge_narrative(built, report.narrative, report_id=report.pk)
    heartbeat.set(GATHER_END)
    with heartbeat.rendering(estimate=render_estimate(report)):
        pdf_bytes = pdf.render_pdf(built.template, document_context(built))  # through the module: bench/run.py times it
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


def merge_narrative(built, narrative: dict, *, report_id: int) -> None:
    """Staff-edited paragraphs (Report.narrative: {section key: [paragraph, ...]}, reports/documents/) win over the
    ones the builder drafted from the figures; a section staff did not touch keeps the drafted text. The drafted
    text is kept on the report (`drafted_sections`) for the edit page."""
    drafted = [{**section, "paragraphs": [str(p) for p in section.get("paragraphs", [])]} for section in built.sections]
    Report.objects.filter(pk=report_id).update(drafted_sections=json.loads(json.dumps(drafted, default=str)))
    for section in built.sections:
        edited = (narrative or {}).get(section.get("key"))
        if isinstance(edited, list):
            section["paragraphs"] = [str(paragraph) for paragraph in edited]


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
