"""The spreadsheet import of past results: file checks, row outcomes, confirm/cancel, the list, access and query
counts.

Uses the tree and personas of tests/conftest.py: the staff persona (STAFF at the root) imports for Đảng bộ A, whose
cell A1 has An (01.000001), Bình (01.000002) and Cường (01.000003); the outsider is secretary of B1.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cells.models import AuditEntry
from criteria.models import RuleParameterSet
from evaluations.models import EvaluationPeriod, Grade, HistoricalRating, OrgEvaluation, PastResultImport
from evaluations.past_results import importing as past_import
from members import services as member_services
from members.models import Member
from tests import helpers

HEADERS = ["Năm", "Loại", "Mã tổ chức", "Số thẻ đảng viên", "Họ và tên", "Xếp loại", "Ghi chú"]


def org_row(year, code, grade, *, card="", name="", notes=""):
    return [year, "Tổ chức", code, card, name, grade, notes]


def member_row(year, grade, *, card="", name="", code="", notes=""):
    return [year, "Đảng viên", code, card, name, grade, notes]


def xlsx(rows, headers=HEADERS, above=()) -> bytes:
    """An .xlsx file of result rows (tests/helpers.py), under the template's header row unless told otherwise."""
    return helpers.xlsx(rows, headers, above)


def ratings_state():
    return (
        list(
            HistoricalRating.objects.order_by("pk").values_list(
                "pk", "organization_id", "member_id", "year", "grade", "source", "imported_at"
            )
        ),
        AuditEntry.objects.filter(action="evaluations.past_import.applied").count(),
    )


IMPORT = helpers.ImportFlow(
    service=past_import,
    batch_model=PastResultImport,
    batch_arg="past_import",
    url_names={
        "page": "pastresults:import",
        "batch": "pastresults:batch",
        "errors": "pastresults:errors",
        "confirm": "pastresults:confirm",
        "cancel": "pastresults:cancel",
        "template": "pastresults:template",
    },
    file_name="ket-qua-2020-2024.xlsx",
    headers=HEADERS,
    state=ratings_state,
)
upload, preview, outcomes = IMPORT.upload, IMPORT.preview, helpers.outcomes


def rate(*, year, grade, organization=None, member=None, source="sổ 2022"):
    return HistoricalRating.objects.create(
        organization=organization, member=member, year=year, grade=grade, source=source
    )


def decide(organization, year, grade=Grade.GOOD):
    """An organisation's result decided in chibo's own yearly review."""
    parameter_set = RuleParameterSet.objects.create(name=f"Bộ {year}", valid_from=datetime.date(year, 1, 1), values={})
    period = EvaluationPeriod.objects.create(
        year=year,
        root=organization,
        parameter_set=parameter_set,
        self_assessment_due=datetime.date(year, 12, 1),
        appraisal_due=datetime.date(year, 12, 10),
        decision_due=datetime.date(year, 12, 20),
    )
    return OrgEvaluation.objects.create(
        period=period, organization=organization, status=OrgEvaluation.Status.DECIDED, final_grade=grade
    )


MIXED_ROWS = [
    # line 2: new organisation result
    org_row(2023, "A1", "HTXSNV"),
    # line 3: new member result by card number; the name matches without accents
    member_row(2023, "Hoàn thành tốt nhiệm vụ", card="01.000001", name="NGUYEN VAN AN"),
    # line 4: update of Bình's 2022 result, found by name within her cell
    member_row(2022, "htnv", name="trần thị bình", code="a1"),
    # line 5: unchanged: A2's 2021 result is already HTTNV
    org_row(2021, "A2", "HTTNV"),
    # line 6: error, a grade that does not exist
    org_row(2024, "A", "Xuất sắc"),
    # lines 7 and 8: the same result twice
    org_row(2022, "A1", "HTTNV"),
    org_row(2022, "a1", "HTNV"),
]


@pytest.fixture
def recorded(world):
    """Results already recorded before the file: Bình 2022 HTTNV, A2 2021 HTTNV."""
    return {
        "binh_2022": rate(year=2022, grade=Grade.GOOD, member=world.members.other),
        "a2_2021": rate(year=2021, grade=Grade.GOOD, organization=world.tree.a2),
    }


