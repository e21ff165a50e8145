"""Thin views: load through the access module, validate a form, call one service, redirect or render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cells import forms, selectors, services
from cells.models import AuditEntry, Organization, RoleAssignment
from cells.permissions import (
    EDIT_MEMBERS,
    MANAGE_ROLES,
    MANAGE_TREE,
    REPORTS,
    VIEW,
    VIEW_SENSITIVE,
    get_access,
    get_organization_for_user,
    organizations_visible_to,
    scope_filter,
)


def apply_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors on fields, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


#
# Home
#


def home(request):
    from cells.home import home_context

    context = home_context(request.user)
    return render(request, "cells/home.html", context)


#
# Tree
#


TREE_FULL_LIMIT = 1000  # up to this many visible organisations the tree is shown whole
TREE_PAGE = 100  # rows per page when it is not
TREE_SEARCH_LIMIT = 200
CHILDREN_PAGE = 100  # subordinate organisations per page on an organisation's page


@require_GET
def tree(request):
    """The organisation tree. Whole when it is small (a bloc of a few hundred organisations); above
    TREE_FULL_LIMIT, the top organisations and their direct children, paged, each with the number of
    organisations below it (its page opens the next level), and search runs in the database."""
    access = get_access(request.user)
    if not access.has_tree_access:
        raise PermissionDenied
    include_dissolved = request.GET.get("dissolved") == "1"
    query = request.GET.get("q", "").strip()[:100]
    visible = organizations_visible_to(request.user)
    if not include_dissolved:
        visible = visible.filter(dissolved_on__isnull=True)
    size = visible.count()
    context = {"q": query, "include_dissolved": include_dissolved, "size": size, "big": size > TREE_FULL_LIMIT}
    context["page_query"] = "dissolved=1" if include_dissolved else ""
    if not context["big"]:
        rows = selectors.organization_tree(user=request.user, include_dissolved=include_dissolved)
        if query:
            rows = selectors.tree_search(rows, query)
    elif query:
        rows, context["more"] = selectors.tree_search_in_database(
            user=request.user, query=query, include_dissolved=include_dissolved, limit=TREE_SEARCH_LIMIT
        )
    else:
        rows, pages = [], []
        for top in selectors.tree_tops(user=request.user):
            page = Paginator(
                selectors.child_nodes(user=request.user, root=top, include_dissolved=include_dissolved), TREE_PAGE
            ).get_page(request.GET.get("page"))
            top_row, children = selectors.children_overview(
                user=request.user, root=top, children=page.object_list, include_dissolved=include_dissolved
            )
            selectors.fill_member_counts(
                top_row,
                children,
                user=request.user,
                include_dissolved=include_dissolved,
                with_total=False,  # the top of a big tree: its own page and the home page give the total
            )
            top_row.descendant_count = None
            rows += [top_row, *children]
            pages.append(page)
        # One page number for every top (several only for a user with grants in separate subtrees).
        context["page"] = max(pages, key=lambda page: page.paginator.num_pages, default=None)
    context.update(rows=rows, total=len(rows))
    return render(request, "cells/tree.html", context)


@require_GET
def organization_detail(request, pk):
    from members.models import Member

    organization = get_organization_for_user(request.user, pk, action=VIEW)
    access = get_access(request.user)
    children_page = Paginator(
        selectors.child_nodes(user=request.user, root=organization, include_dissolved=True), CHILDREN_PAGE
    ).get_page(request.GET.get("children"))
    subtree_row, direct_children = selectors.children_overview(
        user=request.user, root=organization, children=children_page.object_list, include_dissolved=True
    )
    selectors.fill_member_counts(subtree_row, direct_children, user=request.user, include_dissolved=True)
    children_page.object_list = direct_children
    members_page = None
    if organization.is_cell:
        members = Member.objects.filter(organization=organization).order_by("sort_key", "id")
        members_page = Paginator(members, 50).get_page(request.GET.get("page"))
    committee = (
        organization.positions.filter(ended_on__isnull=True)
        .select_related("member")
        .order_by("role", "member__sort_key")
    )
    history = AuditEntry.objects.filter(organization=organization).select_related("actor")[:20]
    from django.db.models import Q

    from members.models import Transfer
    from members.selectors import probation_alerts

    transfers = (
        Transfer.objects.filter(Q(from_organization=organization) | Q(to_organization=organization))
        .select_related("member", "from_organization", "to_organization")
        .order_by("-decided_on", "-id")[:20]
    )
    temporary = (
        Transfer.objects.filter(to_organization=organization, kind=Transfer.Kind.TEMPORARY, ended_on__isnull=True)
        .select_related("member", "from_organization")
        .order_by("member_name", "id")
    )
    return render(
        request,
        "cells/organization_detail.html",
        {
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "subtree": subtree_row,
            "children": children_page,
            "warnings": selectors.structure_warnings(organization=organization),
            "members_page": members_page,
            "committee": committee,
            "history": history,
            "transfers": transfers,
            "temporary": temporary if organization.is_cell else [],
            "probation_alerts": probation_alerts(user=request.user, organization=organization, limit=20),
            "can_edit_members": access.can(EDIT_MEMBERS, organization),
            "can_manage_tree": access.can(MANAGE_TREE, organization),
            "can_manage_roles": access.can(MANAGE_ROLES, organization),
            "can_report": access.can(REPORTS, organization),
            "can_view_sensitive": access.can(VIEW_SENSITIVE, organization),
        },
    )


def _organization_initial(organization: Organization) -> dict:
    return {
        "name": organization.name,
        "code": organization.code,
        "kind": organization.kind,
        "unit_type": organization.unit_type,
        "host_unit_name": organization.host_unit_name,
        "founded_on": organization.founded_on,
    }


def organization_create(request, pk):
    parent = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    allowed_kinds = [k for k, parents in Organization.ALLOWED_PARENTS.items() if parent.kind in parents]
    form = forms.OrganizationForm(request.POST or None, initial={"kind": allowed_kinds[0] if allowed_kinds else None})
    form.fields["kind"].choices = [(k.value, k.label) for k in allowed_kinds]
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(parent=parent, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": organization.name})
            return redirect("cells:detail", organization.pk)
    return render(
        request,
        "cells/organization_form.html",
        {
            "form": form,
            "organization": parent,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=parent),
            "title": _("New organisation under %(name)s") % {"name": parent.name},
        },
    )


def organization_edit(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    form = forms.OrganizationForm(request.POST or None, initial=_organization_initial(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(organization=organization, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cells:detail", organization.pk)
    return render(
        request,
        "cells/organization_form.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "title": _("Edit %(name)s") % {"name": organization.name},
        },
    )


def _manageable(request):
    return organizations_visible_to(request.user, action=MANAGE_TREE).filter(dissolved_on__isnull=True)


def organization_move(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    allowed_parent_kinds = [k for k in Organization.ALLOWED_PARENTS[Organization.Kind(organization.kind)] if k]
    parents = (
        _manageable(request)
        .filter(kind__in=allowed_parent_kinds)
        .exclude(path__startswith=organization.path)
        .exclude(pk=organization.parent_id)
        .order_by("name")
    )
    form = forms.MoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(
                organization=organization, new_parent=form.cleaned_data["new_parent"], moved_by=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Moved %(name)s.") % {"name": organization.name})
            return redirect("cells:detail", organization.pk)
    return render(
        request,
        "cells/organization_action.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "title": _("Move %(name)s with its subordinate organisations") % {"name": organization.name},
            "submit_label": _("Move"),
        },
    )


def organization_dissolve(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    form = forms.DissolveForm(request.POST or None, initial={"dissolved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_dissolve(organization=organization, dissolved_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("%(name)s has been dissolved. Its history stays readable.") % {"name": organization.name}
            )
            return redirect("cells:detail", organization.pk)
    return render(
        request,
        "cells/organization_action.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "title": _("Dissolve %(name)s") % {"name": organization.name},
            "submit_label": _("Dissolve"),
            "danger": True,
        },
    )


def organization_merge(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    targets = (
        _manageable(request).filter(kind=organization.kind).exclude(path__startswith=organization.path).order_by("name")
    )
    form = forms.MergeForm(request.POST or None, targets=targets, initial={"merged_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_merge(source=organization, merged_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("%(name)s has been merged.") % {"name": organization.name})
            return redirect("cells:detail", form.cleaned_data["target"].pk)
    return render(
        request,
        "cells/organization_action.html",
        {
            "form": form,
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "title": _("Merge %(name)s into another organisation") % {"name": organization.name},
            "submit_label": _("Merge"),
            "danger": True,
        },
    )


#
# Roles
#


def role_list(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_ROLES)
    assignments = (
        RoleAssignment.objects.filter(scope_filter(request.user, prefix="organization__", action=MANAGE_ROLES))
        .filter(organization__path__startswith=organization.path)
        .select_related("user", "organization")
        .order_by("organization__path", "role", "user__username")
    )
    page = Paginator(assignments, 100).get_page(request.GET.get("page"))
    grant_form = forms.RoleGrantForm(prefix="grant")
    create_form = forms.UserCreateForm(prefix="create")
    if request.method == "POST":
        if "grant-username" in request.POST:
            grant_form = forms.RoleGrantForm(request.POST, prefix="grant")
            if grant_form.is_valid():
                try:
                    services.role_grant(
                        user=grant_form.cleaned_data["username"],
                        organization=organization,
                        role=grant_form.cleaned_data["role"],
                        granted_by=request.user,
                    )
                except ValidationError as error:
                    apply_service_error(grant_form, error)
                else:
                    messages.success(request, _("The role has been granted."))
                    return redirect("cells:roles", organization.pk)
        else:
            create_form = forms.UserCreateForm(request.POST, prefix="create")
            if create_form.is_valid():
                data = create_form.cleaned_data
                try:
                    from django.db import transaction

                    with transaction.atomic():
                        user = services.user_create(
                            username=data["username"],
                            full_name=data["full_name"],
                            email=data["email"],
                            password=data["password"],
                            created_by=request.user,
                        )
                        services.role_grant(
                            user=user, organization=organization, role=data["role"], granted_by=request.user
                        )
                except ValidationError as error:
                    apply_service_error(create_form, error)
                else:
                    messages.success(
                        request, _("The account %(username)s has been created.") % {"username": user.username}
                    )
                    return redirect("cells:roles", organization.pk)
    return render(
        request,
        "cells/role_list.html",
        {
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "page": page,
            "grant_form": grant_form,
            "create_form": create_form,
        },
    )


@require_POST
def role_revoke(request, pk, assignment_pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_ROLES)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("organization", "user"),
        pk=assignment_pk,
        organization__path__startswith=organization.path,
    )
    if assignment.user_id == request.user.pk and assignment.role == RoleAssignment.Role.STAFF:
        messages.error(request, _("You cannot revoke your own staff role."))
    else:
        services.role_revoke(assignment=assignment, revoked_by=request.user)
        messages.success(request, _("The role has been revoked."))
    return redirect("cells:roles", organization.pk)


#
# Health
#


@never_cache
@login_not_required
@require_GET
def healthz(request):
    """Database, cache and broker status as JSON: 200 when usable, 503 otherwise."""
    from django.conf import settings

    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unusable
        status["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "1", timeout=5)
        status["cache"] = "ok" if cache.get("healthz") == "1" else "error: read back failed"
    except Exception as error:  # noqa: BLE001
        status["cache"] = f"error: {error.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        status["broker"] = "eager"
    else:
        try:
            from config.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            status["broker"] = f"error: {error.__class__.__name__}"
    healthy = all(value in ("ok", "eager") for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    # No context processors here: the database may be the thing that failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
