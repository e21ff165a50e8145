"""The meeting compliance report (monthly, quarterly, yearly)."""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from cells.names import org_label
from criteria.selectors import parameters_on
from meetings import selectors as meeting_selectors
from reports.builders.common import Built, _header
from reports.models import Report


def build_compliance(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    root = report.organization
    period = meeting_selectors.Period(year=report.year, month=report.month, quarter=report.quarter)
    data_as_of = timezone.now()
    kpis = meeting_selectors.kpis(user=user, root=root, period=period)
    progress(20)
    heatmap = meeting_selectors.heatmap(user=user, root=root, year=report.year)
    progress(40)
    missing = meeting_selectors.missing_cells(user=user, root=root, period=period)
    progress(55)
    flags = meeting_selectors.flagged_members(user=user, root=root, year=report.year)
    progress(70)
    title = _("REPORT ON PARTY CELL MEETINGS")
    kpi_rows = [
        [_("Cells that held every regular meeting"), kpis.cells_all_regular, kpis.cells, kpis.pct_all_regular],
        [
            _("Cells with a thematic meeting every quarter"),
            kpis.cells_all_thematic,
            kpis.cells_thematic,
            kpis.pct_all_thematic,
        ],
        [_("Member attendance"), kpis.present, kpis.eligible, kpis.attendance_pct],
        [_("Meetings rated Good"), kpis.meetings_good, kpis.meetings_rated, kpis.pct_good],
    ]
    month_headers = [str(m) for m in meeting_selectors.MONTHS]
    # D6: per month, the cells whose regular meeting counts ("—": no cell of the row existed that month).
    heat_rows = [
        [row.organization.name, row.cells, *[m.counted if m.required else "—" for m in row.months]] for row in heatmap
    ]
    # D6: a month with only a draft or a make-up meeting is missing all the same; it says so.
    notes = {"drafts": _("draft, not finalised"), "makeup": _("make-up")}

    def _month(item, month) -> str:
        note = next((notes[key] for key in notes if month in item[key]), None)
        return f"{month} ({note})" if note else str(month)

    missing_rows = [[org_label(item["cell"]), ", ".join(_month(item, m) for m in item["months"])] for item in missing]
    review = _("Consider removal from the Party roll under Article 8 of the Party Charter")
    flag_rows = [
        [
            f.name,
            f.organization_name,
            f.unexcused,
            f.unexcused_months,
            f.longest_excused_run,
            review if f.removal_review else "—",
        ]
        for f in flags
    ]
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
                _("Months absent without reason"),
                _("Longest run of absences with reason"),
                _("Removal review (D8)"),
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
        "months": list(meeting_selectors.MONTHS),
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
