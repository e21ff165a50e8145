"""The evaluation dashboard runs the same number of queries whatever the size of the subtree."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cells import services as cell_services
from cells.models import Organization
from evaluations.review.services import period_open
from members.models import Member

pytestmark = pytest.mark.django_db


def grow(root, *, committees: int, prefix: str, actor) -> None:
    for index in range(committees):
        committee = cell_services.organization_create(
            parent=root,
            name=f"Đảng bộ {prefix}{index}",
            code=f"{prefix}{index}",
            kind=Organization.Kind.GRASSROOTS_COMMITTEE,
            created_by=actor,
        )
        for number in range(2):
            cell = cell_services.organization_create(
                parent=committee,
                name=f"Chi bộ {prefix}{index}-{number}",
                code=f"{prefix}{index}-{number}",
                kind=Organization.Kind.CELL,
                created_by=actor,
            )
            members = [
                Member(organization=cell, full_name=f"Nguyễn Văn {prefix}{index}{number}{m}", status=Member.Status.FULL)
                for m in range(3)
            ]
            for member in members:
                member.refresh_derived()
            Member.objects.bulk_create(members)


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_tree(world, client_for):
    root, admin = world.tree.root, world.personas.admin
    year = datetime.date.today().year
    client = client_for("staff")

    def open_year(y):
        period_open(
            root=root,
            year=y,
            self_assessment_due=datetime.date(y, 12, 1),
            appraisal_due=datetime.date(y, 12, 10),
            decision_due=datetime.date(y, 12, 20),
            opened_by=admin,
        )

    # Last year's review covers the small tree, this year's the tree ten times larger.
    grow(root, committees=2, prefix="S", actor=admin)
    open_year(year - 1)
    small = count(client, reverse("dashboard:index") + f"?year={year - 1}")
    grow(root, committees=20, prefix="L", actor=admin)
    open_year(year)
    large = count(client, reverse("dashboard:index") + f"?year={year}")
    print(f"dashboard:index as staff: {small} queries (small), {large} (10x)")
    assert large == small
    assert large <= 30
