"""The URL × role matrix: every named URL, every persona, one expected outcome each.

Logged out → redirect to the login page; outside the persona's subtree → 404; visible but the role is too weak
→ 403; allowed → 200 (or a redirect for views that redirect when they succeed). Adding a URL without adding a
row here fails `test_matrix_covers_every_named_url`.
"""

import datetime
from functools import partial
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cells.models import AuditEntry, Holiday, RoleAssignment
from members import services as member_services
from members.models import Position
from tests.helpers import (
    LOGIN,
    REDIRECT,
    check_matrix_case,
    december_dues,
    labelled,
    matrix,
    no_args,
    open_period,
    tree_node,
)

node = tree_node
org_node = partial(tree_node, key="org_pk")  # the meetings, printouts, guidance and import URLs
cell_for_members = org_node


def member(which):
    @labelled(f"member-{which}")
    def kwargs(world):
        return {"pk": getattr(world.members, which).pk}

    return kwargs


@labelled("member-other-position")
def committee_position_of_other_member(world):
    position = member_services.position_assign(
        member=world.members.other,
        organization=world.tree.a1,
        role=Position.Role.COMMITTEE_MEMBER,
        started_on=timezone.localdate(),
        assigned_by=world.personas.admin,
    )
    return {"pk": world.members.other.pk, "position_pk": position.pk}


@labelled("A1-temporary")
def temporary_transfer_into_a1(world):
    today = timezone.localdate()
    transfer = member_services.transfer_temporary(
        to_organization=world.tree.a1,
        decided_on=today,
        expected_return_on=today + datetime.timedelta(days=180),
        member_name="Đỗ Văn Khách",
        from_text="Đảng bộ tỉnh X",
        transferred_by=world.personas.admin,
    )
    return {"transfer_pk": transfer.pk}


@labelled("A1-secretary")
def secretary_assignment_at_a1(world):
    return {"pk": world.tree.a1.pk, "assignment_pk": world.assignments["secretary"].pk}


def _meeting_in_a1(world):

    from meetings import services as meeting_services

    today = timezone.localdate()
    return meeting_services.meeting_create(
        organization=world.tree.a1,
        data={
            "kind": "THUONG_KY",
            "period_year": today.year,
            "period_month": today.month,
            "date": today,
            "start_time": datetime.time(8, 0),
            "end_time": datetime.time(10, 0),
        },
        created_by=world.personas.admin,
    )


@labelled("A1-meeting")
def meeting_in_a1(world):
    return {"pk": _meeting_in_a1(world).pk}


@labelled("A1-meeting")
def minutes_of_meeting_in_a1(world):
    return {"meeting_pk": _meeting_in_a1(world).pk}


