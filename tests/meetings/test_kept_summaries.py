"""The kept month summaries (meetings/summaries.py) stay equal to a rebuild from the meeting rows after any sequence
of changes (issue #16): Hypothesis drives the real services — meeting create, edit (date, month, kind), attendance
edit, finalise, reopen, score, delete — and the tree's and the roll's (organisation move, merger, dissolution,
member status change); after every step the kept rows must equal what `rebuild_all` would write, and the KPIs read
from them must equal meetings.counting's figures read from the meetings themselves.

A small world (the conftest tree, members in A1 and B1), recent months only, rolled back after each example."""

import dataclasses
import datetime
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from cells import figcache
from cells import services as cell_services
from cells.models import Organization
from meetings import counting, selectors, services, summaries
from meetings.models import Attendance, CellMonthSummary, Meeting
from members import services as member_services
from members.models import Member
from tests.conftest import build_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _months_back(n: int) -> tuple[int, int]:
    year, month = TODAY.year, TODAY.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return year, month


MONTHS = [_months_back(n) for n in (3, 2, 1)]  # three ended months: every date offset below lies in the past
KINDS = [Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC, Meeting.Kind.COMBINED, Meeting.Kind.EXTRAORDINARY]
OFFSETS = st.sampled_from([-3, 0, 9, 14, 27, 33, 40])  # days from the month's first day: early, in, grace, make-up
STATUSES = [Member.Status.FULL, Member.Status.EXEMPT, Member.Status.SUSPENDED]


def _date(year: int, month: int, offset: int) -> datetime.date:
    return min(datetime.date(year, month, 1) + datetime.timedelta(days=offset), TODAY - datetime.timedelta(days=1))


