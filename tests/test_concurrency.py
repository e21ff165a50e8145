"""Concurrent writes through the pages (cells/concurrency.py).

Lost updates: every edit form carries the version it was read at; a second writer whose version is stale, missing
or empty is refused with the Vietnamese message, sees the values now saved, keeps their input and can apply it by
saving again.

Double submits: every create form carries a token; the same form sent twice creates one row and both requests land
on its page. The sequential tests run on SQLite and PostgreSQL; the concurrent ones (threads posting at the same
moment) need PostgreSQL: SQLite's in-memory test database cannot be shared between threads' connections.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django import forms
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cells.concurrency import purge_submitted_forms, stale_message
from cells.models import Organization, SubmittedForm
from cells.tasks import purge_submitted_forms_task
from config.celery import app
from criteria.models import CriteriaSet, Criterion, CriterionGroup
from meetings import services as meeting_services
from meetings.models import Meeting, MonthlyGuidance
from members.models import Member, Transfer
from reports import services as report_services
from reports.models import Report
from tests.helpers import meeting_minutes

Kind = Organization.Kind

#
# The forms as a browser sends them
#


def form_data(form, **changes) -> dict:
    """What a browser posts for `form` as rendered (its initial values, or the values it was bound with), with
    `changes` (by field name) applied. Hidden fields included: the version and the form token."""
    data = {}
    for field in form:
        widget, value = field.field.widget, field.value()
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
            continue
        shown = widget.format_value(value)
        if isinstance(shown, list) and not getattr(widget, "allow_multiple_selected", False):
            shown = shown[0] if shown else ""
        data[field.html_name] = "" if shown is None else shown
    for name, value in changes.items():
        data[form.add_prefix(name)] = value
    return data


def shown_form(client, url: str, name: str = "form"):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.context[name]


def stale_text() -> str:
    with translation.override("vi"):
        return stale_message()


def now_saved(value: str) -> str:
    with translation.override("vi"):
        return gettext("Now saved: %(value)s") % {"value": value}


#
# Item 6: lost updates on edit forms
#


@pytest.fixture
def criteria_set(db) -> CriteriaSet:
    """A small unfrozen set with a group and a criterion, for the criteria pages."""
    criteria_set = CriteriaSet.objects.create(
        name="Bộ tiêu chí thử", programme=CriteriaSet.Programme.FOUR_GOOD, year_from=2025, notes="Ghi chú gốc"
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="1", title="Nhóm gốc")
    Criterion.objects.create(
        criteria_set=criteria_set, group=group, code="1.1", text="Tiêu chí gốc", kind=Criterion.Kind.CHECK
    )
    return criteria_set


@pytest.fixture
def meeting(world) -> Meeting:
    data = meeting_minutes(world, pre_meeting_on=None, documents_sent_on=None)
    return meeting_services.meeting_create(organization=world.tree.a1, data=data, created_by=world.personas.admin)


@dataclass
class EditPage:
    persona: str
    url: Callable  # of (world, criteria_set, meeting)
    field: str  # a text field of the form, the same name on the model
    saved: Callable  # of (world, criteria_set, meeting): the field's saved value


EDIT_PAGES = {
    "member": EditPage(
        "secretary",
        lambda w, s, m: reverse("members:edit", args=[w.members.other.pk]),
        "job_title",
        lambda w, s, m: Member.objects.get(pk=w.members.other.pk).job_title,
    ),
    "organisation": EditPage(
        "staff",
        lambda w, s, m: reverse("cells:edit", args=[w.tree.a2.pk]),
        "name",
        lambda w, s, m: Organization.objects.get(pk=w.tree.a2.pk).name,
    ),
    "criteria-set": EditPage(
        "staff",
        lambda w, s, m: reverse("criteria:edit", args=[s.pk]),
        "notes",
        lambda w, s, m: CriteriaSet.objects.get(pk=s.pk).notes,
    ),
    "criterion": EditPage(
        "staff",
        lambda w, s, m: reverse("criteria:criterion_edit", args=[s.pk, s.criteria.get().pk]),
        "text",
        lambda w, s, m: s.criteria.get().text,
    ),
    "criterion-group": EditPage(
        "staff",
        lambda w, s, m: reverse("criteria:group_edit", args=[s.pk, s.groups.get().pk]),
        "title",
        lambda w, s, m: s.groups.get().title,
    ),
    "meeting": EditPage(
        "secretary",
        lambda w, s, m: reverse("meetings:detail", args=[m.pk]),
        "location",
        lambda w, s, m: Meeting.objects.get(pk=m.pk).location,
    ),
}


@pytest.mark.parametrize("page", EDIT_PAGES.values(), ids=EDIT_PAGES.keys())
def test_the_second_writer_is_refused_sees_the_saved_values_and_keeps_their_input(
    world, client_for, criteria_set, meeting, page
):
    url = page.url(world, criteria_set, meeting)
    first, second = client_for(page.persona), client_for(page.persona)
    first_form, second_form = shown_form(first, url), shown_form(second, url)  # both open the form

    saved = first.post(url, form_data(first_form, **{page.field: "Giá trị của người thứ nhất"}))
    refused = second.post(url, form_data(second_form, **{page.field: "Giá trị của người thứ hai"}))

    assert saved.status_code == 302
    assert refused.status_code == 200
    form = refused.context["form"]
    assert stale_text() in form.non_field_errors()
    assert stale_text() in refused.content.decode()
    assert page.saved(world, criteria_set, meeting) == "Giá trị của người thứ nhất"  # nothing overwritten
    assert form[page.field].value() == "Giá trị của người thứ hai"  # their input stays in the form...
    assert now_saved("Giá trị của người thứ nhất") in form.fields[page.field].help_text  # ...beside what is saved
    assert now_saved("Giá trị của người thứ nhất") in refused.content.decode()
    # Saving again applies their input over what is now saved (the form carries the current version).
    again = second.post(url, form_data(form))
    assert again.status_code == 302
    assert page.saved(world, criteria_set, meeting) == "Giá trị của người thứ hai"


@pytest.mark.parametrize("version", [None, "", "abc"], ids=["missing", "empty", "malformed"])
@pytest.mark.parametrize("page", EDIT_PAGES.values(), ids=EDIT_PAGES.keys())
def test_an_edit_without_a_valid_version_is_refused_like_a_stale_one(
    world, client_for, criteria_set, meeting, page, version
):
    url = page.url(world, criteria_set, meeting)
    client = client_for(page.persona)
    before = page.saved(world, criteria_set, meeting)
    data = form_data(shown_form(client, url), **{page.field: "Giá trị mới"})
    if version is None:
        del data["version"]
    else:
        data["version"] = version

    response = client.post(url, data)

    assert response.status_code == 200
    assert stale_text() in response.context["form"].non_field_errors()
    assert page.saved(world, criteria_set, meeting) == before


def test_an_edit_sent_twice_by_a_double_click_lands_on_the_saved_page(world, client_for):
    client = client_for("secretary")
    url = reverse("members:edit", args=[world.members.other.pk])
    data = form_data(shown_form(client, url), job_title="Chuyên viên chính")

    first, second = client.post(url, data), client.post(url, data)

    # The second request is not refused as stale (its version is now old): it is the same form, already saved.
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == reverse("members:detail", args=[world.members.other.pk])
    assert Member.objects.get(pk=world.members.other.pk).version == 2


#
# Item 7: a create form sent twice creates once
#


@dataclass
class CreatePage:
    persona: str
    url: Callable  # of (world, criteria_set)
    changes: Callable  # of world: what the user types
    count: Callable  # of nothing: the rows the form creates


def _today() -> datetime.date:
    return timezone.localdate()


CREATE_PAGES = {
    "extraordinary-meeting": CreatePage(
        "secretary",
        lambda w, s: reverse("meetings:create", args=[w.tree.a1.pk]) + "?kind=" + Meeting.Kind.EXTRAORDINARY,
        lambda w: {"topic": "Họp bất thường", "location": "Phòng họp"},
        lambda: Meeting.objects.count(),
    ),
    "member-without-card": CreatePage(
        "secretary",
        lambda w, s: reverse("members:create", args=[w.tree.a1.pk]),
        lambda w: {"full_name": "Phạm Văn Đông", "status": Member.Status.PROBATIONARY},
        lambda: Member.objects.count(),
    ),
    "temporary-attendee": CreatePage(
        "secretary",
        lambda w, s: reverse("members:temporary_in", args=[w.tree.a1.pk]),
        lambda w: {
            "member_name": "Hoàng Thị Mai",
            "from_text": "Đảng bộ Trường Đại học Y",
            "expected_return_on": (_today() + datetime.timedelta(days=90)).isoformat(),
        },
        lambda: Transfer.objects.count(),
    ),
    "guidance": CreatePage(
        "grassroots",
        lambda w, s: reverse("guidance:create", args=[w.tree.a.pk]),
        lambda w: {"title": "Sinh hoạt chuyên đề", "content": "Học tập nghị quyết"},
        lambda: MonthlyGuidance.objects.count(),
    ),
    "report": CreatePage(
        "grassroots",
        lambda w, s: reverse("reports:index") + f"?org={w.tree.a.pk}",
        lambda w: {"kind": Report.Kind.COMPLIANCE, "year": str(_today().year - 1)},
        lambda: Report.objects.count(),
    ),
    "criteria-set-copy": CreatePage(
        "staff",
        lambda w, s: reverse("criteria:copy", args=[s.pk]),
        lambda w: {"year_from": "2026"},
        lambda: CriteriaSet.objects.count(),
    ),
    "organisation": CreatePage(
        "staff",
        lambda w, s: reverse("cells:create", args=[w.tree.root.pk]),
        lambda w: {
            "name": "Chi bộ cơ sở D",
            "code": "D",
            "kind": Kind.GRASSROOTS_CELL,
            "unit_type": Organization.UnitType.OTHER,
        },
        lambda: Organization.objects.count(),
    ),
    "criterion": CreatePage(
        "staff",
        lambda w, s: reverse("criteria:criterion_add", args=[s.pk]),
        lambda w: {"code": "1.2", "text": "Tiêu chí mới", "kind": Criterion.Kind.CHECK, "max_points": "1"},
        lambda: Criterion.objects.count(),
    ),
    "criterion-group": CreatePage(
        "staff",
        lambda w, s: reverse("criteria:group_add", args=[s.pk]),
        lambda w: {"code": "2", "title": "Nhóm mới"},
        lambda: CriterionGroup.objects.count(),
    ),
}


@pytest.mark.parametrize("page", CREATE_PAGES.values(), ids=CREATE_PAGES.keys())
def test_a_create_form_sent_twice_creates_one_row_and_both_land_on_it(world, client_for, criteria_set, page):
    client = client_for(page.persona)
    url = page.url(world, criteria_set)
    data = form_data(shown_form(client, url), **page.changes(world))
    before = page.count()

    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == 302, first.context["form"].errors if first.context else first
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert page.count() == before + 1


def test_the_same_form_shown_twice_creates_twice(world, client_for):
    """Two forms opened one after the other are two intentions: each creates its meeting."""
    client = client_for("secretary")
    url = reverse("meetings:create", args=[world.tree.a1.pk]) + "?kind=" + Meeting.Kind.EXTRAORDINARY
    before = Meeting.objects.count()

    for _ in range(2):
        response = client.post(url, form_data(shown_form(client, url), topic="Họp bất thường"))
        assert response.status_code == 302

    assert Meeting.objects.count() == before + 2


def test_a_refused_create_can_be_corrected_and_sent_again_with_the_same_form(world, client_for):
    client = client_for("secretary")
    url = reverse("members:create", args=[world.tree.a1.pk])
    data = form_data(shown_form(client, url), full_name="   ", status=Member.Status.PROBATIONARY)

    refused = client.post(url, data)
    corrected = client.post(url, form_data(refused.context["form"], full_name="Phạm Văn Đông"))

    assert refused.status_code == 200
    assert corrected.status_code == 302
    assert Member.objects.filter(full_name="Phạm Văn Đông").count() == 1


def test_another_users_token_is_not_accepted(world, client_for):
    url = reverse("members:create", args=[world.tree.a1.pk])
    staff, secretary = client_for("staff"), client_for("secretary")
    data = form_data(shown_form(staff, url), full_name="Phạm Văn Đông", status=Member.Status.PROBATIONARY)
    assert staff.post(url, data).status_code == 302

    replayed = secretary.post(url, data)

    assert replayed.status_code == 200
    assert Member.objects.filter(full_name="Phạm Văn Đông").count() == 1
    assert SubmittedForm.objects.count() == 1


def test_sent_forms_are_forgotten_after_thirty_days(world, client_for):
    client = client_for("secretary")
    url = reverse("members:create", args=[world.tree.a1.pk])
    client.post(url, form_data(shown_form(client, url), full_name="Phạm Văn Đông", status=Member.Status.PROBATIONARY))
    sent = SubmittedForm.objects.get()

    assert purge_submitted_forms(now=sent.created_at + datetime.timedelta(days=29)) == 0
    assert purge_submitted_forms(now=sent.created_at + datetime.timedelta(days=31)) == 1
    assert not SubmittedForm.objects.exists()
    assert "cells.purge_submitted_forms" in {job["task"] for job in app.conf.beat_schedule.values()}
    assert purge_submitted_forms_task.name in app.tasks


#
# The same, at the same moment (PostgreSQL)
#


@pytest.fixture
def postgresql(services_required):
    if connection.vendor != "postgresql":
        services_required("postgresql")  # skips here, or fails when REQUIRE_SERVICES=1


def post_at_once(clients: list[Client], url: str, data: list[dict] | dict) -> list:
    """Each client posts (its own data, or the same) to `url` in its own thread, all released at the same moment;
    the responses in the clients' order."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = clients[index].post(url, data[index] if isinstance(data, list) else data)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            responses[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    assert not [r for r in responses if isinstance(r, Exception)], responses
    return responses


