"""The meeting score sheets moved to the `meetings` app: state only, the tables and rows stay as they are.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cells', '0004_move_meetings'),
        ('criteria', '0006_seed_criteria_sets'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='meetingscoretemplate',
            name='basis',
        ),
        migrations.DeleteModel(
            name='MeetingScoreItem',
        ),
        migrations.DeleteModel(
            name='MeetingScoreTemplate',
        ),
                ],
        ),
    ]
