"""Past results: the list of recorded past ratings, and their spreadsheet import (upload, preview every row, then
confirm or cancel), the same pages as the member import (members/importing/views.py).

Importing needs DECIDE (the committee's staff) on the target node; the list needs VIEW. A batch
(PastResultImport) is private to the person who uploaded it: anyone else gets a 404, and so does its uploader once
its node has left their scope.
"""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cells import selectors as cell_selectors
from cells.inputs import ID_MAX, id_param, page_param
from cells.models import Organization
from cells.numbers import IntegerField
from cells.permissions import (
    DECIDE,
    VIEW,
    get_access,
    get_organization_for_user,
    require_anywhere,
)
from evaluations.models import PastResultImport
from evaluations.past_results import importing
from members import spreadsheets

PREVIEW_PAGE_SIZE = 200
LIST_PAGE_SIZE = 50


class PastRatingFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Organisations and members"))]
        + [(kind, importing.KIND_LABELS[kind]) for kind in importing.KINDS],
    )
    org = IntegerField(required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(year, str(year)) for year in years]


def get_import_for_user(user, pk) -> PastResultImport:
    """A batch for its uploader only (404 for anyone else), while its node is still in their scope (404/403)."""
    return spreadsheets.batch_for_uploader(PastResultImport, user, pk, DECIDE)


def _import_roots(user) -> list[Organization]:
    """The highest active nodes where the user may import past results."""
    return spreadsheets.import_roots(user, DECIDE)


#
# The list
#


@require_GET
def rating_list(request):
    require_anywhere(request.user, VIEW)
    form = PastRatingFilterForm(request.GET or None, years=importing.past_rating_years(user=request.user))
    year, kind, organization = None, "", None
    if form.is_valid():
        data = form.cleaned_data
        year, kind = data.get("year"), data.get("kind") or ""
        if data.get("org"):
            organization = get_organization_for_user(request.user, data["org"], action=VIEW)
    ratings = importing.past_rating_list(user=request.user, year=year, kind=kind, organization=organization)
    page = Paginator(ratings, LIST_PAGE_SIZE).get_page(page_param(request))
    query = request.GET.copy()
    query.pop("page", None)
    access = get_access(request.user)
    if organization is not None:
        targets = [organization] if access.can(DECIDE, organization) and organization.is_active else []
    else:
        targets = _import_roots(request.user) if access.can_anywhere(DECIDE) else []
    return render(
        request,
        "evaluations/past_rating_list.html",
        {
            "form": form,
            "organization": organization,
            "page": page,
            "querystring": query.urlencode(),
            "import_targets": targets,
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=organization)
            if organization
            else [],
            "breadcrumb_tail": _("Past results") if organization else "",
        },
    )


#
# The import
#


def import_upload(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=DECIDE)
    return spreadsheets.upload_response(
        request,
        organization,
        model=PastResultImport,
        preview=importing.import_preview,
        batch_view="pastresults:batch",
        template="evaluations/past_import_upload.html",
        title=_("Import past results"),
        context={
            "max_rows": importing.max_rows(),
            "max_bytes": importing.max_bytes(),
            "first_year": importing.EARLIEST_YEAR,
            "last_year": importing.last_year(),
            "columns": importing.COLUMNS,
        },
    )


OUTCOME_LABELS = {
    importing.NEW: (gettext_lazy("New"), "success"),
    importing.UPDATE: (gettext_lazy("Update"), "primary"),
    importing.UNCHANGED: (gettext_lazy("Unchanged"), "secondary"),
    importing.ERROR: (gettext_lazy("Error"), "danger"),
    importing.DUPLICATE: (gettext_lazy("Duplicate within the file"), "warning"),
}


def _table_row(row: dict, columns: list) -> dict:
    label, tone = OUTCOME_LABELS[row["outcome"]]
    cells = [
        {
            "value": row["data"].get(column.key, ""),
            "error": row["errors"].get(column.key, ""),
            "changed": column.key == "grade" and row["outcome"] == importing.UPDATE,
        }
        for column in columns
    ]
    shown = {column.key for column in columns}
    return {
        "line": row["line"],
        "outcome": row["outcome"],
        # Errors about a column the file does not have (e.g. a missing organisation code).
        "other_errors": [
            f"{importing.COLUMNS_BY_KEY[key].label}: {message}"
            for key, message in row["errors"].items()
            if key not in shown
        ],
        "label": label,
        "tone": tone,
        "cells": cells,
        "subject": row.get("subject", ""),
        "previous": row.get("previous", "") if row["outcome"] == importing.UPDATE else "",
    }


@require_GET
def import_batch(request, pk):
    batch = get_import_for_user(request.user, pk)
    summary = batch.summary
    return render(
        request,
        "evaluations/past_import_preview.html",
        {
            **spreadsheets.preview_context(
                request,
                batch,
                columns_by_key=importing.COLUMNS_BY_KEY,
                outcomes=importing.OUTCOMES,
                labels=OUTCOME_LABELS,
                table_row=_table_row,
                page_size=PREVIEW_PAGE_SIZE,
            ),
            "blocking": sum(summary.get(key, 0) for key in importing.BLOCKING),
            "to_write": sum(summary.get(key, 0) for key in importing.WRITTEN),
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=batch.organization),
            "breadcrumb_tail": _("Import past results"),
        },
    )


@require_POST
def import_confirm(request, pk):
    batch = get_import_for_user(request.user, pk)
    return spreadsheets.confirm_response(
        request,
        batch,
        confirm=lambda skip_errors: importing.import_confirm(
            past_import=batch, user=request.user, skip_errors=skip_errors
        ),
        done=_(
            "Past results recorded: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s rows skipped."
        ),
        batch_view="pastresults:batch",
        next_url=f"{reverse('pastresults:index')}?org={batch.organization_id}",
    )


@require_POST
def import_cancel(request, pk):
    batch = get_import_for_user(request.user, pk)
    return spreadsheets.cancel_response(
        request,
        batch,
        cancel=lambda: importing.import_cancel(past_import=batch, user=request.user),
        batch_view="pastresults:batch",
        upload_view="pastresults:import",
    )


@require_GET
def import_template(request):
    require_anywhere(request.user, DECIDE)
    codes = {}
    if org := id_param(request, "org"):
        organization = get_organization_for_user(request.user, org, action=DECIDE)
        codes["organization_code"] = organization.code
        if organization.is_cell:
            codes["cell_code"] = organization.code
    return spreadsheets.xlsx_response(importing.template_workbook(**codes), "mau-nhap-ket-qua-xep-loai.xlsx")


@require_GET
def import_errors(request, pk):
    batch = get_import_for_user(request.user, pk)
    return spreadsheets.xlsx_response(importing.errors_workbook(batch), f"dong-loi-ket-qua-{batch.pk}.xlsx")