@pytest.fixture
def mixed(world, recorded):
    return preview(world.personas.staff, world.tree.a, MIXED_ROWS)


#
# Preview
#


@pytest.mark.django_db
def test_preview_of_mixed_file_gives_each_row_its_outcome_and_writes_nothing(world, recorded):
    before = ratings_state()

    batch = preview(world.personas.staff, world.tree.a, MIXED_ROWS)

    assert outcomes(batch) == ["new", "new", "update", "unchanged", "error", "duplicate", "duplicate"]
    assert [r["line"] for r in batch.rows] == [2, 3, 4, 5, 6, 7, 8]
    summary = batch.summary
    assert (summary["total"], summary["new"], summary["update"], summary["unchanged"]) == (7, 2, 1, 1)
    assert (summary["error"], summary["duplicate"]) == (1, 2)
    assert batch.state == PastResultImport.State.PREVIEW
    # Normalised values: grade codes, the words of the file format, upper-case codes.
    assert batch.rows[1]["data"]["grade"] == "HTTNV"
    assert batch.rows[2]["data"] == {
        "year": "2022",
        "kind": "Đảng viên",
        "organization": "A1",
        "full_name": "trần thị bình",
        "grade": "HTNV",
    }
    # Who each row rates, as recorded; the grade an update replaces.
    assert batch.rows[0]["ref"] == ["org", world.tree.a1.pk]
    assert batch.rows[2]["ref"] == ["member", world.members.other.pk]
    assert batch.rows[2]["subject"] == "Trần Thị Bình — Chi bộ A1"
    assert batch.rows[2]["previous"] == "HTTNV"
    assert set(batch.rows[4]["errors"]) == {"grade"}
    assert "7, 8" in batch.rows[5]["errors"]["organization"] == batch.rows[6]["errors"]["organization"]
    assert ratings_state() == before
    assert PastResultImport.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spelling",
    [
        "HTXSNV",
        "htxsnv",
        "HTXS-NV",
        "Hoàn thành xuất sắc nhiệm vụ",
        "HOAN THANH XUAT SAC NHIEM VU",
        " hoàn thành  xuất sắc nhiệm vụ ",
    ],
)
def test_grade_is_read_from_its_code_or_its_full_name_without_accents_or_case(world, spelling):
    batch = preview(world.personas.staff, world.tree.a, [org_row(2023, "A1", spelling)])

    assert outcomes(batch) == ["new"]
    assert batch.rows[0]["data"]["grade"] == "HTXSNV"


@pytest.mark.django_db
def test_every_full_grade_name_is_read_as_its_code(world):
    rows = [org_row(2020 + index, "A1", word) for index, word in enumerate(past_import.GRADE_WORDS.values())]

    batch = preview(world.personas.staff, world.tree.a, rows)

    assert [r["data"]["grade"] for r in batch.rows] == ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]


