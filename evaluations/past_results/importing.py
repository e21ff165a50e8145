"""Spreadsheet import of past yearly results (Vietnamese UI term: "Nhập kết quả xếp loại các năm trước").

The results of 2020–2024 were decided on paper. Loaded as HistoricalRating rows, they let chibo compute eligibility
(e.g. "excellent several years running") from the first year it is used. The steps are those of the member import
(members/importing/services.py):
1. `parse_workbook` reads the first sheet of an .xlsx file into plain rows, within a size and a row limit.
2. `import_preview` checks every row against the rules and the records and keeps each row's outcome on a
   PastResultImport. That batch is the only thing it writes.
3. `import_confirm` checks the valid rows again against the records as they are then and writes them in one
   transaction; `import_cancel` drops the batch.

One row is one result: the grade of one organisation or one member for one year. A result already decided in
chibo's own yearly review wins over the file.

The header texts and the words written in cells (Tổ chức/Đảng viên, the grade names) are the file format that
committees' spreadsheets use, so they are written here in Vietnamese and never translated. Everything shown in the
UI goes through gettext.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from cells.models import Organization
from cells.permissions import DECIDE, get_access, scope_filter
from cells.text import fold
from evaluations.models import Grade, HistoricalRating, MemberEvaluation, OrgEvaluation, PastResultImport

# The file-level checks are the member import's (members/spreadsheets.py): the same protections (zip bomb,
# damaged files, formula-like text), the same messages and the same header matching.
from members import spreadsheets
from members.models import Member
from members.spreadsheets import (
    XLSX_CONTENT_TYPE,  # noqa: F401 - the tests take it from here
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
EARLIEST_YEAR = 2000


def max_bytes() -> int:
    """PAST_RESULT_IMPORT_MAX_BYTES, read at call time so that tests can override it."""
    return int(getattr(settings, "PAST_RESULT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    """PAST_RESULT_IMPORT_MAX_ROWS: result rows per file, read at call time."""
    return int(getattr(settings, "PAST_RESULT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def last_year() -> int:
    """The latest year that may be imported: the current year is rated in chibo's yearly review."""
    return timezone.localdate().year - 1


#
# Columns
#

NEW, UPDATE, UNCHANGED, ERROR, DUPLICATE = "new", "update", "unchanged", "error", "duplicate"
OUTCOMES = (NEW, UPDATE, UNCHANGED, ERROR, DUPLICATE)
BLOCKING = (ERROR, DUPLICATE)
VALID = (NEW, UPDATE, UNCHANGED)
WRITTEN = (NEW, UPDATE)

ORG, MEMBER = "org", "member"
KINDS = (ORG, MEMBER)
KIND_LABELS = {ORG: gettext_lazy("Organisation"), MEMBER: gettext_lazy("Party member")}

# The words of the file format (see the module docstring).
KIND_WORDS = {ORG: "Tổ chức", MEMBER: "Đảng viên"}
KIND_ALIASES = {ORG: ("Tổ chức đảng", "TC"), MEMBER: ("ĐV",)}
GRADE_WORDS = {
    Grade.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Grade.GOOD: "Hoàn thành tốt nhiệm vụ",
    Grade.FULFILLED: "Hoàn thành nhiệm vụ",
    Grade.NOT_FULFILLED: "Không hoàn thành nhiệm vụ",
}
YEAR_RE = re.compile(r"^\d{4}$")

# The example rows of the template carry this note; a file uploaded with them still in place gets an error there.
EXAMPLE_NOTE = "Dòng mẫu: xóa dòng này"

