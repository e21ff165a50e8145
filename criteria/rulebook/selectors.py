"""Reads for the rule book: which parameter set is in force in a year, and the value of each parameter."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from criteria.models import CriteriaSet, RegulationDocument, RuleParameterSet
from criteria.rulebook.book import PARAMETER_LABELS, Rule
from meetings.models import Meeting
from members.models import Discipline


@dataclass
class Segment:
    """A stretch of a year during which one parameter set is in force (or none: the defaults)."""

    start: datetime.date
    end: datetime.date
    parameter_set: RuleParameterSet | None
    whole_year: bool


@dataclass
class Value:
    segment: Segment
    value: object
    is_default: bool  # the set does not name the key (or no set is in force): RuleParameterSet.DEFAULTS


@dataclass
class ParameterRow:
    key: str
    label: str
    committee_set: bool
    values: list[Value]


def segments_of_year(year: int) -> list[Segment]:
    """The parameter sets in force in `year`, in date order, the way `criteria.selectors.parameters_on` picks them
    day by day (the latest set starting on or before the day and not ended before it). One query, with the
    sets' basis documents prefetched."""
    sets = list(RuleParameterSet.objects.prefetch_related("basis").order_by("-valid_from", "-id"))
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    segments: list[Segment] = []
    day = first
    while day <= last:
        in_force = next((s for s in sets if s.valid_from <= day and (s.valid_to is None or s.valid_to >= day)), None)
        if segments and segments[-1].parameter_set is in_force:
            segments[-1].end = day
        else:
            segments.append(Segment(start=day, end=day, parameter_set=in_force, whole_year=False))
        day += datetime.timedelta(days=1)
    if len(segments) == 1:
        segments[0].whole_year = True
    return segments


def parameter_rows(rule: Rule, segments: list[Segment]) -> list[ParameterRow]:
    rows = []
    for key in rule.parameters:
        values = []
        for segment in segments:
            named = segment.parameter_set is not None and key in (segment.parameter_set.values or {})
            value = segment.parameter_set.values[key] if named else RuleParameterSet.DEFAULTS[key]
            values.append(Value(segment=segment, value=display_value(value), is_default=not named))
        rows.append(
            ParameterRow(
                key=key,
                label=PARAMETER_LABELS.get(key, key),
                committee_set=key in RuleParameterSet.COMMITTEE_SET,
                values=values,
            )
        )
    return rows


def _code_labels() -> dict[str, str]:
    """The labels of the codes a parameter value may hold: meeting ratings, discipline forms, programmes and the
    programme eligibility rules (D4)."""
    labels = {}
    for choices in (Meeting.Rating, Discipline.Form, CriteriaSet.Programme):
        labels.update({value: str(label) for value, label in choices.choices})
    labels["NONE"] = _("no condition (the upper committee chooses)")
    labels["B21"] = _("rule B21 (past ratings)")
    return labels


def display_value(value, labels: dict[str, str] | None = None) -> str:
    """A parameter value as the committee reads it: codes by their labels, a mapping as "key: value; …", a list
    joined by commas."""
    labels = _code_labels() if labels is None else labels
    if isinstance(value, dict):
        return "; ".join(f"{labels.get(k, k)}: {display_value(v, labels)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(display_value(v, labels) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return labels.get(value, value)
    return str(value)


def documents_of(rule: Rule) -> list[RegulationDocument | str]:
    """The rule's documents, as the stored RegulationDocument where there is one, else the bare number."""
    found = {d.number: d for d in RegulationDocument.objects.filter(number__in=rule.documents)}
    return [found.get(number, number) for number in rule.documents]
