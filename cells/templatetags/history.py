"""`{% history_list entries %}`: every history on every page, in words (cells/history.py renders the entries,
templates/cells/includes/history.html shows them)."""

from django import template

from cells.history import history_items

register = template.Library()


@register.inclusion_tag("cells/includes/history.html")
def history_list(entries, empty_text=True):
    """The audit entries (newest first) as sentences; `empty_text=False` shows nothing when there are none."""
    return {"items": history_items(entries), "empty_text": empty_text}