COLUMNS: tuple[Column, ...] = (
    Column("year", "Năm*", gettext_lazy("Year"), "year"),
    Column("kind", "Loại (Tổ chức/Đảng viên)*", gettext_lazy("Kind"), "kind"),
    Column(
        "organization", "Mã tổ chức", gettext_lazy("Organisation code"), "code", 50, ("Mã chi bộ", "Mã tổ chức đảng")
    ),
    Column("party_card_no", "Số thẻ đảng viên", gettext_lazy("Party card number"), "card", 20, ("Số thẻ Đảng",)),
    Column("full_name", "Họ và tên", gettext_lazy("Full name"), "text", 150, ("Họ tên",)),
    Column("grade", "Xếp loại (HTXSNV/HTTNV/HTNV/KHTNV)*", gettext_lazy("Grade"), "grade", 0, ("Mức xếp loại",)),
    Column("notes", "Ghi chú", gettext_lazy("Notes"), "text", 500),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# The header row is the first row with a grade column; the year and the kind columns must be there too.
HEADER_KEY = "grade"
REQUIRED_KEYS = ("year", "kind", "grade")


@cache
def _header_names() -> dict[str, str]:
    """Folded header text -> column key: the template header, its aliases and the label in Vietnamese and English."""
    return spreadsheets.header_names(COLUMNS)


@cache
def _kind_spellings() -> dict[str, str]:
    spellings = {}
    for kind, word in KIND_WORDS.items():
        for text in (word, *KIND_ALIASES[kind]):
            spellings[fold(text)] = kind
        for language in ("vi", "en"):
            with translation.override(language):
                spellings.setdefault(fold(str(KIND_LABELS[kind])), kind)
    return spellings


@cache
def _grade_spellings() -> dict[str, str]:
    """Folded spellings -> grade: the code, the full Vietnamese name and the UI label in Vietnamese and English."""
    spellings = {}
    for grade, word in GRADE_WORDS.items():
        spellings[fold(grade.value)] = grade.value
        spellings[fold(word)] = grade.value
        for language in ("vi", "en"):
            with translation.override(language):
                spellings.setdefault(fold(str(grade.label)), grade.value)
    return spellings


#
# Reading the file
#


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("The file has more than %(limit)s rows of results. Split it into several files of at most %(limit)s rows.")
        % {"limit": _number(max_rows())},
        code="too_many_rows",
    )


def parse_workbook(file) -> list[dict]:
    """Read the result rows of the first sheet: [{"line": 7, "values": {column key: cell value}}, ...].

    As members.importing.services.parse_workbook: unknown columns are ignored, rows with no known cell filled are
    skipped, and a ValidationError with a message for the user is raised when the file is too large, is not an .xlsx
    file, has no header or no rows, or has more than `max_rows()` rows. Reading stops at the first row past the
    limit, so a huge sheet is never held in memory.
    """
    return spreadsheets.parse_first_sheet(
        file, max_bytes=max_bytes(), read_rows=lambda sheet: _read_rows(sheet, max_rows())
    )


def _read_rows(sheet, row_limit: int) -> list[dict]:
    rows = spreadsheets.read_rows(
        sheet,
        names=_header_names(),
        columns_by_key=COLUMNS_BY_KEY,
        header_column=HEADER_KEY,
        required_keys=REQUIRED_KEYS,
        row_limit=row_limit,
        too_many_rows=_too_many_rows,
    )
    if not rows:
        raise ValidationError(_("The sheet has no result rows under its header row."), code="empty")
    return rows


#
# Checking cells
#


def _clean_year(value, column: Column):
    text = _cell_text(value)
    if not YEAR_RE.match(text):
        raise _CellError(_("Enter a year as four digits, e.g. %(year)s.") % {"year": last_year()})
    year = int(text)
    # A year in the future, or the current one (rated in the yearly review), is refused with the same message.
    if not EARLIEST_YEAR <= year <= last_year():
        raise _CellError(
            _("Enter a past year, from %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": last_year()}
        )
    return year, str(year)


def _clean_kind(value, column: Column):
    kind = _kind_spellings().get(fold(_cell_text(value)))
    if kind is None:
        raise _CellError(_("Use one of: %(choices)s.") % {"choices": _choices(KIND_WORDS.values())})
    return kind, KIND_WORDS[kind]


