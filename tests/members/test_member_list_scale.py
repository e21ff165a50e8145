"""The member list at the size of a merged province (issue #16): it never counts every match of a common name.

Filtered by node and status only, its figures come from the kept counts (members.counts); with a search or another
filter, the matches are counted only up to a bound ("More than 10,000 members", like the admin's
show_full_result_count=False), and the query count stays the same on both sides of the bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import selectors
from members.models import Member
from tests import helpers

Status = Member.Status


def _page(client, params):
    client.get(reverse("members:list"), params)  # warm up per-process caches outside the measurement
    queries, response = _counted(client, params)
    assert response.status_code == 200
    return queries, response


def _counted(client, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("members:list"), params)
    return len(captured.captured_queries), response


def _add(world, count, name):
    helpers.bulk_members(
        Member(organization=world.tree.b2, full_name=f"{name} {i}", status=Status.FULL) for i in range(count)
    )


@pytest.mark.django_db
def test_member_list_says_more_than_the_bound_instead_of_counting_every_match(world, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_BOUND", 5)
    _add(world, 8, "Lý Văn Tám")
    client = client_for("staff")

    queries, response = _page(client, {"q": "ly van tam"})

    assert response.context["total_exact"] is False
    assert response.context["total"] == 5
    assert response.context["counts"] == []  # no breakdown of an uncounted total
    assert len(response.context["page"].object_list) == 5  # pages reach the bound (200 pages of 50 at 10,000)
    assert "Hơn 5 đảng viên" in response.content.decode()

    few_queries, few = _page(client, {"q": "ly van tam 3"})
    assert few.context["total_exact"] is True and few.context["total"] == 1
    assert queries <= few_queries  # beyond the bound: no more queries (the breakdown query is skipped)


@pytest.mark.django_db
def test_member_list_query_count_is_the_same_below_and_beyond_the_bound(world, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_BOUND", 20)
    client = client_for("staff")
    params = {"q": "nguyen", "status": [Status.FULL]}
    _add(world, 5, "Nguyễn Hữu Năm")
    below, response = _page(client, params)
    assert response.context["total_exact"] is True

    _add(world, 40, "Nguyễn Hữu Bốn Mươi")
    beyond, response = _page(client, params)

    assert response.context["total_exact"] is False
    assert beyond <= below


@pytest.mark.django_db
def test_member_list_by_node_and_status_counts_from_the_kept_counts(world, client_for, monkeypatch):
    """Exact at any size without counting member rows: the bound does not apply, the figures equal the rows."""
    monkeypatch.setattr(selectors, "COUNT_BOUND", 2)
    _add(world, 6, "Lê Văn Sáu")
    client = client_for("staff")

    _queries, response = _page(client, {"org": world.tree.b.pk, "status": [Status.FULL]})

    expected = Member.objects.filter(organization__path__startswith=world.tree.b.path, status=Status.FULL).count()
    assert response.context["total_exact"] is True
    assert response.context["total"] == expected == 6  # more than the bound, counted exactly
    assert dict(response.context["counts"]) == {Status.FULL.label: expected}
