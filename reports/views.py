"""Report pages: request, follow the build (htmx polling), list past reports, download (scope checked again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.forms_pages import already_sent, apply_service_error, once
from cells.inputs import YEAR_MAX, YEAR_MIN, choice_param, id_param, int_param, page_param
from cells.permissions import (
    MANAGE_TREE,
    REPORTS,
    default_root,
    get_access,
    get_organization_for_user,
    require,
    require_anywhere,
    scope_filter,
)
from cells.selectors import breadcrumbs
from reports import services
from reports.documents.issuing import file_stem
from reports.forms import ReportRequestForm
from reports.models import Report, ReportDownload, ReportSchedule


def get_report_for_user(user, pk) -> Report:
    try:
        report = Report.objects.select_related("organization__parent", "requested_by", "parameter_set").get(pk=int(pk))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, REPORTS, report.organization)
    return report


def report_index(request):
    require_anywhere(request.user, REPORTS)
    org_id = request.POST.get("org") or id_param(request, "org")
    organization = (
        get_organization_for_user(request.user, org_id, action=REPORTS)
        if org_id
        else default_root(request.user, action=REPORTS)
    )
    form = ReportRequestForm(request.POST or None, initial={"org": organization.pk if organization else None})
    if request.method == "POST" and form.is_valid() and organization is not None:
        data = form.cleaned_data
        try:
            # Sent twice (a double click), the form lands on the first request's report: no second build.
            _report, url, first = once(
                request,
                form,
                lambda: services.report_request(
                    user=request.user,
                    organization=organization,
                    kind=data["kind"],
                    year=data["year"],
                    quarter=data["quarter"] if not data["month"] else None,
                    month=data["month"],
                    params=data["params"],
                ),
                lambda report: ("reports:detail", report.pk),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return redirect(url) if first else already_sent(request, url)
    reports = Report.objects.filter(scope_filter(request.user, prefix="organization__", action=REPORTS)).select_related(
        "organization__parent", "requested_by"
    )
    kind = choice_param(request, "kind", Report.Kind.values)
    if kind:
        reports = reports.filter(kind=kind)
    year = int_param(request, "year", min=YEAR_MIN, max=YEAR_MAX)
    if year is not None:
        reports = reports.filter(year=year)
    if organization is not None and request.GET.get("org"):
        reports = reports.filter(organization__path__startswith=organization.path)
    page = Paginator(reports, 50).get_page(page_param(request))
    return render(
        request,
        "reports/report_index.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": breadcrumbs(user=request.user, organization=organization) if organization else [],
            "breadcrumb_tail": _("Reports"),
            "page": page,
            "kinds": Report.Kind.choices,
            "kind": kind,
            "year": year,
            "schedules": ReportSchedule.objects.select_related("root").order_by("name")
            if request.user.is_superuser
            else [],
        },
    )


@require_GET
def report_detail(request, pk):
    # Each look (the page and its poll) also watches the build: a stalled one is taken up here, beat or not.
    report = services.watch_build(report=get_report_for_user(request.user, pk))
    template = "reports/includes/report_status.html" if request.htmx else "reports/report_detail.html"
    context = {"report": report, "stalled": services.is_stalled(report)}
    if not request.htmx:
        context["can_issue"] = get_access(request.user).can(MANAGE_TREE, report.organization)
        context |= {
            "breadcrumbs": breadcrumbs(user=request.user, organization=report.organization),
            "breadcrumb_links": [(_("Reports"), f"{reverse('reports:index')}?org={report.organization_id}")],
            "breadcrumb_tail": report.get_kind_display(),
        }
    return render(request, template, context)


@require_GET
def report_download(request, pk, fmt):
    report = get_report_for_user(request.user, pk)
    # An issued report downloads its frozen document; a draft its last build (marked DỰ THẢO on every page).
    field = (report.issued_pdf if report.is_issued else report.pdf) if fmt == "pdf" else report.xlsx
    if not field or (report.status != Report.Status.DONE and not report.is_issued):
        raise Http404
    ReportDownload.objects.create(report=report, user=request.user, file_format=fmt)
    name = f"{file_stem(report)}.{fmt}"  # Vietnamese, without diacritics: bao-cao-sinh-hoat-chi-bo-DB01-2025-05.pdf
    content_type = (
        "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(field.open("rb"), as_attachment=fmt != "pdf", filename=name, content_type=content_type)


@require_POST
def report_retry(request, pk):
    report = get_report_for_user(request.user, pk)
    try:
        services.report_retry(report=report, user=request.user)  # a failed or stalled build
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is being built again."))
    return redirect("reports:detail", report.pk)
