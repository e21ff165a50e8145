"""Demo data: the members' history (domain.md §2; rules B18, B20), one copy of the grassroots level at a time:
recognitions as full members, exemptions, suspensions, transfers out of the tree, deaths and departures, official
transfers between cells, members from outside attending a cell for a while, and probations due or overdue."""

import datetime
import random

from cells.holidays.seed import seeded_calendar
from cells.models import Organization
from demo.common import add_months, add_years, aware, day_between
from demo.hosts import CIVIL_SERVICE_TYPES, DEFAULT_FEMALE_SHARE
from demo.names import random_person_name
from demo.plan import CellInfo, DemoPlan
from members.models import Member, StatusChange, Transfer

Kind = Organization.Kind
Status = Member.Status
# B20 deadlines count working days on the shipped holiday calendar: the planner runs no query (demo/build.py).
add_working_days = seeded_calendar().add_working_days
Gender = Member.Gender


# Per copy of the grassroots level.
SUSPENDED_PER_COPY = 4
TRANSFERRED_OUT_PER_COPY = 6
DECEASED_PER_COPY = 3
LEFT_PARTY_PER_COPY = 2
MOVES_PER_COPY = 20  # official transfers between two cells of the tree
OVERDUE_MOVES_PER_COPY = 2  # letter never presented, the 60 working days are over (rule B20)
LATE_LETTER_MOVES_PER_COPY = 1  # letter presented after its 30 working days (rule B20)
TEMPORARY_PER_COPY = 15  # members from outside the tree attending a cell for a while (sinh hoạt tạm thời)
PROBATION_DUE_SOON_PER_COPY = 4  # probationary members whose 12 months end within the alert window (rule B18)
PROBATION_OVERDUE_PER_COPY = 3  # ... or have ended with no decision yet
EVENTS_FROM = datetime.date(2025, 1, 1)  # transfers and departures happen from here to today

RECOGNITION_REASON = "Công nhận đảng viên chính thức"
# (reason, lasts at most 12 months)
EXEMPTION_REASONS = (
    ("Sức khỏe yếu, điều trị bệnh dài ngày; chi bộ đồng ý miễn công tác và sinh hoạt đảng", True),
    ("Sức khỏe yếu, tự nguyện xin miễn công tác và sinh hoạt đảng", False),
)
SUSPENSION_REASONS = (
    "Đình chỉ sinh hoạt đảng để xem xét, xử lý kỷ luật",
    "Đình chỉ sinh hoạt đảng trong thời gian bị khởi tố, điều tra",
)
DEATH_REASON = "Từ trần"
STRUCK_OFF_REASON = "Xóa tên trong danh sách đảng viên: bỏ sinh hoạt đảng 3 tháng trong năm không có lý do chính đáng"
LEAVING_REASONS = (STRUCK_OFF_REASON, "Tự nguyện xin ra khỏi Đảng; cấp ủy quyết định xóa tên trong danh sách đảng viên")
RETIREMENT_REASON = "Nghỉ hưu, chuyển sinh hoạt đảng về nơi cư trú"
TRANSFER_OUT_REASONS = ("Chuyển công tác ra ngoài Đảng bộ Khối", "Thôi việc, chuyển về địa phương")
MOVE_REASONS = ("Điều động công tác", "Luân chuyển cán bộ", "Chuyển công tác theo nguyện vọng")
# Communes and their districts (the districts were abolished on 1 July 2025: later texts name the commune only).
COMMUNES = (
    ("Minh Quán", "Trấn Yên"),
    ("Báo Đáp", "Trấn Yên"),
    ("Việt Thành", "Trấn Yên"),
    ("Đông Cuông", "Văn Yên"),
    ("Mậu Đông", "Văn Yên"),
    ("An Thịnh", "Văn Yên"),
    ("Cảm Nhân", "Yên Bình"),
    ("Phúc An", "Yên Bình"),
    ("Vĩnh Kiên", "Yên Bình"),
    ("Tân Lĩnh", "Lục Yên"),
    ("Cát Thịnh", "Văn Chấn"),
    ("Sơn Thịnh", "Văn Chấn"),
    ("Chấn Thịnh", "Văn Chấn"),
)
DISTRICTS_ABOLISHED_ON = datetime.date(2025, 7, 1)
OUTSIDE_UNITS = ("Trường Trung học cơ sở", "Trường Tiểu học", "Trạm Y tế", "Ủy ban nhân dân xã")
OUTSIDE_COMMITTEES = (
    "Đảng bộ Sở Y tế tỉnh Phú Thọ",
    "Đảng bộ Sở Giáo dục và Đào tạo tỉnh Tuyên Quang",
    "Đảng bộ Trường Đại học Nông Lâm, Đại học Thái Nguyên",
    "Đảng bộ Công ty Điện lực Tuyên Quang",
    "Đảng bộ Bệnh viện Đa khoa khu vực Nghĩa Lộ",
)
# (reason, months the stay lasts, for full-time study): rule B20 allows under a year for work, two for study.
TEMPORARY_REASONS = (
    ("Biệt phái công tác có thời hạn", (9, 11), False),
    ("Tăng cường, hỗ trợ chuyên môn có thời hạn", (9, 11), False),
    ("Học tập trung lớp trung cấp lý luận chính trị - hành chính", (8, 10), True),
    ("Học tập trung nâng cao trình độ chuyên môn", (12, 24), True),
)


