"""The typography of report PDFs, read back with pdfplumber (word positions on the page): figures right-aligned
and grouped the Vietnamese way by the one formatting helper (cells/formats.py), never broken across lines;
headers broken only between words; a totals row; the chart's legend and one target marker per bar."""

import io
import os
import re
from decimal import Decimal

import pytest
import time_machine
from django.template import engines
from django.template.loader import render_to_string
from django.utils.translation import gettext

from cells.pdf import font_dir_uri
from reports.models import Report
from reports.services import report_request
from reports.templatetags.report_tables import table_columns
from tests.reports.test_reports import FROZEN, stored, year_2025

pytestmark = pytest.mark.django_db

pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber reads word positions in the PDF (dev extra)")

DUMP = os.environ.get("REPORT_PDF_DUMP")  # a folder: keep the PDFs built here to look at them


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    def request_and_build(user, organization, kind=Report.Kind.COMPLIANCE, **period) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(user=user, organization=organization, kind=kind, **period)
        report.refresh_from_db()
        assert report.status == Report.Status.DONE, report.error
        if DUMP:
            name = f"{kind}-{'-'.join(f'{k}{v}' for k, v in sorted(period.items()))}.pdf"
            with open(os.path.join(DUMP, name), "wb") as handle:
                handle.write(stored(report.pdf))
        return report

    return request_and_build


def pages_words(pdf: bytes) -> list[list[dict]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_words(keep_blank_chars=False, use_text_flow=False) for page in document.pages]


def test_table_columns_right_align_figures_and_keep_text_left():
    table = {
        "headers": ["Tổ chức", "Số chi bộ", "T1", "Ghi chú"],
        "rows": [["Đảng bộ A", 45134, "chưa đến hạn", "x"], ["Đảng bộ B", 3, Decimal("2.5"), None]],
        "totals": ["Tổng", 45137, None, None],
    }

    columns = table_columns(table)

    assert [c["align"] for c in columns] == ["left", "right", "right", "left"]
    assert [c["nowrap"] for c in columns] == [False, True, True, False]


def test_table_columns_follow_the_tables_own_align():
    table = {"headers": ["a", "b"], "rows": [["x", 1]], "align": ["center", "left"]}

    assert [c["align"] for c in table_columns(table)] == ["center", "left"]


#
# The table include and the chart, printed by WeasyPrint and read back with pdfplumber
#

PAGE = """{% load i18n %}<html lang="vi"><head><meta charset="utf-8"><style>
@font-face { font-family: "Chibo Tinos"; src: url("{{ font_dir }}/Tinos-Regular.ttf"); }
@font-face { font-family: "Chibo Tinos"; font-weight: bold; src: url("{{ font_dir }}/Tinos-Bold.ttf"); }
@page { size: A4 portrait; margin: 2cm 1.5cm 2cm 3cm; }
html { font-family: "Chibo Tinos"; font-size: 13pt; }
table.grid { width: 100%; border-collapse: collapse; font-size: 12pt; margin: 0.3em 0 0.8em 0; }
table.grid th, table.grid td { border: 1px solid #000; padding: 3px 4px; }
</style></head><body>
{% for table in tables %}{% include "reports/pdf/includes/table.html" %}{% endfor %}
{% include "includes/charts/hbar.html" with chart=chart target=None %}
</body></html>"""

WIDE = {
    "title": "Bảng rộng",
    "headers": ["Tổ chức", "Số chi bộ", "Số đảng viên", *[f"T{m}" for m in range(1, 13)]],
    "rows": [
        ["Đảng bộ Sở Tài chính tỉnh", 316, 45134, *[253] * 12],
        ["Đảng bộ Sở Y tế", 12, 1234567, *[1] * 6, *["chưa đến hạn"] * 6],
    ],
    "totals": ["Tổng cộng", 328, 1279701, *[254] * 12],
}
SHARES = {
    "title": "Tỷ lệ",
    "headers": ["Chỉ tiêu", "Số lượng", "Trên tổng số", "%"],
    "rows": [["Chi bộ sinh hoạt đủ", 253, 316, 80.1], ["Đảng viên dự sinh hoạt", 45134, 47001, 96.0]],
}
CHART = [("Chi bộ sinh hoạt đủ", 80.1, None), ("Đảng viên dự sinh hoạt", 96.0, 95), ("Xếp loại Tốt", 57.1, None)]


def render(tables, chart=CHART) -> bytes:
    html = engines["django"].from_string(PAGE).render({"tables": tables, "chart": chart, "font_dir": font_dir_uri()})
    import weasyprint  # import here: WeasyPrint needs Pango (an optional system package), as cells/pdf.py does

    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def printed():
    pdf = render([WIDE, SHARES])
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        tables = page.find_tables()
        words = page.extract_words()
        yield {"pdf": pdf, "tables": tables, "words": words, "text": page.extract_text()}