@pytest.mark.django_db
def test_the_same_member_by_card_and_by_name_in_one_year_is_a_duplicate(world):
    batch = preview(
        world.personas.staff,
        world.tree.a,
        [
            member_row(2023, "HTTNV", card="01.000002"),
            member_row(2023, "HTNV", name="Trần Thị Bình", code="A1"),
            member_row(2022, "HTNV", name="Trần Thị Bình", code="A1"),
        ],
    )

    assert outcomes(batch) == ["duplicate", "duplicate", "new"]
    assert "2, 3" in batch.rows[0]["errors"]["party_card_no"]
    assert "2, 3" in batch.rows[1]["errors"]["full_name"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "column"),
    [
        (org_row(2999, "A1", "HTTNV"), "year"),
        (org_row("current", "A1", "HTTNV"), "year"),
        (org_row(1999, "A1", "HTTNV"), "year"),
        (org_row("20a1", "A1", "HTTNV"), "year"),
        (org_row(datetime.datetime(2021, 1, 1), "A1", "HTTNV"), "year"),
        (org_row("", "A1", "HTTNV"), "year"),
        (org_row(2023, "A1", "Xuất sắc"), "grade"),
        (org_row(2023, "A1", "Không xếp loại"), "grade"),
        (org_row(2023, "A1", ""), "grade"),
        (["2023", "Chi bộ", "A1", "", "", "HTTNV", ""], "kind"),
        (["2023", "", "A1", "", "", "HTTNV", ""], "kind"),
        (org_row(2023, "", "HTTNV"), "organization"),
        (org_row(2023, "ZZZ", "HTTNV"), "organization"),
        (org_row(2023, "A1", "HTTNV", card="01.000001"), "party_card_no"),
        (org_row(2023, "A1", "HTTNV", name="Nguyễn Văn An"), "full_name"),
        (member_row(2023, "HTTNV"), "full_name"),
        (member_row(2023, "HTTNV", name="Trần Thị Bình"), "organization"),
        (member_row(2023, "HTTNV", card="09.999999"), "party_card_no"),
        (member_row(2023, "HTTNV", card="12 34#5"), "party_card_no"),
        (member_row(2023, "HTTNV", card="01.000002", name="Người Khác"), "full_name"),
        (member_row(2023, "HTTNV", card="01.000002", code="A2"), "organization"),
        (member_row(2023, "HTTNV", name="Người Không Có", code="A1"), "full_name"),
        (member_row(2023, "HTTNV", name="Trần Thị Bình", code="A"), "organization"),
        (org_row(2023, "A1", "HTTNV", notes="x" * 501), "notes"),
    ],
)
def test_invalid_cell_is_an_error_on_its_column(world, values, column):
    if values[0] == "current":
        values = [timezone.localdate().year, *values[1:]]

    batch = preview(world.personas.staff, world.tree.a, [org_row(2023, "A2", "HTTNV"), values])

    assert outcomes(batch) == ["new", "error"]
    assert column in batch.rows[1]["errors"]


@pytest.mark.django_db
def test_future_year_is_refused_with_the_range_of_years(world):
    next_year = timezone.localdate().year + 1

    batch = preview(world.personas.staff, world.tree.a, [org_row(next_year, "A1", "HTTNV")])

    assert outcomes(batch) == ["error"]
    assert str(past_import.last_year()) in batch.rows[0]["errors"]["year"]


@pytest.mark.django_db
def test_name_shared_by_two_members_of_the_cell_is_an_error(world):
    member_services.member_create(
        organization=world.tree.a1,
        full_name="Trần Thị Bình",
        status=Member.Status.FULL,
        created_by=world.personas.admin,
    )

    batch = preview(world.personas.staff, world.tree.a, [member_row(2023, "HTTNV", name="Tran Thi Binh", code="A1")])

    assert outcomes(batch) == ["error"]
    assert "2" in batch.rows[0]["errors"]["full_name"]


@pytest.mark.django_db
def test_result_before_admission_or_outside_the_organisation_lifetime_is_an_error(world):
    Member.objects.filter(pk=world.members.own.pk).update(admitted_on=datetime.date(2022, 6, 1))
    type(world.tree.a2).objects.filter(pk=world.tree.a2.pk).update(founded_on=datetime.date(2021, 3, 1))

    batch = preview(
        world.personas.staff,
        world.tree.a,
        [
            member_row(2021, "HTTNV", card="01.000001"),
            member_row(2022, "HTTNV", card="01.000001"),
            org_row(2020, "A2", "HTTNV"),
            org_row(2021, "A2", "HTTNV"),
        ],
    )

    assert outcomes(batch) == ["error", "new", "error", "new"]
    assert "2022" in batch.rows[0]["errors"]["year"]
    assert "2021" in batch.rows[2]["errors"]["year"]


@pytest.mark.django_db
def test_code_or_card_outside_the_target_node_is_an_error_that_reveals_nobody(world, stranger, client_for):
    batch = preview(
        world.personas.staff,
        world.tree.a,
        [
            member_row(2023, "HTTNV", card="02.000001", name="Ngô Văn Bí Mật"),
            member_row(2023, "HTTNV", name="Ngô Văn Bí Mật", code="B1"),
            org_row(2023, "B1", "HTTNV"),
        ],
    )

    assert outcomes(batch) == ["error", "error", "error"]
    for row, column in zip(batch.rows, ["party_card_no", "organization", "organization"], strict=True):
        message = row["errors"][column]
        assert world.tree.b1.name not in message and "Bí Mật" not in message.replace(
            row["data"].get("full_name", ""), ""
        )
        assert row["subject"] == "" and row["ref"] is None
    # The same message as for a card number nobody holds.
    unknown = preview(world.personas.staff, world.tree.a, [member_row(2023, "HTTNV", card="09.000009")])
    assert batch.rows[0]["errors"]["party_card_no"] == unknown.rows[0]["errors"]["party_card_no"]
    page = client_for("staff").get(reverse("pastresults:batch", args=[batch.pk]))
    assert page.status_code == 200
    assert world.tree.b1.name not in page.content.decode()
    assert not HistoricalRating.objects.filter(member=stranger).exists()


