"""Report requests and builds (reports.services, reports.building, reports.tasks, the build_report command).

Builds run for real: the eager Celery task, the compliance builder, WeasyPrint and openpyxl. The figures are checked
against numbers worked out by hand on a small fixed year of meetings (`year_2025` below).
"""

import datetime
import hashlib
import io
import unicodedata

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from meetings.models import Attendance, Meeting
from meetings.services import refresh_attendance_totals
from reports import builders
from reports.models import Report
from reports.services import MAX_ACTIVE_PER_USER, MAX_ATTEMPTS, STALE_AFTER, report_request, requeue_stale
from reports.tasks import report_generate
from tests.helpers import meeting_row
from tests.reports import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

# February 2026: every month of 2025 has ended, so the whole year counts.
FROZEN = "2026-02-16 09:00 +0700"
COMPLIANCE = Report.Kind.COMPLIANCE

Kind = Meeting.Kind
Rating = Meeting.Rating
PRESENT = Attendance.Status.PRESENT
EXCUSED = Attendance.Status.EXCUSED
UNEXCUSED = Attendance.Status.UNEXCUSED
EXEMPT = Attendance.Status.EXEMPT

#
# The year 2025 under the root of the conftest tree: five cells (A1, A2, B1, B2 and the grassroots cell C).
#
#   A1  12 regular meetings, those of months 3, 6, 9, 12 combined with a thematic one; all rated Tốt (good).
#       Attendance: An present 12×; Bình present 8×, absent with reason in months 5–8 (a run of 4 > the limit 3);
#       Cường present 9×, absent without reason in month 4, exempt in months 11 and 12.
#   A2  12 regular meetings, all rated Khá (fair); one thematic meeting (month 2): quarters 2–4 without one.
#   B1  11 regular meetings (none in July), unrated; no thematic meeting.
#   B2  12 regular meetings, those of months 1–4 rated Tốt, the rest unrated; a thematic meeting in months
#       1, 4, 7 and 10 (every quarter).
#   C   nothing.
#
# By hand:
#   cells                         5
#   every regular meeting held    A1, A2, B2                 3/5   = 60.0 %
#   a thematic meeting every qtr  A1, B2                     2/5   = 40.0 %
#   attendance (final regular)    present 12 + 8 + 9 = 29; counted 36 − 2 exempt = 34
#                                                            29/34 = 85.294… → 85.3 %
#   rated Tốt among rated         good 12 (A1) + 4 (B2) = 16; rated 12 + 12 + 4 = 28
#                                                            16/28 = 57.142… → 57.1 %
#   cells with a missing month    B1 (7), C (1–12)           2
#   members to follow up          Bình (run of 4), Cường (1 without reason)   2
#
EXPECTED_FIGURES = {
    "cells": 5,
    "pct_all_regular": 60.0,
    "pct_all_thematic": 40.0,
    "attendance_pct": 85.3,
    "pct_good": 57.1,
    "missing_cells": 2,
    "flagged_members": 2,
}


def _meeting(cell, month, *, kind=Kind.REGULAR, rating="", status=Meeting.Status.FINAL):
    day = 10 if kind == Kind.THEMATIC else 5
    return meeting_row(
        cell, 2025, month, day=day, kind=kind, status=status, rating=rating, topic=f"Sinh hoạt tháng {month}"
    )


