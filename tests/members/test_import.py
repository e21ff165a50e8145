"""The spreadsheet import of party members: file checks, row outcomes, confirm/cancel, access and query counts.

Uses the tree and personas of tests/conftest.py: the secretary imports into cell A1, where An (01.000001),
Bình (01.000002) and Cường (01.000003) are recorded; the outsider is secretary of B1.
"""

import datetime
import io
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cells.models import AuditEntry
from members import services as member_services
from members.importing import services as importing
from members.models import Member, MemberImport
from tests.helpers import (
    LOGIN,
    MEMBER_IMPORT_HEADERS,
    REDIRECT,
    REFUSED,
    ImportFlow,
    assert_one_row_below_a_title,
    check_matrix_case,
    matrix,
    no_args,
    outcomes,
    tree_node,
)
from tests.helpers import xlsx as spreadsheet

HEADERS = MEMBER_IMPORT_HEADERS


def row(name, *, gender="", born="", admitted="", official="", card="", status="", cell="", phone="", job=""):
    return [name, gender, born, admitted, official, card, status, cell, phone, job]


xlsx = partial(spreadsheet, headers=HEADERS)  # under the template's header row unless told otherwise


def registry_state():
    return (
        Member.objects.count(),
        list(Member.objects.order_by("pk").values_list("pk", "full_name", "phone", "job_title", "gender")),
        AuditEntry.objects.count(),
    )


IMPORT = ImportFlow(
    service=importing,
    batch_model=MemberImport,
    batch_arg="member_import",
    url_names={
        "page": "members:import",
        "batch": "members:import_batch",
        "errors": "members:import_errors",
        "confirm": "members:import_confirm",
        "cancel": "members:import_cancel",
        "template": "members:import_template",
    },
    file_name="danh-sach.xlsx",
    headers=HEADERS,
    state=registry_state,
)
upload, preview = IMPORT.upload, IMPORT.preview


MIXED_ROWS = [
    # line 2: new, text dates
    row(
        "Phạm Thị Dung", gender="Nữ", born="12/03/1990", admitted="01/02/2015", official="01/02/2016", card="01.100001"
    ),
    # line 3: new, Excel dates, probationary
    row(
        "Hoàng Văn Em",
        gender="nam",
        born=datetime.datetime(1995, 1, 1),
        admitted=datetime.datetime(2024, 5, 5),
        card="01.100002",
        status="Dự bị",
    ),
    # line 4: update of Bình by card number
    row("Trần Thị Bình", card="01.000002", phone="0912345678", job="Kế toán"),
    # line 5: error, date of birth in the future
    row("Vũ Văn Giang", born="01/01/2999", card="01.100003"),
    # lines 6 and 7: the same card number twice
    row("Đỗ Thị Hoa", card="01.100009"),
    row("Đỗ Văn Hùng", card="01.100009"),
]


@pytest.fixture
def mixed(world):
    return preview(world.personas.secretary, world.tree.a1, MIXED_ROWS)


#
# Preview
#


@pytest.mark.django_db
def test_preview_of_mixed_file_gives_each_row_its_outcome_and_writes_nothing(world):
    before = registry_state()

    batch = preview(world.personas.secretary, world.tree.a1, MIXED_ROWS)

    assert outcomes(batch) == ["new", "new", "update", "error", "duplicate", "duplicate"]
    assert [r["line"] for r in batch.rows] == [2, 3, 4, 5, 6, 7]
    assert batch.summary["total"] == 6
    assert (batch.summary["new"], batch.summary["update"], batch.summary["error"], batch.summary["duplicate"]) == (
        2,
        1,
        1,
        2,
    )
    assert batch.state == MemberImport.State.PREVIEW
    assert set(batch.rows[3]["errors"]) == {"date_of_birth"}
    assert set(batch.rows[4]["errors"]) == {"party_card_no"} == set(batch.rows[5]["errors"])
    assert "6, 7" in batch.rows[4]["errors"]["party_card_no"]
    assert batch.rows[2]["changes"] == ["job_title", "phone"]
    # Normalised values: dates as dd/mm/yyyy, words of the file format, the inferred status.
    assert batch.rows[1]["data"]["date_of_birth"] == "01/01/1995"
    assert batch.rows[1]["data"]["gender"] == "Nam"
    assert batch.rows[0]["data"]["status"] == "Chính thức"
    assert registry_state() == before
    assert MemberImport.objects.count() == 1


