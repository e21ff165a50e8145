from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

NOT_COUNTED = ("MIEN", "NHIEM_VU_DAC_BIET")


def backfill(apps, schema_editor):
    """Totals of the meetings logged before the fields existed: one UPDATE."""
    Meeting = apps.get_model("cells", "Meeting")
    Attendance = apps.get_model("cells", "Attendance")

    def total(**filters):
        rows = Attendance.objects.filter(meeting=OuterRef("pk"), **filters)
        if not filters:
            rows = rows.exclude(status__in=NOT_COUNTED)
        return Coalesce(Subquery(rows.order_by().values("meeting").annotate(n=Count("pk")).values("n")), 0)

    Meeting.objects.update(present_count=total(status="CO_MAT"), eligible_count=total())


class Migration(migrations.Migration):
    dependencies = [
        ("cells", "0002_meeting_attendance_meetingattachment_meetingscore_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="eligible_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="meeting",
            name="present_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
