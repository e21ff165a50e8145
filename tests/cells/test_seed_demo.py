"""`manage.py seed_demo`: shape of the demo tree, consistency of the rows, idempotence, determinism, logins, member
history, and the meetings.

The seed (without meetings: `--no-meetings`) runs once for the whole module, inside a transaction rolled back when
the module ends, so the other test modules still start from an empty database. The meeting tests log the meetings
of a sample of cells with `demo.meetings.build_meetings`, inside their own test transaction.
"""

import datetime
import itertools
import random
import time
import unicodedata
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from cells.models import AuditEntry, Organization, RoleAssignment
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_logins
from demo.build import plan_demo
from demo.common import add_months, add_years
from demo.meetings import build_meetings, meeting_months
from demo.member_history import (
    DECEASED_PER_COPY,
    LATE_LETTER_MOVES_PER_COPY,
    LEFT_PARTY_PER_COPY,
    MOVES_PER_COPY,
    OVERDUE_MOVES_PER_COPY,
    PROBATION_DUE_SOON_PER_COPY,
    PROBATION_OVERDUE_PER_COPY,
    SUSPENDED_PER_COPY,
    TEMPORARY_PER_COPY,
    TRANSFERRED_OUT_PER_COPY,
)
from demo.members import MEMBERS_PER_COPY
from demo.tree import ROOT_CODE
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, MeetingScore, TemporaryAttendance
from meetings.selectors import Period, flagged_members, kpis
from members.models import Member, Position, StatusChange, Transfer
from members.selectors import probation_alerts
from members.services import transfer_deadlines

Kind = Organization.Kind
Role = RoleAssignment.Role


def snapshot() -> dict:
    """Row counts and last-change marks of everything the seed writes."""
    User = get_user_model()
    return {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "positions": Position.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEntry.objects.count(),
        "status_changes": StatusChange.objects.count(),
        "transfers": Transfer.objects.count(),
        "meetings": Meeting.objects.count(),
        "attendance": Attendance.objects.count(),
        "organizations_changed": Organization.objects.aggregate(m=Max("updated_at"))["m"],
        "members_changed": Member.objects.aggregate(m=Max("updated_at"))["m"],
        "passwords": sorted(User.objects.values_list("password", flat=True)),
    }


