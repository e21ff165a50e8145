"""Data gathering for each kind of report: pure reads through the access module, no rendering here.

A builder returns the PDF template and its context, the tables for the XLSX twin (the same tables as the PDF)
and the key figures. Builders are deterministic: the same request on unchanged data gives the same figures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import Report


@dataclass
class Built:
    template: str
    context: dict
    tables: list[dict]
    title: str
    figures: dict = field(default_factory=dict)
    parameter_set: object = None
    data_as_of: object = None


def _header(report: Report, title: str) -> dict:
    organization = report.organization
    parent = None
    if organization.parent_id:
        from cells.models import Organization

        parent = Organization.objects.filter(pk=organization.parent_id).only("name").first()
    return {
        "issuer_parent": parent.name if parent else "",
        "issuer": organization.name,
        "issuer_name": organization.name,
        "title": title,
        "subtitle": _("Period: %(period)s") % {"period": report.period_label},
        "report": report,
        "generated_at": timezone.localtime(),
        "document_date": timezone.localdate(),
    }


def build_compliance(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    from cells import meeting_selectors as selectors
    from criteria.selectors import parameters_on

    root = report.organization
    period = selectors.Period(year=report.year, month=report.month, quarter=report.quarter)
    data_as_of = timezone.now()
    kpis = selectors.kpis(user=user, root=root, period=period)
    progress(20)
    heatmap = selectors.heatmap(user=user, root=root, year=report.year)
    progress(40)
    missing = selectors.missing_cells(user=user, root=root, period=period)
    progress(55)
    flags = selectors.flagged_members(user=user, root=root, year=report.year)
    progress(70)
    title = _("REPORT ON PARTY CELL MEETINGS")
    kpi_rows = [
        [_("Cells that held every regular meeting"), kpis.cells_all_regular, kpis.cells, kpis.pct_all_regular],
        [_("Cells with a thematic meeting every quarter"), kpis.cells_all_thematic, kpis.cells, kpis.pct_all_thematic],
        [_("Member attendance"), kpis.present, kpis.eligible, kpis.attendance_pct],
        [_("Meetings rated Good"), kpis.meetings_good, kpis.meetings_rated, kpis.pct_good],
    ]
    month_headers = [str(m) for m in selectors.MONTHS]
    heat_rows = [[row.organization.name, row.cells, *[row.held.get(m, 0) for m in selectors.MONTHS]] for row in heatmap]
    missing_rows = [[item["cell"].name, ", ".join(str(m) for m in item["months"])] for item in missing]
    flag_rows = [[f.name, f.organization_name, f.unexcused, f.longest_excused_run] for f in flags]
    tables = [
        {
            "title": _("Key figures"),
            "sheet": _("Key figures"),
            "headers": [_("Indicator"), _("Count"), _("Out of"), _("%")],
            "rows": kpi_rows,
        },
        {
            "title": _("Regular meetings logged per month (cells)"),
            "sheet": _("Heat-map"),
            "headers": [_("Organisation"), _("Cells"), *month_headers],
            "rows": heat_rows,
        },
        {
            "title": _("Cells with missing regular meetings"),
            "sheet": _("Missing"),
            "headers": [_("Party cell"), _("Months")],
            "rows": missing_rows,
        },
        {
            "title": _("Members to follow up"),
            "sheet": _("Members"),
            "headers": [
                _("Full name"),
                _("Party cell"),
                _("Absences without reason"),
                _("Longest run of absences with reason"),
            ],
            "rows": flag_rows,
        },
    ]
    figures = {
        "cells": kpis.cells,
        "pct_all_regular": kpis.pct_all_regular,
        "pct_all_thematic": kpis.pct_all_thematic,
        "attendance_pct": kpis.attendance_pct,
        "pct_good": kpis.pct_good,
        "missing_cells": len(missing),
        "flagged_members": len(flags),
    }
    progress(80)
    context = {
        **_header(report, title),
        "kpis": kpis,
        "period": period,
        "tables": tables,
        "heatmap": heatmap,
        "months": list(selectors.MONTHS),
        "chart": [(label, pct) for label, _n, _of, pct in kpi_rows],
    }
    return Built(
        template="reports/pdf/compliance.html",
        context=context,
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=parameters_on(timezone.localdate()).parameter_set,
        data_as_of=data_as_of,
    )


BUILDERS: dict[str, Callable[..., Built]] = {
    Report.Kind.COMPLIANCE: build_compliance,
}
