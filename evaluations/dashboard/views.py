from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.permissions import VIEW, default_root, get_organization_for_user, require_anywhere
from cells.selectors import breadcrumbs
from evaluations.dashboard.selectors import dashboard


@require_GET
def index(request):
    require_anywhere(request.user, VIEW)
    org = request.GET.get("org")
    root = get_organization_for_user(request.user, org, action=VIEW) if org else default_root(request.user)
    if root is None:
        raise Http404
    try:
        year = min(int(request.GET.get("year", "")), timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return render(
        request,
        "evaluations/dashboard.html",
        {
            "root": root,
            "year": year,
            "board": dashboard(user=request.user, root=root, year=year),
            "breadcrumbs": breadcrumbs(user=request.user, organization=root),
            "breadcrumb_tail": _("Evaluation dashboard"),
        },
    )
