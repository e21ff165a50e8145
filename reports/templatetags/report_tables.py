"""The layout of a report table in the PDF (templates/reports/pdf/includes/table.html): how each column is
aligned, from the table's own `align` or from its values (Built's docstring in reports/builders/common.py)."""

from decimal import Decimal

from django import template

register = template.Library()

ALIGNS = ("left", "right", "center")
WIDE_FROM = 8  # columns: past this, a table prints in a smaller size and its first column takes a fixed share


@register.filter(name="is_figure")
def is_number(value) -> bool:
    """A figure (int, float, Decimal, not a bool): printed on one line, never broken."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.simple_tag
def table_columns(table, centered=False) -> list[dict]:
    """Per column: `align` ("left", "right", "center"), `nowrap` (a column of figures) and `width` (a share of
    the page for the text column of a wide table, or "").

    A column holding any number is a column of figures: right-aligned, so that units sit under units, with its
    text cells ("—", "chưa đến hạn") aligned the same way; other columns are text, left-aligned. The table's
    `align` wins; `centered` (a legacy switch of the include) centres every column but the first that holds no
    figures."""
    headers = list(table.get("headers") or [])
    rows = [*table.get("rows", []), *([table["totals"]] if table.get("totals") else [])]
    width = max([len(headers), *(len(row) for row in rows)] or [0])
    given = list(table.get("align") or [])
    columns = []
    for index in range(width):
        values = [row[index] for row in rows if index < len(row)]
        numeric = any(is_number(v) for v in values)
        align = given[index] if index < len(given) and given[index] in ALIGNS else None
        if align is None:
            align = "right" if numeric and index > 0 else ("center" if centered and index > 0 else "left")
        columns.append({"align": align, "nowrap": numeric, "width": ""})
    # A wide table of figures (a heat-map: a name and twelve months) would squeeze its one text column to its
    # longest word, one word a line: that column takes a fixed share, the figures the rest.
    if width > WIDE_FROM and columns and not columns[0]["nowrap"]:
        columns[0]["width"] = "28%"
    return columns


@register.filter
def column(columns, index):
    """`columns|column:forloop.counter0`: the layout of one column (left-aligned text past the end)."""
    try:
        return columns[int(index)]
    except (IndexError, TypeError, ValueError):
        return {"align": "left", "nowrap": False, "width": ""}