def words_in(words, bbox) -> list[dict]:
    x0, top, x1, bottom = bbox
    return [
        w
        for w in words
        if w["x0"] >= x0 - 0.5 and w["x1"] <= x1 + 0.5 and w["top"] >= top - 0.5 and w["bottom"] <= bottom + 0.5
    ]


NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?%?$")


def test_figures_are_grouped_the_vietnamese_way(printed):
    text = printed["text"]
    for figure in ("45.134", "1.234.567", "1.279.701", "80,1", "96,0", "47.001"):
        assert figure in text, figure
    assert "45134" not in text and "1234567" not in text


def test_figures_sit_on_one_line_against_the_right_edge_of_their_cell(printed):
    checked = 0
    for table in printed["tables"]:
        for row in table.rows[1:]:  # the header row apart
            for index, cell in enumerate(row.cells):
                if cell is None or index == 0:
                    continue
                inside = words_in(printed["words"], cell)
                numbers = [w for w in inside if NUMBER.match(w["text"])]
                if not numbers:
                    continue
                assert len(inside) == 1, [w["text"] for w in inside]  # one word: never broken across lines
                word = numbers[0]
                # Right-aligned: the figure ends at the cell's right edge less its padding (4px = 3pt) and border.
                assert 2.0 <= cell[2] - word["x1"] <= 5.0, (word["text"], cell[2] - word["x1"])
                checked += 1
    # Every figure of both tables: 14 + 8 in the wide one (six months not yet due) and 14 in its totals, 2 × 3.
    assert checked == 14 + 8 + 14 + 2 * 3


def test_text_columns_stay_left_aligned(printed):
    first = printed["tables"][0]
    cell = first.rows[1].cells[0]
    word = words_in(printed["words"], cell)[0]
    assert 2.0 <= word["x0"] - cell[0] <= 5.0


def test_headers_break_only_between_words(printed):
    tables = sorted(printed["tables"], key=lambda t: t.bbox[1])[:2]  # the two tables; the chart's bars follow
    for table, source in zip(tables, (WIDE, SHARES), strict=True):
        for cell, header in zip(table.rows[0].cells, source["headers"], strict=True):
            printed_words = [w["text"] for w in words_in(printed["words"], cell)]
            # Every word of the header is printed whole (its lines, read in order, give the header back).
            assert printed_words == header.split(), (header, printed_words)


def test_totals_row_is_printed_in_bold(printed):
    with pdfplumber.open(io.BytesIO(printed["pdf"])) as document:
        page = document.pages[0]
        total = next(w for w in page.extract_words(extra_attrs=["fontname"]) if w["text"] == "1.279.701")
        plain = next(w for w in page.extract_words(extra_attrs=["fontname"]) if w["text"] == "1.234.567")
    assert "Bold" in total["fontname"] and "Bold" not in plain["fontname"]


def test_chart_has_a_legend_and_one_marker_for_the_bar_with_a_target():
    svg = render_to_string("includes/charts/hbar.html", {"chart": CHART, "target": None})

    assert svg.count('class="chart-target"') == 1  # only the attendance bar has a target (95 %)
    assert 'class="chart-legend"' in svg
    assert "80,1%" in svg and "96%" in svg


def test_chart_legend_leaves_out_the_marker_when_no_bar_has_a_target():
    svg = render_to_string("includes/charts/hbar.html", {"chart": [("a", 10.0), ("b", 20.0)], "target": None})

    assert 'class="chart-target"' not in svg
    assert svg.count("<line") == 0
    assert 'class="chart-legend"' in svg


def test_chart_legend_is_printed(printed):
    text = "".join(printed["text"].split())  # SVG text is placed glyph by glyph: spaces are not read back
    assert "".join(gettext("result").split()) in text
    assert "".join(gettext("target of that bar").split()) in text


#
# A real report (the compliance report of the hand-computed year of test_reports.py)
#


@time_machine.travel(FROZEN, tick=False)
def test_compliance_report_prints_key_figures_right_aligned_on_one_line(world, build):
    year_2025(world)
    report = build(world.personas.leader, world.tree.root, year=2025)

    checked = 0
    with pdfplumber.open(io.BytesIO(stored(report.pdf))) as document:
        for page in document.pages:
            words = page.extract_words()
            bold = [w for w in page.extract_words(extra_attrs=["fontname"]) if "Bold" in w["fontname"]]
            for table in page.find_tables():
                if not words_in(bold, table.rows[0].bbox) or len(table.rows[0].cells) < 4:
                    # Not a table of figures: the chart's bars (no bold header row), the list of missing months
                    # (two text columns: "7" there is a month written as text, left-aligned).
                    continue
                for row in table.rows[1:]:
                    for index, cell in enumerate(row.cells):
                        if cell is None or index == 0:
                            continue
                        inside = words_in(words, cell)
                        if inside and all(NUMBER.match(w["text"]) for w in inside):
                            assert len(inside) == 1, [w["text"] for w in inside]
                            assert 2.0 <= cell[2] - inside[0]["x1"] <= 5.0, inside[0]["text"]
                            checked += 1
    assert checked >= 12 + 13 * 3  # the key figures and the heat-map
