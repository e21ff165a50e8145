"""The registers of decisions D9 and D10 (domain.md §8.1) and their places in the yearly report.

- D9 / B25: a "Dân vận khéo" register per organisation and year; a recognised model scores within
  dan_van_kheo_min_score..dan_van_kheo_max_score of the parameters in force for its year (75–100 by default);
  "recognised with < 75" cannot be recorded.
- D10: e-handbook use per member (B23 "100 % of members use it" is then computed: metric ehandbook_pct) and the
  QĐ 213 residence feedback, shown in the member's yearly rating.
Each figure below is counted by hand from the rule's text.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from cells.models import AuditEntry
from criteria.models import RuleParameterSet
from evaluations.mass_mobilisation import services as registers
from evaluations.metrics import metrics_for
from evaluations.models import MassMobilisationModel
from members import services as member_services
from members.models import Member, ResidenceFeedback
from members.residence import services as residence
from tests import helpers

pytestmark = pytest.mark.django_db

Level = MassMobilisationModel.Level
ECONOMY = MassMobilisationModel.Field.ECONOMY
Assessment = ResidenceFeedback.Assessment


def dvk(organization, year, *, level="", score=None, name="Mô hình dân vận khéo", by=None):
    return registers.model_create(
        organization=organization,
        year=year,
        data={"name": name, "field": ECONOMY, "level": level, "score": score, "decision_no": "", "notes": ""},
        created_by=by,
    )


def feedback(member, year, assessment=Assessment.GOOD, *, received_on=None, by=None):
    return residence.feedback_record(
        member=member,
        data={
            "year": year,
            "received_on": received_on or datetime.date(year, 12, 20),
            "residence_organization": "Chi bộ tổ dân phố 5",
            "assessment": assessment,
            "text": "Gương mẫu nơi cư trú.",
        },
        recorded_by=by,
    )


#
# D9 / B25
#


def test_D9_score_range_from_parameters(world):
    # The committee raises the floor to 80 from 2030: the range of a model is that of the parameters in force for
    # its year, and the range used is stored with it.
    RuleParameterSet.objects.create(
        name="Khối 2030", valid_from=datetime.date(2030, 1, 1), values={"dan_van_kheo_min_score": 80}
    )
    a1 = world.tree.a1

    with pytest.raises(ValidationError) as refused:
        dvk(a1, 2030, level=Level.BLOC, score=Decimal("78"))
    assert "score" in refused.value.message_dict
    assert "80" in refused.value.message_dict["score"][0]

    kept = dvk(a1, 2029, level=Level.BLOC, score=Decimal("78"))  # 2029: the defaults, 75–100
    assert kept.parameters_snapshot == {"dan_van_kheo_min_score": "75", "dan_van_kheo_max_score": "100"}
    assert dvk(a1, 2030, level=Level.BLOC, score=Decimal("80")).parameters_snapshot["dan_van_kheo_min_score"] == "80"
    with pytest.raises(ValidationError):
        dvk(a1, 2029, level=Level.PROVINCE, score=Decimal("100.5"))  # above the maximum


def test_B25_a_model_recognised_below_75_is_refused_an_unrecognised_one_is_kept(world):
    a1 = world.tree.a1

    with pytest.raises(ValidationError) as refused:
        dvk(a1, 2025, level=Level.GRASSROOTS, score=Decimal("74.5"))
    assert list(refused.value.message_dict) == ["score"]
    with pytest.raises(ValidationError):
        dvk(a1, 2025, level=Level.GRASSROOTS, score=None)  # recognised: the score is required

    assessed = dvk(a1, 2025, level="", score=Decimal("74.5"))  # assessed, not recognised
    recognised = dvk(a1, 2025, level=Level.GRASSROOTS, score=Decimal("75"))
    assert (assessed.is_recognised, recognised.is_recognised) == (False, True)
    assert MassMobilisationModel.objects.count() == 2

    # Editing a recorded model is held to the same range.
    with pytest.raises(ValidationError):
        registers.model_update(
            model=assessed,
            data={"name": assessed.name, "field": ECONOMY, "level": Level.BLOC, "score": Decimal("74.5")},
            version=assessed.version,
            updated_by=world.personas.staff,
        )
    assessed.refresh_from_db()
    assert assessed.level == ""


def test_D9_register_page_lists_the_scope_and_refuses_a_score_out_of_range(world, client_for):
    dvk(world.tree.a1, 2025, level=Level.BLOC, score=Decimal("90"), name="Dân vận khéo A1")
    dvk(world.tree.b1, 2025, level=Level.BLOC, score=Decimal("92"), name="Dân vận khéo B1")
    url = reverse("massmobilisation:index")

    page = client_for("grassroots").get(url, {"year": 2025}).content.decode()  # Đảng bộ A: not B1
    assert "Dân vận khéo A1" in page and "Dân vận khéo B1" not in page
    assert "75" in page and "100" in page  # the range of the year is shown

    create = reverse("massmobilisation:create", args=[world.tree.a1.pk])
    form = client_for("grassroots").get(create, {"year": 2025}).content.decode()
    assert "75" in form and "100" in form  # under the score box
    response = client_for("grassroots").post(
        create, {"year": 2025, "name": "Mô hình 60 điểm", "field": ECONOMY, "level": Level.GRASSROOTS, "score": "60"}
    )
    assert response.status_code == 200  # the form again, with the refusal on the score
    assert not MassMobilisationModel.objects.filter(name="Mô hình 60 điểm").exists()
    response = client_for("grassroots").post(
        create,
        {"year": 2025, "name": "Mô hình 82,5 điểm", "field": ECONOMY, "level": Level.GRASSROOTS, "score": "82,5"},
    )
    assert response.status_code == 302
    assert MassMobilisationModel.objects.get(name="Mô hình 82,5 điểm").score == Decimal("82.5")


def test_D9_register_page_queries_do_not_grow_with_its_rows(world, client_for):
    client = client_for("staff")
    url = reverse("massmobilisation:index") + "?year=2025"
    dvk(world.tree.a1, 2025, level=Level.BLOC, score=Decimal("90"))
    few = helpers.count_queries(client, url)
    for n, cell in enumerate((world.tree.a1, world.tree.a2, world.tree.b1, world.tree.b2, world.tree.c) * 4):
        dvk(cell, 2025, level=Level.GRASSROOTS, score=Decimal(80 + n % 20), name=f"Mô hình {n}")
    assert helpers.count_queries(client, url) == few


@helpers.labelled("A1-model")
def model_in_a1(world):
    return {"pk": dvk(world.tree.a1, 2025, level=Level.BLOC, score=Decimal("88")).pk}


@helpers.labelled("member-other-feedback")
def feedback_of_other(world):
    return {"pk": world.members.other.pk, "feedback_pk": feedback(world.members.other, 2025).pk}


L, R = helpers.LOGIN, helpers.REDIRECT
node = helpers.tree_node
org_node = lambda name: helpers.tree_node(name, key="org_pk")  # noqa: E731
member = lambda which: helpers.labelled(f"member-{which}")(lambda world: {"pk": getattr(world.members, which).pk})  # noqa: E731

# fmt: off
REGISTERS_SPEC = [
    # url name                     method  kwargs               anon admin staff leader grass secr member outs norole
    ("massmobilisation:index",     "get",  helpers.no_args,     L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("massmobilisation:create",    "get",  org_node("a1"),      L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("massmobilisation:create",    "get",  org_node("b1"),      L,   200,  200,  403,   404,  404, 404,   403, 404),
    ("massmobilisation:create",    "post", org_node("a1"),      L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("massmobilisation:edit",      "get",  model_in_a1,         L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("massmobilisation:edit",      "post", model_in_a1,         L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("massmobilisation:delete",    "get",  model_in_a1,         L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("massmobilisation:delete",    "post", model_in_a1,         L,   R,    R,    403,   R,    403, 404,   404, 404),
    ("members:residence_create",   "get",  member("other"),     L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("members:residence_create",   "post", member("other"),     L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("members:residence_edit",     "get",  feedback_of_other,   L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("members:residence_delete",   "get",  feedback_of_other,   L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("members:residence_delete",   "post", feedback_of_other,   L,   R,    R,    403,   R,    403, 404,   404, 404),
]
# fmt: on


@helpers.matrix(REGISTERS_SPEC)
def test_register_url_gives_expected_response_for_persona(world, client_for, case):
    def state():
        return (
            MassMobilisationModel.objects.count(),
            ResidenceFeedback.objects.count(),
            AuditEntry.objects.count(),
        )

    helpers.check_matrix_case(world, client_for, case, state=state)


#
# D10
#


def add_member(world, cell, name, card, status=Member.Status.FULL):
    return member_services.member_create(
        organization=cell, full_name=name, status=status, party_card_no=card, created_by=world.personas.admin
    )


def uses_ehandbook(member, since):
    Member.objects.filter(pk=member.pk).update(ehandbook_since=since)


def test_D10_yearly_report_counts_the_year_s_feedback_and_the_handbook_by_the_year_s_end(world):
    # A1: An uses the e-handbook since 12/2025, Cường since 01/2026; An has feedback for 2024 and 2025, Bình for
    # 2024 only; an exempt member with feedback is not counted (the figures are of members taking part).
    members = world.members
    uses_ehandbook(members.own, datetime.date(2025, 12, 31))
    uses_ehandbook(members.probationary, datetime.date(2026, 1, 1))
    feedback(members.own, 2024)
    feedback(members.own, 2025)
    feedback(members.other, 2024)
    exempt = add_member(world, world.tree.a1, "Mai Văn Miễn", "01.000009")
    feedback(exempt, 2025)
    Member.objects.filter(pk=exempt.pk).update(status=Member.Status.EXEMPT)
    on_a1 = Member.objects.filter(organization=world.tree.a1)

    assert residence.d10_counts(on_a1, year=2025) == {"members": 3, "ehandbook": 1, "feedback": 1}
    assert residence.d10_counts(on_a1, year=2024) == {"members": 3, "ehandbook": 0, "feedback": 2}
    assert residence.d10_counts(on_a1, year=2026) == {"members": 3, "ehandbook": 2, "feedback": 0}


def test_D10_ehandbook_pct(world):
    # A1: An (full) since 05/2023, Cường (probationary) since 02/2025, Bình (full) not using it, and an exempt
    # member using it, who is not counted (the e-handbook is for full and probationary members, QĐ 339).
    members = world.members
    uses_ehandbook(members.own, datetime.date(2023, 5, 1))
    uses_ehandbook(members.probationary, datetime.date(2025, 2, 1))
    exempt = add_member(world, world.tree.a1, "Mai Văn Miễn", "01.000009")
    Member.objects.filter(pk=exempt.pk).update(status=Member.Status.EXEMPT, ehandbook_since=datetime.date(2020, 1, 1))
    a1, a2 = world.tree.a1, world.tree.a2

    assert metrics_for(organizations=[a1, a2], year=2022)[a1.pk]["ehandbook_pct"] == Decimal("0.0")  # 0 of 3
    assert metrics_for(organizations=[a1], year=2024)[a1.pk]["ehandbook_pct"] == Decimal("33.3")  # 1 of 3
    assert metrics_for(organizations=[a1], year=2025)[a1.pk]["ehandbook_pct"] == Decimal("66.7")  # 2 of 3
    uses_ehandbook(members.other, datetime.date(2025, 12, 31))
    assert metrics_for(organizations=[a1], year=2025)[a1.pk]["ehandbook_pct"] == Decimal("100.0")  # 3 of 3
    assert metrics_for(organizations=[a2], year=2025)[a2.pk]["ehandbook_pct"] is None  # nobody on A2's roll
    # A member admitted in 2026 was not a member in 2025: not counted for that year (A1 stays 3 of 3).
    newcomer = add_member(world, a1, "Hồ Văn Mới", "01.000010")
    Member.objects.filter(pk=newcomer.pk).update(admitted_on=datetime.date(2026, 3, 1))
    assert metrics_for(organizations=[a1], year=2025)[a1.pk]["ehandbook_pct"] == Decimal("100.0")


def test_D10_ehandbook_date_is_edited_on_the_member_form_and_shown_on_the_record(world, client_for):
    other = world.members.other
    edit = reverse("members:edit", args=[other.pk])
    response = client_for("secretary").post(
        edit,
        {
            "full_name": other.full_name,
            "party_card_no": other.party_card_no,
            "ehandbook_since": "2024-03-15",
            "version": other.version,
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.ehandbook_since == datetime.date(2024, 3, 15)
    page = client_for("secretary").get(reverse("members:detail", args=[other.pk])).content.decode()
    assert "15/03/2024" in page


def test_D10_residence_feedback_one_per_year_not_received_before_the_year(world):
    other = world.members.other
    feedback(other, 2024, Assessment.GOOD)
    with pytest.raises(ValidationError) as twice:
        feedback(other, 2024, Assessment.FAIR)
    assert list(twice.value.message_dict) == ["year"]
    with pytest.raises(ValidationError) as early:
        feedback(other, 2025, received_on=datetime.date(2024, 12, 31))
    assert list(early.value.message_dict) == ["received_on"]
    assert ResidenceFeedback.objects.filter(member=other).count() == 1


@time_machine.travel("2026-02-10 09:00 +0700", tick=False)
def test_D10_residence_feedback_shown_in_rating(world, client_for):
    period = helpers.open_period(world, year=2025)
    feedback(world.members.other, 2025, Assessment.FAIR)
    feedback(world.members.own, 2024, Assessment.GOOD)  # another year: not this rating's input

    page = client_for("grassroots").get(reverse("ratings:table", args=[period.pk, world.tree.a1.pk])).content.decode()

    rows = {}
    for chunk in page.split('data-residence="')[1:]:
        pk, rest = chunk.split('"', 1)
        rows[int(pk)] = rest.split("</div>", 1)[0]
    assert len(rows) == 3  # An, Bình, Cường
    by_member = {row.member_id: rows[row.pk] for row in period.member_evaluations.filter(organization=world.tree.a1)}
    assert gettext("Not yet good") in by_member[world.members.other.pk]
    assert gettext("no feedback yet") in by_member[world.members.own.pk]
    assert gettext("no feedback yet") in by_member[world.members.probationary.pk]


#
# The yearly report's sections (D9, D10)
#


@time_machine.travel("2026-03-01 09:00 +0700", tick=False)
def test_D9_D10_report_sections_count_by_level_and_members(world):
    from reports.building import report_build
    from reports.models import Report
    from reports.services import report_request
    from tests.reports.test_report_kinds import stored, xlsx_tables

    tree, members = world.tree, world.members
    # 2025: A1 grassroots level 80, A2 bloc level 90, B1 bloc level 95, C assessed only (70); a 2024 model of A1.
    dvk(tree.a1, 2025, level=Level.GRASSROOTS, score=Decimal("80"))
    dvk(tree.a2, 2025, level=Level.BLOC, score=Decimal("90"))
    dvk(tree.b1, 2025, level=Level.BLOC, score=Decimal("95"))
    dvk(tree.c, 2025, score=Decimal("70"))
    dvk(tree.a1, 2024, level=Level.PROVINCE, score=Decimal("99"))
    # Members taking part: An, Bình, Cường (A1) and Phú (B1) = 4. E-handbook by the end of 2025: An, Phú = 2.
    # Residence feedback on 2025: Bình = 1 (Cường's is on 2024).
    phu = add_member(world, tree.b1, "Trịnh Văn Phú", "02.000009")
    uses_ehandbook(members.own, datetime.date(2024, 1, 1))
    uses_ehandbook(phu, datetime.date(2025, 6, 1))
    uses_ehandbook(members.other, datetime.date(2026, 1, 5))  # after 2025
    feedback(members.other, 2025)
    feedback(members.probationary, 2024)

    counts = registers.level_counts(user=world.personas.grassroots, root=tree.a, year=2025)  # Đảng bộ A only
    assert [(level, n) for level, _label, n in counts["levels"]] == [
        ("CO_SO", 1),
        ("KHOI", 1),
        ("TINH", 0),
        ("TRUNG_UONG", 0),
    ]

    staff = world.personas.staff
    report = report_request(user=staff, organization=tree.root, kind=Report.Kind.EVALUATION, year=2025)
    built = report_build(report_id=report.pk, as_user=staff)
    built.refresh_from_db()
    assert built.status == Report.Status.DONE, built.error

    assert built.figures["mass_mobilisation_models"] == {"CO_SO": 1, "KHOI": 2, "TINH": 0, "TRUNG_UONG": 0}
    assert built.figures["mass_mobilisation_recognised"] == 3
    assert built.figures["members_taking_part"] == 4
    assert built.figures["ehandbook_members"] == 2
    assert built.figures["residence_feedback_members"] == 1
    sheets = xlsx_tables(stored(built.xlsx))
    assert sheets[gettext("Dan van kheo")][2:] == [
        (str(Level.GRASSROOTS.label), 1),
        (str(Level.BLOC.label), 2),
        (str(Level.PROVINCE.label), 0),
        (str(Level.NATIONAL.label), 0),
        (gettext("Recognised in all"), 3),
        (gettext("Assessed, not recognised"), 1),
    ]
    assert sheets[gettext("E-handbook")][2:] == [
        (gettext("Members using the e-handbook"), 2, 4, 50),
        (gettext("Members with feedback from their place of residence (QĐ 213)"), 1, 4, 25),
    ]
