"""Meeting reminders that escalate (meetings/reminders.py), their Celery task and schedule, and the notifications UI.

The extra tree on top of the conftest world, for October 2026:

    root (staff)                       staff_b: STAFF at B
    ├── A (grassroots)                 A1 logged its meeting; A2 logged only a thematic one (does not count);
    │   ├── A1 ✓  A2 ✗ (sec_a2)        A3 was dissolved in October (never reported); A4 was founded in November.
    │   ├── A3 dissolved (sec_a3)
    │   └── A4 founded 2026-11-02 (sec_a4)
    ├── B (grassroots_b)               B1 logged its meeting; B2 did not.
    │   ├── B1 ✓  B2 ✗ (sec_b2, no e-mail address)
    └── C grassroots cell ✗ (sec_c, grassroots_c)
"""

import datetime
import re
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cells import services as cell_services
from cells.models import Organization, RoleAssignment
from meetings import reminders
from meetings.models import Meeting, Notification
from meetings.notifications.views import unread_notifications
from meetings.tasks import send_meeting_reminders_task
from tests.conftest import fresh, make_user
from tests.helpers import meeting_row

Kind = Organization.Kind
Role = RoleAssignment.Role

pytestmark = pytest.mark.django_db

DAY_4 = "2026-11-04 08:00 +0700"
DAY_5 = "2026-11-05 08:00 +0700"
DAY_8 = "2026-11-08 08:00 +0700"
DAY_12 = "2026-11-12 08:00 +0700"
SMTP = "smtp.example.org"


def regular_meeting(cell, *, year=2026, month=10, kind=Meeting.Kind.REGULAR):
    """A draft meeting held on the 15th."""
    record = meeting_row(cell, year, month, day=15, kind=kind, status=Meeting.Status.DRAFT)
    record.save()
    return record


@pytest.fixture
def october(world):
    tree, admin = world.tree, world.personas.admin

    def node(parent, name, code, kind=Kind.CELL):
        return cell_services.organization_create(parent=parent, name=name, code=code, kind=kind, created_by=admin)

    def user_with_role(username, organization, role, email=""):
        user = make_user(username, email=email)
        cell_services.role_grant(user=user, organization=organization, role=role, granted_by=admin)
        return user

    a3 = node(tree.a, "Chi bộ A3", "A3")
    a4 = node(tree.a, "Chi bộ A4", "A4")
    users = SimpleNamespace(
        sec_a2=user_with_role("sec_a2", tree.a2, Role.SECRETARY, "sec_a2@example.org"),
        sec_a3=user_with_role("sec_a3", a3, Role.SECRETARY, "sec_a3@example.org"),
        sec_a4=user_with_role("sec_a4", a4, Role.SECRETARY, "sec_a4@example.org"),
        sec_b2=user_with_role("sec_b2", tree.b2, Role.SECRETARY),
        sec_c=user_with_role("sec_c", tree.c, Role.SECRETARY, "sec_c@example.org"),
        grassroots_b=user_with_role("grassroots_b", tree.b, Role.GRASSROOTS, "grassroots_b@example.org"),
        grassroots_c=user_with_role("grassroots_c", tree.c, Role.GRASSROOTS),
        staff_b=user_with_role("staff_b", tree.b, Role.STAFF),
        grassroots=world.personas.grassroots,
        staff=world.personas.staff,
        secretary=world.personas.secretary,
        outsider=world.personas.outsider,
    )
    # Set the dates directly: the services refuse dates after the real today, and the tests travel in time.
    Organization.objects.filter(pk=a3.pk).update(dissolved_on=datetime.date(2026, 10, 20))
    Organization.objects.filter(pk=a4.pk).update(founded_on=datetime.date(2026, 11, 2))
    regular_meeting(tree.a1)
    regular_meeting(tree.b1, kind=Meeting.Kind.COMBINED)
    regular_meeting(tree.a2, kind=Meeting.Kind.THEMATIC)
    regular_meeting(tree.b2, month=9)  # September does not count for October
    return SimpleNamespace(tree=tree, a3=a3, a4=a4, users=users)


def notified(marker: str) -> dict[str, list[Notification]]:
    """username → the notifications of one stage ("cell", "grassroots" or "staff") for October 2026."""
    result: dict[str, list[Notification]] = {}
    for notification in Notification.objects.filter(
        key__startswith=f"meeting-missing:2026-10:{marker}:"
    ).select_related("user"):
        result.setdefault(notification.user.username, []).append(notification)
    return result


