"""Demo data: the members of each cell (names, dates, statuses, party cards) and its committee (bí thư, chi ủy),
one copy of the grassroots level at a time; a few weak cells, and the cells the demo accounts use kept healthy."""

import datetime
import random

from cells.models import Organization
from demo.common import Weighted, add_years, years_after, years_before
from demo.hosts import (
    CIVIL_SERVICE_TYPES,
    DEFAULT_FEMALE_SHARE,
    DEFAULT_HEAD_TITLES,
    FEMALE_SHARE,
    HEAD_TITLES,
    JOB_TITLES,
)
from demo.names import random_person_name
from demo.plan import CellInfo, DemoPlan
from demo.tree import plan_grassroots, spread_to_total
from members.models import Member, Position

Kind = Organization.Kind
Status = Member.Status
Gender = Member.Gender

TERM_LABEL = "2025-2030"

# Per copy of the grassroots level (domain.md §1.2: 4,759 members; we round the members to 4,760).
MEMBERS_PER_COPY = 4760
MEMBERS_PER_CELL = (5, 30)
MEMBERS_PER_GRASSROOTS_CELL = (10, 30)
WEAK_CELLS_PER_COPY = (4, 6)  # cells left with fewer than 3 full members, so rule B19 has something to show
PROBATIONARY_SHARE = 0.05
COMMITTEE_SHARE = 0.95  # of the cells with 9 or more full members; the rest show the "no chi ủy" warning

ETHNICITIES = (("Kinh", 80), ("Tày", 5), ("Thái", 3), ("Mường", 3), ("Dao", 3), ("Nùng", 2), ("Mông", 2), ("Giáy", 1))
PHONE_PREFIXES = ("091", "094", "098", "097", "096", "088", "086", "035", "036", "038", "039", "083", "084")

_ETHNICITY = Weighted(ETHNICITIES)
_JOB_TITLES = {profile: Weighted(pairs) for profile, pairs in JOB_TITLES.items()}


def _head_titles(unit_name: str) -> tuple[str, str]:
    for prefix, head, deputy in HEAD_TITLES:
        if unit_name.startswith(prefix):
            return head, deputy
    return DEFAULT_HEAD_TITLES


def plan_member(rng: random.Random, info: CellInfo, *, status: str, today: datetime.date) -> Member:
    """One member of the cell with plausible dates for the status (full members: official = admitted + 12 months)."""
    gender = Gender.FEMALE if rng.random() < FEMALE_SHARE.get(info.profile, DEFAULT_FEMALE_SHARE) else Gender.MALE
    full_name = random_person_name(rng, gender)
    if status == Status.PROBATIONARY:
        age = rng.triangular(22, 45, 27)
        date_of_birth = years_before(today, age)
        admitted_on = today - datetime.timedelta(days=rng.randint(20, 355))
        official_on = None
    else:
        age = rng.triangular(55, 60, 58) if status == Status.EXEMPT else rng.triangular(22, 60, 41)
        date_of_birth = years_before(today, age)
        # Admitted at 18.5 or older, and at least a year and a month ago, so that official_on is in the past. A
        # draw past that latest age is scaled into [18.5, latest] rather than cut to it: cutting piled a fifth of
        # the members onto one admission date (13 months ago), all probationary in last year's meetings.
        admitted_age, latest = rng.triangular(19, 45, 26), age - 1.1
        if admitted_age > latest:
            admitted_age = 18.5 + (latest - 18.5) * (admitted_age - 19) / (45 - 19)
        admitted_age = max(18.5, admitted_age)
        admitted_on = years_after(date_of_birth, admitted_age)
        official_on = add_years(admitted_on, 1)
    phone = "" if rng.random() < 0.1 else rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
    return Member(
        organization=info.organization,
        full_name=full_name,
        status=status,
        gender=gender,
        date_of_birth=date_of_birth,
        admitted_on=admitted_on,
        official_on=official_on,
        ethnicity=_ETHNICITY.draw(rng),
        job_title=_JOB_TITLES[info.profile].draw(rng),
        workplace=info.workplace,
        is_civil_servant=info.organization.unit_type in CIVIL_SERVICE_TYPES,
        phone=phone,
    )


