from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cells.auth import LoginView
from config import views


def _superuser_only(request):
    return request.user.is_active and request.user.is_superuser


# Django admin is an escape hatch for superusers only, never for staff accounts.
admin.site.has_permission = _superuser_only
admin.site.site_header = "chibo"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("_bench/ceiling/", views.bench_ceiling, name="bench_ceiling"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("tree/", include("cells.urls")),
    path("members/", include("members.urls")),
    path("meetings/", include("meetings.urls")),
    path("printouts/", include("meetings.printouts.urls")),
    path("notifications/", include("meetings.notifications.urls")),
    path("guidance/", include("meetings.guidance.urls")),
    path("criteria/", include("criteria.urls")),
    path("evaluations/", include("evaluations.review.urls")),
    path("ratings/", include("evaluations.ratings.urls")),
    path("programmes/", include("evaluations.programmes.urls")),
    path("mass-mobilisation/", include("evaluations.mass_mobilisation.urls")),
    path("past-results/", include("evaluations.past_results.urls")),
    path("dashboard/", include("evaluations.dashboard.urls")),
    path("reports/", include("reports.urls")),
    path("rules/", include("criteria.rulebook.urls")),
    path("holidays/", include("cells.holidays.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "cells.views.page_not_found"
handler403 = "cells.views.permission_denied"
handler500 = "cells.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