@pytest.mark.django_db
def test_duplicate_card_number_within_the_file_flags_both_rows(world):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Một", card="X1"), row("Hai"), row("Ba", card="X1")])

    assert outcomes(batch) == ["duplicate", "new", "duplicate"]
    assert "2, 4" in batch.rows[0]["errors"]["party_card_no"]


@pytest.mark.django_db
def test_future_dates_are_row_errors(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    batch = preview(
        world.personas.secretary,
        world.tree.a1,
        [row("Một", admitted=tomorrow.strftime("%d/%m/%Y")), row("Hai", born=datetime.datetime(2999, 1, 1))],
    )

    assert outcomes(batch) == ["error", "error"]
    assert set(batch.rows[0]["errors"]) == {"admitted_on"}
    assert set(batch.rows[1]["errors"]) == {"date_of_birth"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "column"),
    [
        (row("", born="01/01/1980"), "full_name"),
        (row("A" * 151), "full_name"),
        (row("Một", gender="Khác"), "gender"),
        (row("Một", status="Miễn công tác"), "status"),
        (row("Một", born="31/02/1990"), "date_of_birth"),
        (row("Một", born="1990"), "date_of_birth"),
        (row("Một", admitted="01/01/2015", official="01/01/2014"), "official_on"),
        (row("Một", born="01/01/2000", admitted="01/01/1999"), "admitted_on"),
        (row("Một", admitted="01/01/2015", status="Chính thức"), "official_on"),
        (row("Một", card="12 34#5"), "party_card_no"),
        (row("Một", card="1" * 21), "party_card_no"),
        (row("Một", phone="call me"), "phone"),
        (row("Một", cell="B1"), "organization"),
    ],
)
def test_invalid_cell_is_an_error_on_its_column(world, values, column):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Hợp lệ"), values])

    assert outcomes(batch) == ["new", "error"]
    assert column in batch.rows[1]["errors"]


@pytest.mark.django_db
def test_headers_match_without_accents_or_case_and_below_a_title(world):
    headers = ["STT", "HO VA TEN", "ngay sinh", "so the dang vien", "Cột lạ"]

    batch = preview(
        world.personas.secretary,
        world.tree.a1,
        [[1, "Lý Thị Lan", "05/06/1980", 12345678, "bỏ qua"], [2, None, None, None, None]],
        headers=headers,
        above=[["DANH SÁCH ĐẢNG VIÊN CHI BỘ A1"], []],
    )

    assert_one_row_below_a_title(
        batch,
        {"full_name": "Lý Thị Lan", "date_of_birth": "05/06/1980", "party_card_no": "12345678", "status": "Dự bị"},
        ["full_name", "date_of_birth", "party_card_no"],
    )


@pytest.mark.django_db
def test_row_cell_must_be_an_active_cell_under_the_target_node(world):
    tree = world.tree

    batch = preview(
        world.personas.grassroots,
        tree.a,
        [row("Một", cell="a1"), row("Hai", cell="B1"), row("Ba"), row("Bốn", cell="A")],
    )

    assert outcomes(batch) == ["new", "error", "error", "error"]
    # B1 exists but is outside A: the same message as for a code that does not exist.
    assert "B1" in batch.rows[1]["errors"]["organization"]
    assert set(batch.rows[2]["errors"]) == {"organization"}