@pytest.mark.django_db
def test_result_decided_in_chibo_wins_over_the_file(world):
    decide(world.tree.a1, 2024)

    batch = preview(world.personas.staff, world.tree.a, [org_row(2024, "A1", "HTXSNV"), org_row(2023, "A1", "HTXSNV")])

    assert outcomes(batch) == ["error", "new"]
    assert "2024" in batch.rows[0]["errors"]["year"]


@pytest.mark.django_db
def test_headers_match_without_accents_or_case_and_below_a_title(world):
    headers = ["STT", "NAM", "loai", "ma to chuc", "XEP LOAI", "Cột lạ"]

    batch = preview(
        world.personas.staff,
        world.tree.a,
        [[1, 2023.0, "to chuc", "a1", "httnv", "bỏ qua"], [2, None, None, None, None, None]],
        headers=headers,
        above=[["KẾT QUẢ XẾP LOẠI 2020-2024"], []],
    )

    helpers.assert_one_row_below_a_title(
        batch,
        {"year": "2023", "kind": "Tổ chức", "organization": "A1", "grade": "HTTNV"},
        ["year", "kind", "organization", "grade"],
    )


#
# File-level problems
#


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"Nam;Loai;Xep loai\n2023;To chuc;HTTNV\n", "ket-qua.xlsx", "invalid_file"),
        (b"PK\x03\x04 this is not really a zip archive", "ket-qua.xlsx", "invalid_file"),
        (b"", "ket-qua.xlsx", "invalid_file"),
        (xlsx([org_row(2023, "A1", "HTTNV")]), "ket-qua.xls", "invalid_file"),
        (xlsx([org_row(2023, "A1", "HTTNV")]), "ket-qua.csv", "invalid_file"),
        (xlsx([], headers=None), "ket-qua.xlsx", "empty"),
        (xlsx([]), "ket-qua.xlsx", "empty"),
        (xlsx([["2023", "A1"]], headers=["Năm", "Mã tổ chức"]), "ket-qua.xlsx", "no_header"),
        (xlsx([["Tổ chức", "A1", "HTTNV"]], headers=["Loại", "Mã tổ chức", "Xếp loại"]), "ket-qua.xlsx", "no_header"),
        (
            xlsx([[2023, 2023, "Tổ chức", "HTTNV"]], headers=["Năm", "Nam", "Loại", "Xếp loại"]),
            "ket-qua.xlsx",
            "duplicate_column",
        ),
    ],
    ids=[
        "csv-renamed",
        "fake-zip",
        "zero-bytes",
        "xls-name",
        "csv-name",
        "empty-sheet",
        "header-only",
        "no-grade-column",
        "no-year-column",
        "twice",
    ],
)
def test_unreadable_file_is_refused_with_a_message_and_writes_nothing(world, content, name, code):
    IMPORT.refused(code, IMPORT.preview_file, world.personas.staff, world.tree.a, upload(content, name))


@pytest.mark.django_db
def test_file_with_more_rows_than_the_limit_is_refused(world, settings):
    settings.PAST_RESULT_IMPORT_MAX_ROWS = 5
    rows = [org_row(2020 + i, "A1", "HTTNV") for i in range(6)]

    error = IMPORT.refused("too_many_rows", preview, world.personas.staff, world.tree.a, rows)

    assert "5" in error.messages[0]
    assert preview(world.personas.staff, world.tree.a, rows[:5]).summary["total"] == 5


@pytest.mark.django_db
def test_file_larger_than_the_limit_is_refused_before_it_is_read(world, settings):
    settings.PAST_RESULT_IMPORT_MAX_BYTES = 1000

    IMPORT.refused("too_large", preview, world.personas.staff, world.tree.a, [org_row(2023, "A1", "HTTNV")])


