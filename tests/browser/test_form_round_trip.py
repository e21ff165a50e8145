"""Saved values survive the browser: every edit form, opened on stored data and sent back untouched, stores nothing.

A test-client test posts the values it chooses; a person's browser posts what its boxes could show. A number box
given a Vietnamese "7,5" shows nothing and posts "", so a draft saved without an edit lost its scores (issue 12).
Here each edit form of the app is opened in Chromium as a persona allowed to edit it, on data holding decimals,
dates and Vietnamese text, and submitted as it is: no error may show and no stored row may change (bookkeeping
columns aside). `EDIT_FORMS` classifies every URL name of the URL conf, as tests/test_permissions.py does: a new URL
fails `test_every_url_is_classified` until it has a round trip or the reason it is not an edit form.

The focused test then follows the reported cases: a review scored 83,5 saved as a draft untouched, a meeting score
with half points saved untouched, and "7,5" and "7.5" typed by a person both stored as 7.5.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.urls import get_resolver, reverse
from django.utils import timezone

from cells import services as cell_services
from cells.models import Holiday, Organization
from criteria.models import CriteriaSet, Criterion
from evaluations.mass_mobilisation import services as mass_mobilisation
from evaluations.metrics import metrics_for
from evaluations.models import Grade, HistoricalRating, MemberEvaluation, OrgEvaluation
from evaluations.programmes import services as programme_services
from evaluations.ratings import services as rating_services
from evaluations.review import services as evaluation_services
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, MeetingScore
from members import services as member_services
from members.residence import services as residence
from tests.browser.conftest import DESKTOP, build_journey_world
from tests.browser.test_documents import built_draft
from tests.test_permissions import _named_urls

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them with REQUIRE_SERVICES=1) and says why
    expect = None


#
# The table: every URL name of the app, an edit form's round trip or the reason it is none
#


@dataclass(frozen=True)
class RoundTrip:
    """Open `url_name` with kwargs(world) as world.users.<persona>, submit with `button` untouched."""

    persona: str
    kwargs: Callable
    button: str = "main form[method=post] button[type=submit]"
    what: str = ""


@dataclass(frozen=True)
class NotAnEditForm:
    reason: str


def _cell(world) -> dict:
    return {"pk": world.cell.pk}


SUBMIT_FORM = "main form[method=post] button[type=submit]"
PAGE = NotAnEditForm("a page without a form that saves stored values")
GET_FILTER = NotAnEditForm("a GET filter or search form: it stores nothing")
DOWNLOAD = NotAnEditForm("a file download")
ACTION = NotAnEditForm("a POST action (a button): it sends no stored value back")
CREATE = NotAnEditForm("creates a new row from blank or default fields: nothing stored is shown to send back")
STEP = NotAnEditForm("records a step or an event (a date, a reason): the fields are new, not stored ones")
IMPORT = NotAnEditForm("a spreadsheet import step: the data comes from the uploaded file")


def _mass_mobilisation_model(world) -> dict:
    """A recognised "Dân vận khéo" model of the cell with a half-point score (D9)."""
    model = mass_mobilisation.model_create(
        organization=world.cell,
        year=2025,
        data={
            "name": "Dân vận khéo trong cải cách hành chính — “một cửa” liên thông",
            "field": "HE_THONG_CHINH_TRI",
            "level": "KHOI",
            "score": Decimal("87.5"),
            "decision_no": "125-QĐ/ĐUK",
            "notes": "Được nhân rộng.\nKhen thưởng năm 2025.",
        },
        created_by=world.admin,
    )
    return {"pk": model.pk}


def _residence_feedback(world) -> dict:
    """The QĐ 213 feedback on the member's year 2025 (D10)."""
    feedback = residence.feedback_record(
        member=world.member,
        data={
            "year": 2025,
            "received_on": datetime.date(2025, 12, 26),
            "residence_organization": "Chi bộ tổ dân phố số 5, phường Yên Thịnh",
            "assessment": "TOT",
            "text": "Gương mẫu, tích cực tham gia sinh hoạt nơi cư trú.",
        },
        recorded_by=world.admin,
    )
    return {"pk": world.member.pk, "feedback_pk": feedback.pk}


