"""The rule book pages: every rule and decision, and the parameters in force for a chosen year.

Anyone with VIEW somewhere reads them (the rules apply to every cell); holders of MANAGE_TREE are told where to
change a parameter (the admin's rule parameter sets, which only superusers open: they get the links).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.inputs import YEAR_MAX, YEAR_MIN, int_param
from cells.permissions import MANAGE_TREE, VIEW, get_access, require_anywhere
from criteria.models import RuleParameterSet
from criteria.rulebook import book
from criteria.rulebook.selectors import documents_of, parameter_rows, segments_of_year


def _year(request) -> int:
    """?year= (default this year); a year that is not one, or out of range, falls back with a message."""
    this_year = timezone.localdate().year
    year = int_param(request, "year", min=YEAR_MIN, max=YEAR_MAX)
    if year is None:
        if request.GET.get("year", "").strip():
            messages.warning(
                request,
                _("The year must be a whole number from %(min)s to %(max)s: showing %(year)s.")
                % {"min": YEAR_MIN, "max": YEAR_MAX, "year": this_year},
            )
        year = this_year
    return year


def _places(rule: book.Rule) -> list[dict]:
    """The rule's pages, one line per page (two places on the same page share the line)."""
    places: dict[str, dict] = {}
    for place in rule.places:
        line = places.setdefault(place.url_name, {"label": place.label, "url": reverse(place.url_name), "notes": []})
        if place.note:
            line["notes"].append(place.note)
    return list(places.values())


@require_GET
def rule_list(request):
    require_anywhere(request.user, VIEW)
    year = _year(request)
    sections = [
        {"label": label, "rules": [rule for rule in book.RULES if rule.group == value]}
        for value, label in book.Group.choices
    ]
    return render(
        request,
        "rulebook/rule_list.html",
        {
            "year": year,
            "sections": sections,
            "segments": segments_of_year(year),
            "certainties": book.Certainty,
            "year_min": YEAR_MIN,
            "year_max": YEAR_MAX,
        },
    )


@require_GET
def rule_detail(request, code):
    require_anywhere(request.user, VIEW)
    rule = book.get(code)
    if rule is None:
        raise Http404
    year = _year(request)
    segments = segments_of_year(year)
    access = get_access(request.user)
    return render(
        request,
        "rulebook/rule_detail.html",
        {
            "rule": rule,
            "year": year,
            "group_label": book.Group(rule.group).label,
            "certainty_label": book.Certainty(rule.certainty).label,
            "segments": segments,
            "parameters": parameter_rows(rule, segments),
            "documents": documents_of(rule),
            "related": [book.BY_CODE[code] for code in rule.related if code in book.BY_CODE],
            "places": _places(rule),
            "can_manage": access.can_anywhere(MANAGE_TREE),
            "can_admin": access.is_superuser,
            "admin_changelist": reverse("admin:criteria_ruleparameterset_changelist"),
            "committee_keys": RuleParameterSet.COMMITTEE_SET,
            "year_min": YEAR_MIN,
            "year_max": YEAR_MAX,
        },
    )