@pytest.mark.django_db
def test_preview_is_refused_without_decide_on_the_node(world):
    with pytest.raises(ValidationError):
        preview(world.personas.grassroots, world.tree.a, [org_row(2023, "A1", "HTTNV")])

    assert PastResultImport.objects.count() == 0


#
# Confirm and cancel
#


@pytest.mark.django_db
def test_confirm_without_skipping_errors_is_refused_and_writes_nothing(world, mixed):
    IMPORT.confirm_refused(mixed, world.personas.staff, skip_errors=False)


@pytest.mark.django_db
def test_confirm_skipping_errors_writes_exactly_the_valid_rows(world, recorded, mixed):
    unchanged_stamp = recorded["a2_2021"].imported_at

    result = past_import.import_confirm(past_import=mixed, user=world.personas.staff, skip_errors=True)

    assert result == {"created": 2, "updated": 1, "unchanged": 1, "skipped": 3}
    assert HistoricalRating.objects.count() == 4
    a1 = HistoricalRating.objects.get(organization=world.tree.a1)
    assert (a1.year, a1.grade, a1.source, a1.imported_by) == (2023, "HTXSNV", mixed.file_name, world.personas.staff)
    an = HistoricalRating.objects.get(member=world.members.own)
    assert (an.year, an.grade) == (2023, "HTTNV")
    binh = HistoricalRating.objects.get(pk=recorded["binh_2022"].pk)
    assert (binh.grade, binh.source, binh.imported_by) == ("HTNV", mixed.file_name, world.personas.staff)
    a2 = HistoricalRating.objects.get(pk=recorded["a2_2021"].pk)
    assert (a2.grade, a2.source, a2.imported_at) == ("HTTNV", "sổ 2022", unchanged_stamp)
    assert not HistoricalRating.objects.filter(organization=world.tree.a).exists()
    assert not HistoricalRating.objects.filter(organization=world.tree.a1, year=2022).exists()
    mixed.refresh_from_db()
    assert mixed.state == PastResultImport.State.APPLIED and mixed.applied_at
    # The batch keeps the grade the update replaced.
    assert mixed.rows[2]["previous"] == "HTTNV"
    entry = AuditEntry.objects.get(action="evaluations.past_import.applied")
    assert entry.data == result and entry.organization_id == world.tree.a.pk and entry.target_id == mixed.pk


@pytest.mark.django_db
def test_confirm_refuses_a_result_recorded_after_the_preview(world):
    batch = preview(world.personas.staff, world.tree.a, [org_row(2023, "A1", "HTTNV"), org_row(2023, "A2", "HTTNV")])
    rate(year=2023, grade=Grade.EXCELLENT, organization=world.tree.a1)

    error = IMPORT.confirm_refused(batch, world.personas.staff, skip_errors=True)

    assert "2" in error.messages[0]


@pytest.mark.django_db
def test_confirm_refuses_a_result_decided_in_chibo_after_the_preview(world):
    batch = preview(world.personas.staff, world.tree.a, [org_row(2024, "A1", "HTTNV")])
    decide(world.tree.a1, 2024)

    with pytest.raises(ValidationError):
        past_import.import_confirm(past_import=batch, user=world.personas.staff, skip_errors=True)

    assert not HistoricalRating.objects.exists()


@pytest.mark.django_db
def test_batch_cannot_be_confirmed_twice(world):
    batch = preview(world.personas.staff, world.tree.a, [org_row(2023, "A1", "HTTNV")])
    past_import.import_confirm(past_import=batch, user=world.personas.staff, skip_errors=False)

    with pytest.raises(ValidationError):
        past_import.import_confirm(past_import=batch, user=world.personas.staff, skip_errors=False)

    assert HistoricalRating.objects.count() == 1


@pytest.mark.django_db
def test_batch_with_only_unchanged_rows_has_nothing_to_record(world, recorded):
    batch = preview(world.personas.staff, world.tree.a, [org_row(2021, "A2", "Hoàn thành tốt nhiệm vụ")])
    assert outcomes(batch) == ["unchanged"]

    IMPORT.confirm_refused(batch, world.personas.staff, skip_errors=False)


