"""Kept member counts: how many members each organisation has on its own roll, by status (members.MemberCount).

Why: at the size of a merged province (half a million members) counting members per request reads every member
of the bloc; the kept rows are one per organisation, so a subtree's figure reads as many rows as it has nodes.

Writes: every service that creates, deletes, moves a member between organisations or changes its status calls
`refresh(org_ids)` with the organisations touched, inside its own transaction. `refresh` recounts those
organisations from the member rows (cheap: a cell has tens of members, read through the (organization, status)
index) under a row lock, so two concurrent writers to one cell cannot leave a stale figure: the second waits for
the first to commit and then counts what it committed. `rebuild_all()` recounts everything (the
`rebuild_figures` command, after a bulk load such as the demo build).

Reads go through the access module's scope filter (cells/permissions.py), like every other list or count.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Sum

from cells import figcache
from cells.models import Organization
from cells.permissions import VIEW, scope_filter
from cells.selectors import child_segment
from members.models import Member, MemberCount

STATUSES = tuple(MemberCount.COLUMNS)
COLUMNS = tuple(MemberCount.COLUMNS.values())


def _zero() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


def counted(org_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Counts of the members on each organisation's own roll, by status, from the member rows (one query)."""
    result: dict[int, dict[str, int]] = {}
    rows = (
        Member.objects.filter(organization_id__in=list(org_ids))
        .order_by()
        .values_list("organization_id", "status")
        .annotate(n=Count("pk"))
    )
    for org_id, status, n in rows:
        result.setdefault(org_id, _zero())[status] = n
    return result


@transaction.atomic
def refresh(org_ids: Iterable[int | None]) -> None:
    """Recount the kept figures of these organisations from their member rows (four queries at most).

    Call it in the transaction of the change, with every organisation whose roll the change touched (both ends of
    a transfer). The rows are created if missing, locked in primary-key order (no deadlock between two writers),
    then counted: a concurrent writer to the same organisation waits for the lock and counts after our commit."""
    ids = sorted({int(pk) for pk in org_ids if pk is not None})
    if not ids:
        return
    MemberCount.objects.bulk_create([MemberCount(organization_id=pk) for pk in ids], ignore_conflicts=True)
    kept = list(MemberCount.objects.select_for_update().filter(organization_id__in=ids).order_by("pk"))
    now = counted(ids)
    changed = []
    for row in kept:
        figures = now.get(row.organization_id, _zero())
        if row.as_dict() != figures:
            for status, column in MemberCount.COLUMNS.items():
                setattr(row, column, figures[status])
            changed.append(row)
    if changed:
        MemberCount.objects.bulk_update(changed, list(COLUMNS))
        figcache.touch(row.organization_id for row in changed)  # the cached figures above them are stale


@transaction.atomic
def rebuild_all() -> int:
    """Recount every organisation's kept figures from the member rows; returns how many rows were written.

    Rows of organisations without members are removed (read as zeros). Used by `manage.py rebuild_figures` and
    after bulk loads that bypass the services (the demo build)."""
    figures = counted_all()
    MemberCount.objects.all().delete()
    rows = [
        MemberCount(organization_id=org_id, **{MemberCount.COLUMNS[s]: n for s, n in by_status.items()})
        for org_id, by_status in figures.items()
    ]
    MemberCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def counted_all() -> dict[int, dict[str, int]]:
    """Every organisation's counts from the member rows (one grouped query): what the kept figures must equal."""
    result: dict[int, dict[str, int]] = {}
    for org_id, status, n in Member.objects.order_by().values_list("organization_id", "status").annotate(n=Count("pk")):
        result.setdefault(org_id, _zero())[status] = n
    return result


def kept_all() -> dict[int, dict[str, int]]:
    """Every kept row with at least one member (rows of zeros are the same as no row)."""
    return {row.organization_id: row.as_dict() for row in MemberCount.objects.all() if any(row.as_dict().values())}


#
# Reads
#


def _sums() -> dict:
    return {column: Sum(column) for column in COLUMNS}


def as_statuses(row: dict) -> dict[str, int]:
    """Members by status from a row of the sums (`_sums()` or `organization_sums()`)."""
    return {status: row.get(column) or 0 for status, column in MemberCount.COLUMNS.items()}


def organization_sums() -> dict:
    """The sums of the kept counts as expressions over an Organization queryset (`as_statuses` reads the result):
    a page that reads its organisations anyway gets their member figures in the same query. Over the
    organisations the user sees, the same figures as `subtree_counts`."""
    return {column: Sum(f"member_count_row__{column}") for column in COLUMNS}


def visible_counts(*, user, action: str = VIEW, include_dissolved: bool = True):
    """The kept rows the user may see (a queryset, for further filtering)."""
    rows = MemberCount.objects.filter(scope_filter(user, prefix="organization__", action=action))
    if not include_dissolved:
        rows = rows.filter(organization__dissolved_on__isnull=True)
    return rows


def subtree_counts(
    *, user, root: Organization | None = None, include_dissolved: bool = True, action: str = VIEW
) -> dict[str, int]:
    """Members by status over `root`'s subtree (every node the user sees when root is None). One query; with a
    root seen whole, none but the versions while its subtree has not changed (cells/figcache.py)."""

    def compute() -> dict[str, int]:
        rows = visible_counts(user=user, action=action, include_dissolved=include_dissolved)
        if root is not None:
            rows = rows.filter(organization__path__startswith=root.path)
        return as_statuses(rows.aggregate(**_sums()))

    if root is None or action != VIEW:
        return compute()
    return figcache.remember(
        "members.subtree_counts", user=user, root=root, parts=(include_dissolved,), compute=compute
    )


def own_counts(*, user, organization: Organization, action: str = VIEW) -> dict[str, int]:
    """Members by status on the node's own roll. One query."""
    rows = visible_counts(user=user, action=action).filter(organization=organization)
    return as_statuses(rows.aggregate(**_sums()))


def counts_by_child(
    *, user, root: Organization, child_ids: Iterable[int] | None = None, include_dissolved: bool = True
) -> dict[int, dict[str, int]]:
    """Members by status over the subtree of each child of `root` ({child_id: {status: n}}), optionally only for
    `child_ids` (a page of children). One grouped query over the kept rows under root; none but the versions while
    root's subtree has not changed (cells/figcache.py)."""
    child_ids = None if child_ids is None else tuple(child_ids)
    return figcache.remember(
        "members.counts_by_child",
        user=user,
        root=root,
        parts=(child_ids, include_dissolved),
        compute=lambda: _counts_by_child(
            user=user, root=root, child_ids=child_ids, include_dissolved=include_dissolved
        ),
    )


def _counts_by_child(*, user, root, child_ids, include_dissolved) -> dict[int, dict[str, int]]:
    rows = (
        visible_counts(user=user, include_dissolved=include_dissolved)
        .filter(organization__path__startswith=root.path)
        .exclude(organization=root)
        .annotate(owner=child_segment(root, "organization__path"))
    )
    if child_ids is not None:
        rows = rows.filter(owner__in=[str(pk) for pk in child_ids])
    result = {}
    for row in rows.order_by().values("owner").annotate(**_sums()):
        result[int(row["owner"])] = as_statuses(row)
    return result


def on_roll(figures: dict[str, int]) -> int:
    """Members on the roll ("đảng số") among counts by status."""
    return sum(figures.get(status, 0) for status in Member.ON_ROLL)
