"""The pieces of the bench's load phase that live in the product: the production gunicorn settings, the ceiling
view, and the form round trip the load phase's writes rely on (an untouched edit form posted back saves, through
the service, and changes nothing). Times are the bench's business (bench/run.py), never asserted here."""

import runpy
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.htmlforms import edit_form, form_errors
from members.models import Member

GUNICORN = Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"
GUNICORN_ENV = (
    "GUNICORN_WORKERS",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_ACCESSLOG",
    "GUNICORN_BIND",
)


@pytest.fixture
def clean_gunicorn_env(monkeypatch):
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_gunicorn_defaults_follow_the_cpu_count(clean_gunicorn_env):
    import multiprocessing

    settings = runpy.run_path(str(GUNICORN))
    assert settings["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert (settings["threads"], settings["worker_class"]) == (2, "gthread")
    assert settings["accesslog"] == "-"
    assert settings["bind"] == "0.0.0.0:8000"


def test_gunicorn_settings_come_from_the_environment(clean_gunicorn_env):
    clean_gunicorn_env.setenv("GUNICORN_WORKERS", "3")
    clean_gunicorn_env.setenv("GUNICORN_THREADS", "1")
    clean_gunicorn_env.setenv("GUNICORN_ACCESSLOG", "")
    clean_gunicorn_env.setenv("GUNICORN_BIND", "127.0.0.1:9000")
    settings = runpy.run_path(str(GUNICORN))
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == (3, 1, "sync")
    assert settings["accesslog"] is None
    assert settings["bind"] == "127.0.0.1:9000"


def test_gunicorn_web_concurrency_is_the_fallback_for_workers(clean_gunicorn_env):
    clean_gunicorn_env.setenv("WEB_CONCURRENCY", "4")
    assert runpy.run_path(str(GUNICORN))["workers"] == 4


def test_ceiling_renders_the_base_template_and_nothing_else(client_for):
    client = client_for("staff")
    client.get(reverse("bench_ceiling"))  # the session's first request may set things up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("bench_ceiling"))
    assert response.status_code == 200
    assert [t.name for t in response.templates if not t.name.startswith(("includes/", "django/"))] == [
        "bench_ceiling.html",
        "base.html",
    ]
    home = client_for("staff")
    home.get(reverse("home"))
    with CaptureQueriesContext(connection) as home_queries:
        home.get(reverse("home"))
    # The ceiling reads only what every page reads (session, user, menu), fewer than a real page.
    assert len(captured) < len(home_queries)


def test_ceiling_needs_a_login(client_for):
    response = client_for("anonymous").get(reverse("bench_ceiling"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _round_trip(client, url):
    page = client.get(url)
    assert page.status_code == 200
    fields = edit_form(page.content.decode(), url)
    assert fields is not None, "no edit form found"
    return client.post(url, data=urlencode(fields), content_type="application/x-www-form-urlencoded")


def test_untouched_member_edit_form_posted_back_saves_and_changes_nothing(world, client_for):
    member = world.tree.a1.members.order_by("pk").first()
    before = Member.objects.filter(pk=member.pk).values().get()
    response = _round_trip(client_for("staff"), reverse("members:edit", args=[member.pk]))
    assert response.status_code == 302, form_errors(response.content.decode())
    after = Member.objects.filter(pk=member.pk).values().get()
    changed = {k for k in before if before[k] != after[k]} - {"version", "updated_at", "search_text"}
    assert changed == set()


def test_untouched_organisation_edit_form_posted_back_saves(world, client_for):
    response = _round_trip(client_for("staff"), reverse("cells:edit", args=[world.tree.a1.pk]))
    assert response.status_code == 302, form_errors(response.content.decode())


def test_edit_form_skips_the_logout_form_and_keeps_selected_options():
    html = """
    <form method="post" action="/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>
    <form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="name" value="Chi bộ A1"><input type="text" name="empty_date">
      <input type="checkbox" name="off"><input type="checkbox" name="on" checked>
      <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
      <select name="first"><option value="x">X</option><option value="y">Y</option></select>
      <textarea name="notes">
dòng 1</textarea>
      <input type="file" name="scan"><button type="submit" name="go">Lưu</button>
    </form>"""
    assert edit_form(html, "/tree/1/edit/") == [
        ("csrfmiddlewaretoken", "t"),
        ("name", "Chi bộ A1"),
        ("empty_date", ""),
        ("on", "on"),
        ("kind", "b"),
        ("first", "x"),
        ("notes", "dòng 1"),
    ]


def test_untouched_meeting_draft_posted_back_saves(world, client_for):
    import datetime

    from django.utils import timezone

    from meetings import services as meeting_services

    today = timezone.localdate()
    meeting = meeting_services.meeting_create(
        organization=world.tree.a1,
        data={
            "kind": "CHUYEN_DE",
            "period_year": today.year,
            "period_month": today.month,
            "date": today,
            "start_time": datetime.time(14, 0),
            "end_time": datetime.time(16, 0),
            "topic": "Chuyên đề kiểm thử tải",
        },
        created_by=world.personas.admin,
    )
    response = _round_trip(client_for("staff"), reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 302, form_errors(response.content.decode())
    meeting.refresh_from_db()
    assert (meeting.status, meeting.topic) == ("NHAP", "Chuyên đề kiểm thử tải")
    assert meeting.attendances.count() == world.tree.a1.members.count()
