"""D5 as the committees see it: the grassroots committee records a disciplinary decision on a member's record, and
the committee staff, deciding the cell's grade, meet the discipline cap (B13): a placeholder justification is
refused, a written one is recorded as an exception and shown as such."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from evaluations.models import OrgEvaluation
from evaluations.review import services as review
from tests.browser.conftest import DESKTOP

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests and says why
    expect = None

JUSTIFICATION = (
    "Vi phạm do chi bộ tự phát hiện và đã khắc phục ngay; chi bộ hoàn thành xuất sắc các nhiệm vụ trong năm."
)


def test_discipline_on_the_member_page_and_the_exception_at_the_decision(journey, journey_world):
    world = journey_world
    cell = world.cells[0]
    member = world.members[cell.pk][1]

    page = journey.page_for(world.users.grassroots, DESKTOP)
    page.goto(reverse("members:detail", args=[member.pk]))
    journey.submit(page, page.locator("#discipline a.btn-outline-danger"))
    journey.select(page.locator("#id_form"), "KHIEN_TRACH")
    journey.fill(page.locator("#id_decision_no"), "15-QĐ/ĐU")
    journey.fill(page.locator("#id_decided_on"), (timezone.localdate() - datetime.timedelta(days=10)).isoformat())
    journey.fill(page.locator("#id_deciding_body"), "Ban Thường vụ Đảng ủy Sở Y tế")
    journey.submit(page, page.locator("main form[method=post] button[type=submit]").first)
    section = page.locator("#discipline")
    expect(section).to_contain_text("Khiển trách")
    expect(section).to_contain_text("15-QĐ/ĐU")
    journey.screenshot("discipline_member_page")

    # The cell self-assessed with full points and was appraised: the suggestion now reads the discipline.
    evaluation = OrgEvaluation.objects.get(period=world.period, organization=cell)
    answers = {
        c["code"]: {"points": Decimal(c["max_points"])}
        for c in evaluation.criteria_snapshot.get("criteria", [])
        if c["kind"] == "POINTS"
    }
    evaluation = review.self_assess(
        evaluation=evaluation,
        answers=answers,
        data={"self_grade": "HTXSNV", "tasks_done_pct": 100, "tasks_exceeded_pct": 40, "tasks_late_pct": 0},
        version=evaluation.version,
        submit=True,
        assessed_by=world.users.secretary,
    )
    review.appraise(
        evaluation=evaluation,
        grade="HTXSNV",
        comment="",
        version=evaluation.version,
        appraised_by=world.users.grassroots,
    )

    page = journey.page_for(world.users.staff, DESKTOP)
    page.goto(reverse("evaluations:detail", args=[evaluation.pk]))
    expect(page.locator("#discipline")).to_contain_text("Đảng viên bị kỷ luật: 1")
    journey.select(page.locator("#id_decide-grade"), "HTXSNV")
    journey.fill(page.locator("#id_decide-justification"), "Đồng ý.")
    journey.submit(page, page.locator("button[name=action][value=decide]"))
    expect(page.locator("main")).to_contain_text("quy tắc B13")  # refused: not a written justification
    journey.screenshot("discipline_override_refused")

    journey.select(page.locator("#id_decide-grade"), "HTXSNV")
    journey.fill(page.locator("#id_decide-justification"), JUSTIFICATION)
    journey.fill(page.locator("#id_decide-decision_no"), "15-QĐ/ĐUK")
    journey.fill(page.locator("#id_decide-decision_date"), timezone.localdate().strftime("%d/%m/%Y"))
    journey.submit(page, page.locator("button[name=action][value=decide]"))
    # The summary to confirm names the exception to the cap (#15 item 8) before anything is stored.
    expect(page.locator("#decision-confirm")).to_contain_text("Ngoại lệ")
    page.locator("#id_decide-confirmed").check()
    journey.submit(page, page.locator("#decision-confirm button.btn-primary[type=submit]"))
    expect(page.locator("#cap-override")).to_contain_text(JUSTIFICATION)
    journey.screenshot("discipline_override_recorded")
