"""The model-cell programme progress report."""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.selectors import parameters_on
from evaluations import rules
from evaluations.models import HistoricalRating, OrgEvaluation
from evaluations.programmes import services as programmes
from reports.builders.common import Built, _header
from reports.models import Report


def build_model_cells(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    """Model-cell progress: per grassroots organisation the cells registered, eligible, recognised, and the
    coverage against the target share of recognised model cells (B21, B22)."""
    root = report.organization
    data_as_of = timezone.now()
    programme = report.params.get("programme", "KIEU_MAU")
    result = programmes.coverage(user=user, root=root, programme=programme, year=report.year)
    progress(35)
    # Eligibility of every cell for a phase starting next year (reference years: the two before it).
    years = [report.year - 1, report.year]
    cells = [cell for row in result["rows"] for cell in row.cells]
    grades: dict[int, dict[int, str]] = {}
    for rating in HistoricalRating.objects.filter(organization__in=cells, year__in=years).values_list(
        "organization_id", "year", "grade"
    ):
        grades.setdefault(rating[0], {})[rating[1]] = rating[2]
    for evaluation in (
        OrgEvaluation.objects.filter(
            organization__in=cells, period__year__in=years, status=OrgEvaluation.Status.DECIDED
        )
        .exclude(final_grade="")
        .values_list("organization_id", "period__year", "final_grade")
    ):
        grades.setdefault(evaluation[0], {})[evaluation[1]] = evaluation[2]
    eligible = {cell.pk for cell in cells if rules.model_cell_eligibility(grades.get(cell.pk, {}), years)[0]}
    progress(60)
    rows = [
        [
            row.organization.name,
            row.cell_count,
            len(row.registered),
            len([c for c in row.cells if c.pk in eligible]),
            len(row.recognised),
            row.recognised_pct,
            _("none registered") if row.missing_registration else "",
        ]
        for row in result["rows"]
    ]
    tables = [
        {
            "title": _("Coverage per grassroots organisation"),
            "sheet": _("Coverage"),
            "headers": [
                _("Grassroots organisation"),
                _("Cells"),
                _("Registered"),
                _("Eligible"),
                _("Recognised"),
                _("Share recognised"),
                _("Note"),
            ],
            "rows": rows,
        }
    ]
    figures = {
        "cells": result["cells"],
        "registered": result["registered"],
        "eligible": len(eligible),
        "recognised": result["recognised"],
        "recognised_pct": str(result["recognised_pct"]) if result["recognised_pct"] is not None else None,
        "target_pct": result["target_pct"],
        "target_met": result["target_met"],
        "committees_without_registration": len(result["missing"]),
    }
    progress(75)
    title = _("REPORT ON BUILDING MODEL PARTY CELLS")
    chart = [
        (_("Cells registered"), float(result["registered_pct"]) if result["registered_pct"] is not None else None),
        (_("Cells recognised"), float(result["recognised_pct"]) if result["recognised_pct"] is not None else None),
    ]
    return Built(
        template="reports/pdf/tables.html",
        context={**_header(report, title), "tables": tables, "chart": chart, "chart_target": result["target_pct"]},
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=parameters_on(timezone.localdate()).parameter_set,
        data_as_of=data_as_of,
    )
