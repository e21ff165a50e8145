"""The registers of D9 and D10 as the grassroots committee sees them: the Dân vận khéo register (a score out of
B25's range refused on the form, a recognised model added), and a member's record with the e-handbook and the
QĐ 213 residence feedback recorded on it."""

import datetime
from decimal import Decimal

from django.urls import reverse

from evaluations.mass_mobilisation import services as registers
from members.models import Member
from tests.browser.conftest import DESKTOP, PHONE

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None


def test_dan_van_kheo_register_and_member_record(journey, journey_world):
    world = journey_world
    cell, year = world.cells[0], 2025
    registers.model_create(
        organization=world.cells[1],
        year=year,
        data={"name": "Lắng nghe người bệnh", "field": "VAN_HOA_XA_HOI", "level": "KHOI", "score": Decimal("91.5")},
        created_by=world.admin,
    )

    page = journey.page_for(world.users.grassroots, DESKTOP)
    page.goto(reverse("massmobilisation:index") + f"?org={world.db1.pk}&year={year}")
    main = page.locator("main")
    expect(main.locator("h1")).to_contain_text("Mô hình Dân vận khéo")
    expect(main).to_contain_text("từ 75 đến 100")
    expect(main).to_contain_text("Lắng nghe người bệnh")

    page.goto(reverse("massmobilisation:create", args=[cell.pk]) + f"?year={year}")
    journey.fill(page.locator("#id_name"), "Một cửa thân thiện")
    journey.select(page.locator("#id_level"), "CO_SO")
    journey.fill(page.locator("#id_score"), "72")
    journey.submit(page, page.locator("main form[method=post] button[type=submit]").first)
    expect(page.locator("main")).to_contain_text("nằm ngoài khoảng này")  # B25: refused on its field
    journey.screenshot("dan_van_kheo_refused")
    journey.fill(page.locator("#id_score"), "82,5")
    journey.submit(page, page.locator("main form[method=post] button[type=submit]").first)
    expect(page.locator("main")).to_contain_text("Một cửa thân thiện")
    expect(page.locator("main")).to_contain_text("82,5")
    journey.screenshot("dan_van_kheo_register")

    member = world.members[cell.pk][0]
    Member.objects.filter(pk=member.pk).update(ehandbook_since=datetime.date(2023, 4, 2))
    page = journey.page_for(world.users.grassroots, PHONE)
    page.goto(reverse("members:residence_create", args=[member.pk]))
    journey.fill(page.locator("#id_year"), "2025")
    journey.fill(page.locator("#id_received_on"), "2025-12-20")
    journey.fill(page.locator("#id_residence_organization"), "Chi bộ tổ dân phố 5, phường Yên Thịnh")
    journey.select(page.locator("#id_assessment"), "CHUA_TOT")
    journey.submit(page, page.locator("main form[method=post] button[type=submit]").first)
    card = page.locator("#residence-feedback")
    expect(card).to_contain_text("2025")
    expect(card).to_contain_text("Chưa tốt")
    expect(page.locator("#ehandbook")).to_contain_text("02/04/2023")
    journey.screenshot("member_record_registers")
    assert journey.overflow(page) == [], "\n".join(journey.overflow(page))