EDIT_FORMS: dict[str, RoundTrip | NotAnEditForm] = {
    "home": PAGE,
    "healthz": NotAnEditForm("the health check (JSON)"),
    "bench_ceiling": PAGE,
    "login": NotAnEditForm("the sign-in form: it shows no stored value"),
    "logout": ACTION,
    "password_change": NotAnEditForm("the password form: passwords are never shown again"),
    "password_change_done": PAGE,
    "cells:tree": GET_FILTER,
    "cells:detail": PAGE,
    "cells:create": CREATE,
    "cells:edit": RoundTrip("staff", _cell, what="organisation: name, host unit, founding date"),
    "cells:move": STEP,
    "cells:dissolve": STEP,
    "cells:merge": STEP,
    "cells:roles": CREATE,
    "cells:role_revoke": ACTION,
    "members:list": GET_FILTER,
    "members:export_csv": DOWNLOAD,
    "members:export_xlsx": DOWNLOAD,
    "members:me": NotAnEditForm("redirects to the member's own record"),
    "members:detail": PAGE,
    "members:create": CREATE,
    "members:edit": RoundTrip(
        "secretary", lambda world: {"pk": world.member.pk}, what="member: dates, Vietnamese texts, phone"
    ),
    "members:status": STEP,
    "members:position_assign": CREATE,
    "members:position_end": STEP,
    "members:transfer": STEP,
    "members:transfer_temporary": STEP,
    "members:temporary_in": CREATE,
    "members:temporary_end": STEP,
    "members:discipline_record": CREATE,
    "members:discipline_annul": STEP,
    "members:import_start": IMPORT,
    "members:import": IMPORT,
    "members:import_template": DOWNLOAD,
    "members:import_batch": IMPORT,
    "members:import_confirm": IMPORT,
    "members:import_cancel": IMPORT,
    "members:import_errors": DOWNLOAD,
    "meetings:compliance": GET_FILTER,
    "meetings:list": GET_FILTER,
    "meetings:compliance_cells": GET_FILTER,
    "meetings:flagged": PAGE,
    "meetings:cell": PAGE,
    "meetings:create": CREATE,
    "meetings:detail": RoundTrip(
        "secretary",
        lambda world: {"pk": world.meeting.pk},
        button="#meeting-form button[type=submit]:not([name])",
        what="meeting: minutes, dates, times, votes, attendance with reasons",
    ),
    "meetings:score": RoundTrip(
        "secretary", lambda world: {"pk": world.meeting.pk}, what="meeting score sheet with half points"
    ),
    "meetings:finalise": ACTION,
    "meetings:reopen": STEP,
    "meetings:confirm": ACTION,
    "meetings:attachment_add": NotAnEditForm("a file upload"),
    "meetings:attachment": DOWNLOAD,
    "evaluations:evidence": DOWNLOAD,
    "printouts:attendance_sheet": DOWNLOAD,
    "printouts:minutes_blank": DOWNLOAD,
    "printouts:minutes": DOWNLOAD,
    "notifications:list": PAGE,
    "notifications:read_all": ACTION,
    "guidance:list": PAGE,
    "guidance:create": CREATE,
    "criteria:list": PAGE,
    "criteria:detail": PAGE,
    "criteria:diff": GET_FILTER,
    "criteria:copy": CREATE,
    "criteria:edit": RoundTrip(
        "staff", lambda world: {"pk": world.criteria_set.pk}, what="criteria set: pass mark 83.5, years, notes"
    ),
    "criteria:criterion_add": CREATE,
    "criteria:criterion_edit": RoundTrip(
        "staff",
        lambda world: {"pk": world.criteria_set.pk, "criterion_pk": world.criterion.pk},
        what="criterion: 7.5 points",
    ),
    "criteria:criterion_delete": ACTION,
    "criteria:group_add": CREATE,
    "criteria:group_edit": RoundTrip(
        "staff", lambda world: {"pk": world.criteria_set.pk, "group_pk": world.group.pk}, what="criteria group"
    ),
    "criteria:group_delete": ACTION,
    "evaluations:index": PAGE,
    "evaluations:open": CREATE,
    "evaluations:period": GET_FILTER,
    "evaluations:lock": ACTION,
    "evaluations:member_cap_exception": STEP,
    "evaluations:detail": RoundTrip(
        "secretary",
        lambda world: {"pk": world.evaluation.pk},
        button='button[name="action"][value="save"]',
        what="yearly review, saved as a draft: points 83.5 in all, percentages, report",
    ),
    "ratings:index": PAGE,
    "ratings:table": RoundTrip(
        "grassroots",
        lambda world: {"period_pk": world.period.pk, "org_pk": world.cell.pk},
        what="member ratings: grades, votes, 1.5 months of sick leave",
    ),
    "ratings:exception": CREATE,
    "ratings:close": ACTION,
    "ratings:reopen": STEP,
    "programmes:index": GET_FILTER,
    "programmes:register": RoundTrip(
        "secretary",
        lambda world: {"org_pk": world.cell.pk},
        button='button[name="action"][value="check"]',
        what="model-programme registration, its eligibility check: the phase years go back",
    ),
    "programmes:detail": PAGE,
    "programmes:approve": STEP,
    "programmes:check": RoundTrip(
        "grassroots",
        lambda world: {"pk": world.registration.pk, "year": CHECK_YEAR},
        what="model-programme yearly check: ticks and evidence",
    ),
    "programmes:recognise": STEP,
    "programmes:fail": STEP,
    "programmes:withdraw": STEP,
    "pastresults:index": GET_FILTER,
    "pastresults:import": IMPORT,
    "pastresults:batch": IMPORT,
    "pastresults:confirm": IMPORT,
    "pastresults:cancel": IMPORT,
    "pastresults:errors": DOWNLOAD,
    "pastresults:template": DOWNLOAD,
    "dashboard:index": GET_FILTER,
    "reports:index": CREATE,
    "reports:detail": PAGE,
    "reports:retry": ACTION,
    "reports:download_pdf": DOWNLOAD,
    "reports:download_xlsx": DOWNLOAD,
    "reports:narrative": RoundTrip(
        "staff", lambda world: {"pk": built_draft(world).pk}, what="the text of a report's draft (its sections)"
    ),
    "reports:issue": STEP,
    "reports:register": GET_FILTER,
    "reports:issuer_settings": RoundTrip(
        "staff", lambda world: {"org": world.root.pk}, what="document settings of the issuing committee"
    ),
    "rules:list": GET_FILTER,
    "rules:detail": GET_FILTER,
    "holidays:list": GET_FILTER,
    "holidays:create": CREATE,
    "holidays:edit": RoundTrip(
        "staff",
        # Transactional browser tests flush the rows the migration seeded: make the day when it is gone.
        lambda world: {
            "pk": Holiday.objects.get_or_create(
                date=datetime.date(2026, 9, 2), defaults={"name": "Quốc khánh 2/9", "source": "BLLĐ 2019 Điều 112"}
            )[0].pk
        },
        what="holiday calendar day: date, Vietnamese name, kind, source",
    ),
    "holidays:delete": ACTION,
    "massmobilisation:index": GET_FILTER,
    "massmobilisation:create": CREATE,
    "massmobilisation:edit": RoundTrip(
        "staff", _mass_mobilisation_model, what="Dân vận khéo model: level, score 87.5, Vietnamese texts"
    ),
    "massmobilisation:delete": ACTION,
    "members:residence_create": CREATE,
    "members:residence_edit": RoundTrip(
        "staff", _residence_feedback, what="residence feedback (QĐ 213): year, date, assessment, text"
    ),
    "members:residence_delete": ACTION,
}

