"""The model-cell programme progress report, for each programme (kiểu mẫu, bốn tốt): the kind stays
"model_cells" and `report.params["programme"]` names the programme (reports/forms.py)."""

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cells.formats import num, pct
from criteria.models import CriteriaSet
from criteria.selectors import parameters_on
from evaluations import rules
from evaluations.models import HistoricalRating, OrgEvaluation
from evaluations.programmes import services as programmes
from reports.builders.common import Built, _header
from reports.builders.evaluation import PDF_GRASSROOTS_ROWS, against_target, basis_sentence, named_list
from reports.models import Report

TITLES = {
    CriteriaSet.Programme.MODEL_CELL: gettext_lazy("REPORT ON BUILDING MODEL PARTY CELLS"),
    CriteriaSet.Programme.FOUR_GOOD: gettext_lazy("REPORT ON BUILDING FOUR-GOOD PARTY CELLS"),
}


def draft_sections(*, figures: dict, programme_name: str, year: int, missing: list[str]) -> list[dict]:
    """The narrative from the figures (pure: unit-tested without a database)."""
    cells = figures["cells"]
    results = []
    if cells:
        results.append(
            _(
                "%(programme)s in %(year)s: %(registered)s/%(cells)s cells registered, %(eligible)s/%(cells)s "
                "eligible on their past grades, %(recognised)s/%(cells)s recognised (%(pct)s), %(target)s."
            )
            % {
                "programme": programme_name,
                "year": year,
                "registered": num(figures["registered"]),
                "eligible": num(figures["eligible"]),
                "recognised": num(figures["recognised"]),
                "cells": num(cells),
                "pct": pct(figures["recognised_pct"]),
                "target": against_target(
                    float(figures["recognised_pct"]) if figures["recognised_pct"] is not None else None,
                    figures["target_pct"],
                ),
            }
        )
    else:
        results.append(_("There is no active party cell in this part of the tree."))
    strengths, shortcomings, tasks = [], [], []
    if figures["target_met"]:
        strengths.append(_("The share of recognised cells meets the target."))
    elif cells:
        shortcomings.append(_("The share of recognised cells is below the target."))
    if missing:
        shortcomings.append(
            _("Grassroots committees with no cell registered: %(names)s.") % {"names": named_list(missing)}
        )
        tasks.append(_("Each grassroots committee registers at least one cell in the programme."))
    elif cells:
        strengths.append(_("Every grassroots committee has at least one cell registered."))
    tasks.append(
        _("Guide the registered cells through the yearly checks and propose the eligible ones for recognition.")
    )
    sections = [
        {"key": "results", "heading": _("I. RESULTS"), "paragraphs": results},
        {"key": "strengths", "heading": _("II. STRENGTHS"), "paragraphs": strengths},
        {"key": "shortcomings", "heading": _("III. SHORTCOMINGS"), "paragraphs": shortcomings},
        {"key": "tasks", "heading": _("IV. TASKS AHEAD"), "paragraphs": tasks},
    ]
    return [section for section in sections if section["paragraphs"] or section["key"] == "results"]


def build_model_cells(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    """Model-cell progress: per grassroots organisation the cells registered, eligible, recognised, and the
    coverage against the target share of recognised model cells (B21, B22)."""
    root = report.organization
    data_as_of = timezone.now()
    programme = report.params.get("programme")
    if programme not in programmes.PROGRAMMES:
        programme = CriteriaSet.Programme.MODEL_CELL
    programme_name = programmes.programme_label(programme)
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
    # D4: the programme's own eligibility rule for a phase starting next year (bốn tốt: none by default).
    if programmes.eligibility_rule(programme=programme, phase_start=report.year + 1) == programmes.ELIGIBILITY_NONE:
        eligible = {cell.pk for cell in cells}
    else:
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
            "totals": [
                _("Total"),
                result["cells"],
                result["registered"],
                len(eligible),
                result["recognised"],
                result["recognised_pct"],
                "",
            ],
            # Short lists in the phụ lục; at the bloc's scale only in the spreadsheet.
            "appendix": True,
        }
    ]
    pdf_tables = tables if len(rows) <= PDF_GRASSROOTS_ROWS else []
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
    title = TITLES[programme]
    # The target is the recognised share's own: the registered bar carries none (issue #14, one target per bar).
    chart = [
        (
            _("Cells registered"),
            float(result["registered_pct"]) if result["registered_pct"] is not None else None,
            None,
        ),
        (
            _("Cells recognised"),
            float(result["recognised_pct"]) if result["recognised_pct"] is not None else None,
            float(result["target_pct"]),
        ),
    ]
    missing = [row.organization.name for row in result["missing"]]
    sections = draft_sections(figures=figures, programme_name=programme_name, year=report.year, missing=missing)
    if not pdf_tables:
        sections[0]["paragraphs"].append(
            _("The detail per grassroots organisation is in the spreadsheet sent with this report.")
        )
    # The rule set in force for the year reported on, not today's.
    parameter_set = parameters_on(datetime.date(report.year, 12, 31)).parameter_set
    basis = basis_sentence(parameter_set.basis.all()) if parameter_set else ""
    return Built(
        template="reports/pdf/tables.html",
        context={
            **_header(report, title),
            "programme": programme_name,
            "tables": pdf_tables,
            "sections": sections,
            "basis": basis,
            "chart": chart,
            "chart_target": None,
            "chart_section": "results",
        },
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=parameter_set,
        data_as_of=data_as_of,
        sections=sections,
        basis=basis,
    )