@pytest.mark.django_db
def test_cancel_writes_nothing(world, mixed, client_for):
    IMPORT.assert_cancel_writes_nothing(client_for("staff"), mixed)


#
# Pages
#


@pytest.mark.django_db
def test_upload_then_confirm_through_the_pages(world, recorded, client_for):
    client = client_for("staff")

    batch, page = IMPORT.upload_through_the_page(client, world.tree.a, MIXED_ROWS)

    assert "Trần Thị Bình — Chi bộ A1" in page.content.decode()
    assert len(page.context["table"]) == 7
    assert page.context["to_write"] == 3
    assert len(client.get(IMPORT.url("batch", batch.pk), {"outcome": "duplicate"}).context["table"]) == 2
    IMPORT.confirm_through_the_page(client, batch, skip_errors=False)
    assert HistoricalRating.objects.count() == 2
    applied = IMPORT.confirm_through_the_page(client, batch, skip_errors=True)
    assert applied["Location"] == f"{reverse('pastresults:index')}?org={world.tree.a.pk}"
    assert HistoricalRating.objects.count() == 4
    IMPORT.assert_applied_page(client, batch)


@pytest.mark.django_db
def test_upload_shows_a_file_error_on_the_form(world, client_for):
    IMPORT.assert_upload_shows_a_file_error(client_for("staff"), world.tree.a)


@pytest.mark.django_db
def test_grassroots_committee_may_not_import_past_results(world, client_for):
    client = client_for("grassroots")
    url = reverse("pastresults:import", args=[world.tree.a.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload(xlsx([org_row(2023, "A1", "HTTNV")]))}).status_code == 403
    assert client.get(reverse("pastresults:template")).status_code == 403
    assert PastResultImport.objects.count() == 0


@pytest.mark.django_db
def test_outsider_gets_404_everywhere(world, mixed, client_for):
    client = client_for("outsider")

    IMPORT.assert_hidden_everywhere(client, world.tree.a, mixed, MIXED_ROWS)
    assert client.get(reverse("pastresults:index"), {"org": world.tree.a.pk}).status_code == 404


@pytest.mark.django_db
def test_batch_is_private_to_its_uploader(world, mixed, client_for):
    IMPORT.assert_batch_hidden(client_for("admin"), mixed)


@pytest.mark.django_db
def test_list_shows_the_past_results_in_the_users_scope_with_filters(world, recorded, client_for):
    rate(year=2023, grade=Grade.EXCELLENT, organization=world.tree.b1)
    rate(year=2023, grade=Grade.GOOD, organization=world.tree.a1)
    url = reverse("pastresults:index")

    def shown(persona, **params):
        response = client_for(persona).get(url, params)
        assert response.status_code == 200
        return sorted(
            (r.year, r.organization.code if r.organization else r.member.party_card_no)
            for r in response.context["page"]
        )

    assert shown("staff") == [(2021, "A2"), (2022, "01.000002"), (2023, "A1"), (2023, "B1")]
    assert shown("grassroots") == [(2021, "A2"), (2022, "01.000002"), (2023, "A1")]
    assert shown("secretary") == [(2022, "01.000002"), (2023, "A1")]
    assert shown("outsider") == [(2023, "B1")]
    assert shown("staff", year=2023) == [(2023, "A1"), (2023, "B1")]
    assert shown("staff", kind="member") == [(2022, "01.000002")]
    assert shown("staff", kind="org", org=world.tree.a.pk) == [(2021, "A2"), (2023, "A1")]
    assert client_for("member").get(url).status_code == 403


@pytest.mark.django_db
def test_list_offers_the_import_only_where_the_user_may_decide(world, client_for):
    url = reverse("pastresults:index")

    assert [node.pk for node in client_for("staff").get(url).context["import_targets"]] == [world.tree.root.pk]
    assert [node.pk for node in client_for("staff").get(url, {"org": world.tree.a.pk}).context["import_targets"]] == [
        world.tree.a.pk
    ]
    assert client_for("grassroots").get(url).context["import_targets"] == []


