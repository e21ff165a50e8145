"""Issue #15 items 6 and 7 in Chromium, as committee staff on a desktop: the dashboard's figures carry their bases
and the small-base warning, each bar its own target; on the compliance page a KPI and a heat-map month open exactly
the cells they count."""

from django.urls import reverse
from django.utils import timezone

from evaluations.models import Grade, MemberEvaluation, OrgEvaluation
from meetings.models import Meeting
from tests.browser.conftest import DESKTOP, PHONE
from tests.helpers import meeting_row

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None


def test_staff_reads_the_dashboard_figures_and_drills_down_to_the_cells(journey, journey_world):
    world = journey_world
    last_year = timezone.localdate().year - 1
    first, second, third, _fourth = world.cells
    for month in range(1, 13):  # the first cell held every meeting of last year, the second all but March
        meeting_row(first, last_year, month, present_count=6, eligible_count=6, rating=Meeting.Rating.GOOD).save()
        if month != 3:
            meeting_row(second, last_year, month, present_count=5, eligible_count=6).save()
    meeting_row(third, last_year, 3, status=Meeting.Status.DRAFT).save()
    # Two members of the first cell rated this year: 100 % HTTNV or better on 2 of the 24 on the roll.
    for member, grade in zip(world.members[first.pk][:2], (Grade.GOOD, Grade.EXCELLENT), strict=True):
        MemberEvaluation.objects.create(
            period=world.period, member=member, organization=first, grassroots=world.db1, final_grade=grade
        )

    page = journey.page_for(world.users.staff, DESKTOP)
    page.goto(reverse("dashboard:index") + f"?org={world.root.pk}")
    figures = page.locator("table.member-figures")
    expect(figures).to_contain_text("2/2")
    expect(figures).to_contain_text("tính trên 2/24")
    expect(figures.locator(".small-base").first).to_be_visible()
    expect(page.locator("svg.chart-hbar line.chart-target")).to_have_count(2)
    expect(page.locator("svg.chart-hbar")).to_have_attribute(
        "aria-label", "Đảng viên HTTNV trở lên và HTXSNV, mỗi chỉ số so với chỉ tiêu của nó"
    )
    expect(page.locator(".review-decided")).to_contain_text("0/")
    journey.screenshot("E15_dashboard_staff")

    # A grade figure opens the organisations it counts: the one cell decided HTTNV.
    OrgEvaluation.objects.filter(period=world.period, organization=first).update(
        status=OrgEvaluation.Status.DECIDED, final_grade=Grade.GOOD
    )
    page.goto(reverse("dashboard:index") + f"?org={world.root.pk}")
    journey.submit(page, page.locator(".subordinate-grades a", has_text="HTTNV: 1"))
    expect(page.locator("p.filter-note")).to_contain_text("Chỉ các chi bộ trực thuộc")
    expect(page.locator("table.table-hover tbody tr")).to_have_count(1)
    expect(page.locator("table.table-hover tbody")).to_contain_text(first.name)
    journey.screenshot("E15_grade_drilldown")
    OrgEvaluation.objects.filter(period=world.period, organization=first).update(
        status=OrgEvaluation.Status.NOT_STARTED, final_grade=""
    )

    page.goto(reverse("meetings:compliance") + f"?org={world.root.pk}&year={last_year}")
    regular = page.locator("a.kpi-regular")
    expect(regular).to_contain_text("1/4")  # one cell of four held every month
    journey.screenshot("E15_compliance_staff")

    # The heat-map month of March for Đảng bộ Sở Y tế: 1 of its 2 cells (the second missed March).
    march = page.locator(f'a.heat-link[href*="org={world.db1.pk}&year={last_year}&month=3&"]')
    expect(march).to_contain_text("3: 1/2")  # its name says the figure: 1 of the 2 cells
    journey.submit(page, march)
    expect(page.locator(".cells-count")).to_contain_text("2 chi bộ")
    journey.submit(page, page.locator('.compliance-states a[href$="state=complete"]'))
    expect(page.locator("table.compliance-cells tbody tr")).to_have_count(1)
    expect(page.locator("table.compliance-cells")).to_contain_text(first.name)
    journey.screenshot("E15_heatmap_month_cells")

    # The KPI opens the cells it counts: the one complete cell; its complement the three others.
    page.goto(reverse("meetings:compliance") + f"?org={world.root.pk}&year={last_year}")
    journey.submit(page, regular)
    expect(page.locator("table.compliance-cells tbody tr")).to_have_count(1)
    journey.submit(page, page.locator('.compliance-states a[href$="state=incomplete"]'))
    expect(page.locator("table.compliance-cells tbody tr")).to_have_count(3)
    journey.screenshot("E15_compliance_cells_incomplete")

    # On a phone the compliance page fits its width.
    phone = journey.page_for(world.users.staff, PHONE)
    phone.goto(reverse("meetings:compliance") + f"?org={world.root.pk}&year={last_year}")
    assert journey.overflow(phone) == [], "\n".join(journey.overflow(phone))
    journey.screenshot("E15_compliance_phone")
