"""The holiday calendar pages (Vietnamese UI: "Ngày nghỉ lễ, Tết"): bloc-wide reference data, like the criteria sets.

Anyone with a grant that allows VIEW somewhere reads it (every working-day deadline depends on it); only holders of
MANAGE_TREE (committee staff) add, edit and delete days. Others get 403; a day that does not exist is a 404.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.forms_pages import save_form
from cells.holidays import services
from cells.holidays.forms import HolidayForm
from cells.inputs import YEAR_MAX, YEAR_MIN, int_param
from cells.models import Holiday
from cells.permissions import MANAGE_TREE, VIEW, get_access, require_anywhere


def _list_url(year: int) -> str:
    return f"{reverse('holidays:list')}?year={year}"


@require_GET
def holiday_list(request):
    require_anywhere(request.user, VIEW)
    year = int_param(request, "year", default=timezone.localdate().year, min=YEAR_MIN, max=YEAR_MAX)
    days = list(Holiday.objects.filter(date__year=year).order_by("date"))
    years = sorted({day.year for day in Holiday.objects.dates("date", "year")} | {year})
    return render(
        request,
        "cells/holiday_list.html",
        {
            "year": year,
            "years": years,
            "days": days,
            "weekdays_off": sum(1 for day in days if day.kind == Holiday.Kind.DAY_OFF and day.date.weekday() < 5),
            "can_manage": get_access(request.user).can_anywhere(MANAGE_TREE),
        },
    )


def _form_page(request, form, title: str, year: int, **extra):
    return render(
        request,
        "cells/holiday_form.html",
        {"form": form, "title": title, "cancel_url": _list_url(year), "year": year, **extra},
    )


def holiday_create(request):
    require_anywhere(request.user, MANAGE_TREE)
    year = int_param(request, "year", default=timezone.localdate().year, min=YEAR_MIN, max=YEAR_MAX)
    form = HolidayForm(request.POST or None)
    return save_form(
        request,
        form,
        lambda data: services.holiday_create(data=data, created_by=request.user),
        message=lambda holiday: _("Added %(day)s.") % {"day": str(holiday)},
        to=lambda holiday: _list_url(holiday.date.year),
    ) or _form_page(request, form, _("New day in the holiday calendar"), year)


def _managed_holiday(request, pk) -> Holiday:
    require_anywhere(request.user, MANAGE_TREE)
    return get_object_or_404(Holiday, pk=pk)


def holiday_edit(request, pk):
    holiday = _managed_holiday(request, pk)
    initial = {field: getattr(holiday, field) for field in services.FIELDS} | {"version": holiday.version}
    form = HolidayForm(request.POST or None, initial=initial)
    return save_form(
        request,
        form,
        lambda data: services.holiday_update(
            holiday=holiday, data=data, version=data.get("version"), updated_by=request.user
        ),
        message=_("Saved."),
        to=lambda saved: _list_url(saved.date.year),
    ) or _form_page(
        request,
        form,
        _("Edit %(day)s") % {"day": holiday.date.strftime("%d/%m/%Y")},
        holiday.date.year,
        holiday=holiday,
    )


def holiday_delete(request, pk):
    holiday = _managed_holiday(request, pk)
    if request.method == "POST":
        services.holiday_delete(holiday=holiday, deleted_by=request.user)
        messages.success(request, _("Deleted %(day)s.") % {"day": str(holiday)})
        return redirect(_list_url(holiday.date.year))
    return render(
        request,
        "cells/holiday_confirm_delete.html",
        {
            "holiday": holiday,
            "title": _("Delete %(day)s from the holiday calendar?") % {"day": holiday.date.strftime("%d/%m/%Y")},
            "cancel_url": _list_url(holiday.date.year),
        },
    )
