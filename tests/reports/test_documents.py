"""Reports as issued documents (reports/documents/): the issuer's settings, the register of outgoing numbers,
draft → issued, the narrative edited on the draft, the register page, the download names."""

import datetime
import hashlib
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, Position
from reports.building import report_build
from reports.documents import issuing
from reports.documents.settings import issuer_profile, save_issuer_settings
from reports.documents.signers import propose_signer
from reports.models import NumberCounter, OutgoingNumber, Report
from reports.services import report_request
from tests.conftest import require_service

FROZEN = "2026-02-16 09:00 +0700"
ISSUED_ON = datetime.date(2026, 2, 16)


def draft(world, *, organization=None, kind=Report.Kind.COMPLIANCE, year=2025, month=None):
    report = report_request(
        user=world.personas.admin, organization=organization or world.tree.root, kind=kind, year=year, month=month
    )
    report_build(report_id=report.pk)  # tests run in a transaction: the on-commit enqueue never fires
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


def issue(report, user, **overrides):
    values = {
        "issued_on": ISSUED_ON,
        "signer_authority": "T/M BAN THƯỜNG VỤ",
        "signer_position": "BÍ THƯ",
        "signer_name": "Nguyễn Văn An",
        "recipients": "- Ban Tổ chức Tỉnh ủy (để báo cáo),\n- Lưu VP.",
    }
    return issuing.issue_report(report=report, user=user, **(values | overrides))


@pytest.mark.django_db
def test_issuer_defaults_follow_the_tree_and_place_is_inherited(world):
    t = world.tree
    root, a, a1 = issuer_profile(t.root), issuer_profile(t.a), issuer_profile(t.a1)
    # The issuer is the committee: "Đảng bộ A" issues as "ĐẢNG ỦY A", under the body above it.
    assert a["issuer_name"] == "ĐẢNG ỦY A" and a["body_above"] == t.root.name.upper()
    assert a["authority"] == "T/M ĐẢNG ỦY" and a["abbreviation"] == "ĐU"
    assert a1["issuer_name"] == "CHI BỘ A1" and a1["body_above"] == "ĐẢNG BỘ A" and a1["authority"] == "T/M CHI BỘ"
    assert root["authority"] == "T/M BAN THƯỜNG VỤ" and root["place"] == ""
    assert a["recipients"][Report.Kind.COMPLIANCE].splitlines()[-1] == "- Lưu VP."
    save_issuer_settings(
        organization=t.root,
        user=world.personas.staff,
        version=1,
        issuer_name="Đảng ủy Khối các cơ quan tỉnh",
        body_above="Đảng bộ tỉnh Yên Bái",
        abbreviation="ĐUK",
        place="Yên Bái",
        authority="",
        recipients={},
    )
    root = issuer_profile(t.root)
    assert (root["issuer_name"], root["body_above"], root["place"]) == (
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
        "ĐẢNG BỘ TỈNH YÊN BÁI",
        "Yên Bái",
    )
    assert issuer_profile(t.a1)["place"] == "Yên Bái"  # set once at the root, printed everywhere below


@pytest.mark.django_db
def test_issuer_settings_refuse_control_characters_and_stale_versions(world):
    kwargs = dict(
        organization=world.tree.a,
        user=world.personas.staff,
        issuer_name="",
        body_above="",
        abbreviation="",
        authority="",
        recipients={},
    )
    with pytest.raises(ValidationError) as error:
        save_issuer_settings(version=1, place="Yên\x00Bái", **kwargs)
    assert "U+0000" in str(error.value)
    save_issuer_settings(version=1, place="Yên Bái", **kwargs)
    with pytest.raises(ValidationError):
        save_issuer_settings(version=1, place="Hà Nội", **kwargs)  # someone saved since version 1


