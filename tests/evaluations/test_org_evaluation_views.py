"""The yearly review pages through the test client: the three steps on A1's evaluation by the persona of each step,
404 outside the user's subtree and 403 inside it when the role is too weak (with nothing changed), the stale-version
message with the user's input kept, the history table, the period page scoped to the user, and opening a year.

Today is frozen on 10/02/2026; the review is for 2025 under the seeded QĐ 366 parameters, against a criteria set
built here (1.1 of 30 points, 2.1 of 70 points, 2.2 a met/not met hard condition capping at HTNV).
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cells.models import AuditEntry
from criteria.models import CriteriaSet, Criterion, CriterionGroup
from evaluations.models import EvaluationPeriod, Grade, OrgEvaluation
from evaluations.review import services
from tests import helpers

pytestmark = pytest.mark.django_db

G = Grade
Status = OrgEvaluation.Status
YEAR = 2025
STALE_MESSAGE = (
    "Someone else saved changes here after you opened this page. The values now saved are shown under the "
    "fields; your input is kept: check it, then save again to apply it."
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


@pytest.fixture
def period(world) -> EvaluationPeriod:
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    criteria_set = CriteriaSet.objects.create(
        name="Frame for the views", programme=CriteriaSet.Programme.CLASSIFICATION, year_from=2023
    )
    general = CriterionGroup.objects.create(criteria_set=criteria_set, code="I", title="General criteria", order=1)
    tasks = CriterionGroup.objects.create(criteria_set=criteria_set, code="II", title="Task results", order=2)
    Criterion.objects.create(
        criteria_set=criteria_set, group=general, code="1.1", text="Political work", max_points=30, order=1
    )
    Criterion.objects.create(criteria_set=criteria_set, group=tasks, code="2.1", text="Tasks", max_points=70, order=2)
    Criterion.objects.create(
        criteria_set=criteria_set,
        group=tasks,
        code="2.2",
        text="Minutes kept",
        kind=Criterion.Kind.CHECK,
        hard_condition=True,
        cap_grade="HTNV",
        order=3,
    )
    return helpers.open_period(world, year=YEAR)


def evaluation_of(period, organization) -> OrgEvaluation:
    return OrgEvaluation.objects.get(period=period, organization=organization)


@pytest.fixture
def a1(world, period) -> OrgEvaluation:
    return evaluation_of(period, world.tree.a1)


def detail(evaluation) -> str:
    return reverse("evaluations:detail", args=[evaluation.pk])


def reload(evaluation) -> OrgEvaluation:
    return OrgEvaluation.objects.get(pk=evaluation.pk)


def self_post(evaluation, action="save", **changes) -> dict:
    """The self-assessment form as the page posts it: 25 + 55 = 80 points, every task done, grade HTTNV."""
    data = {
        "action": action,
        "self-version": str(reload(evaluation).version),
        "self-self_grade": G.GOOD,
        "self-tasks_done_pct": "100",
        "self-tasks_exceeded_pct": "40",
        "self-tasks_late_pct": "0",
        "self-units_disciplined_pct": "0",
        "self-self_comment": "Our yearly report",
        "points-1.1": "25",
        "points-2.1": "55",
        "met-2.2": "on",
        "evidence-1.1": "Minutes book",
    }
    data.update(changes)
    return data


def step_post(evaluation, action: str, **fields) -> dict:
    """The form of one step (appraise, decide, return, reopen) as the page posts it: `fields` under the action's
    prefix, with the version read now unless given."""
    fields.setdefault("version", str(reload(evaluation).version))
    return {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}


def appraise_post(evaluation, grade=G.GOOD, **fields) -> dict:
    return step_post(evaluation, "appraise", **({"grade": grade, "comment": "Agreed"} | fields))


def decide_post(evaluation, grade=G.GOOD, *, confirmed=True, **fields) -> dict:
    """The decision as sent from its confirmation summary with "I confirm" ticked (`confirmed`), or as first sent
    from the form (not `confirmed`: answered with the summary, nothing stored)."""
    fields = {"grade": grade, "justification": "", "decision_no": "15-QĐ/ĐUK", "decision_date": "2026-01-15"} | fields
    if confirmed:
        fields |= {"step": "confirm", "confirmed": "on"}
    return step_post(evaluation, "decide", **fields)


def reason_post(evaluation, action, reason="A reason") -> dict:
    return step_post(evaluation, action, reason=reason, confirmed="on")


def post_for(action: str, evaluation) -> dict:
    if action in ("save", "submit"):
        return self_post(evaluation, action)
    if action == "appraise":
        return appraise_post(evaluation)
    if action == "decide":
        return decide_post(evaluation)
    return reason_post(evaluation, action)


def snapshot(evaluation) -> dict:
    evaluation = reload(evaluation)
    return {
        "version": evaluation.version,
        "row": {f: str(getattr(evaluation, f)) for f in services.TRACKED_FIELDS},
        "answers": sorted(evaluation.answers.values_list("code", "points", "met")),
        "audit": AuditEntry.objects.filter(target_type="evaluations.orgevaluation", target_id=evaluation.pk).count(),
    }


def submitted(world, evaluation) -> OrgEvaluation:
    return services.self_assess(
        evaluation=evaluation,
        answers={"1.1": {"points": 25}, "2.1": {"points": 55}, "2.2": {"met": True}},
        data={"self_grade": G.GOOD, "tasks_done_pct": 100, "tasks_exceeded_pct": 40, "tasks_late_pct": 0},
        version=evaluation.version,
        submit=True,
        assessed_by=world.personas.secretary,
    )


def appraised(world, evaluation) -> OrgEvaluation:
    evaluation = submitted(world, evaluation)
    return services.appraise(
        evaluation=evaluation,
        grade=G.GOOD,
        comment="",
        version=evaluation.version,
        appraised_by=world.personas.grassroots,
    )


#
# The three steps, each by its persona
#


def test_secretary_saves_a_draft_then_submits_the_self_assessment(world, client_for, a1):
    client = client_for("secretary")
    page = client.get(detail(a1))
    assert page.status_code == 200
    assert b'name="points-1.1"' in page.content
    assert b'name="self-self_grade"' in page.content

    response = client.post(detail(a1), self_post(a1, "save"))

    assert response.status_code == 302
    assert response.url == detail(a1)
    evaluation = reload(a1)
    assert evaluation.status == Status.NOT_STARTED
    assert evaluation.self_score == 80
    assert evaluation.suggested_grade == G.GOOD
    assert evaluation.self_comment == "Our yearly report"
    assert dict(evaluation.answers.values_list("code", "points")) == {"1.1": 25, "2.1": 55, "2.2": None}
    assert evaluation.answers.get(code="2.2").met is True
    assert evaluation.answers.get(code="1.1").evidence == "Minutes book"

    response = client.post(detail(a1), self_post(a1, "submit"))

    assert response.status_code == 302
    evaluation = reload(a1)
    assert evaluation.status == Status.SELF_ASSESSED
    assert evaluation.self_grade == G.GOOD
    # Until the appraisal the secretary may still correct it; afterwards the form is gone.
    assert b'name="points-1.1"' in client.get(detail(a1)).content
    evaluation = services.appraise(
        evaluation=evaluation,
        grade=G.GOOD,
        comment="",
        version=evaluation.version,
        appraised_by=world.personas.grassroots,
    )
    assert b'name="points-1.1"' not in client.get(detail(a1)).content
    assert client.post(detail(a1), self_post(a1, "save")).status_code == 403


def test_secretary_cannot_give_more_points_than_the_maximum(client_for, a1):
    before = snapshot(a1)

    response = client_for("secretary").post(detail(a1), self_post(a1, "save", **{"points-1.1": "31"}))

    assert response.status_code == 200
    assert response.context["self_form"].non_field_errors()
    assert snapshot(a1) == before


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("grassroots", True), ("staff", True), ("admin", True), ("secretary", False), ("leader", False)],
)
def test_the_appraisal_form_is_shown_only_to_the_grassroots_committee_and_staff(world, client_for, a1, persona, shown):
    submitted(world, a1)

    response = client_for(persona).get(detail(a1))

    assert response.status_code == 200
    assert (b'name="appraise-grade"' in response.content) is shown
    assert response.context["may_appraise"] is shown


def test_the_grassroots_committee_does_not_appraise_itself(world, client_for, period):
    evaluation = submitted(world, evaluation_of(period, world.tree.a))
    client = client_for("grassroots")

    assert b'name="appraise-grade"' not in client.get(detail(evaluation)).content
    before = snapshot(evaluation)
    assert client.post(detail(evaluation), appraise_post(evaluation)).status_code == 403
    assert snapshot(evaluation) == before


def test_secretary_posting_the_appraisal_gets_403_and_nothing_changes(world, client_for, a1):
    submitted(world, a1)
    before = snapshot(a1)

    response = client_for("secretary").post(detail(a1), appraise_post(a1))

    assert response.status_code == 403
    assert snapshot(a1) == before


def test_grassroots_appraises_and_staff_decide(world, client_for, a1):
    submitted(world, a1)

    response = client_for("grassroots").post(detail(a1), appraise_post(a1, G.GOOD, comment="Fair"))

    assert response.status_code == 302
    evaluation = reload(a1)
    assert evaluation.status == Status.APPRAISED
    assert evaluation.appraisal_grade == G.GOOD
    assert evaluation.appraisal_comment == "Fair"

    # The grassroots committee does not decide.
    before = snapshot(a1)
    assert client_for("grassroots").post(detail(a1), decide_post(a1)).status_code == 403
    assert snapshot(a1) == before

    staff = client_for("staff")
    assert b'name="decide-grade"' in staff.get(detail(a1)).content
    response = staff.post(detail(a1), decide_post(a1, G.GOOD))

    assert response.status_code == 302
    evaluation = reload(a1)
    assert evaluation.status == Status.DECIDED
    assert evaluation.final_grade == G.GOOD
    assert evaluation.decided_by == world.personas.staff
    assert evaluation.decision_no == "15-QĐ/ĐUK"


def test_staff_deciding_against_the_suggestion_without_justification_see_the_error(world, client_for, a1):
    appraised(world, a1)
    before = snapshot(a1)

    response = client_for("staff").post(detail(a1), decide_post(a1, G.FULFILLED))

    assert response.status_code == 200
    assert "justification" in response.context["decision_form"].errors
    assert snapshot(a1) == before

    response = client_for("staff").post(detail(a1), decide_post(a1, G.FULFILLED, justification="Two targets missed"))
    assert response.status_code == 302
    assert reload(a1).final_grade == G.FULFILLED
    assert reload(a1).justification == "Two targets missed"


def test_staff_deciding_htxsnv_first_is_accepted(world, client_for, a1):
    # D3 (was: refused, "20% of no HTTNV cell leaves no HTXSNV place"): the order of decisions never matters; the
    # quota is checked when the year is locked.
    appraised(world, a1)

    response = client_for("staff").post(detail(a1), decide_post(a1, G.EXCELLENT, justification="Outstanding year"))

    assert response.status_code == 302
    assert reload(a1).final_grade == G.EXCELLENT


def test_staff_return_and_reopen_with_a_reason(world, client_for, a1):
    appraised(world, a1)
    staff = client_for("staff")

    assert staff.post(detail(a1), reason_post(a1, "return", "Attach the minutes")).status_code == 302
    assert reload(a1).status == Status.RETURNED
    assert reload(a1).return_reason == "Attach the minutes"

    evaluation = appraised(world, reload(a1))
    services.decide(
        evaluation=evaluation,
        grade=G.GOOD,
        justification="",
        decision_no="15-QĐ/ĐUK",
        decision_date=datetime.date(2026, 1, 15),
        version=evaluation.version,
        decided_by=world.personas.staff,
    )
    response = staff.post(detail(a1), reason_post(a1, "reopen", ""))
    assert response.status_code == 200
    assert reload(a1).status == Status.DECIDED

    assert staff.post(detail(a1), reason_post(a1, "reopen", "Complaint upheld")).status_code == 302
    assert reload(a1).status == Status.APPRAISED
    assert AuditEntry.objects.filter(action="evaluations.evaluation.reopened", message="Complaint upheld").exists()


#
# 404 outside the subtree, 403 inside it
#


ACTIONS = ("save", "submit", "appraise", "decide", "return", "reopen")


def test_a_secretary_of_another_cell_gets_404_and_nothing_changes(world, client_for, a1):
    submitted(world, a1)
    before = snapshot(a1)
    client = client_for("outsider")

    assert client.get(detail(a1)).status_code == 404
    for action in ACTIONS:
        assert client.post(detail(a1), post_for(action, a1)).status_code == 404, action

    assert snapshot(a1) == before


@pytest.mark.parametrize("stage", ["not started", "submitted", "appraised"])
def test_a_leader_sees_the_page_but_every_post_is_403(world, client_for, a1, stage):
    if stage == "submitted":
        submitted(world, a1)
    elif stage == "appraised":
        appraised(world, a1)
    before = snapshot(a1)
    client = client_for("leader")

    page = client.get(detail(a1))
    assert page.status_code == 200
    assert b'name="action"' not in page.content  # no action button at all
    for action in ACTIONS:
        assert client.post(detail(a1), post_for(action, a1)).status_code == 403, action

    assert snapshot(a1) == before


@pytest.mark.parametrize(
    ("persona", "organization"),
    [("secretary", "b1"), ("secretary", "a2"), ("grassroots", "c"), ("grassroots", "b"), ("outsider", "a1")],
)
def test_a_forged_evaluation_id_of_another_subtree_is_404(world, client_for, period, persona, organization):
    evaluation = evaluation_of(period, getattr(world.tree, organization))
    before = snapshot(evaluation)
    client = client_for(persona)

    assert client.get(detail(evaluation)).status_code == 404
    assert client.post(detail(evaluation), self_post(evaluation, "submit")).status_code == 404
    assert snapshot(evaluation) == before


def test_an_unknown_evaluation_id_is_404(client_for, period):
    missing = (OrgEvaluation.objects.order_by("-pk").first().pk or 0) + 1000

    assert client_for("staff").get(reverse("evaluations:detail", args=[missing])).status_code == 404


#
# Optimistic locking on the page
#


def read_then_saved_by_another(world, evaluation, **data) -> int:
    """The version the user read, after which the grassroots committee saves the same evaluation (20 points for 1.1
    and `data`)."""
    read_version = reload(evaluation).version
    services.self_assess(
        evaluation=evaluation,
        answers={"1.1": {"points": 20}},
        data=data,
        version=read_version,
        submit=False,
        assessed_by=world.personas.grassroots,
    )
    return read_version


def test_a_stale_version_shows_the_message_and_keeps_the_users_input(world, client_for, a1):
    client = client_for("secretary")
    read_version = read_then_saved_by_another(world, a1, self_comment="Their text")
    before = snapshot(a1)

    response = client.post(
        detail(a1),
        self_post(
            a1,
            "submit",
            **{"self-version": str(read_version), "self-self_comment": "My own text", "self-tasks_done_pct": "95"},
        ),
    )

    assert response.status_code == 200
    with translation.override("vi"):
        expected = gettext(STALE_MESSAGE)
    assert expected in response.context["self_form"].non_field_errors()
    assert b"alert-danger" in response.content
    content = response.content.decode()
    assert "My own text" in content
    assert 'value="95"' in content
    assert snapshot(a1) == before


def test_a_stale_version_keeps_the_points_the_user_typed(world, client_for, a1):
    client = client_for("secretary")
    read_version = read_then_saved_by_another(world, a1)

    response = client.post(
        detail(a1),
        self_post(a1, "save", **{"self-version": str(read_version), "points-1.1": "27", "evidence-1.1": "My evidence"}),
    )

    assert response.status_code == 200
    content = response.content.decode()
    # The message says "Your input is kept below": the criterion inputs too, not the other user's values.
    assert 'name="points-1.1" value="27"' in content
    assert "My evidence" in content


def test_a_stale_save_shows_the_saved_values_and_saving_again_applies_the_users_input(world, client_for, a1):
    client = client_for("secretary")
    read_version = read_then_saved_by_another(world, a1, self_comment="Their text")

    refused = client.post(
        detail(a1), self_post(a1, "save", **{"self-version": str(read_version), "self-self_comment": "My own text"})
    )

    form = refused.context["self_form"]
    assert form["self_comment"].value() == "My own text"  # the user's input stays in the form
    with translation.override("vi"):
        assert gettext("Now saved: %(value)s") % {"value": "Their text"} in form.fields["self_comment"].help_text
    assert form["version"].value() == str(reload(a1).version)  # saving again goes over what is now saved
    again = client.post(detail(a1), self_post(a1, "save", **{"self-version": form["version"].value()}))
    assert again.status_code == 302
    assert reload(a1).self_comment == "Our yearly report"


@pytest.mark.parametrize("version", [None, "", "x"], ids=["missing", "empty", "malformed"])
def test_a_self_assessment_without_a_valid_version_is_refused_like_a_stale_one(client_for, a1, version):
    before = snapshot(a1)
    data = self_post(a1, "save", **{"self-self_comment": "My own text"})
    if version is None:
        del data["self-version"]
    else:
        data["self-version"] = version

    response = client_for("secretary").post(detail(a1), data)

    assert response.status_code == 200
    with translation.override("vi"):
        assert gettext(STALE_MESSAGE) in response.context["self_form"].non_field_errors()
    assert snapshot(a1) == before


def test_the_same_self_assessment_sent_twice_is_saved_once(client_for, a1):
    client = client_for("secretary")
    data = self_post(a1, "submit", **{"self-form_token": "5f0c8a9e-2b0e-4a4e-9d6c-1c1f4f7f0a11"})

    first = client.post(detail(a1), data)
    second = client.post(detail(a1), data)  # a double click: same token, same (now old) version

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert AuditEntry.objects.filter(action="evaluations.evaluation.self_assessed", target_id=a1.pk).count() == 1


def test_a_stale_version_is_refused_for_the_appraisal_and_the_decision(world, client_for, a1):
    evaluation = submitted(world, a1)
    stale = evaluation.version
    evaluation = services.send_back(
        evaluation=evaluation, reason="Redo", version=evaluation.version, returned_by=world.personas.staff
    )
    evaluation = submitted(world, evaluation)
    before = snapshot(a1)

    response = client_for("grassroots").post(detail(a1), appraise_post(a1, version=str(stale)))

    assert response.status_code == 200
    assert response.context["appraisal_form"].non_field_errors()
    assert snapshot(a1) == before

    stale = reload(a1).version
    evaluation = services.appraise(
        evaluation=evaluation, grade=G.GOOD, comment="", version=stale, appraised_by=world.personas.grassroots
    )
    before = snapshot(a1)
    response = client_for("staff").post(detail(a1), decide_post(a1, version=str(stale)))

    assert response.status_code == 200
    assert response.context["decision_form"].non_field_errors()
    assert snapshot(a1) == before


#
# History
#


def test_the_history_table_shows_before_and_after(client_for, a1):
    client = client_for("secretary")
    client.post(detail(a1), self_post(a1, "submit"))

    content = client_for("staff").get(detail(a1)).content.decode()

    # In words (cells/history.py): the sentence, the field labels and the choices' labels, never the codes.
    assert "evaluations.evaluation.self_assessed" not in content
    assert "Gửi tự đánh giá" in content
    assert 'history-label">Tiến độ</span>: Chưa bắt đầu <span aria-label="đổi thành">→</span> Đã tự đánh giá' in content
    assert "Mức tự xếp loại</span>: (trống)" in content and "→</span> Hoàn thành tốt nhiệm vụ" in content
    assert "Nội dung tự đánh giá</span>: (trống)" in content and "→</span> Our yearly report" in content
    assert "SELF_ASSESSED" not in content


#
# The period page and opening a year
#


@pytest.mark.parametrize(
    ("persona", "organizations"),
    [
        ("staff", {"a", "a1", "a2", "b", "b1", "b2", "c"}),
        ("leader", {"a", "a1", "a2", "b", "b1", "b2", "c"}),
        ("admin", {"a", "a1", "a2", "b", "b1", "b2", "c"}),
        ("grassroots", {"a", "a1", "a2"}),
        ("secretary", {"a1"}),
        ("outsider", {"b1"}),
    ],
)
def test_the_period_page_lists_only_evaluations_in_the_users_scope(world, client_for, period, persona, organizations):
    response = client_for(persona).get(reverse("evaluations:period", args=[period.pk]))

    assert response.status_code == 200
    expected = {getattr(world.tree, name).pk for name in organizations}
    assert {e.organization_id for e in response.context["page"].object_list} == expected
    assert response.context["page"].paginator.count == len(expected)
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts[Status.NOT_STARTED] == len(expected)
    assert sum(counts.values()) == len(expected)


def test_the_period_page_counts_follow_progress_within_the_scope(world, client_for, period):
    submitted(world, evaluation_of(period, world.tree.a1))
    submitted(world, evaluation_of(period, world.tree.b1))

    counts = {
        value: n
        for value, _label, n in client_for("grassroots")
        .get(reverse("evaluations:period", args=[period.pk]))
        .context["counts"]
    }

    assert counts[Status.SELF_ASSESSED] == 1  # A1, not B1
    assert counts[Status.NOT_STARTED] == 2


def test_the_period_page_is_404_without_any_role(client_for, period):
    assert client_for("norole").get(reverse("evaluations:period", args=[period.pk])).status_code == 404


def open_post(year=YEAR) -> dict:
    return {
        "year": str(year),
        "self_assessment_due": "2026-02-20",
        "appraisal_due": "2026-02-25",
        "decision_due": "2026-03-05",
    }


def test_staff_open_a_year(world, client_for):
    client = client_for("staff")
    url = reverse("evaluations:open", args=[world.tree.root.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, open_post())

    period = EvaluationPeriod.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evaluations:period", args=[period.pk])
    assert period.year == YEAR
    assert period.root == world.tree.root
    assert period.opened_by == world.personas.staff
    assert period.org_evaluations.count() == 7


@pytest.mark.parametrize("method", ["get", "post"])
def test_grassroots_cannot_open_a_year_for_their_own_committee(world, client_for, method):
    client = client_for("grassroots")
    url = reverse("evaluations:open", args=[world.tree.a.pk])

    response = client.get(url) if method == "get" else client.post(url, open_post())

    assert response.status_code == 403
    assert not EvaluationPeriod.objects.exists()


def test_opening_a_year_outside_the_users_subtree_is_404(world, client_for):
    url = reverse("evaluations:open", args=[world.tree.b.pk])

    assert client_for("grassroots").post(url, open_post()).status_code == 404
    assert not EvaluationPeriod.objects.exists()


def test_opening_a_year_that_has_not_begun_is_refused_with_a_message(world, client_for):
    response = client_for("staff").post(reverse("evaluations:open", args=[world.tree.root.pk]), open_post(2027))

    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert not EvaluationPeriod.objects.exists()


def test_opening_the_same_year_twice_is_refused_with_a_message(world, client_for, period):
    response = client_for("staff").post(reverse("evaluations:open", args=[world.tree.b.pk]), open_post())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert EvaluationPeriod.objects.count() == 1