ROUND_TRIPS = {name: case for name, case in EDIT_FORMS.items() if isinstance(case, RoundTrip)}


def test_every_url_is_classified():
    named = _named_urls(get_resolver())
    missing = sorted(named - set(EDIT_FORMS))
    stale = sorted(set(EDIT_FORMS) - named)
    assert not missing, f"add these URL names to EDIT_FORMS (a RoundTrip, or NotAnEditForm with the reason): {missing}"
    assert not stale, f"these URL names are gone: remove them from EDIT_FORMS: {stale}"
    print(f"{len(ROUND_TRIPS)} edit forms round-tripped, {len(EDIT_FORMS) - len(ROUND_TRIPS)} URLs are no edit form")


#
# The data: decimals, dates and Vietnamese text in every form
#

CHECK_YEAR = 2024
# The 366 frame's points criteria (max 8, 8, 7, 7, 30, 20, 10, 10): 83.5 in all, with half points.
REVIEW_POINTS = {
    "1.1": "7.5",
    "1.2": "8",
    "1.3": "6.5",
    "1.4": "7",
    "2.1": "25",
    "2.2": "15.5",
    "2.3": "7",
    "2.4": "7",
}


def build_round_trip_world():
    world = build_journey_world()
    users, admin = world.users, world.admin
    today = timezone.localdate()
    cell = world.cell = cell_services.organization_update(
        organization=world.cells[0],
        name=world.cells[0].name,
        code=world.cells[0].code,
        kind=world.cells[0].kind,
        unit_type=Organization.UnitType.ADMINISTRATIVE,  # a model-cell criteria set applies to it
        host_unit_name="Văn phòng Sở Y tế tỉnh",
        founded_on=datetime.date(1996, 9, 2),
        version=world.cells[0].version,
        updated_by=admin,
    )
    members = world.members[cell.pk]

    # A member with every field filled.
    member = world.member = members[0]
    member_services.member_update(
        member=member,
        data={
            "date_of_birth": datetime.date(1979, 12, 31),
            "ethnicity": "Tày",
            "job_title": "Phó Chánh Văn phòng",
            "workplace": "Văn phòng Sở Y tế — phòng Tổng hợp",
            "is_civil_servant": True,
            "phone": "0912 345 678",
            "notes": "Đảng viên được khen thưởng năm 2024.\nPhụ trách công tác thi đua.",
        },
        version=member.version,
        updated_by=admin,
    )

    # This month's meeting: minutes, dates, times, votes, an excused absence; scored with half points.
    meeting = world.meeting = meeting_services.meeting_create(
        organization=cell,
        data={
            "kind": Meeting.Kind.REGULAR,
            "period_year": today.year,
            "period_month": today.month,
            "date": today,
            "start_time": datetime.time(7, 45),
            "end_time": datetime.time(10, 15),
            "location": "Phòng họp tầng 3, trụ sở Sở Y tế",
            "format": Meeting.Format.IN_PERSON,
            "presiding": members[0],
            "minute_taker": members[1],
            "topic": "Quán triệt Nghị quyết Hội nghị Trung ương; kiểm điểm công tác tháng",
            "guests": "Đồng chí Trưởng phòng Tổ chức cán bộ",
            "upper_attendee": "Đồng chí Ngô Quang Vinh, Đảng ủy Sở",
            "pre_meeting_on": today - datetime.timedelta(days=5),
            "documents_sent_on": today - datetime.timedelta(days=3),
            "content": "1. Kiểm điểm công tác tháng.\n2. Triển khai nhiệm vụ tháng tới: tỷ lệ 92,5% kế hoạch.",
            "discussion": "Các đồng chí thảo luận sôi nổi, góp ý về tiến độ cải cách hành chính.",
            "conclusion": "Chi bộ thống nhất các nhiệm vụ đã nêu; giao đồng chí Bí thư đôn đốc.",
            "vote_for": 3,
            "vote_against": 1,
            "vote_abstain": 0,
        },
        created_by=admin,
    )
    meeting_services.meeting_update(
        meeting=meeting,
        data={},
        attendance={
            members[2].pk: {"status": Attendance.Status.EXCUSED, "reason": "Đi công tác tại Hà Nội", "spoke": False},
            members[3].pk: {"status": Attendance.Status.UNEXCUSED, "reason": "", "spoke": False},
            members[4].pk: {"status": Attendance.Status.PRESENT, "reason": "", "spoke": True},
        },
        version=meeting.version,
        updated_by=admin,
    )
    meeting.refresh_from_db()
    template = meeting_services.score_template_on(meeting.date)
    manual = {item.pk: item.max_points - Decimal("0.5") for item in template.items.all() if not item.auto_key}
    world.meeting = meeting_services.meeting_score(
        meeting=meeting, manual_points=manual, version=meeting.version, scored_by=admin
    )

    # A draft criteria set (not frozen) with a decimal pass mark, a group and a criterion of 7.5 points.
    criteria_set = world.criteria_set = CriteriaSet.objects.create(
        name="Bộ tiêu chí đánh giá thử nghiệm — bản nháp",
        programme=CriteriaSet.Programme.CLASSIFICATION,
        unit_types=[Organization.UnitType.ADMINISTRATIVE, Organization.UnitType.PUBLIC_SERVICE],
        org_kinds=[Organization.Kind.CELL],
        year_from=2031,
        year_to=2035,
        scoring_mode=CriteriaSet.ScoringMode.POINTS,
        pass_points=Decimal("83.5"),
        notes="Dự thảo; xin ý kiến các đảng bộ cơ sở trước ngày 15/01.",
    )
    group = world.group = criteria_set.groups.create(code="I", title="Tiêu chí chung về xây dựng Đảng", order=1)
    world.criterion = criteria_set.criteria.create(
        group=group,
        code="1.1",
        text="Công tác chính trị, tư tưởng; học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        kind=Criterion.Kind.POINTS,
        max_points=Decimal("7.5"),
        order=1,
    )
    criteria_set.criteria.create(
        group=group,
        code="1.2",
        text="Tỷ lệ đảng viên dự sinh hoạt",
        kind=Criterion.Kind.METRIC,
        metric=Criterion.Metric.ATTENDANCE_RATE,
        comparator=Criterion.Comparator.AT_LEAST,
        threshold=Decimal("82.25"),
        max_points=Decimal("2.5"),
        order=2,
    )

    # The cell's yearly review, saved as a draft: 83.5 points, percentages with decimals, a report; the figures
    # of the computed criteria as the page gives them.
    evaluation = world.evaluation = OrgEvaluation.objects.get(period=world.period, organization=cell)
    figures = metrics_for(organizations=[cell], year=world.period.year).get(cell.pk, {})
    world.evaluation = evaluation_services.self_assess(
        evaluation=evaluation,
        answers={
            **{
                code: {"points": Decimal(points), "evidence": f"Báo cáo số {index}/BC-CB,\nđạt {points} điểm"}
                for index, (code, points) in enumerate(REVIEW_POINTS.items(), start=1)
            },
            **{
                c["code"]: {"metric_value": figures.get(c.get("metric")), "evidence": ""}
                for c in evaluation.criteria_snapshot["criteria"]
                if c["kind"] == Criterion.Kind.METRIC
            },
        },
        data={
            "self_grade": Grade.GOOD,
            "tasks_done_pct": Decimal("92.5"),
            "tasks_exceeded_pct": Decimal("12.5"),
            "tasks_late_pct": Decimal("2.5"),
            "self_comment": "Chi bộ hoàn thành tốt nhiệm vụ; còn hạn chế về tiến độ số hóa hồ sơ.",
        },
        version=evaluation.version,
        submit=False,
        assessed_by=users.secretary,
    )

    # The members' ratings: grades, votes and sick leave with a decimal.
    rating_services.ensure_member_rows(period=world.period, organization=cell)
    rows = list(MemberEvaluation.objects.filter(period=world.period, organization=cell).order_by("pk"))
    rating_services.ratings_save(
        period=world.period,
        organization=cell,
        rows={
            row.pk: {
                "self_grade": Grade.GOOD,
                "proposed_grade": Grade.GOOD,
                "votes_for": "4",
                "votes_against": "1",
                "sick_leave_months": "1.5" if index == 1 else "",
            }
            for index, row in enumerate(rows)
        },
        version_map={row.pk: row.version for row in rows},
        saved_by=users.grassroots,
        decide=True,
    )

    # A model-cell registration, approved, with a yearly check of 2024 (ticks and evidence).
    for year, grade in ((2021, Grade.GOOD), (2022, Grade.EXCELLENT)):
        HistoricalRating.objects.create(organization=cell, year=year, grade=grade)
    registration = programme_services.registration_create(
        organization=cell,
        programme=CriteriaSet.Programme.MODEL_CELL,
        phase_start=2023,
        phase_end=2026,
        registered_by=users.secretary,
    )
    registration = world.registration = programme_services.registration_approve(
        registration=registration,
        approved_on=datetime.date(2023, 3, 1),
        approved_by_body="Ban Thường vụ Đảng ủy Khối",
        approved_by=users.staff,
    )
    checklist = programme_services.programme_criteria_set(
        organization=cell, programme=registration.programme, year=CHECK_YEAR
    )
    assert checklist is not None, "no model-cell criteria set applies to the cell in 2024"
    codes = list(checklist.criteria.exclude(kind=Criterion.Kind.METRIC).values_list("code", flat=True))
    programme_services.year_check(
        registration=registration,
        year=CHECK_YEAR,
        answers={
            code: {"met": index % 2 == 0, "evidence": f"Quyết định số {index}/QĐ-ĐUK ngày 15/3/2024"}
            for index, code in enumerate(codes)
        },
        checked_by=users.grassroots,
    )
    return world


