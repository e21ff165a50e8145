"""Issue #15 item 6: the dashboard's figures with their bases, the small-base warning, a target per bar and the
review's progress as "x of y".

B26 "% members HTTNV+ and HTXSNV (seed 2019: > 80 %, 15 %)": the share of the members classified, shown with its
base (classified / on the roll). The small-base warning is a display rule (cells/figures.py): a percentage over
fewer than 30 items, or over less than 10 % of the population it speaks for."""

import re

import pytest
import time_machine
from django.urls import reverse

from cells.figures import Figure
from evaluations.models import Grade, MemberEvaluation, OrgEvaluation
from members.models import Member
from tests import helpers

pytestmark = pytest.mark.django_db

TODAY = "2026-02-16 09:00 +0700"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def rate(period, members, grades):
    """Decided grades for `members` in turn from `grades`."""
    MemberEvaluation.objects.bulk_create(
        MemberEvaluation(
            period=period,
            member=member,
            organization=member.organization,
            grassroots=member.organization.parent,
            final_grade=grade,
        )
        for member, grade in zip(members, grades, strict=False)
    )


def dashboard(client, root, year=2025):
    response = client.get(reverse("dashboard:index") + f"?org={root.pk}&year={year}")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("part", "base", "population", "small"),
    [
        (6, 6, 4749, True),  # the case: 100 % on 6 of 4.749
        (29, 29, None, True),  # fewer than 30
        (20, 30, None, False),  # 30: enough
        (40, 40, 1000, True),  # 40 is under 10 % of 1.000
        (90, 100, 1000, False),  # 100 is 10 %: enough
        (0, 0, 50, False),  # no percentage, no warning
    ],
)
def test_small_base_rule(part, base, population, small):
    assert Figure(part, base, population).small_base is small


def test_B26_member_figures_show_their_base_and_warn_on_a_small_one(world, client_for):
    period = helpers.open_period(world, year=2025, dues=helpers.december_dues(2025))
    m = world.members
    rate(period, [m.own, m.other], [Grade.GOOD, Grade.EXCELLENT])  # 2 classified of the 3 on the roll of A1
    content = dashboard(client_for("staff"), world.tree.root).content.decode()
    table = content[content.index("member-figures") :]
    table = table[: table.index("</table>")]
    assert "2/2" in table  # the percentage's base
    assert "tính trên 2/3" in table or "based on 2 of 3" in table  # the population it covers (members on the roll)
    assert "small-base" in table  # 2 < 30


def test_B26_no_small_base_warning_above_the_threshold(world, client_for):
    cells = helpers.grow_tree(under=world.tree.root, committees=1, cells=1, members=40, prefix="W")
    period = helpers.open_period(world, year=2025, dues=helpers.december_dues(2025))
    members = list(Member.objects.filter(organization=cells[0]).select_related("organization"))
    rate(period, members, [Grade.GOOD] * 32 + [Grade.EXCELLENT] * 8)  # 40 classified of the 43 on the roll
    content = dashboard(client_for("staff"), world.tree.root).content.decode()
    table = content[content.index("member-figures") :]
    table = table[: table.index("</table>")]
    assert "40/40" in table
    assert "small-base" not in table


