"""Thin Celery wrappers: they take ids and call services (style.md B8).

The build itself, `report_generate`, is defined next to `report_build` in reports/building.py (services enqueue it,
so it must not depend on this module); it is named here with the periodic tasks, the ones config/celery.py runs.
"""

from celery import shared_task

from reports.building import report_generate
from reports.schedules import run_schedules
from reports.services import requeue_stale

__all__ = ["report_generate", "requeue_stale_task", "run_schedules_task"]


@shared_task(name="reports.requeue_stale")
def requeue_stale_task() -> dict:
    return requeue_stale()


@shared_task(name="reports.run_schedules")
def run_schedules_task() -> dict:
    return run_schedules()