#
# Comparing the stored rows
#

# Rows that a save writes by design whatever changed: the audit log, the submitted-form tokens, notifications.
NOT_COMPARED = {"cells.AuditEntry", "cells.SubmittedForm", "meetings.Notification", "reports.ReportDownload"}
# Columns that count saves rather than hold what was typed.
BOOKKEEPING = {"version", "revision", "updated_at", "checked_at"}
# Rows that a save deletes and writes again: compared on these columns instead of their id.
REWRITTEN = {"meetings.MeetingScore": ("meeting_id", "item_id")}
APPS = {"cells", "members", "meetings", "criteria", "evaluations", "reports"}


def stored_rows() -> dict[str, dict]:
    """Every row of the app's tables, by model and primary key (or natural key), without the bookkeeping columns."""
    snapshot = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in APPS or label in NOT_COMPARED:
            continue
        key = REWRITTEN.get(label)
        rows = {}
        for row in model.objects.values():
            values = {column: value for column, value in row.items() if column not in BOOKKEEPING}
            if key:
                values.pop(model._meta.pk.attname)
                rows[tuple(values[column] for column in key)] = values
            else:  # the kept figures (members.MemberCount, ...) are keyed by their organisation
                rows[values[model._meta.pk.attname]] = values
        snapshot[label] = rows
    return snapshot


