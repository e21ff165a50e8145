"""Data gathering for each kind of report: pure reads through the access module, no rendering here.

A builder returns the PDF template and its context, the tables for the XLSX twin (the same tables as the PDF)
and the key figures. Builders are deterministic: the same request on unchanged data gives the same figures.
"""

from collections.abc import Callable

from reports.builders.cell_profile import build_cell_profile
from reports.builders.common import Built
from reports.builders.compliance import build_compliance
from reports.builders.evaluation import build_evaluation
from reports.builders.model_cells import build_model_cells
from reports.models import Report

__all__ = ["BUILDERS", "Built", "build_cell_profile", "build_compliance", "build_evaluation", "build_model_cells"]

BUILDERS: dict[str, Callable[..., Built]] = {
    Report.Kind.COMPLIANCE: build_compliance,
    Report.Kind.EVALUATION: build_evaluation,
    Report.Kind.MODEL_CELLS: build_model_cells,
    Report.Kind.CELL_PROFILE: build_cell_profile,
}
