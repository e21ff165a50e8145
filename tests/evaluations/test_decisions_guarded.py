"""Decisions guarded (#15 item 8): the organisation decision is confirmed from a summary before anything is stored,
carries the deciding committee's number and date, and is never pre-filled; the actions that close or undo (lock the
year, return, reopen, close and reopen member ratings) sit apart in a danger zone and need "I confirm" ticked; every
input of the member ratings table is named after the member and its column.

Today is frozen on 10/02/2026; the review is for 2025 (as in test_org_evaluation_views, whose fixtures are reused).
Messages are checked in Vietnamese, as the user reads them.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cells.models import AuditEntry
from evaluations.mass_mobilisation import services as mass_mobilisation
from evaluations.models import (
    EvaluationPeriod,
    Grade,
    MassMobilisationModel,
    MemberEvaluation,
    MemberReviewLock,
    OrgEvaluation,
)
from tests.evaluations import test_org_evaluation_views as review_pages
from tests.evaluations.test_org_evaluation_views import (
    appraised,
    decide_post,
    detail,
    reason_post,
    reload,
    snapshot,
)

# The fixtures of the review pages' tests: today frozen on 10/02/2026, the 2025 review, A1's evaluation.
_frozen = review_pages._frozen
period = review_pages.period
a1 = review_pages.a1

pytestmark = pytest.mark.django_db

G = Grade
Status = OrgEvaluation.Status


def decided_entries(evaluation) -> int:
    return AuditEntry.objects.filter(
        action="evaluations.evaluation.decided", target_type="evaluations.orgevaluation", target_id=evaluation.pk
    ).count()


#
# The decision: a summary to confirm, then stored with its number and date
#


def test_decide_without_confirmation_stores_nothing_and_the_page_asks(world, client_for, a1):
    appraised(world, a1)
    before = snapshot(a1)

    response = client_for("staff").post(detail(a1), decide_post(a1, G.GOOD, confirmed=False))

    assert response.status_code == 200
    assert snapshot(a1) == before  # nothing stored, no history entry
    plan = response.context["decision_confirm"]
    assert (plan["grade"], plan["suggested_grade"], plan["decision_no"]) == (G.GOOD, G.GOOD, "15-QĐ/ĐUK")
    assert plan["decision_date"] == datetime.date(2026, 1, 15)
    page = response.content.decode()
    summary = page[page.index('id="decision-confirm"') :]
    # What will be decided: the organisation with its parent, the grade against the suggestion, the cap, the quota,
    # the decision's number and date; and the box to tick.
    assert "Chi bộ A1" in summary and "thuộc Đảng bộ A" in summary
    assert "Quyết định số 15-QĐ/ĐUK, ngày 15/01/2026" in summary
    assert 'id="confirm-quota"' in summary and 'id="confirm-grade"' in summary
    assert 'name="decide-confirmed"' in summary and "Tôi xác nhận" in summary
    assert 'name="decide-form_token"' in summary  # the same form, sent once from here


def test_decide_from_the_summary_without_ticking_stores_nothing(world, client_for, a1):
    appraised(world, a1)
    before = snapshot(a1)
    data = decide_post(a1, G.GOOD, confirmed=False) | {"decide-step": "confirm"}

    response = client_for("staff").post(detail(a1), data)

    assert response.status_code == 200
    assert snapshot(a1) == before
    assert response.context["decision_form"].errors["confirmed"] == [
        "Hãy đánh dấu “Tôi xác nhận” để tiếp tục: chưa có gì thay đổi."
    ]
    assert response.context["decision_confirm"] is not None  # the summary is shown again


def test_decide_confirmed_is_stored_with_number_and_date(world, client_for, a1):
    appraised(world, a1)
    staff = client_for("staff")

    response = staff.post(detail(a1), decide_post(a1, G.GOOD, decision_no="  15-QĐ/ĐUK ", decision_date="15/01/2026"))

    assert response.status_code == 302
    evaluation = reload(a1)
    assert evaluation.status == Status.DECIDED
    assert evaluation.final_grade == G.GOOD
    assert (evaluation.decision_no, evaluation.decision_date) == ("15-QĐ/ĐUK", datetime.date(2026, 1, 15))
    assert "Quyết định số 15-QĐ/ĐUK, ngày 15/01/2026" in staff.get(detail(a1)).content.decode()


def test_the_confirmation_sent_twice_decides_once(world, client_for, a1):
    appraised(world, a1)
    staff = client_for("staff")
    data = decide_post(a1, G.GOOD) | {"decide-form_token": "5b0e7c9e-54a4-4f7c-9a53-1f1b2c3d4e5f"}

    first = staff.post(detail(a1), data)
    second = staff.post(detail(a1), data)  # a double click on "Record the decision"

    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert decided_entries(a1) == 1


def test_change_goes_back_to_the_form_with_the_values(world, client_for, a1):
    appraised(world, a1)
    before = snapshot(a1)
    data = decide_post(a1, G.FULFILLED, confirmed=False, justification="Two targets missed") | {"decide-edit": "1"}

    response = client_for("staff").post(detail(a1), data)

    assert response.status_code == 200
    assert snapshot(a1) == before
    assert response.context["decision_confirm"] is None
    form = response.context["decision_form"]
    assert (form["grade"].value(), form["justification"].value()) == (G.FULFILLED, "Two targets missed")


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"decision_no": "   "}, "decision_no", "Nhập số quyết định (Quyết định số …)."),
        ({"decision_date": ""}, "decision_date", "Nhập ngày của quyết định."),
        ({"decision_date": "11/02/2026"}, "decision_date", "Ngày quyết định không thể là một ngày trong tương lai."),
        (
            {"decision_date": "31/12/2024"},
            "decision_date",
            "Quyết định về kết quả đánh giá năm 2025 không thể có ngày trước năm 2025.",
        ),
    ],
)
@pytest.mark.parametrize("confirmed", [False, True])
def test_a_bad_decision_number_or_date_is_refused_in_vietnamese(
    world, client_for, a1, fields, field, message, confirmed
):
    appraised(world, a1)
    before = snapshot(a1)

    response = client_for("staff").post(detail(a1), decide_post(a1, G.GOOD, confirmed=confirmed, **fields))

    assert response.status_code == 200
    assert response.context["decision_form"].errors[field] == [message]
    assert response.context["decision_confirm"] is None  # no summary of a decision that cannot be recorded
    assert snapshot(a1) == before


def test_a_decision_dated_in_its_year_or_after_is_accepted(world, client_for, a1):
    appraised(world, a1)

    response = client_for("staff").post(detail(a1), decide_post(a1, G.GOOD, decision_date="01/01/2025"))

    assert response.status_code == 302
    assert reload(a1).decision_date == datetime.date(2025, 1, 1)


def test_the_decided_grade_is_not_prefilled_and_the_suggestion_is_shown(world, client_for, a1):
    appraised(world, a1)
    assert reload(a1).suggested_grade == G.GOOD

    response = client_for("staff").get(detail(a1))

    form = response.context["decision_form"]
    assert not form["grade"].value() and not form["decision_no"].value() and not form["decision_date"].value()
    page = response.content.decode()
    select = re.search(r'<select name="decide-grade".*?</select>', page, re.S).group(0)
    assert 'value="" selected' in select or "selected" not in select
    suggestion = page[page.index('id="decision-suggestion"') :][:600]
    assert "Gợi ý theo quy định" in suggestion and reload(a1).get_suggested_grade_display() in suggestion


def test_reopen_withdraws_the_decision_number_and_date(world, client_for, a1):
    appraised(world, a1)
    staff = client_for("staff")
    staff.post(detail(a1), decide_post(a1, G.GOOD))

    response = staff.post(detail(a1), reason_post(a1, "reopen", "Complaint upheld"))

    assert response.status_code == 302
    evaluation = reload(a1)
    assert (evaluation.status, evaluation.decision_no, evaluation.decision_date) == (Status.APPRAISED, "", None)


#
# Closing and undoing: apart, and confirmed
#


@pytest.mark.parametrize("action", ["return", "reopen"])
def test_return_and_reopen_without_confirmation_change_nothing(world, client_for, a1, action):
    appraised(world, a1)
    staff = client_for("staff")
    if action == "reopen":
        staff.post(detail(a1), decide_post(a1, G.GOOD))
    before = snapshot(a1)
    data = reason_post(a1, action, "A reason")
    del data[f"{action}-confirmed"]

    response = staff.post(detail(a1), data)

    assert response.status_code == 200
    assert response.context[f"{action}_form"].errors["confirmed"]
    assert snapshot(a1) == before


def test_return_and_reopen_sit_in_the_danger_zone_after_the_decision(world, client_for, a1):
    appraised(world, a1)

    page = client_for("staff").get(detail(a1)).content.decode()

    zone = page.index('id="danger-zone"')
    assert page.index('id="decision"') < zone
    assert page.index('value="return"') > zone
    assert 'class="btn btn-outline-danger" type="submit" name="action" value="return"' in page


def _all_decided(period: EvaluationPeriod) -> None:
    OrgEvaluation.objects.filter(period=period).update(status=Status.DECIDED, final_grade=G.GOOD)


def test_lock_without_confirmation_changes_nothing(world, client_for, period):
    _all_decided(period)
    staff = client_for("staff")
    url = reverse("evaluations:lock", args=[period.pk])

    response = staff.post(url, follow=True)

    period.refresh_from_db()
    assert not period.is_locked
    assert "Hãy đánh dấu “Tôi xác nhận” để tiếp tục: chưa có gì thay đổi." in response.content.decode()

    token = "0c6f0a5e-2f9e-4d7e-8f1a-5a6b7c8d9e0f"
    assert staff.post(url, {"confirmed": "on", "form_token": token}).status_code == 302
    period.refresh_from_db()
    assert period.is_locked
    again = staff.post(url, {"confirmed": "on", "form_token": token})  # a double click: the first one's result
    assert again.status_code == 302
    assert not any(m.level_tag == "error" for m in again.wsgi_request._messages)
    assert AuditEntry.objects.filter(action="evaluations.period.locked").count() == 1


def test_lock_sits_in_the_danger_zone_after_the_list(world, client_for, period):
    page = client_for("staff").get(reverse("evaluations:period", args=[period.pk])).content.decode()

    zone = page.index('id="danger-zone"')
    assert page.index("<table") < zone < page.index(reverse("evaluations:lock", args=[period.pk]))
    assert page.count(reverse("evaluations:lock", args=[period.pk])) == 1
    assert 'name="confirmed"' in page[zone:] and "required" in page[zone:]


def test_closing_member_ratings_without_confirmation_changes_nothing(world, client_for, period):
    grassroots = world.tree.a
    MemberEvaluation.objects.filter(period=period).delete()
    staff = client_for("staff")

    response = staff.post(reverse("ratings:close", args=[period.pk, grassroots.pk]), follow=True)

    assert not MemberReviewLock.objects.exists()
    assert "Hãy đánh dấu “Tôi xác nhận” để tiếp tục: chưa có gì thay đổi." in response.content.decode()
    # The closing form sits apart, below the table, with its box to tick.
    page = response.content.decode()
    zone = page.index('id="danger-zone"')
    assert page.index('<table class="table table-sm align-middle ratings">') < zone
    assert page.index(reverse("ratings:close", args=[period.pk, grassroots.pk])) > zone
    assert 'name="confirmed"' in page[zone:]


#
# The ratings table: every input named after its member and column
#


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls, self.text_of, self._open = [], {}, []
        self.labels_for = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs)
        if tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        if attrs.get("id") and tag not in ("input", "select", "textarea"):
            self._open.append([attrs["id"], tag, []])

    def handle_endtag(self, tag):
        if self._open and self._open[-1][1] == tag:
            element_id, _tag, parts = self._open.pop()
            self.text_of[element_id] = "".join(parts).strip()
            if self._open:
                self._open[-1][2].extend(parts)

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)


def test_every_input_of_the_ratings_table_is_named_after_the_member_and_the_column(world, client_for, period):
    page = client_for("grassroots").get(reverse("ratings:table", args=[period.pk, world.tree.a.pk]))
    rows = list(MemberEvaluation.objects.filter(period=period).select_related("member"))
    assert rows
    parser = _Inputs()
    parser.feed(page.content.decode())
    table_controls = [
        c
        for c in parser.controls
        if re.fullmatch(r"(self|proposed|for|against|final|maternity|sick|cs)-\d+", c.get("name", ""))
    ]
    assert len(table_controls) >= 6 * len(rows)
    names = {str(row.pk): row.member.full_name for row in rows}
    for control in table_controls:
        if control.get("aria-label"):
            name = control["aria-label"]
        elif control.get("aria-labelledby"):
            name = " ".join(parser.text_of.get(i, "") for i in control["aria-labelledby"].split())
        else:
            assert control.get("id") in parser.labels_for, control
            continue
        member = names[control["name"].split("-")[1]]
        assert member in name, (control["name"], name)
        assert name.strip() != member  # the column is named too


def test_deleting_a_mass_mobilisation_model_needs_confirmation_and_happens_once(world, client_for):
    model = mass_mobilisation.model_create(
        organization=world.tree.a1,
        year=2025,
        data={"name": "Dân vận khéo", "field": "KINH_TE", "level": "", "score": None, "decision_no": "", "notes": ""},
        created_by=world.personas.staff,
    )
    staff = client_for("staff")
    url = reverse("massmobilisation:delete", args=[model.pk])
    edit = staff.get(reverse("massmobilisation:edit", args=[model.pk])).content.decode()
    assert 'id="danger-zone"' in edit and 'name="confirmed"' in edit[edit.index('id="danger-zone"') :]

    response = staff.post(url)  # without "I confirm"

    assert response.status_code == 302
    assert MassMobilisationModel.objects.filter(pk=model.pk).exists()

    token = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
    first = staff.post(url, {"confirmed": "on", "form_token": token})
    second = staff.post(url, {"confirmed": "on", "form_token": token})  # a double click: the register, not a 404
    assert not MassMobilisationModel.objects.filter(pk=model.pk).exists()
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
