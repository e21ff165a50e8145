"""Criteria sets: bloc-wide reference data.

Anyone with a grant that allows VIEW somewhere (staff, leaders, grassroots committees, cell secretaries) may read
them, since every cell is assessed against them; only holders of MANAGE_TREE (committee staff) copy and edit them.
Members without a role and users without any grant get 403; anonymous users go to the login page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.forms_pages import save_form
from cells.inputs import id_param
from cells.models import Organization
from cells.permissions import MANAGE_TREE, VIEW, get_access, require_anywhere
from criteria import forms, services
from criteria.models import CriteriaSet, Criterion, CriterionGroup, Grade


def _load_set(pk) -> CriteriaSet:
    return get_object_or_404(CriteriaSet.objects.select_related("basis", "copied_from"), pk=pk)


def _refuse_if_frozen(request, criteria_set: CriteriaSet):
    """Editing pages of a frozen set send the user back to the set with the reason (nothing is changed)."""
    if criteria_set.is_frozen:
        messages.error(request, services.frozen_message())
        return redirect("criteria:detail", criteria_set.pk)
    return None


def _set_tree(criteria_set: CriteriaSet) -> tuple[list[dict], list[Criterion]]:
    """The groups of a set in tree order (depth first), each with its own criteria; and the ungrouped criteria.

    Two queries whatever the size of the set.
    """
    groups = list(criteria_set.groups.all())
    criteria = list(criteria_set.criteria.all())
    by_group: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        by_group.setdefault(criterion.group_id, []).append(criterion)
    children: dict[int | None, list[CriterionGroup]] = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    rows: list[dict] = []
    seen: set[int] = set()

    def walk(parent_id, depth):
        for group in children.get(parent_id, []):
            if group.pk in seen:  # defensive: never loop on a broken tree
                continue
            seen.add(group.pk)
            own = by_group.get(group.pk, [])
            rows.append(
                {
                    "group": group,
                    "depth": min(depth, 5),
                    "criteria": own,
                    "points": sum(c.max_points for c in own),
                }
            )
            walk(group.pk, depth + 1)

    walk(None, 0)
    return rows, by_group.get(None, [])


#
# Reading
#


@require_GET
def criteria_set_list(request):
    require_anywhere(request.user, VIEW)
    sets = CriteriaSet.objects.annotate(criteria_count=Count("criteria")).order_by(
        "programme", "-year_from", "name", "-version"
    )
    by_programme: dict[str, list[CriteriaSet]] = {}
    for criteria_set in sets:
        criteria_set.unit_type_labels = (
            _display("unit_types", criteria_set.unit_types) if criteria_set.unit_types else ""
        )
        by_programme.setdefault(criteria_set.programme, []).append(criteria_set)
    sections = [
        {"label": label, "sets": by_programme[value]}
        for value, label in CriteriaSet.Programme.choices
        if value in by_programme
    ]
    return render(
        request,
        "criteria/criteria_set_list.html",
        {"sections": sections, "can_manage": get_access(request.user).can_anywhere(MANAGE_TREE)},
    )


@require_GET
def criteria_set_detail(request, pk):
    require_anywhere(request.user, VIEW)
    criteria_set = _load_set(pk)
    rows, ungrouped = _set_tree(criteria_set)
    total_points = sum(row["points"] for row in rows) + sum(c.max_points for c in ungrouped)
    criteria_count = sum(len(row["criteria"]) for row in rows) + len(ungrouped)
    can_manage = get_access(request.user).can_anywhere(MANAGE_TREE)
    return render(
        request,
        "criteria/criteria_set_detail.html",
        {
            "criteria_set": criteria_set,
            "rows": rows,
            "ungrouped": ungrouped,
            "total_points": total_points,
            "criteria_count": criteria_count,
            "can_manage": can_manage,
            "can_edit": can_manage and not criteria_set.is_frozen,
            "copies": criteria_set.copies.order_by("-version"),
            "unit_type_labels": _display("unit_types", criteria_set.unit_types),
            "org_kind_labels": _display("org_kinds", criteria_set.org_kinds),
        },
    )


@require_GET
def criteria_set_diff(request, pk):
    require_anywhere(request.user, VIEW)
    criteria_set = _load_set(pk)
    against = None
    if against_pk := id_param(request, "against"):
        against = _load_set(against_pk)
    elif criteria_set.copied_from_id:
        against = criteria_set.copied_from
    compare_form = forms.CompareForm(criteria_set=criteria_set, initial={"against": against})
    context = {"criteria_set": criteria_set, "against": against, "compare_form": compare_form, "diff": None}
    if against is not None:
        diff = services.criteria_set_diff(old=against, new=criteria_set)
        context.update(
            diff=diff,
            set_changes=_set_changes_for_display(diff["set"]),
            criterion_changes=_changed_rows_for_display(diff["criteria"]["changed"], Criterion, "text"),
            group_changes=_changed_rows_for_display(diff["groups"]["changed"], CriterionGroup, "title"),
        )
    return render(request, "criteria/criteria_set_diff.html", context)


# Labels of the compared fields, and display values for choice fields, so the diff reads in the UI language.
def _field_label(model, field: str) -> str:
    # These model fields have no verbose_name of their own.
    unnamed = {"group": _("group"), "parent": _("parent group"), "order": _("order")}
    if field in unnamed:
        return unnamed[field]
    return str(model._meta.get_field(field).verbose_name)


def _display(field: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = {
        "kind": Criterion.Kind,
        "metric": Criterion.Metric,
        "comparator": Criterion.Comparator,
        "scoring_mode": CriteriaSet.ScoringMode,
        "cap_grade": Grade,
    }
    if field in choices:
        try:
            return str(choices[field](value).label)
        except ValueError:
            return str(value)
    if field in ("unit_types", "org_kinds"):
        enum = Organization.UnitType if field == "unit_types" else Organization.Kind
        labels = []
        for item in value:
            try:
                labels.append(str(enum(item).label))
            except ValueError:
                labels.append(str(item))
        return ", ".join(labels)
    return str(value)


def _set_changes_for_display(changes: list[dict]) -> list[dict]:
    return [
        {
            "label": _field_label(CriteriaSet, change["field"]),
            "before": _display(change["field"], change["before"]),
            "after": _display(change["field"], change["after"]),
        }
        for change in changes
    ]


def _changed_rows_for_display(changed: list[dict], model, text_field: str) -> list[dict]:
    rows = []
    for item in changed:
        rows.append(
            {
                "code": item["code"],
                "text": item["after"][text_field],
                "changes": [
                    {
                        "field": change["field"],
                        "label": _field_label(model, change["field"]),
                        "before": _display(change["field"], change["before"]),
                        "after": _display(change["field"], change["after"]),
                    }
                    for change in item["changes"]
                ],
            }
        )
    return rows


#
# Copy and edit (committee staff)
#


def _form_page(request, criteria_set: CriteriaSet, form, title: str, **extra):
    return render(
        request,
        "criteria/criteria_form.html",
        {
            "criteria_set": criteria_set,
            "form": form,
            "title": title,
            "cancel_url": reverse("criteria:detail", args=[criteria_set.pk]),
            **extra,
        },
    )


def _managed_set(request, pk) -> CriteriaSet:
    """The set of a page that copies or changes sets: committee staff only."""
    require_anywhere(request.user, MANAGE_TREE)
    return _load_set(pk)


def criteria_set_copy(request, pk):
    criteria_set = _managed_set(request, pk)
    next_year = (criteria_set.year_to or criteria_set.year_from) + 1
    form = forms.CopyForm(request.POST or None, initial={"year_from": next_year})
    return save_form(
        request,
        form,
        lambda data: services.criteria_set_copy(
            criteria_set=criteria_set, year_from=data["year_from"], year_to=data["year_to"], copied_by=request.user
        ),
        message=lambda copy: (
            _("Copied as version %(version)s. Edit the copy, then compare it with the original.")
            % {"version": copy.version}
        ),
        to=lambda copy: ("criteria:detail", copy.pk),
    ) or _form_page(
        request,
        criteria_set,
        form,
        _("Copy %(name)s to a new year") % {"name": criteria_set.name},
        submit_label=_("Copy"),
    )


def criteria_set_edit(request, pk):
    criteria_set = _managed_set(request, pk)
    refused = _refuse_if_frozen(request, criteria_set)
    if refused:
        return refused
    initial = {field: getattr(criteria_set, field) for field in services.SET_FIELDS} | {
        "version": criteria_set.revision
    }
    form = forms.CriteriaSetForm(request.POST or None, initial=initial)
    return save_form(
        request,
        form,
        lambda data: services.criteria_set_update(
            criteria_set=criteria_set, data=data, version=data.get("version"), updated_by=request.user
        ),
        message=_("Saved."),
        to=("criteria:detail", criteria_set.pk),
    ) or _form_page(request, criteria_set, form, _("Edit %(name)s") % {"name": criteria_set.name})


def _next_order(queryset) -> int:
    last = queryset.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def _criterion_page(request, criteria_set: CriteriaSet, criterion: Criterion | None):
    if criterion is None:
        initial = {
            "order": _next_order(criteria_set.criteria),
            "kind": Criterion.Kind.CHECK
            if criteria_set.scoring_mode == CriteriaSet.ScoringMode.CHECKLIST
            else Criterion.Kind.POINTS,
            "max_points": 1 if criteria_set.scoring_mode == CriteriaSet.ScoringMode.CHECKLIST else 0,
            "group": id_param(request, "group"),
        }
    else:
        initial = {
            field: getattr(criterion, field) for field in ("code", *services.CRITERION_FIELDS) if field != "group"
        }
        initial["group"] = criterion.group_id
        initial["version"] = criterion.version
    form = forms.CriterionForm(request.POST or None, initial=initial, criteria_set=criteria_set)
    return _row_saved(
        request,
        criteria_set,
        form,
        initial,
        lambda data: services.criterion_save(
            criteria_set=criteria_set,
            criterion=criterion,
            data=data,
            version=data.get("version"),
            saved_by=request.user,
        ),
        lambda saved: _("Criterion %(code)s saved.") % {"code": saved.code},
        "criterion",
    ) or _form_page(
        request,
        criteria_set,
        form,
        _("New criterion in %(name)s") % {"name": criteria_set.name}
        if criterion is None
        else _("Edit criterion %(code)s") % {"code": criterion.code},
    )


def _row_saved(request, criteria_set: CriteriaSet, form, initial: dict, save, message, anchor: str):
    """The POST half of a group's or criterion's page: save it (an empty order keeps the initial one), then go
    back to the set at the saved row."""

    def save_in_order(data):
        data = dict(data)
        if data["order"] is None:
            data["order"] = initial.get("order") or 0
        return save(data)

    return save_form(
        request,
        form,
        save_in_order,
        message=message,
        to=lambda saved: f"{reverse('criteria:detail', args=[criteria_set.pk])}#{anchor}-{saved.pk}",
    )


def _delete_page(request, criteria_set: CriteriaSet, delete, deleted: str, title: str, text: str, **extra):
    """Confirm, then delete a group or criterion of an unfrozen set and go back to the set; a refusal is a message."""
    refused = _refuse_if_frozen(request, criteria_set)
    if refused:
        return refused
    if request.method == "POST":
        try:
            delete()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, deleted)
        return redirect("criteria:detail", criteria_set.pk)
    return render(
        request,
        "criteria/criteria_confirm_delete.html",
        {"criteria_set": criteria_set, "title": title, "text": text, **extra},
    )


def _managed_row(request, pk, model, row_pk):
    """For the pages that change a set (committee staff only): the set, and its group or criterion `row_pk`
    (None when there is none: a new one)."""
    criteria_set = _managed_set(request, pk)
    row = get_object_or_404(model, pk=row_pk, criteria_set=criteria_set) if row_pk is not None else None
    return criteria_set, row


def criterion_edit(request, pk, criterion_pk=None):
    """Edit a criterion of a set, or add one (no criterion_pk: the criterion_add URL)."""
    criteria_set, criterion = _managed_row(request, pk, Criterion, criterion_pk)
    return _refuse_if_frozen(request, criteria_set) or _criterion_page(request, criteria_set, criterion)


def criterion_delete(request, pk, criterion_pk):
    criteria_set, criterion = _managed_row(request, pk, Criterion, criterion_pk)
    return _delete_page(
        request,
        criteria_set,
        lambda: services.criterion_delete(criterion=criterion, deleted_by=request.user),
        _("Criterion %(code)s deleted.") % {"code": criterion.code},
        _("Delete criterion %(code)s?") % {"code": criterion.code},
        criterion.text,
    )


def _group_page(request, criteria_set: CriteriaSet, group: CriterionGroup | None):
    if group is None:
        initial = {"order": _next_order(criteria_set.groups)}
    else:
        initial = {
            "code": group.code,
            "title": group.title,
            "parent": group.parent_id,
            "order": group.order,
            "version": group.version,
        }
    form = forms.GroupForm(request.POST or None, initial=initial, criteria_set=criteria_set, group=group)
    return _row_saved(
        request,
        criteria_set,
        form,
        initial,
        lambda data: services.group_save(
            criteria_set=criteria_set, group=group, data=data, version=data.get("version"), saved_by=request.user
        ),
        lambda saved: _("Group %(code)s saved.") % {"code": saved.code},
        "group",
    ) or _form_page(
        request,
        criteria_set,
        form,
        _("New group in %(name)s") % {"name": criteria_set.name}
        if group is None
        else _("Edit group %(code)s") % {"code": group.code},
    )


def group_edit(request, pk, group_pk=None):
    """Edit a group of a set, or add one (no group_pk: the group_add URL)."""
    criteria_set, group = _managed_row(request, pk, CriterionGroup, group_pk)
    return _refuse_if_frozen(request, criteria_set) or _group_page(request, criteria_set, group)


def group_delete(request, pk, group_pk):
    criteria_set, group = _managed_row(request, pk, CriterionGroup, group_pk)
    return _delete_page(
        request,
        criteria_set,
        lambda: services.group_delete(group=group, deleted_by=request.user),
        _("Group %(code)s deleted.") % {"code": group.code},
        _("Delete group %(code)s?") % {"code": group.code},
        group.title,
        blocked=lambda: group.criteria.exists() or group.children.exists(),  # read by the confirmation page only
    )
