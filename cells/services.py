"""Writes to the organisation tree. Every rule is checked here, inside one transaction."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import figcache, hooks
from cells.concurrency import check_version
from cells.models import AuditEntry, Organization, RoleAssignment
from cells.permissions import ROLE_NODE_KINDS
from cells.text import one_line

User = get_user_model()

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


def required_line(value, field: str, missing: str) -> str:
    """A required text of one line: `value` with its runs of whitespace made one space, refused on `field` with
    the message `missing` when nothing is left."""
    text = one_line(value)
    if not text:
        raise ValidationError({field: missing})
    return text


def log_action(
    *,
    actor,
    action: str,
    organization: Organization | None = None,
    target=None,
    message: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Record who did what (pretix `log_action`). Action codes are dotted and past tense."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        organization=organization,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        message=message[:1000],
        data=data or {},
    )


def _normalise_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationError(
            {"code": _("The code may contain only letters without accents, digits, dots, dashes and underscores.")}
        )
    return code


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    taken = Organization.objects.filter(code__iexact=code)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"code": _("The code %(code)s is already used by another organisation.") % {"code": code}}
        )


def _check_kind_under(kind: str, parent: Organization | None) -> None:
    allowed = Organization.ALLOWED_PARENTS[Organization.Kind(kind)]
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        if parent is None:
            message = _("A %(kind)s cannot be a top-level organisation.") % {"kind": Organization.Kind(kind).label}
        else:
            message = _("A %(kind)s cannot be placed under a %(parent_kind)s.") % {
                "kind": Organization.Kind(kind).label,
                "parent_kind": Organization.Kind(parent_kind).label,
            }
        raise ValidationError({"kind": message})


def _check_active(organization: Organization, field: str = "parent") -> None:
    if not organization.is_active:
        raise ValidationError(
            {field: _("%(name)s has been dissolved; nothing can be added to it.") % {"name": organization.name}}
        )


def organization_create(
    *,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    unit_type: str = Organization.UnitType.OTHER,
    host_unit_name: str = "",
    founded_on: datetime.date | None = None,
    created_by,
) -> Organization:
    """Create a node under `parent` (None only for a root). Checks the kind rules and a free code."""
    code = _normalise_code(code)
    if parent is not None:
        _check_active(parent)
    _check_kind_under(kind, parent)
    organization = Organization(
        parent=parent,
        name=one_line(name),
        code=code,
        kind=kind,
        unit_type=unit_type,
        host_unit_name=one_line(host_unit_name),
        founded_on=founded_on,
    )
    organization.refresh_search_text()
    organization.full_clean(exclude=["code", "path", "search_text"])
    with transaction.atomic():
        if parent is not None:
            # Lock the parent so that a concurrent dissolution cannot leave an active child under it.
            parent = Organization.objects.select_for_update().get(pk=parent.pk)
            _check_active(parent)
            organization.parent = parent
        _check_code_free(code)
        organization.save()
        organization.path = f"{parent.path if parent else '/'}{organization.pk}/"
        organization.depth = parent.depth + 1 if parent else 0
        organization.save(update_fields=["path", "depth"])
        log_action(
            actor=created_by,
            action="cells.organization.created",
            organization=organization,
            target=organization,
            message=organization.name,
        )
    return organization


def organization_update(
    *,
    organization: Organization,
    name: str,
    code: str,
    kind: str,
    unit_type: str,
    host_unit_name: str,
    founded_on: datetime.date | None,
    version: int | None,
    updated_by,
) -> Organization:
    """Rename or re-describe a node. A change of kind must still fit its parent and its children.

    `version` is the organisation's version when the form was read: refused when someone else saved it since."""
    code = _normalise_code(code)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        check_version(organization, version)
        before = {
            f: str(getattr(organization, f) or "") for f in ("name", "code", "kind", "unit_type", "host_unit_name")
        }
        shown = ("name", "code", "kind", "founded_on")  # what the cached subtree figures show or count by
        shown_before = [getattr(organization, f) for f in shown]
        if kind != organization.kind:
            _check_kind_under(kind, organization.parent)
            child_kinds = set(organization.children.values_list("kind", flat=True))
            for child_kind in child_kinds:
                if kind not in Organization.ALLOWED_PARENTS[Organization.Kind(child_kind)]:
                    raise ValidationError(
                        {
                            "kind": _("Its subordinate organisations (%(child_kind)s) cannot sit under a %(kind)s.")
                            % {"child_kind": Organization.Kind(child_kind).label, "kind": Organization.Kind(kind).label}
                        }
                    )
            if organization.is_cell and kind not in Organization.CELL_KINDS:
                members = hooks.members_on_roll(organization)
                if members:
                    raise ValidationError(
                        {
                            "kind": _(
                                "It still has %(count)s party members on its roll; only a party cell can hold members."
                            )
                            % {"count": members}
                        }
                    )

            misfits = sorted(
                {
                    r
                    for r in organization.role_assignments.values_list("role", flat=True)
                    if kind not in ROLE_NODE_KINDS[r]
                }
            )
            if misfits:
                raise ValidationError(
                    {
                        "kind": _("Roles held here (%(roles)s) cannot be held at a %(kind)s; revoke them first.")
                        % {
                            "roles": ", ".join(str(RoleAssignment.Role(r).label) for r in misfits),
                            "kind": Organization.Kind(kind).label,
                        }
                    }
                )
        _check_code_free(code, exclude_pk=organization.pk)
        organization.name = one_line(name)
        organization.code = code
        organization.kind = kind
        organization.unit_type = unit_type
        organization.host_unit_name = one_line(host_unit_name)
        organization.founded_on = founded_on
        organization.refresh_search_text()
        organization.full_clean(exclude=["code", "path", "search_text", "parent", "merged_into"])
        organization.version += 1
        # An untouched save changes no figure: the cached ones stay (cells/figcache.py, tree_changed).
        organization._figures_unchanged = shown_before == [getattr(organization, f) for f in shown]
        organization.save(
            update_fields=[
                "name",
                "code",
                "kind",
                "unit_type",
                "host_unit_name",
                "founded_on",
                "search_text",
                "version",
                "updated_at",
            ]
        )
        after = {f: str(getattr(organization, f) or "") for f in before}
        changes = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
        if changes:
            log_action(
                actor=updated_by,
                action="cells.organization.updated",
                organization=organization,
                target=organization,
                message=organization.name,
                data={"changes": changes},
            )
    return organization


