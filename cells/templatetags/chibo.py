from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cells import names, numbers

register = template.Library()


@register.filter
def input_value(value) -> str:
    """A number as an `<input>` reads it ("7.5", never the localized "7,5" that a number box shows as empty):
    `value="{{ x|input_value }}"` in every hand-written input (cells/numbers.py)."""
    return numbers.input_value(value)


@register.filter
def file_name(value) -> str:
    """The last part of a stored file's name ("evaluations/3/41/bien-ban.pdf" → "bien-ban.pdf")."""
    return str(getattr(value, "name", value) or "").rsplit("/", 1)[-1]


@register.filter
def display_name(user) -> str:
    """A person's name in Vietnamese order (family and middle names first), or the user name."""
    if user is None:
        return ""
    name = f"{getattr(user, 'last_name', '')} {getattr(user, 'first_name', '')}".strip()
    return name or user.get_username()


@register.filter
def org_name(organization):
    """An organisation named in context (cells/names.py): "Chi bộ Văn phòng" and a muted "· Đảng bộ Sở Y tế"."""
    return names.org_name_html(organization)


@register.filter
def org_label(organization) -> str:
    """The plain-text variant for titles, options and PDFs: "Chi bộ Văn phòng (Đảng bộ Sở Y tế)"."""
    return names.org_label(organization)


def _heat_class(ratio) -> str:
    if ratio is None:
        return "heat-none"
    for floor, name in ((1, "heat-100"), (0.75, "heat-75"), (0.5, "heat-50")):
        if ratio >= floor:
            return name
    return "heat-25" if ratio > 0 else "heat-0"


# Month states of meetings.counting (D6) → (class, mark of a cell row, title). A cell row shows the mark, a committee
# row the number of its cells whose meeting counts.
_HEAT_STATES = {
    "counted": ("heat-100", "✓", _("counted")),
    "draft": ("heat-draft", "✎", _("draft, not finalised (not counted)")),
    "makeup": ("heat-makeup", "↻", _("make-up meeting after the grace days (not counted)")),
    "missing": ("heat-0", "✗", _("missing")),
    "pending": ("heat-pending", "…", _("not yet due")),
    "not_required": ("heat-none", "—", _("not required: the cell did not exist")),
}


def _heat_urls(row) -> dict[str, str]:
    """The pages a heat-map row's months lead to, reversed once per row (a page has 1,200 month cells)."""
    if row.is_cell:
        return {"cell": reverse("meetings:cell", args=[int(row.organization.pk)])}
    return {"list": reverse("meetings:list"), "cells": reverse("meetings:compliance_cells")}


def _heat_link(row, month, year, urls: dict[str, str]) -> str:
    """Where a heat-map cell leads (issue #15, item 7): a cell's month on its year page; a committee's month to
    the cells behind its figure (a due month) or to the meetings counted so far (a month not yet due)."""
    pk = int(row.organization.pk)
    if row.is_cell:
        return f"{urls['cell']}?year={int(year)}#month-{int(month.month)}"
    query = f"org={pk}&amp;year={int(year)}&amp;month={int(month.month)}&amp;kind=regular"
    if month.state == "pending":
        return f"{urls['list']}?{query}&amp;counted=1"
    return f"{urls['cells']}?{query}"


@register.simple_tag
def heat_cells(row, year=None):
    """The twelve month cells of a heat-map row (meetings.selectors.HeatRow): a cell shows its month state (✓
    counted, ✎ draft, ↻ make-up, ✗ missing, … not yet due, — not required), a committee the number of its cells
    whose meeting counts, coloured by their share once the month is due, with its drafts and make-up meetings
    marked apart. Built here rather than in a template loop: a page has 1,200 of them. Every value is an int, a
    fixed class name or an escaped translated label."""

    labels = {state: (css, mark, escape(str(title))) for state, (css, mark, title) in _HEAT_STATES.items()}
    words = {
        name: escape(str(word))
        for name, word in (("draft", _("draft")), ("makeup", _("make-up")), ("month", _("Month")))
    }
    urls = _heat_urls(row) if year else {}
    parts = []
    for month in row.months:
        css, mark, title = labels[month.state]
        if year and month.state != "not_required":  # with a year, each month opens what it counts
            parts.append(_linked_heat_cell(row, month, year, css, mark, title, urls, words))
            continue
        if row.is_cell:
            parts.append(f'<td class="text-center heat {css}" title="{title}">{mark}</td>')
            continue
        if month.state == "not_required":
            parts.append(f'<td class="text-center heat {css}" title="{title}">{mark}</td>')
            continue
        if month.state == "pending":
            css = "heat-pending"
        else:
            css = _heat_class(month.ratio)
        text = f"{int(month.counted)}/{int(month.required)}"
        extra = ""
        if month.drafts:
            text += f" · {int(month.drafts)} {escape(str(_('draft')))}"
            extra += f"<sup>{int(month.drafts)}✎</sup>"
        if month.makeup:
            text += f" · {int(month.makeup)} {escape(str(_('make-up')))}"
            extra += f"<sup>{int(month.makeup)}↻</sup>"
        if month.state == "pending":
            text += f" · {title}"
        parts.append(f'<td class="text-center heat {css}" title="{text}">{int(month.counted)}{extra}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - ints, fixed class names and escaped labels only


def _linked_heat_cell(row, month, year, css, mark, title, urls: dict[str, str], words: dict[str, str]) -> str:
    """A heat-map cell as a link to what it counts, its state in words for screen readers (title and label)."""
    if row.is_cell:
        text = title
    else:
        if month.state != "pending":
            css = _heat_class(month.ratio)
        text = f"{int(month.counted)}/{int(month.required)}"
        if month.drafts:
            text += f" · {int(month.drafts)} {words['draft']}"
            mark = f"{int(month.counted)}<sup>{int(month.drafts)}✎</sup>"
        else:
            mark = f"{int(month.counted)}"
        if month.makeup:
            text += f" · {int(month.makeup)} {words['makeup']}"
            mark += f"<sup>{int(month.makeup)}↻</sup>"
        if month.state == "pending":
            text += f" · {title}"
    label = f"{words['month']} {int(month.month)}: {text}"
    href = _heat_link(row, month, year, urls)
    return (
        f'<td class="text-center heat {css}" title="{text}"><a class="heat-link" href="{href}">'
        f'{mark}<span class="visually-hidden"> — {label}</span></a></td>'  # the name includes the visible mark
    )
