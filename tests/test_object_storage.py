"""Files in an S3-compatible object store (issue #16, "more than one server"): nothing a second server would need is
written to the local disk.

An S3 emulator (moto's server mode, in a thread of this process, on a free port: offline, no skip on a clean machine)
stands in for AWS S3 or MinIO; the settings point the default storage at it exactly as config/settings.py does when
S3_BUCKET is set. Through the pages and services: a meeting attachment uploaded and downloaded back (access checked),
a report built and its PDF and .xlsx downloaded, an issued report's frozen PDF, an evaluation's evidence file
uploaded with the self-assessment.
Each test asserts the bytes are in the bucket, private (no public grant), and that MEDIA_ROOT stayed empty.
"""

import socket
from pathlib import Path

import boto3
import pytest
import time_machine
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from evaluations.models import CriterionAnswer, OrgEvaluation
from meetings import services as meeting_services
from meetings.models import MeetingAttachment
from tests import helpers

pytestmark = pytest.mark.django_db

BUCKET = "chibo-test"
REGION = "ap-southeast-1"
KEY, SECRET = "chibo-test-key", "chibo-test-secret"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 emulator on 127.0.0.1:<free port> for the module, its address."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, tmp_path):
    """A fresh private bucket, the default storage pointed at it (the S3_BUCKET branch of config/settings.py), and
    MEDIA_ROOT on an empty directory that must stay empty. Returns a boto3 client on the emulator."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": KEY,
                "secret_key": SECRET,
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    assert list(media.rglob("*")) == [], "a file was written under MEDIA_ROOT instead of the object store"
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def stored_object(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def assert_private(client, key: str) -> None:
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GROUPS], grants


def test_the_default_storage_is_the_object_store(s3):
    assert type(storages["default"]).__name__ == "S3Storage"
    name = default_storage.save("probe/ping.txt", SimpleUploadedFile("ping.txt", b"pong"))
    assert stored_object(s3, name) == b"pong"
    # Django's own name-clash rule, as on a disk: the second upload with the same name does not overwrite the first.
    second = default_storage.save("probe/ping.txt", SimpleUploadedFile("ping.txt", b"pong 2"))
    assert second != name
    assert stored_object(s3, name) == b"pong"


@time_machine.travel("2025-06-15 10:00 +0700", tick=False)
def test_meeting_attachment_is_uploaded_to_and_downloaded_from_the_object_store(world, client_for, s3):
    meeting = meeting_services.meeting_create(
        organization=world.tree.a1,
        data=helpers.meeting_minutes(world, content="Nội dung", conclusion="Kết luận"),
        created_by=world.personas.admin,
    )

    response = client_for("secretary").post(
        reverse("meetings:attachment_add", args=[meeting.pk]),
        {"file": SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, content_type="application/pdf")},
    )

    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get(meeting=meeting)
    assert attachment.file.name.startswith(f"meetings/{world.tree.a1.pk}/{meeting.pk}/")
    assert stored_object(s3, attachment.file.name) == PDF_BYTES
    assert_private(s3, attachment.file.name)

    download = client_for("leader").get(reverse("meetings:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    # The object store holds the file; the access check is still the view's: outside the subtree, 404.
    assert client_for("outsider").get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 404


def test_built_report_files_go_to_the_object_store_and_download_through_the_view(
    world, client_for, s3, django_capture_on_commit_callbacks
):
    from reports.models import Report, ReportDownload
    from reports.services import report_request

    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(
            user=world.personas.grassroots, organization=world.tree.a, kind=Report.Kind.COMPLIANCE, year=2025
        )
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {report.pdf.name, report.xlsx.name} <= keys
    for name in (report.pdf.name, report.xlsx.name):
        assert_private(s3, name)

    client = client_for("grassroots")
    pdf = client.get(reverse("reports:download_pdf", args=[report.pk]))
    xlsx = client.get(reverse("reports:download_xlsx", args=[report.pk]))

    assert pdf.status_code == 200 and xlsx.status_code == 200
    pdf_body = b"".join(pdf.streaming_content)
    assert pdf_body.startswith(b"%PDF") and pdf_body == stored_object(s3, report.pdf.name)
    assert b"".join(xlsx.streaming_content) == stored_object(s3, report.xlsx.name)
    assert ReportDownload.objects.filter(report=report).count() == 2
    # Not the requester's subtree: 404, nothing recorded.
    assert client_for("outsider").get(reverse("reports:download_pdf", args=[report.pk])).status_code == 404
    assert ReportDownload.objects.filter(report=report).count() == 2


def test_issued_report_document_is_frozen_in_the_object_store(world, client_for, s3):
    """An issued report (reports/documents/issuing.py) keeps its frozen PDF in the store; the download serves it."""
    import datetime as dt

    from reports.building import report_build
    from reports.documents import issuing
    from reports.models import Report
    from reports.services import report_request

    with time_machine.travel("2026-02-16 09:00 +0700", tick=False):
        report = report_request(
            user=world.personas.admin, organization=world.tree.root, kind=Report.Kind.COMPLIANCE, year=2025
        )
        report_build(report_id=report.pk)  # the test's transaction never commits: build it here
        report.refresh_from_db()
        assert report.status == Report.Status.DONE, report.error
        issued = issuing.issue_report(
            report=report,
            user=world.personas.admin,
            issued_on=dt.date(2026, 2, 16),
            signer_authority="T/M BAN THƯỜNG VỤ",
            signer_position="BÍ THƯ",
            signer_name="Nguyễn Văn An",
            recipients="- Lưu VP.",
        )

    assert issued.issued_pdf.name and issued.issued_pdf.name != issued.pdf.name
    frozen = stored_object(s3, issued.issued_pdf.name)
    assert frozen.startswith(b"%PDF")
    assert_private(s3, issued.issued_pdf.name)
    download = client_for("staff").get(reverse("reports:download_pdf", args=[issued.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == frozen


def test_evaluation_evidence_file_is_kept_in_the_object_store(world, client_for, s3):
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        period = helpers.open_period(world, year=2025)
        evaluation = OrgEvaluation.objects.get(period=period, organization=world.tree.a1)
        code = evaluation.criteria_snapshot["criteria"][0]["code"]
        data = {
            "action": "save",
            "self-version": str(evaluation.version),
            "self-self_grade": "HTTNV",
            "self-self_comment": "Báo cáo năm",
            f"evidence-{code}": "Sổ biên bản",
            f"file-{code}": SimpleUploadedFile("minh-chung.pdf", PDF_BYTES, content_type="application/pdf"),
        }

        response = client_for("secretary").post(reverse("evaluations:detail", args=[evaluation.pk]), data)

    assert response.status_code == 302, getattr(response, "context", None) and response.context.get("form")
    answer = CriterionAnswer.objects.get(evaluation=evaluation, code=code)
    assert answer.evidence_file.name.startswith(f"evaluations/{period.pk}/{evaluation.pk}/")
    assert stored_object(s3, answer.evidence_file.name) == PDF_BYTES
    assert_private(s3, answer.evidence_file.name)
    with answer.evidence_file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    # The review page links it; the link downloads it from the store, and only inside the scope.
    url = reverse("evaluations:evidence", args=[evaluation.pk, code])
    assert url in client_for("leader").get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    download = client_for("leader").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert client_for("outsider").get(url).status_code == 404


def test_settings_select_s3_from_the_environment(monkeypatch):
    """config/settings.py: S3_BUCKET (or AWS_STORAGE_BUCKET_NAME) picks S3Storage with the endpoint, region, keys and
    addressing style from the environment, private files; unset, the disk."""
    import importlib

    import config.settings as module

    environment = {
        "DEBUG": "1",
        "S3_BUCKET": "chibo-files",
        "S3_ENDPOINT_URL": "http://minio:9000",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY": "k",
        "S3_SECRET_KEY": "s",
        "S3_ADDRESSING_STYLE": "path",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    try:
        configured = importlib.reload(module).STORAGES["default"]
        assert configured["BACKEND"] == "storages.backends.s3.S3Storage"
        options = configured["OPTIONS"]
        assert options["bucket_name"] == "chibo-files"
        assert options["endpoint_url"] == "http://minio:9000"
        assert options["region_name"] == "us-east-1"
        assert (options["access_key"], options["secret_key"]) == ("k", "s")
        assert options["addressing_style"] == "path"
        assert options["default_acl"] is None and options["querystring_auth"] is True

        monkeypatch.delenv("S3_BUCKET")
        monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "other")
        assert importlib.reload(module).STORAGES["default"]["OPTIONS"]["bucket_name"] == "other"

        monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME")
        assert importlib.reload(module).STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_no_download_path_reads_the_local_disk():
    """Every file is read through the storage API (field.open()), which the object store serves: no `.path`, no
    MEDIA_ROOT, no X-Sendfile in the application code."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for package in ("cells", "members", "meetings", "criteria", "evaluations", "reports", "config"):
        for source in (root / package).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            text = source.read_text(encoding="utf-8")
            for needle in ("file.path", "pdf.path", "xlsx.path", "evidence_file.path", "X-Sendfile", "X-Accel"):
                if needle in text:
                    offenders.append(f"{source.relative_to(root)}: {needle}")
            if "MEDIA_ROOT" in text and source.name not in {"settings.py", "urls.py"}:
                offenders.append(f"{source.relative_to(root)}: MEDIA_ROOT")
    assert offenders == []
