"""Loading the yearly review's periods and evaluations for a user (404 outside their scope, 403 when too weak)."""

from django.db.models import Q
from django.http import Http404

from cells.permissions import VIEW, get_access, require, scope_filter
from evaluations.models import EvaluationPeriod, OrgEvaluation


def visible_periods(user):
    """Periods whose root the user can see, or whose root sits above one of the user's nodes."""
    access = get_access(user)
    if access.is_superuser:
        return EvaluationPeriod.objects.all()
    above = {pk for grant in access.grants for pk in [int(p) for p in grant.path.strip("/").split("/") if p]}
    # The scope through the join to the root (a handful of periods, each root read by its key), not the root
    # among every visible organisation (a scan of the bloc's organisations).
    return EvaluationPeriod.objects.filter(scope_filter(user, prefix="root__", action=VIEW) | Q(root_id__in=above))


def get_period_for_user(user, pk) -> EvaluationPeriod:
    try:
        return visible_periods(user).select_related("root", "parameter_set").get(pk=int(pk))
    except (EvaluationPeriod.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def get_evaluation_for_user(user, pk, *, action: str = VIEW) -> OrgEvaluation:
    try:
        evaluation = OrgEvaluation.objects.select_related("period", "period__parameter_set", "organization").get(
            pk=int(pk)
        )
    except (OrgEvaluation.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, action, evaluation.organization)
    return evaluation
