import datetime

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from cells import figcache
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
    """The parameter set valid on each of `days`: the latest one starting on or before the day and not ended
    before it. One query whatever the number of days (the sets are a handful of rows)."""
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
    return parameters_on_days([day])[day]


# A parameter set added, changed or removed may change every figure: the cached ones are renewed (cells/figcache.py).
post_save.connect(figcache.tree_changed, sender=RuleParameterSet, dispatch_uid="figcache.rules.saved")
post_delete.connect(figcache.tree_changed, sender=RuleParameterSet, dispatch_uid="figcache.rules.deleted")
