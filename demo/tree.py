"""Demo data: the organisation tree of a bloc committee (Đảng bộ Khối) shaped like domain.md §1.2: the root and,
per copy of the grassroots level, 44 đảng bộ cơ sở (with their đảng bộ bộ phận and 288 cells in all) and 28 chi bộ
cơ sở. Planned as unsaved instances, then written level by level."""

import datetime
import random

from cells.models import Organization
from demo.common import random_date
from demo.hosts import DEPARTMENTS, GRASSROOTS_CELL_HOSTS, GRASSROOTS_COMMITTEE_HOSTS, PARTY
from demo.plan import CellInfo, DemoPlan

Kind = Organization.Kind

ROOT_CODE = "DEMO"
ROOT_NAME = "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh (demo)"
ROOT_HOST = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh"
ROOT_FOUNDED_ON = datetime.date(2008, 9, 15)

# Per copy of the grassroots level (domain.md §1.2: 44 đảng bộ cơ sở with 288 chi bộ trực thuộc, 28 chi bộ cơ sở).
CELLS_PER_COPY = 288
CELLS_PER_COMMITTEE = (3, 12)


def _organization(*, parent, name, code, kind, unit_type, host_unit_name, founded_on) -> Organization:
    organization = Organization(
        parent=parent,
        name=name,
        code=code,
        kind=kind,
        unit_type=unit_type,
        host_unit_name=host_unit_name,
        founded_on=founded_on,
        depth=parent.depth + 1 if parent is not None else 0,
    )
    organization.refresh_search_text()
    return organization


def plan_root() -> Organization:
    return _organization(
        parent=None,
        name=ROOT_NAME,
        code=ROOT_CODE,
        kind=Kind.UPPER,
        unit_type=PARTY,
        host_unit_name=ROOT_HOST,
        founded_on=ROOT_FOUNDED_ON,
    )


def spread_to_total(
    rng: random.Random, counts: list[int], total: int, lows: list[int], highs: list[int], fixed: set[int] = frozenset()
) -> list[int]:
    """Nudge `counts` one unit at a time, at random positions not in `fixed`, until they add up to `total`."""
    counts = list(counts)
    movable = [i for i in range(len(counts)) if i not in fixed]
    can_shrink = sum(counts[i] - lows[i] for i in movable)
    can_grow = sum(highs[i] - counts[i] for i in movable)
    difference = total - sum(counts)
    if difference < -can_shrink or difference > can_grow:
        raise ValueError(f"Cannot spread {sum(counts)} to {total} within the bounds")
    while difference:
        i = rng.choice(movable)
        if difference > 0 and counts[i] < highs[i]:
            counts[i] += 1
            difference -= 1
        elif difference < 0 and counts[i] > lows[i]:
            counts[i] -= 1
            difference += 1
    return counts


