"""The spreadsheet import of party members: upload, preview every row, then confirm or cancel.

A batch (MemberImport) is private to the person who uploaded it: anyone else gets a 404, and so does its
uploader once its node has left their scope.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cells import selectors as cell_selectors
from cells.inputs import id_param
from cells.models import Organization
from cells.permissions import EDIT_MEMBERS, get_organization_for_user, require_anywhere
from members import spreadsheets
from members.importing import services
from members.models import MemberImport

PREVIEW_PAGE_SIZE = 200


def get_import_for_user(user, pk) -> MemberImport:
    """A batch for its uploader only (404 for anyone else), while its node is still in their scope (404/403)."""
    return spreadsheets.batch_for_uploader(MemberImport, user, pk, EDIT_MEMBERS)


def _import_roots(user) -> list[Organization]:
    """The highest active nodes where the user may edit members."""
    return spreadsheets.import_roots(user, EDIT_MEMBERS)


@require_GET
def import_start(request):
    """The entry from the member list: the import of the listed node, or of the user's own node."""
    require_anywhere(request.user, EDIT_MEMBERS)
    if org := id_param(request, "org"):
        organization = get_organization_for_user(request.user, org, action=EDIT_MEMBERS)
        return redirect("members:import", organization.pk)
    roots = _import_roots(request.user)
    if len(roots) == 1:
        return redirect("members:import", roots[0].pk)
    return render(request, "members/import_upload.html", {"choices": roots})


def import_upload(request, org_pk):
    organization = get_organization_for_user(request.user, org_pk, action=EDIT_MEMBERS)
    return spreadsheets.upload_response(
        request,
        organization,
        model=MemberImport,
        preview=services.import_preview,
        batch_view="members:import_batch",
        template="members/import_upload.html",
        title=_("Import party members"),
        context={"max_rows": services.max_rows(), "max_bytes": services.max_bytes(), "columns": services.COLUMNS},
    )


OUTCOME_LABELS = {
    services.NEW: (gettext_lazy("New"), "success"),
    services.UPDATE: (gettext_lazy("Update"), "primary"),
    services.ERROR: (gettext_lazy("Error"), "danger"),
    services.DUPLICATE: (gettext_lazy("Duplicate within the file"), "warning"),
}


def _table_row(row: dict, columns: list[spreadsheets.Column]) -> dict:
    label, tone = OUTCOME_LABELS[row["outcome"]]
    cells = [
        {
            "value": row["data"].get(column.key, ""),
            "error": row["errors"].get(column.key, ""),
            "changed": column.key in row.get("changes", ()),
        }
        for column in columns
    ]
    shown = {column.key for column in columns}
    return {
        "line": row["line"],
        "outcome": row["outcome"],
        # Errors about a column the file does not have (e.g. a missing party cell code).
        "other_errors": [
            f"{services.COLUMNS_BY_KEY[key].label}: {message}"
            for key, message in row["errors"].items()
            if key not in shown
        ],
        "label": label,
        "tone": tone,
        "cells": cells,
        "unchanged": row["outcome"] == services.UPDATE and not row.get("changes"),
    }


@require_GET
def import_batch(request, pk):
    batch = get_import_for_user(request.user, pk)
    summary = batch.summary
    return render(
        request,
        "members/import_preview.html",
        {
            **spreadsheets.preview_context(
                request,
                batch,
                columns_by_key=services.COLUMNS_BY_KEY,
                outcomes=services.OUTCOMES,
                labels=OUTCOME_LABELS,
                table_row=_table_row,
                page_size=PREVIEW_PAGE_SIZE,
            ),
            "blocking": sum(summary.get(key, 0) for key in services.BLOCKING),
            "valid": summary.get(services.NEW, 0) + summary.get(services.UPDATE, 0),
            "breadcrumbs": cell_selectors.breadcrumbs(user=request.user, organization=batch.organization),
            "breadcrumb_tail": _("Import party members"),
        },
    )


@require_POST
def import_confirm(request, pk):
    batch = get_import_for_user(request.user, pk)
    return spreadsheets.confirm_response(
        request,
        batch,
        confirm=lambda skip_errors: services.import_confirm(
            member_import=batch, user=request.user, skip_errors=skip_errors
        ),
        done=_(
            "Import recorded: %(created)s new members, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s rows skipped."
        ),
        batch_view="members:import_batch",
        next_url=f"{reverse('members:list')}?org={batch.organization_id}",
    )


@require_POST
def import_cancel(request, pk):
    batch = get_import_for_user(request.user, pk)
    return spreadsheets.cancel_response(
        request,
        batch,
        cancel=lambda: services.import_cancel(member_import=batch, user=request.user),
        batch_view="members:import_batch",
        upload_view="members:import",
    )


@require_GET
def import_template(request):
    require_anywhere(request.user, EDIT_MEMBERS)
    cell_code = "CB-VP-01"
    if org := id_param(request, "org"):
        organization = get_organization_for_user(request.user, org, action=EDIT_MEMBERS)
        if organization.is_cell:
            cell_code = organization.code
    return spreadsheets.xlsx_response(services.template_workbook(cell_code=cell_code), "mau-nhap-dang-vien.xlsx")


@require_GET
def import_errors(request, pk):
    batch = get_import_for_user(request.user, pk)
    return spreadsheets.xlsx_response(services.errors_workbook(batch), f"dong-loi-{batch.pk}.xlsx")
