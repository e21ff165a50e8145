"""An organisation's name in context: the one way every page, list, form and report names an organisation where
names repeat ("Chi bộ Văn phòng" exists under many grassroots committees).

The name is followed by its parent's name, except for a root and a root's children (depth 0 and 1: the parent is
then the bloc committee itself, the same for every row, so it would tell nothing):

- in a page, `{{ org|org_name }}` (cells/templatetags/chibo.py): "Chi bộ Văn phòng" and a muted
  "· Đảng bộ Sở Y tế";
- as plain text (PDFs, spreadsheets, select options, titles), `{{ org|org_label }}` or `org_label(org)`:
  "Chi bộ Văn phòng (Đảng bộ Sở Y tế)".

Cheap at scale: the parent's name comes with the row, never from a query per row. A list feeding it either
selects the parent (`select_related("parent")`, or `with_parent_name()` below for `values()` rows and annotated
querysets) or passes a mapping/object with `name`, `depth` and `parent_name`. An Organization whose parent was not
loaded still renders correctly, at the cost of one query (the query-count guards of the list pages catch that).
"""

from django import forms
from django.db.models import F, QuerySet
from django.utils.html import format_html

# Depth from which the parent is shown: the children of a root all share it (the bloc committee).
PARENT_SHOWN_FROM_DEPTH = 2


def _get(org, attribute: str, default=None):
    if isinstance(org, dict):
        return org.get(attribute, default)
    return getattr(org, attribute, default)


def name_of(org) -> str:
    if org is None:
        return ""
    if isinstance(org, str):
        return org
    return str(_get(org, "name", "") or "")


def parent_name_of(org) -> str:
    """The name shown beside `org`'s to tell it from a namesake: its parent's, or "" when none is needed."""
    if org is None or isinstance(org, str):
        return ""
    depth = _get(org, "depth")
    if depth is not None and depth < PARENT_SHOWN_FROM_DEPTH:
        return ""
    # An annotated or given parent name first (values() rows, with_parent_name()), then the loaded parent.
    given = org.get("parent_name") if isinstance(org, dict) else getattr(org, "__dict__", {}).get("parent_name")
    if given is not None:
        return str(given)
    if isinstance(org, dict) or not _get(org, "parent_id"):
        return ""
    parent = getattr(org, "parent", None)
    return str(parent.name) if parent is not None else ""


def org_label(org) -> str:
    """Plain text: "Chi bộ Văn phòng (Đảng bộ Sở Y tế)", or the name alone when no parent is needed."""
    name, parent = name_of(org), parent_name_of(org)
    return f"{name} ({parent})" if parent else name


def org_name_html(org):
    """HTML: the name and a muted "· parent" (escaped)."""
    name, parent = name_of(org), parent_name_of(org)
    if not parent:
        return format_html("{}", name)
    return format_html('{}<span class="org-parent text-muted small"> · {}</span>', name, parent)


def with_parent_name(queryset: QuerySet) -> QuerySet:
    """An Organization queryset annotated with `parent_name`, what org_label() needs without a query per row
    (for values() rows too: ask for "name", "depth" and "parent_name")."""
    return queryset.annotate(parent_name=F("parent__name"))


class OrganizationChoiceField(forms.ModelChoiceField):
    """A choice of organisation whose options name each one in context ("Chi bộ Văn phòng (Đảng bộ Sở Y tế)"),
    the parents read in the same query as the options."""

    def label_from_instance(self, obj) -> str:
        return org_label(obj)

    def _set_queryset(self, queryset):
        super()._set_queryset(None if queryset is None else queryset.select_related("parent"))

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)
