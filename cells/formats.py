"""The one way a figure or a date is written for a person to read: pages, PDFs and spreadsheets.

Vietnamese style (config/formats/vi): thousands grouped with "." ("4.749"), decimals after "," ("77,5"), a
percentage as "80,1%", dates as dd/mm/yyyy ("03/12/2026"). Pages use the template filters of the same names
(`num`, `pct`, `points`, `date_vn`, `datetime_vn`: built in, no `{% load %}` needed); Python code that writes text
for a person (reasons, messages, PDF labels) calls the functions here; spreadsheets keep numbers as numbers and
take their cell format from `xlsx_number_format`.

Never for an `<input>`'s value: that is `cells.numbers.input_value` (unlocalized, ungrouped), nor for a URL.
tests/cells/test_formats.py checks the figures; tests/test_template_formats.py that templates use no other way.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

__all__ = ["cell", "date_vn", "datetime_vn", "num", "pct", "points", "xlsx_number_format"]

THOUSANDS = "."
DECIMAL = ","
# Excel number formats are written in the file with "," for grouping and "." for decimals; the spreadsheet program
# shows them in its own locale (a Vietnamese Excel or LibreOffice shows 4.749 and 77,5).
XLSX_INTEGER = "#,##0"
XLSX_DECIMAL = "#,##0.0#"
XLSX_DATE = "DD/MM/YYYY"
XLSX_DATETIME = "DD/MM/YYYY HH:MM"


def _decimal(value) -> Decimal | None:
    """`value` as a finite Decimal, or None when it is not a number (None, text, NaN, infinity, a bool)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        return None
    try:
        return number if number.is_finite() else None
    except InvalidOperation:  # pragma: no cover - is_finite does not raise; kept for odd subclasses
        return None


_DOTTED = re.compile(r"-?\d+\.\d+")


def _number(value):
    """`value`, or the Decimal of a text written with a decimal dot ("8.0", "12.00": a figure read back from a
    stored snapshot). Other text is left as it is: a label, or a whole number such as a year, is never regrouped."""
    if isinstance(value, str) and _DOTTED.fullmatch(value.strip()):
        return Decimal(value.strip())
    return value


def _group(digits: str) -> str:
    """ "4749" → "4.749"."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return THOUSANDS.join(parts)


def _write(number: Decimal, decimals: int | None, max_decimals: int) -> str:
    if decimals is None:
        rounded = number.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
        text = format(rounded, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        places = max(0, int(decimals))
        text = format(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    negative = text.startswith("-")
    text = text.lstrip("-")
    whole, _, fraction = text.partition(".")
    out = _group(whole) + (DECIMAL + fraction if fraction else "")
    if negative and out.strip("0.,"):
        out = "-" + out
    return out


def num(value, decimals: int | None = None) -> str:
    """A count or a measure: 4749 → "4.749", 77.5 → "77,5", Decimal("8.0") → "8"; `decimals` fixes the places
    (num(80.06, 1) → "80,1"). Without it, up to 2 decimals, trailing zeros dropped. None → ""; text (an already
    written label) is returned as it is, so a table cell that holds either can go through here; text written with
    a decimal dot ("8.0", read back from a stored snapshot) is read as the number it is."""
    value = _number(value)
    number = _decimal(value)
    if number is None:
        if isinstance(value, datetime.date):
            return date_vn(value)
        return "" if value is None else str(value)
    return _write(number, decimals, 2)


def cell(value) -> str:
    """A value of a report table (PDF): a number grouped and keeping its own decimal places, capped at 2 (a share
    computed to one place stays "50,0" beside "33,3" in its column), a date as dd/mm/yyyy, text as it is."""
    number = _decimal(value)
    if number is None:
        return num(value)
    places = min(2, max(0, -number.as_tuple().exponent))
    return _write(number, places, 2)


def points(value) -> str:
    """Points of a score: 8 → "8", Decimal("7.50") → "7,5", 12.25 → "12,25" (never "8.0" nor "12.00")."""
    return num(value)


def pct(value, decimals: int = 1) -> str:
    """A percentage already on a 0–100 scale: 80.06 → "80,1%", 100 → "100%" (a whole number keeps no ",0").
    None → "" (the page writes its own dash: a percentage of nothing is not 0%)."""
    value = _number(value)
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = _write(number, decimals, 2)
    if DECIMAL in text:
        whole, _, fraction = text.partition(DECIMAL)
        fraction = fraction.rstrip("0")
        text = whole + (DECIMAL + fraction if fraction else "")
    return f"{text}%"


def date_vn(value) -> str:
    """A date as dd/mm/yyyy ("03/12/2026"); a datetime is shown on its local day. None or "" → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return str(value)


def datetime_vn(value) -> str:
    """A moment as dd/mm/yyyy HH:MM in local time. None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{date_vn(value.date())} {value.hour:02d}:{value.minute:02d}"
    return date_vn(value)


def xlsx_number_format(value) -> str | None:
    """The cell format for a value written to a spreadsheet as a number or a date, None for text (a label stays
    text: it is never reformatted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        return XLSX_DATETIME
    if isinstance(value, datetime.date):
        return XLSX_DATE
    if isinstance(value, int):
        return XLSX_INTEGER
    if isinstance(value, float | Decimal):
        number = _decimal(value)
        if number is None:
            return None
        return XLSX_INTEGER if number == number.to_integral_value() else XLSX_DECIMAL
    return None
