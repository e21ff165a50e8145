"""The evaluation dashboard runs the same number of queries whatever the size of the subtree."""

import datetime

import pytest
from django.urls import reverse

from tests.helpers import count_queries, december_dues, grow_tree, open_period

pytestmark = pytest.mark.django_db


def test_dashboard_query_count_does_not_grow_with_the_tree(world, client_for):
    root = world.tree.root
    year = datetime.date.today().year
    client = client_for("staff")

    # Last year's review covers the small tree, this year's the tree ten times larger: committees of 2 cells of 3.
    grow_tree(under=root, committees=2, cells=2, members=3, prefix="S")
    open_period(world, year=year - 1, by="admin", dues=december_dues(year - 1))
    small = count_queries(client, reverse("dashboard:index") + f"?year={year - 1}")
    grow_tree(under=root, committees=20, cells=2, members=3, prefix="L")
    open_period(world, year=year, by="admin", dues=december_dues(year))
    large = count_queries(client, reverse("dashboard:index") + f"?year={year}")
    print(f"dashboard:index as staff: {small} queries (small), {large} (10x)")
    assert large == small
    assert large <= 30
