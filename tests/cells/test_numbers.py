"""Numbers in form inputs (cells/numbers.py): written as every input reads them, read as a person types them.

The page-level and browser checks are in tests/browser/test_form_round_trip.py; here the pieces, and two sweeps
that keep every form and every hand-written input on them.
"""

import importlib
import pkgutil
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from cells import numbers
from cells.numbers import DecimalField, DecimalInput, IntegerField, NumberInput, input_value, parse_decimal

APPS = ("cells", "members", "meetings", "criteria", "evaluations", "reports", "config", "demo")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7,5", Decimal("7.5")),
        ("7.5", Decimal("7.5")),
        (" 83,5 ", Decimal("83.5")),
        ("10", Decimal("10")),
        ("0", Decimal("0")),
        ("", None),
        ("   ", None),
        (None, None),
        (Decimal("7.50"), Decimal("7.50")),
        (3, Decimal("3")),
    ],
)
def test_parse_decimal_reads_a_comma_and_a_dot_alike(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "7,5,1", "1.234,5", "1,234.5", "NaN", "Infinity", "7..5"])
def test_parse_decimal_refuses_what_is_not_one_finite_number(typed):
    with pytest.raises(InvalidOperation):
        parse_decimal(typed)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("7.5"), "7.5"),
        (Decimal("83.50"), "83.5"),
        (Decimal("10.0"), "10"),
        (Decimal("100"), "100"),
        (Decimal("0.0"), "0"),
        (Decimal("1234567.5"), "1234567.5"),
        (7.5, "7.5"),
        (2026, "2026"),
        (12345, "12345"),
        (None, ""),
        ("", ""),
        ("7,5", "7.5"),  # posted, shown again with an error
        ("abc", "abc"),  # kept as typed, so the person sees their mistake
    ],
)
def test_input_value_is_never_localized(value, expected):
    assert input_value(value) == expected


def test_the_template_engine_would_write_a_comma_and_the_filter_does_not():
    template = Template('{% load chibo %}<input value="{{ x }}"><input value="{{ x|input_value }}">')

    html = template.render(Context({"x": Decimal("7.5")}))

    assert html == '<input value="7,5"><input value="7.5">'


class Sample(forms.Form):
    points = DecimalField(max_digits=6, decimal_places=1, required=False)
    localized = DecimalField(max_digits=6, decimal_places=1, required=False, localize=True)
    count = IntegerField(required=False)


@pytest.mark.parametrize("typed", ["7,5", "7.5", " 7,5"])
def test_decimal_field_reads_a_comma_and_a_dot(typed):
    form = Sample({"points": typed, "localized": typed, "count": "3"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"points": Decimal("7.5"), "localized": Decimal("7.5"), "count": 3}


def test_decimal_field_refuses_an_ambiguous_number():
    form = Sample({"points": "1.234,5"})

    assert not form.is_valid()
    assert "points" in form.errors


def test_widgets_write_the_plain_value_even_when_asked_to_localize():
    form = Sample(initial={"points": Decimal("83.5"), "localized": Decimal("9.5"), "count": 12345})

    html = str(form)

    assert 'name="points" value="83.5"' in html
    assert 'name="localized" value="9.5"' in html
    assert 'type="number" name="count" value="12345"' in html
    assert 'inputmode="decimal"' in html


def test_a_refused_form_shows_the_typed_decimal_as_its_box_reads_it():
    form = Sample({"points": "7,5", "count": "x"})

    assert not form.is_valid()
    assert 'name="points" value="7.5"' in str(form)


#
# Sweeps: every form field of the apps, every hand-written input of the templates
#


def _app_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS:
            found.append(cls)
    return found


def test_every_numeric_form_field_of_the_apps_reads_and_writes_through_cells_numbers():
    offenders = []
    app_forms = _app_forms()
    for form_class in app_forms:
        for name, field in form_class.base_fields.items():
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            # (Django's DecimalField and FloatField are IntegerFields too.)
            if isinstance(field, forms.DecimalField):
                if not isinstance(field, DecimalField):
                    offenders.append(f"{where}: use cells.numbers.DecimalField")
                elif not isinstance(field.widget, DecimalInput | forms.HiddenInput):
                    offenders.append(f"{where}: a decimal in a number box loses a typed comma; use DecimalInput")
            elif isinstance(field, forms.FloatField):
                offenders.append(f"{where}: a float field; use cells.numbers.DecimalField")
            elif field.widget.is_localized and not isinstance(field.widget, NumberInput | DecimalInput):
                # A whole number is written unlocalized unless asked (localize=True), in any widget.
                offenders.append(f"{where}: a localized number; use cells.numbers.IntegerField")
    assert len(app_forms) > 20, "the forms of the apps were not found"
    assert offenders == []


INPUT = re.compile(r"<input\b[^>]*>", re.S)
NUMERIC = re.compile(r'type="number"|inputmode="(decimal|numeric)"')
VALUE = re.compile(r'\b(value|min|max|step|data-max)="([^"]*\{\{[^"]*)"')


def test_every_hand_written_number_input_writes_its_value_with_input_value():
    offenders, seen = [], 0
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in INPUT.findall(path.read_text(encoding="utf-8")):
            if not NUMERIC.search(tag):
                continue
            seen += 1
            if 'type="number"' in tag and 'inputmode="decimal"' in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: a decimal in a number box loses a comma: {tag}")
            for attribute, value in VALUE.findall(tag):
                if "|input_value" not in value:
                    offenders.append(f"{path.relative_to(TEMPLATES)}: {attribute}={value!r} needs |input_value")
    assert seen >= 5, "the number inputs of the templates were not found"
    assert offenders == []


def test_whole_numbers_are_never_grouped():
    # Ids and versions are written into names and hidden inputs as the template engine writes an int: "12345",
    # as long as no thousands separator is added ("12.345" would be read back as 12.345 or refused).
    assert settings.USE_THOUSAND_SEPARATOR is False
    assert Template("{{ n }}").render(Context({"n": 12345})) == "12345"


def test_the_module_says_what_it_exports():
    assert set(numbers.__all__) <= set(dir(numbers))
