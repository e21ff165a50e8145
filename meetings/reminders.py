"""Reminders that escalate when a cell has no regular meeting logged for the previous month.

Run daily by Celery beat (config/celery.py). The day of the month decides which stages are due:

1. from MEETING_REMINDER_DAY: each such cell's secretaries, one notification per cell;
2. MEETING_ESCALATE_GRASSROOTS_AFTER_DAYS later: the grassroots committee above the cells, one list per user;
3. MEETING_ESCALATE_STAFF_AFTER_DAYS later: the committee staff above the cells, one list per user.

Every notification has a key that is unique per user (`Notification.key`), so a second run on the same day, or
the next day's run, creates nothing that was already sent, and a day the beat missed is caught up by the next one.
E-mail goes out only for notifications created by this run, and only when an SMTP server is configured.
"""

import calendar
import datetime
import logging
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cells.models import Organization, RoleAssignment
from meetings.guidance.services import guidance_for_cell  # noqa: F401 - re-exported: meetings/views.py imports it from here
from meetings.models import Meeting, Notification

logger = logging.getLogger(__name__)

Role = RoleAssignment.Role

# The compliance page (meetings/urls.py) lists a subtree's cells for a month; notifications link to it.
COMPLIANCE_PATH = "/meetings/compliance/"
# How many cell names a list notification spells out before "and N more".
NAMES_IN_LIST = 5
MESSAGE_MAX_LENGTH = Notification._meta.get_field("message").max_length

STAGE_SECRETARIES = "secretaries"
STAGE_GRASSROOTS = "grassroots"
STAGE_STAFF = "staff"
# The stage's marker inside Notification.key ("meeting-missing:2026-10:<marker>:<id>").
KEY_MARKERS = {STAGE_SECRETARIES: "cell", STAGE_GRASSROOTS: "grassroots", STAGE_STAFF: "staff"}
GRASSROOTS_NODE_KINDS = (
    Organization.Kind.GRASSROOTS_COMMITTEE,
    Organization.Kind.GRASSROOTS_CELL,
    Organization.Kind.SUB_COMMITTEE,
)


def previous_month(today: datetime.date) -> tuple[int, int]:
    """(year, month) of the month before `today`."""
    last_day = today.replace(day=1) - datetime.timedelta(days=1)
    return last_day.year, last_day.month


def due_stages(today: datetime.date) -> list[str]:
    """The stages due on `today`, by day of the month.

    An escalation day past the end of a short month is moved to its last day, so that a large setting never
    silently skips a stage.
    """
    last_day = calendar.monthrange(today.year, today.month)[1]
    reminder_day = settings.MEETING_REMINDER_DAY
    thresholds = {
        STAGE_SECRETARIES: reminder_day,
        STAGE_GRASSROOTS: min(reminder_day + settings.MEETING_ESCALATE_GRASSROOTS_AFTER_DAYS, last_day),
        STAGE_STAFF: min(reminder_day + settings.MEETING_ESCALATE_STAFF_AFTER_DAYS, last_day),
    }
    return [stage for stage, day in thresholds.items() if today.day >= day]


def cells_missing_regular_meeting(*, year: int, month: int) -> QuerySet[Organization]:
    """Active cells, founded by the end of the month, with no regular meeting logged for it (one anti-join)."""
    month_end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    regular_meeting = Meeting.objects.filter(
        organization=OuterRef("pk"),
        kind__in=Meeting.REGULAR_KINDS,
        period_year=year,
        period_month=month,
    )
    return (
        Organization.objects.filter(kind__in=Organization.CELL_KINDS, dissolved_on__isnull=True)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=month_end))
        .filter(~Exists(regular_meeting))
    )


def compliance_link(*, organization_id: int, year: int, month: int) -> str:
    return f"{COMPLIANCE_PATH}?{urlencode({'org': organization_id, 'year': year, 'month': month})}"


