"""The rule book (/rules/): every rule and decision of domain.md §8 / §8.1 is in it, no parameter is orphaned,
and the detail page shows the parameters in force for the chosen year with where they come from."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from criteria.models import RegulationDocument, RuleParameterSet
from criteria.rulebook import book
from criteria.rulebook.selectors import segments_of_year
from tests.helpers import count_queries

EXPECTED_CODES = {f"B{n}" for n in range(1, 27)} | {f"D{n}" for n in range(1, 11)}


def test_every_rule_and_decision_is_in_the_book():
    codes = [rule.code for rule in book.RULES]
    assert len(codes) == len(set(codes)), "a code appears twice"
    assert set(codes) == EXPECTED_CODES


def test_every_parameter_named_exists_and_none_is_orphaned():
    named = {key for rule in book.RULES for key in rule.parameters}
    assert named - set(RuleParameterSet.DEFAULTS) == set(), "a rule names a parameter DEFAULTS does not have"
    assert set(RuleParameterSet.DEFAULTS) - named == set(), "a parameter no rule reads: add it to a rule"
    assert set(book.PARAMETER_LABELS) >= set(RuleParameterSet.DEFAULTS), "a parameter has no label"
    assert RuleParameterSet.COMMITTEE_SET <= set(RuleParameterSet.DEFAULTS)


def test_every_place_resolves_and_related_codes_exist():
    for rule in book.RULES:
        assert rule.places, f"{rule.code} says nowhere where it applies"
        for place in rule.places:
            try:
                reverse(place.url_name)
            except NoReverseMatch:  # pragma: no cover - the message says which
                pytest.fail(f"{rule.code}: {place.url_name} does not resolve without arguments")
        assert set(rule.related) <= EXPECTED_CODES, rule.code
        assert rule.certainty in book.Certainty.values
        assert rule.group in book.Group.values
        assert rule.documents or rule.sources or rule.is_decision, f"{rule.code} has no basis"


def test_rules_marked_uncertain_in_the_domain_are_uncertain_in_the_book():
    # domain.md §8 tags B5, B12, B14, B15 and B25 "uncertain"; B9 is provincial practice, not a central rule.
    for code in ("B5", "B9", "B12", "B14", "B15", "B25"):
        rule = book.get(code)
        assert rule.certainty == book.Certainty.UNCERTAIN, code
        assert rule.doubt, f"{code} must say what is uncertain"
    # D2's levels have no source: the committee sets them.
    assert book.get("D2").certainty == book.Certainty.COMMITTEE
    assert all(book.get(f"D{n}").certainty in ("DECIDED", "COMMITTEE") for n in range(1, 11))


@pytest.mark.django_db
def test_every_document_number_is_a_stored_regulation_document():
    numbers = {number for rule in book.RULES for number in rule.documents}
    stored = set(RegulationDocument.objects.filter(number__in=numbers).values_list("number", flat=True))
    assert numbers - stored == set()


@pytest.mark.django_db
def test_segments_follow_parameters_on_day_by_day():
    RuleParameterSet.objects.all().delete()
    old = RuleParameterSet.objects.create(name="Cũ", valid_from=datetime.date(2020, 1, 1))
    new = RuleParameterSet.objects.create(name="Mới", valid_from=datetime.date(2030, 7, 1))

    segments = segments_of_year(2030)

    assert [(s.start, s.end, s.parameter_set) for s in segments] == [
        (datetime.date(2030, 1, 1), datetime.date(2030, 6, 30), old),
        (datetime.date(2030, 7, 1), datetime.date(2030, 12, 31), new),
    ]
    assert [s.parameter_set for s in segments_of_year(2019)] == [None]
    assert segments_of_year(2019)[0].whole_year


@pytest.mark.django_db
def test_B12_page_shows_the_quota_in_force_for_the_year_with_its_set_and_basis(client_for):
    # The seeded 2025 set (QĐ 366) does not name the quota: the default 20 applies and is marked so.
    response = client_for("secretary").get(reverse("rules:detail", args=["B12"]) + "?year=2025")

    assert response.status_code == 200
    page = response.content.decode()
    assert "htxs_quota_pct_of_htt" in page
    assert "QĐ 366-QĐ/TW, HD 43-HD/BTCTW, HD 42-HD/BTCTW (từ 2025)" in page
    assert "43-HD/BTCTW" in page
    row = response.context["parameters"][0]
    assert row.key == "htxs_quota_pct_of_htt"
    assert [(v.value, v.is_default) for v in row.values] == [("20", True)]
    # The secretary neither edits nor is told how to.
    assert reverse("admin:criteria_ruleparameterset_changelist") not in page


@pytest.mark.django_db
def test_a_value_named_by_the_set_is_not_marked_default_and_committee_keys_are_marked(client_for):
    parameter_set = RuleParameterSet.objects.get(valid_from=datetime.date(2025, 1, 1))
    parameter_set.values = {**parameter_set.values, "late_grace_days": 5}
    parameter_set.save()

    response = client_for("staff").get(reverse("rules:detail", args=["D6"]) + "?year=2026")

    row = response.context["parameters"][0]
    assert [(v.value, v.is_default) for v in row.values] == [("5", False)]
    assert row.committee_set
    page = response.content.decode()
    # Staff (MANAGE_TREE, not superuser) are told where to change it; only a superuser gets the admin link.
    assert reverse("admin:criteria_ruleparameterset_changelist") not in page
    assert response.context["can_manage"]
    admin_page = client_for("admin").get(reverse("rules:detail", args=["D6"]) + "?year=2026").content.decode()
    assert reverse("admin:criteria_ruleparameterset_change", args=[parameter_set.pk]) in admin_page


@pytest.mark.django_db
def test_unknown_code_is_404_and_a_bad_year_falls_back_with_a_message(client_for):
    client = client_for("staff")
    assert client.get(reverse("rules:detail", args=["B99"])).status_code == 404

    response = client.get(reverse("rules:list") + "?year=99999", follow=False)

    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


@pytest.mark.django_db
def test_list_shows_every_rule_with_its_badge_and_a_bounded_number_of_queries(client_for):
    client = client_for("secretary")
    response = client.get(reverse("rules:list"))
    page = response.content.decode()
    for code in EXPECTED_CODES:
        assert f'id="rule-{code}"' in page
    assert page.count("bi-question-circle") >= 6  # the uncertain rules carry the badge

    # Session, user, grants, member link, notifications, session save: the rest is 2 (sets, their basis) + 1
    # (the rule's documents), whatever the number of parameter sets.
    list_queries = count_queries(client, reverse("rules:list"))
    detail_queries = count_queries(client, reverse("rules:detail", args=["B3"]) + "?year=2024")
    assert list_queries <= 10
    assert detail_queries <= 11
    for month in (3, 6, 9):
        RuleParameterSet.objects.create(name=f"Tạm {month}", valid_from=datetime.date(2024, month, 1))
    assert count_queries(client, reverse("rules:list") + "?year=2024") == list_queries
    assert count_queries(client, reverse("rules:detail", args=["B3"]) + "?year=2024") == detail_queries


LINK = re.compile(
    r"""rules:detail['"],?\s*(?:args=\[)?\s*['"](?P<a>[A-Za-z0-9]+)['"]"""
    r"""|rule_link\.html['"]\s+with\s+code=['"](?P<b>[A-Za-z0-9]+)['"]"""
)


def test_every_link_to_the_rule_book_names_a_rule_in_it():
    # Pages link a result to its rule with {% url 'rules:detail' 'B12' %} or the rule_link include: a typo would
    # only show as a 404 when someone clicks.
    root = Path(__file__).resolve().parents[2]
    found: dict[str, set[str]] = {}
    for folder in ("templates", "cells", "members", "meetings", "criteria", "evaluations", "reports", "config"):
        for path in (root / folder).rglob("*"):
            if path.suffix not in (".html", ".py") or not path.is_file():
                continue
            for match in LINK.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(match.group("a") or match.group("b"), set()).add(str(path.relative_to(root)))
    assert found, "no link to the rule book was found"
    unknown = {code: sorted(paths) for code, paths in found.items() if book.get(code) is None}
    assert unknown == {}


@pytest.mark.django_db
def test_D4_page_shows_the_eligibility_per_programme_by_name(client_for):
    response = client_for("secretary").get(reverse("rules:detail", args=["D4"]) + "?year=2025")

    eligibility = next(row for row in response.context["parameters"] if row.key == "programme_eligibility")
    assert eligibility.values[0].value == (
        "Chi bộ kiểu mẫu: theo quy tắc B21 (kết quả xếp loại các năm trước); "
        "Chi bộ bốn tốt: không có điều kiện (cấp ủy cấp trên chọn)"
    )
