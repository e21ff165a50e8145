"""D6, B1, B2, B26: which months a cell owes and which meetings pay them (meetings/counting.py), and the agreement
of every page that shows a compliance figure.

Each case is built by hand on the conftest tree (cells A1, A2 under A; B1, B2 under B; the grassroots cell C) and
its figure is read from the rule's text in domain.md §8.1:

D6  "Only finalised meetings count (drafts are shown apart as 'chưa chốt'). A meeting counts for its period month
    when its date lies in that month or within late_grace_days after it (default 10); a later one is 'sinh hoạt
    bù': shown, not counted for that month. A month is not missing until it has ended plus the grace. Months before
    a cell was founded or after it was dissolved or merged are not required."
B2  "≥ 1 CHUYEN_DE or KET_HOP per quarter" (the same D6 rule for which meeting counts).
B26 "% TCCSĐ at each level": the grassroots organisations only, apart from the cells under them.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from cells.models import Organization
from cells.names import org_label
from cells.templatetags.chibo import heat_cells
from criteria.models import RuleParameterSet
from evaluations.dashboard.selectors import dashboard
from evaluations.metrics import MEETINGS_HELD, THEMATIC_QUARTERS, metrics_for
from evaluations.models import OrgEvaluation
from meetings import counting
from meetings import selectors as selectors
from meetings.models import Meeting
from meetings.selectors import Period
from reports import builders
from reports.models import Report
from tests import helpers

pytestmark = pytest.mark.django_db

K, S = Meeting.Kind, Meeting.Status
D = datetime.date
TODAY = "2026-02-16 09:00 +0700"  # the whole of 2025 is due (December's grace ended on 10/01/2026)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def log(cell, month, date=None, *, year=2025, kind=K.REGULAR, status=S.FINAL, **fields) -> Meeting:
    """A meeting of `cell` for `month` of `year`, held on `date` (the 10th of that month unless told)."""
    meeting = helpers.meeting_row(cell, year, month, kind=kind, status=status, **fields)
    if date is not None:
        meeting.date = date
    if kind in Meeting.THEMATIC_KINDS:
        meeting.topic = "Chuyên đề"
    meeting.save()
    return meeting


def log_year(cell, months=range(1, 13), *, year=2025) -> None:
    for month in months:
        log(cell, month, year=year)


def cell_of(cell, year=2025, months=counting.MONTHS) -> counting.CellFigures:
    qs = Organization.objects.filter(pk=cell.pk)
    return counting.cell_figures(qs, year=year, months=list(months))[cell.pk]


def states(cell, year=2025, today=None) -> dict[int, str]:
    grid = selectors.cell_year_grid(cell=cell, year=year, today=today)
    return {m.month: m.state for m in grid["months"]}


def missing(world, root=None, period=None, today=None) -> dict[str, list[int]]:
    items = selectors.missing_cells(
        user=world.personas.staff, root=root or world.tree.root, period=period or Period(2025), today=today
    )
    return {item["cell"].code: item["months"] for item in items}


def kpis(world, root=None, period=None, today=None) -> selectors.Kpis:
    return selectors.kpis(
        user=world.personas.staff, root=root or world.tree.root, period=period or Period(2025), today=today
    )


def found(cell, on) -> None:
    Organization.objects.filter(pk=cell.pk).update(founded_on=on)
    cell.refresh_from_db()


def dissolve(cell, on) -> None:
    Organization.objects.filter(pk=cell.pk).update(dissolved_on=on)
    cell.refresh_from_db()


#
# D6: which meeting counts
#


def test_D6_a_draft_is_shown_apart_and_not_counted(tree):
    # A1: eleven finalised months and December only as a draft (the issue: 11 drafts made a cell compliant).
    log_year(tree.a1, range(1, 12))
    log(tree.a1, 12, status=S.DRAFT)

    figures = cell_of(tree.a1)
    assert (figures.required, figures.held_due, figures.drafts, figures.complete) == (12, 11, 1, False)
    assert states(tree.a1)[12] == counting.DRAFT
    assert selectors.cell_year_grid(cell=tree.a1, year=2025)["missing"] == [12]


def test_D6_a_draft_year_makes_no_cell_compliant(world):
    for month in range(1, 13):
        log(world.tree.a1, month, status=S.DRAFT)

    k = kpis(world, root=world.tree.a1)
    assert (k.cells, k.cells_all_regular, k.drafts, k.meetings) == (1, 0, 12, 0)
    assert metrics_for(organizations=[world.tree.a1], year=2025)[world.tree.a1.pk][MEETINGS_HELD] == 0


@pytest.mark.parametrize(
    ("held_on", "counts"),
    [
        pytest.param(D(2025, 3, 1), True, id="first-day-of-the-month"),
        pytest.param(D(2025, 3, 31), True, id="last-day-of-the-month"),
        pytest.param(D(2025, 4, 10), True, id="tenth-grace-day"),
        pytest.param(D(2025, 4, 11), False, id="eleventh-day-after-make-up"),
        pytest.param(D(2025, 2, 27), False, id="before-its-month"),
    ],
)
def test_D6_a_meeting_counts_when_dated_in_its_month_or_within_the_grace_days(tree, held_on, counts):
    log(tree.a1, 3, held_on)

    assert cell_of(tree.a1, months=[3]).held == (1 if counts else 0)
    expected = counting.COUNTED if counts else (counting.MAKEUP if held_on > D(2025, 3, 31) else counting.EARLY)
    assert states(tree.a1)[3] == expected


def test_D6_a_meeting_dated_after_the_grace_is_a_make_up_shown_not_counted(world):
    log(world.tree.a1, 3, D(2025, 4, 25))

    figures = cell_of(world.tree.a1, months=[3])
    assert (figures.held, figures.makeup, figures.required) == (0, 1, 1)
    assert missing(world, root=world.tree.a1, period=Period(2025, month=3)) == {"A1": [3]}
    (item,) = selectors.missing_cells(user=world.personas.staff, root=world.tree.a1, period=Period(2025, month=3))
    assert item["makeup"] == [3]


def test_D6_twelve_meetings_dated_1_to_3_december_do_not_make_a_full_year(world):
    # Filed under every month of the year, all held on 1–3 December. By the text of D6 December's counts (in its
    # month) and so does November's (1–3 December is within November's 10 grace days); the ten others are make-up
    # meetings. Two months, not twelve (the "one month" predates the grace days of D6).
    for month in range(1, 13):
        log(world.tree.a1, month, D(2025, 12, 1 + month % 3))

    figures = cell_of(world.tree.a1)
    assert (figures.held, figures.held_due, figures.makeup, figures.complete) == (2, 2, 10, False)
    assert missing(world, root=world.tree.a1) == {"A1": list(range(1, 11))}
    assert metrics_for(organizations=[world.tree.a1], year=2025)[world.tree.a1.pk][MEETINGS_HELD] == 2


def test_D6_the_grace_days_come_from_the_parameter_set_in_force(tree):
    RuleParameterSet.objects.create(name="Gia hạn 3 ngày", valid_from=D(2025, 1, 1), values={"late_grace_days": 3})
    log(tree.a1, 3, D(2025, 4, 3))
    log(tree.a1, 4, D(2025, 5, 4))

    assert (states(tree.a1)[3], states(tree.a1)[4]) == (counting.COUNTED, counting.MAKEUP)


#
# D6: which months are owed
#


def test_D6_a_cell_founded_in_july_owes_six_months_of_a_past_year(world):
    found(world.tree.b1, D(2025, 7, 15))
    log_year(world.tree.b1, range(7, 13))

    figures = cell_of(world.tree.b1)
    assert (figures.required, figures.held_due, figures.not_required, figures.complete) == (6, 6, 6, True)
    assert [states(world.tree.b1)[m] for m in range(1, 13)] == [counting.NOT_REQUIRED] * 6 + [counting.COUNTED] * 6
    assert "B1" not in missing(world, root=world.tree.b)
    # The page's figure: B1 is compliant (B2 under the same committee has nothing).
    k = kpis(world, root=world.tree.b)
    assert (k.cells, k.cells_all_regular) == (2, 1)
    # The evaluation metric reads 12 of 12: every month of its life was met.
    assert metrics_for(organizations=[world.tree.b1], year=2025)[world.tree.b1.pk][MEETINGS_HELD] == 12


def test_D6_a_cell_founded_after_the_period_is_not_counted_in_it(world):
    found(world.tree.b1, D(2025, 7, 15))

    k = kpis(world, root=world.tree.b, period=Period(2025, quarter=1))
    assert k.cells == 1  # only B2 existed in Q1
    assert missing(world, root=world.tree.b, period=Period(2025, quarter=1)) == {"B2": [1, 2, 3]}


def test_D6_a_dissolved_cell_owes_the_months_up_to_its_dissolution(world):
    dissolve(world.tree.b2, D(2025, 9, 15))
    log_year(world.tree.b2, range(1, 9))

    figures = cell_of(world.tree.b2)
    assert (figures.required, figures.held_due, figures.not_required) == (9, 8, 3)
    assert missing(world, root=world.tree.b)["B2"] == [9]
    assert [states(world.tree.b2)[m] for m in (9, 10)] == [counting.MISSING, counting.NOT_REQUIRED]
    # Still counted in 2025, where it existed; no longer in 2026.
    assert kpis(world, root=world.tree.b).cells == 2
    assert kpis(world, root=world.tree.b, period=Period(2026), today=D(2026, 6, 1)).cells == 1
    (row,) = [
        r
        for r in selectors.heatmap(user=world.personas.staff, root=world.tree.root, year=2025)
        if r.organization == world.tree.b
    ]
    assert (row.cells, row.month(9).required, row.month(10).required) == (2, 2, 1)


def test_D6_the_month_in_progress_is_pending_not_missing(world):
    # 03/03/2026: March is in progress and February is still within its grace days (until 10/03).
    today = D(2026, 3, 3)
    log(world.tree.a1, 1, D(2026, 1, 20), year=2026)

    assert [states(world.tree.a1, 2026, today)[m] for m in (1, 2, 3, 4)] == [
        counting.COUNTED,
        counting.PENDING,
        counting.PENDING,
        counting.PENDING,
    ]
    assert missing(world, root=world.tree.a, period=Period(2026), today=today) == {"A2": [1]}
    k = kpis(world, root=world.tree.a, period=Period(2026), today=today)
    assert (k.months_counted, k.months_pending[:2], k.pending_until) == ([1], [2, 3], D(2026, 3, 10))
    assert (k.cells, k.cells_all_regular) == (2, 1)
    # Last month alone (the home page's card on the 3rd): nothing due yet, so no figure, not 0 %.
    k = kpis(world, root=world.tree.a, period=Period(2026, month=2), today=today)
    assert (k.cells, k.pct_all_regular, k.pending_until) == (0, None, D(2026, 3, 10))
    (row,) = [
        r
        for r in selectors.heatmap(user=world.personas.staff, root=world.tree.a, year=2026, today=today)
        if r.organization == world.tree.a2
    ]
    assert [row.month(m).state for m in (1, 2, 3)] == [counting.MISSING, counting.PENDING, counting.PENDING]
    # On the page: January red, the pending months neutral (never red).
    cells = heat_cells(row).split("</td>")
    assert "heat-0" in cells[0] and "heat-pending" in cells[1] and "heat-pending" in cells[2]


#
# B2: a thematic meeting each quarter, by the same rule
#


def test_B2_a_thematic_meeting_counts_for_its_quarter_by_the_D6_rule(world):
    a1 = world.tree.a1
    log(a1, 2, D(2025, 2, 20), kind=K.THEMATIC)  # Q1: counts
    log(a1, 6, D(2025, 6, 20), kind=K.COMBINED)  # Q2: a combined meeting counts for both rules
    log(a1, 9, D(2025, 10, 25), kind=K.THEMATIC)  # Q3: after the grace, a make-up: Q3 is not met
    log(a1, 12, D(2025, 12, 5), kind=K.THEMATIC, status=S.DRAFT)  # Q4: a draft: not met

    figures = cell_of(a1)
    assert (figures.quarters_required, figures.quarters_held) == (4, 2)
    grid = selectors.cell_year_grid(cell=a1, year=2025)
    assert grid["quarters"] == {1: True, 2: True, 3: False, 4: False}
    assert metrics_for(organizations=[a1], year=2025)[a1.pk][THEMATIC_QUARTERS] == 2


def test_B2_a_quarter_is_owed_only_by_a_cell_that_existed_in_it(world):
    found(world.tree.b1, D(2025, 8, 1))
    log(world.tree.b1, 9, kind=K.THEMATIC)
    log(world.tree.b1, 11, kind=K.THEMATIC)

    figures = cell_of(world.tree.b1)
    assert (figures.quarters_required, figures.quarters_held, figures.thematic_complete) == (2, 2, True)
    assert metrics_for(organizations=[world.tree.b1], year=2025)[world.tree.b1.pk][THEMATIC_QUARTERS] == 4
    k = kpis(world, root=world.tree.b)
    assert (k.cells_thematic, k.cells_all_thematic) == (2, 1)


#
# B26: % TCCSĐ at each level
#


def test_B26_the_grassroots_level_counts_only_the_TCCSD_apart_from_their_cells(world):
    period = helpers.open_period(world, year=2025)
    grades = {"a": "HTXSNV", "c": "HTTNV", "a1": "HTTNV", "a2": "HTTNV", "b1": "HTNV", "b2": "HTTNV"}
    for key, grade in grades.items():
        OrgEvaluation.objects.filter(period=period, organization=getattr(world.tree, key)).update(
            status=OrgEvaluation.Status.DECIDED, final_grade=grade
        )

    board = dashboard(user=world.personas.staff, root=world.tree.root, year=2025)

    # The TCCSĐ decided: A (HTXSNV) and C (HTTNV) — B is not decided — so 50 % and 50 %, whatever the cells.
    assert board.grassroots_classified == 2
    assert [(g, n, pct) for g, _label, n, pct in board.grassroots_grades] == [
        ("HTXSNV", 1, 50.0),
        ("HTTNV", 1, 50.0),
        ("HTNV", 0, 0.0),
        ("KHTNV", 0, 0.0),
    ]
    assert [(g, n) for g, _label, n in board.subordinate_grades] == [
        ("HTXSNV", 0),
        ("HTTNV", 3),
        ("HTNV", 1),
        ("KHTNV", 0),
    ]


#
# One counting module: the compliance page, the metrics, the dashboard and the reports agree cell by cell
#


def varied_year(world) -> None:
    """Every D6 case at once: A1 complete (one month within the grace days), A2 with a draft and a make-up month,
    B1 founded in July and complete since, B2 dissolved in September after a full run, C missing two months;
    thematic meetings in some quarters, one of them made up after the grace."""
    tree = world.tree
    log_year(tree.a1)
    april = Meeting.objects.get(organization=tree.a1, period_month=4)
    april.date = D(2025, 5, 8)
    april.save()  # a row save, so the kept month summary follows (meetings.summaries)
    for month in (2, 5, 8, 11):
        log(tree.a1, month, D(2025, month, 20), kind=K.THEMATIC)
    log_year(tree.a2, range(1, 11))
    log(tree.a2, 11, status=S.DRAFT)
    log(tree.a2, 12, D(2026, 1, 20))
    log(tree.a2, 3, D(2025, 4, 30), kind=K.THEMATIC)
    found(tree.b1, D(2025, 7, 1))
    log_year(tree.b1, range(7, 13))
    log(tree.b1, 9, kind=K.THEMATIC)
    dissolve(tree.b2, D(2025, 9, 15))
    log_year(tree.b2, range(1, 10))
    log_year(tree.c, [1, 2, 3, 4, 7, 8, 9, 10, 12])
    for month in (1, 7):
        log(tree.c, month, D(2025, month, 25), kind=K.THEMATIC)


PERIODS = [Period(2025), Period(2025, quarter=3), Period(2025, month=11)]  # a year, a quarter, a month


def report_for(world, root, period) -> builders.Built:
    report = Report(
        organization=root,
        kind=Report.Kind.COMPLIANCE,
        year=period.year,
        month=period.month,
        quarter=period.quarter,
        requested_by=world.personas.staff,
    )
    return builders.build_compliance(report=report, user=world.personas.staff, progress=lambda _n: None)


@pytest.mark.parametrize("node", ["root", "b", "c", "a1"])  # every kind: upper, đảng bộ cơ sở, chi bộ cơ sở, cell
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_D6_the_compliance_page_metrics_dashboard_and_reports_agree_cell_by_cell(world, client_for, node, period):
    varied_year(world)
    root = getattr(world.tree, node)
    cells = [c for c in Organization.objects.filter(path__startswith=root.path, kind__in=Organization.CELL_KINDS)]

    # The compliance page.
    page = client_for("staff").get(f"/meetings/compliance/?org={root.pk}&{period.querystring()}")
    assert page.status_code == 200
    page_kpis = page.context["kpis"]
    page_missing = {item["cell"].code: item["months"] for item in page.context["missing"]}
    # The report builder.
    built = report_for(world, root, period)
    key_rows = built.tables[0]["rows"]
    report_missing = {name: text for name, text in built.tables[2]["rows"]}
    assert key_rows[0][1:3] == [page_kpis.cells_all_regular, page_kpis.cells]
    assert key_rows[1][1:3] == [page_kpis.cells_all_thematic, page_kpis.cells_thematic]
    assert key_rows[2][1:3] == [page_kpis.present, page_kpis.eligible]
    assert built.figures["missing_cells"] == len(page_missing) == page_kpis.cells - page_kpis.cells_all_regular
    # Cell by cell: the page, the report, the cell's own grid and the counting module's figures.
    figures = counting.cell_figures(
        Organization.objects.filter(pk__in=[c.pk for c in cells]), year=period.year, months=period.months
    )
    for cell in cells:
        grid = selectors.cell_year_grid(cell=cell, year=period.year)
        grid_missing = [m for m in grid["missing"] if m in period.months]
        assert page_missing.get(cell.code, []) == grid_missing, cell.code
        assert (org_label(cell) in report_missing) == bool(grid_missing), cell.code
        assert figures[cell.pk].months_missing == len(grid_missing), cell.code
        # The cell's own compliance page and dashboard say the same about it.
        own = selectors.kpis(user=world.personas.staff, root=cell, period=period)
        assert own.cells_all_regular == (1 if own.cells and not grid_missing else 0), cell.code
    if period.month is None and period.quarter is None:
        # The yearly figures: metrics_for (evaluation criteria) and the dashboard, cell by cell.
        metrics = metrics_for(organizations=cells, year=period.year)
        for cell in cells:
            complete = cell.code not in page_missing
            assert (metrics[cell.pk][MEETINGS_HELD] == Decimal(12)) is complete, cell.code
            board = dashboard(user=world.personas.staff, root=cell, year=period.year)
            assert board.meetings.cells_all_regular == (1 if complete else 0), cell.code
            assert (metrics[cell.pk][THEMATIC_QUARTERS] == Decimal(4)) is bool(
                board.meetings.cells_all_thematic or not board.meetings.cells_thematic
            ), cell.code
        board = dashboard(user=world.personas.staff, root=root, year=period.year)
        assert (board.meetings.cells, board.meetings.cells_all_regular) == (
            page_kpis.cells,
            page_kpis.cells_all_regular,
        )
        assert board.meetings.attendance_pct == page_kpis.attendance_pct


def test_D6_the_varied_year_reads_as_the_rule_says(world):
    varied_year(world)

    # A1: April held on 08/05 is within the grace; A2: November a draft, December made up on 20/01/2026; B1 owes
    # July–December only; B2 owes January–September; C misses May, June and November.
    assert missing(world) == {"A2": [11, 12], "C": [5, 6, 11]}
    k = kpis(world)
    assert (k.cells, k.cells_all_regular, k.drafts, k.makeup) == (5, 3, 1, 1)
