"""The HTXSNV quota (B12, decision D3): in each unit, HTXSNV at most `htxs_quota_pct_of_htt` % of the HTTNV (rounded
down), plus the places of any exception recorded with the deciding body's justification.

D3: the quota is a property of the final tally, not of the order of decisions. Saving a grade never fails because
of the quota; the pages show the live tally; the check blocks at the closing step:
- members, within each grassroots organisation (TCCSĐ): when its member review is closed
  (ratings.services.member_review_lock) and when the year is locked;
- organisations: the TCCSĐ under each upper committee, and the subordinate organisations (cells, sub-committees)
  under each đảng bộ cơ sở: when the year is locked (review.services.period_lock).
A reopen clears the closing; closing again runs the check again on the tally of that moment.

Every figure here is read from the decided grades (final_grade) and the parameters of the period's set.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from cells.models import Organization
from evaluations import rules
from evaluations.models import EvaluationPeriod, Grade, MemberEvaluation, OrgEvaluation, QuotaException

MEMBERS = QuotaException.Scope.MEMBERS
ORGANISATIONS = QuotaException.Scope.ORGANISATIONS


@dataclass
class Tally:
    """One unit's decided HTXSNV and HTTNV against its places."""

    unit: Organization
    scope: str
    excellent: int
    good: int
    pct: object
    extra_places: int
    allowed: int

    @property
    def over(self) -> bool:
        return self.excellent > self.allowed

    @property
    def over_by(self) -> int:
        return max(self.excellent - self.allowed, 0)

    @property
    def remaining(self) -> int:
        return self.allowed - self.excellent


def grassroots_of(organization: Organization) -> Organization | None:
    """The grassroots organisation (đảng bộ cơ sở or chi bộ cơ sở) at or above a node: the members' quota unit."""
    if organization.is_grassroots:
        return organization
    ids = organization.ancestor_ids()
    return Organization.objects.filter(pk__in=ids, kind__in=Organization.GRASSROOTS_KINDS).order_by("-depth").first()


def extra_places(*, period: EvaluationPeriod, scope: str, unit_ids: Iterable[int]) -> dict[int, int]:
    """The exception places recorded per unit for this period and scope."""
    return {
        row["organization_id"]: row["n"]
        for row in QuotaException.objects.filter(period=period, scope=scope, organization_id__in=list(unit_ids))
        .values("organization_id")
        .annotate(n=Sum("extra_places"))
    }


def _tally(unit, scope, counts: dict, extra: int, params: dict) -> Tally:
    good, excellent = counts.get(Grade.GOOD, 0), counts.get(Grade.EXCELLENT, 0)
    return Tally(
        unit=unit,
        scope=scope,
        excellent=excellent,
        good=good,
        pct=params["htxs_quota_pct_of_htt"],
        extra_places=extra,
        allowed=rules.member_quota(params=params, good_count=good, extra_places=extra),
    )


def member_tallies(
    *, period: EvaluationPeriod, units: Iterable[Organization], params: dict | None = None
) -> list[Tally]:
    """Members' decided grades per grassroots organisation given (two queries)."""
    units = [unit for unit in units if unit.is_grassroots]
    if not units:
        return []
    params = params or rules.parameters_snapshot(period.parameter_set)
    ids = [unit.pk for unit in units]
    counts = defaultdict(dict)
    for row in (
        MemberEvaluation.objects.filter(period=period, grassroots_id__in=ids)
        .values("grassroots_id")
        .annotate(
            excellent=Count("id", filter=Q(final_grade=Grade.EXCELLENT)),
            good=Count("id", filter=Q(final_grade=Grade.GOOD)),
        )
    ):
        counts[row["grassroots_id"]] = {Grade.EXCELLENT: row["excellent"], Grade.GOOD: row["good"]}
    extra = extra_places(period=period, scope=MEMBERS, unit_ids=ids)
    return [_tally(unit, MEMBERS, counts[unit.pk], extra.get(unit.pk, 0), params) for unit in units]


def org_unit_of(organization: Organization, units: dict[int, Organization]) -> Organization | None:
    """The unit whose organisation quota counts `organization`, among `units` (the organisations by id): for a
    grassroots organisation, the nearest upper committee above it; for a cell or sub-committee, its grassroots
    organisation. None when that unit is not among `units` (e.g. outside the period)."""
    wanted = (Organization.Kind.UPPER,) if organization.is_grassroots else Organization.GRASSROOTS_KINDS
    for pk in reversed(organization.ancestor_ids()):
        unit = units.get(pk)
        if unit is not None and unit.kind in wanted:
            return unit
    return None


