"""The template filters of cells/formats.py, built into every template (settings TEMPLATES "builtins"):
`{{ n|num }}`, `{{ x|num:1 }}`, `{{ p|pct }}`, `{{ s|points }}`, `{{ d|date_vn }}`, `{{ t|datetime_vn }}`."""

from django import template

from cells import formats

register = template.Library()


@register.filter
def num(value, decimals=None) -> str:
    """4749 → "4.749", 77.5 → "77,5"; `|num:1` fixes one decimal place."""
    return formats.num(value, None if decimals in (None, "") else int(decimals))


@register.filter
def pct(value, decimals=1) -> str:
    """80.06 → "80,1%"."""
    return formats.pct(value, 1 if decimals in (None, "") else int(decimals))


@register.filter
def cell(value) -> str:
    """A report table's value: 4760 → "4.760", 50.0 → "50,0" (its own decimal places), a date as dd/mm/yyyy."""
    return formats.cell(value)


@register.filter
def points(value) -> str:
    """Decimal("8.0") → "8", 7.5 → "7,5"."""
    return formats.points(value)


@register.filter(expects_localtime=True)
def date_vn(value) -> str:
    """A date as dd/mm/yyyy."""
    return formats.date_vn(value)


@register.filter(expects_localtime=True)
def datetime_vn(value) -> str:
    """A moment as dd/mm/yyyy HH:MM."""
    return formats.datetime_vn(value)