def _clean_grade(value, column: Column):
    text = fold(_cell_text(value))
    spellings = _grade_spellings()
    # "HTXS-NV" or "H.T.T.N.V" still read as the code.
    grade = spellings.get(text) or spellings.get(re.sub(r"[\s.\-]", "", text))
    if grade is None:
        raise _CellError(
            _("Use one of: %(codes)s, or the full name of the grade (%(example)s).")
            % {"codes": _choices(GRADE_WORDS), "example": GRADE_WORDS[Grade.EXCELLENT]}
        )
    return grade, grade


CLEANERS = {
    "year": _clean_year,
    "kind": _clean_kind,
    "grade": _clean_grade,
    "code": spreadsheets.clean_code,
    "card": spreadsheets.clean_card,
    "text": spreadsheets.clean_text,
}


#
# Checking rows
#


@dataclass
class _Row(SheetRow):
    organization: Organization | None = None  # the rated organisation of an organisation row
    member: Member | None = None  # the rated member of a member row
    rating: HistoricalRating | None = None  # the recorded rating an update or unchanged row matches
    outcome: str = NEW

    @property
    def kind(self) -> str | None:
        return self.parsed.get("kind")

    @property
    def ref(self) -> list | None:
        """What the row rates, as stored in the batch: ["org", pk] or ["member", pk]."""
        if self.organization is not None:
            return [ORG, self.organization.pk]
        if self.member is not None:
            return [MEMBER, self.member.pk]
        return None

    @property
    def key(self) -> tuple | None:
        """(kind, pk, year): one result; two rows with the same key are duplicates."""
        ref = self.ref
        if ref is None or "year" not in self.parsed:
            return None
        return (*ref, self.parsed["year"])

    @property
    def subject_column(self) -> str:
        if self.kind == MEMBER:
            return "party_card_no" if "party_card_no" in self.parsed else "full_name"
        return "organization"

    @property
    def subject(self) -> str:
        """Who the row rates, as the records name them (only ever set for someone under the target node)."""
        if self.organization is not None:
            return f"{self.organization.name} ({self.organization.code})"
        if self.member is not None:
            return f"{self.member.full_name} — {self.member.organization.name}"
        return ""

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "outcome": self.outcome,
            "errors": self.errors,
            "data": self.data,
            "ref": self.ref,
            "subject": self.subject,
            "previous": self.rating.grade if self.rating is not None else "",
        }


def _check_cells(line: int, values: dict) -> _Row:
    """The checks that need nothing but the row itself."""
    row = _Row(line=line)
    spreadsheets.clean_cells(row, values, columns_by_key=COLUMNS_BY_KEY, cleaners=CLEANERS)
    if "year" not in row.data:
        row.add_error("year", _("Enter the year."))
    if "grade" not in row.data:
        row.add_error("grade", _("Enter the grade."))
    if "kind" not in row.data:
        row.add_error("kind", _("Use one of: %(choices)s.") % {"choices": _choices(KIND_WORDS.values())})
    if fold(row.parsed.get("notes", "")) == fold(EXAMPLE_NOTE):
        row.add_error("notes", _("This is an example row of the template: delete it."))

    if row.kind == ORG:
        if "organization" not in row.data:
            row.add_error("organization", _("Enter the code of the organisation."))
        # A member's row marked as an organisation's would rate the member's cell: refuse rather than guess.
        for key in ("party_card_no", "full_name"):
            if key in row.data:
                row.add_error(
                    key,
                    _("An organisation's row has no member in it: empty this cell or write %(member)s as the kind.")
                    % {"member": KIND_WORDS[MEMBER]},
                )
    elif row.kind == MEMBER and "party_card_no" not in row.data:
        if "full_name" not in row.data:
            row.add_error("full_name", _("Enter the party card number, or the full name and the party cell code."))
        elif "organization" not in row.data:
            row.add_error("organization", _("Enter the code of the member's party cell, or the party card number."))
    return row