@pytest.mark.django_db
def test_signer_proposed_from_the_committee_seats(world):
    a = world.tree.a
    assert propose_signer(a) == {"position": "", "name": ""}
    deputy = Member.objects.filter(organization=world.tree.a1).order_by("pk").first()
    Position.objects.create(member=deputy, organization=a, role=Position.Role.DEPUTY_SECRETARY)
    assert propose_signer(a) == {"position": "K/T BÍ THƯ\nPHÓ BÍ THƯ", "name": deputy.full_name}
    secretary = Member.objects.filter(organization=world.tree.a1).order_by("pk").last()
    Position.objects.create(member=secretary, organization=a, role=Position.Role.SECRETARY)
    Position.objects.create(
        member=deputy, organization=a, role=Position.Role.SECRETARY, ended_on=datetime.date(2020, 1, 1)
    )
    assert propose_signer(a) == {"position": "BÍ THƯ", "name": secretary.full_name}


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_issuing_numbers_per_issuer_and_year_and_freezes_the_document(world):
    staff = world.personas.staff
    first, second = draft(world), draft(world, kind=Report.Kind.EVALUATION)
    draft_sha = first.sha256
    issued = issue(first, staff)
    assert (issued.state, issued.number, issued.symbol) == (Report.State.ISSUED, 1, "1-BC/ĐUK")
    stored = issued.issued_pdf.read()
    assert hashlib.sha256(stored).hexdigest() == issued.issued_sha256 != draft_sha
    assert issue(second, staff).symbol == "2-BC/ĐUK"
    other = issue(draft(world, organization=world.tree.a), staff)
    assert other.symbol == "1-BC/ĐU"  # numbers run per issuer
    assert list(OutgoingNumber.objects.filter(issuer=world.tree.root).values_list("number", flat=True)) == [2, 1]


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_an_issued_report_never_changes(world):
    report = issue(draft(world), world.personas.staff)
    frozen = (report.number, report.issued_sha256, report.signer_name)
    with pytest.raises(ValidationError, match="lập báo cáo mới"):
        issue(report, world.personas.staff)
    with pytest.raises(ValidationError, match="lập báo cáo mới"):
        issuing.save_narrative(report=report, user=world.personas.staff, version=1, sections={"results": "x"})
    assert report_build(report_id=report.pk) is None  # a finished report is never built again
    report.refresh_from_db()
    assert (report.number, report.issued_sha256, report.signer_name) == frozen
    assert NumberCounter.objects.get(issuer=world.tree.root, year=2026).last_number == 1


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_a_number_stays_taken_when_issuing_fails_after_taking_it(world, monkeypatch):
    report = draft(world)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(issuing.pdf, "render_pdf", broken)
    with pytest.raises(OSError):
        issue(report, world.personas.staff)
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT and not report.symbol
    assert OutgoingNumber.objects.get(issuer=world.tree.root).number == 1  # void, never given again
    monkeypatch.undo()
    assert issue(report, world.personas.staff).number == 2


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_only_staff_issue_and_hostile_input_gets_a_message(world):
    report = draft(world)
    with pytest.raises(ValidationError, match="cán bộ"):
        issue(report, world.personas.leader)
    with pytest.raises(ValidationError) as error:
        issue(report, world.personas.staff, signer_name="An\x07")
    assert "U+0007" in str(error.value)
    with pytest.raises(ValidationError):
        issue(report, world.personas.staff, recipients="  \n ")
    with pytest.raises(ValidationError):
        issue(report, world.personas.staff, issued_on=datetime.date(2030, 1, 1))
    assert not OutgoingNumber.objects.exists()  # refusals take no number


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_issuing_refuses_a_draft_whose_figures_changed(world):
    report = draft(world)
    Report.objects.filter(pk=report.pk).update(figures={"cells": -1})
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="Số liệu đã thay đổi"):
        issue(report, world.personas.staff)
    assert not OutgoingNumber.objects.exists()


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_narrative_saved_untouched_changes_nothing_and_edits_win_after_rebuild(world, monkeypatch):
    report = draft(world)
    assert report.drafted_sections, "the builder drafted no section"
    key = report.drafted_sections[0]["key"]
    untouched = issuing.save_narrative(report=report, user=world.personas.staff, version=1, sections={})
    assert untouched.narrative == {} and untouched.narrative_version == 1 and untouched.status == Report.Status.DONE
    same = "\n\n".join(report.drafted_sections[0]["paragraphs"])
    issuing.save_narrative(report=report, user=world.personas.staff, version=1, sections={key: same})
    report.refresh_from_db()
    assert report.narrative == {} and report.narrative_version == 1
    issuing.save_narrative(
        report=report, user=world.personas.staff, version=1, sections={key: "Đoạn một\nvẫn một.\n\nĐoạn hai."}
    )
    report.refresh_from_db()
    assert report.narrative == {key: ["Đoạn một vẫn một.", "Đoạn hai."]} and report.status == Report.Status.PENDING
    report_build(report_id=report.pk)
    from tests.reports import pdf_text

    report.refresh_from_db()
    assert "Đoạn một vẫn một." in pdf_text(report.pdf.read())
    with pytest.raises(ValidationError, match="Người khác đã lưu"):
        issuing.save_narrative(report=report, user=world.personas.staff, version=1, sections={key: "x"})
    for hostile in ("a\x00b", "x" * (issuing.PARAGRAPH_MAX + 1)):
        with pytest.raises(ValidationError):
            issuing.save_narrative(report=report, user=world.personas.staff, version=2, sections={key: hostile})


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_register_page_lists_and_finds_issued_documents_with_constant_queries(world, client_for):
    staff = world.personas.staff
    issue(draft(world), staff)
    client = client_for("staff")
    url = reverse("reports:register")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert "1-BC/ĐUK" in page.content.decode()
    issue(draft(world, kind=Report.Kind.EVALUATION), staff)
    issue(draft(world, organization=world.tree.a), staff, signer_name="Trần Thị Bình")
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)
    assert len(three) == len(one)
    content = page.content.decode()
    assert all(symbol in content for symbol in ("1-BC/ĐUK", "2-BC/ĐUK", "1-BC/ĐU"))
    found = client.get(url, {"number": "2-BC"}).content.decode()
    assert "2-BC/ĐUK" in found and "1-BC/ĐUK" not in found
    found = client.get(url, {"q": "Bình"}).content.decode()
    assert "1-BC/ĐU<" in found and "ĐUK" not in found
    found = client.get(url, {"kind": "evaluation", "year": "2025"}).content.decode()
    assert "2-BC/ĐUK" in found and "1-BC/ĐU<" not in found
    # A grassroots committee sees only its own subtree's documents.
    mine = client_for("grassroots").get(url).content.decode()
    assert "1-BC/ĐU<" in mine and "ĐUK" not in mine


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
def test_issue_through_the_pages_and_download_names(world, client_for):
    report = draft(world, month=5)
    client = client_for("staff")
    name = client.get(reverse("reports:download_pdf", args=[report.pk]))["Content-Disposition"]
    assert f"bao-cao-sinh-hoat-chi-bo-{world.tree.root.code}-05-2025.pdf" in name
    form = client.get(reverse("reports:issue", args=[report.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("reports:issue", args=[report.pk]),
        {
            "issued_on": "16/02/2026",
            "signer_authority": "T/M BAN THƯỜNG VỤ",
            "signer_position": "BÍ THƯ",
            "signer_name": "Nguyễn Văn An",
            "recipients": "- Lưu VP.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.symbol == "1-BC/ĐUK"
    download = client.get(reverse("reports:download_pdf", args=[report.pk]))
    assert "so-1-BC-DUK-bao-cao-sinh-hoat-chi-bo-" in download["Content-Disposition"]
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == report.issued_sha256
    hostile = client.post(reverse("reports:narrative", args=[report.pk]), {"version": "1"})
    assert hostile.status_code == 302  # issued: sent back to the report, nothing changed


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_takes_distinct_numbers_on_postgresql(world):
    require_service("postgresql")
    issuer, results, errors = world.tree.root, [], []
    barrier = threading.Barrier(4)

    def take():
        try:
            barrier.wait()
            results.append(
                issuing.take_number(issuer=issuer, year=2026, abbreviation="ĐUK", report=None, user=None).number
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [1, 2, 3, 4]