def year_2025(world) -> None:
    tree, members = world.tree, world.members
    meetings = []
    a1 = {
        month: _meeting(tree.a1, month, kind=Kind.COMBINED if month % 3 == 0 else Kind.REGULAR, rating=Rating.GOOD)
        for month in range(1, 13)
    }
    meetings += a1.values()
    meetings += [_meeting(tree.a2, month, rating=Rating.FAIR) for month in range(1, 13)]
    meetings.append(_meeting(tree.a2, 2, kind=Kind.THEMATIC))
    meetings += [_meeting(tree.b1, month) for month in range(1, 13) if month != 7]
    meetings += [_meeting(tree.b2, month, rating=Rating.GOOD if month <= 4 else "") for month in range(1, 13)]
    meetings += [_meeting(tree.b2, month, kind=Kind.THEMATIC) for month in (1, 4, 7, 10)]
    Meeting.objects.bulk_create(meetings)

    def status_of_binh(month):
        return EXCUSED if 5 <= month <= 8 else PRESENT

    def status_of_cuong(month):
        return {4: UNEXCUSED, 11: EXEMPT, 12: EXEMPT}.get(month, PRESENT)

    Attendance.objects.bulk_create(
        Attendance(meeting=Meeting.objects.get(pk=meeting.pk), member=member, status=status(month))
        for month, meeting in a1.items()
        for member, status in (
            (members.own, lambda month: PRESENT),
            (members.other, status_of_binh),
            (members.probationary, status_of_cuong),
        )
    )
    refresh_attendance_totals(Meeting.objects.all())


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """`build(user, organization, year=…)`: request a report as the web does, and let the eager task build it
    when the request commits (the test's transaction never commits: the on-commit hook is run by hand)."""

    def request_and_build(user, organization, **period) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(user=user, organization=organization, kind=COMPLIANCE, **period)
        report.refresh_from_db()
        return report

    return request_and_build


def xlsx_tables(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


#
# Validation of a request
#


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("kind", "period", "field"),
    [
        ("nonsense", {"year": 2025}, "kind"),
        (COMPLIANCE, {"year": 2026, "month": 3}, "year"),  # March 2026 has not begun
        (COMPLIANCE, {"year": 2026, "quarter": 2}, "year"),
        (COMPLIANCE, {"year": 2027}, "year"),
        (COMPLIANCE, {"year": 2025, "month": 2, "quarter": 1}, "month"),
        (COMPLIANCE, {"year": 2025, "month": 13}, "month"),
        (COMPLIANCE, {"year": 2025, "quarter": 5}, "quarter"),
    ],
)
def test_report_request_refuses_invalid_request_and_creates_nothing(world, kind, period, field):
    with pytest.raises(ValidationError) as raised:
        report_request(user=world.personas.leader, organization=world.tree.root, kind=kind, **period)

    assert field in raised.value.message_dict
    assert not Report.objects.exists()


@time_machine.travel(FROZEN, tick=False)
def test_report_request_accepts_the_month_that_has_begun(world):
    report = report_request(
        user=world.personas.leader, organization=world.tree.root, kind=COMPLIANCE, year=2026, month=2
    )

    assert report.status == Report.Status.PENDING
    assert report.period_label == "02/2026"


@pytest.mark.parametrize(
    ("persona", "node"),
    [
        ("grassroots", "b"),  # another đảng bộ
        ("grassroots", "root"),  # above their node
        ("secretary", "a1"),  # their own cell, but a secretary has no REPORTS action
        ("outsider", "b1"),
        ("member", "a1"),
        ("norole", "root"),
    ],
)
def test_report_request_refuses_node_outside_user_reports_scope(world, persona, node):
    with pytest.raises(ValidationError):
        report_request(
            user=getattr(world.personas, persona),
            organization=getattr(world.tree, node),
            kind=COMPLIANCE,
            year=2025,
        )

    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("persona", "node"), [("leader", "root"), ("staff", "root"), ("grassroots", "a"), ("grassroots", "a1")]
)
def test_report_request_records_pending_report_for_user_in_scope(world, persona, node):
    user = getattr(world.personas, persona)

    report = report_request(user=user, organization=getattr(world.tree, node), kind=COMPLIANCE, year=2025)

    assert report.status == Report.Status.PENDING
    assert report.requested_by == user
    assert report.attempts == 0


#
# The flood limit
#


