"""Writes to the holiday calendar (cells.Holiday), which every working-day deadline reads (cells.calendar).

Only committee staff (MANAGE_TREE somewhere) reach these services, through cells/holidays/views.py. A day off on a
Saturday or Sunday is recorded but changes no deadline (those are never working days; the compensatory weekday off
is its own row); a make-up working day (ngày làm bù) must be a Saturday or Sunday. One row per date.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cells.concurrency import check_version
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.models import Holiday
from cells.services import log_action
from cells.text import one_line

FIELDS = ("date", "name", "kind", "source")


def _clean(holiday: Holiday, data: dict) -> None:
    errors: dict[str, str] = {}
    day = data.get("date")
    if not isinstance(day, datetime.date):
        errors["date"] = _("Enter a valid date.")
    elif not YEAR_MIN <= day.year <= YEAR_MAX:
        errors["date"] = _("The year must be between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}
    name = one_line(data.get("name") or "")
    if not name:
        errors["name"] = _("Enter the name of the holiday.")
    kind = data.get("kind") or Holiday.Kind.DAY_OFF
    if kind not in Holiday.Kind.values:
        errors["kind"] = _("Choose whether the day is a day off or a make-up working day.")
    elif isinstance(day, datetime.date):
        weekend = day.weekday() >= 5
        if kind == Holiday.Kind.WORKING_DAY and not weekend:
            errors["date"] = _(
                "%(date)s is a %(weekday)s, already a working day: a make-up working day is a Saturday or a Sunday."
            ) % {"date": day.strftime("%d/%m/%Y"), "weekday": _weekday(day)}
    if isinstance(day, datetime.date) and "date" not in errors:
        if Holiday.objects.filter(date=day).exclude(pk=holiday.pk).exists():
            errors["date"] = _("%(date)s is already in the holiday calendar.") % {"date": day.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    holiday.date = day
    holiday.name = name[:200]
    holiday.kind = kind
    holiday.source = one_line(data.get("source") or "")[:300]


def _weekday(day: datetime.date) -> str:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ][day.weekday()]


def _saved(holiday: Holiday) -> Holiday:
    try:
        with transaction.atomic():
            holiday.save()
    except IntegrityError:  # the same date added at the same moment by someone else
        raise ValidationError(
            {"date": _("%(date)s is already in the holiday calendar.") % {"date": holiday.date.strftime("%d/%m/%Y")}}
        ) from None
    return holiday


def holiday_create(*, data: dict, created_by) -> Holiday:
    with transaction.atomic():
        holiday = Holiday()
        _clean(holiday, data)
        _saved(holiday)
        log_action(actor=created_by, action="cells.holiday.created", target=holiday, message=str(holiday))
    return holiday


def holiday_update(*, holiday: Holiday, data: dict, version, updated_by) -> Holiday:
    """Change a calendar day; refused when someone else saved it since the form was read (`version`)."""
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
        check_version(holiday, version)
        before = str(holiday)
        _clean(holiday, data)
        holiday.version += 1
        _saved(holiday)
        log_action(actor=updated_by, action="cells.holiday.updated", target=holiday, message=f"{before} → {holiday}")
    return holiday


def holiday_delete(*, holiday: Holiday, deleted_by) -> None:
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().filter(pk=holiday.pk).first()
        if holiday is None:
            return
        log_action(actor=deleted_by, action="cells.holiday.deleted", target=holiday, message=str(holiday))
        holiday.delete()
