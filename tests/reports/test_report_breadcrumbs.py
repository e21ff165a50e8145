"""Item 10 of #15: /reports/ and a report's page sit under their organisation's breadcrumbs like other pages."""

import re

import pytest
from django.urls import reverse

from reports.models import Report
from reports.services import report_request

pytestmark = pytest.mark.django_db


def _crumbs(html: str) -> list[str]:
    nav = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', html, re.S)
    assert nav, "no breadcrumbs"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S)]


def test_report_index_has_breadcrumbs(world, client_for):
    html = client_for("grassroots").get(reverse("reports:index")).content.decode()
    crumbs = _crumbs(html)
    assert crumbs[-1] == "Báo cáo"
    assert world.tree.a.name in crumbs


def test_report_detail_has_breadcrumbs_back_to_the_reports(world, client_for):
    report = report_request(
        user=world.personas.grassroots, organization=world.tree.a, kind=Report.Kind.COMPLIANCE, year=2025
    )
    html = client_for("grassroots").get(reverse("reports:detail", args=[report.pk])).content.decode()
    crumbs = _crumbs(html)
    assert crumbs[-2:] == ["Báo cáo", str(report.get_kind_display())]
    assert f'href="{reverse("reports:index")}?org={world.tree.a.pk}"' in html