def _check_organization_row(row: _Row, nodes: dict, target: Organization) -> None:
    code = row.parsed.get("organization")
    if not code:
        return
    node = nodes.get(code)
    if node is None:
        # Only nodes under the target were looked up: a code outside it reads like a code that does not exist.
        row.add_error(
            "organization",
            _("There is no party organisation with the code %(code)s under %(target)s.")
            % {"code": code, "target": target.name},
        )
        return
    row.organization = node
    year = row.parsed.get("year")
    if year and node.founded_on and year < node.founded_on.year:
        row.add_error(
            "year", _("%(name)s was founded in %(founded)s.") % {"name": node.name, "founded": node.founded_on.year}
        )
    if year and node.dissolved_on and year > node.dissolved_on.year:
        row.add_error(
            "year",
            _("%(name)s was dissolved in %(dissolved)s.") % {"name": node.name, "dissolved": node.dissolved_on.year},
        )


def _check_member_row(row: _Row, nodes: dict, holders: dict, by_name: dict, target: Organization) -> None:
    cell = None
    code = row.parsed.get("organization")
    if code:
        node = nodes.get(code)
        if node is None:
            row.add_error(
                "organization",
                _("There is no party cell with the code %(code)s under %(target)s.")
                % {"code": code, "target": target.name},
            )
        elif not node.is_cell:
            row.add_error(
                "organization",
                _("Party members belong to a party cell, not to a %(kind)s.") % {"kind": node.get_kind_display()},
            )
        else:
            cell = node

    name = row.parsed.get("full_name", "")
    card = row.parsed.get("party_card_no")
    if card:
        member = holders.get(card)
        if member is None:
            # Only members under the target were looked up: the same message whoever holds the number elsewhere.
            row.add_error(
                "party_card_no",
                _("No party member under %(target)s has this party card number.") % {"target": target.name},
            )
            return
        if name and fold(name) != fold(member.full_name):
            row.add_error(
                "full_name",
                _("This party card number is recorded for %(name)s. Check the number and the name.")
                % {"name": member.full_name},
            )
            return
        if cell is not None and member.organization_id != cell.pk:
            row.add_error(
                "organization",
                _(
                    "The member with this party card number is in %(cell)s. Leave the code empty to find the member by the party card number alone."
                )
                % {"cell": member.organization.name},
            )
            return
    elif "party_card_no" in row.errors or cell is None or not name:
        return
    else:
        matches = by_name.get((cell.pk, fold(name)), [])
        if not matches:
            row.add_error(
                "full_name",
                _("No party member of %(cell)s is named %(name)s. Check the name, or enter the party card number.")
                % {"cell": cell.name, "name": name},
            )
            return
        if len(matches) > 1:
            row.add_error(
                "full_name",
                _("%(count)s members of %(cell)s are named %(name)s: enter the party card number.")
                % {"count": len(matches), "cell": cell.name, "name": name},
            )
            return
        member = matches[0]
    row.member = member
    year = row.parsed.get("year")
    if year and member.admitted_on and year < member.admitted_on.year:
        row.add_error(
            "year",
            _("%(name)s was admitted to the Party in %(admitted)s.")
            % {"name": member.full_name, "admitted": member.admitted_on.year},
        )


def _flag_duplicates(checked: list[_Row]) -> None:
    by_key: dict[tuple, list[_Row]] = defaultdict(list)
    for row in checked:
        if row.key is not None:
            by_key[row.key].append(row)
    for group in by_key.values():
        if len(group) < 2:
            continue
        lines = ", ".join(str(row.line) for row in group)
        for row in group:
            row.duplicate = True
            row.errors[row.subject_column] = _("Duplicate within the file (lines %(lines)s).") % {"lines": lines}