def _rewrite_subtree(organization: Organization, new_parent: Organization) -> None:
    """Move `organization` and everything below it under `new_parent`: two UPDATE statements."""
    old_path = organization.path
    new_path = f"{new_parent.path}{organization.pk}/"
    depth_delta = new_parent.depth + 1 - organization.depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    Organization.objects.filter(pk=organization.pk).update(parent=new_parent, updated_at=timezone.now())
    figcache.touch_tree()  # the UPDATEs send no signal
    organization.refresh_from_db(fields=["path", "depth", "parent"])


def organization_move(*, organization: Organization, new_parent: Organization, moved_by) -> Organization:
    """Move a node with its whole subtree. Refuses cycles and kind mismatches; rewrites every path at once."""
    with transaction.atomic():
        # Lock both rows so two concurrent moves cannot interleave their path rewrites.
        locked = {
            o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[organization.pk, new_parent.pk])
        }
        organization, new_parent = locked[organization.pk], locked[new_parent.pk]
        if new_parent.pk == organization.pk or new_parent.path.startswith(organization.path):
            raise ValidationError(
                {"new_parent": _("An organisation cannot be moved under itself or under one of its own subordinates.")}
            )
        if organization.parent_id == new_parent.pk:
            raise ValidationError(
                {"new_parent": _("The organisation is already directly under %(name)s.") % {"name": new_parent.name}}
            )
        _check_active(organization, "new_parent")
        _check_active(new_parent, "new_parent")
        try:
            _check_kind_under(organization.kind, new_parent)
        except ValidationError as error:
            raise ValidationError({"new_parent": error.message_dict["kind"]}) from None
        old_parent = organization.parent
        _rewrite_subtree(organization, new_parent)
        log_action(
            actor=moved_by,
            action="cells.organization.moved",
            organization=organization,
            target=organization,
            message=_("Moved from %(old)s to %(new)s") % {"old": old_parent, "new": new_parent},
            data={"from": old_parent.pk if old_parent else None, "to": new_parent.pk},
        )
    return organization


