"""Numbers in form inputs: written in the one format every input reads, read in both formats a person types.

The interface is Vietnamese, so the template engine writes 7.5 as "7,5". A browser's number box cannot show that:
it shows an empty box and posts "" back, and the saved value is lost on the next save. A number box also drops a
typed comma (Chromium reads "7,5" as 75). Hence, for every form of every app:

- a value given to an `<input>` is written by `input_value`: digits and a dot, never grouped ("7.5", "100");
  Django forms get it through the widgets below, hand-written inputs through the `input_value` template filter
  (`{% load chibo %}`);
- a decimal is typed in a text box with a decimal keypad (`DecimalInput`, inputmode=decimal) and read by
  `parse_decimal`, which takes "7,5" and "7.5" alike: `DecimalField` below for forms, `parse_decimal` for the
  views and services that read POST values by hand;
- whole numbers keep the browser's number box (`NumberInput`, `IntegerField`), written unlocalized.

tests/cells/test_numbers.py checks that every form field and every hand-written input goes through here.
"""

from decimal import Decimal, InvalidOperation

from django import forms

__all__ = ["DecimalField", "DecimalInput", "IntegerField", "NumberInput", "input_value", "parse_decimal"]


def decimal_text(raw: str) -> str:
    """What a person typed, as Python reads a decimal: spaces dropped, one decimal comma made a dot ("7,5" → "7.5").

    Text with both a comma and a dot ("1.234,5", "1,234.5") is left as it is, and so refused: which one is the
    decimal separator cannot be told, and guessing wrong stores a number 1,000 times too large or too small.
    """
    text = "".join(str(raw).split())
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return text


def parse_decimal(raw) -> Decimal | None:
    """A typed decimal ("7,5", "7.5", " 7 "), None when empty; InvalidOperation when it is not a finite number."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | float):
        value = Decimal(str(raw))
    else:
        text = decimal_text(raw)
        if not text:
            return None
        value = Decimal(text)  # raises InvalidOperation
    if not value.is_finite():
        raise InvalidOperation(f"not a finite number: {raw!r}")
    return value


def input_value(value) -> str:
    """`value` as an `<input>` reads it: "7.5", "100", "" for None. Never localized, never grouped.

    A string (what was posted, shown again with an error) is normalised when it is a number ("7,5" → "7.5") and
    kept as typed otherwise, so that the person sees their mistake.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else value
        if not number.is_finite():
            return str(value)
        # normalize() drops trailing zeros (7.50 → 7.5); "f" keeps 100 from becoming 1E+2.
        text = format(number.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, str):
        try:
            parsed = parse_decimal(value)
        except InvalidOperation:
            return value
        return value if parsed is None else decimal_text(value)
    return str(value)


class NumberInput(forms.NumberInput):
    """The browser's number box, for whole numbers; its value is never localized (whatever `localize` says)."""

    def format_value(self, value):
        return input_value(value) or None


class DecimalInput(forms.TextInput):
    """A decimal: a text box with the decimal keypad, so that "7,5" and "7.5" both reach the server as typed."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        return input_value(value) or None


class DecimalField(forms.DecimalField):
    """A decimal typed as "7,5" or "7.5"; shown in its box as "7.5"."""

    widget = DecimalInput

    def to_python(self, value):
        if isinstance(value, str):
            value = decimal_text(value)
        return super().to_python(value)


class IntegerField(forms.IntegerField):
    """A whole number in the browser's number box, written unlocalized."""

    widget = NumberInput