@labelled("A1-attachment")
def attachment_in_a1(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings import services as meeting_services

    attachment = meeting_services.attachment_add(
        meeting=_meeting_in_a1(world),
        uploaded_file=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n"),
        uploaded_by=world.personas.admin,
    )
    return {"pk": attachment.pk}


def _period_at_root(world):
    from evaluations.models import EvaluationPeriod

    period = EvaluationPeriod.objects.filter(root=world.tree.root).first()
    if period is None:
        year = timezone.localdate().year
        period = open_period(world, year=year, by="admin", dues=december_dues(year))
    return period


@labelled("root-period")
def period_at_root(world):
    return {"pk": _period_at_root(world).pk}


@labelled("A1-evaluation")
def evaluation_of_a1(world):
    period = _period_at_root(world)
    return {"pk": period.org_evaluations.get(organization=world.tree.a1).pk}


@labelled("A1-evidence")
def evidence_of_a1(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evaluations.models import CriterionAnswer

    evaluation = _period_at_root(world).org_evaluations.get(organization=world.tree.a1)
    answer = CriterionAnswer(evaluation=evaluation, code="TC01")
    answer.evidence_file.save("minh-chung.pdf", SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4\n%%EOF\n"))
    return {"pk": evaluation.pk, "code": "TC01"}


@labelled("member-other-discipline")
def discipline_of_other_member(world):
    from members.discipline import discipline_record

    fact = discipline_record(
        member=world.members.other,
        form="KHIEN_TRACH",
        decision_no="1-QĐ/ĐU",
        decided_on=timezone.localdate(),
        deciding_body="Ban Thường vụ Đảng ủy A",
        recorded_by=world.personas.admin,
    )
    return {"pk": world.members.other.pk, "discipline_pk": fact.pk}


@labelled("A1-member-rating")
def rating_of_other_member(world):
    from evaluations.ratings.services import ensure_member_rows

    period = _period_at_root(world)
    ensure_member_rows(period=period, organization=world.tree.a1)
    return {"pk": period.member_evaluations.get(member=world.members.other).pk}


@labelled("root-report")
def report_on_root(world):
    from reports.building import report_build
    from reports.services import report_request

    report = report_request(
        user=world.personas.admin, organization=world.tree.root, kind="compliance", year=timezone.localdate().year
    )
    report_build(report_id=report.pk)  # tests run in a transaction, so the on-commit enqueue never fires
    return {"pk": report.pk}


@labelled("A1-registration")
def programme_registration_in_a1(world):
    from tests.evaluations.test_programmes import approved

    return {"pk": approved(world).pk}


@labelled("A1-registration-check")
def programme_check_in_a1(world):
    from tests.evaluations.test_programmes import CHECK_YEAR, approved

    return {"pk": approved(world).pk, "year": CHECK_YEAR}


@labelled("bon-tot")
def four_good_set(world):
    from criteria.models import CriteriaSet

    return {"pk": CriteriaSet.objects.get(name="Chi bộ bốn tốt", version=1).pk}


@labelled("bon-tot-4.4")
def four_good_criterion(world):
    from criteria.models import CriteriaSet

    criteria_set = CriteriaSet.objects.get(name="Chi bộ bốn tốt", version=1)
    return {"pk": criteria_set.pk, "criterion_pk": criteria_set.criteria.get(code="4.4").pk}


@labelled("bon-tot-group-4")
def four_good_group(world):
    from criteria.models import CriteriaSet

    criteria_set = CriteriaSet.objects.get(name="Chi bộ bốn tốt", version=1)
    return {"pk": criteria_set.pk, "group_pk": criteria_set.groups.get(code="4").pk}


@labelled("B12")
def rule_b12(world):
    return {"code": "B12"}


@labelled("holiday-2026-09-02")
def a_holiday(world):
    holiday, _created = Holiday.objects.get_or_create(date=datetime.date(2026, 9, 2), defaults={"name": "Quốc khánh"})
    return {"pk": holiday.pk}


L, R = LOGIN, REDIRECT

# fmt: off
SPEC = [
    # url name                    method  kwargs                          anon admin staff leader grass secr member outs norole
    ("home",                      "get",  no_args,                        L,   200,  200,  200,   200,  200, 200,   200, 200),
    ("healthz",                   "get",  no_args,                        200, 200,  200,  200,   200,  200, 200,   200, 200),
    ("bench_ceiling",             "get",  no_args,                        L,   200,  200,  200,   200,  200, 200,   200, 200),
    ("login",                     "get",  no_args,                        200, R,    R,    R,     R,    R,   R,     R,   R),
    ("logout",                    "get",  no_args,                        L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("logout",                    "post", no_args,                        L,   L,    L,    L,     L,    L,   L,     L,   L),
    ("password_change",           "get",  no_args,                        L,   200,  200,  200,   200,  200, 200,   200, 200),
    ("password_change_done",      "get",  no_args,                        L,   200,  200,  200,   200,  200, 200,   200, 200),
    ("cells:tree",                "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("cells:detail",              "get",  node("root"),                   L,   200,  200,  200,   404,  404, 404,   404, 404),
    ("cells:detail",              "get",  node("a"),                      L,   200,  200,  200,   200,  404, 404,   404, 404),
    ("cells:detail",              "get",  node("a1"),                     L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("cells:detail",              "get",  node("b1"),                     L,   200,  200,  200,   404,  404, 404,   200, 404),
    ("cells:create",              "get",  node("a"),                      L,   200,  200,  403,   403,  404, 404,   404, 404),
    ("cells:create",              "get",  node("a1"),                     L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("cells:edit",                "get",  node("a1"),                     L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("cells:edit",                "get",  node("b1"),                     L,   200,  200,  403,   404,  404, 404,   403, 404),
    ("cells:move",                "get",  node("a1"),                     L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("cells:dissolve",            "get",  node("a1"),                     L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("cells:merge",               "get",  node("a1"),                     L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("cells:roles",               "get",  node("a1"),                     L,   200,  200,  403,   403,  403, 404,   404, 404),
    ("cells:roles",               "get",  node("root"),                   L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("cells:role_revoke",         "get",  secretary_assignment_at_a1,     L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("cells:role_revoke",         "post", secretary_assignment_at_a1,     L,   R,    R,    403,   403,  403, 404,   404, 404),
    ("members:list",              "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("members:export_csv",        "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("members:export_xlsx",       "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("members:me",                "get",  no_args,                        L,   404,  404,  404,   404,  404, R,     404, 404),
    ("members:detail",            "get",  member("own"),                  L,   200,  200,  200,   200,  200, 200,   404, 404),
    ("members:detail",            "get",  member("other"),                L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("members:create",            "get",  cell_for_members("a1"),         L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:create",            "get",  cell_for_members("b1"),         L,   200,  200,  403,   404,  404, 404,   200, 404),
    ("members:edit",              "get",  member("other"),                L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:edit",              "get",  member("own"),                  L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:status",            "get",  member("other"),                L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:position_assign",   "get",  member("other"),                L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:position_end",      "get",  committee_position_of_other_member,
                                                                          L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:transfer",          "get",  member("other"),                L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:transfer_temporary", "get", member("other"),                L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:temporary_in",      "get",  cell_for_members("a1"),         L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("members:temporary_in",      "get",  cell_for_members("b1"),         L,   200,  200,  403,   404,  404, 404,   200, 404),
    ("members:temporary_end",     "get",  temporary_transfer_into_a1,     L,   200,  200,  403,   200,  200, 404,   404, 404),
    # D5: discipline is recorded by the committee above the cell (staff, grassroots committee), not its secretary.
    ("members:discipline_record", "get",  member("other"),                L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("members:discipline_annul",  "get",  discipline_of_other_member,     L,   200,  200,  403,   200,  403, 404,   404, 404),
    # The members:import* URLs: tests/members/test_import.py IMPORT_SPEC.
    # Meetings: VIEW for the pages that read, LOG_MEETINGS to write, REOPEN_MEETINGS to reopen, APPRAISE from an
    # ancestor node to confirm. Empty POSTs: a form comes back (200) or the action refuses and redirects (R).
    ("meetings:compliance",       "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("meetings:list",             "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("meetings:compliance_cells", "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("meetings:flagged",          "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("dashboard:index",           "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("meetings:cell",             "get",  org_node("a1"),                 L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("meetings:cell",             "get",  org_node("a"),                  L,   R,    R,    R,     R,    404, 404,   404, 404),
    ("meetings:create",           "get",  org_node("a1"),                 L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("meetings:create",           "post", org_node("a1"),                 L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("meetings:detail",           "get",  meeting_in_a1,                  L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("meetings:detail",           "post", meeting_in_a1,                  L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("meetings:score",            "get",  meeting_in_a1,                  L,   200,  200,  403,   200,  200, 404,   404, 404),
    # An empty POST carries no version: allowed users get the page back with the refusal (nothing saved).
    ("meetings:score",            "post", meeting_in_a1,                  L,   200,  200,  403,   200,  200, 404,   404, 404),
    # The finalise step: GET is the confirmation page; a POST without `confirm` goes back to it (R).
    ("meetings:finalise",         "get",  meeting_in_a1,                  L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("meetings:finalise",         "post", meeting_in_a1,                  L,   R,    R,    403,   R,    R,   404,   404, 404),
    ("meetings:reopen",           "get",  meeting_in_a1,                  L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("meetings:reopen",           "post", meeting_in_a1,                  L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("meetings:confirm",          "get",  meeting_in_a1,                  L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("meetings:confirm",          "post", meeting_in_a1,                  L,   R,    R,    403,   R,    403, 404,   404, 404),
    ("meetings:attachment_add",   "get",  meeting_in_a1,                  L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("meetings:attachment_add",   "post", meeting_in_a1,                  L,   R,    R,    403,   R,    R,   404,   404, 404),
    ("meetings:attachment",       "get",  attachment_in_a1,               L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("printouts:attendance_sheet", "get", org_node("a1"),                 L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("printouts:attendance_sheet", "get", org_node("a"),                  L,   404,  404,  404,   404,  404, 404,   404, 404),
    ("printouts:minutes_blank",   "get",  org_node("a1"),                 L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("printouts:minutes",         "get",  minutes_of_meeting_in_a1,       L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("notifications:list",        "get",  no_args,                        L,   200,  200,  200,   200,  200, 200,   200, 200),
    ("notifications:read_all",    "get",  no_args,                        L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("notifications:read_all",    "post", no_args,                        L,   R,    R,    R,     R,    R,   R,     R,   R),
    ("guidance:list",             "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("guidance:create",           "get",  org_node("a"),                  L,   200,  200,  403,   200,  404, 404,   404, 404),
    ("guidance:create",           "get",  org_node("a1"),                 L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("guidance:create",           "get",  org_node("b1"),                 L,   200,  200,  403,   404,  404, 404,   403, 404),
    ("evaluations:index",         "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("evaluations:open",          "get",  org_node("root"),               L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("evaluations:open",          "get",  org_node("a"),                  L,   200,  200,  403,   403,  404, 404,   404, 404),
    ("evaluations:period",        "get",  period_at_root,                 L,   200,  200,  200,   200,  200, 404,   200, 404),
    ("evaluations:lock",          "get",  period_at_root,                 L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("evaluations:lock",          "post", period_at_root,                 L,   R,    R,    403,   404,  404, 404,   404, 404),
    ("evaluations:detail",        "get",  evaluation_of_a1,               L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("evaluations:evidence",      "get",  evidence_of_a1,                 L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("evaluations:member_cap_exception", "get", rating_of_other_member,   L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("reports:index",             "get",  no_args,                        L,   200,  200,  200,   200,  403, 403,   403, 403),
    ("reports:detail",            "get",  report_on_root,                 L,   200,  200,  200,   404,  404, 404,   404, 404),
    ("reports:download_pdf",      "get",  report_on_root,                 L,   200,  200,  200,   404,  404, 404,   404, 404),
    ("reports:download_xlsx",     "get",  report_on_root,                 L,   200,  200,  200,   404,  404, 404,   404, 404),
    ("reports:retry",             "get",  report_on_root,                 L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("reports:retry",             "post", report_on_root,                 L,   R,    R,    R,     404,  404, 404,   404, 404),
    # Documents (reports/documents/): staff (MANAGE_TREE) edit, issue and set the issuer; empty POSTs are refused
    # on the page (200); the register is read wherever reports may be requested.
    ("reports:narrative",         "get",  report_on_root,                 L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("reports:narrative",         "post", report_on_root,                 L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("reports:issue",             "get",  report_on_root,                 L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("reports:issue",             "post", report_on_root,                 L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("reports:register",          "get",  no_args,                        L,   200,  200,  200,   200,  403, 403,   403, 403),
    ("reports:issuer_settings",   "get",  tree_node("root", "org"),       L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("reports:issuer_settings",   "post", tree_node("root", "org"),       L,   200,  200,  403,   404,  404, 404,   404, 404),
    ("reports:issuer_settings",   "get",  tree_node("a", "org"),          L,   200,  200,  403,   403,  404, 404,   404, 404),
    ("programmes:index",          "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("programmes:register",       "get",  org_node("a1"),                 L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("programmes:register",       "get",  org_node("b1"),                 L,   200,  200,  403,   404,  404, 404,   200, 404),
    ("programmes:register",       "get",  org_node("a"),                  L,   404,  404,  403,   404,  404, 404,   404, 404),
    ("programmes:register",       "post", org_node("a1"),                 L,   200,  200,  403,   200,  200, 404,   404, 404),
    ("programmes:detail",         "get",  programme_registration_in_a1,   L,   200,  200,  200,   200,  200, 404,   404, 404),
    ("programmes:approve",        "get",  programme_registration_in_a1,   L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("programmes:approve",        "post", programme_registration_in_a1,   L,   R,    R,    403,   403,  403, 404,   404, 404),
    ("programmes:check",          "get",  programme_check_in_a1,          L,   200,  200,  403,   200,  403, 404,   404, 404),
    ("programmes:check",          "post", programme_check_in_a1,          L,   R,    R,    403,   R,    403, 404,   404, 404),
    ("programmes:recognise",      "get",  programme_registration_in_a1,   L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("programmes:recognise",      "post", programme_registration_in_a1,   L,   R,    R,    403,   403,  403, 404,   404, 404),
    ("programmes:fail",           "get",  programme_registration_in_a1,   L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("programmes:fail",           "post", programme_registration_in_a1,   L,   R,    R,    403,   403,  403, 404,   404, 404),
    ("programmes:withdraw",       "get",  programme_registration_in_a1,   L,   405,  405,  405,   405,  405, 405,   405, 405),
    ("programmes:withdraw",       "post", programme_registration_in_a1,   L,   R,    R,    403,   R,    R,   404,   404, 404),
    ("criteria:list",             "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("criteria:detail",           "get",  four_good_set,                  L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("criteria:diff",             "get",  four_good_set,                  L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("criteria:copy",             "get",  four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:copy",             "post", four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:edit",             "get",  four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:edit",             "post", four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:criterion_add",    "get",  four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:criterion_add",    "post", four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:criterion_edit",   "get",  four_good_criterion,            L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:criterion_edit",   "post", four_good_criterion,            L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:criterion_delete", "get",  four_good_criterion,            L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:criterion_delete", "post", four_good_criterion,            L,   R,    R,    403,   403,  403, 403,   403, 403),
    ("criteria:group_add",        "get",  four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:group_add",        "post", four_good_set,                  L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:group_edit",       "get",  four_good_group,                L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:group_edit",       "post", four_good_group,                L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:group_delete",     "get",  four_good_group,                L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("criteria:group_delete",     "post", four_good_group,                L,   R,    R,    403,   403,  403, 403,   403, 403),
    # The rule book: bloc-wide reference, read by anyone with VIEW somewhere.
    ("rules:list",                "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("rules:detail",              "get",  rule_b12,                       L,   200,  200,  200,   200,  200, 403,   200, 403),
    # The holiday calendar: bloc-wide reference data; committee staff (MANAGE_TREE) edit it.
    ("holidays:list",             "get",  no_args,                        L,   200,  200,  200,   200,  200, 403,   200, 403),
    ("holidays:create",           "get",  no_args,                        L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("holidays:create",           "post", no_args,                        L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("holidays:edit",             "get",  a_holiday,                      L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("holidays:edit",             "post", a_holiday,                      L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("holidays:delete",           "get",  a_holiday,                      L,   200,  200,  403,   403,  403, 403,   403, 403),
    ("holidays:delete",           "post", a_holiday,                      L,   R,    R,    403,   403,  403, 403,   403, 403),
]
# fmt: on


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.django_db
@matrix(SPEC)
def test_url_gives_expected_response_for_persona(world, client_for, case):
    # A refused request writes nothing.
    check_matrix_case(world, client_for, case, state=AuditEntry.objects.count)


def _named_urls(resolver, namespace=""):
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: see the admin tests below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_matrix_covers_every_named_url():
    # The member-ratings, past-results and member-import URLs have their tables next to their fixtures (same
    # columns, same expectations); together with SPEC they must cover every named URL.
    from tests.evaluations.test_member_ratings import RATINGS_SPEC
    from tests.evaluations.test_past_import import IMPORT_SPEC as PAST_IMPORT_SPEC
    from tests.evaluations.test_registers import REGISTERS_SPEC
    from tests.members.test_import import IMPORT_SPEC as MEMBER_IMPORT_SPEC

    covered = {
        row[0] for spec in (SPEC, RATINGS_SPEC, PAST_IMPORT_SPEC, MEMBER_IMPORT_SPEC, REGISTERS_SPEC) for row in spec
    }
    named = _named_urls(get_resolver())
    assert {name for name in named if name.startswith(("cells:", "members:"))}, "the app URLs were not found"
    assert named - covered == set(), "add a row to SPEC for each new URL"


@pytest.mark.django_db
def test_role_revoke_by_staff_deletes_the_assignment(world, client_for):
    assignment = world.assignments["secretary"]
    url = reverse("cells:role_revoke", kwargs=secretary_assignment_at_a1(world))

    response = client_for("staff").post(url)

    assert response.status_code == 302
    assert _path(response["Location"]) == reverse("cells:roles", args=[world.tree.a1.pk])
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action="cells.role.revoked", target_id=assignment.pk).exists()


@pytest.mark.django_db
def test_role_revoke_does_not_reach_an_assignment_outside_the_url_node(world, client_for):
    # The outsider's assignment is at B1; revoking it through A1's URL must not find it.
    outsider_assignment = world.assignments["outsider"]
    url = reverse("cells:role_revoke", kwargs={"pk": world.tree.a1.pk, "assignment_pk": outsider_assignment.pk})

    response = client_for("staff").post(url)

    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=outsider_assignment.pk).exists()


#
# Django admin: an escape hatch for superusers only
#


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff_flag", [False, True])
def test_admin_does_not_admit_staff_role(personas, client_for, is_staff_flag):
    personas.staff.is_staff = is_staff_flag
    personas.staff.save(update_fields=["is_staff"])

    response = client_for("staff").get("/admin/")

    assert response.status_code == 302
    assert _path(response["Location"]) == reverse("admin:login")


@pytest.mark.django_db
def test_admin_admits_superuser(client_for):
    response = client_for("admin").get("/admin/")

    assert response.status_code == 200
