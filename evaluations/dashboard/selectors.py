"""The evaluation dashboard of a subtree and year: progress, grade distributions against the targets, quota
status per grassroots organisation, model-cell coverage. A fixed number of grouped queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Q, Value, When
from django.utils.translation import gettext as _

from cells.figures import Figure
from cells.models import Organization
from cells.permissions import VIEW, scope_filter
from evaluations import rules
from evaluations.models import EvaluationPeriod, Grade, MemberEvaluation, OrgEvaluation
from evaluations.programmes.services import coverage_totals
from evaluations.review import quota
from meetings import selectors as meeting_selectors
from members import counts as kept_member_counts


@dataclass
class Dashboard:
    period: EvaluationPeriod | None
    root: Organization | None = None
    progress: list[tuple[str, str, int]] = field(default_factory=list)
    # B26 "% TCCSĐ at each level": the grassroots organisations (TCCSĐ, directly under the upper committee) apart
    # from the subordinate cells and sub-committees under them: (grade, label, count, % of the TCCSĐ classified).
    grassroots_grades: list[tuple[str, str, int, float | None]] = field(default_factory=list)
    grassroots_classified: int = 0
    subordinate_grades: list[tuple[str, str, int]] = field(default_factory=list)
    member_grades: list[tuple[str, str, int]] = field(default_factory=list)
    members_classified: int = 0
    pct_good_or_better: float | None = None
    pct_excellent: float | None = None
    target_good_or_better: int = 80
    target_excellent: int = 15
    quota: list[dict] = field(default_factory=list)
    coverage: dict | None = None
    meetings: object = None  # meetings.selectors.Kpis of the year (B1, B2, B4, B26 via meetings.counting)

    members_on_roll: int = 0  # the members of the subtree on the roll: the population the member figures speak for
    decided: int = 0  # organisations whose grade is decided, of `evaluated`
    evaluated: int = 0

    @property
    def good_or_better(self) -> Figure:
        """Members rated HTTNV or better, of those classified, out of the members on the roll (B26)."""
        good = sum(n for value, _label, n in self.member_grades if value in (Grade.EXCELLENT, Grade.GOOD))
        return Figure(good, self.members_classified, self.members_on_roll, self.target_good_or_better)

    @property
    def excellent(self) -> Figure:
        good = sum(n for value, _label, n in self.member_grades if value == Grade.EXCELLENT)
        return Figure(good, self.members_classified, self.members_on_roll, self.target_excellent)

    @property
    def member_indicators(self) -> list[tuple[str, Figure]]:
        figures = (self.good_or_better, self.excellent)
        return [(label, figure) for (label, _v, _t), figure in zip(self.chart, figures, strict=True)]

    @property
    def coverage_figure(self) -> Figure | None:
        """Recognised model cells of the cells (B22), against the target share."""
        c = self.coverage
        return Figure(c["recognised"], c["cells"], target=c["target_pct"]) if c else None

    @property
    def chart(self) -> list[tuple[str, float | None, float | None]]:
        """The member figures as bars, each with its own target (B26)."""
        return [
            (_("Members rated HTTNV or better"), self.pct_good_or_better, self.target_good_or_better),
            (_("Members rated HTXSNV"), self.pct_excellent, self.target_excellent),
        ]

    @property
    def progress_steps(self) -> list[dict]:
        """The review's progress as "x of y" per state (the organisations at that state now), decided first."""
        order = [OrgEvaluation.Status.DECIDED, OrgEvaluation.Status.APPRAISED, OrgEvaluation.Status.SELF_ASSESSED]
        order += [OrgEvaluation.Status.RETURNED, OrgEvaluation.Status.NOT_STARTED]
        counts = {value: n for value, _label, n in self.progress}
        return [
            {
                "status": status.value,
                "label": status.label,
                "n": counts.get(status.value, 0),
                "of": self.evaluated,
                "pct": round(100 * counts.get(status.value, 0) / self.evaluated) if self.evaluated else 0,
            }
            for status in order
        ]

    @property
    def grassroots_figures(self) -> list[tuple[str, str, Figure]]:
        return [(value, label, Figure(n, self.grassroots_classified)) for value, label, n, _p in self.grassroots_grades]

    @property
    def member_figures(self) -> list[tuple[str, str, Figure]]:
        return [(value, label, Figure(n, self.members_classified)) for value, label, n in self.member_grades]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def dashboard(
    *,
    user,
    root: Organization,
    year: int,
    with_quota: bool = True,
    with_meetings: bool = True,
    member_figures: dict[str, int] | None = None,
) -> Dashboard:
    """The year's review for a subtree: progress, grade distributions, model-cell coverage (totals), the year's
    meeting compliance unless `with_meetings` is False (the home page shows its own month), and, unless
    `with_quota` is False (the home page), the HTXSNV quota per grassroots organisation.

    `member_figures`: the kept member counts of root's subtree as the user sees it
    (`members.counts.subtree_counts(user=user, root=root)`), when the caller has read them already."""
    period = (
        EvaluationPeriod.objects.filter(year=year)
        .filter(Q(root__path__startswith=root.path) | Q(root_id__in=[*root.ancestor_ids(), root.pk]))
        .select_related("parameter_set")
        .order_by("root__depth")
        .first()
    )
    result = Dashboard(period=period, root=root)
    result.coverage = coverage_totals(user=user, root=root, programme="KIEU_MAU", year=year)
    if with_meetings:
        result.meetings = meeting_selectors.kpis(user=user, root=root, period=meeting_selectors.Period(year=year))
    if period is None:
        return result
    # From the kept counts (members.counts: one row per node of the subtree, not every member).
    if member_figures is None:
        member_figures = kept_member_counts.subtree_counts(user=user, root=root)
    result.members_on_roll = kept_member_counts.on_roll(member_figures)
    params = rules.parameters_snapshot(period.parameter_set)
    result.target_good_or_better = params["target_members_good_or_better_pct"]
    result.target_excellent = params["target_members_excellent_pct"]
    evaluations = OrgEvaluation.objects.filter(
        scope_filter(user, prefix="organization__", action=VIEW),
        period=period,
        organization__path__startswith=root.path,
    )
    # One grouped read of the evaluations (one per organisation of the subtree) gives both the progress by status
    # and the decided grades by level.
    grassroots = Q(organization__kind__in=Organization.GRASSROOTS_KINDS)
    status_counts: dict[str, int] = defaultdict(int)
    org_counts: dict[tuple[bool, str], int] = defaultdict(int)
    for row in (
        evaluations.annotate(is_grassroots=Case(When(grassroots, then=Value(True)), default=Value(False)))
        .values("status", "is_grassroots", "final_grade")
        .annotate(n=Count("*"))  # COUNT(*), not of the ids: the evaluations' progress index answers it alone
        .order_by()
    ):
        status_counts[row["status"]] += row["n"]
        if row["final_grade"]:
            org_counts[(bool(row["is_grassroots"]), row["final_grade"])] += row["n"]
    result.progress = [(value, label, status_counts.get(value, 0)) for value, label in OrgEvaluation.Status.choices]
    result.evaluated = sum(status_counts.values())
    result.decided = status_counts.get(OrgEvaluation.Status.DECIDED, 0)
    result.grassroots_classified = sum(n for (is_grassroots, _g), n in org_counts.items() if is_grassroots)
    result.grassroots_grades = [
        (
            value,
            label,
            org_counts.get((True, value), 0),
            _pct(org_counts.get((True, value), 0), result.grassroots_classified),
        )
        for value, label in Grade.choices
    ]
    result.subordinate_grades = [(value, label, org_counts.get((False, value), 0)) for value, label in Grade.choices]
    members = MemberEvaluation.objects.filter(
        scope_filter(user, prefix="organization__", action=VIEW),
        period=period,
        organization__path__startswith=root.path,
    )
    member_counts = {
        r["final_grade"]: r["n"] for r in members.exclude(final_grade="").values("final_grade").annotate(n=Count("id"))
    }
    result.member_grades = [(value, label, member_counts.get(value, 0)) for value, label in Grade.choices]
    classified = sum(member_counts.values())
    result.members_classified = classified
    result.pct_good_or_better = _pct(
        member_counts.get(Grade.EXCELLENT, 0) + member_counts.get(Grade.GOOD, 0), classified
    )
    result.pct_excellent = _pct(member_counts.get(Grade.EXCELLENT, 0), classified)
    if not with_quota:
        return result
    # The units with members rated in this view, each with its whole tally as the closing step counts it (D3).
    units = Organization.objects.filter(pk__in=members.values("grassroots_id")).order_by("name")
    for tally in quota.member_tallies(period=period, units=units, params=params):
        result.quota.append(
            {
                "id": tally.unit.pk,
                "name": tally.unit.name,
                "excellent": tally.excellent,
                "good": tally.good,
                "allowed": tally.allowed,
                "remaining": tally.remaining,
            }
        )
    return result