def _org_units(period: EvaluationPeriod, among: Iterable[int] | None = None) -> dict[int, Organization]:
    """The period's quota units (upper committees, grassroots organisations) by id; only those whose id is in
    `among` when given."""
    units = Organization.objects.filter(
        path__startswith=period.root.path,
        kind__in=(Organization.Kind.UPPER, *Organization.GRASSROOTS_KINDS),
    )
    if among is not None:
        units = units.filter(pk__in=list(among))
    return {o.pk: o for o in units.only("pk", "name", "code", "kind", "path", "depth")}


def org_tallies(*, period: EvaluationPeriod, params: dict | None = None, every_unit: bool = False) -> list[Tally]:
    """Organisations' decided grades per unit of the period: each upper committee (its TCCSĐ) and each đảng bộ cơ
    sở (its subordinate organisations). Units with no decided HTXSNV or HTTNV are left out unless `every_unit`."""
    params = params or rules.parameters_snapshot(period.parameter_set)
    decided = list(
        OrgEvaluation.objects.filter(period=period, final_grade__in=(Grade.EXCELLENT, Grade.GOOD))
        .select_related("organization")
        .only("final_grade", "organization__path", "organization__kind")
    )
    # A unit counts the grades of organisations below it: unless every unit is asked for, only the units above
    # the decided organisations are read, not the thousands of grassroots organisations of a large bloc.
    above = None
    if not every_unit:
        above = {pk for evaluation in decided for pk in evaluation.organization.ancestor_ids()}
    units = _org_units(period, among=above)
    counts: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for evaluation in decided:
        unit = org_unit_of(evaluation.organization, units)
        if unit is not None:
            counts[unit.pk][evaluation.final_grade] += 1
    wanted = [
        unit
        for unit in sorted(units.values(), key=lambda o: o.path)
        if unit.pk in counts or (every_unit and unit.kind != Organization.Kind.GRASSROOTS_CELL)
    ]
    extra = extra_places(period=period, scope=ORGANISATIONS, unit_ids=[unit.pk for unit in wanted])
    return [_tally(unit, ORGANISATIONS, counts.get(unit.pk, {}), extra.get(unit.pk, 0), params) for unit in wanted]


def org_tally_of(*, evaluation: OrgEvaluation) -> Tally | None:
    """The live tally of the unit an organisation's grade counts in (for the decision page)."""
    period = evaluation.period
    unit = org_unit_of(evaluation.organization, _org_units(period))
    if unit is None:
        return None
    return next((t for t in org_tallies(period=period, every_unit=True) if t.unit.pk == unit.pk), None)


def describe(tally: Tally) -> str:
    """One over-quota unit, its counts and the way out, for the message of a refused closing step."""
    if tally.scope == MEMBERS:
        text = _(
            "%(unit)s: %(excellent)s members rated HTXSNV, at most %(allowed)s allowed (%(pct)s%% of the %(good)s "
            "rated HTTNV, plus %(extra)s places by exception)."
        )
    elif tally.unit.kind == Organization.Kind.UPPER:
        text = _(
            "%(unit)s: %(excellent)s grassroots organisations rated HTXSNV, at most %(allowed)s allowed (%(pct)s%% of "
            "the %(good)s rated HTTNV, plus %(extra)s places by exception)."
        )
    else:
        text = _(
            "%(unit)s: %(excellent)s subordinate organisations rated HTXSNV, at most %(allowed)s allowed (%(pct)s%% "
            "of the %(good)s rated HTTNV, plus %(extra)s places by exception)."
        )
    return text % {
        "unit": tally.unit.name,
        "excellent": tally.excellent,
        "allowed": tally.allowed,
        "pct": tally.pct,
        "good": tally.good,
        "extra": tally.extra_places,
    }


def refuse_if_over(tallies: Iterable[Tally], *, step: str) -> None:
    """Raise the closing step's refusal naming every unit over its quota; do nothing when none is."""
    over = [tally for tally in tallies if tally.over]
    if not over:
        return
    raise ValidationError(
        [
            _("%(step)s refused: the HTXSNV quota (rule B12) is exceeded.") % {"step": step},
            *[describe(tally) for tally in over],
            _(
                "Lower a grade to HTTNV, or have the committee staff record a quota exception (extra places, the "
                "deciding body and its justification) on the unit's quota page, then try again."
            ),
        ]
    )


def check_members(*, period: EvaluationPeriod, units: Iterable[Organization], step: str) -> None:
    refuse_if_over(member_tallies(period=period, units=units), step=step)


def check_organisations(*, period: EvaluationPeriod, step: str) -> None:
    refuse_if_over(org_tallies(period=period), step=step)
