"""The formal elements of every kind of report are where HD 36-HD/VPTW puts them (../shared/documents.md), read
back from the PDF with pdfplumber (text positions): issuer top-left, Party title top-right, number under the issuer,
place and date right, title centred, signature right and "Nơi nhận:" left on the same page, the draft mark on every
page of a draft and on none of the issued document, page numbers from page 2 centred in the top margin, and no
number breaking across lines in a table cell.

Set DOCUMENTS_DUMP=/some/dir to keep the PDFs for a look.
"""

import datetime
import io
import os
import re
from pathlib import Path

import pytest
import time_machine

from reports.building import report_build
from reports.documents import issuing
from reports.documents.settings import save_issuer_settings
from reports.models import Report
from reports.services import report_request

pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber (dev extra) reads the text positions of the PDFs")

pytestmark = pytest.mark.django_db

FROZEN = "2026-02-16 09:00 +0700"
CM = 72 / 2.54  # points
TOP_MARGIN = 2 * CM
LEFT, RIGHT = 3 * CM, 1.5 * CM
NUMBER = re.compile(r"[-−]?[\d.]+(,\d+)?\s?%?")


def _weasyprint_or_skip():
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint cannot load here ({error}): no PDF to read")


def lines(page) -> list[dict]:
    return page.extract_text_lines(strip=True, return_chars=False)


def left(page):
    return page.crop((0, 0, page.width / 2, page.height))


def right(page):
    return page.crop((page.width / 2, 0, page.width, page.height))


def find(page, text: str, *, start: bool = False) -> dict:
    for line in lines(page):
        if line["text"].startswith(text) if start else text in line["text"]:
            return line
    raise AssertionError(f"{text!r} not found on page {page.page_number}: {[ln['text'] for ln in lines(page)]}")


def centre(line) -> float:
    return (line["x0"] + line["x1"]) / 2


def check_layout(pdf_bytes: bytes, *, draft: bool, symbol: str, place: str, issuer_name: str, body_above: str) -> None:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as document:
        pages = document.pages
        has_appendix = any("PHỤ LỤC" in (page.extract_text() or "") for page in pages)
        first = pages[0]
        body_centre = (LEFT + first.width - RIGHT) / 2
        # Each half of the page is read apart: a line of the left column and one of the right are level.
        party = find(right(first), "ĐẢNG CỘNG SẢN VIỆT NAM")
        assert party["top"] < TOP_MARGIN + 30, "Party title top-right"
        issuer = find(left(first), issuer_name)
        assert abs(issuer["top"] - party["top"]) < 30, "issuer top-left"
        above = find(left(first), body_above)
        assert above["top"] < issuer["top"], "body above over the issuer"
        number = find(left(first), "Số ", start=True)
        assert number["top"] > issuer["top"], "number under the issuer, left"
        assert number["text"] == f"Số {symbol}"
        dated = find(right(first), f"{place}, ngày")
        assert dated["top"] > party["top"], "place and date right, under the title line"
        if not draft:
            assert dated["text"] == f"{place}, ngày 16 tháng 02 năm 2026"
        title = next(ln for ln in lines(first) if ln["top"] > max(dated["bottom"], number["bottom"]) + 2)
        assert abs(centre(title) - body_centre) < 12, f"title centred: {title}"
        # Signature right and recipients left, level, on the same page (the last page of the body).
        signed = [page for page in pages if any(ln["text"].startswith("Nơi nhận:") for ln in lines(page))]
        assert len(signed) == 1
        recipients = find(left(signed[0]), "Nơi nhận:", start=True)
        authority = find(right(signed[0]), "T/M ")
        assert signed[0].page_number < len(pages) or not has_appendix, "the phụ lục comes after the signature"
        assert abs(recipients["top"] - authority["top"]) < 6, "Nơi nhận level with the signature"
        # Never a page of signatures alone: lines of the body stand above them (beside "Số liệu tính đến").
        above = [
            ln
            for ln in lines(signed[0])
            if TOP_MARGIN < ln["top"] < recipients["top"] - 2 and not ln["text"].startswith("Số liệu tính đến")
        ]
        assert above, "the signature page carries the last lines of the text"
        for page in pages:
            # No figure breaks across lines in a table cell ("45.134" on one line, "80,1 %" too).
            for table in page.extract_tables():
                for row in table:
                    for cell in row:
                        if cell and "\n" in cell:
                            assert not NUMBER.fullmatch(cell.replace("\n", "")), f"number broken: {cell!r}"
            margin = page.crop((0, 0, page.width, TOP_MARGIN))
            words = margin.extract_words()
            text = " ".join(w["text"] for w in words)
            assert ("DỰ THẢO" in text) == draft, f"draft mark on page {page.page_number}: {text!r}"
            numbers = [w for w in words if w["text"].isdigit()]
            if page.page_number == 1:
                assert not numbers, "no page number on page 1"
            else:
                assert [w["text"] for w in numbers] == [str(page.page_number)], f"page number on {page.page_number}"
                assert abs(centre(numbers[0]) - page.width / 2) < 0.15 * page.width, "page number centred on top"


KINDS = [
    (Report.Kind.COMPLIANCE, "root", 2025),
    (Report.Kind.EVALUATION, "root", 2025),
    (Report.Kind.MODEL_CELLS, "root", 2025),
    (Report.Kind.CELL_PROFILE, "a1", 2025),
]


@pytest.mark.parametrize(("kind", "node", "year"), KINDS, ids=[k[0] for k in KINDS])
@time_machine.travel(FROZEN, tick=False)
def test_formal_elements_in_place_draft_and_issued(world, kind, node, year):
    _weasyprint_or_skip()
    staff = world.personas.staff
    save_issuer_settings(
        organization=world.tree.root,
        user=staff,
        version=1,
        issuer_name="Đảng ủy Khối các cơ quan tỉnh",
        body_above="Đảng bộ tỉnh Yên Bái",
        abbreviation="ĐUK",
        place="Yên Bái",
        authority="",
        recipients={},
    )
    organization = getattr(world.tree, node)
    report = report_request(user=world.personas.admin, organization=organization, kind=kind, year=year)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    drafted = report.pdf.read()
    issued = issuing.issue_report(
        report=report,
        user=staff,
        issued_on=datetime.date(2026, 2, 16),
        signer_authority="T/M BAN THƯỜNG VỤ" if node == "root" else "T/M CHI BỘ",
        signer_position="K/T BÍ THƯ\nPHÓ BÍ THƯ",
        signer_name="Nguyễn Văn An",
        recipients="- Ban Tổ chức Tỉnh ủy (để báo cáo),\n- Lưu VP.",
    )
    final = issued.issued_pdf.read()
    if os.environ.get("DOCUMENTS_DUMP"):
        out = Path(os.environ["DOCUMENTS_DUMP"])
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{kind}-draft.pdf").write_bytes(drafted)
        (out / f"{kind}-issued.pdf").write_bytes(final)
    names = {"issuer_name": "ĐẢNG ỦY KHỐI", "body_above": "ĐẢNG BỘ TỈNH YÊN BÁI"}
    if node != "root":
        names = {"issuer_name": "CHI BỘ A1", "body_above": "ĐẢNG BỘ A"}
    abbreviation = "ĐUK" if node == "root" else "CB"
    check_layout(drafted, draft=True, symbol=f"……-BC/{abbreviation}", place="Yên Bái", **names)
    check_layout(final, draft=False, symbol=f"1-BC/{abbreviation}", place="Yên Bái", **names)
