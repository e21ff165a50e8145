"""Seed the holiday calendar for 2024–2027 (cells.Holiday) from cells/holidays/seed.py, where each date's source
is stated. The committee checks and edits these rows on the holiday page (/holidays/); this migration never touches
them again."""

import datetime

from django.db import migrations

from cells.holidays.seed import SEED  # plain data; the rows are the committee's to edit once written


def seed(apps, schema_editor):
    Holiday = apps.get_model("cells", "Holiday")
    for day, name, kind, source in SEED:
        Holiday.objects.get_or_create(
            date=datetime.date.fromisoformat(day), defaults={"name": name, "kind": kind, "source": source}
        )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("cells", "Holiday")
    Holiday.objects.filter(date__in=[datetime.date.fromisoformat(day) for day, *_ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("cells", "0006_holiday_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