def link(organization, year=2026, month=10) -> str:
    return f"/meetings/compliance/?org={organization.pk}&year={year}&month={month}"


#
# Stages by day of the month
#


@time_machine.travel(DAY_4)
def test_nothing_is_sent_before_the_reminder_day(october):
    result = reminders.send_meeting_reminders()

    assert result["stages"] == []
    assert Notification.objects.count() == 0


@time_machine.travel("2026-11-04 18:00 +0000")  # 01:00 on 5 November in Vietnam
def test_the_day_of_the_month_is_the_local_day(october):
    result = reminders.send_meeting_reminders()

    assert result["stages"] == ["secretaries"]
    assert result["secretaries"] == 3


@time_machine.travel(DAY_5)
def test_day_5_notifies_only_secretaries_of_cells_without_a_regular_meeting(october):
    tree = october.tree

    result = reminders.send_meeting_reminders()

    assert result == {
        "period": "2026-10",
        "stages": ["secretaries"],
        "missing_cells": 3,
        "secretaries": 3,
        "grassroots": 0,
        "staff": 0,
        "emailed": 0,
    }
    by_user = notified("cell")
    assert set(by_user) == {"sec_a2", "sec_b2", "sec_c"}
    assert Notification.objects.count() == 3
    notification = by_user["sec_a2"][0]
    assert notification.key == f"meeting-missing:2026-10:cell:{tree.a2.pk}"
    assert notification.link == link(tree.a2)
    assert "Chi bộ A2" in notification.message
    assert "10/2026" in notification.message
    assert notification.read_at is None


@time_machine.travel(DAY_5)
def test_running_twice_sends_nothing_twice(october):
    reminders.send_meeting_reminders()

    second = reminders.send_meeting_reminders()

    assert (second["secretaries"], second["grassroots"], second["staff"]) == (0, 0, 0)
    assert Notification.objects.count() == 3


def test_a_secretary_granted_later_is_notified_without_repeating_the_others(october):
    with time_machine.travel(DAY_5):
        reminders.send_meeting_reminders()
    deputy = make_user("deputy_a2")
    cell_services.role_grant(
        user=deputy, organization=october.tree.a2, role=Role.SECRETARY, granted_by=october.users.staff
    )

    with time_machine.travel("2026-11-06 07:00 +0700"):
        result = reminders.send_meeting_reminders()

    assert result["secretaries"] == 1
    assert set(notified("cell")) == {"sec_a2", "sec_b2", "sec_c", "deputy_a2"}


@time_machine.travel(DAY_8)
def test_day_8_sends_each_grassroots_user_one_list_of_their_own_cells(october):
    tree = october.tree

    result = reminders.send_meeting_reminders()

    # The secretaries' stage is caught up too, since no run happened on day 5.
    assert result["stages"] == ["secretaries", "grassroots"]
    assert (result["secretaries"], result["grassroots"], result["staff"]) == (3, 3, 0)
    by_user = notified("grassroots")
    assert {name: len(items) for name, items in by_user.items()} == {
        "grassroots": 1,
        "grassroots_b": 1,
        "grassroots_c": 1,
    }
    for_a = by_user["grassroots"][0]
    assert "Chi bộ A2" in for_a.message
    assert "B2" not in for_a.message and "Chi bộ cơ sở C" not in for_a.message
    assert for_a.link == link(tree.a)
    assert for_a.key == f"meeting-missing:2026-10:grassroots:{october.users.grassroots.pk}"
    assert "Chi bộ B2" in by_user["grassroots_b"][0].message
    assert "Chi bộ A2" not in by_user["grassroots_b"][0].message
    # A grassroots cell is its own grassroots organisation.
    assert "Chi bộ cơ sở C" in by_user["grassroots_c"][0].message
    assert notified("staff") == {}


@time_machine.travel(DAY_12)
def test_day_12_sends_staff_the_list_for_their_subtree(october):
    tree = october.tree

    result = reminders.send_meeting_reminders()

    assert result["stages"] == ["secretaries", "grassroots", "staff"]
    assert result["staff"] == 2
    by_user = notified("staff")
    assert set(by_user) == {"staff", "staff_b"}
    for_root = by_user["staff"][0]
    assert re.search(r"\b3\b", for_root.message)
    for name in ("Chi bộ A2", "Chi bộ B2", "Chi bộ cơ sở C"):
        assert name in for_root.message
    assert for_root.link == link(tree.root)
    for_b = by_user["staff_b"][0]
    assert re.search(r"\b1\b", for_b.message)
    assert "Chi bộ B2" in for_b.message and "Chi bộ A2" not in for_b.message
    assert for_b.link == link(tree.b)