def changes(before: dict, after: dict) -> list[str]:
    found = []
    for label in sorted(before.keys() | after.keys()):
        old, new = before.get(label, {}), after.get(label, {})
        for key in sorted(old.keys() | new.keys(), key=str):
            if key not in new:
                found.append(f"{label} {key}: deleted")
            elif key not in old:
                found.append(f"{label} {key}: added")
            else:
                for column in old[key]:
                    if old[key][column] != new[key][column]:
                        found.append(f"{label} {key}.{column}: {old[key][column]!r} → {new[key][column]!r}")
    return found


#
# What the browser shows
#

# Inputs whose `value` attribute the browser could not read: the box shows empty and posts "".
UNREADABLE_JS = """form => [...form.querySelectorAll("input")]
  .filter(i => ["number", "date", "time", "datetime-local", "month", "week", "email", "url", "range"].includes(i.type)
               && (i.getAttribute("value") || "") !== "" && i.value === "")
  .map(i => `${i.name}: value="${i.getAttribute("value")}" shows as an empty ${i.type} box`)"""

# What the form holds, to show that the round trip carried decimals, dates and Vietnamese text.
CONTENTS_JS = """form => {
  const fields = [...form.querySelectorAll("input:not([type=hidden]):not([type=file]), textarea, select")];
  const value = f => f.tagName === "SELECT" ? (f.selectedOptions[0] || {}).text || "" : f.value;
  return {
    fields: fields.length,
    decimals: fields.filter(f => f.tagName === "INPUT" && /^\\d+\\.\\d+$/.test(f.value)).length,
    dates: fields.filter(f => f.type === "date" && f.value).length,
    vietnamese: fields.filter(f => f.type !== "date" && /[^\\x00-\\x7f]/.test(value(f))).length,
  };
}"""

