from django import template
from django.utils.safestring import mark_safe

from cells import numbers

register = template.Library()


@register.filter
def input_value(value) -> str:
    """A number as an `<input>` reads it ("7.5", never the localized "7,5" that a number box shows as empty):
    `value="{{ x|input_value }}"` in every hand-written input (cells/numbers.py)."""
    return numbers.input_value(value)


@register.filter
def display_name(user) -> str:
    """A person's name in Vietnamese order (family and middle names first), or the user name."""
    if user is None:
        return ""
    name = f"{getattr(user, 'last_name', '')} {getattr(user, 'first_name', '')}".strip()
    return name or user.get_username()


def _heat_class(ratio) -> str:
    if ratio is None:
        return "heat-none"
    for floor, name in ((1, "heat-100"), (0.75, "heat-75"), (0.5, "heat-50")):
        if ratio >= floor:
            return name
    return "heat-25" if ratio > 0 else "heat-0"


@register.simple_tag
def heat_cells(row):
    """The twelve month cells of a heat-map row (a cell shows ✓ or ·, a committee the number of its cells).
    Built here rather than in a template loop: a page has 1,200 of them. Every value is an int or one of the
    fixed class names above, so nothing needs escaping."""

    cells = int(row.cells)
    parts = []
    for _month, ratio, held, _final in row.months:
        label = ("✓" if held else "·") if row.is_cell else int(held)
        parts.append(f'<td class="text-center heat {_heat_class(ratio)}" title="{int(held)}/{cells}">{label}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - ints and fixed class names only
