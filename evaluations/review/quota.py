"""Quota checks (B12): HTXSNV at most a share (20%) of HTTNV in each grassroots organisation, for members and for
its subordinate organisations, unless an authorised exception was recorded."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from cells.models import Organization
from evaluations import rules
from evaluations.models import EvaluationPeriod, Grade, OrgEvaluation, QuotaException


def grassroots_of(organization: Organization) -> Organization | None:
    """The grassroots organisation (đảng bộ cơ sở or chi bộ cơ sở) at or above a node: the quota's unit."""
    if organization.is_grassroots:
        return organization
    ids = organization.ancestor_ids()
    return Organization.objects.filter(pk__in=ids, kind__in=Organization.GRASSROOTS_KINDS).order_by("-depth").first()


def extra_places(*, period: EvaluationPeriod, organization: Organization, scope: str) -> int:
    return (
        QuotaException.objects.filter(period=period, organization=organization, scope=scope).aggregate(
            n=Sum("extra_places")
        )["n"]
        or 0
    )


def check_org_quota(*, evaluation: OrgEvaluation, grade: str) -> None:
    """Deciding HTXSNV for a subordinate organisation must keep its grassroots organisation within the quota."""
    if grade != Grade.EXCELLENT or evaluation.organization.is_grassroots:
        return
    grassroots = grassroots_of(evaluation.organization)
    if grassroots is None:
        return
    siblings = (
        OrgEvaluation.objects.filter(period=evaluation.period, organization__path__startswith=grassroots.path)
        .exclude(organization=grassroots)
        .exclude(pk=evaluation.pk)
    )
    counts = siblings.aggregate(
        excellent=Count("id", filter=Q(final_grade=Grade.EXCELLENT)), good=Count("id", filter=Q(final_grade=Grade.GOOD))
    )
    params = rules.parameters_snapshot(evaluation.period.parameter_set)
    allowed = rules.member_quota(
        params=params,
        good_count=counts["good"],
        extra_places=extra_places(
            period=evaluation.period, organization=grassroots, scope=QuotaException.Scope.ORGANISATIONS
        ),
    )
    if counts["excellent"] + 1 > allowed:
        raise ValidationError(
            {
                "grade": _(
                    "Quota: %(grassroots)s may have at most %(allowed)s subordinate organisations rated %(excellent)s "
                    "(%(pct)s%% of the %(good)s rated %(good_label)s), and %(count)s already are. Record an exception "
                    "with its justification first."
                )
                % {
                    "grassroots": grassroots.name,
                    "allowed": allowed,
                    "excellent": Grade.EXCELLENT.label,
                    "pct": params["htxs_quota_pct_of_htt"],
                    "good": counts["good"],
                    "good_label": Grade.GOOD.label,
                    "count": counts["excellent"],
                }
            }
        )
