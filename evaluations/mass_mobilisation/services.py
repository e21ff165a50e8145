"""The "Dân vận khéo" register (D9, B25): services and selectors.

One register per organisation and year: model name, field, level recognised, score. A model with a level is
recognised, and a recognised model scores within the range of the rule parameters in force for its year
(`dan_van_kheo_min_score`..`dan_van_kheo_max_score`, 75–100 by default, set by the committee: the seed only
observed that range). B25's "warn if recognised with < 75" is therefore a refusal: such a model cannot be recorded.
The range used is copied into the row, so that a later change of the parameters never changes a recorded model.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cells.concurrency import check_version
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.models import Organization
from cells.permissions import VIEW, require, scope_filter
from cells.services import log_action
from cells.text import one_line
from criteria.selectors import parameters_on
from evaluations.models import MassMobilisationModel

Level = MassMobilisationModel.Level

FIELDS = ("name", "field", "level", "score", "decision_no", "notes")


@dataclass(frozen=True)
class ScoreRange:
    """The scores a recognised model may have in a year (B25), from the parameters in force at the year's end."""

    year: int
    low: Decimal
    high: Decimal

    def snapshot(self) -> dict:
        return {"dan_van_kheo_min_score": str(self.low), "dan_van_kheo_max_score": str(self.high)}


def score_range(year: int) -> ScoreRange:
    params = parameters_on(datetime.date(year, 12, 31))
    return ScoreRange(
        year=year,
        low=Decimal(str(params["dan_van_kheo_min_score"])),
        high=Decimal(str(params["dan_van_kheo_max_score"])),
    )


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _clean(data: dict, *, year: int) -> dict:
    """The register row's values, checked against B25; raises a ValidationError on its fields."""
    values = {name: data.get(name) for name in FIELDS}
    values["name"] = one_line(values["name"] or "")
    values["decision_no"] = one_line(values["decision_no"] or "")
    values["notes"] = (values["notes"] or "").strip()
    values["level"] = values["level"] or ""
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = _("Enter the name of the model.")
    if values["field"] not in MassMobilisationModel.Field.values:
        errors["field"] = _("Choose the field of the model.")
    if values["level"] and values["level"] not in Level.values:
        errors["level"] = _("Choose a level from the list.")
    if not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _("Enter a year between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}
        raise ValidationError(errors)
    limits = score_range(year)
    score = values["score"]
    if values["level"]:
        if score is None:
            errors["score"] = _("A recognised model has a score: enter it.")
        elif not limits.low <= score <= limits.high:
            errors["score"] = _(
                "A recognised model scores from %(low)s to %(high)s points (rule B25, parameters in force for "
                "%(year)s); %(score)s is outside. Leave the level empty if the model was not recognised."
            ) % {"low": _number(limits.low), "high": _number(limits.high), "year": year, "score": _number(score)}
    elif score is not None and not Decimal(0) <= score <= limits.high:
        errors["score"] = _("A score lies between 0 and %(high)s points.") % {"high": _number(limits.high)}
    if errors:
        raise ValidationError(errors)
    values["parameters_snapshot"] = limits.snapshot()
    return values


def _log(model: MassMobilisationModel, *, actor, action: str, data: dict | None = None) -> None:
    log_action(
        actor=actor,
        action=f"evaluations.mass_mobilisation.{action}",
        organization=model.organization,
        target=model,
        message=f"{model.name} ({model.year})",
        data=data or {},
    )


def model_create(*, organization: Organization, year: int, data: dict, created_by) -> MassMobilisationModel:
    """Add a model to the organisation's register for `year` (D9); refused outside B25's range."""
    with transaction.atomic():
        values = _clean(data, year=year)
        model = MassMobilisationModel.objects.create(
            organization=organization, year=year, created_by=created_by, **values
        )
        _log(model, actor=created_by, action="created", data={"level": model.level, "score": str(model.score)})
    return model


def model_update(*, model: MassMobilisationModel, data: dict, version, updated_by) -> MassMobilisationModel:
    """Edit a register row (its organisation and year stay); `version` guards against a stale form."""
    with transaction.atomic():
        model = MassMobilisationModel.objects.select_for_update().select_related("organization").get(pk=model.pk)
        check_version(model, version)
        values = _clean(data, year=model.year)
        changes = {
            name: [str(getattr(model, name) or ""), str(values[name] or "")]
            for name in FIELDS
            if getattr(model, name) != values[name]
        }
        if not changes:
            return model
        for name, value in values.items():
            setattr(model, name, value)
        model.version += 1
        model.save()
        _log(model, actor=updated_by, action="updated", data={"changes": changes})
    return model


def model_delete(*, model: MassMobilisationModel, deleted_by) -> None:
    with transaction.atomic():
        model = MassMobilisationModel.objects.select_for_update().select_related("organization").get(pk=model.pk)
        _log(model, actor=deleted_by, action="deleted", data={"level": model.level, "score": str(model.score)})
        model.delete()


#
# Reads (through the access module)
#


def models_visible_to(user, *, action: str = VIEW) -> QuerySet[MassMobilisationModel]:
    return MassMobilisationModel.objects.filter(scope_filter(user, prefix="organization__", action=action))


def get_model_for_user(user, pk, *, action: str = VIEW) -> MassMobilisationModel:
    """A register row for `user`: 404 outside their subtrees (or missing), 403 when the role is too weak."""
    try:
        model = MassMobilisationModel.objects.select_related("organization").get(pk=int(pk))
    except (MassMobilisationModel.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, action, model.organization)
    return model


def register(*, user, root: Organization, year: int) -> QuerySet[MassMobilisationModel]:
    """The models of `root`'s subtree for `year`, within the user's scope."""
    return (
        models_visible_to(user)
        .filter(organization__path__startswith=root.path, year=year)
        .select_related("organization__parent")
        .order_by("organization__path", "name", "pk")
    )


def level_counts(*, user, root: Organization, year: int) -> dict:
    """{"levels": [(level, label, n)], "recognised": n, "not_recognised": n, "total": n} for the subtree and year:
    the counts by level of the yearly report (D9). One query."""
    counts = {
        row["level"]: row["n"]
        for row in register(user=user, root=root, year=year).order_by().values("level").annotate(n=Count("id"))
    }
    levels = [(level.value, level.label, counts.get(level.value, 0)) for level in Level]
    recognised = sum(n for _value, _label, n in levels)
    return {
        "levels": levels,
        "recognised": recognised,
        "not_recognised": counts.get("", 0),
        "total": recognised + counts.get("", 0),
    }