def _decision_no(rng: random.Random, cell: Organization, *, upper: bool = False) -> str:
    """A decision number of the grassroots committee ("…-QĐ/ĐU"), or of the bloc committee for a chi bộ cơ sở or
    a move that leaves the đảng bộ cơ sở ("…-QĐ/ĐUK")."""
    issuer = "ĐUK" if upper or cell.kind == Kind.GRASSROOTS_CELL else "ĐU"
    return f"{rng.randint(12, 480)}-QĐ/{issuer}"


def _commune_text(rng: random.Random, day: datetime.date, *, prefix: str = "Đảng bộ") -> str:
    commune, district = rng.choice(COMMUNES)
    if day < DISTRICTS_ABOLISHED_ON:
        return f"{prefix} xã {commune}, huyện {district}"
    return f"{prefix} xã {commune}"


def _grassroots_of(cell: Organization) -> Organization:
    node = cell
    while node.kind not in Organization.GRASSROOTS_KINDS and node.parent is not None:
        node = node.parent
    return node


def plan_member_events(rng: random.Random, plan: DemoPlan, cells: list[CellInfo], *, today: datetime.date) -> None:
    """One copy's member history, added to `plan`: a StatusChange for each full member's recognition and each
    exemption; a few suspended members, transfers out of the tree, deaths and departures (those members stay in
    their cell with that status); official transfers between cells (the member moves; a few late per rule B20);
    members from outside attending temporarily; a few probationary members due or overdue (rule B18).

    Who is picked depends on the seed only, never on `today` (which only moves the dates). Cells of the demo
    accounts and weak cells are left alone, and no cell crosses the 3 and 9 full-member lines of rule B19.
    """
    pick_rng, date_rng, text_rng = (random.Random(rng.getrandbits(64)) for _i in range(3))
    seated = {id(p.member) for p in plan.positions}
    accounts = {id(m) for m in (plan.secretary_member, plan.ordinary_member, plan.outsider_member) if m is not None}
    by_code = {info.organization.code: info for info in cells}
    open_cells = [info for info in cells if info.organization.code not in plan.weak_codes | plan.protected_codes]
    size = {code: len(plan.members_by_cell[code]) for code in by_code}
    full = {code: sum(m.status == Status.FULL for m in plan.members_by_cell[code]) for code in by_code}
    pool = [
        (info, member)
        for info in open_cells
        for member in plan.members_by_cell[info.organization.code]
        if member.status == Status.FULL and id(member) not in seated and id(member) not in accounts
    ]
    older = sorted(pool, key=lambda pair: pair[1].date_of_birth)[: len(pool) // 3]
    touched: set[int] = set()

    def can_lose_full(code: str) -> bool:
        return full[code] >= 4 and full[code] != 9

    def pick(candidates, accept=lambda info, member: True):
        for _attempt in range(500):
            info, member = candidates[pick_rng.randrange(len(candidates))]
            if id(member) not in touched and accept(info, member):
                touched.add(id(member))
                return info, member
        raise ValueError("Too few members to plan the demo's member history")

    # Official transfers between cells: the member moves on the decision date (members.services.transfer_official).
    moved: dict[int, tuple[Organization, datetime.date]] = {}
    for number in range(MOVES_PER_COPY):
        source, member = pick(
            pool, lambda info, m: size[info.organization.code] >= 7 and can_lose_full(info.organization.code)
        )
        targets = [
            info
            for info in open_cells
            if info is not source and size[info.organization.code] < 30 and full[info.organization.code] != 8
        ]
        same_profile = [info for info in targets if info.profile == source.profile]
        target = pick_rng.choice(same_profile or targets)
        source_code, target_code = source.organization.code, target.organization.code
        size[source_code] -= 1
        full[source_code] -= 1
        size[target_code] += 1
        full[target_code] += 1
        plan.members_by_cell[source_code].remove(member)
        plan.members_by_cell[target_code].append(member)
        if number < OVERDUE_MOVES_PER_COPY:
            decided_on = day_between(
                date_rng, today - datetime.timedelta(days=200), today - datetime.timedelta(days=95)
            )
            issued_on = decided_on + datetime.timedelta(days=date_rng.randint(1, 5))
            presented_on = None
        elif number < OVERDUE_MOVES_PER_COPY + LATE_LETTER_MOVES_PER_COPY:
            decided_on = day_between(date_rng, EVENTS_FROM, today - datetime.timedelta(days=130))
            issued_on = decided_on + datetime.timedelta(days=date_rng.randint(1, 5))
            presented_on = add_working_days(issued_on, date_rng.randint(34, 45))
        else:
            decided_on = day_between(date_rng, EVENTS_FROM, today - datetime.timedelta(days=7))
            issued_on = min(today, decided_on + datetime.timedelta(days=date_rng.randint(0, 6)))
            presented_on = add_working_days(issued_on, date_rng.randint(2, 20))
            if presented_on > today:
                presented_on = None
        leaves_committee = _grassroots_of(source.organization) is not _grassroots_of(target.organization)
        plan.transfers.append(
            Transfer(
                kind=Transfer.Kind.OFFICIAL,
                member=member,
                from_organization=source.organization,
                to_organization=target.organization,
                decided_on=decided_on,
                decision_no=_decision_no(text_rng, source.organization, upper=leaves_committee),
                letter_issued_on=issued_on,
                letter_presented_on=presented_on,
                completed_on=presented_on,
                reason=text_rng.choice(MOVE_REASONS),
                recorded_at=aware(decided_on),
            )
        )
        moved[id(member)] = (source.organization, decided_on)
        member.organization = target.organization
        member.workplace = target.workplace
        member.is_civil_servant = target.organization.unit_type in CIVIL_SERVICE_TYPES

    def cell_on(member: Member, day: datetime.date) -> Organization:
        source, decided_on = moved.get(id(member), (None, None))
        return source if source is not None and day < decided_on else member.organization

    # Recognition as a full member, for everyone who has been recognised.
    for info in cells:
        for member in plan.members_by_cell[info.organization.code]:
            if member.official_on is None:
                continue
            cell = cell_on(member, member.official_on)
            plan.status_changes.append(
                StatusChange(
                    member=member,
                    previous_status=Status.PROBATIONARY,
                    status=Status.FULL,
                    effective_on=member.official_on,
                    decision_no=_decision_no(text_rng, cell),
                    reason=RECOGNITION_REASON,
                    organization=cell,
                    recorded_at=aware(member.official_on),
                )
            )

    def change(member, status, effective_on, *, reason, decision_no="", ends_on=None):
        plan.status_changes.append(
            StatusChange(
                member=member,
                previous_status=member.status,
                status=status,
                effective_on=effective_on,
                ends_on=ends_on,
                decision_no=decision_no,
                reason=reason,
                organization=member.organization,
                recorded_at=aware(effective_on, 10),
            )
        )
        member.status = status

    def after_recognition(member: Member, day: datetime.date) -> datetime.date:
        return max(day, member.official_on + datetime.timedelta(days=30))

    # Exempt members (planned with that status): the chi bộ's decision and its reason.
    for info in cells:
        for member in plan.members_by_cell[info.organization.code]:
            if member.status != Status.EXEMPT:
                continue
            reason, limited = EXEMPTION_REASONS[text_rng.random() < 0.5]
            if limited:
                effective_on = day_between(
                    date_rng, today - datetime.timedelta(days=330), today - datetime.timedelta(days=20)
                )
            else:
                effective_on = day_between(date_rng, datetime.date(2021, 1, 1), today - datetime.timedelta(days=20))
            effective_on = after_recognition(member, effective_on)
            member.status = Status.FULL  # what it was before the change
            change(
                member,
                Status.EXEMPT,
                effective_on,
                reason=reason,
                decision_no=_decision_no(text_rng, info.organization),
                ends_on=add_years(effective_on, 1) if limited else None,
            )

    # Off the roll, staying in their cell with that status: transfers out of the tree, deaths, departures.
    for number in range(TRANSFERRED_OUT_PER_COPY):
        retiring = number % 2 == 0
        info, member = pick(older if retiring else pool, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        decided_on = after_recognition(member, day_between(date_rng, EVENTS_FROM, today - datetime.timedelta(days=10)))
        issued_on = min(today, decided_on + datetime.timedelta(days=date_rng.randint(1, 7)))
        presented_on = add_working_days(issued_on, date_rng.randint(3, 20))  # the receiving committee confirms
        to_text = _commune_text(text_rng, decided_on)
        decision_no = _decision_no(text_rng, info.organization, upper=True)
        plan.transfers.append(
            Transfer(
                kind=Transfer.Kind.OFFICIAL,
                member=member,
                from_organization=info.organization,
                to_text=to_text,
                decided_on=decided_on,
                decision_no=decision_no,
                letter_issued_on=issued_on,
                letter_presented_on=presented_on if presented_on <= today else None,
                completed_on=issued_on,
                reason=RETIREMENT_REASON if retiring else text_rng.choice(TRANSFER_OUT_REASONS),
                recorded_at=aware(decided_on),
            )
        )
        change(
            member,
            Status.TRANSFERRED_OUT,
            decided_on,
            reason=f"Chuyển sinh hoạt đến {to_text}",
            decision_no=decision_no,
        )
    for _number in range(DECEASED_PER_COPY):
        info, member = pick(older, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        effective_on = after_recognition(
            member, day_between(date_rng, datetime.date(2024, 3, 1), today - datetime.timedelta(days=10))
        )
        change(member, Status.DECEASED, effective_on, reason=DEATH_REASON)
    for number in range(LEFT_PARTY_PER_COPY):
        info, member = pick(pool, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        effective_on = after_recognition(
            member, day_between(date_rng, datetime.date(2024, 6, 1), today - datetime.timedelta(days=10))
        )
        change(
            member,
            Status.LEFT_PARTY,
            effective_on,
            reason=LEAVING_REASONS[number % len(LEAVING_REASONS)],
            decision_no=_decision_no(text_rng, info.organization),
        )
    # Suspended (on the roll, not counted at meetings).
    for _number in range(SUSPENDED_PER_COPY):
        info, member = pick(pool, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        reason = text_rng.choice(SUSPENSION_REASONS)
        effective_on = after_recognition(
            member, day_between(date_rng, today - datetime.timedelta(days=150), today - datetime.timedelta(days=10))
        )
        ends_on = effective_on + datetime.timedelta(days=90) if reason == SUSPENSION_REASONS[0] else None
        change(
            member,
            Status.SUSPENDED,
            effective_on,
            reason=reason,
            decision_no=_decision_no(text_rng, info.organization),
            ends_on=ends_on if ends_on and ends_on > today else None,
        )

    # Members of other organisations attending a cell for a while; they are not on its roll.
    study_cells = [info for info in open_cells if info.host_name.startswith("Trường")] or open_cells
    for _number in range(TEMPORARY_PER_COPY):
        reason, (low, high), study = text_rng.choice(TEMPORARY_REASONS)
        target = pick_rng.choice(study_cells if study else open_cells)
        gender = Gender.FEMALE if text_rng.random() < DEFAULT_FEMALE_SHARE else Gender.MALE
        name = random_person_name(text_rng, gender)
        decided_on = day_between(date_rng, today - datetime.timedelta(days=240), today - datetime.timedelta(days=20))
        if text_rng.random() < 0.6:
            from_text = f"Chi bộ {text_rng.choice(OUTSIDE_UNITS)}, " + _commune_text(text_rng, decided_on)
        else:
            from_text = text_rng.choice(OUTSIDE_COMMITTEES)
        plan.transfers.append(
            Transfer(
                kind=Transfer.Kind.TEMPORARY,
                member_name=name,
                from_text=from_text,
                to_organization=target.organization,
                decided_on=decided_on,
                decision_no=_decision_no(text_rng, target.organization),
                expected_return_on=add_months(decided_on, date_rng.randint(low, high)),
                reason=reason,
                recorded_at=aware(decided_on),
            )
        )

    # Probation ending within the alert window, or already over with no decision (rule B18).
    probationary = [
        (info, member)
        for info in open_cells
        for member in plan.members_by_cell[info.organization.code]
        if member.status == Status.PROBATIONARY
    ]
    for number in range(PROBATION_DUE_SOON_PER_COPY + PROBATION_OVERDUE_PER_COPY):
        _info, member = pick(probationary)
        if number < PROBATION_DUE_SOON_PER_COPY:
            due_on = today + datetime.timedelta(days=date_rng.randint(2, 28))
        else:
            due_on = today - datetime.timedelta(days=date_rng.randint(5, 45))
        member.admitted_on = add_years(due_on, -1)