def _check_rows(rows: list[dict], *, organization: Organization, lock: bool = False) -> list[_Row]:
    """Check every row against the rules and the records, with a fixed number of queries whatever the rows.

    `rows` are parse_workbook() rows ({"line", "values"}). Every organisation and member is looked up under
    `organization` only. With `lock`, the recorded ratings the rows match are locked for the rest of the
    transaction.
    """
    checked = [_check_cells(row["line"], row["values"]) for row in rows]
    years = {row.parsed["year"] for row in checked if "year" in row.parsed}

    # One query for the nodes the rows name, under the target node only.
    codes = {row.parsed["organization"] for row in checked if "organization" in row.parsed}
    nodes = {
        node.code: node for node in Organization.objects.filter(code__in=codes, path__startswith=organization.path)
    }

    # One query for the members by card number, under the target node only.
    member_rows = [row for row in checked if row.kind == MEMBER]
    cards = {row.parsed["party_card_no"] for row in member_rows if "party_card_no" in row.parsed}
    in_subtree = Member.objects.filter(organization__path__startswith=organization.path).select_related("organization")
    holders = {member.party_card_no: member for member in in_subtree.filter(party_card_no__in=cards)}

    # One query for the members of the cells where rows name someone without a card number. Names are compared
    # folded (as the member import does), which SQL cannot do portably; a cell's roll is small.
    named = [row for row in member_rows if "party_card_no" not in row.data and "full_name" in row.parsed]
    wanted = {fold(row.parsed["full_name"]) for row in named}
    cell_ids = set()
    for row in named:
        node = nodes.get(row.parsed.get("organization"))
        if node is not None and node.is_cell:
            cell_ids.add(node.pk)
    by_name: dict[tuple[int, str], list[Member]] = defaultdict(list)
    for member in in_subtree.filter(organization_id__in=cell_ids).iterator(chunk_size=2000):
        folded = fold(member.full_name)
        if folded in wanted:
            by_name[(member.organization_id, folded)].append(member)

    for row in checked:
        if row.kind == ORG:
            _check_organization_row(row, nodes, organization)
        elif row.kind == MEMBER:
            _check_member_row(row, nodes, holders, by_name, organization)
    _flag_duplicates(checked)

    # One query for the recorded ratings and two for the results decided in chibo, for the subjects and years.
    org_ids = {row.organization.pk for row in checked if row.organization is not None}
    member_ids = {row.member.pk for row in checked if row.member is not None}
    ratings = HistoricalRating.objects.filter(
        Q(organization_id__in=org_ids) | Q(member_id__in=member_ids), year__in=years
    )
    if lock:
        ratings = ratings.select_for_update()
    recorded = {}
    for rating in ratings:
        ref = (ORG, rating.organization_id) if rating.organization_id else (MEMBER, rating.member_id)
        recorded[(*ref, rating.year)] = rating
    decided = {
        (ORG, *pair)
        for pair in OrgEvaluation.objects.filter(
            organization_id__in=org_ids, period__year__in=years, status=OrgEvaluation.Status.DECIDED
        ).values_list("organization_id", "period__year")
    }
    decided |= {
        (MEMBER, *pair)
        for pair in MemberEvaluation.objects.filter(
            member_id__in=member_ids, period__year__in=years, decided_at__isnull=False
        ).values_list("member_id", "period__year")
    }

    for row in checked:
        key = row.key
        if key in decided:
            row.add_error(
                "year",
                _("The result of %(year)s is already decided in chibo's yearly review; it is kept.") % {"year": key[2]},
            )
        if row.duplicate:
            row.outcome = DUPLICATE
        elif row.errors:
            row.outcome = ERROR
        else:
            row.rating = recorded.get(key)
            if row.rating is None:
                row.outcome = NEW
            elif row.rating.grade == row.parsed["grade"]:
                row.outcome = UNCHANGED
            else:
                row.outcome = UPDATE
    return checked


#
# Services
#


def _check_may_import(user, organization: Organization) -> None:
    if not get_access(user).can(DECIDE, organization):
        raise ValidationError(_("You may not import past results for %(name)s.") % {"name": organization.name})
    if not organization.is_active:
        raise ValidationError(_("%(name)s has been dissolved.") % {"name": organization.name})


def import_preview(*, organization: Organization, uploaded_file, user) -> PastResultImport:
    """Check an uploaded file of past results for `organization`'s subtree and keep every row's outcome on a new
    PastResultImport.

    Writes nothing but the batch. Raises ValidationError for a file that cannot be read at all (see
    parse_workbook); problems of single rows are row outcomes, not exceptions.
    """
    _check_may_import(user, organization)
    file_name = spreadsheets.upload_name(uploaded_file)
    rows = parse_workbook(uploaded_file)
    columns = [column.key for column in COLUMNS if column.key in rows[0]["values"]]
    checked = _check_rows(rows, organization=organization)
    return PastResultImport.objects.create(
        organization=organization,
        uploaded_by=user,
        file_name=file_name,
        rows=[row.as_json() for row in checked],
        summary=spreadsheets.summary(checked, columns, OUTCOMES),
    )


