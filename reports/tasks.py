"""Thin Celery wrappers: they take ids and call services (style.md B8)."""

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


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
    from reports.services import report_build, report_failed

    try:
        report_build(report_id=report_id)
    except OperationalError:
        # Put it back in the queue's hands so that the retry builds it instead of seeing it "running".
        from reports.models import Report

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


@shared_task(name="reports.requeue_stale")
def requeue_stale_task() -> dict:
    from reports.services import requeue_stale

    return requeue_stale()


@shared_task(name="reports.run_schedules")
def run_schedules_task() -> dict:
    from reports.schedules import run_schedules

    return run_schedules()
