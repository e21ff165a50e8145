"""Writes to criteria sets: copy a set forward to a new year, edit an unfrozen set, compare two sets.

A set that an evaluation has used is frozen (`CriteriaSet.frozen_at`, set by `evaluations.review.services.period_open`):
every write here refuses it, so that a later change can never alter what an organisation was assessed against.
Changes go into a copy (`criteria_set_copy`), which starts unfrozen.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cells.concurrency import check_version
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.models import Organization
from cells.numbers import parse_decimal
from cells.services import log_action, required_line
from cells.text import one_line
from criteria.models import CriteriaSet, Criterion, CriterionGroup, Grade, RegulationDocument

CODE_MAX_LENGTH = 20

# The fields of a set that staff edit, and the fields compared by `criteria_set_diff`.
SET_FIELDS = (
    "name",
    "unit_types",
    "org_kinds",
    "year_from",
    "year_to",
    "scoring_mode",
    "pass_points",
    "basis",
    "notes",
)
GROUP_FIELDS = ("title", "parent", "order")
CRITERION_FIELDS = (
    "group",
    "text",
    "kind",
    "max_points",
    "metric",
    "comparator",
    "threshold",
    "hard_condition",
    "cap_grade",
    "order",
)


def frozen_message() -> str:
    return _(
        "This criteria set has been used in an evaluation, so it cannot be changed. Copy it to a new year and edit "
        "the copy."
    )


def _lock_unfrozen(criteria_set: CriteriaSet) -> CriteriaSet:
    """Re-read the set under a row lock and refuse it when frozen (period_open may have frozen it meanwhile)."""
    locked = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if locked.is_frozen:
        raise ValidationError(frozen_message())
    return locked


def _check_years(year_from, year_to) -> None:
    if year_from is None or not (YEAR_MIN <= int(year_from) <= YEAR_MAX):
        raise ValidationError({"year_from": _("Check the year.")})
    if year_to is not None and not (YEAR_MIN <= int(year_to) <= YEAR_MAX):
        raise ValidationError({"year_to": _("Check the year.")})
    if year_to is not None and int(year_to) < int(year_from):
        raise ValidationError({"year_to": _("The last year cannot be before the first year.")})


def _normalise_code(code) -> str:
    code = one_line(code)
    if not code:
        raise ValidationError({"code": _("Enter a code, e.g. 1.2.")})
    if len(code) > CODE_MAX_LENGTH:
        raise ValidationError(
            {"code": _("The code may have at most %(count)s characters.") % {"count": CODE_MAX_LENGTH}}
        )
    return code


def _decimal(value, field: str) -> Decimal | None:
    try:
        return parse_decimal(value)  # "7,5" or "7.5"; None when empty
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None


#
# Copy forward
#


def _create_copy(source: CriteriaSet, *, version: int, year_from: int, year_to: int | None) -> CriteriaSet:
    return CriteriaSet.objects.create(
        name=source.name,
        programme=source.programme,
        unit_types=list(source.unit_types or []),
        org_kinds=list(source.org_kinds or []),
        year_from=year_from,
        year_to=year_to,
        version=version,
        scoring_mode=source.scoring_mode,
        pass_points=source.pass_points,
        basis=source.basis,
        copied_from=source,
        frozen_at=None,
        notes=source.notes,
    )


@transaction.atomic
def criteria_set_copy(*, criteria_set: CriteriaSet, year_from: int, year_to: int | None, copied_by) -> CriteriaSet:
    """Copy a set (frozen or not) to new years as the next version of the same name, unfrozen.

    Groups (with their nesting) and criteria are copied deeply; the copy remembers its source (`copied_from`).
    """
    _check_years(year_from, year_to)
    source = CriteriaSet.objects.select_related("basis").get(pk=criteria_set.pk)
    # The next version of this name, not source+1: copying v1 twice must not give two v2. The sets of the name are
    # locked first, so that two copies made at once are numbered one after the other (and the unique name+version
    # constraint refuses what would still collide).
    list(CriteriaSet.objects.select_for_update().filter(name=source.name).values_list("pk", flat=True))
    latest = CriteriaSet.objects.filter(name=source.name).aggregate(latest=Max("version"))["latest"] or 0
    try:
        with transaction.atomic():
            copy = _create_copy(source, version=latest + 1, year_from=year_from, year_to=year_to)
    except IntegrityError:
        raise ValidationError(
            _("Another copy of this set was being made at the same moment. Open the list of sets and try again.")
        ) from None
    groups = list(source.groups.all())
    new_groups: dict[int, CriterionGroup] = {}
    # Parents before children, however deep the nesting (a parent is always in the same set).
    pending = groups
    while pending:
        remaining = []
        for group in pending:
            if group.parent_id is not None and group.parent_id not in new_groups:
                remaining.append(group)
                continue
            new_groups[group.pk] = CriterionGroup.objects.create(
                criteria_set=copy,
                parent=new_groups.get(group.parent_id),
                code=group.code,
                title=group.title,
                order=group.order,
            )
        if len(remaining) == len(pending):  # a cycle or a parent in another set: stop rather than loop forever
            raise ValidationError(_("The groups of this set are inconsistent; fix them in the administration first."))
        pending = remaining
    Criterion.objects.bulk_create(
        [
            Criterion(
                criteria_set=copy,
                group=new_groups.get(criterion.group_id),
                code=criterion.code,
                text=criterion.text,
                kind=criterion.kind,
                max_points=criterion.max_points,
                metric=criterion.metric,
                comparator=criterion.comparator,
                threshold=criterion.threshold,
                hard_condition=criterion.hard_condition,
                cap_grade=criterion.cap_grade,
                order=criterion.order,
            )
            for criterion in source.criteria.all()
        ]
    )
    log_action(
        actor=copied_by,
        action="criteria.criteria_set.copied",
        target=copy,
        message=_("Copied %(source)s to %(copy)s") % {"source": source, "copy": copy},
        data={"copied_from": source.pk, "version": copy.version, "year_from": year_from, "year_to": year_to},
    )
    return copy


#
# Edit a set
#


def _clean_choice_list(values, choices, field: str) -> list[str]:
    values = [v for v in (values or []) if v]
    unknown = set(values) - set(choices)
    if unknown:
        raise ValidationError({field: _("Unknown values: %(values)s") % {"values": ", ".join(sorted(unknown))}})
    return sorted(set(values), key=list(choices).index)


@transaction.atomic
def criteria_set_update(*, criteria_set: CriteriaSet, data: dict, version: int | None, updated_by) -> CriteriaSet:
    """Change the fields of an unfrozen set (name, host unit types, kinds, years, scoring, pass mark, basis, notes).

    `data` may name any of SET_FIELDS; fields it leaves out keep their value. `version` is the set's edit version
    (`revision`) when the form was read: refused when someone else saved the set since.
    """
    criteria_set = _lock_unfrozen(criteria_set)
    check_version(criteria_set, version, field="revision")
    before = _set_values(criteria_set)
    if "name" in data:
        criteria_set.name = required_line(data["name"], "name", _("Enter a name."))
        if (
            CriteriaSet.objects.filter(name=criteria_set.name, version=criteria_set.version)
            .exclude(pk=criteria_set.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "name": _("Version %(version)s of a set with this name already exists.")
                    % {"version": criteria_set.version}
                }
            )
    if "unit_types" in data:
        criteria_set.unit_types = _clean_choice_list(data["unit_types"], Organization.UnitType.values, "unit_types")
    if "org_kinds" in data:
        criteria_set.org_kinds = _clean_choice_list(data["org_kinds"], Organization.Kind.values, "org_kinds")
    if "year_from" in data:
        criteria_set.year_from = data["year_from"]
    if "year_to" in data:
        criteria_set.year_to = data["year_to"] or None
    _check_years(criteria_set.year_from, criteria_set.year_to)
    if "scoring_mode" in data:
        if data["scoring_mode"] not in CriteriaSet.ScoringMode.values:
            raise ValidationError({"scoring_mode": _("Choose how the set is scored.")})
        if (
            data["scoring_mode"] == CriteriaSet.ScoringMode.CHECKLIST
            and criteria_set.criteria.filter(kind=Criterion.Kind.POINTS).exists()
        ):
            raise ValidationError(
                {"scoring_mode": _("The set has criteria scored by points: change them first, then the scoring.")}
            )
        criteria_set.scoring_mode = data["scoring_mode"]
    if "pass_points" in data:
        pass_points = _decimal(data["pass_points"], "pass_points")
        if pass_points is not None and pass_points < 0:
            raise ValidationError({"pass_points": _("The points cannot be negative.")})
        criteria_set.pass_points = pass_points
    if "basis" in data:
        basis = data["basis"]
        if basis is not None and not isinstance(basis, RegulationDocument):
            basis = RegulationDocument.objects.filter(pk=basis).first()
            if basis is None:
                raise ValidationError({"basis": _("Choose a document from the list.")})
        criteria_set.basis = basis
    if "notes" in data:
        criteria_set.notes = (data["notes"] or "").strip()
    criteria_set.full_clean(exclude=["copied_from", "basis"], validate_constraints=False)
    criteria_set.revision += 1
    criteria_set.save(update_fields=[*SET_FIELDS, "revision"])
    changes = _changes(before, _set_values(criteria_set))
    log_action(
        actor=updated_by,
        action="criteria.criteria_set.updated",
        target=criteria_set,
        message=str(criteria_set),
        data={"changes": changes},
    )
    return criteria_set


#
# Groups
#


@transaction.atomic
def group_save(
    *, criteria_set: CriteriaSet, group: CriterionGroup | None = None, data: dict, version: int | None = None, saved_by
) -> CriterionGroup:
    """Create (group=None) or change a group of an unfrozen set. `data`: code, title, parent, order.

    A change is refused when someone else saved the group since its form was read (`version`, its version then)."""
    criteria_set = _lock_unfrozen(criteria_set)
    if group is not None and group.criteria_set_id != criteria_set.pk:
        raise ValidationError(_("This group belongs to another criteria set."))
    if group is not None:
        group = CriterionGroup.objects.select_for_update().get(pk=group.pk)
        check_version(group, version)
    creating = group is None
    group = group or CriterionGroup(criteria_set=criteria_set)
    before = {} if creating else _group_values(group)
    code = _normalise_code(data.get("code", group.code))
    if _code_taken(group, code):
        raise ValidationError({"code": _("Another group of this set already has this code.")})
    title = required_line(data.get("title", group.title), "title", _("Enter a title."))
    parent = data.get("parent", group.parent if group.parent_id else None)
    if parent is not None:
        if parent.criteria_set_id != criteria_set.pk:
            raise ValidationError({"parent": _("The parent group must belong to the same set.")})
        # A group cannot sit inside itself or inside one of its own subgroups.
        ancestor = parent
        while ancestor is not None:
            if group.pk and ancestor.pk == group.pk:
                raise ValidationError({"parent": _("A group cannot be placed inside itself or its subgroups.")})
            ancestor = ancestor.parent
    group.code = code
    group.title = title
    group.parent = parent
    group.order = int(data.get("order", group.order) or 0)
    return _save_row(group, "group", before, _group_values, criteria_set=criteria_set, by=saved_by)


@transaction.atomic
def group_delete(*, group: CriterionGroup, deleted_by) -> None:
    """Delete an empty group of an unfrozen set. A group that still holds criteria or subgroups is refused,
    so that deleting a heading never silently deletes the criteria under it."""
    criteria_set = _lock_unfrozen(group.criteria_set)
    if group.criteria.exists() or group.children.exists():
        raise ValidationError(_("The group still holds criteria or subgroups: move or delete them first."))
    _delete_row(group, "group", _group_values(group), criteria_set=criteria_set, by=deleted_by)


def _code_taken(row: CriterionGroup | Criterion, code: str) -> bool:
    """Whether another group (criterion) of the row's set already has this code."""
    others = type(row).objects.filter(criteria_set=row.criteria_set_id, code__iexact=code)
    return others.exclude(pk=row.pk).exists() if row.pk else others.exists()


