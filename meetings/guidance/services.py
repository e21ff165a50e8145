"""Monthly content guidance (Vietnamese UI term: "Định hướng nội dung sinh hoạt"): the service and selectors.

Committee staff and grassroots committees publish the month's suggested meeting content at a node; it applies
to that node's whole subtree, so a cell sees what every node above it published.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.permissions import APPRAISE, VIEW, get_access, scope_filter
from cells.services import log_action
from cells.text import one_line
from meetings.models import MonthlyGuidance

CONTENT_MAX_LENGTH = 10_000
# Guidance may be published for a month up to this many months after the current one; past months are allowed.
MONTHS_AHEAD = 2


def _month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


@transaction.atomic
def guidance_publish(
    *, organization: Organization, year: int, month: int, title: str, content: str, published_by
) -> MonthlyGuidance:
    """Publish a month's suggested content for `organization` and its subtree, and record it in the audit log.

    The caller has checked that `published_by` may publish there (action "appraise"). Refuses a dissolved node,
    a month more than MONTHS_AHEAD ahead, an empty title or content, and content over CONTENT_MAX_LENGTH.
    """
    if not organization.is_active:
        raise ValidationError(_("%(name)s has been dissolved.") % {"name": organization.name})
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    today = timezone.localdate()
    if _month_index(year, month) > _month_index(today.year, today.month) + MONTHS_AHEAD:
        raise ValidationError(
            {
                "month": _("Guidance can be published at most %(count)d months ahead.") % {"count": MONTHS_AHEAD},
            }
        )
    title = one_line(title)
    content = (content or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the guidance a title.")})
    if not content:
        raise ValidationError({"content": _("Write the suggested content.")})
    if len(content) > CONTENT_MAX_LENGTH:
        raise ValidationError(
            {"content": _("The content can be at most %(count)d characters long.") % {"count": CONTENT_MAX_LENGTH}}
        )
    guidance = MonthlyGuidance(
        organization=organization,
        year=year,
        month=month,
        title=title,
        content=content,
        published_by=published_by,
    )
    guidance.full_clean()
    guidance.save()
    log_action(
        actor=published_by,
        action="cells.guidance.published",
        organization=organization,
        target=guidance,
        message=str(guidance),
        data={"year": year, "month": month},
    )
    return guidance


def guidance_visible_to(*, user) -> QuerySet[MonthlyGuidance]:
    """Guidance published at the user's nodes, at any node above them, or anywhere in their subtrees.

    A secretary sees what their grassroots committee and the bloc staff published; staff also see what was
    published below them. One query: the ancestors come from the grants' paths.
    """
    access = get_access(user)
    guidance = MonthlyGuidance.objects.select_related("organization", "published_by").order_by(
        "-year", "-month", "organization__depth", "-published_at", "-id"
    )
    if access.is_superuser:
        return guidance
    ancestor_ids: set[int] = set()
    for grant in access.grants:
        ancestor_ids.update(int(part) for part in grant.path.strip("/").split("/") if part)
    return guidance.filter(
        scope_filter(user, prefix="organization__", action=VIEW) | Q(organization_id__in=ancestor_ids)
    )


def guidance_for_cell(*, cell: Organization, year: int, month: int) -> list[MonthlyGuidance]:
    """The guidance for `year`/`month` published at `cell` or any node above it, top of the tree first (one query).

    The meeting form shows it as the month's suggestion and offers each title as the topic.
    """
    return list(
        MonthlyGuidance.objects.filter(
            organization_id__in=[*cell.ancestor_ids(), cell.pk],
            year=year,
            month=month,
        )
        .select_related("organization")
        .order_by("organization__depth", "published_at", "id")
    )


def guidance_publish_targets(*, user) -> list[Organization]:
    """The top nodes where the user may publish (the list page offers a button for each)."""
    access = get_access(user)
    if access.is_superuser:
        nodes = Organization.objects.filter(parent__isnull=True)
    else:
        nodes = Organization.objects.filter(path__in=access.top_paths(APPRAISE))
    return list(nodes.filter(dissolved_on__isnull=True).order_by("path"))


def default_month(today: datetime.date | None = None) -> tuple[int, int]:
    """Guidance is usually published ahead of the month it is for: suggest next month."""
    today = today or timezone.localdate()
    index = _month_index(today.year, today.month) + 1
    return index // 12, index % 12 + 1
