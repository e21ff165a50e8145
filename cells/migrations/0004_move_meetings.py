"""The meeting log moved to the `meetings` app: only Django's idea of the models changes here; the tables,
their rows, constraints and indexes stay as they are (meetings.models keeps their names in `db_table`).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cells', '0003_meeting_attendance_totals'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='meeting',
            name='confirmed_by',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='finalised_by',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='minute_taker',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='organization',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='presiding',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='score_template',
        ),
        migrations.RemoveField(
            model_name='temporaryattendance',
            name='meeting',
        ),
        migrations.RemoveField(
            model_name='meetingscore',
            name='meeting',
        ),
        migrations.RemoveField(
            model_name='meetingattachment',
            name='meeting',
        ),
        migrations.RemoveField(
            model_name='meetingattachment',
            name='uploaded_by',
        ),
        migrations.RemoveField(
            model_name='meetingscore',
            name='item',
        ),
        migrations.RemoveField(
            model_name='monthlyguidance',
            name='organization',
        ),
        migrations.RemoveField(
            model_name='monthlyguidance',
            name='published_by',
        ),
        migrations.RemoveField(
            model_name='notification',
            name='user',
        ),
        migrations.RemoveField(
            model_name='temporaryattendance',
            name='transfer',
        ),
        migrations.DeleteModel(
            name='Attendance',
        ),
        migrations.DeleteModel(
            name='Meeting',
        ),
        migrations.DeleteModel(
            name='MeetingAttachment',
        ),
        migrations.DeleteModel(
            name='MeetingScore',
        ),
        migrations.DeleteModel(
            name='MonthlyGuidance',
        ),
        migrations.DeleteModel(
            name='Notification',
        ),
        migrations.DeleteModel(
            name='TemporaryAttendance',
        ),
                ],
        ),
    ]