@time_machine.travel(DAY_12)
def test_dissolved_cells_and_cells_founded_after_the_month_are_never_reported(october):
    reminders.send_meeting_reminders()

    users = october.users
    assert not Notification.objects.filter(user__in=[users.sec_a3, users.sec_a4]).exists()
    assert not Notification.objects.filter(key__endswith=f":cell:{october.a3.pk}").exists()
    for notification in Notification.objects.all():
        assert "Chi bộ A3" not in notification.message
        assert "Chi bộ A4" not in notification.message


@time_machine.travel(DAY_12)
def test_cells_with_a_regular_or_combined_meeting_are_not_reported(october):
    reminders.send_meeting_reminders()

    users = october.users
    assert not Notification.objects.filter(user__in=[users.secretary, users.outsider]).exists()
    for notification in Notification.objects.all():
        assert "Chi bộ A1" not in notification.message
        assert "Chi bộ B1" not in notification.message


@time_machine.travel(DAY_12)
def test_a_meeting_logged_late_stops_the_escalation(october):
    regular_meeting(october.tree.b2)

    reminders.send_meeting_reminders()

    assert "grassroots_b" not in notified("grassroots")
    assert "Chi bộ B2" not in notified("staff")["staff"][0].message


@time_machine.travel(DAY_12)
def test_long_lists_name_the_first_cells_and_count_the_rest(world):
    admin = world.personas.admin
    for number in range(1, 9):
        cell_services.organization_create(
            parent=world.tree.b, name=f"Chi bộ X{number}", code=f"X{number}", kind=Kind.CELL, created_by=admin
        )

    reminders.send_meeting_reminders()

    message = notified("staff")["staff"][0].message
    # 5 cells of the world (no meetings there) and 8 new ones: 13 in all, 5 named.
    assert re.search(r"\b13\b", message)
    assert "8 " in message


@override_settings(MEETING_REMINDER_DAY=25, MEETING_ESCALATE_STAFF_AFTER_DAYS=10)
def test_an_escalation_day_past_the_month_end_moves_to_its_last_day():
    # 25 + 10 = 35: February 2026 ends on the 28th, which is also the grassroots day (25 + 3).
    assert reminders.due_stages(datetime.date(2026, 2, 27)) == ["secretaries"]
    assert reminders.due_stages(datetime.date(2026, 2, 28)) == ["secretaries", "grassroots", "staff"]
    assert reminders.due_stages(datetime.date(2026, 3, 30)) == ["secretaries", "grassroots"]


def test_previous_month_crosses_the_year():
    assert reminders.previous_month(datetime.date(2027, 1, 5)) == (2026, 12)


#
# E-mail
#


@override_settings(EMAIL_HOST=SMTP, SITE_URL="https://chibo.example.org")
@time_machine.travel(DAY_5)
def test_email_goes_once_to_new_notifications_of_users_with_an_address(october):
    tree, users = october.tree, october.users

    result = reminders.send_meeting_reminders()

    assert result["emailed"] == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["sec_a2@example.org", "sec_c@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    to_a2 = next(message for message in mail.outbox if message.to == ["sec_a2@example.org"])
    assert "Chi bộ A2" in to_a2.body
    assert "https://chibo.example.org" + link(tree.a2) in to_a2.body
    assert "10/2026" in to_a2.subject
    emailed = set(Notification.objects.filter(emailed_at__isnull=False).values_list("user__username", flat=True))
    assert emailed == {"sec_a2", "sec_c"}
    assert Notification.objects.get(user=users.sec_b2).emailed_at is None

    second = reminders.send_meeting_reminders()

    assert second["emailed"] == 0
    assert len(mail.outbox) == 2


@override_settings(EMAIL_HOST=SMTP)
def test_each_stage_emails_only_its_new_notifications(october):
    with time_machine.travel(DAY_5):
        reminders.send_meeting_reminders()
    mail.outbox.clear()

    with time_machine.travel(DAY_8):
        result = reminders.send_meeting_reminders()

    # grassroots (persona) has no address; grassroots_b has one; grassroots_c has none.
    assert result["grassroots"] == 3
    assert [message.to for message in mail.outbox] == [["grassroots_b@example.org"]]


@override_settings(EMAIL_HOST="")
@time_machine.travel(DAY_5)
def test_no_email_without_an_smtp_server(october):
    result = reminders.send_meeting_reminders()

    assert result["secretaries"] == 3
    assert result["emailed"] == 0
    assert mail.outbox == []
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


@override_settings(EMAIL_HOST=SMTP)
@time_machine.travel(DAY_5)
def test_a_failing_smtp_server_is_logged_and_the_notifications_stay(october, caplog):
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("connection refused")
    ):
        result = reminders.send_meeting_reminders()

    assert result["secretaries"] == 3
    assert result["emailed"] == 0
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    assert "e-mail to user" in caplog.text


