"""The input policy: what the application accepts from a person, decided in this one module.

The rules
---------
1. Text holds no control characters: none of Unicode's category Cc (NUL, the other C0 codes, DEL, the C1 codes),
   no lone surrogates and neither of the non-characters U+FFFE and U+FFFF. PostgreSQL refuses NUL, and a
   spreadsheet (XML) cannot hold most of the others, so a name carrying one would break every export that lists
   it. Multi-line text (a Textarea) may hold tab, line feed and carriage return; one-line text none of them.
   The refusal is a Vietnamese message on the field (`check_text`).
2. Lengths are those of the stored form. A form field's max_length is its column's; what is derived from a value
   must fit its own column: the accent-folded search key (`search_text`) of a name in a script whose letters
   decompose (150 Hangul syllables fold to 450 jamo) is clipped to its column by `cells.text.fold(max_length=)`
   — it is only a search key.
3. Numbers are finite and bounded: cells/numbers.py reads every decimal (its `DecimalField` for forms, its
   `parse_decimal` for the values read by hand) and refuses NaN, sNaN and Infinity; the services check ranges.
4. Query parameters are bounded: views read numbers with `int_param` (year, month, any number: missing, not a
   number or out of bounds gives the default), `page_param` (page numbers), `id_param` (a primary key: present
   but impossible answers 404, like a missing row), `choice_param` and `text_param` (search boxes). Filter forms
   read from the query string bound their fields the same way (years YEAR_MIN..YEAR_MAX, ids 1..ID_MAX).
5. Output tolerates what is already stored: `xlsx_text` removes what XML cannot hold, so no export or report
   spreadsheet can fail on a row written before this policy (or by a script).

How it is applied, once for the whole application
-------------------------------------------------
- Every `django.forms.CharField` (and its subclasses that call its `to_python`: RegexField, EmailField,
  URLField, the admin's and the auth forms' fields): `install()`, called from `CellsConfig.ready()`, wraps
  `CharField.to_python` so that `check_text` runs on each submitted value before any other validator, multi-line
  when the field's widget is a Textarea. No form can forget it. Where Django checks first (a NUL byte in a
  ModelChoiceField), its own message is translated through DJANGO_NUL_MESSAGE below. tests/test_inputs.py checks
  that the policy is installed on every form of the project.
- Every request body: `RequestSizeLimitMiddleware` answers 413 when the declared size is over REQUEST_MAX_BYTES,
  before anything reads the body (an upload's own limit would only be checked once it had all been received).
- Every query string: `QueryStringMiddleware` (settings.MIDDLEWARE) answers 400 with a Vietnamese page when a
  parameter name or value holds a control character (tab, line feed and carriage return pass).
- The few values read from request.POST outside a form (attendance reasons, evidence tables): their views call
  `check_text` themselves (and cells.numbers.parse_decimal for numbers).
- Spreadsheet imports: `members.spreadsheets.clean_cells` refuses a cell with a control character at preview.
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cells.text import one_line

# Django's own message for a NUL byte (its ModelChoiceField and model fields check for one before any of ours runs),
# named here so that the project's catalogue translates it: Django ships it untranslated in Vietnamese.
DJANGO_NUL_MESSAGE = gettext_lazy("Null characters are not allowed.")

#
# Bounds shared by the query parameters and the forms
#

YEAR_MIN, YEAR_MAX = 2000, 2100
ID_MAX = 2**63 - 1  # a BigAutoField
PAGE_MAX = 1_000_000
INT_TEXT_MAX = 20  # characters of a whole number in a query string: more can only be noise

#
# Text
#

# Refused everywhere: Cc without tab, line feed and carriage return; surrogates; U+FFFE and U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Refused in one-line text as well.
_LINE_BREAK = re.compile("[\t\n\r]")
# What XML 1.0 (an .xlsx cell) cannot hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_error(value: str, *, multiline: bool = True) -> str | None:
    """The message refusing `value`, or None when it follows the policy."""
    found = _CONTROL.search(value)
    if found:
        return _(
            "Remove the invisible control character %(code)s from this text (it often comes with text copied "
            "from another program)."
        ) % {"code": f"U+{ord(found.group()):04X}"}
    if not multiline and _LINE_BREAK.search(value):
        return _("Write this on one line: tabs and line breaks are not allowed here.")
    return None


def check_text(value: str, *, multiline: bool = True) -> str:
    """`value` unchanged, or ValidationError (code "control_character") with the Vietnamese message."""
    message = text_error(value, multiline=multiline)
    if message:
        raise ValidationError(message, code="control_character")
    return value


def visible(value: str) -> str:
    """`value` with each refused character replaced by U+FFFD, to show (or store in a preview) what was refused."""
    return _CONTROL.sub("\ufffd", value)


def xlsx_text(value):
    """A cell value an .xlsx file can hold: text without the characters XML refuses; other values unchanged."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