def _log_row(row_kind: str, change: str, code: str, *, criteria_set: CriteriaSet, by, data: dict) -> None:
    """Log a change to a group or criterion (`row_kind`) on its set's history."""
    if row_kind == "group":
        message = _("%(set)s: group %(code)s")
    else:
        message = _("%(set)s: criterion %(code)s")
    log_action(
        actor=by,
        action=f"criteria.{row_kind}.{change}",
        target=criteria_set,
        message=message % {"set": criteria_set, "code": code},
        data=data,
    )


def _save_row(row, row_kind: str, before: dict, values, *, criteria_set: CriteriaSet, by):
    """Check and save a new or changed group or criterion, and log what changed (`values`: its logged values)."""
    creating = row.pk is None
    row.full_clean(validate_unique=False)
    if not creating:
        row.version += 1
    row.save()
    changes = _changes(before, values(row))
    _log_row(
        row_kind,
        "created" if creating else "updated",
        row.code,
        criteria_set=criteria_set,
        by=by,
        data={row_kind: row.pk, "changes": changes},
    )
    return row


def _delete_row(row, row_kind: str, values: dict, *, criteria_set: CriteriaSet, by) -> None:
    code = row.code
    row.delete()
    _log_row(row_kind, "deleted", code, criteria_set=criteria_set, by=by, data={"removed": values})


