"""Item 10 of #15: dates typed and shown as dd/mm/yyyy whatever the browser's language (cells/forms.py)."""

import datetime

import pytest
from django import forms
from django.utils import translation

from cells.forms import DateField, DateInput


class OneDate(forms.Form):
    day = DateField(label="Day", required=False)


@pytest.mark.parametrize(
    "typed",
    ["03/12/2026", "3/12/2026", " 03/12/2026 ", "03-12-2026", "3.12.2026", "03122026", "2026-12-03"],
)
def test_date_field_reads_dd_mm_yyyy_and_iso(typed):
    form = OneDate(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    "typed", ["31/02/2026", "29/02/2025", "00/12/2026", "03/13/2026", "12/3", "hôm nay", "2026-02-30"]
)
def test_date_field_refuses_impossible_dates_in_vietnamese(typed):
    with translation.override("vi"):
        form = OneDate(data={"day": typed})
        assert not form.is_valid()
        message = form.errors["day"][0]
    assert "không phải là một ngày" in message
    assert "dd/mm/yyyy" in message


def test_leap_day_is_a_date():
    form = OneDate(data={"day": "29/02/2028"})
    assert form.is_valid(), form.errors


def test_date_box_is_text_shown_as_dd_mm_yyyy():
    html = DateInput().render("day", datetime.date(2026, 12, 3))
    assert 'type="text"' in html
    assert 'value="03/12/2026"' in html
    assert 'inputmode="numeric"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    assert "pattern=" in html
    assert 'type="date"' not in html


def test_a_refused_date_is_shown_back_as_typed():
    form = OneDate(data={"day": "31/02/2026"})
    assert 'value="31/02/2026"' in str(form["day"])
