"""The user's own in-app notifications (Vietnamese UI term: "Thông báo"). Every query filters by request.user."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.inputs import page_param
from meetings.models import Notification


def _own_notifications(user):
    return Notification.objects.filter(user=user)


@require_GET
def notification_list(request):
    notifications = _own_notifications(request.user).order_by("-created_at", "-id")
    page = Paginator(notifications, 50).get_page(page_param(request))
    return render(request, "meetings/notifications.html", {"page": page})


@require_POST
def notification_read_all(request):
    count = _own_notifications(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


def unread_notifications(request) -> dict:
    """Context processor: the unread count for the navbar badge.

    Lazy, so the one COUNT query runs only on pages that render the badge.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications_count": SimpleLazyObject(
            lambda: _own_notifications(user).filter(read_at__isnull=True).count()
        )
    }