def _check_date(day: datetime.date, organization: Organization, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if organization.founded_on and day < organization.founded_on:
        raise ValidationError({field: _("The date cannot be before the organisation was founded.")})


def organization_dissolve(
    *, organization: Organization, dissolved_on: datetime.date, reason: str, dissolved_by
) -> Organization:
    """Dissolve a node. It keeps its history; it must first have no active subordinates and no members."""
    reason = required_line(reason, "reason", _("Give the reason or the decision for the dissolution."))
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if not organization.is_active:
            raise ValidationError(_("This organisation has already been dissolved."))
        _check_date(dissolved_on, organization, "dissolved_on")
        active_children = organization.children.filter(dissolved_on__isnull=True).count()
        if active_children:
            raise ValidationError(
                _("It still has %(count)s active subordinate organisations: move, merge or dissolve them first.")
                % {"count": active_children}
            )
        members = hooks.members_on_roll(organization)
        if members:
            raise ValidationError(
                _(
                    "It still has %(count)s party members on its roll: transfer them first, or merge it into another cell."
                )
                % {"count": members}
            )
        organization.dissolved_on = dissolved_on
        organization.dissolution_reason = reason[:500]
        organization.save(update_fields=["dissolved_on", "dissolution_reason", "updated_at"])
        log_action(
            actor=dissolved_by,
            action="cells.organization.dissolved",
            organization=organization,
            target=organization,
            message=reason,
        )
    return organization


def organization_merge(
    *, source: Organization, target: Organization, merged_on: datetime.date, reason: str, merged_by
) -> Organization:
    """Merge `source` into `target` (same kind): its subordinates and members move, then it is dissolved."""
    reason = required_line(reason, "reason", _("Give the reason or the decision for the merger."))
    with transaction.atomic():
        locked = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
        if source.pk == target.pk or len(locked) != 2:
            raise ValidationError({"target": _("Choose another organisation to merge into.")})
        source, target = locked[source.pk], locked[target.pk]
        if not source.is_active:
            raise ValidationError(_("This organisation has already been dissolved."))
        _check_active(target, "target")
        if target.path.startswith(source.path):
            raise ValidationError({"target": _("An organisation cannot be merged into one of its own subordinates.")})
        if source.kind != target.kind:
            raise ValidationError({"target": _("Only organisations of the same kind can be merged.")})
        _check_date(merged_on, source, "merged_on")
        children = list(source.children.filter(dissolved_on__isnull=True).order_by("pk"))
        for child in children:
            _rewrite_subtree(child, target)
        moved_member_ids = hooks.move_members_on_merge(source, target)
        source.dissolved_on = merged_on
        source.merged_into = target
        source.dissolution_reason = reason[:500]
        source.save(update_fields=["dissolved_on", "merged_into", "dissolution_reason", "updated_at"])
        data = {"into": target.pk, "children": [c.pk for c in children], "members": moved_member_ids}
        log_action(
            actor=merged_by,
            action="cells.organization.merged",
            organization=source,
            target=source,
            message=_("Merged into %(target)s: %(reason)s") % {"target": target.name, "reason": reason},
            data=data,
        )
        log_action(
            actor=merged_by,
            action="cells.organization.received_merger",
            organization=target,
            target=target,
            message=_("Received %(source)s by merger") % {"source": source.name},
            data={"from": source.pk, **data},
        )
    return source


#
# Roles
#


def role_grant(*, user, organization: Organization, role: str, granted_by) -> RoleAssignment:
    """Give `user` a role at a node. The role must fit the node's kind (e.g. a secretary sits at a cell)."""

    if role not in RoleAssignment.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if organization.kind not in ROLE_NODE_KINDS[role]:
        raise ValidationError(
            {
                "role": _("The role %(role)s cannot be given at a %(kind)s.")
                % {"role": RoleAssignment.Role(role).label, "kind": organization.get_kind_display()}
            }
        )
    try:
        with transaction.atomic():
            organization = Organization.objects.select_for_update().get(pk=organization.pk)
            _check_active(organization, "organization")
            assignment = RoleAssignment.objects.create(
                user=user, organization=organization, role=role, granted_by=granted_by
            )
            log_action(
                actor=granted_by,
                action="cells.role.granted",
                organization=organization,
                target=assignment,
                message=f"{user.get_username()}: {assignment.get_role_display()}",
            )
    except IntegrityError:
        raise ValidationError(_("This user already has this role at this organisation.")) from None
    return assignment


def role_revoke(*, assignment: RoleAssignment, revoked_by) -> None:
    with transaction.atomic():
        log_action(
            actor=revoked_by,
            action="cells.role.revoked",
            organization=assignment.organization,
            target=assignment,
            message=f"{assignment.user.get_username()}: {assignment.get_role_display()}",
        )
        assignment.delete()


def user_create(*, username: str, full_name: str, password: str, email: str = "", created_by) -> "User":
    """Create a login account. The password is checked against the configured validators."""

    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    parts = one_line(full_name).rsplit(" ", 1)
    user = User(
        username=username, email=email or "", last_name=parts[0] if len(parts) > 1 else "", first_name=parts[-1]
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        log_action(actor=created_by, action="cells.user.created", target=user, message=username)
    return user
