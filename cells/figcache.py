"""Subtree figures kept in the cache, each under the version stamps of its subtree (issue #16).

Why: the kept summaries (meetings.summaries, members.counts) make a figure cost rows in proportion to the subtree it
speaks for, and the bloc of a merged province is 30,000 cells: its heat-map, KPIs and dashboard still read
hundreds of thousands of kept rows on every request although nothing changed since the last one. Here a computed
figure is kept in the cache under a key holding the version of its root and the version of the tree (cells.
FiguresStamp), so a page reads one small row and one cache entry instead.

Versions: every write that changes a figure under a node replaces the version of the node and of each ancestor, in
the writer's own transaction (`touch` from meetings.summaries.refresh and members.counts.refresh, the two places
every change of a meeting or a member goes through; `touch_tree` from the tree services and the rule data, which
change every subtree's figures). A new version is a random token, never a counter, so a rolled-back write cannot
give a later one the key of figures it never had. A reader takes the versions committed when it starts: figures
it computes under them can only be newer than the key says, never older, and the key is abandoned at the next
commit. Entries also expire after FIGURES_CACHE_SECONDS, which bounds anything a write could miss.

Only a user who sees the whole subtree of the root (a grant at or above it, or a superuser) shares its entry:
anyone else computes the figure for their own part of the tree each time (figures never mix scopes).
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cells.models import FiguresStamp, Holiday, Organization
from cells.permissions import VIEW, get_access

T = TypeVar("T")
TREE = 0  # the stamp of what every subtree depends on


def _new_version() -> int:
    return secrets.randbits(62)


def _ancestors(paths: Iterable[str]) -> list[int]:
    nodes = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    return sorted(nodes)


def _replace(nodes: list[int]) -> None:
    """Give `nodes` new versions: one upsert, rows locked in key order (no two writers wait on each other in
    opposite orders)."""
    if not nodes:
        return
    table = connection.ops.quote_name(FiguresStamp._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(nodes))
    params = [value for node in nodes for value in (node, _new_version())]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (node, version) VALUES {values} "  # noqa: S608 (names from the model)
            "ON CONFLICT (node) DO UPDATE SET version = excluded.version",
            params,
        )


def touch(organization_ids: Iterable[int]) -> None:
    """The figures of these organisations changed: new versions for them and every ancestor (one query for their
    paths, one upsert)."""
    ids = {pk for pk in organization_ids if pk is not None}
    if ids:
        _replace(_ancestors(Organization.objects.filter(pk__in=ids).values_list("path", flat=True)))


def touch_tree() -> None:
    """Every subtree's figures changed (the tree, the rule parameters, the holiday calendar)."""
    _replace([TREE])


def _versions(root: Organization) -> tuple[int, int] | None:
    """The committed versions of the tree and of root (one query). A node never touched has no stamp yet and reads
    as 0: its first write creates the stamp, in the writer's transaction. The tree's stamp is created, random, by
    the migration that adds the table, so two databases (a rebuilt one behind the same Redis) never share keys;
    without it (a database emptied by `flush`) nothing is cached until `touch_tree` writes it again."""
    kept = dict(FiguresStamp.objects.filter(node__in=[TREE, root.pk]).values_list("node", "version"))
    if TREE not in kept:
        return None
    return kept[TREE], kept.get(root.pk, 0)


def shares_subtree(user, root: Organization) -> bool:
    """The user sees the whole subtree of root, so the figures computed for it are theirs too."""
    access = get_access(user)
    return access.is_superuser or any(root.path.startswith(top) for top in access.top_paths(VIEW))


def remember(name: str, *, user, root: Organization, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, from the cache when the subtree's figures have not changed since it was last computed for the
    same `parts` (the period, "today", a page: whatever else the figure depends on). One query for the versions."""
    seconds = settings.FIGURES_CACHE_SECONDS
    if seconds <= 0 or not shares_subtree(user, root):
        return compute()
    stamps = _versions(root)
    if stamps is None:
        return compute()
    tree, node = stamps
    digest = hashlib.sha256(repr((name, parts)).encode()).hexdigest()[:32]
    key = f"chibo:figures:{root.pk}:{tree}:{node}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


@receiver(post_save, sender=Organization, dispatch_uid="figcache.organization.saved")
@receiver(post_delete, sender=Organization, dispatch_uid="figcache.organization.deleted")
@receiver(post_save, sender=Holiday, dispatch_uid="figcache.holiday.saved")
@receiver(post_delete, sender=Holiday, dispatch_uid="figcache.holiday.deleted")
def tree_changed(sender, raw: bool = False, **kwargs) -> None:
    """A node created, renamed, dissolved or merged, a holiday or a rule parameter set changed: every subtree's
    figures may change (a move rewrites paths with an UPDATE and says so itself, in cells.services; criteria.
    selectors connects its parameter sets here). A service that saved a row without changing what figures show
    marks it `_figures_unchanged`."""
    instance = kwargs.get("instance")
    if not raw and not getattr(instance, "_figures_unchanged", False):
        touch_tree()
