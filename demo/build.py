"""The demo, step by step: a bloc committee (Đảng bộ Khối) shaped like domain.md §1.2, built deterministically.

- `plan_demo(rng, ...)` builds *unsaved* model instances (demo.plan) and runs no query: the tree (demo.tree), the
  members and committees of each copy of the grassroots level (demo.members), then their status history and
  transfers (demo.member_history);
- `build_demo(rng, ...)` plans, then writes the plan with bulk inserts (paths set level by level), creates the demo
  accounts and grants their roles (demo.accounts), and logs the meetings (demo.meetings), all in one transaction;
- `build_all(seed=...)` runs `build_demo`, then the yearly reviews and model programmes (demo.evaluations): what
  `manage.py seed_demo` runs.

Randomness: every step draws from its own `random.Random`, derived from the caller's one in a fixed order, so that
adding a step later does not change the names already generated for a seed. Each copy of the grassroots level
(`scale`) has its own generator too, so copy 1 is the same at every scale, and each cell's meetings draw from a
generator of their own (seed and cell code). `today` only moves dates: the same seed on the same day gives the same
rows.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cells import figcache
from cells.services import log_action
from demo.accounts import ensure_accounts, grant_roles
from demo.evaluations import EvaluationSummary, build_evaluations
from demo.meetings import build_meetings
from demo.member_history import plan_member_events
from demo.members import assign_party_cards, plan_copy
from demo.plan import DemoPlan
from demo.tree import check_codes_free, plan_root, save_organizations
from members import counts as member_counts
from members.models import Member, Position, StatusChange, Transfer
from reports.models import IssuerSettings


def plan_demo(
    rng: random.Random, *, scale: int = 1, today: datetime.date | None = None, taken_cards: set[str] = frozenset()
) -> DemoPlan:
    """The whole demo as unsaved instances; no queries. `taken_cards`: party card numbers already in the database."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    today = today or timezone.localdate()
    copies_seed = rng.getrandbits(64)
    cards_rng = random.Random(rng.getrandbits(64))
    plan = DemoPlan(root=plan_root(), today=today)
    for copy in range(1, scale + 1):
        plan_copy(random.Random(f"{copies_seed}:{copy}"), plan, copy=copy, today=today)
    assign_party_cards(cards_rng, plan.members, taken=taken_cards)
    # Later steps draw after the ones above, so that they leave the names, sizes and cards of a seed unchanged.
    events_seed = rng.getrandbits(64)
    plan.meetings_seed = rng.getrandbits(64)
    for copy, cells in enumerate(plan.copy_cells, start=1):
        plan_member_events(random.Random(f"{events_seed}:{copy}"), plan, cells, today=today)
    for member in plan.members:
        member.refresh_derived()
    return plan


@transaction.atomic
def build_demo(
    rng: random.Random,
    *,
    scale: int = 1,
    today: datetime.date | None = None,
    audit_data: dict | None = None,
    meetings: bool = True,
) -> tuple[DemoPlan, list[str]]:
    """Plan and write the demo; returns the plan (now saved) and the demo user names that already existed.
    With `meetings`, also logs the cells' meetings (build_meetings; its figures in `plan.meeting_stats`).

    Runs in one transaction (a savepoint if the caller has one). Raises ValueError if a demo code is already taken.
    """
    taken_cards = set(Member.objects.exclude(party_card_no=None).values_list("party_card_no", flat=True))
    plan = plan_demo(rng, scale=scale, today=today, taken_cards=taken_cards)
    check_codes_free(plan)
    save_organizations(plan)
    users, kept = ensure_accounts(plan)
    Member.objects.bulk_create(plan.members, batch_size=1000)
    Position.objects.bulk_create(plan.positions, batch_size=1000)
    StatusChange.objects.bulk_create(plan.status_changes, batch_size=1000)
    Transfer.objects.bulk_create(plan.transfers, batch_size=1000)
    member_counts.rebuild_all()  # the bulk inserts bypass the services that keep the member counts
    figcache.touch_tree()
    grant_roles(plan, users)
    # The bloc committee's document settings (reports/documents/): a real place and issuer on every demo report.
    IssuerSettings.objects.create(
        organization=plan.root,
        issuer_name="ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
        body_above="ĐẢNG BỘ TỈNH YÊN BÁI",
        abbreviation="ĐUK",
        place="Yên Bái",
    )

    log_action(
        actor=None,
        action="cells.demo.seeded",  # its name from before demo/ was an app: earlier audit entries still match
        organization=plan.root,
        target=plan.root,
        message=f"Demo data: {len(plan.organizations) + 1} organisations, {len(plan.members)} members",
        data={"scale": scale, "meetings": meetings, **(audit_data or {})},
    )
    if meetings:
        plan.meeting_stats = build_meetings(root=plan.root, seed=plan.meetings_seed, today=plan.today)
    return plan, kept


@transaction.atomic
def build_all(
    *, seed: int, scale: int = 1, meetings: bool = True, evaluations: bool = True
) -> tuple[DemoPlan, list[str], EvaluationSummary | None]:
    """The whole demo from one seed: `build_demo`, then (with `evaluations`) `build_evaluations` on its tree.
    Returns the plan, the demo user names that already existed, and the evaluations' summary (or None)."""
    plan, kept = build_demo(random.Random(seed), scale=scale, audit_data={"seed": seed}, meetings=meetings)
    reviews = build_evaluations(root=plan.root, seed=seed, today=plan.today) if evaluations else None
    return plan, kept, reviews