def test_B26_each_bar_carries_its_own_target(world, client_for):
    helpers.open_period(world, year=2025, dues=helpers.december_dues(2025))
    content = dashboard(client_for("staff"), world.tree.root).content.decode()
    chart = content[content.index('<svg class="chart-hbar"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'aria-label="' in chart and "<title>" in chart  # a named chart
    ticks = re.findall(r'<line class="chart-target" x1="([\d.]+)"[^>]*y1="(\d+)"', chart)
    # 80 % and 15 % of a 250-wide bar starting at x=300, each across its own bar only (rows 34 apart).
    assert ticks == [("500.0", "0"), ("337.5", "34")]
    assert "chart-legend" in chart


def test_review_progress_reads_x_of_y_and_opens_those_organisations(world, client_for):
    period = helpers.open_period(world, year=2025, dues=helpers.december_dues(2025))
    evaluations = OrgEvaluation.objects.filter(period=period, organization__path__startswith=world.tree.a.path)
    total = OrgEvaluation.objects.filter(period=period).count()
    OrgEvaluation.objects.filter(pk=evaluations.order_by("pk").first().pk).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=Grade.GOOD
    )
    client = client_for("staff")
    content = dashboard(client, world.tree.root).content.decode()
    assert f'aria-valuenow="1" aria-valuemin="0" aria-valuemax="{total}"' in content
    assert f">1/{total}<" in content
    href = re.search(r'class="mb-1 review-decided"><a href="([^"]+)"', content).group(1).replace("&amp;", "&")
    listed = client.get(href)
    assert listed.context["page"].paginator.count == 1
    # Within a subtree (the dashboard of Đảng bộ B), the same link lists B's organisations only: none decided.
    content = dashboard(client, world.tree.b).content.decode()
    href = re.search(r'class="mb-1 review-decided"><a href="([^"]+)"', content).group(1).replace("&amp;", "&")
    assert client.get(href).context["page"].paginator.count == 0


def test_B26_each_grade_figure_opens_exactly_the_organisations_it_counts(world, client_for):
    """A TCCSĐ grade row and a subordinate grade badge open the period page narrowed to the organisations counted:
    the list's size equals the figure, and the status buttons keep the narrowing."""
    period = helpers.open_period(world, year=2025, dues=helpers.december_dues(2025))
    evaluations = OrgEvaluation.objects.filter(period=period)
    grassroots = evaluations.filter(organization__kind__in=world.tree.a.GRASSROOTS_KINDS).order_by("pk")
    subordinate = evaluations.exclude(organization__kind__in=world.tree.a.GRASSROOTS_KINDS).order_by("pk")
    assert grassroots.exists() and subordinate.count() >= 2
    evaluations.filter(pk=grassroots.first().pk).update(status=OrgEvaluation.Status.DECIDED, final_grade=Grade.GOOD)
    evaluations.filter(pk__in=[e.pk for e in subordinate[:2]]).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=Grade.GOOD
    )
    client = client_for("staff")
    content = dashboard(client, world.tree.root).content.decode()
    rows = re.search(r'class="table table-sm mb-0 grassroots-grades">(.*?)</table>', content, re.S).group(1)
    href = re.search(r'<a href="([^"]+)">HTTNV</a>', rows).group(1).replace("&amp;", "&")
    listed = client.get(href)
    assert [e.organization_id for e in listed.context["page"]] == [grassroots.first().organization_id]
    badges = re.search(r'class="d-flex flex-wrap gap-2 subordinate-grades">(.*?)</div>', content, re.S).group(1)
    href = re.search(r'href="([^"]+)">HTTNV: 2<', badges).group(1).replace("&amp;", "&")
    listed = client.get(href)
    assert listed.context["page"].paginator.count == 2
    assert "level=subordinate" in listed.content.decode() and "grade=HTTNV" in listed.content.decode()
    # A grade with no organisation lists none.
    assert client.get(href.replace("HTTNV", "KHTNV")).context["page"].paginator.count == 0
    # A hostile value is ignored, never a 500.
    assert client.get(href.replace("grade=HTTNV", "grade=%00x")).status_code in (200, 400)


def test_the_meeting_card_of_the_dashboard_opens_the_cells_behind_it(world, client_for):
    helpers.open_period(world, year=2025, dues=helpers.december_dues(2025))
    t = world.tree
    for month in range(1, 13):
        helpers.meeting_row(t.a1, 2025, month).save()
    client = client_for("staff")
    page = dashboard(client, t.root)
    kpis = page.context["board"].meetings
    assert (kpis.cells_all_regular, kpis.cells) == (1, 5)
    content = page.content.decode()
    href = re.search(r'class="text-decoration-none kpi-regular" href="([^"]+)"', content).group(1)
    cells = client.get(href.replace("&amp;", "&"))
    assert cells.context["page"].paginator.count == 1
    assert [row["name"] for row in cells.context["page"]] == ["Chi bộ A1"]
