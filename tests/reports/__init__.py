"""Helpers to read PDFs back with poppler-utils (pdftotext, pdffonts) in tests."""

import shutil
import subprocess

from tests.conftest import service_unavailable


def require_poppler(tool: str = "pdftotext") -> str:
    """The path of a poppler-utils tool; skip (or fail when REQUIRE_SERVICES=1) if it is not installed."""
    path = shutil.which(tool)
    if path is None:
        service_unavailable(f"{tool} not found: install poppler-utils (Debian) to check the text of rendered PDFs")
    return path


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The text of a PDF as pdftotext extracts it (what a user copying from the PDF would get)."""
    args = [require_poppler("pdftotext"), "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    return subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """The fonts of a PDF as pdffonts lists them: one dict per font with name, type, encoding, emb, sub, uni."""
    output = subprocess.run(
        [require_poppler("pdffonts"), "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    lines = output.splitlines()
    # Columns are fixed-width; the dashes under the header give their widths ("CID TrueType" has a space).
    header, rule, rows = lines[0], lines[1], lines[2:]
    spans, start = [], 0
    for dashes in rule.split(" "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [{name: row[a:b].strip() for name, (a, b) in zip(names, spans, strict=True)} for row in rows if row.strip()]


# WeasyPrint's warning when libharfbuzz-subset0 (an optional system package) is missing: it subsets the fonts with
# fontTools instead, and the PDF is the same document (a little larger). Not a problem of the template under test.
OPTIONAL_PACKAGE_WARNINGS = ("Using fontTools instead of HarfBuzz-Subset",)


def weasyprint_problems(records) -> list[str]:
    """The WeasyPrint warnings among log `records` (caplog.records) that point at the document (a font-face that
    cannot be loaded, a bad CSS property), leaving out the ones that only say an optional package is missing."""
    messages = [record.getMessage() for record in records]
    return [message for message in messages if not message.startswith(OPTIONAL_PACKAGE_WARNINGS)]