def import_confirm(*, past_import: PastResultImport, user, skip_errors: bool) -> dict:
    """Write a previewed batch in one transaction: create the new ratings and change the grade of the updated ones.

    Refuses when a row is in error or duplicated unless `skip_errors`, and when the records have changed since
    the preview so that a row's outcome would differ (a result decided or recorded meanwhile, a member moved...).
    Each written rating gets the file name as its source. Records one audit entry; the batch keeps the grade each
    update replaced. Returns the counts {"created", "updated", "unchanged", "skipped"}.
    """
    try:
        with transaction.atomic():
            return _apply(past_import=past_import, user=user, skip_errors=skip_errors)
    except IntegrityError:
        # Someone recorded one of the results between our check and our insert.
        raise ValidationError(_("A result of the file was recorded meanwhile. Upload the file again.")) from None


def _apply(*, past_import: PastResultImport, user, skip_errors: bool) -> dict:
    batch = spreadsheets.locked_batch(PastResultImport, past_import, user)
    organization = batch.organization
    _check_may_import(user, organization)
    spreadsheets.check_blocking(batch.rows, BLOCKING, skip_errors)
    valid = [row for row in batch.rows if row["outcome"] in VALID]
    if not any(row["outcome"] in WRITTEN for row in valid):
        raise ValidationError(_("There is no new or changed result to record."))

    checked = _check_rows(
        [{"line": row["line"], "values": row["data"]} for row in valid], organization=organization, lock=True
    )
    for stored, row in zip(valid, checked, strict=True):
        if row.outcome != stored["outcome"] or row.ref != stored["ref"]:
            raise spreadsheets.changed_since_preview(row)

    now = timezone.now()
    created: list[HistoricalRating] = []
    updated: list[HistoricalRating] = []
    unchanged = 0
    for row in checked:
        if row.outcome == UNCHANGED:
            unchanged += 1  # the file agrees with the record: nothing to write
            continue
        rating = row.rating
        if rating is None:
            rating = HistoricalRating(organization=row.organization, member=row.member, year=row.parsed["year"])
            created.append(rating)
        else:
            updated.append(rating)
        rating.grade = row.parsed["grade"]
        rating.source = batch.file_name
        rating.imported_by = user
        rating.imported_at = now

    HistoricalRating.objects.bulk_create(created, batch_size=500)
    if updated:
        HistoricalRating.objects.bulk_update(updated, ["grade", "source", "imported_by", "imported_at"], batch_size=500)
    result = {
        "created": len(created),
        "updated": len(updated),
        "unchanged": unchanged,
        "skipped": len(batch.rows) - len(valid),
    }
    spreadsheets.mark_applied(batch, result=result, now=now, user=user, action="evaluations.past_import.applied")
    return result


def import_cancel(*, past_import: PastResultImport, user) -> PastResultImport:
    """Drop a previewed batch. No rating is touched; the rows (names of members) are not kept."""
    return spreadsheets.cancel_batch(PastResultImport, past_import, user)


#
# Selectors
#


def past_ratings_visible_to(*, user) -> QuerySet[HistoricalRating]:
    """The past ratings of the organisations and members in the user's subtrees."""
    return HistoricalRating.objects.filter(
        (Q(organization__isnull=False) & scope_filter(user, prefix="organization__"))
        | (Q(member__isnull=False) & scope_filter(user, prefix="member__organization__"))
    )


