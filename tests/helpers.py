"""Helpers shared by several test modules (fixtures live in tests/conftest.py).

- Spreadsheets: `xlsx` builds an .xlsx file in memory; `outcomes` reads the row outcomes of an import preview.
- URL × persona matrices: `matrix_params` expands a spec of rows into test parameters, `assert_outcome` checks a
  response against one expected outcome (a status code, LOGIN or REDIRECT).
- N+1 guards: `grow_tree` adds committees and cells in bulk, `count_queries` measures one page.
"""

import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from cells.models import Organization
from meetings.models import Meeting

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


def matrix_params(spec) -> list:
    """One test parameter (url_name, method, kwargs, persona, expected) per row of `spec` and persona.

    A spec row: url name, method, a function of the world giving the URL's kwargs, then one expected outcome per
    persona in PERSONAS order. The id names the kwargs by their `label` when they have one, else by the row's index.
    """
    return [
        pytest.param(
            name,
            method,
            kwargs,
            persona,
            expected,
            id=f"{name}-{method}-{getattr(kwargs, 'label', index)}-{persona}".replace("--", "-"),
        )
        for index, (name, method, kwargs, *results) in enumerate(spec)
        for persona, expected in zip(PERSONAS, results, strict=True)
    ]


def assert_outcome(response, expected) -> None:
    """LOGIN: a 302 to the login page; REDIRECT: a 302 anywhere else; otherwise that status code."""
    if expected in (LOGIN, REDIRECT):
        assert response.status_code == 302
        assert (urlsplit(response["Location"]).path == reverse("login")) == (expected == LOGIN)
    else:
        assert response.status_code == expected


#
# N+1 guards
#


def grow_tree(
    *,
    under: Organization,
    committees: int,
    cells: int,
    prefix: str,
    kind: str = Organization.Kind.GRASSROOTS_COMMITTEE,
) -> list[Organization]:
    """Add `committees` committees of `kind` under `under`, each with `cells` cells (no members).

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
    return new_cells


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
# Meetings
#


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