@pytest.mark.django_db
def test_template_has_the_headers_example_rows_and_instructions(world, client_for):
    content, first = IMPORT.template(client_for("staff"), world.tree.a1)

    assert len(first) == 3
    # Uploaded as it is, the example rows are flagged rather than imported.
    batch = IMPORT.preview_file(world.personas.staff, world.tree.a1, upload(content))
    assert outcomes(batch) == ["error", "error"]
    assert all("notes" in row["errors"] for row in batch.rows)
    assert batch.rows[0]["data"]["organization"] == "A1"


@pytest.mark.django_db
def test_rows_in_error_download_back_with_their_reasons(world, mixed, client_for):
    rows = IMPORT.errors_download(client_for("staff"), mixed, world.personas.staff, world.tree.a)

    assert len(rows) == 1 + 3
    assert [r[2] for r in rows[1:]] == ["A", "A1", "A1"]


#
# Queries
#


def _rows_for_root(count: int) -> list[list]:
    """Organisation rows, member rows by card and member rows by name, over the years since 2000."""
    subjects = [
        lambda year: org_row(year, "DUK", "HTTNV"),
        lambda year: org_row(year, "A", "HTXSNV"),
        lambda year: org_row(year, "A1", "HTNV"),
        lambda year: org_row(year, "A2", "HTTNV"),
        lambda year: org_row(year, "B", "HTTNV"),
        lambda year: org_row(year, "B1", "KHTNV"),
        lambda year: member_row(year, "HTTNV", card="01.000001"),
        lambda year: member_row(year, "HTXSNV", name="Trần Thị Bình", code="A1"),
        lambda year: member_row(year, "HTNV", card="01.000003", name="Lê Văn Cường"),
    ]
    rows = []
    for year in range(2000, 2025):
        rows.extend(subject(year) for subject in subjects)
    return rows[:count]


@pytest.mark.django_db
def test_preview_makes_the_same_number_of_queries_for_10_and_200_rows(world, recorded):
    decide(world.tree.a1, 2024)

    small, large, batch = IMPORT.preview_query_counts(world.personas.staff, world.tree.root, _rows_for_root)

    assert batch.summary["total"] == 200 and batch.summary["error"] == 0
    assert (batch.summary["new"], batch.summary["unchanged"]) == (199, 1)
    assert small == large <= 8


#
# Access matrix (the same shape as tests/test_permissions.py SPEC, for the past result URLs)
#

L, R = helpers.LOGIN, helpers.REDIRECT
_none = helpers.no_args


def _node(name):
    return helpers.tree_node(name, "org_pk")


def _staff_batch(world):
    batch = preview(world.personas.staff, world.tree.a, [org_row(2023, "A1", "HTTNV"), org_row(2999, "A2", "HTTNV")])
    return {"pk": batch.pk}


# fmt: off
IMPORT_SPEC = [
    # url name                method  kwargs         anon admin staff leader grass secr member outs norole
    ("pastresults:index",    "get",  _none,         L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("pastresults:import",   "get",  _node("a"),    L,   200,  200,  403,   403,  404, 404,   404, 404),
    ("pastresults:import",   "get",  _node("a1"),   L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("pastresults:import",   "get",  _node("b1"),   L,   200,  200,  403,   404,  404, 404,   403, 404),
    ("pastresults:template", "get",  _none,         L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("pastresults:batch",    "get",  _staff_batch,  L,   404,  200,  404,   404,  404, 404,   404, 404),
    ("pastresults:errors",   "get",  _staff_batch,  L,   404,  200,  404,   404,  404, 404,   404, 404),
    ("pastresults:confirm",  "get",  _staff_batch,  L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("pastresults:confirm",  "post", _staff_batch,  L,   404,  R,    404,   404,  404, 404,   404, 404),
    ("pastresults:cancel",   "get",  _staff_batch,  L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("pastresults:cancel",   "post", _staff_batch,  L,   404,  R,    404,   404,  404, 404,   404, 404),
]
# fmt: on


@pytest.mark.django_db
@helpers.matrix(IMPORT_SPEC)
def test_past_result_url_gives_expected_response_for_persona(world, client_for, case):
    # Only a confirm or cancel that succeeds may write.
    helpers.check_matrix_case(world, client_for, case, state=ratings_state, unchanged=(*helpers.REFUSED, 200))
