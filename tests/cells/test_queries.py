"""N+1 guards: the number of queries on the tree, node and home pages does not grow with the tree.

Ceilings have a little headroom over today's counts (tree 9, node 17-22, home 12).

Each test measures a page on a small tree, grows the tree tenfold (nodes and members), measures again and
asserts the two counts are equal and under a ceiling.
"""

import pytest
from django.urls import reverse

from cells.models import Organization
from members.models import Member
from tests import helpers
from tests.helpers import count_queries

Kind = Organization.Kind

pytestmark = pytest.mark.django_db

SMALL, FACTOR = 2, 10  # grassroots committees in the small tree; the large tree has FACTOR times as many
CELLS_PER_COMMITTEE = 3
MEMBERS_PER_CELL = 4


def add_members(cell: Organization, count: int, prefix: str) -> None:
    """Probationary members: the cell's B19 warnings (which read by full members) stay the same."""
    helpers.bulk_members(
        Member(organization=cell, full_name=f"Trần Thị {prefix} {k}", status=Member.Status.PROBATIONARY)
        for k in range(count)
    )


# Where each persona's visible tree grows: staff and admin see everything under the root; the grassroots
# user sees A, where sub-committees (đảng bộ bộ phận) with cells can be added.
GROWTH = {
    "staff": ("root", Kind.GRASSROOTS_COMMITTEE),
    "admin": ("root", Kind.GRASSROOTS_COMMITTEE),
    "grassroots": ("a", Kind.SUB_COMMITTEE),
}


def grow(tree, persona: str, *, committees: int, prefix: str) -> list[Organization]:
    under, kind = GROWTH[persona]
    return helpers.grow_tree(
        under=getattr(tree, under),
        committees=committees,
        cells=CELLS_PER_COMMITTEE,
        members=MEMBERS_PER_CELL,
        statuses=(Member.Status.PROBATIONARY, Member.Status.FULL),
        prefix=prefix,
        kind=kind,
    )


@pytest.mark.parametrize(("persona", "ceiling"), [("staff", 15), ("grassroots", 15), ("admin", 15)])
def test_tree_page_query_count_does_not_grow_with_tree(tree, client_for, persona, ceiling):
    client = client_for(persona)
    url = reverse("cells:tree")
    grow(tree, persona, committees=SMALL, prefix="S")
    small = count_queries(client, url)

    grow(tree, persona, committees=SMALL * FACTOR - SMALL, prefix="L")
    assert len(client.get(url).context["rows"]) > SMALL * FACTOR * (1 + CELLS_PER_COMMITTEE)
    large = count_queries(client, url)

    print(f"cells:tree as {persona}: {small} queries (small tree), {large} (10x tree)")
    assert large == small
    assert large <= ceiling


@pytest.mark.parametrize("query", ["", "?q=chi+bo"])
def test_big_tree_page_query_count_does_not_grow_with_tree(tree, client_for, monkeypatch, query):
    monkeypatch.setattr("cells.views.TREE_FULL_LIMIT", 5)  # past this the tree shows its top levels, paged
    client = client_for("staff")
    url = reverse("cells:tree") + query
    grow(tree, "staff", committees=SMALL, prefix="S")
    small = count_queries(client, url)

    grow(tree, "staff", committees=SMALL * FACTOR - SMALL, prefix="L")
    assert client.get(url).context["big"]
    large = count_queries(client, url)

    assert large == small
    assert large <= 16


def test_tree_page_query_count_does_not_grow_with_search(tree, client_for):
    client = client_for("staff")
    url = reverse("cells:tree") + "?q=chi+bo"
    grow(tree, "staff", committees=SMALL, prefix="S")
    small = count_queries(client, url)

    grow(tree, "staff", committees=SMALL * FACTOR - SMALL, prefix="L")
    large = count_queries(client, url)

    assert large == small


def test_node_page_query_count_does_not_grow_with_children(tree, client_for):
    client = client_for("staff")
    url = reverse("cells:detail", args=[tree.root.pk])
    grow(tree, "staff", committees=SMALL, prefix="S")
    small = count_queries(client, url)

    grow(tree, "staff", committees=SMALL * FACTOR - SMALL, prefix="L")
    large = count_queries(client, url)

    print(f"cells:detail (root) as staff: {small} queries (small tree), {large} (10x tree)")
    assert large == small
    assert large <= 25


def test_cell_page_query_count_does_not_grow_with_members(tree, client_for):
    client = client_for("staff")
    # Probationary members (see add_members); fewer than one page (50), so every member is rendered.
    small_cell, large_cell = helpers.two_cells(
        under=tree.root, prefix="Q", members=(4, 40), status=Member.Status.PROBATIONARY
    )

    small = count_queries(client, reverse("cells:detail", args=[small_cell.pk]))
    large = count_queries(client, reverse("cells:detail", args=[large_cell.pk]))

    print(f"cells:detail (cell) as staff: {small} queries (4 members), {large} (40 members)")
    assert large == small
    assert large <= 25


@pytest.mark.parametrize("persona", ["staff", "admin", "grassroots"])
def test_home_page_query_count_does_not_grow_with_tree(tree, client_for, persona):
    client = client_for(persona)
    url = reverse("home")
    grow(tree, persona, committees=SMALL, prefix="S")
    small = count_queries(client, url)

    grow(tree, persona, committees=SMALL * FACTOR - SMALL, prefix="L")
    large = count_queries(client, url)

    print(f"home as {persona}: {small} queries (small tree), {large} (10x tree)")
    assert large == small
    assert large <= 30  # the dashboard: this month's and the year's meeting KPIs, the year's review


def test_home_page_query_count_does_not_grow_with_members_for_secretary(tree, client_for):
    client = client_for("secretary")
    url = reverse("home")
    small = count_queries(client, url)

    add_members(tree.a1, 30, "L")
    large = count_queries(client, url)

    print(f"home as secretary: {small} queries (3 members), {large} (33 members)")
    assert large == small
    assert large <= 20
