"""Issue #15 item 7: every compliance figure opens exactly what it counts (D6, B1, B2, B4, B9 via
meetings/counting.py), and each heat-map month opens that cell's month or the cells behind the committee's figure.

The hand-built case, on the conftest tree (cells A1, A2 under A; B1, B2 under B; the grassroots cell C), for March
2025 judged on 16/02/2026 (the whole of 2025 is due; March's grace ended on 10/04/2025):

- A1: finalised regular meeting on 10/03, 8 of 10 present, rated Tốt → counts (D6);
- A2: a draft → does not count (D6 "only finalised meetings count");
- B1: finalised but held on 20/04, after the grace → "sinh hoạt bù", does not count;
- B2: finalised on 12/03, 5 of 5 present, rated Khá → counts;
- C: nothing.

So by the rules' text: 2 of 5 cells held the month's regular meeting (B1), 3 not; attendance over the counted
meetings 13 of 15 (B4); 1 of the 2 scored counted meetings rated Tốt (B9)."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from meetings.models import Meeting
from tests import helpers

pytestmark = pytest.mark.django_db

K, S = Meeting.Kind, Meeting.Status
TODAY = "2026-02-16 09:00 +0700"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def log(cell, month, *, date=None, year=2025, **fields) -> Meeting:
    meeting = helpers.meeting_row(cell, year, month, **fields)
    if date is not None:
        meeting.date = date
    if meeting.kind in Meeting.THEMATIC_KINDS:
        meeting.topic = "Chuyên đề"
    meeting.save()
    return meeting


@pytest.fixture
def march(world):
    t = world.tree
    log(t.a1, 3, present_count=8, eligible_count=10, rating=Meeting.Rating.GOOD)
    log(t.a2, 3, status=S.DRAFT, present_count=3, eligible_count=4)
    log(t.b1, 3, date=datetime.date(2025, 4, 20), present_count=2, eligible_count=2, rating=Meeting.Rating.GOOD)
    log(t.b2, 3, day=12, present_count=5, eligible_count=5, rating=Meeting.Rating.FAIR)
    return world


def link(content: str, css_class: str) -> str:
    """The href of the link carrying `css_class` on a page."""
    found = re.search(rf'class="[^"]*\b{css_class}\b[^"]*" href="([^"]+)"', content)
    assert found, css_class
    return html.unescape(found.group(1))


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_B1_the_cells_figure_opens_exactly_the_cells_it_counts(march, client_for):
    client = client_for("staff")
    root = march.tree.root
    page = page_of(client, reverse("meetings:compliance") + f"?org={root.pk}&year=2025&month=3")
    content = page.content.decode()
    kpis = page.context["kpis"]
    assert (kpis.cells_all_regular, kpis.cells) == (2, 5)
    assert "2/5" in content  # the base beside the percentage
    complete = page_of(client, link(content, "kpi-regular"))
    assert complete.context["page"].paginator.count == 2
    assert {row["name"] for row in complete.context["page"]} == {"Chi bộ A1", "Chi bộ B2"}
    incomplete = page_of(client, link(content, "kpi-regular-incomplete"))
    assert incomplete.context["page"].paginator.count == 3
    assert {row["name"] for row in incomplete.context["page"]} == {"Chi bộ A2", "Chi bộ B1", "Chi bộ cơ sở C"}
    every = page_of(client, reverse("meetings:compliance_cells") + f"?org={root.pk}&year=2025&month=3&kind=regular")
    assert every.context["page"].paginator.count == 5


def test_B2_the_thematic_figure_opens_the_cells_that_held_one_each_quarter(march, client_for):
    t = march.tree
    log(t.a1, 2, kind=K.THEMATIC)  # Q1 thematic meeting of A1, finalised in its month: counts (B2, D6)
    log(t.b1, 2, kind=K.THEMATIC, status=S.DRAFT)  # a draft: does not
    client = client_for("staff")
    page = page_of(client, reverse("meetings:compliance") + f"?org={t.root.pk}&year=2025&quarter=1")
    kpis = page.context["kpis"]
    assert (kpis.cells_all_thematic, kpis.cells_thematic) == (1, 5)
    cells = page_of(client, link(page.content.decode(), "kpi-thematic"))
    assert cells.context["page"].paginator.count == 1
    assert [row["name"] for row in cells.context["page"]] == ["Chi bộ A1"]


def test_B4_B9_the_meeting_figures_open_the_meetings_counted(march, client_for):
    client = client_for("staff")
    root = march.tree.root
    page = page_of(client, reverse("meetings:compliance") + f"?org={root.pk}&year=2025&month=3")
    content = page.content.decode()
    kpis = page.context["kpis"]
    assert (kpis.present, kpis.eligible, kpis.meetings) == (13, 15, 2)
    assert "13/15" in content
    meetings = page_of(client, link(content, "kpi-attendance"))
    assert meetings.context["page"].paginator.count == kpis.meetings == 2
    assert meetings.context["attendance"] == {"present": 13, "eligible": 15}
    assert (kpis.meetings_good, kpis.meetings_rated) == (1, 2)
    good = page_of(client, link(content, "kpi-good"))
    assert good.context["page"].paginator.count == 1
    assert [m.organization.name for m in good.context["page"]] == ["Chi bộ A1"]


def test_D6_a_committee_month_of_the_heat_map_opens_the_cells_behind_it(march, client_for):
    client = client_for("staff")
    t = march.tree
    content = page_of(client, reverse("meetings:compliance") + f"?org={t.root.pk}&year=2025").content.decode()
    # Row "Đảng bộ A", March: 1 of its 2 cells held the meeting (A1; A2 only a draft).
    href = html.unescape(
        re.search(rf'href="([^"]*org={t.a.pk}&amp;year=2025&amp;month=3&amp;kind=regular)"', content).group(1)
    )
    heat_cell = rf'title="1/2 · 1 [^"]*"><a class="heat-link" href="[^"]*org={t.a.pk}&amp;year=2025&amp;month=3&'
    assert re.search(heat_cell, content)  # "1/2 · 1 draft": A1 counted, A2 only a draft
    cells = page_of(client, href)
    assert cells.context["page"].paginator.count == 2  # the cells owing the month
    assert cells.context["figure"].part == 1  # the heat-map's "1"
    complete = page_of(client, href + "&state=complete")
    assert [row["name"] for row in complete.context["page"]] == ["Chi bộ A1"]


def test_D6_a_cell_month_of_the_heat_map_opens_that_month_of_its_year_page(march, client_for):
    client = client_for("staff")
    a1 = march.tree.a1
    content = page_of(client, reverse("meetings:compliance") + f"?org={a1.pk}&year=2025").content.decode()
    target = reverse("meetings:cell", args=[a1.pk]) + "?year=2025#month-3"
    assert f'href="{target}"' in content
    year_page = page_of(client, target.split("#")[0]).content.decode()
    assert 'id="month-3"' in year_page


def test_D6_a_month_not_yet_due_opens_the_meetings_counted_so_far(world, client_for):
    t = world.tree
    log(t.a1, 2, year=2026, date=datetime.date(2026, 2, 5))  # February 2026 is not due before 10/03/2026
    client = client_for("staff")
    content = page_of(client, reverse("meetings:compliance") + f"?org={t.root.pk}&year=2026").content.decode()
    found = re.search(rf'href="([^"]*org={t.a.pk}&amp;year=2026&amp;month=2&amp;kind=regular&amp;counted=1)"', content)
    assert found
    meetings = page_of(client, html.unescape(found.group(1)))
    assert meetings.context["page"].paginator.count == 1


def test_the_drilldown_pages_read_a_fixed_number_of_queries(world, client_for):
    client = client_for("staff")
    root = world.tree.root
    log(world.tree.a1, 1)  # one row on each page already: a page of 1 and a page of 19 read the same queries
    cells = reverse("meetings:compliance_cells") + f"?org={root.pk}&year=2025&kind=regular&state=incomplete"
    counted = reverse("meetings:list") + f"?org={root.pk}&year=2025&kind=regular&counted=1"
    small = (helpers.count_queries(client, cells), helpers.count_queries(client, counted))
    new_cells = helpers.grow_tree(under=root, committees=6, cells=3, prefix="L")
    for cell in new_cells:
        log(cell, 1)
    large = (helpers.count_queries(client, cells), helpers.count_queries(client, counted))
    assert large == small


def test_the_cells_behind_a_figure_stay_within_the_users_scope(march, client_for):
    # The grassroots committee of A sees only A's cells: the figure and the list are both A1, A2.
    client = client_for("grassroots")
    page = page_of(client, reverse("meetings:compliance_cells") + "?year=2025&month=3&kind=regular")
    assert page.context["figure"].base == page.context["page"].paginator.count == 2
