"""D6 (B1, B2, B26) on the seeded demo bloc: the compliance page, the report builder, each cell's own page, the
evaluation metrics and the dashboard say the same thing about every cell, for every kind of node and period.

The demo is seeded once for the module (`seeded_demo`, rolled back at its end); meetings are built for a sample —
two whole đảng bộ cơ sở (one with a sub-committee), a chi bộ cơ sở and the cells founded since 2024 — and then
bent to meet every D6 case: a few drafts, a few make-up meetings after the grace days, one cell dissolved in 2025.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.test import Client

from cells.models import Organization
from demo.meetings import build_meetings
from evaluations.dashboard.selectors import dashboard
from evaluations.metrics import MEETINGS_HELD, metrics_for
from meetings import selectors, summaries
from meetings.models import Meeting
from meetings.selectors import Period
from reports import builders
from reports.models import Report

pytestmark = pytest.mark.django_db

TODAY = "2026-02-16 09:00 +0700"  # 2025 is due whole
GRASSROOTS = ("DB01", "DB19", "CBCS01")
PERIODS = [Period(2025), Period(2025, quarter=2), Period(2025, month=11)]


@pytest.fixture(scope="module")
def demo(seeded_demo, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(TODAY, tick=False):
        root = seeded_demo.root
        cells = Organization.objects.filter(kind__in=Organization.CELL_KINDS)
        sample = cells.filter(
            Q(code__in=GRASSROOTS)
            | Q(parent__code__in=GRASSROOTS)
            | Q(parent__parent__code__in=GRASSROOTS)
            | Q(founded_on__year__gte=2024)
        )
        codes = sorted(sample.values_list("code", flat=True))
        build_meetings(root=root, seed=2025, cells=codes)
        year = Meeting.objects.filter(organization__code__in=codes, period_year=2025, kind__in=Meeting.REGULAR_KINDS)
        # D6 cases: three drafts, two meetings made up after the grace days, a cell dissolved on 15/09/2025.
        drafts = list(year.filter(period_month__in=(3, 11)).order_by("id").values_list("id", flat=True)[:3])
        Meeting.objects.filter(id__in=drafts).update(status=Meeting.Status.DRAFT)
        for meeting in year.filter(period_month=5).exclude(id__in=drafts).order_by("id")[:2]:
            Meeting.objects.filter(pk=meeting.pk).update(date=datetime.date(2025, 6, 25))
        dissolved = sample.filter(parent__code="DB01").order_by("code").first()
        Organization.objects.filter(pk=dissolved.pk).update(dissolved_on=datetime.date(2025, 9, 15))
        summaries.rebuild_all()  # the bulk UPDATEs above bypass the meeting saves that keep the month summaries
        return root


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def staff():
    return get_user_model().objects.get(username="bantochuc")


def node(demo, key: str) -> Organization:
    if key == "root":
        return demo
    return Organization.objects.get(code=key)


@pytest.mark.parametrize("key", ["root", "DB01", "DB19-BP2", "CBCS01", "DB19-CB01"])
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_D6_every_page_agrees_cell_by_cell_on_the_demo(demo, key, period):
    user = staff()
    root = node(demo, key)
    client = Client()
    client.force_login(user)
    page = client.get(f"/meetings/compliance/?org={root.pk}&{period.querystring()}")
    assert page.status_code == 200
    k = page.context["kpis"]
    full_missing = selectors.missing_cells(user=user, root=root, period=period)
    page_missing = {item["cell"].pk: item["months"] for item in full_missing}
    assert [item["cell"].pk for item in page.context["missing"]] == [item["cell"].pk for item in full_missing][:200]
    assert len(page_missing) == k.cells - k.cells_all_regular
    report = Report(organization=root, kind=Report.Kind.COMPLIANCE, year=period.year, month=period.month)
    report.quarter, report.requested_by = period.quarter, user
    built = builders.build_compliance(report=report, user=user, progress=lambda _n: None)
    assert built.figures["pct_all_regular"] == k.pct_all_regular
    assert built.figures["missing_cells"] == len(page_missing)
    assert built.tables[0]["rows"][0][1:3] == [k.cells_all_regular, k.cells]
    # The heat-map's last row of figures: per month, cells counted = cells owing the month − cells missing it.
    rows = selectors.heatmap(user=user, root=root, year=period.year)
    for month in period.months:
        owing = sum(row.month(month).required for row in rows)
        counted = sum(row.month(month).counted for row in rows)
        assert owing - counted == sum(1 for months in page_missing.values() if month in months), month

    cells = list(Organization.objects.filter(path__startswith=root.path, kind__in=Organization.CELL_KINDS))
    cells = [c for c in cells if c.dissolved_on is None or c.dissolved_on.year >= period.year]
    with_meetings = set(Meeting.objects.filter(period_year=period.year).values_list("organization_id", flat=True))
    metrics = metrics_for(organizations=cells, year=period.year) if period.month is None else {}
    for cell in cells:
        grid = selectors.cell_year_grid(cell=cell, year=period.year)
        expected = [m for m in grid["missing"] if m in period.months]
        assert page_missing.get(cell.pk, []) == expected, cell.code
        if period.month is None and period.quarter is None:
            complete = cell.pk not in page_missing
            assert (metrics[cell.pk][MEETINGS_HELD] == Decimal(12)) is complete, cell.code
            if cell.pk in with_meetings:  # the dashboard of the cell itself (a sample: it reads a whole review)
                board = dashboard(user=user, root=cell, year=period.year)
                assert board.meetings.cells_all_regular == (1 if complete else 0), cell.code
    if period.month is None and period.quarter is None:
        board = dashboard(user=user, root=root, year=period.year)
        assert (board.meetings.cells, board.meetings.cells_all_regular) == (k.cells, k.cells_all_regular)
        assert board.meetings.attendance_pct == k.attendance_pct
