"""Forms as a browser submits them untouched, for the load phase's writes (bench/locustfile.py).

Kept apart from the locustfile so that the tests can check it without importing Locust (which patches the
standard library with gevent on import).
"""

import re
from html.parser import HTMLParser


class FormParser(HTMLParser):
    """The fields of every POST form on a page as a browser would submit them untouched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._select_first = None
        self._option = self._option_text = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            # A checkbox without a value sends "on"; any other input without one sends "".
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form["fields"].append((a["name"], a.get("value") if a.get("value") is not None else default))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select, self._select_first, self._select_chosen = a["name"], None, False
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select:
            self._option, self._option_text, self._option_selected = a.get("value"), "", "selected" in a
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        elif self._option_text is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select:
            value = self._option if self._option is not None else self._option_text.strip()
            if self._select_first is None:
                self._select_first = value
            if self._option_selected:
                self._select_chosen = True
                self._form["fields"].append((self._select, value))
            self._option = self._option_text = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._select_multiple and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The browser drops the one newline right after <textarea>.
            self._form["fields"].append((self._textarea, self._text[1:] if self._text.startswith("\n") else self._text))
            self._textarea = None


def edit_form(html: str, path: str) -> list[tuple[str, str]] | None:
    """The POST form that saves the page's record: the one posting to the page itself (not the logout form)."""
    parser = FormParser()
    parser.feed(html)
    candidates = [
        f
        for f in parser.forms
        if f["method"] == "post"
        and f["action"] in ("", path)
        and any(n == "csrfmiddlewaretoken" for n, _ in f["fields"])
    ]
    return max(candidates, key=lambda f: len(f["fields"]))["fields"] if candidates else None


def form_errors(html: str) -> list[str]:
    """The form's error messages, so that a refused save says why in the bench output."""
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</(?:div|ul)>', html, re.S
    )
    return [text for text in (" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found) if text][:3]