ERRORS = ".alert-danger, .is-invalid, .invalid-feedback, ul.errorlist, table tr.table-danger"


def shown_errors(page) -> list[str]:
    errors = page.locator(f"main :is({ERRORS})")
    return [errors.nth(i).inner_text().strip()[:200] for i in range(errors.count()) if errors.nth(i).is_visible()]


class Personas:
    """One signed-in desktop page per persona, opened when first needed."""

    def __init__(self, journey, world):
        self.journey, self.world, self.pages = journey, world, {}

    def __call__(self, persona: str):
        if persona not in self.pages:
            self.pages[persona] = self.journey.page_for(getattr(self.world.users, persona), DESKTOP)
        return self.journey.show(self.pages[persona])


def round_trip(journey, page, url: str, button: str, name: str) -> tuple[list[str], dict]:
    """Open `url`, check its boxes, submit the form of `button` untouched; the problems found and the contents."""
    problems = []
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"GET {url}: {response and response.status}"], {}
    submit = page.locator(button).first
    if submit.count() == 0:
        return [f"{url}: no {button} on the page"], {}
    form = submit.locator("xpath=ancestor::form[1]")
    problems += form.evaluate(UNREADABLE_JS)
    contents = form.evaluate(CONTENTS_JS)
    journey.screenshot(f"round_trip_{name}")
    before = stored_rows()
    with page.expect_navigation() as navigation:
        submit.click()
    status = navigation.value.status if navigation.value else None
    if status is None or status >= 400:
        problems.append(f"POST {url}: {status}")
    problems += [f"error shown: {error}" for error in shown_errors(page)]
    problems += changes(before, stored_rows())
    return problems, contents


