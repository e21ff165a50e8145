"""The machinery shared by the spreadsheet imports (members/importing/, evaluations/past_results/importing.py).

Reading: the size and archive checks, finding the header row, reading the rows under it within a row limit, and
turning cells into text. Checking: the cell cleaners both imports use and the row outcome bookkeeping. Batches:
confirming and cancelling a previewed batch. Writing: the template's instructions sheet and the workbook of rows in
error. Views: the upload and confirm forms, the upload page, the preview page, confirming and cancelling from
them, and the .xlsx download (the templates extend includes/import_upload_page.html and import_preview_page.html).

Each import keeps its own columns, cell words, row checks and messages about its rows; everything here is the same
for both, so its messages are shared too.
"""

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cells.forms_pages import apply_service_error
from cells.inputs import choice_param, page_param, text_error, visible, xlsx_text
from cells.permissions import get_access, organizations_visible_to, require
from cells.selectors import breadcrumbs
from cells.services import log_action
from cells.text import fold, one_line

#
# Limits
#

# Rosters often carry a title line or two above the header row.
HEADER_SEARCH_ROWS = 10
# Empty rows are skipped, but a sheet of millions of formatted empty rows must not keep a request busy.
MAX_BLANK_ROWS = 100_000
# An .xlsx file is a zip archive: bound what it unpacks to, not only its size on disk (a "zip bomb").
UNPACKED_RATIO = 20

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The words of the file format: how a true/false cell and a date read as text.
YES, NO = "Có", "Không"
DATE_FORMAT = "%d/%m/%Y"
CARD_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]*$")


@dataclass(frozen=True)
class Column:
    key: str  # the key of the cell's value in a row (mostly a model field)
    header: str  # the header written in the template: part of the file format
    label: str  # the UI label (a lazy English msgid)
    kind: str  # how cells are read: the key of the import's cleaner
    max_length: int = 0
    aliases: tuple[str, ...] = ()


def header_key(text) -> str:
    """Hints in brackets and stars do not count: "Giới tính (Nam/Nữ)" and "GIOI TINH" both give "gioi tinh"."""
    text = re.sub(r"\(.*?\)", " ", str(text or "")).replace("*", " ")
    return fold(text)


def header_names(columns: Iterable[Column]) -> dict[str, str]:
    """Folded header text -> column key: the template header, its aliases and the label in Vietnamese and English
    (so that a file exported from a list is recognised too)."""
    names = {}
    for column in columns:
        texts = [column.header, *column.aliases]
        for language in ("vi", "en"):
            with translation.override(language):
                texts.append(str(column.label))
        for text in texts:
            names.setdefault(header_key(text), column.key)
    return names


#
# Reading the file
#


def invalid_file() -> ValidationError:
    return ValidationError(
        _(
            "The file is not a valid Excel .xlsx file. If it is an old .xls or a .csv file, open it in Excel and "
            "save it as Excel Workbook (.xlsx)."
        ),
        code="invalid_file",
    )


def file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, io.SEEK_END)
        file.seek(position)
    return size


def number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_archive(file, limit: int) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise invalid_file() from None
    finally:
        file.seek(0)
    if unpacked > limit * UNPACKED_RATIO:
        raise ValidationError(
            _("The file is too large once unpacked; the limit is %(limit)s.")
            % {"limit": filesizeformat(limit * UNPACKED_RATIO)},
            code="too_large",
        )


def parse_first_sheet(file, *, max_bytes: int, read_rows: Callable) -> list[dict]:
    """`read_rows(sheet)` on the first visible sheet of an .xlsx file, after checking its size and its archive.

    Raises ValidationError with a message for the user when the file is too large, is not an .xlsx file or is
    damaged; `read_rows` raises its own for what it finds in the sheet.
    """
    size = file_size(file)
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if size == 0:
        raise invalid_file()
    file.seek(0)
    check_archive(file, max_bytes)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors on damaged or foreign files
        raise invalid_file() from None
    try:
        # Hidden sheets are left out: a person checks what they see before they upload it.
        visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            raise ValidationError(_("The first sheet of the file is empty."), code="empty")
        sheet = visible[0]
        # Some programs write a wrong sheet size; read every row that is really there.
        sheet.reset_dimensions()
        return read_rows(sheet)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails while it is being read, not when it is opened
        raise invalid_file() from None
    finally:
        workbook.close()


