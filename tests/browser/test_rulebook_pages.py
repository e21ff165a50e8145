"""The rule book as a committee staff member and a cell secretary see it: the menu item, the list with its
certainty badges, and B12 for 2025 with the quota in force, its parameter set and its source documents."""

from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None


def test_rule_book_for_staff_and_secretary(journey, journey_world):
    users = journey_world.users

    page = journey.page_for(users.staff, DESKTOP)
    page.goto(reverse("home"))
    page.get_by_role("link", name="Quy tắc", exact=True).click()
    expect(page.locator("main h1")).to_contain_text("Quy tắc")
    expect(page.locator("#rule-B12")).to_contain_text("Chưa chắc chắn")
    expect(page.locator("#rule-D3")).to_contain_text("Quyết định của phần mềm")
    expect(page.locator("#rule-D2")).to_contain_text("Do cấp ủy quy định")
    journey.screenshot("rulebook_list_staff")

    page.goto(reverse("rules:detail", args=["B12"]) + "?year=2025")
    main = page.locator("main")
    expect(main).to_contain_text("Tham số áp dụng năm 2025")
    expect(main).to_contain_text("QĐ 366-QĐ/TW, HD 43-HD/BTCTW, HD 42-HD/BTCTW (từ 2025)")
    expect(main.locator("td.fw-semibold").first).to_contain_text("20")
    expect(main.locator("td.fw-semibold").first).to_contain_text("mặc định")
    expect(main).to_contain_text("đề nghị quản trị hệ thống")  # staff are told where the set is changed
    journey.screenshot("rulebook_B12_2025_staff")

    # A figure that depends on a rule links to it: the grade targets on the evaluation dashboard (B26).
    page.goto(reverse("dashboard:index"))
    page.get_by_role("link", name="(quy tắc B26)").first.click()
    expect(page.locator("main h1")).to_contain_text("B26")

    page = journey.page_for(users.secretary, PHONE)
    page.goto(reverse("rules:detail", args=["B12"]) + "?year=2025")
    main = page.locator("main")
    expect(main).to_contain_text("Chưa chắc chắn:")
    expect(main).not_to_contain_text("đề nghị quản trị hệ thống")
    journey.screenshot("rulebook_B12_2025_secretary")
    assert journey.overflow(page) == [], "\n".join(journey.overflow(page))
    page.goto(reverse("rules:list"))
    assert journey.overflow(page) == [], "\n".join(journey.overflow(page))
