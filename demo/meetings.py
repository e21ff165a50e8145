"""Demo data: the cells' meetings (sinh hoạt chi bộ; domain.md §3, rules B1–B9) from January MEETINGS_FROM_YEAR to
the month before today, with attendance, temporary members, minutes and score sheets.

`build_meetings(root=..., seed=...)` reads the tree and the members' history from the database, so it can also log
the meetings of a few cells only (tests) or of a tree seeded with `--no-meetings`. Each cell's meetings draw from a
generator of their own (seed and cell code); `today` only moves dates.
"""

import calendar
import contextlib
import datetime
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from cells import figcache
from cells.models import Organization
from criteria.selectors import parameters_on
from demo.common import Weighted, aware
from demo.names import random_person_name
from demo.rolls import cell_rolls
from meetings import services as meeting_services
from meetings import summaries
from meetings.models import Attendance, Meeting, MeetingScore, TemporaryAttendance
from members.models import Member, Position, Transfer

Kind = Organization.Kind
Status = Member.Status
Gender = Member.Gender

MEETINGS_FROM_YEAR = 2024
# Shares of cells, picked by rank so that a whole tree lands on them: cells that miss 1–3 regular meetings in a
# year (rule B1; the bloc's 2023 figure is 80% of cells with all 12), and cells without a thematic meeting in some
# quarter (rule B2).
CELLS_WITH_GAPS_SHARE = 0.20
GAP_MONTHS = Weighted(((1, 0.55), (2, 0.30), (3, 0.15)))
CELLS_MISSING_THEMATIC_SHARE = 0.15
COMBINED_SHARE = 1 / 3  # the quarter's last regular meeting held together with its thematic one (KET_HOP)
LAST_MONTH_DRAFT_SHARE = 0.45  # the month just ended: drafts still being written
LATE_SHARE = 0.02  # held (or logged) in the first days of the next month
# Attendance: each member has an absence rate around this (≈ 95% present, the bloc's 2023 figure); a few members
# are sometimes absent without reason, and a few cells have someone away for 4–6 months in a row (rule B5).
ABSENCE_RATE = 0.055
UNEXCUSED_MEMBER_SHARE = 0.01
LONG_ABSENCE_CELL_SHARE = 0.03
ABSENCE_REASONS = Weighted((("Đi công tác", 5), ("Ốm", 3), ("Việc gia đình", 2), ("Đi học", 1), ("Nghỉ phép", 1)))
LONG_ABSENCE_REASONS = ("Đi học tập trung", "Ốm, điều trị dài ngày", "Đi công tác dài ngày")
STRUCK_OFF_WINDOW = datetime.timedelta(days=100)  # absent without reason before being struck off
NOT_COUNTED_REASONS = {Status.EXEMPT: "Miễn công tác và sinh hoạt đảng", Status.SUSPENDED: "Đình chỉ sinh hoạt đảng"}
MEETING_DAYS = Weighted(((3, 2), (5, 4), (6, 2), (8, 2), (10, 3), (12, 1), (15, 2), (20, 1), (25, 2), (27, 1)))
START_TIMES = Weighted(
    (
        (datetime.time(7, 30), 1),
        (datetime.time(8, 0), 2),
        (datetime.time(14, 0), 5),
        (datetime.time(14, 30), 3),
        (datetime.time(15, 0), 2),
        (datetime.time(16, 0), 1),
    )
)
REGULAR_MINUTES = Weighted(((90, 3), (95, 2), (100, 3), (105, 2), (110, 2), (120, 4), (130, 2), (135, 1), (150, 1)))
COMBINED_MINUTES = Weighted(((120, 3), (130, 2), (135, 2), (150, 3), (165, 1), (180, 1)))
THEMATIC_MINUTES = Weighted(((90, 2), (100, 2), (105, 1), (120, 3), (135, 1), (150, 1)))

