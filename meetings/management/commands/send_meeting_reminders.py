"""Run the meeting reminders once, e.g. from cron where no Celery beat runs (the embedded set-up)."""

from django.core.management.base import BaseCommand

from meetings.reminders import send_meeting_reminders


class Command(BaseCommand):
    help = "Notify secretaries, then grassroots committees, then staff about cells with no meeting logged last month."

    def handle(self, *args, **options):
        result = send_meeting_reminders()
        self.stdout.write(str(result))