_original_to_python = forms.CharField.to_python


def line_feeds(value: str) -> str:
    """Multi-line text with "\n" line ends. A browser sends a textarea's lines ended by "\r\n" (HTML's rule), so
    without this a form saved untouched would rewrite every stored "\n" (tests/browser/test_form_round_trip.py)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _to_python(self, value):
    value = _original_to_python(self, value)
    if isinstance(value, str) and value:
        multiline = isinstance(self.widget, forms.Textarea)
        check_text(value, multiline=multiline)
        if multiline:
            value = line_feeds(value)
    return value


def install() -> None:
    """Apply rule 1 to every CharField of every form (idempotent). Called once, from CellsConfig.ready()."""
    forms.CharField.to_python = _to_python


def installed() -> bool:
    return forms.CharField.to_python is _to_python


#
# Query parameters
#

_WHOLE = re.compile(r"[+-]?[0-9]+")


def int_param(request, name: str, *, default=None, min: int, max: int):
    """The whole number in ?name=, or `default` when it is missing, not a whole number or outside [min, max]."""
    raw = request.GET.get(name, "").strip()
    if not raw or len(raw) > INT_TEXT_MAX or not _WHOLE.fullmatch(raw):
        return default
    value = int(raw)
    return value if min <= value <= max else default


def page_param(request, name: str = "page") -> int:
    """A page number for Paginator.get_page (which shows the last page for one past the end)."""
    return int_param(request, name, default=1, min=1, max=PAGE_MAX)


def id_param(request, name: str) -> int | None:
    """A primary key in ?name=: None when missing or empty; 404 when it cannot be one (like a missing row)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    value = int_param(request, name, min=1, max=ID_MAX)
    if value is None:
        raise Http404
    return value


def choice_param(request, name: str, choices, *, default=""):
    """?name= when it is one of `choices`, else `default`."""
    value = request.GET.get(name, "")
    return value if value in choices else default


def text_param(request, name: str, *, max_length: int = 100) -> str:
    """A search box: single spaces, at most `max_length` characters (control characters never get here)."""
    return one_line(request.GET.get(name, ""))[:max_length]


class QueryStringMiddleware:
    """Answers 400 with a Vietnamese page when a query parameter (name or value) holds a control character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if any(_CONTROL.search(text) for text in (key, *values)):
                return render(request, "400.html", status=400)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than REQUEST_MAX_BYTES before any of it is read.

    Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) leave files out, so a 120 MB attachment used to be received
    whole before the feature's 10 MB check refused it. Browsers always declare the size of a form they send
    (Content-Length); this answers 413 with a Vietnamese page at once and closes the connection. It sits after the
    authentication and messages middleware (which do not read the body) so that the page has its usual frame, and
    acts before any view or the CSRF check reads the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            response = render(
                request,
                "413.html",
                {"size": filesizeformat(declared), "limit": filesizeformat(limit)},
                status=413,
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)