def _truncate(text: str, length: int = MESSAGE_MAX_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _period_label(year: int, month: int) -> str:
    return f"{month:02d}/{year}"


def _cell_message(cell: Organization, period: str) -> str:
    return _truncate(
        _("%(cell)s has no regular meeting logged for %(period)s. Please log the meeting.")
        % {"cell": cell.name, "period": period}
    )


def _list_message(cells: list[Organization], period: str, *, stage: str) -> str:
    names = ", ".join(cell.name for cell in cells[:NAMES_IN_LIST])
    more = len(cells) - NAMES_IN_LIST
    if more > 0:
        names = _("%(names)s and %(count)d more") % {"names": names, "count": more}
    values = {"count": len(cells), "period": period, "names": names}
    if stage == STAGE_GRASSROOTS:
        text = ngettext(
            "%(count)d cell in your organisation has no regular meeting logged for %(period)s: %(names)s.",
            "%(count)d cells in your organisation have no regular meeting logged for %(period)s: %(names)s.",
            len(cells),
        )
    else:
        text = ngettext(
            "%(count)d cell in your area still has no regular meeting logged for %(period)s: %(names)s.",
            "%(count)d cells in your area still have no regular meeting logged for %(period)s: %(names)s.",
            len(cells),
        )
    return _truncate(text % values)


def _list_notifications(
    *, stage: str, role: str, node_kinds, cells: list[Organization], year: int, month: int, now
) -> list[Notification]:
    """One notification per holder of `role` at an ancestor (or the node itself) of a missing cell.

    Each lists the missing cells in the holder's subtrees and links to the compliance page of their top node.
    """
    ancestor_ids = set()
    for cell in cells:
        ancestor_ids.update(cell.ancestor_ids())
        ancestor_ids.add(cell.pk)
    holders = RoleAssignment.objects.filter(
        role=role,
        organization_id__in=ancestor_ids,
        organization__kind__in=node_kinds,
        user__is_active=True,
    ).values_list("user_id", "organization_id", "organization__path")
    nodes_by_user: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for user_id, organization_id, path in holders:
        nodes_by_user[user_id].append((path, organization_id))

    period = _period_label(year, month)
    notifications = []
    for user_id, nodes in sorted(nodes_by_user.items()):
        nodes.sort(key=lambda node: len(node[0]))
        paths = [path for path, _organization_id in nodes]
        user_cells = [cell for cell in cells if any(cell.path.startswith(path) for path in paths)]
        if not user_cells:
            continue
        notifications.append(
            Notification(
                user_id=user_id,
                key=f"meeting-missing:{year}-{month:02d}:{KEY_MARKERS[stage]}:{user_id}",
                message=_list_message(user_cells, period, stage=stage),
                link=compliance_link(organization_id=nodes[0][1], year=year, month=month),
                created_at=now,
            )
        )
    return notifications


def _send_emails(notifications: list[Notification], *, year: int, month: int) -> list[int]:
    """E-mail each notification to its user over one SMTP connection; return the ids that went out.

    A failure is logged and leaves `emailed_at` empty; the in-app notification stands either way.
    """
    subject = _("Regular cell meeting not logged for %(period)s") % {"period": _period_label(year, month)}
    sent: list[int] = []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception:
        logger.exception("Meeting reminders: cannot connect to the SMTP server; no e-mail sent")
        return sent
    try:
        for notification in notifications:
            body = notification.message
            if settings.SITE_URL and notification.link:
                body += "\n\n" + settings.SITE_URL + notification.link
            message = EmailMessage(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.user.email],
                connection=connection,
            )
            try:
                message.send(fail_silently=False)
            except Exception:
                logger.exception("Meeting reminders: e-mail to user %s failed", notification.user_id)
            else:
                sent.append(notification.pk)
    finally:
        connection.close()
    return sent


def send_meeting_reminders(*, today: datetime.date | None = None) -> dict:
    """Notify about cells with no regular meeting logged for the month before `today` (default: local today).

    Side effects: creates Notification rows (never the same key twice for a user) and, when EMAIL_HOST is set,
    e-mails the users of the rows it created who have an address, then sets their `emailed_at`.
    Runs a fixed number of queries whatever the number of cells. Returns what it did, per stage.
    """
    today = today or timezone.localdate()
    year, month = previous_month(today)
    stages = due_stages(today)
    result = {
        "period": f"{year}-{month:02d}",
        "stages": stages,
        "missing_cells": 0,
        STAGE_SECRETARIES: 0,
        STAGE_GRASSROOTS: 0,
        STAGE_STAFF: 0,
        "emailed": 0,
    }
    if not stages:
        return result

    missing = cells_missing_regular_meeting(year=year, month=month)
    cells = list(missing.only("id", "name", "path").order_by("name", "id"))
    result["missing_cells"] = len(cells)
    if not cells:
        return result

    # Every row of this run carries the same created_at: that is how the rows it created (and only those)
    # are found again after bulk_create(ignore_conflicts=True), which does not return primary keys.
    now = timezone.now()
    period = _period_label(year, month)
    pending: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        if STAGE_SECRETARIES in stages:
            cells_by_id = {cell.pk: cell for cell in cells}
            secretaries = RoleAssignment.objects.filter(
                role=Role.SECRETARY,
                organization__in=missing.values("pk"),
                user__is_active=True,
            ).values_list("user_id", "organization_id")
            for user_id, cell_id in secretaries:
                pending.append(
                    Notification(
                        user_id=user_id,
                        key=f"meeting-missing:{year}-{month:02d}:{KEY_MARKERS[STAGE_SECRETARIES]}:{cell_id}",
                        message=_cell_message(cells_by_id[cell_id], period),
                        link=compliance_link(organization_id=cell_id, year=year, month=month),
                        created_at=now,
                    )
                )
        if STAGE_GRASSROOTS in stages:
            pending += _list_notifications(
                stage=STAGE_GRASSROOTS,
                role=Role.GRASSROOTS,
                node_kinds=GRASSROOTS_NODE_KINDS,
                cells=cells,
                year=year,
                month=month,
                now=now,
            )
        if STAGE_STAFF in stages:
            pending += _list_notifications(
                stage=STAGE_STAFF,
                role=Role.STAFF,
                node_kinds=Organization.Kind.values,
                cells=cells,
                year=year,
                month=month,
                now=now,
            )
        if not pending:
            return result

        Notification.objects.bulk_create(pending, ignore_conflicts=True)
        created = list(
            Notification.objects.filter(created_at=now, key__startswith=f"meeting-missing:{year}-{month:02d}:")
            .select_related("user")
            .order_by("pk")
        )
        marker_stages = {marker: stage for stage, marker in KEY_MARKERS.items()}
        for notification in created:
            result[marker_stages[notification.key.split(":")[2]]] += 1

        if settings.EMAIL_HOST:
            to_email = [n for n in created if n.user.email]
            if to_email:
                sent = _send_emails(to_email, year=year, month=month)
                Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
                result["emailed"] = len(sent)

    logger.info("Meeting reminders for %s: %s", result["period"], result)
    return result