def past_rating_list(
    *, user, year: int | None = None, kind: str = "", organization: Organization | None = None
) -> QuerySet[HistoricalRating]:
    """The past ratings the user may see, filtered by year, kind and node (that node and everything below it)."""
    ratings = past_ratings_visible_to(user=user)
    if year:
        ratings = ratings.filter(year=year)
    if kind == ORG:
        ratings = ratings.filter(organization__isnull=False)
    elif kind == MEMBER:
        ratings = ratings.filter(member__isnull=False)
    if organization is not None:
        ratings = ratings.filter(
            Q(organization__path__startswith=organization.path)
            | Q(member__organization__path__startswith=organization.path)
        )
    return ratings.select_related(
        "organization__parent", "member", "member__organization__parent", "imported_by"
    ).order_by("-year", "organization__path", "member__organization__path", "member__sort_key", "pk")


def past_rating_years(*, user) -> list[int]:
    """The years that have past ratings the user may see, latest first."""
    years = past_ratings_visible_to(user=user).order_by("-year").values_list("year", flat=True).distinct()
    return list(years)


#
# Workbooks to download
#


def _column_hint(column: Column) -> str:
    limit = {"max": column.max_length}
    if column.kind == "year":
        return _("Required. The year of the result, from %(first)s to %(last)s.") % {
            "first": EARLIEST_YEAR,
            "last": last_year(),
        }
    if column.kind == "kind":
        return _("Required. One of: %(choices)s.") % {"choices": _choices(KIND_WORDS.values())}
    if column.kind == "code":
        return _(
            "An organisation's row: the code of the rated organisation, as shown on its page (required). A member's "
            "row: the code of the member's party cell (needed only without a party card number)."
        )
    if column.kind == "card":
        return (
            _(
                "A member's row: the party card number, which finds the member. At most %(max)s characters. Format "
                "the column as Text to keep leading zeros."
            )
            % limit
        )
    if column.key == "full_name":
        return _(
            "A member's row: checked against the record, without regard to accents or case. Without a party card "
            "number, the member is found by this name within the party cell of the code column."
        )
    if column.kind == "grade":
        return _("Required. One of: %(choices)s.") % {
            "choices": "; ".join(f"{code} ({word})" for code, word in GRADE_WORDS.items())
        }
    return _("Text, at most %(max)s characters. Kept with the import, not on the rating.") % limit


def template_workbook(*, organization_code: str = "CB-VP-01", cell_code: str = "CB-VP-01") -> bytes:
    """An empty file of results: the header row, two example rows, and a second sheet explaining every column."""
    workbook, sheet = spreadsheets.template_start(_("Past results"), COLUMNS)
    examples = [
        {"kind": KIND_WORDS[ORG], "organization": organization_code, "grade": Grade.GOOD.value},
        {
            "kind": KIND_WORDS[MEMBER],
            "organization": cell_code,
            "full_name": "Nguyễn Văn Mẫu",
            "grade": GRADE_WORDS[Grade.EXCELLENT],
        },
    ]
    for example in examples:
        values = {"year": last_year(), "notes": EXAMPLE_NOTE, **example}
        sheet.append([values.get(column.key, "") for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind in ("card", "code"):
            # Text columns, so that Excel keeps leading zeros in what people type.
            sheet.column_dimensions[get_column_letter(index)].number_format = "@"

    notes = [
        _(
            "Fill in one result per row on the first sheet, under the header row: the grade of one organisation or one member for one year. Delete the example rows."
        ),
        _("Columns may be in any order; columns not listed here are ignored."),
        _("Every organisation and member must be in the organisation you import for, or below it."),
        _(
            "A result already recorded for the same organisation or member and year is replaced by the file's grade. "
            "A result decided in chibo's yearly review is never replaced."
        ),
        _("At most %(rows)s rows and %(size)s per file.")
        % {"rows": _number(max_rows()), "size": filesizeformat(max_bytes())},
        _("Nothing is recorded until you have checked the preview and confirmed it."),
    ]
    return spreadsheets.template_finish(workbook, COLUMNS, _column_hint, notes)


def errors_workbook(past_import: PastResultImport) -> bytes:
    """The rows in error, as they were read, with a last column giving the reasons: to correct and upload again."""
    return spreadsheets.errors_workbook(past_import, columns_by_key=COLUMNS_BY_KEY, blocking=BLOCKING)
