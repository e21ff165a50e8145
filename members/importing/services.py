"""Spreadsheet import of party members (Vietnamese UI term: "Nhập danh sách đảng viên").

Three steps, the way committees keep their rosters in Excel today:
1. `parse_workbook` reads the first sheet of an .xlsx file into plain rows, within a size and a row limit.
2. `import_preview` checks every row against the rules and the registry and keeps each row's outcome on a
   MemberImport. That batch is the only thing it writes.
3. `import_confirm` checks the valid rows again against the registry as it is then and applies them in one
   transaction; `import_cancel` drops the batch.

The header texts and the words written in cells (Nam/Nữ, Dự bị/Chính thức, Có/Không) are the file format that
committees' spreadsheets already use, so they are written here in Vietnamese and never translated: rewording the
.po file must not break the files people already have. Everything shown in the UI goes through gettext.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from cells.models import Organization
from cells.permissions import EDIT_MEMBERS, get_access
from cells.text import fold
from members import counts, spreadsheets
from members.models import Member, MemberImport
from members.spreadsheets import (
    DATE_FORMAT,
    NO,
    XLSX_CONTENT_TYPE,  # noqa: F401 - the tests take it from here
    YES,
    Column,
    SheetRow,
)
from members.spreadsheets import CellError as _CellError
from members.spreadsheets import cell_text as _cell_text
from members.spreadsheets import choices_text as _choices
from members.spreadsheets import number as _number

#
# Limits
#

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000


def max_bytes() -> int:
    """MEMBER_IMPORT_MAX_BYTES, read at call time so that tests can override it."""
    return int(getattr(settings, "MEMBER_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    """MEMBER_IMPORT_MAX_ROWS: member rows per file, read at call time."""
    return int(getattr(settings, "MEMBER_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


#
# Columns
#

NEW, UPDATE, ERROR, DUPLICATE = "new", "update", "error", "duplicate"
OUTCOMES = (NEW, UPDATE, ERROR, DUPLICATE)
BLOCKING = (ERROR, DUPLICATE)

# The words of the file format (see the module docstring; Có/Không and the date format are in spreadsheets).
GENDER_WORDS = {Member.Gender.MALE: "Nam", Member.Gender.FEMALE: "Nữ"}
STATUS_WORDS = {Member.Status.PROBATIONARY: "Dự bị", Member.Status.FULL: "Chính thức"}
DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
PHONE_RE = re.compile(r"^[0-9+(). -]+$")
EARLIEST_DATE = datetime.date(1900, 1, 1)

# The example row of the template; a file uploaded with it still in place gets an error on that row.
EXAMPLE_NAME = "Nguyễn Văn Mẫu"
EXAMPLE_BIRTH = datetime.date(1985, 5, 15)


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên*", gettext_lazy("Full name"), "name", 150, ("Họ tên",)),
    Column("gender", "Giới tính (Nam/Nữ)", gettext_lazy("Gender"), "gender"),
    Column("date_of_birth", "Ngày sinh", gettext_lazy("Date of birth"), "date"),
    Column("status", "Tình trạng (Dự bị/Chính thức)", gettext_lazy("Status"), "status"),
    Column("organization", "Mã chi bộ", gettext_lazy("Party cell code"), "cell", 50),
    Column("admitted_on", "Ngày vào Đảng", gettext_lazy("Admission date"), "date", 0, ("Ngày kết nạp",)),
    Column("official_on", "Ngày chính thức", gettext_lazy("Full membership date"), "date"),
    Column("party_card_no", "Số thẻ đảng viên", gettext_lazy("Party card number"), "card", 20, ("Số thẻ Đảng",)),
    Column("job_title", "Chức vụ công tác", gettext_lazy("Job title"), "text", 150, ("Chức vụ",)),
    Column("workplace", "Đơn vị công tác", gettext_lazy("Workplace"), "text", 255),
    Column("phone", "Điện thoại", gettext_lazy("Phone"), "phone", 20, ("Số điện thoại",)),
    Column("ethnicity", "Dân tộc", gettext_lazy("Ethnicity"), "text", 50),
    Column(
        "is_civil_servant",
        "CBCCVC (Có/Không)",
        gettext_lazy("Cadre, civil servant or public employee"),
        "yes_no",
        0,
        ("Cán bộ, công chức, viên chức",),
    ),
    Column("notes", "Ghi chú", gettext_lazy("Notes"), "text", 2000),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEY = "full_name"
# What an import may change on a recorded member. The cell and the status change through transfers and status
# changes, which keep their own history; the card number is what identifies the member.
UPDATABLE = (
    "full_name",
    "gender",
    "date_of_birth",
    "admitted_on",
    "official_on",
    "job_title",
    "workplace",
    "phone",
    "ethnicity",
    "is_civil_servant",
    "notes",
)


@cache
def _header_names() -> dict[str, str]:
    """Folded header text -> column key: the template header, its aliases and the label in Vietnamese and English
    (so that a file exported from the member list is recognised too)."""
    return spreadsheets.header_names(COLUMNS)


#
# Reading the file
#


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("The file has more than %(limit)s rows of members. Split it into several files of at most %(limit)s rows.")
        % {"limit": _number(max_rows())},
        code="too_many_rows",
    )


def parse_workbook(file) -> list[dict]:
    """Read the member rows of the first sheet: [{"line": 7, "values": {column key: cell value}}, ...].

    `values` holds every known column found in the header row (empty cells as None); unknown columns are
    ignored and rows with no known cell filled are skipped. Raises ValidationError with a message for the user
    when the file is too large, is not an .xlsx file, has no header or no rows, or has more than `max_rows()`
    rows. Reading stops at the first row past the limit, so a huge sheet is never held in memory.
    """
    row_limit = max_rows()
    return spreadsheets.parse_first_sheet(
        file, max_bytes=max_bytes(), read_rows=lambda sheet: _read_rows(sheet, row_limit)
    )


def _read_rows(sheet, row_limit: int) -> list[dict]:
    rows = spreadsheets.read_rows(
        sheet,
        names=_header_names(),
        columns_by_key=COLUMNS_BY_KEY,
        header_column=REQUIRED_KEY,
        row_limit=row_limit,
        too_many_rows=_too_many_rows,
    )
    if not rows:
        raise ValidationError(_("The sheet has no member rows under its header row."), code="empty")
    return rows


#
# Checking cells and rows
#


def _clean_date(value, column: Column):
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        match = DATE_RE.match(text)
        iso = ISO_DATE_RE.match(text)
        try:
            if match:
                day = datetime.date(int(match[3]), int(match[2]), int(match[1]))
            elif iso:
                day = datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
            else:
                raise ValueError
        except ValueError:
            raise _CellError(_("Enter a date as dd/mm/yyyy.")) from None
    else:
        raise _CellError(_("Enter a date as dd/mm/yyyy."))
    if day > timezone.localdate():
        raise _CellError(_("The date cannot be in the future."))
    if day < EARLIEST_DATE:
        raise _CellError(_("The date cannot be before 1900."))
    return day, day.strftime(DATE_FORMAT)


@cache
def _word_map(words: tuple[tuple[str, str], ...], choices) -> dict[str, str]:
    """Folded spellings -> code: the file word, the code itself and the choice label in Vietnamese and English."""
    spellings = {}
    for code, word in words:
        spellings[fold(word)] = code
        spellings[fold(code)] = code
        for language in ("vi", "en"):
            with translation.override(language):
                spellings[fold(str(choices(code).label))] = code
    return spellings


def _clean_gender(value, column: Column):
    spellings = _word_map(tuple(GENDER_WORDS.items()), Member.Gender)
    code = spellings.get(fold(_cell_text(value)))
    if code is None:
        raise _CellError(_("Use one of: %(choices)s.") % {"choices": _choices(GENDER_WORDS.values())})
    return code, GENDER_WORDS[code]


def _clean_status(value, column: Column):
    spellings = _word_map(tuple(STATUS_WORDS.items()), Member.Status)
    code = spellings.get(fold(_cell_text(value)))
    if code is None:
        raise _CellError(
            _("Only probationary or full members can be imported. Use one of: %(choices)s.")
            % {"choices": _choices(STATUS_WORDS.values())}
        )
    return code, STATUS_WORDS[code]


def _clean_yes_no(value, column: Column):
    if isinstance(value, bool):
        answer = value
    else:
        text = fold(_cell_text(value))
        if text in {fold(YES), "c", "x", "1", "yes", "true"}:
            answer = True
        elif text in {fold(NO), "k", "0", "no", "false"}:
            answer = False
        else:
            raise _CellError(_("Use one of: %(choices)s.") % {"choices": _choices((YES, NO))})
    return answer, YES if answer else NO


def _clean_phone(value, column: Column):
    phone = _cell_text(value)
    if len(phone) > column.max_length or not PHONE_RE.match(phone):
        raise _CellError(
            _("Enter a phone number: digits, spaces and + . - ( ), at most %(max)s characters.")
            % {"max": column.max_length}
        )
    return phone, phone


CLEANERS = {
    "text": spreadsheets.clean_text,
    "name": spreadsheets.clean_text,
    "date": _clean_date,
    "gender": _clean_gender,
    "status": _clean_status,
    "yes_no": _clean_yes_no,
    "card": spreadsheets.clean_card,
    "cell": spreadsheets.clean_code,
    "phone": _clean_phone,
}


@dataclass
class _Row(SheetRow):
    cell: Organization | None = None
    member: Member | None = None
    changes: list[str] = field(default_factory=list)
    outcome: str = NEW

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "outcome": self.outcome,
            "errors": self.errors,
            "data": self.data,
            "changes": self.changes,
        }


def _check_cells(line: int, values: dict) -> _Row:
    """The checks that need nothing but the row itself."""
    row = _Row(line=line)
    spreadsheets.clean_cells(row, values, columns_by_key=COLUMNS_BY_KEY, cleaners=CLEANERS)
    if "full_name" not in row.data:
        row.add_error("full_name", _("Enter the member's full name."))
    birth, admitted, official = (row.parsed.get(k) for k in ("date_of_birth", "admitted_on", "official_on"))
    _check_dates(row, birth, admitted, official)
    if fold(row.parsed.get("full_name", "")) == fold(EXAMPLE_NAME) and birth == EXAMPLE_BIRTH:
        row.add_error("full_name", _("This is the example row of the template: delete it."))
    return row


def _check_dates(row: _Row, birth, admitted, official) -> None:
    if admitted and birth and admitted <= birth:
        row.add_error("admitted_on", _("The admission date must be after the date of birth."))
    if official and admitted and official < admitted:
        row.add_error("official_on", _("Full membership cannot start before admission."))


def _check_new(row: _Row, organization: Organization) -> None:
    if row.cell is None and "organization" not in row.errors:
        row.add_error("organization", _("Enter the code of the member's party cell."))
    if "status" in row.errors:
        return
    official = row.parsed.get("official_on")
    status = row.parsed.get("status")
    if not status:
        # An empty status reads as the dates say: full membership has a date, probation does not.
        status = Member.Status.FULL if official else Member.Status.PROBATIONARY
        row.parsed["status"] = status
        row.data["status"] = STATUS_WORDS[status]
    if status == Member.Status.FULL and row.parsed.get("admitted_on") and not official:
        row.add_error("official_on", _("Enter the date of full membership."))
    if status == Member.Status.PROBATIONARY and official:
        row.add_error("official_on", _("A probationary member has no full membership date."))


def _check_update(row: _Row, member: Member, organization: Organization, access) -> None:
    # Never say who holds a card number outside the user's scope: the same message whoever it is.
    if not access.can(EDIT_MEMBERS, member.organization):
        row.add_error("party_card_no", _("This party card number belongs to a member outside your scope."))
        return
    if not member.is_on_roll:
        row.add_error(
            "party_card_no",
            _("The member with this party card number is no longer on a cell's roll (%(status)s).")
            % {"status": member.get_status_display().lower()},
        )
        return
    if not member.organization.path.startswith(organization.path):
        row.add_error(
            "organization",
            _("The member with this party card number is in %(cell)s, which is not under %(target)s.")
            % {"cell": member.organization.name, "target": organization.name},
        )
        return
    name = row.parsed.get("full_name")
    if name and fold(name) != fold(member.full_name):
        row.add_error(
            "full_name",
            _(
                "This party card number is recorded for %(name)s. Check the number, or correct the name on the member's page."
            )
            % {"name": member.full_name},
        )
        return
    if row.cell is not None and row.cell.pk != member.organization_id:
        row.add_error(
            "organization",
            _("The member is in %(cell)s. Record a transfer on the member's page to move them.")
            % {"cell": member.organization.name},
        )
    status = row.parsed.get("status")
    if status and status != member.status:
        row.add_error(
            "status",
            _("The member is recorded as %(status)s. Status changes are recorded on the member's page.")
            % {"status": member.get_status_display().lower()},
        )
    # The dates must also agree with the recorded values the file leaves empty.
    birth, admitted, official = (
        row.parsed.get(key, getattr(member, key)) for key in ("date_of_birth", "admitted_on", "official_on")
    )
    _check_dates(row, birth, admitted, official)
    if member.status == Member.Status.PROBATIONARY and row.parsed.get("official_on"):
        row.add_error("official_on", _("A probationary member has no full membership date."))
    row.member = member
    row.changes = [key for key in UPDATABLE if key in row.parsed and row.parsed[key] != getattr(member, key)]


def _check_rows(rows: list[dict], *, organization: Organization, user, lock: bool = False) -> list[_Row]:
    """Check every row against the rules and the registry, with a fixed number of queries whatever the rows.

    `rows` are parse_workbook() rows ({"line", "values"}). With `lock`, the cells and the recorded members the
    rows name are locked for the rest of the transaction.
    """
    access = get_access(user)
    checked = [_check_cells(row["line"], row["values"]) for row in rows]

    by_card: dict[str, list[_Row]] = defaultdict(list)
    for row in checked:
        card = row.parsed.get("party_card_no")
        if card:
            by_card[card].append(row)
    for group in by_card.values():
        if len(group) > 1:
            lines = ", ".join(str(row.line) for row in group)
            for row in group:
                row.duplicate = True
                row.errors["party_card_no"] = _("Duplicate within the file (lines %(lines)s).") % {"lines": lines}

    # One query for the cells the rows name; looking only under the target node, a code outside it reads the same
    # as a code that does not exist.
    codes = {row.parsed["organization"] for row in checked if "organization" in row.parsed}
    if organization.is_cell:
        codes.add(organization.code)
    cell_rows = Organization.objects.filter(code__in=codes, path__startswith=organization.path)
    if lock:
        # As in member_create: a cell cannot be dissolved while members are being added to it.
        cell_rows = cell_rows.select_for_update()
    cells = {cell.code: cell for cell in cell_rows}
    # One query for the recorded members holding the file's card numbers, wherever they are: a card number is
    # unique across the whole registry.
    members = Member.objects.filter(party_card_no__in=list(by_card)).select_related("organization")
    if lock:
        members = members.select_for_update(of=("self",))
    holders = {member.party_card_no: member for member in members}

    for row in checked:
        code = row.parsed.get("organization")
        if code:
            cell = cells.get(code)
            if cell is None:
                row.add_error(
                    "organization",
                    _("There is no party cell with the code %(code)s under %(target)s.")
                    % {"code": code, "target": organization.name},
                )
            elif not cell.is_cell:
                row.add_error(
                    "organization",
                    _("Party members belong to a party cell, not to a %(kind)s.") % {"kind": cell.get_kind_display()},
                )
            elif not cell.is_active:
                row.add_error("organization", _("%(name)s has been dissolved.") % {"name": cell.name})
            else:
                row.cell = cell
        elif "organization" not in row.errors and organization.is_cell:
            row.cell = cells.get(organization.code)
            if row.cell is None or not row.cell.is_active:
                row.add_error("organization", _("%(name)s has been dissolved.") % {"name": organization.name})

        holder = holders.get(row.parsed.get("party_card_no")) if not row.duplicate else None
        if holder is None:
            _check_new(row, organization)
            row.outcome = NEW
        else:
            _check_update(row, holder, organization, access)
            row.outcome = UPDATE
        if row.duplicate:
            row.outcome = DUPLICATE
        elif row.errors:
            row.outcome = ERROR
    return checked


#
# Services
#


def _check_may_import(user, organization: Organization) -> None:
    if not get_access(user).can(EDIT_MEMBERS, organization):
        raise ValidationError(_("You may not edit the members of %(name)s.") % {"name": organization.name})
    if not organization.is_active:
        raise ValidationError(_("%(name)s has been dissolved.") % {"name": organization.name})


def import_preview(*, organization: Organization, uploaded_file, user) -> MemberImport:
    """Check an uploaded roster for `organization` and keep every row's outcome on a new MemberImport.

    Writes nothing but the batch. Raises ValidationError for a file that cannot be read at all (see
    parse_workbook); problems of single rows are row outcomes, not exceptions.
    """
    _check_may_import(user, organization)
    file_name = spreadsheets.upload_name(uploaded_file)
    rows = parse_workbook(uploaded_file)
    columns = [column.key for column in COLUMNS if column.key in rows[0]["values"]]
    checked = _check_rows(rows, organization=organization, user=user)
    return MemberImport.objects.create(
        organization=organization,
        uploaded_by=user,
        file_name=file_name,
        rows=[row.as_json() for row in checked],
        summary=spreadsheets.summary(checked, columns, OUTCOMES),
    )


def _changed_since_preview(stored: dict, row: _Row) -> ValidationError:
    card = row.parsed.get("party_card_no", "")
    message = ""
    if stored["outcome"] == NEW and row.outcome != NEW and card:
        message = _("Line %(line)s: the party card number %(card)s was recorded after the preview.") % {
            "line": row.line,
            "card": card,
        }
    return spreadsheets.changed_since_preview(row, message)


def _full_clean(member: Member, line: int) -> None:
    # The cell was loaded and checked with the other rows, card numbers were checked in one query (the unique
    # index still guards against a race) and the import never touches the user account: skip the per-row queries
    # full_clean would make for those.
    try:
        member.full_clean(exclude=["search_text", "sort_key", "organization", "user"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(
            _("Line %(line)s: %(error)s") % {"line": line, "error": " ".join(error.messages)}
        ) from None


def import_confirm(*, member_import: MemberImport, user, skip_errors: bool) -> dict:
    """Apply a previewed batch in one transaction: create the new members and update the recorded ones.

    Refuses when a row is in error or duplicated unless `skip_errors`, and when the registry has changed since
    the preview so that a row's outcome would differ (a card number recorded meanwhile, a cell dissolved...).
    Records one audit entry. Returns the counts {"created", "updated", "unchanged", "skipped"}.
    """
    try:
        with transaction.atomic():
            return _apply(member_import=member_import, user=user, skip_errors=skip_errors)
    except IntegrityError:
        # Someone recorded one of the card numbers between our check and our insert.
        raise ValidationError(
            _("A party card number of the file was recorded meanwhile. Upload the file again.")
        ) from None


def _apply(*, member_import: MemberImport, user, skip_errors: bool) -> dict:
    batch = spreadsheets.locked_batch(MemberImport, member_import, user)
    organization = batch.organization
    _check_may_import(user, organization)
    spreadsheets.check_blocking(batch.rows, BLOCKING, skip_errors)
    good = [row for row in batch.rows if row["outcome"] in (NEW, UPDATE)]
    if not good:
        raise ValidationError(_("There is no valid row to import."))

    checked = _check_rows(
        [{"line": row["line"], "values": row["data"]} for row in good], organization=organization, user=user, lock=True
    )
    for stored, row in zip(good, checked, strict=True):
        if row.outcome != stored["outcome"]:
            raise _changed_since_preview(stored, row)

    now = timezone.now()
    created: list[Member] = []
    updated: list[Member] = []
    updated_fields = {"search_text", "sort_key", "version", "updated_at"}
    unchanged = 0
    touched: set[int] = set()  # organisations whose kept member counts the import changes (members.counts)
    for row in checked:
        if row.outcome == NEW:
            values = {key: row.parsed[key] for key in (*UPDATABLE, "status", "party_card_no") if key in row.parsed}
            member = Member(organization=row.cell, **values)
        elif not row.changes:
            unchanged += 1  # the roster agrees with the record: nothing to write
            continue
        else:
            member = row.member
            touched.add(member.organization_id)  # before the row's changes: a change of cell leaves this one
            for key in row.changes:
                setattr(member, key, row.parsed[key])
            updated_fields.update(row.changes)
            member.updated_at = now
            member.version += 1  # an edit form opened before the import is now stale
        member.refresh_derived()
        _full_clean(member, row.line)
        (created if row.outcome == NEW else updated).append(member)

    Member.objects.bulk_create(created, batch_size=500)
    if updated:
        Member.objects.bulk_update(updated, sorted(updated_fields), batch_size=500)
    counts.refresh(touched | {member.organization_id for member in (*created, *updated)})
    result = {
        "created": len(created),
        "updated": len(updated),
        "unchanged": unchanged,
        "skipped": len(batch.rows) - len(good),
    }
    spreadsheets.mark_applied(batch, result=result, now=now, user=user, action="members.import.applied")
    return result


def import_cancel(*, member_import: MemberImport, user) -> MemberImport:
    """Drop a previewed batch. The registry is untouched; the rows (personal data) are not kept."""
    return spreadsheets.cancel_batch(MemberImport, member_import, user)


#
# Workbooks to download
#


def _column_hint(column: Column) -> str:
    limit = {"max": column.max_length}
    if column.kind == "name":
        return _("Required. At most %(max)s characters.") % limit
    if column.kind == "text":
        return _("Text, at most %(max)s characters.") % limit
    if column.kind == "date":
        return _("A date: dd/mm/yyyy or an Excel date. Not in the future.")
    if column.kind == "gender":
        return _("One of: %(choices)s.") % {"choices": _choices(GENDER_WORDS.values())}
    if column.kind == "yes_no":
        return _("One of: %(choices)s.") % {"choices": _choices((YES, NO))}
    if column.kind == "status":
        return _(
            "One of: %(choices)s. When empty: %(full)s if a full membership date is given, otherwise %(probation)s."
        ) % {
            "choices": _choices(STATUS_WORDS.values()),
            "full": STATUS_WORDS[Member.Status.FULL],
            "probation": STATUS_WORDS[Member.Status.PROBATIONARY],
        }
    if column.kind == "cell":
        return _(
            "The code of the member's party cell, as shown on the cell's page. May stay empty when you import "
            "into the cell itself."
        )
    if column.kind == "card":
        return (
            _(
                "Letters and digits, dots and dashes, at most %(max)s characters. A number already recorded "
                "updates that member. Format the column as Text to keep leading zeros."
            )
            % limit
        )
    return _("At most %(max)s characters. Format the column as Text to keep the leading 0.") % limit


def template_workbook(*, cell_code: str = "CB-VP-01") -> bytes:
    """An empty roster: the header row, one example row, and a second sheet explaining every column."""
    workbook, sheet = spreadsheets.template_start(_("Party members"), COLUMNS)
    example = {
        "full_name": EXAMPLE_NAME,
        "gender": GENDER_WORDS[Member.Gender.MALE],
        "date_of_birth": EXAMPLE_BIRTH,
        "status": STATUS_WORDS[Member.Status.FULL],
        "organization": cell_code,
        "admitted_on": datetime.date(2010, 3, 26),
        "official_on": datetime.date(2011, 3, 26),
        "party_card_no": "",
        "job_title": "Chuyên viên",
        "workplace": "Văn phòng",
        "phone": "",
        "ethnicity": "Kinh",
        "is_civil_servant": YES,
        "notes": "",
    }
    sheet.append([example[column.key] for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.kind == "date":
            sheet[f"{letter}2"].number_format = "DD/MM/YYYY"
        elif column.kind in ("card", "phone", "cell"):
            # Text columns, so that Excel keeps leading zeros in what people type.
            sheet.column_dimensions[letter].number_format = "@"

    notes = [
        _("Fill in one member per row on the first sheet, under the header row. Delete the example row."),
        _("Columns may be in any order; columns not listed here are ignored."),
        _(
            "A row whose party card number is already recorded updates that member: only filled cells are written, "
            "empty cells keep the recorded value. The party cell and the status of a recorded member are not "
            "changed by an import."
        ),
        _("At most %(rows)s rows and %(size)s per file.")
        % {"rows": _number(max_rows()), "size": filesizeformat(max_bytes())},
        _("Nothing is recorded until you have checked the preview and confirmed it."),
    ]
    return spreadsheets.template_finish(workbook, COLUMNS, _column_hint, notes)


def errors_workbook(member_import: MemberImport) -> bytes:
    """The rows in error, as they were read, with a last column giving the reasons: to correct and upload again."""
    return spreadsheets.errors_workbook(member_import, columns_by_key=COLUMNS_BY_KEY, blocking=BLOCKING)
