import datetime

from django.db.models import Q
from django.utils import timezone

from criteria.models import RuleParameterSet


class Parameters:
    """The parameter values in force on one date; falls back to RuleParameterSet.DEFAULTS."""

    def __init__(self, parameter_set: RuleParameterSet | None):
        self.parameter_set = parameter_set

    def __getitem__(self, key: str):
        if self.parameter_set is not None:
            return self.parameter_set.get(key)
        return RuleParameterSet.DEFAULTS[key]


def parameters_on_days(days) -> dict[datetime.date, Parameters]:
    """`parameters_on` for several days at once (a page listing many dated records): one query, as the
    parameter sets are a handful of rows, chosen in memory with the same rule."""
    sets = list(RuleParameterSet.objects.order_by("-valid_from", "-id"))
    return {
        day: Parameters(
            next((s for s in sets if s.valid_from <= day and (s.valid_to is None or s.valid_to >= day)), None)
        )
        for day in set(days)
    }


def parameters_on(day: datetime.date | None = None) -> Parameters:
    """The parameter set valid on `day` (today by default): the latest one starting on or before it."""
    day = day or timezone.localdate()
    parameter_set = (
        RuleParameterSet.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from", "-id")
        .first()
    )
    return Parameters(parameter_set)
