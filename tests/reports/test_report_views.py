"""The report pages: request form, status (htmx polling), downloads, retry. Builds are eager and real."""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cells import services as cell_services
from cells.models import RoleAssignment
from reports import builders
from reports.models import Report, ReportDownload
from reports.services import report_request
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

COMPLIANCE = Report.Kind.COMPLIANCE


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def requested(world):
    """`requested(persona, node)`: a PENDING compliance report for 2025 (its build not run)."""

    def make(persona="grassroots", node="a"):
        return report_request(
            user=getattr(world.personas, persona),
            organization=getattr(world.tree, node),
            kind=COMPLIANCE,
            year=2025,
        )

    return make


@pytest.fixture
def built(requested, django_capture_on_commit_callbacks):
    """`built(persona, node)`: the same report, built by the eager task."""

    def make(persona="grassroots", node="a"):
        with django_capture_on_commit_callbacks(execute=True):
            report = requested(persona, node)
        report.refresh_from_db()
        assert report.status == Report.Status.DONE, report.error
        return report

    return make


@pytest.fixture
def finished(requested):
    """`finished(persona, node)`: a report marked DONE with small stand-in files, for the access checks that
    need a downloadable report but not a real build."""

    def make(persona="grassroots", node="a"):
        report = requested(persona, node)
        report.pdf.save(f"r{report.pk}.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
        report.xlsx.save(f"r{report.pk}.xlsx", ContentFile(b"PK stand-in"), save=False)
        report.status = Report.Status.DONE
        report.progress = 100
        report.save()
        return report

    return make


@pytest.fixture
def other_grassroots(world):
    """A grassroots-committee user of đảng bộ B: may report, but not on A."""
    user = make_user("grassroots_b")
    cell_services.role_grant(
        user=user, organization=world.tree.b, role=RoleAssignment.Role.GRASSROOTS, granted_by=world.personas.admin
    )
    return user


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


#
# Requesting through the form
#


def test_request_form_redirects_to_detail_which_shows_download_links(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("leader")
    assert client.get(reverse("reports:index")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("reports:index"),
            {"kind": COMPLIANCE, "org": world.tree.root.pk, "year": 2025, "quarter": "2", "month": ""},
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert len(callbacks) == 1  # the build is enqueued once the request commits
    assert (report.kind, report.organization, report.year, report.quarter, report.month) == (
        COMPLIANCE,
        world.tree.root,
        2025,
        2,
        None,
    )
    assert report.requested_by == world.personas.leader
    report.refresh_from_db()
    assert report.status == Report.Status.DONE

    page = client.get(response["Location"])

    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("reports:download_pdf", args=[report.pk]) in html
    assert reverse("reports:download_xlsx", args=[report.pk]) in html
    assert report.sha256 in html
    assert "hx-trigger" not in html


def test_request_form_for_month_ignores_quarter(world, client_for):
    response = client_for("grassroots").post(
        reverse("reports:index"),
        {"kind": COMPLIANCE, "org": world.tree.a.pk, "year": 2025, "quarter": "1", "month": "3"},
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.month, report.quarter) == (3, None)


def test_request_form_shows_service_refusal_and_creates_nothing(world, client_for):
    response = client_for("grassroots").post(
        reverse("reports:index"), {"kind": COMPLIANCE, "org": world.tree.a.pk, "year": 2099}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert not Report.objects.exists()


def test_request_form_for_node_outside_scope_is_404(world, client_for):
    response = client_for("grassroots").post(
        reverse("reports:index"), {"kind": COMPLIANCE, "org": world.tree.b.pk, "year": 2025}
    )

    assert response.status_code == 404
    assert not Report.objects.exists()


def test_request_form_refuses_fourth_active_request(world, client_for, requested):
    for _ in range(3):
        requested("grassroots", "a")

    response = client_for("grassroots").post(
        reverse("reports:index"), {"kind": COMPLIANCE, "org": world.tree.a.pk, "year": 2025}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Report.objects.count() == 3


#
# Status: the full page and the htmx fragment
#


def test_status_fragment_polls_while_report_is_active(client_for, requested):
    report = requested()

    response = client_for("grassroots").get(reverse("reports:detail", args=[report.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-status"')
    assert "<html" not in html and "<nav" not in html  # only the status part
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{reverse("reports:detail", args=[report.pk])}"' in html
    assert reverse("reports:download_pdf", args=[report.pk]) not in html


def test_status_fragment_stops_polling_when_report_is_done(client_for, built):
    report = built()

    response = client_for("grassroots").get(reverse("reports:detail", args=[report.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert "hx-trigger" not in html
    assert "hx-get" not in html
    assert reverse("reports:download_pdf", args=[report.pk]) in html


def test_status_fragment_of_running_report_shows_progress(client_for, requested):
    report = requested()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=55)

    html = client_for("grassroots").get(reverse("reports:detail", args=[report.pk]), headers={"HX-Request": "true"})
    html = html.content.decode()

    assert 'aria-valuenow="55"' in html
    assert "hx-trigger" in html


def test_detail_page_without_htmx_is_the_full_page(client_for, requested):
    report = requested()

    html = client_for("grassroots").get(reverse("reports:detail", args=[report.pk])).content.decode()

    assert "<html" in html
    assert 'id="report-status"' in html
    assert "hx-trigger" in html


#
# Downloads
#


def test_download_pdf_and_xlsx_records_every_download(world, client_for, built):
    report = built()
    client = client_for("leader")

    pdf = client.get(reverse("reports:download_pdf", args=[report.pk]))
    xlsx = client.get(reverse("reports:download_xlsx", args=[report.pk]))
    again = client.get(reverse("reports:download_pdf", args=[report.pk]))

    assert pdf.status_code == xlsx.status_code == again.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == stored(report.pdf)
    assert pdf["Content-Disposition"].startswith("inline")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["Content-Disposition"].startswith("attachment")
    assert "bao-cao-sinh-hoat-chi-bo-A-2025.xlsx" in xlsx["Content-Disposition"]  # Vietnamese, no diacritics
    assert b"".join(xlsx.streaming_content) == stored(report.xlsx)
    downloads = list(ReportDownload.objects.order_by("id").values_list("report_id", "user_id", "file_format"))
    leader = world.personas.leader.pk
    assert downloads == [(report.pk, leader, "pdf"), (report.pk, leader, "xlsx"), (report.pk, leader, "pdf")]


def test_download_of_report_not_done_is_404_and_not_recorded(client_for, requested):
    report = requested()

    response = client_for("grassroots").get(reverse("reports:download_pdf", args=[report.pk]))

    assert response.status_code == 404
    assert not ReportDownload.objects.exists()


@pytest.mark.parametrize("url_name", ["reports:download_pdf", "reports:download_xlsx", "reports:detail"])
@pytest.mark.parametrize("persona", ["outsider", "secretary", "member", "norole", "other_grassroots"])
def test_report_outside_user_scope_is_404(client_for, finished, request, url_name, persona):
    report = finished("grassroots", "a")
    assert client_for("grassroots").get(reverse(url_name, args=[report.pk])).status_code == 200
    ReportDownload.objects.all().delete()
    user = request.getfixturevalue("other_grassroots") if persona == "other_grassroots" else persona

    response = client_for(user).get(reverse(url_name, args=[report.pk]))

    assert response.status_code == 404
    assert not ReportDownload.objects.exists()


def test_secretary_sees_report_on_own_cell_but_may_not_open_it(client_for, finished):
    # A cell in the secretary's subtree exists for them, but a secretary has no REPORTS action: 403.
    report = finished("grassroots", "a1")

    for url_name in ("reports:detail", "reports:download_pdf"):
        assert client_for("secretary").get(reverse(url_name, args=[report.pk])).status_code == 403
    assert not ReportDownload.objects.exists()


@pytest.mark.parametrize("url_name", ["reports:download_pdf", "reports:download_xlsx", "reports:detail"])
def test_anonymous_user_is_sent_to_login(client_for, requested, url_name):
    report = requested()
    url = reverse(url_name, args=[report.pk])

    response = client_for("anonymous").get(url)

    assert response.status_code == 302
    assert _path(response["Location"]) == reverse("login")
    assert f"next={url}" in response["Location"]


def test_unknown_report_is_404(client_for):
    assert client_for("admin").get(reverse("reports:detail", args=[999999])).status_code == 404


def test_report_list_shows_only_reports_in_scope(world, client_for, requested, other_grassroots):
    mine = requested("grassroots", "a")
    theirs = report_request(user=other_grassroots, organization=world.tree.b, kind=COMPLIANCE, year=2025)

    html = client_for(other_grassroots).get(reverse("reports:index")).content.decode()

    assert reverse("reports:detail", args=[theirs.pk]) in html
    assert reverse("reports:detail", args=[mine.pk]) not in html
    html = client_for("leader").get(reverse("reports:index")).content.decode()
    assert reverse("reports:detail", args=[mine.pk]) in html
    assert reverse("reports:detail", args=[theirs.pk]) in html


#
# Retry
#


def test_retry_builds_failed_report_again(world, client_for, requested, monkeypatch):
    report = requested()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, error="RuntimeError: boom", attempts=1)

    response = client_for("grassroots").post(reverse("reports:retry", args=[report.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.DONE  # enqueued at once; the eager task built it
    assert report.error == ""
    assert report.attempts == 2


@pytest.mark.parametrize("status", [Report.Status.PENDING, Report.Status.RUNNING, Report.Status.DONE])
def test_retry_refuses_report_that_has_not_failed(client_for, requested, status):
    report = requested()
    Report.objects.filter(pk=report.pk).update(status=status, progress=40)

    response = client_for("grassroots").post(reverse("reports:retry", args=[report.pk]), follow=True)

    assert response.redirect_chain == [(reverse("reports:detail", args=[report.pk]), 302)]
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == (status, 40, 0)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.parametrize(
    ("persona", "method", "status_code"),
    [
        pytest.param("grassroots", "get", 405, id="by-get-is-not-allowed"),
        pytest.param("outsider", "post", 404, id="of-report-outside-scope-is-404"),
    ],
)
def test_retry_by_get_or_outside_scope_is_refused(client_for, requested, persona, method, status_code):
    report = requested()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED)

    response = getattr(client_for(persona), method)(reverse("reports:retry", args=[report.pk]))

    assert response.status_code == status_code
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED


#
# A failing build in eager mode (no broker): the user lands on the report page showing the failure.
# transaction=True: the on-commit hook must run inside the request, as it does outside tests.
#


@pytest.mark.django_db(transaction=True)
def test_failing_build_in_eager_mode_redirects_to_the_failed_report(world, client_for, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("Thiếu dữ liệu")

    monkeypatch.setitem(builders.BUILDERS, COMPLIANCE, broken)
    client = client_for("grassroots")

    response = client.post(reverse("reports:index"), {"kind": COMPLIANCE, "org": world.tree.a.pk, "year": 2025})

    report = Report.objects.get()
    assert report.status == Report.Status.FAILED
    assert report.error == "RuntimeError: Thiếu dữ liệu"
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Thiếu dữ liệu" in html
    assert reverse("reports:retry", args=[report.pk]) in html

    retried = client.post(reverse("reports:retry", args=[report.pk]))

    assert retried.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