def test_every_edit_form_sent_back_untouched_changes_nothing(journey):
    world = build_round_trip_world()
    persona = Personas(journey, world)
    failures, lines = [], []
    for name, case in ROUND_TRIPS.items():
        page = persona(case.persona)
        url = reverse(name, kwargs=case.kwargs(world))
        problems, contents = round_trip(journey, page, url, case.button, name.replace(":", "_"))
        lines.append(
            f"{name} as {case.persona}: {contents.get('fields', 0)} fields, {contents.get('decimals', 0)} decimals, "
            f"{contents.get('dates', 0)} dates, {contents.get('vietnamese', 0)} Vietnamese texts"
            + (f" — {len(problems)} problems" if problems else " — unchanged")
        )
        if problems:
            failures.append(f"{name} ({case.what}), as {case.persona}, {url}:\n    " + "\n    ".join(problems))
    journey.notes.append(f"{len(ROUND_TRIPS)} edit forms sent back untouched:")
    journey.notes.extend(f"  {line}" for line in lines)
    print(f"\n{len(ROUND_TRIPS)} edit forms round-tripped:\n  " + "\n  ".join(lines))
    assert not failures, "\n".join(failures)


#
# The reported cases, and what a person types
#


def test_decimals_survive_an_untouched_save_and_are_read_with_a_comma_or_a_dot(journey):
    world = build_round_trip_world()
    page = journey.page_for(world.users.secretary, DESKTOP)
    evaluation = world.evaluation
    assert evaluation.self_score == Decimal("83.5")
    suggested, reasons = evaluation.suggested_grade, evaluation.suggestion_reasons

    # The yearly review scored 83,5: its boxes show the points, "Lưu nháp" untouched keeps score and suggestion.
    review_url = reverse("evaluations:detail", args=[evaluation.pk])
    page.goto(review_url)
    for code, points in REVIEW_POINTS.items():
        expect(page.locator(f'input[name="points-{code}"]')).to_have_value(points)
    expect(page.locator("#id_self-tasks_done_pct")).to_have_value("92.5")
    expect(page.locator("main section.card .fs-5").first).to_have_text("83,5")  # shown the Vietnamese way
    journey.screenshot("decimals_review_before_save")
    save = page.locator('button[name="action"][value="save"]')
    journey.submit(page, save)
    expect(page.locator("main .alert-success")).to_be_visible()
    evaluation.refresh_from_db()
    assert evaluation.self_score == Decimal("83.5")
    assert (evaluation.suggested_grade, evaluation.suggestion_reasons) == (suggested, reasons)
    expect(page.locator("main section.card .fs-5").first).to_have_text("83,5")

    # The meeting score page with half points: shown, and kept by an untouched save.
    meeting = world.meeting
    stored = dict(MeetingScore.objects.filter(meeting=meeting).values_list("item_id", "points"))
    halves = {pk: points for pk, points in stored.items() if points % 1}
    assert halves, "the meeting has no half point"
    score_url = reverse("meetings:score", args=[meeting.pk])
    page.goto(score_url)
    for pk, points in halves.items():
        expect(page.locator(f"#item-{pk}")).to_have_value(f"{points.normalize():f}")
    journey.screenshot("decimals_meeting_score_before_save")
    journey.submit(page, page.locator("main form button[type=submit]"))
    assert dict(MeetingScore.objects.filter(meeting=meeting).values_list("item_id", "points")) == stored
    assert Meeting.objects.get(pk=meeting.pk).score == meeting.score

    # A person types "7,5" or "7.5" (keystrokes, not a set value): both store 7.5.
    item_pk = next(pk for pk in halves if stored[pk] >= 8)
    for typed in ("7,5", "7.5"):
        page.goto(score_url)
        box = page.locator(f"#item-{item_pk}")
        box.fill("")
        box.press_sequentially(typed)
        expect(box).to_have_value(typed)
        journey.submit(page, page.locator("main form button[type=submit]"))
        expect(page.locator("main .alert-success")).to_be_visible()
        assert MeetingScore.objects.get(meeting=meeting, item_id=item_pk).points == Decimal("7.5"), typed
        MeetingScore.objects.filter(meeting=meeting, item_id=item_pk).update(points=stored[item_pk])

    for typed in ("6,5", "6.5"):
        page.goto(review_url)
        box = page.locator('input[name="points-1.3"]')
        box.fill("")
        box.press_sequentially(typed)
        percentage = page.locator("#id_self-tasks_done_pct")
        percentage.fill("")
        percentage.press_sequentially(typed.replace("6", "87"))
        journey.submit(page, page.locator('button[name="action"][value="save"]'))
        expect(page.locator("main .alert-success")).to_be_visible()
        evaluation.refresh_from_db()
        assert evaluation.answers.get(code="1.3").points == Decimal("6.5"), typed
        assert evaluation.tasks_done_pct == Decimal("87.5"), typed
        assert evaluation.self_score == Decimal("83.5"), typed
    journey.screenshot("decimals_review_after_typing")
    assert re.search(r"83,5", page.locator("main section.card").first.inner_text())
