"""Item 10 of #15: figures in templates go through the one formatting helper (cells/formats.py), never Django's
floatformat or humanize's intcomma (which wrote "77.5", "8.0" and "4760" beside "77,5" and "4.749")."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORBIDDEN = re.compile(r"\|\s*(floatformat|intcomma|intword)\b|\{%\s*load[^%]*\bhumanize\b")
# Templates allowed to use them, with the reason (none today).
ALLOWED: dict[str, str] = {}


def test_no_template_formats_numbers_its_own_way():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = str(path.relative_to(TEMPLATES))
        if relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()[:120]}")
    assert not offenders, "use |num, |pct, |points or |date_vn (cells/formats.py):\n" + "\n".join(offenders)