def plan_grassroots(
    rng: random.Random, root: Organization, *, copy: int = 1
) -> tuple[list[Organization], list[CellInfo]]:
    """One copy of the grassroots level: 44 đảng bộ cơ sở (with 288 cells in all) and 28 chi bộ cơ sở.

    Copies after the first get a code suffix ("DB01-S2") and a name suffix ("(S2)").
    """
    code_suffix = "" if copy == 1 else f"-S{copy}"
    name_suffix = "" if copy == 1 else f" (S{copy})"
    minimums = [
        max(CELLS_PER_COMMITTEE[0], sum(len(c) for _n, c in host.sub_committees) + 2)
        for host in GRASSROOTS_COMMITTEE_HOSTS
    ]
    n_hosts = len(GRASSROOTS_COMMITTEE_HOSTS)
    counts = [max(minimums[i], rng.randint(*CELLS_PER_COMMITTEE)) for i in range(n_hosts)]
    counts = spread_to_total(rng, counts, CELLS_PER_COPY, minimums, [CELLS_PER_COMMITTEE[1]] * n_hosts)

    organizations: list[Organization] = []
    cells: list[CellInfo] = []
    today_bound = datetime.date(2024, 12, 31)
    for number, (host, n_cells) in enumerate(zip(GRASSROOTS_COMMITTEE_HOSTS, counts, strict=True), start=1):
        code = f"DB{number:02d}{code_suffix}"
        committee = _organization(
            parent=root,
            name=f"Đảng bộ {host.name}{name_suffix}",
            code=code,
            kind=Kind.GRASSROOTS_COMMITTEE,
            unit_type=host.unit_type,
            host_unit_name=host.name,
            founded_on=random_date(rng, datetime.date(1965, 1, 1), datetime.date(2012, 12, 31)),
        )
        organizations.append(committee)

        sub_departments = {dept for _name, depts in host.sub_committees for dept in depts}
        available = [d for d in dict.fromkeys(host.departments + DEPARTMENTS[host.profile]) if d not in sub_departments]
        n_direct = n_cells - len(sub_departments)
        # Keep the list order (Văn phòng first, ...) so that the codes read like a real roster.
        chosen = sorted(rng.sample(range(len(available)), n_direct))
        placements = [(committee, available[i]) for i in chosen]

        for sub_number, (sub_name, sub_depts) in enumerate(host.sub_committees, start=1):
            sub = _organization(
                parent=committee,
                name=f"Đảng bộ bộ phận {sub_name}",
                code=f"{code}-BP{sub_number}",
                kind=Kind.SUB_COMMITTEE,
                unit_type=host.unit_type,
                host_unit_name=f"{sub_name}, {host.name}",
                founded_on=random_date(rng, committee.founded_on, today_bound),
            )
            organizations.append(sub)
            placements.extend((sub, dept) for dept in sub_depts)

        for cell_number, (parent, dept) in enumerate(placements, start=1):
            cell = _organization(
                parent=parent,
                name=f"Chi bộ {dept}",
                code=f"{code}-CB{cell_number:02d}",
                kind=Kind.CELL,
                unit_type=host.unit_type,
                host_unit_name=f"{dept}, {host.name}",
                founded_on=random_date(rng, parent.founded_on, today_bound),
            )
            organizations.append(cell)
            cells.append(CellInfo(cell, host.profile, dept, f"{dept}, {host.name}", host.name))

    for number, host in enumerate(GRASSROOTS_CELL_HOSTS, start=1):
        cell = _organization(
            parent=root,
            name=f"Chi bộ {host.name}{name_suffix}",
            code=f"CBCS{number:02d}{code_suffix}",
            kind=Kind.GRASSROOTS_CELL,
            unit_type=host.unit_type,
            host_unit_name=host.name,
            founded_on=random_date(rng, datetime.date(1975, 1, 1), datetime.date(2015, 12, 31)),
        )
        organizations.append(cell)
        cells.append(CellInfo(cell, host.profile, host.name, host.name, host.name))
    return organizations, cells


#
# Writing
#


def check_codes_free(plan: DemoPlan) -> None:
    codes = [plan.root.code] + [org.code for org in plan.organizations]
    for start in range(0, len(codes), 500):
        taken = list(Organization.objects.filter(code__in=codes[start : start + 500]).values_list("code", flat=True))
        if taken:
            raise ValueError(f"Organisation codes already in use: {', '.join(sorted(taken)[:10])}")


def save_organizations(plan: DemoPlan) -> None:
    """Insert level by level: each level needs its parents' keys, and its own keys to write `path`."""
    root = plan.root
    root.save()
    root.path = f"/{root.pk}/"
    root.save(update_fields=["path"])
    by_depth: dict[int, list[Organization]] = {}
    for organization in plan.organizations:
        by_depth.setdefault(organization.depth, []).append(organization)
    for depth in sorted(by_depth):
        level = by_depth[depth]
        Organization.objects.bulk_create(level, batch_size=500)
        if any(org.pk is None for org in level):
            raise RuntimeError("This database does not return keys from bulk inserts (PostgreSQL or SQLite 3.35+).")
        for organization in level:
            organization.path = f"{organization.parent.path}{organization.pk}/"
        Organization.objects.bulk_update(level, ["path"], batch_size=500)
