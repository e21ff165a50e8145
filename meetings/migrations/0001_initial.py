import django.db.models.deletion
import django.utils.timezone
import meetings.models
from django.conf import settings
"""The meeting log, moved here from `cells` (and its score sheets from `criteria`) without touching a table:
the models are created in Django's state only, on the tables that already hold the rows (`db_table`).
Then the content types follow the models (so permissions and admin history keep pointing at them) and
audit entries that name a moved model by its old label are relabelled (the meeting page reads its history by label).
"""

from django.db import migrations, models


MOVED = {
    "cells": ["meeting", "attendance", "temporaryattendance", "meetingattachment", "meetingscore", "monthlyguidance",
              "notification"],
    "criteria": ["meetingscoretemplate", "meetingscoreitem"],
}


def relabel(apps, schema_editor, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("cells", "AuditEntry")
    for old_app, names in MOVED.items():
        source, target = (old_app, "meetings") if forward else ("meetings", old_app)
        for name in names:
            # A content type the target already has (post_migrate made it) wins; the source's copy goes.
            if ContentType.objects.filter(app_label=target, model=name).exists():
                ContentType.objects.filter(app_label=source, model=name).delete()
            else:
                ContentType.objects.filter(app_label=source, model=name).update(app_label=target)
            AuditEntry.objects.filter(target_type=f"{source}.{name}").update(target_type=f"{target}.{name}")


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cells', '0004_move_meetings'),
        ('criteria', '0007_move_meetings'),
        ('members', '0005_drop_help_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('THUONG_KY', 'Regular monthly meeting'), ('CHUYEN_DE', 'Thematic meeting'), ('KET_HOP', 'Regular meeting combined with a thematic one'), ('BAT_THUONG', 'Extraordinary meeting'), ('CAP_UY', 'Cell committee meeting')], default='THUONG_KY', max_length=16, verbose_name='kind of meeting')),
                ('period_year', models.PositiveSmallIntegerField(verbose_name='year it counts for')),
                ('period_month', models.PositiveSmallIntegerField(verbose_name='month it counts for')),
                ('date', models.DateField(verbose_name='date')),
                ('start_time', models.TimeField(verbose_name='start time')),
                ('end_time', models.TimeField(verbose_name='end time')),
                ('location', models.CharField(blank=True, max_length=255, verbose_name='place')),
                ('format', models.CharField(choices=[('TRUC_TIEP', 'In person'), ('TRUC_TUYEN', 'Online'), ('KET_HOP', 'In person and online')], default='TRUC_TIEP', max_length=16, verbose_name='format')),
                ('guests', models.CharField(blank=True, max_length=500, verbose_name='guests')),
                ('upper_attendee', models.CharField(blank=True, max_length=255, verbose_name='upper-committee member attending')),
                ('topic', models.CharField(blank=True, max_length=500, verbose_name='topic')),
                ('pre_meeting_on', models.DateField(blank=True, null=True, verbose_name='cell committee prepared it on')),
                ('documents_sent_on', models.DateField(blank=True, null=True, verbose_name='documents sent to members on')),
                ('content', models.TextField(blank=True, verbose_name='content')),
                ('discussion', models.TextField(blank=True, verbose_name='discussion')),
                ('conclusion', models.TextField(blank=True, verbose_name='conclusion or resolution')),
                ('vote_for', models.PositiveIntegerField(blank=True, null=True, verbose_name='votes for')),
                ('vote_against', models.PositiveIntegerField(blank=True, null=True, verbose_name='votes against')),
                ('vote_abstain', models.PositiveIntegerField(blank=True, null=True, verbose_name='abstentions')),
                ('status', models.CharField(choices=[('NHAP', 'Draft'), ('DA_CHOT', 'Finalised')], default='NHAP', max_length=8, verbose_name='state')),
                ('score', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='quality score')),
                ('rating', models.CharField(blank=True, choices=[('TOT', 'Good'), ('KHA', 'Fair'), ('TRUNG_BINH', 'Average'), ('KEM', 'Poor')], max_length=16, verbose_name='quality rating')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('finalised_at', models.DateTimeField(blank=True, null=True)),
                ('present_count', models.PositiveIntegerField(default=0, editable=False)),
                ('eligible_count', models.PositiveIntegerField(default=0, editable=False)),
                ('version', models.PositiveIntegerField(default=1)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('finalised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('minute_taker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member', verbose_name='minute-taker')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='cells.organization', verbose_name='party cell')),
                ('presiding', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member', verbose_name='presiding')),
            ],
            options={
                'verbose_name': 'cell meeting',
                'verbose_name_plural': 'cell meetings',
                'db_table': 'cells_meeting',
                'ordering': ['-period_year', '-period_month', '-date'],
            },
        ),
        migrations.CreateModel(
            name='MeetingAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(upload_to=meetings.models.meeting_upload_to, verbose_name='file')),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveIntegerField()),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='meetings.meeting')),
                ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'attachment',
                'verbose_name_plural': 'attachments',
                'db_table': 'cells_meetingattachment',
                'ordering': ['meeting', 'uploaded_at'],
            },
        ),
        migrations.CreateModel(
            name='MeetingScoreTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                ('levels', models.JSONField(default=dict, verbose_name='levels')),
                ('basis', models.ManyToManyField(blank=True, related_name='+', to='criteria.regulationdocument', verbose_name='basis')),
            ],
            options={
                'verbose_name': 'meeting score template',
                'verbose_name_plural': 'meeting score templates',
                'db_table': 'criteria_meetingscoretemplate',
                'ordering': ['-valid_from'],
            },
        ),
        migrations.CreateModel(
            name='MeetingScoreItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('section', models.CharField(max_length=200, verbose_name='section')),
                ('code', models.CharField(max_length=20, verbose_name='code')),
                ('text', models.CharField(max_length=500, verbose_name='criterion')),
                ('max_points', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='maximum points')),
                ('auto_key', models.CharField(blank=True, choices=[('attendance', 'Attendance rate'), ('duration', 'Duration'), ('minutes', 'Minutes complete'), ('documents', 'Documents sent a day ahead'), ('preparation', 'Prepared by the cell committee')], max_length=20, verbose_name='filled from the log')),
                ('required_for_top', models.BooleanField(default=False, verbose_name='full marks needed for the top rating')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('template', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='meetings.meetingscoretemplate')),
            ],
            options={
                'verbose_name': 'score sheet item',
                'verbose_name_plural': 'score sheet items',
                'db_table': 'criteria_meetingscoreitem',
                'ordering': ['template', 'order'],
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='score_template',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.meetingscoretemplate'),
        ),
        migrations.CreateModel(
            name='MonthlyGuidance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('month', models.PositiveSmallIntegerField(verbose_name='month')),
                ('title', models.CharField(max_length=255, verbose_name='title')),
                ('content', models.TextField(verbose_name='suggested content')),
                ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='guidance', to='cells.organization')),
                ('published_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'monthly content guidance',
                'verbose_name_plural': 'monthly content guidance',
                'db_table': 'cells_monthlyguidance',
                'ordering': ['-year', '-month', 'organization__depth'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200)),
                ('message', models.CharField(max_length=1000)),
                ('link', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('emailed_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'db_table': 'cells_notification',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='TemporaryAttendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('present', models.BooleanField(default=True, verbose_name='present')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='temporary_attendances', to='meetings.meeting')),
                ('transfer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.transfer')),
            ],
            options={
                'verbose_name': "temporary member's attendance",
                'verbose_name_plural': "temporary members' attendance",
                'db_table': 'cells_temporaryattendance',
                'ordering': ['meeting', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('CO_MAT', 'Present'), ('VANG_CO_LY_DO', 'Absent with reason'), ('VANG_KHONG_LY_DO', 'Absent without reason'), ('MIEN', 'Exempt (not counted)'), ('NHIEM_VU_DAC_BIET', 'On special duty (not counted)')], default='CO_MAT', max_length=20, verbose_name='attendance')),
                ('reason', models.CharField(blank=True, max_length=255, verbose_name='reason')),
                ('member_status', models.CharField(blank=True, help_text='Member status on the meeting date', max_length=32)),
                ('spoke', models.BooleanField(default=False, verbose_name='spoke')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendances', to='members.member')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='meetings.meeting')),
            ],
            options={
                'verbose_name': 'attendance',
                'verbose_name_plural': 'attendance',
                'db_table': 'cells_attendance',
                'ordering': ['meeting', 'member__sort_key'],
                'indexes': [models.Index(fields=['member', 'meeting'], name='cells_attendance_member_idx')],
                'constraints': [models.UniqueConstraint(fields=('meeting', 'member'), name='cells_attendance_unique_member')],
            },
        ),
        migrations.CreateModel(
            name='MeetingScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('points', models.DecimalField(decimal_places=1, max_digits=5)),
                ('automatic', models.BooleanField(default=False)),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='meetings.meeting')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.meetingscoreitem')),
            ],
            options={
                'verbose_name': 'meeting score',
                'verbose_name_plural': 'meeting scores',
                'db_table': 'cells_meetingscore',
                'ordering': ['meeting', 'item__order'],
                'constraints': [models.UniqueConstraint(fields=('meeting', 'item'), name='cells_meetingscore_unique_item')],
            },
        ),
        migrations.AddConstraint(
            model_name='meetingscoreitem',
            constraint=models.UniqueConstraint(fields=('template', 'code'), name='criteria_scoreitem_unique_code'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['period_year', 'period_month', 'organization'], name='cells_meeting_period_idx'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ('THUONG_KY', 'KET_HOP'))), fields=('organization', 'period_year', 'period_month'), name='cells_meeting_one_regular_per_month', violation_error_message='This cell already has a regular meeting for that month.'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('user', 'key'), name='cells_notification_unique_key'),
        ),
        migrations.AddConstraint(
            model_name='temporaryattendance',
            constraint=models.UniqueConstraint(fields=('meeting', 'transfer'), name='cells_tempattendance_unique'),
        ),
                ],
        ),
            migrations.RunPython(relabel, relabel_back),
    ]
