"""Celery tasks of the cells app: thin wrappers that call a service (style B8). Schedules live in config/celery.py."""

from celery import shared_task

from meetings import reminders


@shared_task(name="cells.send_meeting_reminders")
def send_meeting_reminders_task() -> dict:
    """Remind, then escalate, about cells with no regular meeting logged for last month (run daily by beat)."""
    return reminders.send_meeting_reminders()
