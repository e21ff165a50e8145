"""Issue #15 item 5 in Chromium, as committee staff on a desktop: two cells with the same name under different
grassroots committees are told apart on the home page and in the review's flat list, by their parent's name."""

from django.urls import reverse

from cells import services as cell_services
from cells.models import Organization
from evaluations.models import OrgEvaluation
from members import services as member_services
from members.models import Member
from tests.browser.conftest import DESKTOP, PHONE

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None

NAME = "Chi bộ Phòng Hợp tác quốc tế"


def test_staff_tells_namesake_cells_apart_on_the_home_page_and_in_the_review(journey, journey_world):
    world = journey_world
    for committee, code in ((world.db1, "SYT-HTQT"), (world.db2, "SGD-HTQT")):
        cell = cell_services.organization_create(
            parent=committee, name=NAME, code=code, kind=Organization.Kind.CELL, created_by=world.admin
        )
        # Two full members: too few (B19), so the home page lists the cell for review.
        for k in range(2):
            member_services.member_create(
                organization=cell, full_name=f"Đinh Văn {code} {k}", status=Member.Status.FULL, created_by=world.admin
            )
        OrgEvaluation.objects.create(period=world.period, organization=cell)

    page = journey.page_for(world.users.staff, DESKTOP)
    page.goto(reverse("home"))
    for parent in ("Đảng bộ Sở Y tế", "Đảng bộ Sở Giáo dục"):
        item = page.locator("a.list-group-item", has_text=NAME).filter(has_text=parent)
        expect(item).to_have_count(1)
        expect(item.locator(".org-parent")).to_have_text(f" · {parent}")
    journey.screenshot("C15_home_staff")

    page.goto(reverse("evaluations:period", args=[world.period.pk]) + "?q=hop tac")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"{NAME} · Đảng bộ Sở Y tế")
    expect(rows.nth(1)).to_contain_text(f"{NAME} · Đảng bộ Sở Giáo dục")
    journey.screenshot("C15_review_flat_list_search")
    page.goto(reverse("evaluations:period", args=[world.period.pk]))
    expect(page.locator("table tbody .org-parent", has_text="Đảng bộ Sở Y tế")).to_have_count(3)
    journey.screenshot("C15_review_flat_list")

    # On a phone the names with their parents still fit the width.
    phone = journey.page_for(world.users.staff, PHONE)
    phone.goto(reverse("members:list"))
    phone.goto(reverse("home"))
    assert journey.overflow(phone) == [], "\n".join(journey.overflow(phone))
    journey.screenshot("C15_home_phone")
