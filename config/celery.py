"""The Celery app. Eager (in-process) when no broker is configured, real with Redis."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("chibo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#
# Periodic jobs: the one place they are defined. Run `celery -A config beat` next to a worker.
# Crontab times are in CELERY_TIMEZONE (Asia/Ho_Chi_Minh, see config/settings.py).
#
app.conf.beat_schedule = {
    # crontab(minute=0, hour=7): every day at 07:00 Vietnam time. The job does not need a fixed day: the service
    # decides from the day of the month which stages are due (secretaries from MEETING_REMINDER_DAY, then the
    # grassroots committee, then the staff), and Notification.key makes a rerun send nothing twice, so running
    # daily means a day the beat missed is caught up the next morning.
    "meeting-reminders": {
        "task": "cells.send_meeting_reminders",
        "schedule": crontab(minute=0, hour=7),
    },
    # crontab(minute="*/5"): every five minutes. Builds whose worker stopped answering (no heartbeat for
    # REPORTS_STALE_AFTER_SECONDS) are queued again, or failed after three attempts; lost queue messages too.
    "reports-requeue-stale": {
        "task": "reports.requeue_stale",
        "schedule": crontab(minute="*/5"),
    },
    # crontab(minute=0, hour=6): every day at 06:00. Each ReportSchedule (admin: "Lịch lập báo cáo") decides by its
    # own day of the month and frequency whether the period that just ended is due; a period is built once.
    "reports-run-schedules": {
        "task": "reports.run_schedules",
        "schedule": crontab(minute=0, hour=6),
    },
    # crontab(minute=30, hour=3): every night. The tokens that make a form take effect once (cells.SubmittedForm)
    # are forgotten after 30 days.
    "cells-purge-submitted-forms": {
        "task": "cells.purge_submitted_forms",
        "schedule": crontab(minute=30, hour=3),
    },
}


@app.task(name="chibo.ping")
def ping() -> str:
    """A no-op task: /healthz and the broker round-trip test use it."""
    return "pong"