@pytest.mark.django_db
def test_tree_has_the_bloc_shape(seeded_demo):
    root = Organization.objects.get(code=ROOT_CODE)
    assert root.kind == Kind.UPPER and root.parent is None and root.depth == 0 and root.path == f"/{root.pk}/"
    counts = dict(Organization.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert counts == {
        Kind.UPPER: 1,
        Kind.GRASSROOTS_COMMITTEE: 44,
        Kind.CELL: 288,
        Kind.GRASSROOTS_CELL: 28,
        Kind.SUB_COMMITTEE: 2,
    }
    assert set(Organization.objects.filter(depth=1).values_list("kind", flat=True)) == {
        Kind.GRASSROOTS_COMMITTEE,
        Kind.GRASSROOTS_CELL,
    }
    for committee in Organization.objects.filter(kind=Kind.GRASSROOTS_COMMITTEE):
        cells = Organization.objects.filter(kind=Kind.CELL, path__startswith=committee.path).count()
        assert 3 <= cells <= 12, committee.code
    for sub in Organization.objects.filter(kind=Kind.SUB_COMMITTEE):
        assert sub.parent.kind == Kind.GRASSROOTS_COMMITTEE
        assert sub.children.filter(kind=Kind.CELL).count() >= 2
    unit_types = set(Organization.objects.values_list("unit_type", flat=True))
    assert {"CO_QUAN_HANH_CHINH", "DON_VI_SU_NGHIEP", "DOANH_NGHIEP_NHA_NUOC", "DOANH_NGHIEP_KHAC"} <= unit_types
    assert {"CO_QUAN_DANG", "MAT_TRAN_DOAN_THE"} <= unit_types


@pytest.mark.django_db
def test_paths_depths_codes_and_search_text_are_consistent(seeded_demo):
    organizations = {org.pk: org for org in Organization.objects.all()}
    for org in organizations.values():
        assert org.code == org.code.upper() and org.code.isascii()
        assert org.search_text, org.code
        if org.parent_id is None:
            continue
        parent = organizations[org.parent_id]
        assert org.path == parent.path + f"{org.pk}/", org.code
        assert org.depth == parent.depth + 1, org.code
        assert org.kind == Kind.UPPER or parent.kind in Organization.ALLOWED_PARENTS[org.kind]
    assert Organization.objects.get(code="DB01-CB03").parent.code == "DB01"


@pytest.mark.django_db
def test_members_are_plausible(seeded_demo):
    today = datetime.date.today()
    members = list(Member.objects.all())
    assert 4600 <= len(members) <= 4900
    assert all(m.organization.is_cell for m in Member.objects.select_related("organization")[:200])
    probationary = [m for m in members if m.status == Member.Status.PROBATIONARY]
    assert 0.03 <= len(probationary) / len(members) <= 0.08
    overdue = 0
    for m in probationary:
        # A few are past their 12 months with no decision yet (rule B18), by at most 45 days.
        assert today - datetime.timedelta(days=366 + 46) <= m.admitted_on <= today
        overdue += m.admitted_on < today - datetime.timedelta(days=366)
        assert m.official_on is None and m.party_card_no is None
    assert overdue == PROBATION_OVERDUE_PER_COPY
    for m in members:
        assert unicodedata.is_normalized("NFC", m.full_name) and len(m.full_name.split()) >= 3
        assert m.gender in (Member.Gender.MALE, Member.Gender.FEMALE)
        assert 22 <= (today - m.date_of_birth).days / 365.25 <= 61
        assert m.sort_key and m.search_text
        if m.status == Member.Status.FULL:
            assert m.official_on == add_years(m.admitted_on, 1) <= today
    cards = [m.party_card_no for m in members if m.party_card_no]
    assert len(cards) > 0.9 * len(members)
    assert len(set(cards)) == len(cards) and all(len(c) == 8 and c.isdigit() for c in cards)


@pytest.mark.django_db
def test_cells_sizes_and_committees_give_rule_b19_something_to_show(seeded_demo):
    cells = Organization.objects.filter(kind__in=Organization.CELL_KINDS).annotate(
        total=Count("members", distinct=True),
        full=Count("members", filter=Q(members__status=Member.Status.FULL), distinct=True),
        secretaries=Count("positions", filter=Q(positions__role=Position.Role.SECRETARY), distinct=True),
        committee=Count("positions", filter=Q(positions__role=Position.Role.COMMITTEE_MEMBER), distinct=True),
    )
    assert all(5 <= cell.total <= 30 for cell in cells)
    assert all(cell.secretaries == 1 for cell in cells)
    few_full = [cell for cell in cells if cell.full < 3]
    assert 1 <= len(few_full) <= 10
    big = [cell for cell in cells if cell.full >= 9]
    with_committee = [cell for cell in big if cell.committee]
    assert len(big) >= 5 and 0.8 * len(big) <= len(with_committee) < len(big)
    assert not Position.objects.exclude(term_label="2025-2030").exists()
    assert not Position.objects.exclude(member__status=Member.Status.FULL).exists()
    # A cell's seats go to its own members; each committee above the cells has a bí thư from its subtree (the bí thư
    # of one of its cells), so an issued report can propose its signer.
    cell_seats = Position.objects.filter(organization__kind__in=Organization.CELL_KINDS)
    assert not cell_seats.exclude(member__organization=F("organization")).exists()
    upper = Organization.objects.exclude(kind__in=Organization.CELL_KINDS)
    upper_seats = Position.objects.exclude(organization__kind__in=Organization.CELL_KINDS)
    assert sorted(upper_seats.values_list("organization_id", flat=True)) == sorted(upper.values_list("pk", flat=True))
    assert set(upper_seats.values_list("role", flat=True)) == {Position.Role.SECRETARY}
    for seat in upper_seats.select_related("member__organization", "organization"):
        assert seat.member.organization.path.startswith(seat.organization.path)
        assert seat.member.positions.filter(
            role=Position.Role.SECRETARY, organization__kind__in=Organization.CELL_KINDS
        )


@pytest.mark.django_db
def test_second_run_and_if_empty_change_nothing(seeded_demo):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", "--if-empty", stdout=out)
    call_command("seed_demo", "--seed", "7", "--scale", "2", stdout=out)
    assert snapshot() == before
    assert "already present" in out.getvalue()
    assert "bithu2" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_same_seed_same_data(seeded_demo):
    today = datetime.date(2026, 1, 15)
    first = plan_demo(random.Random(2025), today=today)
    second = plan_demo(random.Random(2025), today=today)
    other = plan_demo(random.Random(2026), today=today)
    names = [m.full_name for m in first.members]
    assert names == [m.full_name for m in second.members]
    assert [m.party_card_no for m in first.members] == [m.party_card_no for m in second.members]
    assert [(o.code, o.name) for o in first.organizations] == [(o.code, o.name) for o in second.organizations]
    assert names != [m.full_name for m in other.members]
    # The command's data is that plan: compare a sample of members and cells (inserted in plan order).
    stored = list(Member.objects.order_by("pk").values_list("full_name", "organization__code")[:300])
    assert stored == [(m.full_name, m.organization.code) for m in first.members[:300]]
    stored_cells = dict(Organization.objects.filter(kind=Kind.CELL).values_list("code", "name"))
    assert all(stored_cells[o.code] == o.name for o in first.organizations if o.kind == Kind.CELL)


def test_scale_copies_the_grassroots_level_with_suffixed_codes():
    plan = plan_demo(random.Random(2025), scale=2, today=datetime.date(2026, 1, 15))
    assert plan.count(Kind.GRASSROOTS_COMMITTEE) == 88 and plan.count(Kind.CELL) == 576
    assert plan.count(Kind.GRASSROOTS_CELL) == 56 and len(plan.members) == 2 * MEMBERS_PER_COPY
    codes = [o.code for o in plan.organizations]
    assert len(set(codes)) == len(codes)
    assert {"DB01-S2", "DB01-S2-CB01", "CBCS28-S2"} <= set(codes)
    # Copy 1 does not depend on the scale.
    single = plan_demo(random.Random(2025), today=datetime.date(2026, 1, 15))
    assert [m.full_name for m in single.members] == [m.full_name for m in plan.members[: len(single.members)]]


@pytest.mark.django_db
def test_demo_logins_authenticate_and_land_where_documented(seeded_demo):
    for row in demo_logins():
        assert authenticate(username=row.username, password=DEMO_PASSWORD) is not None, row.username
        assert row.username in seeded_demo.output
    User = get_user_model()
    usernames = {a.username for a in DEMO_ACCOUNTS}
    assert set(User.objects.filter(username__in=usernames).values_list("username", flat=True)) == usernames
    assert all(u.first_name and u.last_name for u in User.objects.filter(username__in=usernames))
    assert User.objects.get(username="admin").is_superuser

    def grants(username):
        return {(a.role, a.organization.code) for a in RoleAssignment.objects.filter(user__username=username)}

    assert grants("bantochuc") == {(Role.STAFF, "DEMO")}
    assert grants("lanhdao") == {(Role.LEADER, "DEMO")}
    assert grants("capuycoso") == {(Role.GRASSROOTS, "DB01")}
    first_cell = Organization.objects.filter(kind=Kind.CELL, parent__code="DB01").order_by("code").first()
    assert grants("bithu") == {(Role.SECRETARY, first_cell.code)}
    assert grants("dangvien") == set()

    secretary = Member.objects.get(user__username="bithu")
    assert secretary.organization == first_cell
    assert secretary.positions.filter(role=Position.Role.SECRETARY, organization=first_cell).exists()
    member = Member.objects.get(user__username="dangvien")
    assert member.organization == first_cell and not member.positions.exists()
    assert member.status == Member.Status.FULL

    ((role, code),) = grants("bithu2")
    outsider_cell = Organization.objects.get(code=code)
    assert role == Role.SECRETARY and outsider_cell.kind == Kind.CELL
    assert not outsider_cell.path.startswith(Organization.objects.get(code="DB01").path)
    assert Member.objects.get(user__username="bithu2").organization == outsider_cell


#
# Member history (statuses, transfers, probation)
#


@pytest.mark.django_db
def test_status_history_matches_each_members_status(seeded_demo):
    S = Member.Status
    counts = dict(Member.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert counts[S.SUSPENDED] == SUSPENDED_PER_COPY
    assert counts[S.TRANSFERRED_OUT] == TRANSFERRED_OUT_PER_COPY
    assert counts[S.DECEASED] == DECEASED_PER_COPY
    assert counts[S.LEFT_PARTY] == LEFT_PARTY_PER_COPY
    assert counts[S.EXEMPT] >= 5
    changes = {}
    for change in StatusChange.objects.order_by("effective_on", "pk"):
        changes.setdefault(change.member_id, []).append(change)
    for member in Member.objects.all():
        own = changes.get(member.pk, [])
        if member.status == S.PROBATIONARY:
            assert own == []
            continue
        # Recognised as a full member on official_on, then the changes that led to today's status, in order.
        assert own[0].status == S.FULL and own[0].previous_status == S.PROBATIONARY
        assert own[0].effective_on == member.official_on and "-QĐ/ĐU" in own[0].decision_no
        assert own[-1].status == member.status
        for before, after in itertools.pairwise(own):
            assert after.previous_status == before.status and after.effective_on > before.effective_on
        if member.status in (S.EXEMPT, S.SUSPENDED, S.LEFT_PARTY, S.TRANSFERRED_OUT):
            assert "-QĐ/ĐU" in own[-1].decision_no and own[-1].reason
    assert not Position.objects.exclude(member__status=S.FULL).exists()


@pytest.mark.django_db
def test_transfers_within_out_of_and_into_the_tree(seeded_demo):
    today = timezone.localdate()
    official = Transfer.objects.filter(kind=Transfer.Kind.OFFICIAL)
    out = official.filter(to_organization=None)
    assert out.count() == TRANSFERRED_OUT_PER_COPY
    for transfer in out.select_related("member"):
        assert transfer.member.status == Member.Status.TRANSFERRED_OUT
        assert transfer.member.organization_id == transfer.from_organization_id
        assert transfer.to_text.startswith("Đảng bộ xã ") and transfer.completed_on == transfer.letter_issued_on
    moves = official.exclude(to_organization=None).select_related("member")
    assert moves.count() == MOVES_PER_COPY
    late = 0
    for transfer in moves:
        assert transfer.member.organization_id == transfer.to_organization_id != transfer.from_organization_id
        assert datetime.date(2025, 1, 1) <= transfer.decided_on <= today
        assert transfer.decided_on <= transfer.letter_issued_on <= today
        assert transfer.completed_on == transfer.letter_presented_on
        deadlines = transfer_deadlines(transfer)
        late += deadlines["procedure_late"] or deadlines["letter_late"]
    assert late == OVERDUE_MOVES_PER_COPY + LATE_LETTER_MOVES_PER_COPY
    temporary = Transfer.objects.filter(kind=Transfer.Kind.TEMPORARY)
    assert temporary.count() == TEMPORARY_PER_COPY
    for transfer in temporary.select_related("to_organization"):
        assert transfer.member_id is None and transfer.member_name and transfer.from_text
        assert transfer.to_organization.is_cell and transfer.ended_on is None
        assert transfer.decided_on < today < transfer.expected_return_on
        assert transfer.expected_return_on <= add_months(transfer.decided_on, 24)


@pytest.mark.django_db
def test_probation_alerts_show(seeded_demo):
    admin = get_user_model().objects.get(username="admin")
    alerts = probation_alerts(user=admin, limit=500)
    assert sum(a.overdue for a in alerts) == PROBATION_OVERDUE_PER_COPY
    assert sum(not a.overdue for a in alerts) >= PROBATION_DUE_SOON_PER_COPY


def test_member_history_does_not_depend_on_the_date():
    """Who is suspended, moved or transferred depends on the seed only: the date moves the dates."""

    def picked(plan):
        return (
            [(m.full_name, m.organization.code, m.status) for m in plan.members],
            [
                (t.kind, t.member_name or t.member.full_name, t.to_organization and t.to_organization.code)
                for t in plan.transfers
            ],
        )

    first = plan_demo(random.Random(2025), today=datetime.date(2026, 1, 15))
    later = plan_demo(random.Random(2025), today=datetime.date(2026, 11, 20))
    assert picked(first) == picked(later)
    again = plan_demo(random.Random(2025), today=datetime.date(2026, 1, 15))
    assert [(c.member.full_name, c.status, c.effective_on, c.decision_no) for c in first.status_changes] == [
        (c.member.full_name, c.status, c.effective_on, c.decision_no) for c in again.status_changes
    ]


#
# Meetings
#


def sample_cells() -> list[str]:
    """The cells of a few whole grassroots organisations, and cells where the member history shows at meetings."""
    grassroots = ["DB01", "DB02", "DB03", "DB04", "DB05", *(f"CBCS{n:02d}" for n in range(1, 11))]
    codes = set(
        Organization.objects.filter(kind__in=Organization.CELL_KINDS)
        .filter(Q(code__in=grassroots) | Q(parent__code__in=grassroots) | Q(parent__parent__code__in=grassroots))
        .values_list("code", flat=True)
    )
    for status in (
        Member.Status.SUSPENDED,
        Member.Status.TRANSFERRED_OUT,
        Member.Status.DECEASED,
        Member.Status.LEFT_PARTY,
    ):
        codes.update(Member.objects.filter(status=status).values_list("organization__code", flat=True)[:2])
    codes.update(Member.objects.filter(status=Member.Status.EXEMPT).values_list("organization__code", flat=True)[:3])
    official = Transfer.objects.filter(kind=Transfer.Kind.OFFICIAL).exclude(to_organization=None)
    for transfer in official.select_related("from_organization", "to_organization")[:3]:
        codes.update((transfer.from_organization.code, transfer.to_organization.code))
    temporary = Transfer.objects.filter(kind=Transfer.Kind.TEMPORARY).order_by("decided_on")
    codes.update(temporary.values_list("to_organization__code", flat=True)[:2])
    return sorted(codes)


@pytest.fixture(scope="module")
def meetings(seeded_demo, django_db_blocker):
    """The sample's meetings, logged once for the module (rolled back with the seed when the module ends)."""
    with django_db_blocker.unblock():
        root = Organization.objects.get(code=ROOT_CODE)
        codes = sample_cells()
        started = time.monotonic()
        stats = build_meetings(root=root, seed=2025, cells=codes)
    return SimpleNamespace(root=root, codes=codes, stats=stats, seconds=time.monotonic() - started)


@pytest.mark.django_db
def test_meetings_one_regular_per_cell_month_with_realistic_gaps(meetings):
    today = timezone.localdate()
    months = meeting_months(today)
    assert months[0] == (2024, 1) and months[-1] < (today.year, today.month)
    cells = Organization.objects.filter(code__in=meetings.codes)
    assert set(Meeting.objects.values_list("organization__code", flat=True).distinct()) == set(meetings.codes)
    regular = Meeting.objects.filter(kind__in=Meeting.REGULAR_KINDS)
    assert not regular.values("organization", "period_year", "period_month").annotate(n=Count("id")).filter(n__gt=1)
    assert not Meeting.objects.filter(
        Q(period_year__gt=today.year) | Q(period_year=today.year, period_month__gte=today.month)
    )
    for cell in cells:
        held = set(regular.filter(organization=cell).values_list("period_year", "period_month"))
        for year in (2024, 2025, 2026):
            expected = [
                (y, m) for y, m in months if y == year and (y, m) >= (cell.founded_on.year, cell.founded_on.month)
            ]
            assert 0 <= len(expected) - len(held & set(expected)) <= 3, (cell.code, year)
    # Drafts only in the month just ended; finalised meetings pass the real checks (B3, B6, B7) and are scored.
    assert set(Meeting.objects.filter(status=Meeting.Status.DRAFT).values_list("period_year", "period_month")) <= {
        months[-1]
    }
    assert Meeting.objects.filter(period_year=months[-1][0], period_month=months[-1][1], status="DA_CHOT").exists()
    assert not Meeting.objects.filter(kind=Meeting.Kind.THEMATIC, topic="").exists()
    for meeting in Meeting.objects.filter(status=Meeting.Status.FINAL).order_by("?")[:60]:
        assert meeting_services.finalise_problems(meeting) == [], meeting
        assert meeting.score is not None and meeting.rating and meeting.version == 1
        assert meeting.presiding.organization_id == meeting.organization_id
        automatic = meeting_services.automatic_points(meeting, meeting_services.attendance_counts(meeting))
        for score in MeetingScore.objects.filter(meeting=meeting, automatic=True).select_related("item"):
            assert score.points == (score.item.max_points if automatic[score.item.auto_key] else 0), score
        assert sum(s.points for s in meeting.scores.all()) == meeting.score
    assert Meeting.objects.filter(status=Meeting.Status.FINAL, score=None).count() == 0
    assert meetings.stats.meetings == Meeting.objects.count()


@pytest.mark.django_db
def test_meeting_attendance_follows_the_members_history(meetings):
    S = Member.Status
    assert Attendance.objects.count() == meetings.stats.attendance
    assert not Attendance.objects.exclude(member_status__in=Member.ON_ROLL).exists()
    # Exempt and suspended members are listed but not counted; everyone listed belonged to the cell that day.
    assert not Attendance.objects.filter(member_status__in=(S.EXEMPT, S.SUSPENDED)).exclude(status="MIEN").exists()
    assert not Attendance.objects.filter(status="MIEN").exclude(member_status__in=(S.EXEMPT, S.SUSPENDED)).exists()
    assert not Attendance.objects.filter(meeting__date__lt=F("member__admitted_on")).exists()
    left = StatusChange.objects.filter(status__in=(S.TRANSFERRED_OUT, S.DECEASED, S.LEFT_PARTY))
    assert left.filter(member__organization__code__in=meetings.codes).count() >= 4
    for change in left:
        assert not Attendance.objects.filter(member=change.member, meeting__date__gte=change.effective_on).exists()
    for transfer in Transfer.objects.exclude(to_organization=None).exclude(from_organization=None):
        rows = Attendance.objects.filter(member=transfer.member)
        assert not rows.filter(meeting__organization=transfer.from_organization, meeting__date__gte=transfer.decided_on)
        assert not rows.filter(meeting__organization=transfer.to_organization, meeting__date__lt=transfer.decided_on)
    assert not Attendance.objects.exclude(meeting__organization=F("member__organization")).exclude(
        member__transfers__kind=Transfer.Kind.OFFICIAL
    )
    # Votes: only full members present (rule B7).
    voted = Meeting.objects.exclude(vote_for=None).annotate(
        present_full=Count("attendances", filter=Q(attendances__status="CO_MAT", attendances__member_status=S.FULL))
    )
    assert voted.count() > 0.9 * Meeting.objects.count()
    for meeting in voted:
        assert meeting.vote_for + meeting.vote_against + meeting.vote_abstain <= meeting.present_full, meeting
    # Members from outside attend, apart, while their temporary transfer runs.
    temporary = TemporaryAttendance.objects.select_related("transfer", "meeting")
    assert temporary.exists()
    for row in temporary:
        assert row.transfer.to_organization_id == row.meeting.organization_id
        assert row.transfer.decided_on <= row.meeting.date
    excused = Attendance.objects.filter(status=Attendance.Status.EXCUSED)
    assert excused.exists() and not excused.filter(reason="").exists()
    assert Attendance.objects.filter(status=Attendance.Status.UNEXCUSED).count() < 0.005 * Attendance.objects.count()


@pytest.mark.django_db
def test_meeting_kpis_land_near_the_blocs_figures(meetings):
    """Counted with the compliance page's own selector, over the grassroots organisations built whole."""
    admin = get_user_model().objects.get(username="admin")
    built = set(meetings.codes)
    total = SimpleNamespace(cells=0, regular=0, thematic=0, present=0, eligible=0, good=0, rated=0)
    for node in Organization.objects.filter(parent=meetings.root):
        cells = Organization.objects.filter(path__startswith=node.path, kind__in=Organization.CELL_KINDS)
        if not set(cells.values_list("code", flat=True)) <= built:
            continue
        figures = kpis(user=admin, root=node, period=Period(year=2025))
        total.cells += figures.cells
        total.regular += figures.cells_all_regular
        total.thematic += figures.cells_all_thematic
        total.present += figures.present
        total.eligible += figures.eligible
        total.good += figures.meetings_good
        total.rated += figures.meetings_rated
    assert total.cells >= 25
    assert 0.6 <= total.regular / total.cells <= 0.97
    assert 0.65 <= total.thematic / total.cells <= 1
    assert 0.93 <= total.present / total.eligible <= 0.975
    assert 0.55 <= total.good / total.rated <= 0.95
    flags = flagged_members(user=admin, root=meetings.root, year=2025)
    assert all(f.unexcused or f.longest_excused_run > 3 for f in flags)


@pytest.mark.django_db
def test_meetings_are_deterministic_and_independent_of_the_other_cells(seeded_demo):
    root = Organization.objects.get(code=ROOT_CODE)
    # Cells outside the module's sample, whose meetings may already be logged.
    cell_codes = sorted(
        set(Organization.objects.filter(parent__code="DB10").values_list("code", flat=True)) - set(sample_cells())
    )[:2]
    assert len(cell_codes) == 2

    def build(codes):
        with transaction.atomic():
            build_meetings(root=root, seed=2025, cells=codes)
            rows = list(
                Meeting.objects.filter(organization__code__in=cell_codes)
                .order_by("organization__code", "period_year", "period_month", "kind", "date")
                .values_list("organization__code", "kind", "period_month", "date", "end_time", "status", "score")
            )
            attendance = list(
                Attendance.objects.filter(meeting__organization__code__in=cell_codes)
                .order_by("meeting__organization__code", "meeting__date", "meeting__kind", "member_id")
                .values_list("member_id", "status", "reason", "spoke")
            )
            transaction.set_rollback(True)
        return rows, attendance

    first = build(cell_codes)
    assert first[0] and first[1]
    assert build(cell_codes) == first
    assert build(cell_codes + ["CBCS20"]) == first
    with transaction.atomic():  # another seed, other meetings
        build_meetings(root=root, seed=7, cells=cell_codes)
        other = list(
            Meeting.objects.filter(organization__code__in=cell_codes)
            .order_by("organization__code", "period_year", "period_month", "kind", "date")
            .values_list("organization__code", "kind", "period_month", "date", "end_time", "status", "score")
        )
        transaction.set_rollback(True)
    assert other != first[0]
