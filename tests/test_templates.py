"""Template hygiene that the pages themselves would only show as stray text."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_no_template_comment_spans_lines():
    """Django's {# #} comment ends at the end of its line: a longer one is printed on the page as text (the
    compliance page once showed "{# Previous / next ... #}"). Use {% comment %} for several lines."""
    spanning = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            rest = line
            while "{#" in rest:
                rest = rest[rest.index("{#") + 2 :]
                if "#}" not in rest:
                    spanning.append(f"{path.relative_to(ROOT)}:{number}")
                    break
                rest = rest[rest.index("#}") + 2 :]
    assert spanning == []