def test_report_request_refuses_one_more_than_the_active_limit(world):
    leader, root = world.personas.leader, world.tree.root
    assert MAX_ACTIVE_PER_USER == 3
    for quarter in (1, 2, 3):
        report_request(user=leader, organization=root, kind=COMPLIANCE, year=2025, quarter=quarter)

    with pytest.raises(ValidationError):
        report_request(user=leader, organization=root, kind=COMPLIANCE, year=2025, quarter=4)

    assert Report.objects.filter(requested_by=leader).count() == 3
    # Someone else is not held back by the leader's requests.
    other = report_request(user=world.personas.grassroots, organization=world.tree.a, kind=COMPLIANCE, year=2025)
    assert other.status == Report.Status.PENDING


def test_report_request_counts_only_active_reports_against_the_limit(world):
    leader, root = world.personas.leader, world.tree.root
    reports = [
        report_request(user=leader, organization=root, kind=COMPLIANCE, year=2025, quarter=quarter)
        for quarter in (1, 2, 3)
    ]
    Report.objects.filter(pk=reports[0].pk).update(status=Report.Status.DONE)
    Report.objects.filter(pk=reports[1].pk).update(status=Report.Status.FAILED)

    report_request(user=leader, organization=root, kind=COMPLIANCE, year=2025, quarter=4)
    report_request(user=leader, organization=root, kind=COMPLIANCE, year=2025, month=1)

    with pytest.raises(ValidationError):
        report_request(user=leader, organization=root, kind=COMPLIANCE, year=2025, month=2)
    assert Report.objects.filter(requested_by=leader, status__in=Report.ACTIVE).count() == 3


#
# Building, end to end (eager task, real PDF and XLSX)
#


@time_machine.travel(FROZEN, tick=False)
def test_compliance_report_is_built_end_to_end_with_hand_computed_figures(world, build):
    year_2025(world)

    report = build(world.personas.leader, world.tree.root, year=2025)

    assert report.status == Report.Status.DONE, report.error
    assert report.progress == 100
    assert report.attempts == 1
    assert report.error == ""
    assert report.finished_at == timezone.now()
    assert report.data_as_of is not None
    assert report.parameter_set is not None
    assert report.figures == EXPECTED_FIGURES
    pdf = stored(report.pdf)
    assert pdf.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(pdf).hexdigest()
    assert report.pdf.name.endswith(f"compliance-DUK-2025-{report.pk}.pdf")
    assert report.xlsx.name.endswith(f"compliance-DUK-2025-{report.pk}.xlsx")


