from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.inputs import YEAR_MIN, id_param, int_param
from cells.permissions import VIEW, default_root, get_organization_for_user, require_anywhere
from cells.selectors import breadcrumbs
from evaluations.dashboard.selectors import dashboard


@require_GET
def index(request):
    require_anywhere(request.user, VIEW)
    org = id_param(request, "org")
    root = get_organization_for_user(request.user, org, action=VIEW) if org else default_root(request.user)
    if root is None:
        raise Http404
    this_year = timezone.localdate().year
    year = int_param(request, "year", default=this_year, min=YEAR_MIN, max=this_year)
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
