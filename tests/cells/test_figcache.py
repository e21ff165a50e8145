"""Subtree figures kept in the cache under version stamps (cells/figcache.py, issue #16).

What must hold: a page shows a change as soon as it is committed (every write that changes a figure replaces the
versions of its node and ancestors), a write elsewhere leaves a subtree's entry in use, an untouched save changes
nothing, and only users who see a whole subtree share its entry. The random sequences of every kind of change are
in tests/meetings/test_kept_summaries.py and tests/members/test_kept_counts.py (their invariants read through the
cache)."""

import datetime

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from cells import figcache
from cells import services as cell_services
from cells.models import FiguresStamp, Holiday, RoleAssignment
from criteria.models import RuleParameterSet
from meetings import selectors
from meetings.models import Meeting
from members import services as member_services
from members.models import Member
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tree_stamp(db):
    figcache.touch_tree()  # as the migration leaves it (a flush by an earlier test removes it)


def versions() -> dict[int, int]:
    return dict(FiguresStamp.objects.values_list("node", "version"))


def _last_month() -> tuple[int, int]:
    """A month already due whatever today is (two months back: past any grace)."""
    today = datetime.date.today()
    index = today.year * 12 + today.month - 1 - 2
    return index // 12, index % 12 + 1


def _final_meeting(cell) -> Meeting:
    year, month = _last_month()
    return Meeting.objects.create(
        organization=cell,
        kind=Meeting.Kind.REGULAR,
        status=Meeting.Status.FINAL,
        period_year=year,
        period_month=month,
        date=datetime.date(year, month, 5),
        start_time=datetime.time(8),
        end_time=datetime.time(10),
    )


def test_a_meeting_replaces_the_versions_of_its_cell_and_ancestors_only(tree):
    figcache.touch_tree()
    figcache.touch([tree.a1.pk, tree.b1.pk, tree.c.pk])
    before = versions()
    _final_meeting(tree.a1)
    after = versions()
    changed = {node for node in after if after[node] != before.get(node)}
    assert changed == {tree.root.pk, tree.a.pk, tree.a1.pk}


def test_the_compliance_page_shows_a_meeting_as_soon_as_it_is_saved(tree, client_for):
    client = client_for("staff")
    year, month = _last_month()
    url = f"/meetings/compliance/?org={tree.root.pk}&year={year}&month={month}"
    first = client.get(url).context["kpis"]
    assert client.get(url).context["kpis"].cells_all_regular == first.cells_all_regular  # from the cache now
    _final_meeting(tree.a1)
    assert client.get(url).context["kpis"].cells_all_regular == first.cells_all_regular + 1


def test_a_cached_figure_costs_one_query_and_a_write_elsewhere_keeps_it(tree, personas):
    period = selectors.Period(year=_last_month()[0])
    selectors.kpis(user=personas.staff, root=tree.b, period=period)
    _final_meeting(tree.a1)  # under A, not under B
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        selectors.kpis(user=personas.staff, root=tree.b, period=period)
    # The versions, and the attendance target the KPIs show beside the figures (not a figure of the subtree).
    assert len(queries) == 2


def test_an_untouched_organisation_save_keeps_the_cached_figures_and_a_rename_does_not(tree, personas):
    figcache.touch_tree()
    a = tree.a
    fields = {
        "name": a.name,
        "code": a.code,
        "kind": a.kind,
        "unit_type": a.unit_type,
        "host_unit_name": a.host_unit_name,
        "founded_on": a.founded_on,
    }
    before = versions()[figcache.TREE]
    a = cell_services.organization_update(organization=a, **fields, version=a.version, updated_by=personas.admin)
    assert versions()[figcache.TREE] == before
    cell_services.organization_update(
        organization=a, **{**fields, "name": "Đảng bộ A mới"}, version=a.version, updated_by=personas.admin
    )
    assert versions()[figcache.TREE] != before


def test_a_member_save_replaces_versions_only_when_a_count_changes(world):
    member = world.members.own
    figcache.touch([member.organization_id])
    before = versions()
    member = member_services.member_update(
        member=member, data={"phone": "0912345678"}, version=member.version, updated_by=world.personas.admin
    )
    assert versions() == before  # no count changed
    member_services.member_change_status(
        member=member,
        status=Member.Status.EXEMPT,
        effective_on=datetime.date.today(),
        reason="Tuổi cao, sức yếu",
        decision_no="12-QĐ/ĐU",
        changed_by=world.personas.admin,
    )
    after = versions()
    assert {node for node in after if after[node] != before.get(node)} == {
        world.tree.root.pk,
        world.tree.a.pk,
        world.tree.a1.pk,
    }


@pytest.mark.parametrize("change", ["holiday", "rules", "dissolve"])
def test_what_every_subtree_depends_on_replaces_the_tree_version(change, tree, personas):
    figcache.touch_tree()
    before = versions()[figcache.TREE]
    if change == "holiday":
        Holiday.objects.create(date=datetime.date(2031, 9, 2), name="Quốc khánh")
    elif change == "rules":
        RuleParameterSet.objects.create(
            name="Bộ tham số thử", valid_from=datetime.date(2031, 1, 1), values={"late_grace_days": 5}
        )
    else:
        cell_services.organization_dissolve(
            organization=tree.b2, dissolved_on=datetime.date.today(), reason="Sáp nhập", dissolved_by=personas.admin
        )
    assert versions()[figcache.TREE] != before


def test_a_rolled_back_write_never_lends_its_version_to_a_later_one(tree):
    figcache.touch([tree.a1.pk])
    kept = versions()[tree.root.pk]
    seen = set()
    for _ in range(3):
        with transaction.atomic():
            figcache.touch([tree.a1.pk])
            seen.add(versions()[tree.root.pk])
            transaction.set_rollback(True)
        assert versions()[tree.root.pk] == kept
    figcache.touch([tree.a1.pk])
    assert versions()[tree.root.pk] not in seen | {kept}


def test_only_a_user_who_sees_the_whole_subtree_shares_its_entry(tree, personas):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    # The grassroots committee of A sees A whole: computed once, then shared with the staff above.
    assert figcache.remember("t", user=personas.grassroots, root=tree.a, parts=(), compute=compute) == 1
    assert figcache.remember("t", user=personas.staff, root=tree.a, parts=(), compute=compute) == 1
    # A secretary of A1 asking about A sees only A1: their figure is computed for them each time, never shared.
    assert figcache.remember("t", user=personas.secretary, root=tree.a, parts=(), compute=compute) == 2
    assert figcache.remember("t", user=personas.secretary, root=tree.a, parts=(), compute=compute) == 3
    assert len(calls) == 3


def test_two_grants_share_only_the_subtree_they_cover(tree):
    user = make_user("hai-quyen")
    for node in (tree.a1, tree.b1):
        RoleAssignment.objects.create(user=user, organization=node, role=RoleAssignment.Role.SECRETARY)
    assert figcache.shares_subtree(user, tree.a1)
    assert not figcache.shares_subtree(user, tree.root)


def test_a_database_without_the_tree_stamp_caches_nothing(tree, personas):
    FiguresStamp.objects.all().delete()  # as `flush` leaves it
    calls = []
    for _ in range(2):
        figcache.remember("t", user=personas.staff, root=tree.root, parts=(), compute=lambda: calls.append(1) or 1)
    assert len(calls) == 2


def test_no_caching_when_turned_off(tree, personas, settings):
    settings.FIGURES_CACHE_SECONDS = 0
    calls = []
    for _ in range(2):
        figcache.remember("t", user=personas.staff, root=tree.root, parts=(), compute=lambda: calls.append(1) or 1)
    assert len(calls) == 2