HCM_THEMES = (
    "nêu gương tự học, tự rèn luyện, tu dưỡng đạo đức cách mạng",
    "tinh thần trách nhiệm, kỷ luật, kỷ cương trong thực thi công vụ",
    "thực hành cần, kiệm, liêm, chính, chí công vô tư",
    "thực hành tiết kiệm, chống lãng phí",
    "gần dân, trọng dân, hiểu dân, vì dân",
    "xây dựng khối đoàn kết thống nhất trong cơ quan, đơn vị",
    "phong cách làm việc khoa học, dân chủ, sâu sát thực tế",
)
# (from, until, text): what a cell may have studied that month.
DOCUMENTS = (
    (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
        "Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số 05-CT/TW",
    ),
    (
        datetime.date(2024, 6, 1),
        datetime.date(2025, 6, 30),
        "Quy định số 144-QĐ/TW ngày 09/5/2024 của Bộ Chính trị về chuẩn mực đạo đức cách mạng của cán bộ, "
        "đảng viên trong giai đoạn mới",
    ),
    (
        datetime.date(2024, 7, 1),
        datetime.date(2025, 9, 30),
        "Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu "
        "toàn quốc lần thứ XIV của Đảng",
    ),
    (
        datetime.date(2025, 1, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới "
        "sáng tạo và chuyển đổi số quốc gia",
    ),
    (
        datetime.date(2025, 5, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết số 66-NQ/TW ngày 30/4/2025 của Bộ Chính trị về đổi mới công tác xây dựng và thi hành pháp luật",
    ),
    (
        datetime.date(2025, 5, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết số 68-NQ/TW ngày 04/5/2025 của Bộ Chính trị về phát triển kinh tế tư nhân",
    ),
    (
        datetime.date(2025, 11, 15),
        datetime.date(2026, 12, 31),
        "Hướng dẫn số 42-HD/BTCTW của Ban Tổ chức Trung ương về nâng cao chất lượng sinh hoạt chi bộ",
    ),
    (
        datetime.date(2026, 2, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
    ),
)
THEMATIC_TOPICS = (
    (datetime.date(2024, 1, 1), None),  # None: "Học tập và làm theo …" with one of HCM_THEMES
    (datetime.date(2024, 1, 1), "Phòng, chống tham nhũng, lãng phí, tiêu cực trong cơ quan, đơn vị"),
    (datetime.date(2024, 1, 1), "Phát huy vai trò tiên phong, gương mẫu của cán bộ, đảng viên"),
    (datetime.date(2024, 1, 1), "Thực hiện quy chế dân chủ ở cơ sở; công tác dân vận trong cơ quan, đơn vị"),
    (datetime.date(2024, 6, 1), "Thực hiện Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên"),
    (datetime.date(2025, 1, 1), "Sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả"),
    (
        datetime.date(2025, 2, 1),
        "Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số theo Nghị quyết số 57-NQ/TW",
    ),
    (datetime.date(2025, 12, 1), "Nâng cao chất lượng sinh hoạt chi bộ theo Hướng dẫn số 42-HD/BTCTW"),
)
DISCUSSION_FOCUS = (
    "giải pháp hoàn thành các chỉ tiêu chuyên môn",
    "cải cách hành chính và chuyển đổi số trong đơn vị",
    "thực hành tiết kiệm, chống lãng phí",
    "công tác phát triển đảng viên",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "tâm tư, nguyện vọng của người lao động",
)


@dataclass
class MeetingStats:
    meetings: int = 0
    final: int = 0
    attendance: int = 0
    temporary_attendance: int = 0
    scores: int = 0


def meeting_months(today: datetime.date) -> list[tuple[int, int]]:
    """The months demo meetings cover: from January MEETINGS_FROM_YEAR to the month before `today`."""
    months = []
    year, month = MEETINGS_FROM_YEAR, 1
    while (year, month) < (today.year, today.month):
        months.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def _ranked_codes(codes: list[str], seed: int, salt: str, share: float) -> set[str]:
    """round(share × n) of the codes, picked by a per-code draw: the same codes whichever subset is built."""
    draws = sorted((random.Random(f"{seed}:{code}:{salt}").random(), code) for code in codes)
    return {code for _draw, code in draws[: round(share * len(codes))]}


def _month_label(year: int, month: int) -> str:
    return f"{month}/{year}"


def _shift_weekday(day: datetime.date, *, first: datetime.date, last: datetime.date) -> datetime.date:
    """Move a weekend day to the Friday before (or the Monday after) within [first, last]."""
    if day.weekday() < 5:
        return day
    before = day - datetime.timedelta(days=day.weekday() - 4)
    if before >= first:
        return before
    after = day + datetime.timedelta(days=7 - day.weekday())
    return after if after <= last else day


class _Counts:
    """What meetings.services.attendance_counts reads from a meeting, for one not saved yet."""

    def __init__(self, temporary):
        self.temporary_attendances = SimpleNamespace(all=lambda: temporary)


class _MeetingBuilder:
    """Writes the meetings of a tree's cells, a few cells at a time. Each cell draws from its own generator
    (seed and code), so a cell's meetings do not depend on which other cells are built, nor in what order."""

    def __init__(self, *, root: Organization, seed: int, today: datetime.date, batch_size: int):
        self.root, self.seed, self.today, self.batch_size = root, seed, today, batch_size
        self.months = meeting_months(today)
        self.last_month = self.months[-1] if self.months else None
        self.organizations = {o.pk: o for o in Organization.objects.filter(path__startswith=root.path)}
        self.all_cells = sorted(
            (o for o in self.organizations.values() if o.is_cell and o.is_active), key=lambda o: o.code
        )
        codes = [cell.code for cell in self.all_cells]
        years = sorted({year for year, _month in self.months})
        self.gap_cells = {year: _ranked_codes(codes, seed, f"{year}:gaps", CELLS_WITH_GAPS_SHARE) for year in years}
        self.thematic_gap_cells = {
            year: _ranked_codes(codes, seed, f"{year}:thematic", CELLS_MISSING_THEMATIC_SHARE) for year in years
        }
        self.rolls = cell_rolls(root)
        self.temporary = defaultdict(list)
        for transfer_id, cell_id, decided_on, ended_on in (
            Transfer.objects.filter(kind=Transfer.Kind.TEMPORARY, to_organization__path__startswith=root.path)
            .order_by("pk")
            .values_list("pk", "to_organization_id", "decided_on", "ended_on")
        ):
            self.temporary[cell_id].append((transfer_id, decided_on, ended_on))
        self.seats = defaultdict(dict)
        for cell_id, role, member_id in (
            Position.objects.filter(organization__path__startswith=root.path, ended_on__isnull=True)
            .filter(role__in=(Position.Role.SECRETARY, Position.Role.DEPUTY_SECRETARY))
            .order_by("pk")
            .values_list("organization_id", "role", "member_id")
        ):
            self.seats[cell_id].setdefault(role, member_id)
        self._templates: dict[datetime.date, object] = {}
        self._items: dict[int, list] = {}
        self._parameters: dict[datetime.date, object] = {}
        self._members: dict[int, Member] = {}
        self.stats = MeetingStats()
        self.pending: list[tuple[Meeting, list, list, list]] = []

    # Lookups, cached: a few hundred distinct dates.

    def template_on(self, day: datetime.date):
        if day not in self._templates:
            template = meeting_services.score_template_on(day)
            if template is not None and template.pk not in self._items:
                self._items[template.pk] = list(template.items.order_by("order", "pk"))
            self._templates[day] = template
        return self._templates[day]

    def parameters_on(self, day: datetime.date | None = None):
        day = day or self.today
        if day not in self._parameters:
            self._parameters[day] = parameters_on(day)
        return self._parameters[day]

    def member(self, member_id: int) -> Member:
        """A stand-in carrying only the key, so that presiding / minute_taker read without a query."""
        if member_id not in self._members:
            self._members[member_id] = Member(pk=member_id)
        return self._members[member_id]

    def upper_attendee(self, cell: Organization) -> str:
        grassroots = cell
        while grassroots.kind not in Organization.GRASSROOTS_KINDS and grassroots.parent_id in self.organizations:
            grassroots = self.organizations[grassroots.parent_id]
        rng = random.Random(f"{self.seed}:{grassroots.code}:upper")
        name = random_person_name(rng, Gender.FEMALE if rng.random() < 0.4 else Gender.MALE)
        if grassroots.kind == Kind.GRASSROOTS_CELL:
            return f"{name}, Ủy viên Ban Chấp hành Đảng bộ Khối"
        return f"{name}, Đảng ủy viên, phụ trách chi bộ"

    def host_name(self, cell: Organization) -> str:
        node = cell
        while node.kind not in Organization.GRASSROOTS_KINDS and node.parent_id in self.organizations:
            node = self.organizations[node.parent_id]
        return node.host_unit_name or node.name

    # Writing

    def build(self, cells: list[Organization]) -> MeetingStats:
        for cell in cells:
            self.plan_cell(cell)
            if len(self.pending) >= 1500:
                self.flush()
        self.flush()
        summaries.rebuild_all()  # the bulk inserts bypass the meeting saves that keep the month summaries
        figcache.touch_tree()
        return self.stats

    def flush(self) -> None:
        if not self.pending:
            return
        for meeting, rows, *_rest in self.pending:  # the totals the meeting services keep (KPIs read them)
            meeting.present_count = sum(1 for row in rows if row.status == Attendance.Status.PRESENT)
            meeting.eligible_count = sum(1 for row in rows if row.status not in Attendance.NOT_COUNTED)
        Meeting.objects.bulk_create([meeting for meeting, *_rows in self.pending], batch_size=self.batch_size)
        attendance, temporary, scores = [], [], []
        for meeting, rows, temporary_rows, score_rows in self.pending:
            for row in itertools.chain(rows, temporary_rows, score_rows):
                row.meeting_id = meeting.pk
            attendance += rows
            temporary += temporary_rows
            scores += score_rows
        Attendance.objects.bulk_create(attendance, batch_size=self.batch_size)
        TemporaryAttendance.objects.bulk_create(temporary, batch_size=self.batch_size)
        MeetingScore.objects.bulk_create(scores, batch_size=self.batch_size)
        self.stats.meetings += len(self.pending)
        self.stats.final += sum(1 for meeting, *_rows in self.pending if meeting.is_final)
        self.stats.attendance += len(attendance)
        self.stats.temporary_attendance += len(temporary)
        self.stats.scores += len(scores)
        self.pending = []

    # One cell

    def plan_cell(self, cell: Organization) -> None:
        rng = random.Random(f"{self.seed}:{cell.code}")
        roll = self.rolls.get(cell.pk, [])
        host = self.host_name(cell)
        unit = cell.name.removeprefix("Chi bộ ").split(" (S")[0]
        style = SimpleNamespace(
            day=MEETING_DAYS.draw(rng),
            start=START_TIMES.draw(rng),
            location=rng.choice(
                (
                    f"Phòng họp {host}",
                    f"Phòng họp tầng {rng.randint(2, 5)}, {host}",
                    f"Phòng làm việc {unit}" if cell.kind == Kind.CELL else f"Hội trường {host}",
                )
            ),
            hall=f"Hội trường {host}",
            quality=rng.triangular(0.55, 1.0, 0.9),
            documents=rng.uniform(0.75, 0.98),
            upper_attendee=self.upper_attendee(cell),
            # Members' habits, by their place in the roll.
            absence={entry.member_id: min(0.5, ABSENCE_RATE * rng.expovariate(1.0)) for entry in roll},
            unexcused={entry.member_id for entry in roll if rng.random() < UNEXCUSED_MEMBER_SHARE},
            minute_takers=[
                entry.member_id
                for entry in sorted(roll, key=lambda e: e.date_of_birth or datetime.date.min, reverse=True)
            ][:3],
            long_absence=None,
        )
        seats = self.seats.get(cell.pk, {})
        style.secretary = seats.get(Position.Role.SECRETARY)
        style.deputy = seats.get(Position.Role.DEPUTY_SECRETARY)
        style.minute_takers = [m for m in style.minute_takers if m not in (style.secretary, style.deputy)]
        if rng.random() < LONG_ABSENCE_CELL_SHARE:
            year_start, year_end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
            candidates = [
                entry.member_id
                for entry in roll
                if entry.member_id not in (style.secretary, style.deputy, *style.minute_takers[:1])
                and entry.status_on(year_start) in (Status.FULL, Status.PROBATIONARY)
                and entry.status_on(year_end) in (Status.FULL, Status.PROBATIONARY)
            ]
            if candidates:
                first = rng.randint(1, 8)
                style.long_absence = (
                    rng.choice(candidates),
                    {(2025, month) for month in range(first, first + rng.randint(4, 6))},
                    rng.choice(LONG_ABSENCE_REASONS),
                )

        founded = (cell.founded_on.year, cell.founded_on.month) if cell.founded_on else (0, 0)
        by_year = defaultdict(list)
        for year, month in self.months:
            if (year, month) >= founded:
                by_year[year].append(month)
        for year, months in by_year.items():
            gaps = set()
            if cell.code in self.gap_cells[year]:
                count = GAP_MONTHS.draw(rng)
                gaps = set(rng.sample(months, min(count, len(months))))
            quarters = sorted({(month - 1) // 3 + 1 for month in months})
            missed = set()
            if cell.code in self.thematic_gap_cells[year]:
                missed = set(rng.sample(quarters, min(1 if rng.random() < 0.8 else 2, len(quarters))))
            combined, thematic = set(), {}
            for quarter in quarters:
                last = 3 * quarter
                quarter_months = [m for m in (last - 2, last - 1, last) if m in months]
                if quarter in missed:
                    continue
                if last in months and last not in gaps and rng.random() < COMBINED_SHARE:
                    combined.add(last)
                    continue
                month = rng.choice((last - 2, last - 1, last))
                if month in quarter_months:
                    thematic[month] = self.thematic_topic(rng, datetime.date(year, month, 1))
            for month in months:
                regular_day = None
                if month not in gaps:
                    kind = Meeting.Kind.COMBINED if month in combined else Meeting.Kind.REGULAR
                    topic = self.thematic_topic(rng, datetime.date(year, month, 1)) if month in combined else ""
                    regular_day = self.add_meeting(rng, cell, style, roll, kind, year, month, topic=topic)
                if month in thematic:
                    self.add_meeting(
                        rng,
                        cell,
                        style,
                        roll,
                        Meeting.Kind.THEMATIC,
                        year,
                        month,
                        topic=thematic[month],
                        avoid=regular_day,
                    )

    def thematic_topic(self, rng: random.Random, day: datetime.date) -> str:
        topics = [topic for since, topic in THEMATIC_TOPICS if since <= day]
        topic = rng.choice(topics)
        if topic is None:
            return f"Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về {rng.choice(HCM_THEMES)}"
        return topic

    def meeting_date(self, rng, style, year, month, *, thematic: bool, avoid) -> datetime.date:
        first = datetime.date(year, month, 1)
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        if thematic:
            day = first + datetime.timedelta(days=rng.randint(7, 24))
        else:
            day = first + datetime.timedelta(days=min(last.day, max(1, style.day + rng.randint(-3, 3))) - 1)
        day = _shift_weekday(day, first=first, last=last)
        if day == avoid:
            day = _shift_weekday(day + datetime.timedelta(days=2), first=first, last=last)
        late = rng.random() < LATE_SHARE
        if late:
            late_day = last + datetime.timedelta(days=rng.randint(1, 7))
            late_day = _shift_weekday(late_day, first=last, last=late_day + datetime.timedelta(days=3))
            if late_day < self.today:
                day = late_day
        return min(day, self.today - datetime.timedelta(days=1))

    def add_meeting(self, rng, cell, style, roll, kind, year, month, *, topic="", avoid=None) -> datetime.date:
        thematic = kind == Meeting.Kind.THEMATIC
        day = self.meeting_date(rng, style, year, month, thematic=thematic, avoid=avoid)
        final = (year, month) != self.last_month or rng.random() >= LAST_MONTH_DRAFT_SHARE
        complete = final or rng.random() < 0.5
        parameters = self.parameters_on(day)
        required = parameters[
            "min_combined_meeting_minutes" if kind == Meeting.Kind.COMBINED else "min_meeting_minutes"
        ]
        minutes = {
            Meeting.Kind.REGULAR: REGULAR_MINUTES,
            Meeting.Kind.COMBINED: COMBINED_MINUTES,
            Meeting.Kind.THEMATIC: THEMATIC_MINUTES,
        }[kind].draw(rng)
        if final:
            minutes = max(minutes, required)  # the demo's finalised meetings last the minimum of rule B3
        elif rng.random() < 0.25:
            minutes = required - rng.choice((10, 15, 20, 30))  # a short draft: B3 warns, D7 lets it be finalised
        start = style.start
        end = (datetime.datetime.combine(day, start) + datetime.timedelta(minutes=minutes)).time()

        on_roll = [(entry, status) for entry in roll if (status := entry.status_on(day)) is not None]
        counted = [entry.member_id for entry, status in on_roll if status not in NOT_COUNTED_REASONS]
        full_members = [entry for entry, status in on_roll if status == Status.FULL]
        presiding = next(
            (m for m in (style.secretary, style.deputy) if m in {e.member_id for e in full_members}),
            min(full_members, key=lambda e: e.date_of_birth or datetime.date.min).member_id if full_members else None,
        )
        long_member, long_months, long_reason = style.long_absence or (None, (), "")
        away = {long_member} if (year, month) in long_months else set()
        away |= {e.member_id for e, _s in on_roll if e.struck_off_on and e.struck_off_on - STRUCK_OFF_WINDOW <= day}
        available = [m for m in counted if m not in away and m != presiding]
        minute_taker = next(
            (m for m in style.minute_takers if m in available), available[0] if available else presiding
        )

        rows = []
        for entry, status in on_roll:
            member_id = entry.member_id
            reason, spoke = "", False
            if status in NOT_COUNTED_REASONS:
                attendance, reason = Attendance.Status.EXEMPT, NOT_COUNTED_REASONS[status]
            elif member_id in (presiding, minute_taker):
                attendance, spoke = Attendance.Status.PRESENT, member_id == presiding
            elif member_id == long_member and member_id in away:
                attendance, reason = Attendance.Status.EXCUSED, long_reason
            elif member_id in away:  # about to be struck off for not attending
                attendance = Attendance.Status.UNEXCUSED
            elif rng.random() < style.absence[member_id]:
                if member_id in style.unexcused and rng.random() < 0.6:
                    attendance = Attendance.Status.UNEXCUSED
                else:
                    attendance, reason = Attendance.Status.EXCUSED, ABSENCE_REASONS.draw(rng)
            else:
                attendance, spoke = Attendance.Status.PRESENT, rng.random() < 0.3
            rows.append(
                Attendance(member_id=member_id, status=attendance, reason=reason, member_status=status, spoke=spoke)
            )
        temporary_rows = [
            TemporaryAttendance(transfer_id=transfer_id, present=rng.random() < 0.9)
            for transfer_id, decided_on, ended_on in self.temporary.get(cell.pk, [])
            if decided_on <= day and (ended_on is None or ended_on >= day)
        ]
        counts = meeting_services.attendance_counts(_Counts(temporary_rows), rows)

        meeting = Meeting(
            organization_id=cell.pk,
            kind=kind,
            period_year=year,
            period_month=month,
            date=day,
            start_time=start,
            end_time=end,
            location=style.hall if thematic and rng.random() < 0.4 else style.location,
            format=Meeting.Format.HYBRID if rng.random() < 0.04 else Meeting.Format.IN_PERSON,
            presiding=self.member(presiding) if presiding else None,
            minute_taker=self.member(minute_taker) if minute_taker else None,
            upper_attendee=style.upper_attendee if rng.random() < 0.12 else "",
            topic=topic,
            pre_meeting_on=day - datetime.timedelta(days=rng.randint(1, 7)) if rng.random() < 0.93 else None,
            status=Meeting.Status.FINAL if final else Meeting.Status.DRAFT,
            version=1,
        )
        documents = rng.random()
        if documents < style.documents:
            sent_on = day - datetime.timedelta(days=rng.randint(1, 4))
            meeting.documents_sent_on = max(sent_on, meeting.pre_meeting_on or sent_on)  # after the chi ủy agreed
        elif documents < (1 + style.documents) / 2:
            meeting.documents_sent_on = day  # the same day: too late for rule B8
        speakers = sum(row.spoke for row in rows)
        self.write_minutes(rng, meeting, counts, speakers, complete=complete)
        meeting.score_template = self.template_on(day)

        score_rows = []
        if final:
            meeting.finalised_at = aware(
                min(day + datetime.timedelta(days=rng.randint(0, 3)), self.today - datetime.timedelta(days=1)), 16, 30
            )
            if meeting.score_template is not None:
                score_rows = self.score(rng, meeting, counts, style)
        self.pending.append((meeting, rows, temporary_rows, score_rows))
        return day

    def write_minutes(self, rng, meeting: Meeting, counts, speakers: int, *, complete: bool) -> None:
        year, month, day = meeting.period_year, meeting.period_month, meeting.date
        if day.day <= 15 and day.month == month:
            review = (year, month - 1) if month > 1 else (year - 1, 12)
            plan = (year, month)
        else:
            review = (year, month)
            plan = (year, month + 1) if month < 12 else (year + 1, 1)
        review_label, plan_label = _month_label(*review), _month_label(*plan)
        documents = [text for since, until, text in DOCUMENTS if since <= day <= until]
        if meeting.kind == Meeting.Kind.THEMATIC:
            content = [
                f"Sinh hoạt chuyên đề: {meeting.topic}.",
                "Đồng chí bí thư chi bộ trình bày chuyên đề; đảng viên thảo luận, liên hệ với nhiệm vụ của chi bộ và của "
                "bản thân.",
            ]
            conclusion = (
                "Chi bộ thống nhất các giải pháp thực hiện chuyên đề; mỗi đảng viên đăng ký nội dung làm theo, chi ủy "
                "theo dõi, đánh giá kết quả hằng quý."
            )
        else:
            content = [
                "Thông tin thời sự, tình hình trong nước, quốc tế và của tỉnh; phổ biến văn bản mới của cấp trên.",
                f"Đánh giá kết quả thực hiện nhiệm vụ tháng {review_label}, phương hướng tháng {plan_label}.",
            ]
            if documents and rng.random() < 0.5:
                content.append(f"Quán triệt {rng.choice(documents)}.")
            content.append(f"Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh: {rng.choice(HCM_THEMES)}.")
            if meeting.kind == Meeting.Kind.COMBINED:
                content.append(f"Sinh hoạt chuyên đề: {meeting.topic}.")
            conclusion = (
                f"Chi bộ thống nhất đánh giá kết quả tháng {review_label}; đề ra {rng.randint(3, 6)} nhiệm vụ trọng "
                f"tâm tháng {plan_label}, phân công đảng viên phụ trách từng nội dung."
            )
        meeting.content = "\n".join(f"{n}. {line}" for n, line in enumerate(content, start=1))
        if not complete:
            return  # a draft still being written: no discussion, conclusion or vote yet
        meeting.discussion = f"Có {speakers} lượt ý kiến phát biểu, tập trung vào {rng.choice(DISCUSSION_FOCUS)}."
        meeting.conclusion = conclusion
        voters = counts.present_full  # only full members present vote (rule B7)
        abstain = 1 if voters >= 6 and rng.random() < 0.05 else 0
        meeting.vote_for, meeting.vote_against, meeting.vote_abstain = voters - abstain, 0, abstain

    def score(self, rng, meeting: Meeting, counts, style) -> list[MeetingScore]:
        """The score sheet as meetings.services.meeting_score fills it: automatic items from the log,
        the others near their maximum (better in better cells)."""
        automatic = meeting_services.automatic_points(meeting, counts)
        rows, total, top_blocked = [], Decimal(0), False
        for item in self._items[meeting.score_template.pk]:
            if item.auto_key:
                points = item.max_points if automatic.get(item.auto_key) else Decimal(0)
            elif rng.random() < 0.45 + 0.5 * style.quality:
                points = item.max_points
            else:
                steps = int(item.max_points * 2 * 3 / 10)  # lose at most 30%, in half points
                points = item.max_points - Decimal(rng.randint(1, max(1, steps))) / 2
            if item.required_for_top and points < item.max_points:
                top_blocked = True
            total += points
            rows.append(MeetingScore(item_id=item.pk, points=points, automatic=bool(item.auto_key)))
        meeting.score = total
        meeting.rating = meeting_services.rating_for(meeting.score_template, total, top_blocked)
        return rows


def build_meetings(
    *,
    root: Organization,
    seed: int,
    today: datetime.date | None = None,
    cells: list[str] | None = None,
    batch_size: int = 5000,
) -> MeetingStats:
    """Log the meetings of the cells under `root` (or only the cells whose codes are in `cells`) from January
    MEETINGS_FROM_YEAR to the month before `today`, with attendance, temporary members and scores.

    Reads the tree, members, status changes, transfers and committee seats from the database, so it works on any
    tree that has no meetings yet. Same seed, same date, same rows.
    """
    today = today or timezone.localdate()
    builder = _MeetingBuilder(root=root, seed=seed, today=today, batch_size=batch_size)
    chosen = builder.all_cells if cells is None else [cell for cell in builder.all_cells if cell.code in set(cells)]
    if not builder.months:
        return builder.stats
    with _parameters_cached(builder):
        return builder.build(chosen)


@contextlib.contextmanager
def _parameters_cached(builder: _MeetingBuilder):
    """Let meetings.services read the rule parameters through the builder's cache while it scores.

    The scoring functions are the real ones (automatic_points, rating_for), but each reads the parameter set in
    force on the meeting date with a query, two or three per meeting: 35,000 queries for the default seed. The
    parameters do not change while the seed runs, so the same values come from memory. Put back on exit.
    """
    original = meeting_services.parameters_on
    meeting_services.parameters_on = builder.parameters_on
    try:
        yield
    finally:
        meeting_services.parameters_on = original