#
# Queries
#


def _run_counting_queries() -> int:
    with time_machine.travel(DAY_12), CaptureQueriesContext(connection) as captured:
        result = reminders.send_meeting_reminders()
    assert result["secretaries"] > 0 and result["emailed"] > 0
    return len(captured)


@override_settings(EMAIL_HOST=SMTP)
def test_query_count_does_not_grow_with_the_number_of_cells(world):
    admin = world.personas.admin

    def add_cells(start, stop):
        for number in range(start, stop):
            cell = cell_services.organization_create(
                parent=world.tree.a, name=f"Chi bộ N{number}", code=f"N{number}", kind=Kind.CELL, created_by=admin
            )
            secretary = make_user(f"sec_n{number}", email=f"sec_n{number}@example.org")
            cell_services.role_grant(user=secretary, organization=cell, role=Role.SECRETARY, granted_by=admin)

    add_cells(0, 5)
    small = _run_counting_queries()
    Notification.objects.all().delete()
    add_cells(5, 50)
    large = _run_counting_queries()

    assert small == large
    assert large <= 8


#
# Celery task and schedule
#


@time_machine.travel(DAY_5)
def test_task_runs_the_service(october):
    result = send_meeting_reminders_task.delay().get()

    assert result["secretaries"] == 3
    assert Notification.objects.count() == 3


def test_beat_runs_the_reminders_every_day_at_seven_vietnam_time():
    from config.celery import app

    entry = app.conf.beat_schedule["meeting-reminders"]

    assert entry["task"] == send_meeting_reminders_task.name == "cells.send_meeting_reminders"
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_month == set(range(1, 32))
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"


#
# Notifications UI
#


@pytest.fixture
def inbox(world):
    secretary, outsider = world.personas.secretary, world.personas.outsider
    own = [
        Notification.objects.create(user=secretary, key=f"test:{n}", message=f"Message {n}", link="/tree/")
        for n in range(3)
    ]
    other = Notification.objects.create(user=outsider, key="test:0", message="Not for the secretary")
    return SimpleNamespace(own=own, other=other)


def test_list_shows_only_the_users_own_notifications_newest_first(inbox, client_for):
    response = client_for("secretary").get(reverse("notifications:list"))

    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert shown == sorted(inbox.own, key=lambda n: (n.created_at, n.pk), reverse=True)
    assert b"Not for the secretary" not in response.content
    assert b'href="/tree/"' in response.content


def test_list_requires_login(client_for):
    response = client_for("anonymous").get(reverse("notifications:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_read_all_marks_only_the_users_own_notifications(inbox, client_for):
    response = client_for("secretary").post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(user=inbox.own[0].user, read_at__isnull=True).exists()
    inbox.other.refresh_from_db()
    assert inbox.other.read_at is None


def test_read_all_refuses_get(inbox, client_for):
    response = client_for("secretary").get(reverse("notifications:read_all"))

    assert response.status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 4


def test_unread_count_is_one_query_and_counts_only_own_unread(inbox, personas, django_assert_num_queries):
    inbox.own[0].read_at = inbox.own[0].created_at
    inbox.own[0].save(update_fields=["read_at"])
    request = RequestFactory().get("/")
    request.user = fresh(personas.secretary)

    context = unread_notifications(request)
    with django_assert_num_queries(1):
        html = render_to_string("includes/notification_badge.html", {"user": request.user, **context})

    assert reverse("notifications:list") in html
    assert ">2</span>" in html


def test_badge_caps_the_count_and_hides_it_when_zero(personas):
    def badge(count):
        return render_to_string(
            "includes/notification_badge.html", {"user": personas.secretary, "unread_notifications_count": count}
        )

    assert ">99+</span>" in badge(150)
    assert "badge" not in badge(0)
    assert reverse("notifications:list") in badge(0)


def test_unread_count_is_empty_for_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert unread_notifications(request) == {}
