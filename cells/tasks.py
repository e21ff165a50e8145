"""Periodic jobs of the bottom layer (scheduled in config/celery.py)."""

from celery import shared_task

from cells.concurrency import purge_submitted_forms


@shared_task(name="cells.purge_submitted_forms")
def purge_submitted_forms_task() -> int:
    return purge_submitted_forms()