def plan_cell_members(
    rng: random.Random, info: CellInfo, size: int, *, weak: bool, today: datetime.date
) -> list[Member]:
    """`size` members; a weak cell has only 2 full members, any other cell at least 3."""
    if weak:
        statuses = [Status.FULL, Status.FULL] + [Status.PROBATIONARY] * (size - 2)
        if rng.random() < 0.5:
            statuses[-1] = Status.EXEMPT
    else:
        statuses = []
        for _i in range(size):
            roll = rng.random()
            if roll < PROBATIONARY_SHARE:
                statuses.append(Status.PROBATIONARY)
            elif roll < PROBATIONARY_SHARE + 0.006:
                statuses.append(Status.EXEMPT)
            else:
                statuses.append(Status.FULL)
        for i in range(size):
            if statuses.count(Status.FULL) >= 3:
                break
            statuses[i] = Status.FULL
    return [plan_member(rng, info, status=status, today=today) for status in statuses]


def plan_cell_committee(
    rng: random.Random, info: CellInfo, members: list[Member], *, with_committee: bool, today: datetime.date
) -> list[Position]:
    """The bí thư (every cell), and either a chi ủy (bí thư, phó bí thư, chi ủy viên) or a lone phó bí thư.

    Seats go to full members only (probationary members cannot stand, domain.md §2). The bí thư is one of the
    older half and heads the unit.
    """
    full = [m for m in members if m.status == Status.FULL]
    by_age = sorted(full, key=lambda m: m.date_of_birth)
    secretary = rng.choice(by_age[: max(1, len(by_age) // 2)])
    others = [m for m in full if m is not secretary]
    started_on = min(today, datetime.date(2025, rng.randint(3, 6), rng.randint(1, 28)))
    head, deputy_head = _head_titles(info.unit_name)
    seats = [(secretary, Position.Role.SECRETARY)]
    secretary.job_title = head
    if with_committee:
        size = 5 if len(full) >= 15 and rng.random() < 0.6 else 3
        chosen = rng.sample(others, size - 1)
        seats.append((chosen[0], Position.Role.DEPUTY_SECRETARY))
        seats.extend((member, Position.Role.COMMITTEE_MEMBER) for member in chosen[1:])
        chosen[0].job_title = deputy_head
    elif len(full) >= 5 and rng.random() < 0.6:
        deputy = rng.choice(others)
        seats.append((deputy, Position.Role.DEPUTY_SECRETARY))
        deputy.job_title = deputy_head
    return [
        Position(member=member, organization=info.organization, role=role, term_label=TERM_LABEL, started_on=started_on)
        for member, role in seats
    ]


def plan_upper_secretaries(plan: DemoPlan, cells: list[CellInfo], *, with_root: bool) -> list[Position]:
    """The bí thư of each committee above the cells (đảng bộ cơ sở, đảng bộ bộ phận, and the bloc once): the bí thư
    of its last cell, who is on a roll in its subtree as position_assign requires (the last, not the first: the
    first cells are the demo accounts' own). So an issued report proposes its signer from the seats
    (reports/documents/signers.py), and the set of members holding a seat is unchanged."""
    secretary = {p.organization.code: p for p in plan.positions if p.role == Position.Role.SECRETARY}
    last_cell: dict[int, tuple[Organization, Organization]] = {}
    for info in cells:
        node = info.organization.parent
        while node is not None:
            last_cell[id(node)] = (node, info.organization)
            node = node.parent
    seats = []
    for node, cell in last_cell.values():
        if node is plan.root and not with_root:
            continue
        seat = secretary[cell.code]
        seats.append(
            Position(
                member=seat.member,
                organization=node,
                role=Position.Role.SECRETARY,
                term_label=TERM_LABEL,
                started_on=seat.started_on,
            )
        )
    return seats


def assign_party_cards(rng: random.Random, members: list[Member], *, taken: set[str] = frozenset()) -> None:
    """Unique 8-digit card numbers for nearly all full (and exempt) members; probationary members have none yet."""
    holders = [m for m in members if m.status != Status.PROBATIONARY and rng.random() < 0.985]
    numbers = (f"{n:08d}" for n in rng.sample(range(10_000_000, 100_000_000), len(holders) + len(taken)))
    free = (number for number in numbers if number not in taken)
    for member, number in zip(holders, free, strict=False):
        member.party_card_no = number


def plan_copy(rng: random.Random, plan: DemoPlan, *, copy: int, today: datetime.date) -> None:
    """Add one copy of the grassroots level, its members and committees to `plan`."""
    tree_rng, size_rng, people_rng, committee_rng = (random.Random(rng.getrandbits(64)) for _i in range(4))
    organizations, cells = plan_grassroots(tree_rng, plan.root, copy=copy)
    plan.organizations.extend(organizations)

    # The cells the demo accounts use (the first cell of DB01 and of DB02) stay healthy: large, with a chi ủy.
    first_two = [org for org in organizations if org.kind == Kind.GRASSROOTS_COMMITTEE][:2]
    protected = {next(i for i, info in enumerate(cells) if info.organization.parent is parent) for parent in first_two}
    weak_candidates = [i for i, info in enumerate(cells) if info.organization.kind == Kind.CELL and i not in protected]
    weak = set(size_rng.sample(weak_candidates, size_rng.randint(*WEAK_CELLS_PER_COPY)))

    lows, highs, sizes = [], [], []
    for i, info in enumerate(cells):
        if info.organization.kind == Kind.GRASSROOTS_CELL:
            low, high = MEMBERS_PER_GRASSROOTS_CELL
            size = round(size_rng.triangular(low, high, 19))
        else:
            low, high = MEMBERS_PER_CELL
            size = round(size_rng.triangular(low, high, 11))
        if i in weak:
            size = low
        elif i in protected:
            size = max(size, 15)
        lows.append(low)
        highs.append(high)
        sizes.append(size)
    sizes = spread_to_total(size_rng, sizes, MEMBERS_PER_COPY, lows, highs, fixed=weak | protected)

    plan.copy_cells.append(cells)
    plan.weak_codes.update(cells[i].organization.code for i in weak)
    plan.protected_codes.update(cells[i].organization.code for i in protected)
    for i, (info, size) in enumerate(zip(cells, sizes, strict=True)):
        members = plan_cell_members(people_rng, info, size, weak=i in weak, today=today)
        full_count = sum(1 for m in members if m.status == Status.FULL)
        with_committee = full_count >= 9 and (i in protected or committee_rng.random() < COMMITTEE_SHARE)
        positions = plan_cell_committee(committee_rng, info, members, with_committee=with_committee, today=today)
        plan.members.extend(members)
        plan.positions.extend(positions)
        plan.members_by_cell[info.organization.code] = members
    plan.positions.extend(plan_upper_secretaries(plan, cells, with_root=copy == 1))

    if copy == 1:
        by_code = {org.code: org for org in organizations}
        plan.grassroots_committee = by_code["DB01"]
        plan.secretary_cell = cells[min(protected)].organization
        plan.outsider_cell = cells[max(protected)].organization
        seated = {id(p.member) for p in plan.positions}
        secretaries = {p.organization.code: p.member for p in plan.positions if p.role == Position.Role.SECRETARY}
        plan.secretary_member = secretaries[plan.secretary_cell.code]
        plan.outsider_member = secretaries[plan.outsider_cell.code]
        plan.ordinary_member = next(
            m for m in plan.members_by_cell[plan.secretary_cell.code] if m.status == Status.FULL and id(m) not in seated
        )