class KeptSummaries(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        world = build_world()
        figcache.touch_tree()  # the figures cache is on (a flush by an earlier test removes the tree's stamp)
        self.admin = world.personas.admin
        tree = world.tree
        member_services.member_create(
            organization=tree.b1,
            full_name="Ngô Văn Bí Mật",
            status=Member.Status.FULL,
            party_card_no="02.000001",
            created_by=self.admin,
        )
        self.cells = [tree.a1, tree.a2, tree.b1]
        self.parents = [tree.a, tree.b]
        self.meetings: list[int] = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _meeting(self, index: int) -> Meeting | None:
        pk = self.meetings[index % len(self.meetings)]
        return Meeting.objects.filter(pk=pk).first()

    @rule(cell=st.integers(0, 2), when=st.sampled_from(MONTHS), kind=st.sampled_from(KINDS), offset=OFFSETS)
    def create(self, cell, when, kind, offset):
        organization = Organization.objects.get(pk=self.cells[cell].pk)
        members = list(Member.objects.filter(organization=organization).order_by("pk"))
        data = {
            "kind": kind,
            "period_year": when[0],
            "period_month": when[1],
            "date": _date(*when, offset),
            "start_time": datetime.time(8, 0),
            "end_time": datetime.time(10, 0),
            "location": "Hội trường",
            "topic": "Chuyên đề",
            "content": "Nội dung",
            "conclusion": "Kết luận",
            "vote_for": 0,
            "presiding": members[0] if members else None,
            "minute_taker": members[0] if members else None,
        }
        try:
            meeting = services.meeting_create(organization=organization, data=data, created_by=self.admin)
        except ValidationError:
            return
        self.meetings.append(meeting.pk)

    @precondition(lambda self: self.meetings)
    @rule(index=st.integers(0, 50), when=st.sampled_from(MONTHS), offset=OFFSETS, kind=st.sampled_from(KINDS))
    def edit(self, index, when, offset, kind):
        meeting = self._meeting(index)
        if meeting is None:
            return
        data = {"period_year": when[0], "period_month": when[1], "date": _date(*when, offset), "kind": kind}
        try:
            services.meeting_update(meeting=meeting, data=data, version=meeting.version, updated_by=self.admin)
        except ValidationError:
            pass

    @precondition(lambda self: self.meetings)
    @rule(index=st.integers(0, 50), status=st.sampled_from([Attendance.Status.UNEXCUSED, Attendance.Status.PRESENT]))
    def attendance(self, index, status):
        meeting = self._meeting(index)
        if meeting is None:
            return
        rows = {row.member_id: {"status": status} for row in meeting.attendances.all()[:1]}
        try:
            services.meeting_update(
                meeting=meeting, data={}, attendance=rows, version=meeting.version, updated_by=self.admin
            )
        except ValidationError:
            pass

    @precondition(lambda self: self.meetings)
    @rule(index=st.integers(0, 50))
    def finalise(self, index):
        meeting = self._meeting(index)
        if meeting is None:
            return
        try:
            services.meeting_finalise(meeting=meeting, version=meeting.version, finalised_by=self.admin)
        except ValidationError:
            pass

    @precondition(lambda self: self.meetings)
    @rule(index=st.integers(0, 50))
    def reopen(self, index):
        meeting = self._meeting(index)
        if meeting is None:
            return
        try:
            services.meeting_reopen(meeting=meeting, reason="Sửa biên bản", reopened_by=self.admin)
        except ValidationError:
            pass

    @precondition(lambda self: self.meetings)
    @rule(index=st.integers(0, 50), rating=st.sampled_from(Meeting.Rating.values + [""]))
    def rate(self, index, rating):
        """A rating written on the row (as the score service and the admin do)."""
        meeting = self._meeting(index)
        if meeting is None:
            return
        meeting.rating = rating
        meeting.save(update_fields=["rating"])

    @precondition(lambda self: self.meetings)
    @rule(index=st.integers(0, 50))
    def delete(self, index):
        meeting = self._meeting(index)
        if meeting is None:
            return
        try:
            with transaction.atomic():
                meeting.delete()
        except ProtectedError:  # the meeting stays, and so must its summary
            pass

    @rule(cell=st.integers(0, 2), parent=st.integers(0, 1))
    def move(self, cell, parent):
        try:
            cell_services.organization_move(
                organization=Organization.objects.get(pk=self.cells[cell].pk),
                new_parent=Organization.objects.get(pk=self.parents[parent].pk),
                moved_by=self.admin,
            )
        except ValidationError:
            pass

    @rule(source=st.integers(0, 2), into=st.integers(0, 2), offset=OFFSETS)
    def merge_or_dissolve(self, source, into, offset):
        organization = Organization.objects.get(pk=self.cells[source].pk)
        on = _date(*MONTHS[1], offset)
        try:
            if source == into:
                cell_services.organization_dissolve(
                    organization=organization, dissolved_on=on, reason="Giải thể", dissolved_by=self.admin
                )
            else:
                cell_services.organization_merge(
                    source=organization,
                    target=Organization.objects.get(pk=self.cells[into].pk),
                    merged_on=on,
                    reason="Hợp nhất",
                    merged_by=self.admin,
                )
        except ValidationError:
            pass

    @rule(index=st.integers(0, 10), status=st.sampled_from(STATUSES))
    def member_status(self, index, status):
        members = list(Member.objects.order_by("pk"))
        member = members[index % len(members)]
        try:
            member_services.member_change_status(
                member=member,
                status=status,
                effective_on=TODAY - datetime.timedelta(days=1),
                decision_no="12-QĐ/ĐU",
                reason="Lý do",
                changed_by=self.admin,
            )
        except ValidationError:
            pass

    @invariant()
    def kept_equals_rebuilt(self):
        assert summaries.kept_all() == summaries.rebuilt_all()

    @invariant()
    def kpis_equal_countings(self):
        root = Organization.objects.get(pk=self.parents[0].parent_id)
        cells = Organization.objects.filter(path__startswith=root.path)
        for year in sorted({year for year, _month in MONTHS}):
            months = list(counting.MONTHS)
            assert summaries.totals(cells, year=year, months=months) == counting.totals(cells, year=year, months=months)

    @invariant()
    def cached_figures_equal_fresh_ones(self):
        """The pages' figures come from the cache while the subtree has not changed (cells/figcache.py): after
        every step they must equal figures computed afresh, for the bloc and for each đảng bộ."""
        root = Organization.objects.get(pk=self.parents[0].parent_id)
        for node in (root, *Organization.objects.filter(pk__in=[p.pk for p in self.parents])):
            cells = Organization.objects.filter(path__startswith=node.path, kind__in=Organization.CELL_KINDS)
            for year in sorted({year for year, _month in MONTHS}):
                period = selectors.Period(year=year)
                cached = selectors.kpis(user=self.admin, root=node, period=period)
                fresh = summaries.totals(cells, year=year, months=period.months)
                assert {
                    name: getattr(cached, name) for name in counting.Totals.__dataclass_fields__
                } == dataclasses.asdict(fresh)
                missing = selectors.missing_cells(user=self.admin, root=node, period=period)
                assert missing == selectors._missing_cells(
                    user=self.admin, root=node, period=period, today=datetime.date.today(), limit=None
                )


def test_kept_summaries_equal_a_rebuild_after_any_sequence_of_changes(db):
    run_state_machine_as_test(
        KeptSummaries,
        settings=settings(
            # Each step checks every kept row against a rebuild (~0.4 s): 6 sequences keep CI within its time;
            # CHIBO_FUZZ_EXAMPLES=200 explores further.
            max_examples=int(os.environ.get("CHIBO_FUZZ_EXAMPLES") or 6),
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_a_month_left_by_an_edit_loses_its_summary(world):
    """Moving a draft to another month refreshes both months: the one it left keeps no stale row."""
    when, other = MONTHS[0], MONTHS[1]
    meeting = services.meeting_create(
        organization=world.tree.a1,
        data={
            "kind": Meeting.Kind.REGULAR,
            "period_year": when[0],
            "period_month": when[1],
            "date": _date(*when, 5),
            "start_time": datetime.time(8, 0),
            "end_time": datetime.time(10, 0),
        },
        created_by=world.personas.admin,
    )
    assert CellMonthSummary.objects.filter(organization=world.tree.a1, period_month=when[1]).exists()
    services.meeting_update(
        meeting=meeting,
        data={"period_year": other[0], "period_month": other[1], "date": _date(*other, 5)},
        version=meeting.version,
        updated_by=world.personas.admin,
    )
    kept = CellMonthSummary.objects.get(organization=world.tree.a1)
    assert (kept.period_year, kept.period_month, kept.status, kept.eligible_count) == (other[0], other[1], "NHAP", 3)
    assert summaries.kept_all() == summaries.rebuilt_all()
