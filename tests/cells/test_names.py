"""Names with context (issue #15, item 5): two cells with the same name under different grassroots committees are
told apart wherever organisations are listed, by their parent's name (cells/names.py), without a query per row.

The case: "Chi bộ Văn phòng" under Đảng bộ A and another "Chi bộ Văn phòng" under Đảng bộ B, one full member each.
"""

import html
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from cells import services as cell_services
from cells.forms import MergeForm
from cells.models import Organization
from cells.names import OrganizationChoiceField, org_label, org_name_html, with_parent_name
from members import services as member_services
from members.models import Member
from reports import builders
from reports.models import Report
from reports.services import report_request
from tests import helpers
from tests.helpers import count_queries

Kind = Organization.Kind

pytestmark = pytest.mark.django_db

NAME = "Chi bộ Văn phòng"
IN_A = f"{NAME} (Đảng bộ A)"
IN_B = f"{NAME} (Đảng bộ B)"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


@pytest.fixture
def namesakes(world):
    admin = world.personas.admin
    cells = {}
    for committee, code in ((world.tree.a, "A-VP"), (world.tree.b, "B-VP")):
        cell = cell_services.organization_create(
            parent=committee, name=NAME, code=code, kind=Kind.CELL, created_by=admin
        )
        member_services.member_create(
            organization=cell, full_name=f"Phạm Văn {code}", status=Member.Status.FULL, created_by=admin
        )
        cells[code] = cell
    return SimpleNamespace(a=cells["A-VP"], b=cells["B-VP"])


def page_text(response) -> str:
    """The page's visible text on one line: tags dropped, entities decoded, runs of spaces made one."""
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    return " ".join(html.unescape(text).split())


def assert_both_named(text: str) -> None:
    assert f"{NAME} · Đảng bộ A" in text
    assert f"{NAME} · Đảng bộ B" in text


#
# The helper itself
#


def test_a_cell_is_named_with_its_parent_and_a_child_of_the_root_without_it(tree, namesakes):
    cell = Organization.objects.select_related("parent").get(pk=namesakes.a.pk)

    assert org_label(cell) == IN_A
    assert org_name_html(cell) == f'{NAME}<span class="org-parent text-muted small"> · Đảng bộ A</span>'
    # A grassroots organisation's parent is the bloc committee, the same for all of them: not repeated.
    assert org_label(tree.a) == "Đảng bộ A"
    assert org_label(tree.root) == tree.root.name
    # values() rows and dicts, as the lists and reports pass them.
    row = with_parent_name(Organization.objects.filter(pk=namesakes.b.pk)).values("name", "depth", "parent_name")[0]
    assert org_label(row) == IN_B


def test_the_parent_name_is_escaped(tree, world):
    parent = cell_services.organization_create(
        parent=tree.root,
        name="Đảng bộ <b>X</b>",
        code="X",
        kind=Kind.GRASSROOTS_COMMITTEE,
        created_by=world.personas.admin,
    )
    cell = cell_services.organization_create(
        parent=parent, name="Chi bộ & Co", code="X-1", kind=Kind.CELL, created_by=world.personas.admin
    )

    assert org_name_html(cell) == (
        'Chi bộ &amp; Co<span class="org-parent text-muted small"> · Đảng bộ &lt;b&gt;X&lt;/b&gt;</span>'
    )


def test_choice_options_name_each_organisation_in_context_in_one_query(tree, namesakes, django_assert_num_queries):
    field = OrganizationChoiceField(queryset=Organization.objects.filter(name=NAME).order_by("code"))

    with django_assert_num_queries(1):
        labels = [label for value, label in field.choices if value]

    assert labels == [IN_A, IN_B]


#
# Pages
#


def test_home_lists_the_small_cells_with_their_parents(namesakes, client_for):
    assert_both_named(page_text(client_for("staff").get(reverse("home"))))


def test_member_list_and_its_search_name_the_cell_in_context(namesakes, client_for):
    client = client_for("staff")

    assert_both_named(page_text(client.get(reverse("members:list"))))
    # An accent-free search finds both namesakes' members, each with the cell's parent.
    found = page_text(client.get(reverse("members:list") + "?q=pham van"))
    assert "Phạm Văn A-VP" in found
    assert_both_named(found)


def test_member_export_names_the_cell_in_context(namesakes, client_for):
    response = client_for("staff").get(reverse("members:export_xlsx"))

    cells = {row[4] for row in helpers.sheet_rows(response.content)[1:]}
    assert {IN_A, IN_B} <= cells


