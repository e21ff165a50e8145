"""Item 10 of #15: one way to write figures and dates (cells/formats.py), Vietnamese style."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from cells import formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4749, "4.749"),
        (4760, "4.760"),
        (0, "0"),
        (-4749, "-4.749"),
        (999, "999"),
        (1000, "1.000"),
        (12345678901234567890, "12.345.678.901.234.567.890"),
        (Decimal("77.5"), "77,5"),
        (Decimal("8.0"), "8"),
        (Decimal("12.00"), "12"),
        (77.5, "77,5"),
        (0.1 + 0.2, "0,3"),
        (Decimal("-1234.56"), "-1.234,56"),
        (Decimal("-0.001"), "0"),
        (None, ""),
        ("Chi bộ 1", "Chi bộ 1"),
        (float("nan"), "nan"),
        (Decimal("Infinity"), "Infinity"),
    ],
)
def test_num(value, expected):
    assert formats.num(value) == expected


def test_num_fixed_places():
    assert formats.num(Decimal("80.06"), 1) == "80,1"
    assert formats.num(3, 2) == "3,00"
    assert formats.num(Decimal("1234567.891"), 0) == "1.234.568"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("80.06"), "80,1%"),
        (Decimal("100.0"), "100%"),
        (100, "100%"),
        (0, "0%"),
        (12.5, "12,5%"),
        (-3.25, "-3,3%"),
        (None, ""),
        (123456, "123.456%"),
    ],
)
def test_pct(value, expected):
    assert formats.pct(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("8.0"), "8"), (Decimal("12.00"), "12"), (Decimal("77.5"), "77,5"), (7.25, "7,25"), (5, "5"), (None, "")],
)
def test_points(value, expected):
    assert formats.points(value) == expected


def test_dates():
    assert formats.date_vn(datetime.date(2026, 12, 3)) == "03/12/2026"
    assert formats.date_vn(None) == ""
    # 23:30 UTC on 2 December is 06:30 on 3 December in Hà Nội.
    moment = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)
    assert formats.date_vn(moment) == "03/12/2026"
    assert formats.datetime_vn(moment) == "03/12/2026 06:30"
    assert formats.date_vn(datetime.date(1, 1, 1)) == "01/01/0001"


def test_xlsx_number_formats():
    assert formats.xlsx_number_format(4749) == "#,##0"
    assert formats.xlsx_number_format(Decimal("8.0")) == "#,##0"
    assert formats.xlsx_number_format(Decimal("77.5")) == "#,##0.0#"
    assert formats.xlsx_number_format(datetime.date(2026, 12, 3)) == "DD/MM/YYYY"
    assert formats.xlsx_number_format("Chi bộ 1") is None
    assert formats.xlsx_number_format(True) is None


def test_filters_are_built_in():
    text = Template("{{ n|num }} {{ x|points }} {{ p|pct }} {{ d|date_vn }} {{ p|num:1 }}").render(
        Context({"n": 4749, "x": Decimal("8.0"), "p": Decimal("80.06"), "d": datetime.date(2026, 12, 3)})
    )
    assert text == "4.749 8 80,1% 03/12/2026 80,1"


def test_text_with_a_decimal_dot_is_a_number_other_text_a_label():
    # Criteria snapshots stored as JSON give "8.0" and "12.00" back as text: they showed as "/ 8.0" and "(≥ 12.00)".
    assert formats.points("8.0") == "8"
    assert formats.num("12.00") == "12"
    assert formats.num("-1234.5") == "-1.234,5"
    assert formats.pct("80.06") == "80,1%"
    assert formats.num("2026") == "2026"
    assert formats.num("1.2.3") == "1.2.3"


def test_report_cells_keep_their_own_places():
    assert formats.cell(4760) == "4.760"
    assert formats.cell(50.0) == "50,0"
    assert formats.cell(Decimal("33.3")) == "33,3"
    assert formats.cell(Decimal("1234.567")) == "1.234,57"
    assert formats.cell(datetime.date(2026, 12, 3)) == "03/12/2026"
    assert formats.cell("Chi bộ 1") == "Chi bộ 1"
    assert formats.cell(None) == ""