def find_header(
    rows_iter, *, names: dict[str, str], columns_by_key: dict, header_column: str, required_keys: Iterable[str] = ()
) -> tuple[dict[int, str], int]:
    """The header row: the first of the first HEADER_SEARCH_ROWS rows with a `header_column` column, as
    ({cell index: column key}, line). Its other `required_keys` columns must be there too."""
    saw_anything = False
    for line, cells in enumerate(rows_iter, start=1):
        if line > HEADER_SEARCH_ROWS:
            break
        if any(not is_blank(value) for value in cells):
            saw_anything = True
        found: dict[int, str] = {}
        twice = []
        for index, value in enumerate(cells):
            key = names.get(header_key(value)) if not is_blank(value) else None
            if key is None:
                continue
            if key in found.values():
                twice.append(key)
            found[index] = key
        if header_column not in found.values():
            continue
        if twice:
            raise ValidationError(
                _('The column "%(column)s" appears twice in the header row.')
                % {"column": columns_by_key[twice[0]].header},
                code="duplicate_column",
            )
        for key in required_keys:
            if key not in found.values():
                raise ValidationError(
                    _('The header row has no "%(column)s" column. Start from the import template.')
                    % {"column": columns_by_key[key].header},
                    code="no_header",
                )
        return found, line
    if not saw_anything:
        raise ValidationError(_("The first sheet of the file is empty."), code="empty")
    raise ValidationError(
        _(
            'The first sheet has no "%(column)s" column: the header row must be within its first %(count)s '
            "rows. Start from the import template."
        )
        % {"column": columns_by_key[header_column].header, "count": HEADER_SEARCH_ROWS},
        code="no_header",
    )


def read_rows(
    sheet,
    *,
    names: dict[str, str],
    columns_by_key: dict,
    header_column: str,
    required_keys: Iterable[str] = (),
    row_limit: int,
    too_many_rows: Callable[[], ValidationError],
) -> list[dict]:
    """The rows under the header row: [{"line": 7, "values": {column key: cell value}}, ...].

    `values` holds every known column of the header row (empty cells as None); rows with no known cell filled are
    skipped. Raises `too_many_rows()` at the first row past `row_limit`, so a huge sheet is never held in memory.
    May return no rows: the caller says what rows it expected.
    """
    rows_iter = sheet.iter_rows(values_only=True)
    header, header_line = find_header(
        rows_iter, names=names, columns_by_key=columns_by_key, header_column=header_column, required_keys=required_keys
    )
    rows: list[dict] = []
    blank_rows = 0
    for line, cells in enumerate(rows_iter, start=header_line + 1):
        values = {key: (cells[index] if index < len(cells) else None) for index, key in header.items()}
        if all(is_blank(value) for value in values.values()):
            blank_rows += 1
            if blank_rows > MAX_BLANK_ROWS:
                raise ValidationError(
                    _("The sheet has too many empty rows. Delete the empty rows and upload the file again."),
                    code="too_many_rows",
                )
            continue
        if len(rows) >= row_limit:
            raise too_many_rows()
        rows.append({"line": line, "values": values})
    return rows


#
# Checking cells and rows
#


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cell_text(value) -> str:
    """A cell as normalised text: composed Unicode, single spaces; whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    text = unicodedata.normalize("NFC", str(value))
    return one_line(text)


def choices_text(words) -> str:
    return ", ".join(words)


def clean_text(value, column: Column):
    text = cell_text(value)
    if column.max_length and len(text) > column.max_length:
        raise CellError(_("At most %(max)s characters.") % {"max": column.max_length})
    return text, text


def clean_code(value, column: Column):
    """An organisation's code, in capitals."""
    code = cell_text(value).upper()
    if len(code) > column.max_length:
        raise CellError(_("At most %(max)s characters.") % {"max": column.max_length})
    return code, code


def clean_card(value, column: Column):
    card = "".join(cell_text(value).split())
    if len(card) > column.max_length or not CARD_RE.match(card):
        raise CellError(
            _("A party card number has at most %(max)s characters: letters, digits, dots and dashes.")
            % {"max": column.max_length}
        )
    return card, card


@dataclass
class SheetRow:
    """One row while it is checked: `data` is what the preview shows and stores, `parsed` the Python values."""

    line: int
    data: dict[str, str] = field(default_factory=dict)
    parsed: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)


def clean_cells(row: SheetRow, values: dict, *, columns_by_key: dict, cleaners: dict) -> None:
    """Read every filled cell of `values` into `row` with the cleaner of its column's kind."""
    for key, value in values.items():
        if is_blank(value):
            continue
        column = columns_by_key[key]
        # The input policy (cells/inputs.py): a cell with a control character is refused here, at preview.
        problem = text_error(value) if isinstance(value, str) else None
        try:
            if problem:
                raise CellError(problem)
            parsed, shown = cleaners[column.kind](value, column)
        except CellError as error:
            row.errors[key] = error.message
            row.data[key] = visible(cell_text(value))
        else:
            row.parsed[key] = parsed
            row.data[key] = shown