def test_review_flat_list_and_ratings_table_name_the_cells_in_context(world, namesakes, client_for):
    period = helpers.open_period(world, year=2025)
    client = client_for("staff")

    assert_both_named(page_text(client.get(reverse("evaluations:period", args=[period.pk]))))
    # The search of the flat list: both namesakes, still told apart.
    assert_both_named(page_text(client.get(reverse("evaluations:period", args=[period.pk]) + "?q=van phong")))
    # The ratings table of a grassroots organisation: a heading per cell, named in context.
    table = page_text(client.get(reverse("ratings:table", args=[period.pk, world.tree.a.pk])))
    assert f"{NAME} · Đảng bộ A" in table


def test_meeting_list_and_compliance_missing_list_name_the_cells_in_context(tree, namesakes, client_for):
    from meetings.models import Meeting

    Meeting.objects.bulk_create([helpers.meeting_row(namesakes.a, 2025, 3), helpers.meeting_row(namesakes.b, 2025, 3)])
    client = client_for("staff")

    assert_both_named(page_text(client.get(reverse("meetings:list") + f"?org={tree.root.pk}&year=2025")))
    # Both cells miss eleven months of 2025: the missing list names them in context.
    assert_both_named(page_text(client.get(reverse("meetings:compliance") + f"?org={tree.root.pk}&year=2025")))


def test_merge_form_offers_the_namesake_with_its_parent(tree, namesakes, client_for):
    response = client_for("admin").get(reverse("cells:merge", args=[namesakes.a.pk]))

    assert response.status_code == 200
    assert f">{IN_B}</option>" in response.content.decode()
    form = MergeForm(targets=Organization.objects.filter(kind=Kind.CELL))
    assert IN_A in [label for _value, label in form.fields["target"].choices]


def test_role_list_names_the_cells_in_context(tree, namesakes, world, client_for):
    for cell in (namesakes.a, namesakes.b):
        cell_services.role_grant(
            user=get_user_model().objects.create_user(username=f"bt-{cell.code}", password="Chibo-test-Pw-2025!"),
            organization=cell,
            role="SECRETARY",
            granted_by=world.personas.admin,
        )

    assert_both_named(page_text(client_for("staff").get(reverse("cells:roles", args=[tree.root.pk]))))


#
# Reports
#


def test_compliance_report_names_the_missing_cells_in_context(world, namesakes):
    report = report_request(
        user=world.personas.leader, organization=world.tree.root, kind=Report.Kind.COMPLIANCE, year=2025
    )

    built = builders.build_compliance(report=report, user=world.personas.leader, progress=lambda _pct: None)

    # The missing list (and nothing else) has the namesakes as first column; the heat-map rows are committees.
    assert {IN_A, IN_B} <= {row[0] for table in built.tables for row in table["rows"]}


def test_a_cell_report_names_its_cell_in_context_in_the_subtitle(world, namesakes):
    report = report_request(
        user=world.personas.staff, organization=namesakes.b, kind=Report.Kind.CELL_PROFILE, year=2025
    )

    built = builders.build_cell_profile(report=report, user=world.personas.staff, progress=lambda _pct: None)

    assert built.context["issuer"] == IN_B
    # The document header keeps the official form: the name alone, in capitals (HD 36), the body above on its own line.
    assert built.context["issuer_name"] == NAME.upper()


#
# Query counts: naming in context adds no query per row
#


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("home", ""),
        ("members:list", ""),
        ("meetings:list", "?year=2025"),
        ("meetings:compliance", "?year=2025"),
        ("evaluations:period", ""),
    ],
)
def test_naming_in_context_adds_no_query_per_row(world, tree, client_for, url_name, query):
    period = helpers.open_period(world, year=2025)
    client = client_for("staff")

    def url() -> str:
        args = [period.pk] if url_name == "evaluations:period" else []
        return reverse(url_name, args=args) + query

    def add(prefix: str, committees: int) -> None:
        cells = helpers.grow_tree(under=tree.root, committees=committees, cells=2, members=1, prefix=prefix)
        for cell in cells:
            cell.name = NAME  # every new cell a namesake
        Organization.objects.bulk_update(cells, ["name"])
        from evaluations.models import OrgEvaluation
        from meetings.models import Meeting

        Meeting.objects.bulk_create([helpers.meeting_row(cell, 2025, 3) for cell in cells])
        OrgEvaluation.objects.bulk_create([OrgEvaluation(period=period, organization=cell) for cell in cells])

    add("S", 1)
    small = count_queries(client, url())
    add("L", 5)
    large = count_queries(client, url())

    assert large == small
    text = page_text(client.get(url()))
    assert re.search(f"{NAME} · Đảng bộ [SL]\\d", text)
