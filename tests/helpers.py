"""Helpers shared by several test modules (fixtures live in tests/conftest.py).

- Spreadsheets: `xlsx` builds an .xlsx file in memory, `sheet_rows` reads one back; `outcomes` reads the row
  outcomes of an import preview; `ImportFlow` drives one spreadsheet import with the checks every import shares.
- URL × persona matrices: `matrix` (or `matrix_params`) expands a spec of rows into test parameters,
  `check_matrix_case` requests one of them and checks the outcome with `assert_outcome` (a status code, LOGIN or
  REDIRECT) and that a refused request wrote nothing.
- N+1 guards: `grow_tree` adds committees, cells and members in bulk, `bulk_members` adds members in bulk,
  `two_cells` makes a small and a large cell, `count_queries` measures one page.
- Members, evaluations, meetings: `temporary_transfer`, `open_period`, `meeting_minutes`, `meeting_row`, `absences`
  make one record (or its data) with defaults that suit most tests.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cells.models import Organization
from meetings.models import Attendance, Meeting
from members import counts as member_counts
from members.models import Member

#
# Spreadsheets
#


def xlsx(rows, headers, above=()) -> bytes:
    """An .xlsx file built in memory: optional title rows, the header row, then `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    if headers:
        sheet.append(headers)
    for values in rows:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def outcomes(batch) -> list[str]:
    """The outcome of each row of an import preview, in file order."""
    return [r["outcome"] for r in batch.rows]


def sheet_rows(content: bytes, sheet: int = 0) -> list[tuple]:
    """The rows of one sheet of an .xlsx file, as values."""
    return list(load_workbook(io.BytesIO(content)).worksheets[sheet].iter_rows(values_only=True))


@dataclass(frozen=True)
class ImportFlow:
    """One spreadsheet import (preview, confirm or cancel, its pages) as its tests drive it, with the checks that
    every import must pass whatever its rows: members.importing and evaluations.past_results.importing."""

    service: ModuleType  # import_preview, import_confirm, COLUMNS, XLSX_CONTENT_TYPE
    batch_model: type  # the stored preview, with its State
    batch_arg: str  # import_confirm's keyword for the batch
    url_names: dict  # page (the upload form of a node), batch, errors, confirm, cancel, template
    file_name: str
    headers: list
    state: Callable  # reads what a refused or cancelled import must not write

    def url(self, name: str, *args) -> str:
        return reverse(self.url_names[name], args=args)

    def upload(self, content: bytes, name: str | None = None) -> SimpleUploadedFile:
        return SimpleUploadedFile(name or self.file_name, content, content_type=self.service.XLSX_CONTENT_TYPE)

    def file(self, rows, headers=None, above=()) -> SimpleUploadedFile:
        """An upload of `rows` under the template's header row unless told otherwise (see xlsx)."""
        return self.upload(xlsx(rows, self.headers if headers is None else headers, above))

    def preview_file(self, user, organization, uploaded_file):
        return self.service.import_preview(organization=organization, uploaded_file=uploaded_file, user=user)

    def preview(self, user, organization, rows, **kwargs):
        return self.preview_file(user, organization, self.file(rows, **kwargs))

    def confirm(self, batch, user, *, skip_errors: bool) -> dict:
        return self.service.import_confirm(**{self.batch_arg: batch}, user=user, skip_errors=skip_errors)

    def refused(self, code: str, preview, *args, **kwargs) -> ValidationError:
        """`preview(*args, **kwargs)` is refused with an error of `code` that says why, and stores no batch."""
        with pytest.raises(ValidationError) as caught:
            preview(*args, **kwargs)
        assert caught.value.code == code
        assert caught.value.messages[0]
        assert self.batch_model.objects.count() == 0
        return caught.value

    def confirm_refused(self, batch, user, *, skip_errors: bool) -> ValidationError:
        """Confirming `batch` is refused: nothing is written and the batch is still a preview."""
        before = self.state()
        with pytest.raises(ValidationError) as caught:
            self.confirm(batch, user, skip_errors=skip_errors)
        assert self.state() == before
        batch.refresh_from_db()
        assert batch.state == self.batch_model.State.PREVIEW
        return caught.value

    def assert_cancel_writes_nothing(self, client, batch) -> None:
        before = self.state()

        response = client.post(self.url("cancel", batch.pk))

        assert response.status_code == 302
        assert self.state() == before
        batch.refresh_from_db()
        assert batch.state == self.batch_model.State.CANCELLED
        assert batch.rows == []

    def upload_through_the_page(self, client, organization, rows):
        """Upload `rows` on the import page of `organization`: one batch is stored and the upload redirects to its
        page. Returns the batch and its page."""
        response = client.post(self.url("page", organization.pk), {"file": self.file(rows)})

        batch = self.batch_model.objects.get()
        assert response.status_code == 302
        assert response["Location"] == self.url("batch", batch.pk)
        page = client.get(response["Location"])
        assert page.status_code == 200
        return batch, page

    def confirm_through_the_page(self, client, batch, *, skip_errors: bool):
        response = client.post(self.url("confirm", batch.pk), {"skip_errors": "on"} if skip_errors else {})
        assert response.status_code == 302
        return response

    def assert_applied_page(self, client, batch) -> None:
        """The page of an applied batch still shows, no longer as a preview."""
        done = client.get(self.url("batch", batch.pk))
        assert done.status_code == 200 and not done.context["is_preview"]

    def assert_upload_shows_a_file_error(self, client, organization) -> None:
        response = client.post(self.url("page", organization.pk), {"file": self.upload(b"not a spreadsheet")})

        assert response.status_code == 200
        assert response.context["form"].errors
        assert self.batch_model.objects.count() == 0

    def assert_batch_hidden(self, client, batch) -> None:
        """Neither the batch's page nor its confirmation is found."""
        assert client.get(self.url("batch", batch.pk)).status_code == 404
        assert client.post(self.url("confirm", batch.pk), {"skip_errors": "on"}).status_code == 404

    def assert_hidden_everywhere(self, client, organization, batch, rows) -> None:
        """The import of `organization` and every page of `batch` answer 404, and nothing is written."""
        before = self.state()

        assert client.get(self.url("page", organization.pk)).status_code == 404
        assert client.post(self.url("page", organization.pk), {"file": self.file(rows)}).status_code == 404
        self.assert_batch_hidden(client, batch)
        assert client.get(self.url("errors", batch.pk)).status_code == 404
        assert client.post(self.url("cancel", batch.pk)).status_code == 404
        assert self.state() == before
        assert self.batch_model.objects.count() == 1

    def template(self, client, organization) -> tuple[bytes, list[tuple]]:
        """The template offered for `organization`: two sheets, the first headed by the columns' headers. Returns the
        file and the rows of its first sheet."""
        response = client.get(reverse(self.url_names["template"]), {"org": organization.pk})

        assert response.status_code == 200
        assert len(load_workbook(io.BytesIO(response.content)).worksheets) == 2
        first = sheet_rows(response.content)
        assert list(first[0]) == [column.header for column in self.service.COLUMNS]
        return response.content, first

    def errors_download(self, client, batch, user, organization) -> list[tuple]:
        """The rows in error of `batch`, downloaded, each with its reason in the last column; corrected, the file
        can be uploaded again by `user` into `organization` (the reasons column is ignored). Returns its rows."""
        response = client.get(self.url("errors", batch.pk))

        assert response.status_code == 200
        rows = sheet_rows(response.content)
        assert all(row[-1] for row in rows[1:])
        again = self.preview_file(user, organization, self.upload(response.content))
        assert again.summary["total"] == len(rows) - 1
        return rows

    def preview_query_counts(self, user, organization, rows_of) -> tuple[int, int, object]:
        """The queries of a preview of `rows_of(10)` and of `rows_of(200)`, after a preview of `rows_of(2)` that warms
        up per-process caches. Returns the two counts and the large batch."""
        small, large = self.file(rows_of(10)), self.file(rows_of(200))
        self.preview_file(user, organization, self.file(rows_of(2)))

        with CaptureQueriesContext(connection) as for_small:
            self.preview_file(user, organization, small)
        with CaptureQueriesContext(connection) as for_large:
            batch = self.preview_file(user, organization, large)
        return len(for_small), len(for_large), batch


def assert_one_row_below_a_title(batch, data: dict, columns: list[str]) -> None:
    """The batch of a file whose header row stands below a title and a blank line (line 3) reads one new row, line
    4, as `data`, from `columns`."""
    assert outcomes(batch) == ["new"]
    assert batch.rows[0]["line"] == 4
    assert batch.rows[0]["data"] == data
    assert batch.summary["columns"] == columns


#
# URL × persona matrices
#

LOGIN = "login"  # a 302 to the login page
REDIRECT = "redirect"  # a 302 anywhere but the login page (the action succeeded)
PERSONAS = ("anonymous", "admin", "staff", "leader", "grassroots", "secretary", "member", "outsider", "norole")


def labelled(label: str):
    """Decorator: name a URL-kwargs function in the test ids of a matrix."""

    def decorate(kwargs):
        kwargs.label = label
        return kwargs

    return decorate


@labelled("")
def no_args(world) -> dict:
    return {}


def tree_node(name: str, key: str = "pk"):
    """The URL kwargs {key: pk} of the world's tree node `name` (e.g. "a1"), labelled with the name."""

    @labelled(name)
    def kwargs(world) -> dict:
        return {key: getattr(world.tree, name).pk}

    return kwargs


class MatrixCase(NamedTuple):
    """One cell of a URL × persona matrix."""

    url_name: str
    method: str
    kwargs: Callable  # of the world, giving the URL's kwargs
    persona: str
    expected: object  # a status code, LOGIN or REDIRECT


def matrix_params(spec) -> list:
    """One test parameter, a MatrixCase, per row of `spec` and persona.

    A spec row: url name, method, a function of the world giving the URL's kwargs, then one expected outcome per
    persona in PERSONAS order. The id names the kwargs by their `label` when they have one, else by the row's index.
    """
    return [
        pytest.param(
            MatrixCase(name, method, kwargs, persona, expected),
            id=f"{name}-{method}-{getattr(kwargs, 'label', index)}-{persona}".replace("--", "-"),
        )
        for index, (name, method, kwargs, *results) in enumerate(spec)
        for persona, expected in zip(PERSONAS, results, strict=True)
    ]


def matrix(spec):
    """Decorator: parametrise the test's `case` argument over the cells of `spec` (see matrix_params)."""
    return pytest.mark.parametrize("case", matrix_params(spec))


def assert_outcome(response, expected) -> None:
    """LOGIN: a 302 to the login page; REDIRECT: a 302 anywhere else; otherwise that status code."""
    if expected in (LOGIN, REDIRECT):
        assert response.status_code == 302
        assert (urlsplit(response["Location"]).path == reverse("login")) == (expected == LOGIN)
    else:
        assert response.status_code == expected


REFUSED = (LOGIN, 403, 404, 405)  # the outcomes of a request that must write nothing


def check_matrix_case(world, client_for, case: MatrixCase, *, state, unchanged=REFUSED) -> None:
    """Request the case's URL as its persona and check the outcome; when the outcome is one of `unchanged`, check
    that `state()` (a function reading what the request must not write) reads the same after as before."""
    url = reverse(case.url_name, kwargs=case.kwargs(world))
    before = state()

    response = getattr(client_for(case.persona), case.method)(url)

    assert_outcome(response, case.expected)
    if case.expected in unchanged:
        assert state() == before


#
# N+1 guards
#


def bulk_members(members) -> list[Member]:
    """Insert the unsaved `members` in bulk, with their derived columns (sort key, search text) set as the services
    would set them."""
    members = list(members)
    for member in members:
        member.refresh_derived()
    created = Member.objects.bulk_create(members)
    member_counts.refresh({member.organization_id for member in created})  # as the services keep them
    return created


def grow_tree(
    *,
    under: Organization,
    committees: int,
    cells: int,
    prefix: str,
    kind: str = Organization.Kind.GRASSROOTS_COMMITTEE,
    members: int = 0,
    statuses=(Member.Status.FULL,),
) -> list[Organization]:
    """Add `committees` committees of `kind` under `under`, each with `cells` cells, each cell with `members` members
    ("Nguyễn Văn <cell code> <k>") whose status goes through `statuses` in turn.

    Bulk inserts with the derived columns (path, depth, search text) set as the services would set them.
    Returns the new cells.
    """
    new_committees = Organization.objects.bulk_create(
        [
            Organization(
                parent=under,
                name=f"Đảng bộ {prefix}{i}",
                code=f"{prefix}-{i}",
                kind=kind,
                depth=under.depth + 1,
            )
            for i in range(committees)
        ]
    )
    for committee in new_committees:
        committee.path = f"{under.path}{committee.pk}/"
        committee.refresh_search_text()
    Organization.objects.bulk_update(new_committees, ["path", "search_text"])

    new_cells = Organization.objects.bulk_create(
        [
            Organization(
                parent=committee,
                name=f"Chi bộ {committee.code}-{j}",
                code=f"{committee.code}-{j}",
                kind=Organization.Kind.CELL,
                depth=committee.depth + 1,
            )
            for committee in new_committees
            for j in range(cells)
        ]
    )
    parents = {committee.pk: committee for committee in new_committees}
    for cell in new_cells:
        cell.path = f"{parents[cell.parent_id].path}{cell.pk}/"
        cell.refresh_search_text()
    Organization.objects.bulk_update(new_cells, ["path", "search_text"])
    bulk_members(
        Member(organization=cell, full_name=f"Nguyễn Văn {cell.code} {k}", status=statuses[k % len(statuses)])
        for cell in new_cells
        for k in range(members)
    )
    return new_cells


def two_cells(*, under: Organization, prefix: str, members: tuple[int, int], status=Member.Status.FULL):
    """A new committee under `under` with two cells of members[0] and members[1] members of `status`: the small and
    the large case of an N+1 guard."""
    cells = grow_tree(under=under, committees=1, cells=2, prefix=prefix)
    bulk_members(
        Member(organization=cell, full_name=f"Nguyễn Văn {cell.code} {k}", status=status)
        for cell, count in zip(cells, members, strict=True)
        for k in range(count)
    )
    return cells


def count_queries(client, url: str) -> int:
    """The queries of one GET of `url` (which must answer 200), after a first GET that warms up per-process caches
    (content types, translations) outside the measurement."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


#
# Members
#


def temporary_transfer(world, **kwargs):
    """A temporary transfer recorded by staff, from 1 Feb 2026 to 1 Feb 2027; by default a visitor from outside the
    tree (Hoàng Thị Mai) attending A1. `kwargs` override any argument of members.services.transfer_temporary."""
    from members import services

    kwargs.setdefault("to_organization", world.tree.a1)
    kwargs.setdefault("decided_on", datetime.date(2026, 2, 1))
    kwargs.setdefault("expected_return_on", datetime.date(2027, 2, 1))
    kwargs.setdefault("transferred_by", world.personas.staff)
    if "member" not in kwargs:
        kwargs.setdefault("member_name", "Hoàng Thị Mai")
        kwargs.setdefault("from_text", "Đảng bộ Trường Đại học Y")
    return services.transfer_temporary(**kwargs)


#
# Evaluations
#


def open_period(world, *, year: int, root=None, by="staff", dues=None):
    """evaluations.review.services.period_open for `year` at `root` (the tree's root unless told), by the persona
    `by`. `dues`: the self-assessment, appraisal and decision deadlines; by default 10, 20 and 31 January after the
    year."""
    from evaluations.review.services import period_open

    self_assessment_due, appraisal_due, decision_due = dues or (
        datetime.date(year + 1, 1, 10),
        datetime.date(year + 1, 1, 20),
        datetime.date(year + 1, 1, 31),
    )
    return period_open(
        root=root or world.tree.root,
        year=year,
        self_assessment_due=self_assessment_due,
        appraisal_due=appraisal_due,
        decision_due=decision_due,
        opened_by=getattr(world.personas, by),
    )


def december_dues(year: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Deadlines within the year itself: 1, 10 and 20 December."""
    return datetime.date(year, 12, 1), datetime.date(year, 12, 10), datetime.date(year, 12, 20)


#
# Meetings
#


def meeting_row(cell, year: int, month: int, *, day: int = 10, **fields) -> Meeting:
    """An unsaved meeting of `cell` for `month` of `year`, held 8:00–10:00 on `day` of that month: a row written
    directly, without the services. `fields` set the other columns (a finalised regular meeting unless told)."""
    fields = {
        "kind": Meeting.Kind.REGULAR,
        "status": Meeting.Status.FINAL,
        "date": datetime.date(year, month, day),
    } | fields
    return Meeting(
        organization=cell,
        period_year=year,
        period_month=month,
        start_time=datetime.time(8, 0),
        end_time=datetime.time(10, 0),
        **fields,
    )


def absences(world, reason: str = "Ốm") -> dict:
    """Meeting attendance in A1 (the `attendance` of meetings.services.meeting_update): Bình absent with `reason`,
    Cường absent without one."""
    return {
        world.members.other.pk: {"status": Attendance.Status.EXCUSED, "reason": reason},
        world.members.probationary.pk: {"status": Attendance.Status.UNEXCUSED},
    }


def meeting_minutes(world, **overrides) -> dict:
    """Complete minutes of a 105-minute regular meeting of cell A1 on 10 June 2025, prepared and sent ahead (every
    automatic score item met): the `data` of meetings.services.meeting_create, with `overrides`."""
    return {
        "kind": Meeting.Kind.REGULAR,
        "period_year": 2025,
        "period_month": 6,
        "date": datetime.date(2025, 6, 10),
        "start_time": datetime.time(8, 0),
        "end_time": datetime.time(9, 45),
        "location": "Hội trường cơ quan",
        "presiding": world.members.own,
        "minute_taker": world.members.other,
        "pre_meeting_on": datetime.date(2025, 6, 5),
        "documents_sent_on": datetime.date(2025, 6, 8),
        "content": "Học tập chuyên đề; kiểm điểm công việc tháng 5",
        "conclusion": "Chi bộ thống nhất nhiệm vụ tháng 6",
        "vote_for": 2,
        "vote_against": 0,
        "vote_abstain": 0,
        **overrides,
    }


# The member import template's header row (members.importing.services.COLUMNS, as a person sees it).
MEMBER_IMPORT_HEADERS = [
    "Họ và tên*",
    "Giới tính (Nam/Nữ)",
    "Ngày sinh",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Tình trạng (Dự bị/Chính thức)",
    "Mã chi bộ",
    "Điện thoại",
    "Chức vụ công tác",
]