CONCURRENT_CREATES = (
    "extraordinary-meeting",
    "member-without-card",
    "temporary-attendee",
    "guidance",
    "report",
    "criteria-set-copy",
    "organisation",
)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", CONCURRENT_CREATES)
def test_three_identical_concurrent_posts_create_one_row(
    world, client_for, criteria_set, postgresql, monkeypatch, name
):
    monkeypatch.setattr(report_services, "enqueue", lambda report_id: None)  # no build: only the request counts
    page = CREATE_PAGES[name]
    url = page.url(world, criteria_set)
    clients = [client_for(page.persona) for _ in range(3)]  # three sessions of one user: three tabs, or resends
    data = form_data(shown_form(clients[0], url), **page.changes(world))
    before = page.count()

    responses = post_at_once(clients, url, data)

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert len({response["Location"] for response in responses}) == 1  # all on the one created row
    assert page.count() == before + 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_copies_of_one_set_made_at_once_get_different_versions(world, client_for, criteria_set, postgresql):
    """Two forms (two people) copying the same set at the same moment: two copies, v2 and v3, never two v2."""
    url = reverse("criteria:copy", args=[criteria_set.pk])
    clients = [client_for("staff"), client_for("admin")]
    data = [form_data(shown_form(client, url), year_from="2026") for client in clients]

    responses = post_at_once(clients, url, data)

    assert [response.status_code for response in responses] == [302, 302]
    versions = sorted(CriteriaSet.objects.filter(name=criteria_set.name).values_list("version", flat=True))
    assert versions == [1, 2, 3]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["member", "organisation", "criteria-set", "criterion", "meeting"])
def test_two_concurrent_saves_of_one_record_save_one_and_refuse_the_other(
    world, client_for, criteria_set, meeting, postgresql, name
):
    page = EDIT_PAGES[name]
    url = page.url(world, criteria_set, meeting)
    clients = [client_for(page.persona), client_for("admin")]
    values = ["Giá trị của người thứ nhất", "Giá trị của người thứ hai"]
    data = [
        form_data(shown_form(client, url), **{page.field: value}) for client, value in zip(clients, values, strict=True)
    ]

    responses = post_at_once(clients, url, data)

    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302]
    refused = next(response for response in responses if response.status_code == 200)
    winner = values[[response.status_code for response in responses].index(302)]
    assert stale_text() in refused.context["form"].non_field_errors()
    assert page.saved(world, criteria_set, meeting) == winner
