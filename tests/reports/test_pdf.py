"""cells.pdf.render_pdf with the real WeasyPrint: the text comes back out of the PDF, diacritics included,
in the bundled font."""

import datetime
import logging
import unicodedata

import pytest
from django.conf import settings as django_settings

from cells.pdf import font_dir_uri, render_html, render_pdf
from tests.reports import pdf_fonts, pdf_text, weasyprint_problems

VIETNAMESE = "Đảng bộ Khối — Nguyễn Thị Ánh, Trần Văn Đức, Phạm Thị Ngọc Hạnh"

TINY = """<!doctype html><html><head><meta charset="utf-8"><style>
@font-face { font-family: "Chibo Tinos"; src: url("{{ font_dir }}/Tinos-Regular.ttf"); }
@page { size: A4; margin: 2cm; }
body { font-family: "Chibo Tinos"; font-size: 13pt; }
</style></head><body><p>{{ line }}</p></body></html>"""

ON_BASE = """{% extends "reports/pdf/base.html" %}
{% block title %}Biên bản{% endblock %}
{% block body %}<p>{{ line }}</p>{% endblock %}"""


@pytest.fixture
def pdf_templates(settings, tmp_path):
    """A template folder in front of the project's, holding the tiny test templates."""
    (tmp_path / "tiny.html").write_text(TINY, encoding="utf-8")
    (tmp_path / "on_base.html").write_text(ON_BASE, encoding="utf-8")
    engine = dict(django_settings.TEMPLATES[0])
    engine["DIRS"] = [tmp_path, *engine["DIRS"]]
    settings.TEMPLATES = [engine]
    return tmp_path


def test_font_dir_points_at_the_bundled_tinos_files():
    assert font_dir_uri().startswith("file:///")
    for name in ("Tinos-Regular.ttf", "Tinos-Bold.ttf", "Tinos-Italic.ttf", "Tinos-BoldItalic.ttf"):
        assert (django_settings.BASE_DIR / "static" / "fonts" / name).is_file()


def test_render_pdf_keeps_vietnamese_text_identical(pdf_templates):
    pdf = render_pdf("tiny.html", {"line": VIETNAMESE})

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf).strip()
    assert text == VIETNAMESE
    assert unicodedata.is_normalized("NFC", text)


def test_render_pdf_embeds_tinos_and_no_other_font(pdf_templates, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf("tiny.html", {"line": VIETNAMESE})

    # e.g. "Font-face 'Chibo Tinos' cannot be loaded" when the file:// URL is wrong
    assert weasyprint_problems(caplog.records) == []  # without libharfbuzz-subset0 the fontTools warning is fine
    fonts = pdf_fonts(pdf)
    assert fonts, "the PDF names no font"
    for font in fonts:
        # A fallback font here would mean a glyph Tinos lacks, or a broken @font-face URL.
        assert "Tinos" in font["name"], fonts
        assert font["emb"] == "yes", fonts


def test_base_template_lays_out_a_party_document(pdf_templates, caplog):
    context = {
        "line": VIETNAMESE,
        "issuer_parent": "Đảng bộ Khối các cơ quan",
        "issuer_name": "Chi bộ Văn phòng",
        "doc_number": "05-BB/CB",
        "place": "Hà Nội",
        "document_date": datetime.date(2025, 2, 7),
        "signer_name": "Trần Văn Đức",
    }

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf("on_base.html", context)

    assert weasyprint_problems(caplog.records) == []  # without libharfbuzz-subset0 the fontTools warning is fine
    text = pdf_text(pdf)
    for expected in (
        "ĐẢNG BỘ KHỐI CÁC CƠ QUAN",
        "CHI BỘ VĂN PHÒNG",
        "Số 05-BB/CB",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Hà Nội, ngày 07 tháng 02 năm 2025",  # HD 36: leading zero for days below 10 and months 1 and 2
        "BIÊN BẢN",
        VIETNAMESE,
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Trần Văn Đức",
    ):
        assert expected in text
    assert "1/1" not in text  # HD 36: page numbers from page 2 (top centre), none on page 1
    assert {font["emb"] for font in pdf_fonts(pdf)} == {"yes"}


def test_render_html_uses_vietnamese_and_local_time(pdf_templates, tmp_path):
    (tmp_path / "when.html").write_text(
        '{% load i18n %}{% get_current_language as lang %}{{ lang }} {{ when|date:"H:i" }}', encoding="utf-8"
    )
    when = datetime.datetime(2025, 3, 1, 1, 30, tzinfo=datetime.UTC)

    assert render_html("when.html", {"when": when}) == "vi 08:30"