#
# Criteria
#


@transaction.atomic
def criterion_save(
    *,
    criteria_set: CriteriaSet,
    criterion: Criterion | None = None,
    data: dict,
    version: int | None = None,
    saved_by,
) -> Criterion:
    """Create (criterion=None) or change a criterion of an unfrozen set. A change is refused when someone else saved
    the criterion since its form was read (`version`, its version then).

    `data`: code, text, group, kind, max_points, metric, comparator, threshold, hard_condition, cap_grade, order.
    A METRIC criterion needs a metric and a threshold; other kinds drop them. CHECK and METRIC criteria may sit
    in a points set (they give their points when met); a met / not met set has no POINTS criteria.
    """
    criteria_set = _lock_unfrozen(criteria_set)
    if criterion is not None and criterion.criteria_set_id != criteria_set.pk:
        raise ValidationError(_("This criterion belongs to another criteria set."))
    if criterion is not None:
        criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
        check_version(criterion, version)
    creating = criterion is None
    criterion = criterion or Criterion(criteria_set=criteria_set)
    before = {} if creating else _criterion_values(criterion)
    errors: dict[str, str] = {}

    code = _normalise_code(data.get("code", criterion.code))
    if _code_taken(criterion, code):
        errors["code"] = _("Another criterion of this set already has this code.")

    text = str(data.get("text", criterion.text) or "").strip()
    if not text:
        errors["text"] = _("Enter the text of the criterion.")

    group = data.get("group", criterion.group if criterion.group_id else None)
    if group is not None and group.criteria_set_id != criteria_set.pk:
        errors["group"] = _("The group must belong to the same set.")

    kind = data.get("kind", criterion.kind)
    if kind not in Criterion.Kind.values:
        errors["kind"] = _("Choose how the criterion is scored.")
    elif kind == Criterion.Kind.POINTS and criteria_set.scoring_mode == CriteriaSet.ScoringMode.CHECKLIST:
        errors["kind"] = _("A met / not met set has no criteria scored by points.")

    max_points = _decimal(data.get("max_points", criterion.max_points), "max_points")
    if max_points is None:
        max_points = Decimal(0)
    if max_points < 0:
        errors["max_points"] = _("The maximum points cannot be negative.")

    metric = data.get("metric", criterion.metric) or ""
    comparator = data.get("comparator", criterion.comparator) or Criterion.Comparator.AT_LEAST
    threshold = _decimal(data.get("threshold", criterion.threshold), "threshold")
    if kind == Criterion.Kind.METRIC:
        if metric not in Criterion.Metric.values:
            errors["metric"] = _("Choose the figure this criterion is computed from.")
        if comparator not in Criterion.Comparator.values:
            errors["comparator"] = _("Choose how the figure is compared with the threshold.")
        if threshold is None:
            errors["threshold"] = _("A criterion computed from the data needs a threshold.")
        elif threshold < 0:
            errors["threshold"] = _("The threshold cannot be negative.")
    else:
        # Only computed criteria compare a figure with a threshold; keep the others clean.
        metric, comparator, threshold = "", Criterion.Comparator.AT_LEAST, None

    hard_condition = bool(data.get("hard_condition", criterion.hard_condition))
    cap_grade = (data.get("cap_grade", criterion.cap_grade) or "").strip().upper()
    if cap_grade and cap_grade not in Grade.values:
        errors["cap_grade"] = _("Choose one of the four grades, or leave it empty.")
    elif cap_grade and not hard_condition:
        errors["cap_grade"] = _("A grade limit applies only to a hard condition.")

    if errors:
        raise ValidationError(errors)

    criterion.code = code
    criterion.text = text
    criterion.group = group
    criterion.kind = kind
    criterion.max_points = max_points
    criterion.metric = metric
    criterion.comparator = comparator
    criterion.threshold = threshold
    criterion.hard_condition = hard_condition
    criterion.cap_grade = cap_grade
    criterion.order = int(data.get("order", criterion.order) or 0)
    return _save_row(criterion, "criterion", before, _criterion_values, criteria_set=criteria_set, by=saved_by)