@time_machine.travel(FROZEN, tick=False)
def test_compliance_pdf_shows_vietnamese_text_and_hand_computed_figures(world, build):
    year_2025(world)

    report = build(world.personas.leader, world.tree.root, year=2025)

    text = pdf_text(stored(report.pdf))
    assert unicodedata.is_normalized("NFC", text)
    flat = " ".join(text.split())  # names wrap inside narrow table cells
    for expected in (
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN",  # the issuer, upper-cased in the header
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ngày 16 tháng 02 năm 2026",
        "Đảng bộ A",
        "Trần Thị Bình",
        "Lê Văn Cường",
    ):
        assert expected in flat, expected
    assert "Nguyễn Văn An" not in flat  # present every time: nothing to follow up
    # Key figures: count, out of, % (Vietnamese decimal comma).
    for label, numbers in (
        ("Cells that held every regular meeting", "3 5 60,0"),
        ("Cells with a thematic meeting every quarter", "2 5 40,0"),
        ("Member attendance", "29 34 85,3"),
        ("Meetings rated Good", "16 28 57,1"),
    ):
        assert f"{gettext(label)} {numbers}" in flat, label
    # The heat-map: B1 missed July; C has logged nothing.
    assert "Đảng bộ B 2 2 2 2 2 2 2 1 2 2 2 2 2" in flat
    assert "Chi bộ cơ sở C 1 0 0 0 0 0 0 0 0 0 0 0 0" in flat
    # Cells with missing months.
    # (pdftotext may read the two rows' cells in either order at a page foot: the xlsx test checks the rows.)
    missing_table = flat.split(gettext("Cells with missing regular meetings"))[1]
    for expected in ("Chi bộ B1", "Chi bộ cơ sở C", " 7 ", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"):
        assert expected in missing_table, expected
    # Bình: no absence without reason (in no month), a run of 4 with reason, no xóa tên prompt (D8).
    assert "Trần Thị Bình Chi bộ A1 (Đảng bộ A) 0 0 4 —" in flat  # cells named in context (cells/names.py)


@time_machine.travel(FROZEN, tick=False)
def test_compliance_pdf_embeds_bundled_tinos_font_only(world, build):
    year_2025(world)

    report = build(world.personas.leader, world.tree.root, year=2025)

    fonts = pdf_fonts(stored(report.pdf))
    assert fonts
    for font in fonts:
        assert "Tinos" in font["name"], fonts
        assert font["emb"] == "yes", fonts


@time_machine.travel(FROZEN, tick=False)
def test_compliance_xlsx_has_the_same_tables_as_the_pdf(world, build):
    year_2025(world)

    report = build(world.personas.leader, world.tree.root, year=2025)

    sheets = xlsx_tables(stored(report.xlsx))
    key, heat, missing, members = (gettext(name) for name in ("Key figures", "Heat-map", "Missing", "Members"))
    assert list(sheets) == [key, heat, missing, members]
    # Row 1 the table's title, row 2 its headers, then the rows.
    key_rows = sheets[key][2:]
    assert [row[1:4] for row in key_rows] == [(3, 5, 60.0), (2, 5, 40.0), (29, 34, 85.3), (16, 28, 57.1)]
    heat_rows = {row[0]: row[1:] for row in sheets[heat][2:]}
    assert heat_rows == {
        "Đảng bộ A": (2, *[2] * 12),
        "Đảng bộ B": (2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2),
        "Chi bộ cơ sở C": (1, *[0] * 12),
    }
    assert sheets[missing][2:] == [
        ("Chi bộ B1 (Đảng bộ B)", "7"),
        ("Chi bộ cơ sở C", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"),
    ]
    # Name, cell, absences without reason, months of them (D8), longest excused run, xóa tên prompt (D8).
    assert sheets[members][2:] == [
        ("Lê Văn Cường", "Chi bộ A1 (Đảng bộ A)", 1, 1, 0, "—"),
        ("Trần Thị Bình", "Chi bộ A1 (Đảng bộ A)", 0, 0, 4, "—"),
    ]
    # Every table of the workbook is in the PDF: titles, headers and cells.
    flat_pdf = " ".join(pdf_text(stored(report.pdf)).split())
    shares = ("%", gettext("Previous period %"))  # computed shares, one decimal; a target is a whole number
    for rows in sheets.values():
        title, headers, *body = rows
        assert title[0] in flat_pdf
        words = set(flat_pdf.split())
        for header in headers:
            # A header wrapped onto two lines is read line by line across its row (pdftotext): its words, then.
            assert header in flat_pdf or set(header.split()) <= words, header
        for row in body:
            # A row ending in empty cells (no target) reads back shorter: those cells are "—" in the PDF.
            for header, value in zip(headers, row, strict=False):
                # Percentages are printed with one decimal and a comma (openpyxl reads 60.0 back as 60).
                if value is None:  # no previous figure, no target: "—"
                    continue
                shown = f"{value:.1f}".replace(".", ",") if header in shares else str(value)
                assert shown in flat_pdf, (header, shown)


@time_machine.travel(FROZEN, tick=False)
def test_same_request_on_unchanged_data_gives_same_figures(world, build):
    year_2025(world)

    first = build(world.personas.leader, world.tree.root, year=2025)
    second = build(world.personas.leader, world.tree.root, year=2025)

    assert first.pk != second.pk
    assert second.status == Report.Status.DONE
    assert second.figures == first.figures == EXPECTED_FIGURES
    assert xlsx_tables(stored(second.xlsx)) == xlsx_tables(stored(first.xlsx))


@time_machine.travel(FROZEN, tick=False)
def test_report_of_a_quarter_counts_only_its_months(world, build):
    year_2025(world)

    report = build(world.personas.leader, world.tree.root, year=2025, quarter=3)

    # July–September: A1, A2, B2 held all three; B1 missed July, C missed all.
    # Thematic in Q3: A1 (September, combined), B2 (July) → 2/5. Attendance (A1 only): An 3/3, Bình 2 of 3
    # (July, August with reason), Cường 3/3 → 7/9 = 77.8 %. Rated Tốt: A1 3 of 3 rated, A2 0 of 3 → 3/6 = 50.0 %.
    assert report.figures == {
        "cells": 5,
        "pct_all_regular": 60.0,
        "pct_all_thematic": 40.0,
        "attendance_pct": 77.8,
        "pct_good": 50.0,
        "missing_cells": 2,
        # Members to follow up over the quarter (D6): Bình's run with reason (May–August) is 2 long inside
        # it, Cường's absence without reason (April) falls outside it.
        "flagged_members": 0,
    }


@time_machine.travel(FROZEN, tick=False)
def test_report_of_grassroots_user_stays_inside_their_node(world, build):
    year_2025(world)

    report = build(world.personas.grassroots, world.tree.a, year=2025)

    # A1 and A2 only: both held every meeting; only A1 a thematic one every quarter.
    assert report.status == Report.Status.DONE
    assert report.figures["cells"] == 2
    assert report.figures["pct_all_regular"] == 100.0
    assert report.figures["pct_all_thematic"] == 50.0
    assert report.figures["missing_cells"] == 0
    assert "Chi bộ B1" not in pdf_text(stored(report.pdf))


#
# Failures, retries, stuck builds
#


def _pending(world, **period) -> Report:
    return report_request(
        user=world.personas.leader, organization=world.tree.root, kind=COMPLIANCE, year=2025, **period
    )


def test_builder_exception_marks_report_failed_with_error_text(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("Dữ liệu hỏng: thiếu chi bộ")

    monkeypatch.setitem(builders.BUILDERS, COMPLIANCE, broken)
    report = _pending(world)

    # The task records the failure on the report, then re-raises so that Celery sees it too.
    with pytest.raises(RuntimeError):
        report_generate.apply(kwargs={"report_id": report.pk})

    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "RuntimeError: Dữ liệu hỏng: thiếu chi bộ"
    assert report.finished_at is not None
    assert not report.pdf
    assert report.sha256 == ""


def test_operational_error_is_retried_until_the_report_is_built(world, monkeypatch):
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["report"].pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return builders.build_compliance(**kwargs)

    monkeypatch.setitem(builders.BUILDERS, COMPLIANCE, flaky)
    report = _pending(world)

    # throw=False: with task_eager_propagates (the test settings) an eager apply() raises the Retry instead of
    # running the retry; without it, apply() runs the retry at once (no countdown in eager mode).
    result = report_generate.apply(kwargs={"report_id": report.pk}, throw=False)

    assert result.successful(), result.result
    report.refresh_from_db()
    assert len(calls) == 2, "the retry did not call the builder again"
    assert report.status == Report.Status.DONE, (report.status, report.error)
    assert report.attempts == 2


def test_requeue_stale_puts_a_running_report_with_old_heartbeat_back_and_builds_it(
    world, django_capture_on_commit_callbacks
):
    report = _pending(world)
    old = timezone.now() - STALE_AFTER - datetime.timedelta(seconds=5)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, started_at=old, heartbeat_at=old, attempts=1, progress=40
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = requeue_stale()

    assert result == {"requeued": [report.pk], "failed": []}
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.DONE  # enqueued again, and the eager task built it
    assert report.attempts == 2


def test_requeue_stale_sets_stuck_report_pending_before_enqueueing(world, django_capture_on_commit_callbacks):
    report = _pending(world)
    old = timezone.now() - STALE_AFTER - datetime.timedelta(seconds=5)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, heartbeat_at=old, attempts=1, progress=40)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        requeue_stale()

    assert len(callbacks) == 1
    report.refresh_from_db()
    assert (report.status, report.progress) == (Report.Status.PENDING, 0)


def test_requeue_stale_fails_report_after_max_attempts_with_reason(world, django_capture_on_commit_callbacks):
    report = _pending(world)
    old = timezone.now() - STALE_AFTER - datetime.timedelta(seconds=5)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, heartbeat_at=old, attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = requeue_stale()

    assert result == {"requeued": [], "failed": [report.pk]}
    assert callbacks == []
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert str(MAX_ATTEMPTS) in report.error
    assert report.finished_at is not None


def test_requeue_stale_leaves_running_report_with_recent_heartbeat_alone(world, django_capture_on_commit_callbacks):
    report = _pending(world)
    recent = timezone.now() - STALE_AFTER + datetime.timedelta(seconds=30)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, heartbeat_at=recent, attempts=1, created_at=recent
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = requeue_stale()

    assert result == {"requeued": [], "failed": []}
    assert callbacks == []
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING


def test_requeue_stale_enqueues_forgotten_pending_report_again(world, django_capture_on_commit_callbacks):
    forgotten = _pending(world, quarter=1)
    recent = _pending(world, quarter=2)
    Report.objects.filter(pk=forgotten.pk).update(created_at=timezone.now() - STALE_AFTER - datetime.timedelta(1))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = requeue_stale()

    assert result == {"requeued": [forgotten.pk], "failed": []}
    assert len(callbacks) == 1
    forgotten.refresh_from_db()
    recent.refresh_from_db()
    assert forgotten.status == Report.Status.DONE
    assert recent.status == Report.Status.PENDING  # younger than the cutoff: the broker may still deliver it


#
# The build_report command
#


@time_machine.travel(FROZEN, tick=False)
def test_build_report_command_writes_pdf_and_xlsx_and_prints_sha256(world, tmp_path):
    year_2025(world)
    output = tmp_path / "bao-cao.pdf"
    out = io.StringIO()

    call_command("build_report", "compliance", "--node", "duk", "--year", "2025", "--output", str(output), stdout=out)

    pdf = output.read_bytes()
    assert pdf.startswith(b"%PDF-")
    digest = hashlib.sha256(pdf).hexdigest()
    assert f"sha256 {digest}" in out.getvalue()
    workbook = xlsx_tables((tmp_path / "bao-cao.xlsx").read_bytes())
    assert gettext("Key figures") in workbook
    report = Report.objects.get()
    assert report.status == Report.Status.DONE
    assert report.sha256 == digest
    assert report.requested_by is None
    # The operator sees the whole tree: the same figures as the leader at the root.
    assert report.figures == EXPECTED_FIGURES


def test_build_report_command_refuses_unknown_node_code(world, tmp_path):
    with pytest.raises(CommandError, match="No organisation has the code 'NOPE'"):
        call_command(
            "build_report", "compliance", "--node", "NOPE", "--year", "2025", "--output", str(tmp_path / "x.pdf")
        )

    assert not Report.objects.exists()
    assert not (tmp_path / "x.pdf").exists()


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    "period", [["--year", "2027"], ["--year", "2026", "--month", "5"], ["--year", "2026", "--quarter", "3"]]
)
def test_build_report_command_refuses_future_period(world, tmp_path, period):
    with pytest.raises(CommandError) as raised:
        call_command("build_report", "compliance", "--node", "DUK", *period, "--output", str(tmp_path / "x.pdf"))

    assert str(raised.value) == gettext("A report cannot cover a period that has not begun.")
    assert not Report.objects.exists()
    assert not (tmp_path / "x.pdf").exists()