@pytest.mark.django_db
def test_card_number_of_a_member_outside_the_scope_is_an_error_that_reveals_nobody(world, stranger, client_for):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Ngô Văn Bí Mật", card="02.000001")])

    assert outcomes(batch) == ["error"]
    message = batch.rows[0]["errors"]["party_card_no"]
    assert "Bí Mật" not in message and "B1" not in message and world.tree.b1.name not in message
    page = client_for("secretary").get(reverse("members:import_batch", args=[batch.pk]))
    assert page.status_code == 200
    assert world.tree.b1.name not in page.content.decode()
    assert Member.objects.get(pk=stranger.pk).organization_id == world.tree.b1.pk


@pytest.mark.django_db
def test_card_number_recorded_for_another_name_is_an_error(world):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Người Khác", card="01.000002")])

    assert outcomes(batch) == ["error"]
    assert "Trần Thị Bình" in batch.rows[0]["errors"]["full_name"]


@pytest.mark.django_db
def test_import_does_not_change_status_or_cell_of_a_recorded_member(world):
    batch = preview(
        world.personas.grassroots,
        world.tree.a,
        [
            row("Lê Văn Cường", card="01.000003", status="Chính thức", official="01/01/2020", cell="A1"),
            row("Trần Thị Bình", card="01.000002", cell="A2"),
        ],
    )

    assert outcomes(batch) == ["error", "error"]
    assert "status" in batch.rows[0]["errors"]
    assert "organization" in batch.rows[1]["errors"]


#
# File-level problems
#


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"Ho va ten;Ngay sinh\nNguyen Van A;01/01/1980\n", "danh-sach.xlsx", "invalid_file"),
        (b"PK\x03\x04 this is not really a zip archive", "danh-sach.xlsx", "invalid_file"),
        (b"", "danh-sach.xlsx", "invalid_file"),
        (xlsx([row("Một")]), "danh-sach.xls", "invalid_file"),
        (xlsx([], headers=None), "danh-sach.xlsx", "empty"),
        (xlsx([]), "danh-sach.xlsx", "empty"),
        (xlsx([["Một"]], headers=["Tên"]), "danh-sach.xlsx", "no_header"),
        (xlsx([["Một", "Hai"]], headers=["Họ và tên", "Ho va ten"]), "danh-sach.xlsx", "duplicate_column"),
    ],
    ids=["csv-renamed", "fake-zip", "zero-bytes", "xls-name", "empty-sheet", "header-only", "no-name-column", "twice"],
)
def test_unreadable_file_is_refused_with_a_message_and_writes_nothing(world, content, name, code):
    IMPORT.refused(code, IMPORT.preview_file, world.personas.secretary, world.tree.a1, upload(content, name))