@transaction.atomic
def criterion_delete(*, criterion: Criterion, deleted_by) -> None:
    """Delete a criterion of an unfrozen set."""
    criteria_set = _lock_unfrozen(criterion.criteria_set)
    _delete_row(criterion, "criterion", _criterion_values(criterion), criteria_set=criteria_set, by=deleted_by)


#
# Differences between two sets
#


def _plain(value):
    """A JSON-friendly value for the audit log and the diff (Decimals as normalised strings)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value.normalize())
    if isinstance(value, list):
        return list(value)
    return value


def _set_values(criteria_set: CriteriaSet) -> dict:
    values = {field: _plain(getattr(criteria_set, field)) for field in SET_FIELDS if field != "basis"}
    values["basis"] = criteria_set.basis.number if criteria_set.basis_id else None
    return values


def _group_values(group: CriterionGroup) -> dict:
    return {
        "code": group.code,
        "title": group.title,
        "parent": group.parent.code if group.parent_id else "",
        "order": group.order,
    }


def _criterion_values(criterion: Criterion) -> dict:
    return {
        "code": criterion.code,
        "group": criterion.group.code if criterion.group_id else "",
        "text": criterion.text,
        "kind": criterion.kind,
        "max_points": _plain(criterion.max_points),
        "metric": criterion.metric,
        "comparator": criterion.comparator,
        "threshold": _plain(criterion.threshold),
        "hard_condition": criterion.hard_condition,
        "cap_grade": criterion.cap_grade,
        "order": criterion.order,
    }


def _changes(before: dict, after: dict) -> dict:
    return {key: [before.get(key), after[key]] for key in after if before.get(key) != after[key]}


def _field_changes(before: dict, after: dict, fields) -> list[dict]:
    return [
        {"field": field, "before": before[field], "after": after[field]}
        for field in fields
        if before[field] != after[field]
    ]


def _compare(old_rows: dict[str, dict], new_rows: dict[str, dict], fields) -> dict:
    added = [new_rows[code] for code in new_rows if code not in old_rows]
    removed = [old_rows[code] for code in old_rows if code not in new_rows]
    changed = []
    for code, new in new_rows.items():
        old = old_rows.get(code)
        if old is None:
            continue
        changes = _field_changes(old, new, fields)
        if changes:
            changed.append({"code": code, "before": old, "after": new, "changes": changes})
    return {"added": added, "removed": removed, "changed": changed}


def criteria_set_diff(*, old: CriteriaSet, new: CriteriaSet) -> dict:
    """What changed from `old` to `new`, matching groups and criteria by code.

    Returns {"set": [changes], "groups": {...}, "criteria": {...}}; each of "groups" and "criteria" has "added" and
    "removed" (lists of value dicts) and "changed" (code, before, after, and "changes": [{field, before, after}]).
    Values are plain (codes, choice values, Decimals as strings), as in the audit log.
    """

    def groups_of(criteria_set):
        rows = criteria_set.groups.select_related("parent").order_by("order", "code")
        return {group.code: _group_values(group) for group in rows}

    def criteria_of(criteria_set):
        rows = criteria_set.criteria.select_related("group").order_by("order", "code")
        return {criterion.code: _criterion_values(criterion) for criterion in rows}

    return {
        "set": _field_changes(_set_values(old), _set_values(new), SET_FIELDS),
        "groups": _compare(groups_of(old), groups_of(new), GROUP_FIELDS),
        "criteria": _compare(criteria_of(old), criteria_of(new), CRITERION_FIELDS),
    }
