"""The .xlsx twin of a report (reports.building.tables_to_xlsx): each value with its type and format.

Most cells of a big sheet go to openpyxl as plain values (issue #14, "Scale"); the file must read as if every value
had its own cell: text stays text (never a formula or an error code), numbers and dates keep their formats.
"""

import datetime
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy, override
from openpyxl import load_workbook

from reports.building import tables_to_xlsx


def test_report_spreadsheet_keeps_each_value_with_its_type_and_format():
    values = [
        "=SUM(A1:A2)",
        "=",
        "#N/A",
        "Chi bộ Văn phòng",
        4749,
        -1,
        Decimal("2.5"),
        Decimal("8.0"),
        8.5,
        datetime.date(2025, 5, 1),
        datetime.datetime(2025, 5, 1, 8, 30),
        None,
        True,
        gettext_lazy("Total"),
    ]
    with override("vi"):
        content = tables_to_xlsx([{"title": "Bảng", "headers": ["Cột"], "rows": [values, [1, "=1+1"]]}], title="T")

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    first, second = (list(row) for row in sheet.iter_rows(min_row=3))
    assert [(cell.value, cell.data_type, cell.number_format) for cell in first] == [
        ("=SUM(A1:A2)", "s", "General"),
        ("=", "s", "General"),
        ("#N/A", "s", "General"),
        ("Chi bộ Văn phòng", "s", "General"),
        (4749, "n", "#,##0"),
        (-1, "n", "#,##0"),
        (2.5, "n", "#,##0.0#"),
        (8, "n", "#,##0"),
        (8.5, "n", "#,##0.0#"),
        (datetime.datetime(2025, 5, 1), "d", "DD/MM/YYYY"),
        (datetime.datetime(2025, 5, 1, 8, 30), "d", "DD/MM/YYYY HH:MM"),
        (None, "n", "General"),
        (True, "b", "General"),
        ("Tổng cộng", "s", "General"),
    ]
    assert [(cell.value, cell.data_type, cell.number_format) for cell in second[:2]] == [
        (1, "n", "#,##0"),
        ("=1+1", "s", "General"),
    ]
    assert (sheet["A1"].value, sheet["A1"].font.b, sheet["A2"].value, sheet["A2"].font.b) == ("Bảng", True, "Cột", True)