@pytest.mark.django_db
def test_file_with_more_rows_than_the_limit_is_refused(world, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 5
    rows = [row(f"Người {i}") for i in range(6)]

    error = IMPORT.refused("too_many_rows", preview, world.personas.secretary, world.tree.a1, rows)

    assert "5" in error.messages[0]
    assert preview(world.personas.secretary, world.tree.a1, rows[:5]).summary["total"] == 5


@pytest.mark.django_db
def test_file_larger_than_the_limit_is_refused_before_it_is_read(world, settings):
    settings.MEMBER_IMPORT_MAX_BYTES = 1000

    IMPORT.refused("too_large", preview, world.personas.secretary, world.tree.a1, [row("Một")])


#
# Confirm and cancel
#


@pytest.mark.django_db
def test_confirm_without_skipping_errors_is_refused_and_writes_nothing(world, mixed):
    IMPORT.confirm_refused(mixed, world.personas.secretary, skip_errors=False)


@pytest.mark.django_db
def test_confirm_skipping_errors_writes_exactly_the_valid_rows(world, mixed):
    count_before = Member.objects.count()
    bình = world.members.other
    Member.objects.filter(pk=bình.pk).update(gender=Member.Gender.FEMALE, phone="0900000000")

    result = importing.import_confirm(member_import=mixed, user=world.personas.secretary, skip_errors=True)

    assert result == {"created": 2, "updated": 1, "unchanged": 0, "skipped": 3}
    assert Member.objects.count() == count_before + 2
    dung = Member.objects.get(party_card_no="01.100001")
    assert (dung.full_name, dung.gender, dung.status, dung.organization_id) == (
        "Phạm Thị Dung",
        Member.Gender.FEMALE,
        Member.Status.FULL,
        world.tree.a1.pk,
    )
    assert dung.date_of_birth == datetime.date(1990, 3, 12)
    assert dung.official_on == datetime.date(2016, 2, 1)
    assert dung.sort_key and dung.search_text == "pham thi dung 01.100001"
    em = Member.objects.get(party_card_no="01.100002")
    assert (em.status, em.admitted_on) == (Member.Status.PROBATIONARY, datetime.date(2024, 5, 5))
    bình.refresh_from_db()
    assert (bình.phone, bình.job_title, bình.gender) == ("0912345678", "Kế toán", Member.Gender.FEMALE)
    assert not Member.objects.filter(party_card_no__in=["01.100003", "01.100009"]).exists()
    assert not Member.objects.filter(full_name="Vũ Văn Giang").exists()
    mixed.refresh_from_db()
    assert mixed.state == MemberImport.State.APPLIED
    entry = AuditEntry.objects.get(action="members.import.applied")
    assert entry.data == result and entry.organization_id == world.tree.a1.pk


@pytest.mark.django_db
def test_update_writes_only_the_filled_cells(world):
    bình = world.members.other
    Member.objects.filter(pk=bình.pk).update(phone="0900000000", date_of_birth=datetime.date(1980, 1, 1))
    batch = preview(world.personas.secretary, world.tree.a1, [row("TRẦN THI BINH", card="01.000002", job="Kế toán")])
    assert outcomes(batch) == ["update"]

    importing.import_confirm(member_import=batch, user=world.personas.secretary, skip_errors=False)

    bình.refresh_from_db()
    assert (bình.job_title, bình.phone, bình.date_of_birth) == ("Kế toán", "0900000000", datetime.date(1980, 1, 1))
    # The name matched without accents; the file's spelling is written.
    assert bình.full_name == "TRẦN THI BINH"


@pytest.mark.django_db
def test_confirm_refuses_a_card_number_recorded_after_the_preview(world):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Một", card="09.000001"), row("Hai")])
    member_services.member_create(
        organization=world.tree.a2,
        full_name="Người Nhanh Tay",
        party_card_no="09.000001",
        created_by=world.personas.admin,
    )

    error = IMPORT.confirm_refused(batch, world.personas.secretary, skip_errors=True)

    assert "09.000001" in error.messages[0]


@pytest.mark.django_db
def test_batch_cannot_be_confirmed_twice(world):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Một")])
    importing.import_confirm(member_import=batch, user=world.personas.secretary, skip_errors=False)

    with pytest.raises(ValidationError):
        importing.import_confirm(member_import=batch, user=world.personas.secretary, skip_errors=False)

    assert Member.objects.filter(full_name="Một").count() == 1


@pytest.mark.django_db
def test_cancel_writes_nothing_to_the_registry(world, mixed, client_for):
    IMPORT.assert_cancel_writes_nothing(client_for("secretary"), mixed)


#
# Views
#


@pytest.mark.django_db
def test_upload_then_confirm_through_the_pages(world, client_for):
    client = client_for("secretary")

    batch, page = IMPORT.upload_through_the_page(client, world.tree.a1, MIXED_ROWS)

    assert "Phạm Thị Dung" in page.content.decode()
    assert len(page.context["table"]) == 6
    assert len(client.get(IMPORT.url("batch", batch.pk), {"outcome": "duplicate"}).context["table"]) == 2
    IMPORT.confirm_through_the_page(client, batch, skip_errors=False)
    assert not Member.objects.filter(party_card_no="01.100001").exists()
    IMPORT.confirm_through_the_page(client, batch, skip_errors=True)
    assert Member.objects.filter(party_card_no__in=["01.100001", "01.100002"]).count() == 2
    IMPORT.assert_applied_page(client, batch)


@pytest.mark.django_db
def test_upload_shows_a_file_error_on_the_form(world, client_for):
    IMPORT.assert_upload_shows_a_file_error(client_for("secretary"), world.tree.a1)


@pytest.mark.django_db
def test_secretary_of_another_cell_gets_404_everywhere(world, mixed, client_for):
    IMPORT.assert_hidden_everywhere(client_for("outsider"), world.tree.a1, mixed, MIXED_ROWS)


@pytest.mark.django_db
def test_batch_is_private_to_its_uploader_even_within_scope(world, mixed, client_for):
    # The grassroots committee may edit A1's members, but the secretary's batch is not theirs.
    IMPORT.assert_batch_hidden(client_for("grassroots"), mixed)


@pytest.mark.django_db
def test_batch_is_hidden_once_its_node_leaves_the_uploaders_scope(world, mixed, client_for):
    from cells import services as cell_services

    cell_services.role_revoke(assignment=world.assignments["secretary"], revoked_by=world.personas.admin)

    assert client_for("secretary").get(reverse("members:import_batch", args=[mixed.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("leader", 403), ("member", 404), ("secretary", 200), ("staff", 200)])
def test_upload_page_access(world, client_for, persona, status):
    assert client_for(persona).get(reverse("members:import", args=[world.tree.a1.pk])).status_code == status


@pytest.mark.django_db
def test_import_start_sends_the_user_to_their_node(world, client_for):
    response = client_for("secretary").get(reverse("members:import_start"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:import", args=[world.tree.a1.pk])
    assert client_for("leader").get(reverse("members:import_start")).status_code == 403


@pytest.mark.django_db
def test_template_has_the_headers_an_example_row_and_instructions(world, client_for):
    content, first = IMPORT.template(client_for("secretary"), world.tree.a1)

    assert len(first) == 2
    # Uploaded as it is, the example row is flagged rather than imported.
    batch = IMPORT.preview_file(world.personas.secretary, world.tree.a1, upload(content))
    assert outcomes(batch) == ["error"]
    assert batch.rows[0]["data"]["organization"] == "A1"


@pytest.mark.django_db
def test_rows_in_error_download_back_with_their_reasons(world, mixed, client_for):
    rows = IMPORT.errors_download(client_for("secretary"), mixed, world.personas.secretary, world.tree.a1)

    assert len(rows) == 1 + 3
    assert [r[0] for r in rows[1:]] == ["Vũ Văn Giang", "Đỗ Thị Hoa", "Đỗ Văn Hùng"]


#
# Queries
#


def _rows_for_a(count: int) -> list[list]:
    rows = []
    for i in range(count):
        card = "01.000002" if i == 0 else f"05.{i:06d}"
        name = "Trần Thị Bình" if i == 0 else f"Người Thứ {i}"
        rows.append(row(name, card=card, cell="A2" if i % 2 else "A1", born="01/01/1980"))
    return rows


@pytest.mark.django_db
def test_preview_makes_the_same_number_of_queries_for_10_and_200_rows(world):
    small, large, batch = IMPORT.preview_query_counts(world.personas.grassroots, world.tree.a, _rows_for_a)

    assert batch.summary["total"] == 200 and batch.summary["error"] == 0
    assert small == large <= 4


#
# Access matrix (the same shape as tests/test_permissions.py SPEC, for the import URLs)
#

L, R = LOGIN, REDIRECT
_node = partial(tree_node, key="org_pk")
_none = no_args


def _secretary_batch(world):
    batch = preview(world.personas.secretary, world.tree.a1, [row("Một"), row("Hai", born="01/01/2999")])
    return {"pk": batch.pk}


# fmt: off
IMPORT_SPEC = [
    # url name                 method  kwargs             anon admin staff leader grass secr member outs norole
    ("members:import_start",    "get",  _none,             L,   R,    R,    403,   R,    R,   403,   R,   403),
    ("members:import",          "get",  _node("a1"),       L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:import",          "get",  _node("b1"),       L,   200,  200,  403,   404,  404, 404,   200, 404),
    ("members:import",          "get",  _node("a"),        L,   200,  200,  403,   200,  404, 404,   404, 404),
    ("members:import_template", "get",  _none,             L,   200,  200,  403,   200,  200, 403,   200, 403),
    ("members:import_batch",    "get",  _secretary_batch,  L,   404,  404,  404,   404,  200, 404,   404, 404),
    ("members:import_errors",   "get",  _secretary_batch,  L,   404,  404,  404,   404,  200, 404,   404, 404),
    ("members:import_confirm",  "get",  _secretary_batch,  L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("members:import_confirm",  "post", _secretary_batch,  L,   404,  404,  404,   404,  R,   404,   404, 404),
    ("members:import_cancel",   "get",  _secretary_batch,  L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("members:import_cancel",   "post", _secretary_batch,  L,   404,  404,  404,   404,  R,   404,   404, 404),
]
# fmt: on


@pytest.mark.django_db
@matrix(IMPORT_SPEC)
def test_import_url_gives_expected_response_for_persona(world, client_for, case):
    # Only a confirm or cancel that succeeds may write.
    check_matrix_case(world, client_for, case, state=registry_state, unchanged=(*REFUSED, 200))


@pytest.mark.django_db
def test_import_start_offers_a_choice_when_the_user_has_several_nodes(world, client_for):
    from cells import services as cell_services

    cell_services.role_grant(
        user=world.personas.secretary, organization=world.tree.b2, role="SECRETARY", granted_by=world.personas.admin
    )

    response = client_for("secretary").get(reverse("members:import_start"))

    assert response.status_code == 200
    assert [node.code for node in response.context["choices"]] == ["A1", "B2"]


@pytest.mark.django_db
def test_rows_in_error_download_keeps_formula_like_text_as_text(world, client_for):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Họ và tên", "Ngày sinh"])
    sheet.append(["placeholder", "01/01/2999"])
    sheet["A2"].value = '=HYPERLINK("http://x")'
    sheet["A2"].data_type = "s"  # typed as text in the roster, not a formula
    content = io.BytesIO()
    workbook.save(content)
    batch = importing.import_preview(
        organization=world.tree.a1, uploaded_file=upload(content.getvalue()), user=world.personas.secretary
    )
    assert batch.rows[0]["data"]["full_name"] == '=HYPERLINK("http://x")'

    response = client_for("secretary").get(reverse("members:import_errors", args=[batch.pk]))

    cell = load_workbook(io.BytesIO(response.content)).worksheets[0]["A2"]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type != "f"


@pytest.mark.django_db
def test_row_that_agrees_with_the_record_is_not_written(world):
    bình = world.members.other
    stamp = Member.objects.get(pk=bình.pk).updated_at
    batch = preview(world.personas.secretary, world.tree.a1, [row("Trần Thị Bình", card="01.000002")])
    assert batch.rows[0]["outcome"] == "update" and batch.rows[0]["changes"] == []

    result = importing.import_confirm(member_import=batch, user=world.personas.secretary, skip_errors=False)

    assert result == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    assert Member.objects.get(pk=bình.pk).updated_at == stamp


@pytest.mark.django_db
def test_a_hidden_first_sheet_is_left_out_and_the_visible_sheet_is_read(world):
    """A person checks the sheet they see: rows on a hidden sheet (an old copy, a lookup list) are never imported."""
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "Cũ"
    hidden.append(HEADERS)
    hidden.append(row("Người Trong Sheet Ẩn", card="09.999999"))
    hidden.sheet_state = "hidden"
    shown = workbook.create_sheet("Danh sách")
    shown.append(HEADERS)
    shown.append(row("Người Hiện Ra"))
    output = io.BytesIO()
    workbook.save(output)

    batch = IMPORT.preview_file(world.personas.secretary, world.tree.a1, upload(output.getvalue()))

    assert [r["data"]["full_name"] for r in batch.rows] == ["Người Hiện Ra"]