def summary(rows: list, columns: list[str], outcomes: Iterable[str]) -> dict:
    counts = {outcome: 0 for outcome in outcomes}
    for row in rows:
        counts[row.outcome] += 1
    return {"total": len(rows), **counts, "columns": columns}


#
# Batches
#


def upload_name(uploaded_file) -> str:
    """The file name to keep on the batch; refuses a file without the .xlsx extension."""
    name = getattr(uploaded_file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(_("Choose an Excel file with the .xlsx extension."), code="invalid_file")
    return name.rsplit("/", 1)[-1][:255]


def locked_batch(model, batch, user):
    """`batch` locked for the rest of the transaction, for its uploader only and while it is a preview."""
    batch = model.objects.select_for_update().select_related("organization").get(pk=batch.pk)
    if batch.uploaded_by_id != user.pk:
        raise ValidationError(_("Only the person who uploaded this file can confirm or cancel it."))
    if batch.state != model.State.PREVIEW:
        raise ValidationError(_("This import has already been applied or cancelled."))
    return batch


def check_blocking(rows: list[dict], blocking: Iterable[str], skip_errors: bool) -> None:
    """Refuse to apply a batch with rows in error or duplicated, unless they are to be skipped."""
    count = sum(1 for row in rows if row["outcome"] in blocking)
    if count and not skip_errors:
        raise ValidationError(
            ngettext(
                "%(count)s row has an error. Correct the file and upload it again, or choose to skip it.",
                "%(count)s rows have errors. Correct the file and upload it again, or choose to skip them.",
                count,
            )
            % {"count": count}
        )


def changed_since_preview(row: SheetRow, message: str = "") -> ValidationError:
    """The refusal when a row checked again differs from its preview; `message` says how, when the import knows."""
    if not message and row.errors:
        message = _("Line %(line)s: %(error)s") % {"line": row.line, "error": next(iter(row.errors.values()))}
    elif not message:
        message = _("Line %(line)s has changed since the preview.") % {"line": row.line}
    return ValidationError(
        _("%(problem)s The records have changed since the preview: upload the file again.") % {"problem": message}
    )


def mark_applied(batch, *, result: dict, now, user, action: str) -> None:
    """Record on the batch, and in the audit log, that it has been applied."""
    batch.state = type(batch).State.APPLIED
    batch.applied_at = now
    batch.summary = {**batch.summary, "applied": result}
    batch.save(update_fields=["state", "applied_at", "summary"])
    log_action(
        actor=user,
        action=action,
        organization=batch.organization,
        target=batch,
        message=batch.file_name,
        data=result,
    )


def cancel_batch(model, batch, user):
    """Drop a previewed batch. Nothing else is touched; the rows (personal data) are not kept."""
    with transaction.atomic():
        batch = locked_batch(model, batch, user)
        batch.state = model.State.CANCELLED
        batch.rows = []
        batch.save(update_fields=["state", "rows"])
    return batch


#
# Workbooks to download
#


def style_header(sheet, widths: list[int]) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def as_text(sheet, values: list[str]) -> list:
    """Cells that hold text even when it starts with "=": what people typed must not come back as a formula.

    Without the characters XML cannot hold (cells.inputs.xlsx_text): a row stored before the input policy must
    not make the whole file fail."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=xlsx_text(value))
        cell.data_type = "s"
        cells.append(cell)
    return cells


def template_start(title: str, columns: Iterable[Column]):
    """A new template workbook and its first sheet, titled `title`, with the header row of `columns`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([column.header for column in columns])
    style_header(sheet, [max(14, len(column.header) + 4) for column in columns])
    return workbook, sheet


def template_finish(workbook, columns: Iterable[Column], hint: Callable[[Column], str], notes: list[str]) -> bytes:
    """Add the sheet explaining every column (`hint`) followed by `notes`, and return the file."""
    guide = workbook.create_sheet(_("Instructions")[:31])
    guide.append([_("Column"), _("How to fill it in")])
    for column in columns:
        guide.append([column.header, hint(column)])
    guide.append([])
    for note in notes:
        guide.append([note])
    style_header(guide, [32, 110])
    return workbook_bytes(workbook)


def workbook_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def errors_workbook(batch, *, columns_by_key: dict, blocking: Iterable[str]) -> bytes:
    """The rows in error, as they were read, with a last column giving the reasons: to correct and upload again."""
    columns = [columns_by_key[key] for key in batch.summary.get("columns", [])]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rows in error")[:31])
    sheet.append([column.header for column in columns] + [_("Errors")])
    for row in batch.rows:
        if row["outcome"] not in blocking:
            continue
        reasons = "; ".join(
            f"{columns_by_key[key].label}: {message}" if key in columns_by_key else message
            for key, message in row["errors"].items()
        )
        reasons = _("Line %(line)s — %(errors)s") % {"line": row["line"], "errors": reasons}
        sheet.append(as_text(sheet, [row["data"].get(column.key, "") for column in columns] + [reasons]))
    return workbook_bytes(workbook)


#
# Views
#


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )


class ImportConfirmForm(forms.Form):
    skip_errors = forms.BooleanField(
        label=gettext_lazy("Skip the rows in error and import only the valid rows"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def batch_for_uploader(model, user, pk, action):
    """A batch for its uploader only (404 for anyone else), while its node is still in their scope (404/403)."""
    try:
        batch = model.objects.select_related("organization").get(pk=int(pk), uploaded_by=user)
    except (model.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, action, batch.organization)
    return batch


def import_roots(user, action) -> list:
    """The highest active nodes where the user may do `action`."""
    access = get_access(user)
    nodes = organizations_visible_to(user, action=action).filter(dissolved_on__isnull=True)
    if access.is_superuser:
        nodes = nodes.filter(parent__isnull=True)
    else:
        nodes = nodes.filter(path__in=access.top_paths(action))
    return list(nodes.order_by("name"))


def preview_context(
    request, batch, *, columns_by_key: dict, outcomes: Iterable[str], labels: dict, table_row: Callable, page_size: int
) -> dict:
    """What the preview page of a batch shows: one page of its rows, filtered by outcome."""
    columns = [columns_by_key[key] for key in batch.summary.get("columns", [])]
    outcome = choice_param(request, "outcome", tuple(outcomes))
    rows = batch.rows
    if outcome:
        rows = [row for row in rows if row["outcome"] == outcome]
    else:
        outcome = ""
    page = Paginator(rows, page_size).get_page(page_param(request))
    return {
        "batch": batch,
        "organization": batch.organization,
        "columns": columns,
        "page": page,
        "table": [table_row(row, columns) for row in page],
        "outcome": outcome,
        "page_query": urlencode({"outcome": outcome}) if outcome else "",
        "filters": [(key, labels[key][0], batch.summary.get(key, 0)) for key in outcomes],
        "is_preview": batch.state == type(batch).State.PREVIEW,
        "confirm_form": ImportConfirmForm(),
    }


def report_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def upload_response(
    request, organization, *, model, preview: Callable, batch_view: str, template: str, title: str, context
):
    """The upload page: a valid file goes to `preview` and on to its batch's page (`batch_view`); otherwise the
    form again, with the user's batches here still waiting for confirmation. `context` is the import's own."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = preview(organization=organization, uploaded_file=form.cleaned_data["file"], user=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return redirect(batch_view, batch.pk)
    pending = model.objects.filter(
        uploaded_by=request.user, organization=organization, state=model.State.PREVIEW
    ).order_by("-created_at")[:10]
    return render(
        request,
        template,
        {
            "form": form,
            "organization": organization,
            "pending": pending,
            **context,
            "breadcrumbs": breadcrumbs(user=request.user, organization=organization),
            "breadcrumb_tail": title,
        },
    )


def confirm_response(request, batch, *, confirm: Callable, done: str, batch_view: str, next_url: str):
    """Apply a previewed batch, its rows in error skipped if the user chose so: `confirm(skip_errors=...)` returns
    the counts that `done` (a message) names. A refusal is shown on the batch's page."""
    form = ImportConfirmForm(request.POST)
    skip_errors = form.is_valid() and form.cleaned_data["skip_errors"]
    try:
        result = confirm(skip_errors=skip_errors)
    except ValidationError as error:
        report_errors(request, error)
        return redirect(batch_view, batch.pk)
    messages.success(request, done % result)
    return redirect(next_url)


def cancel_response(request, batch, *, cancel: Callable, batch_view: str, upload_view: str):
    """Drop a previewed batch through `cancel()` and go back to the upload page; a refusal is shown on its page."""
    try:
        cancel()
    except ValidationError as error:
        report_errors(request, error)
        return redirect(batch_view, batch.pk)
    messages.info(request, _("The import was cancelled; nothing was recorded."))
    return redirect(upload_view, batch.organization_id)
