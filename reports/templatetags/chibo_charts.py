"""Small arithmetic for the SVG charts shared by the web pages and the PDF reports."""

from django import template

register = template.Library()


@register.filter
def mul(value, factor):
    return int(value) * int(factor)


@register.simple_tag
def chart_height(chart) -> int:
    return max(34, 34 * len(chart))


@register.simple_tag
def bar_width(value, full, offset=0) -> str:
    """The width (or x position, with an offset) of a bar for a percentage, clamped to 0..100."""
    try:
        pct = max(0.0, min(100.0, float(value)))
    except (TypeError, ValueError):
        pct = 0.0
    return f"{offset + full * pct / 100:.1f}"


@register.simple_tag
def chart_rows(chart, target=None) -> list[tuple]:
    """The bars of a chart as (label, percent, its target): a row given as (label, percent) takes `target`."""
    rows = []
    for row in chart:
        label, value, *rest = row
        own = rest[0] if rest else None
        rows.append((label, value, own if own is not None else target))
    return rows


@register.simple_tag
def chart_has_target(rows) -> bool:
    """Whether any bar of `chart_rows` carries a target: the legend then explains the marker."""
    return any(row[2] is not None for row in rows)
