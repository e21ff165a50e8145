"""Thin views: load through the access module, validate a form, call one service, redirect or render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells import forms, hooks, selectors, services
from cells.forms_pages import form_page, organization_page, save_form
from cells.inputs import choice_param, page_param, text_param
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
    include_dissolved = choice_param(request, "dissolved", ("1",)) == "1"
    query = text_param(request, "q", max_length=100)
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
            ).get_page(page_param(request))
            top_row, children = selectors.children_overview(
                user=request.user, root=top, children=page.object_list, include_dissolved=include_dissolved
            )
            hooks.fill_member_counts(
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
    organization = get_organization_for_user(request.user, pk, action=VIEW)
    access = get_access(request.user)
    children_page = Paginator(
        selectors.child_nodes(user=request.user, root=organization, include_dissolved=True), CHILDREN_PAGE
    ).get_page(page_param(request, "children"))
    subtree_row, direct_children = selectors.children_overview(
        user=request.user, root=organization, children=children_page.object_list, include_dissolved=True
    )
    hooks.fill_member_counts(subtree_row, direct_children, user=request.user, include_dissolved=True)
    children_page.object_list = direct_children
    history = AuditEntry.objects.filter(organization=organization).select_related("actor", "organization")[:20]
    return render(
        request,
        "cells/organization_detail.html",
        {
            "organization": organization,
            "breadcrumbs": selectors.breadcrumbs(user=request.user, organization=organization),
            "subtree": subtree_row,
            "children": children_page,
            "warnings": hooks.structure_warnings(organization=organization),
            "history": history,
            # The roll, the committee, transfers and temporary members: the members layer knows them.
            **hooks.organization_page_context(request, organization),
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
        "version": organization.version,
    }


def _without_version(data: dict) -> dict:
    """A form's data less the version it was read at (which only guards an edit against concurrent saves)."""
    return {name: value for name, value in data.items() if name != "version"}


def organization_create(request, pk):
    parent = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    form = forms.OrganizationForm(request.POST or None)
    return save_form(
        request,
        form,
        lambda data: services.organization_create(parent=parent, created_by=request.user, **_without_version(data)),
        message=lambda organization: _("Created %(name)s.") % {"name": organization.name},
        to=lambda organization: ("cells:detail", organization.pk),
    ) or form_page(
        request,
        "cells/organization_form.html",
        form,
        parent,
        title=_("New organisation under %(name)s") % {"name": parent.name},
    )


def organization_edit(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    form = forms.OrganizationForm(request.POST or None, initial=_organization_initial(organization))
    return save_form(
        request,
        form,
        lambda data: services.organization_update(organization=organization, updated_by=request.user, **data),
        message=_("Saved."),
        to=("cells:detail", organization.pk),
    ) or form_page(
        request,
        "cells/organization_form.html",
        form,
        organization,
        title=_("Edit %(name)s") % {"name": organization.name},
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
    return save_form(
        request,
        form,
        lambda data: services.organization_move(
            organization=organization, new_parent=data["new_parent"], moved_by=request.user
        ),
        message=_("Moved %(name)s.") % {"name": organization.name},
        to=("cells:detail", organization.pk),
    ) or form_page(
        request,
        "cells/organization_action.html",
        form,
        organization,
        title=_("Move %(name)s with its subordinate organisations") % {"name": organization.name},
        submit_label=_("Move"),
    )


def organization_dissolve(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    form = forms.DissolveForm(request.POST or None, initial={"dissolved_on": timezone.localdate()})
    return save_form(
        request,
        form,
        lambda data: services.organization_dissolve(organization=organization, dissolved_by=request.user, **data),
        message=_("%(name)s has been dissolved. Its history stays readable.") % {"name": organization.name},
        to=("cells:detail", organization.pk),
    ) or form_page(
        request,
        "cells/organization_action.html",
        form,
        organization,
        title=_("Dissolve %(name)s") % {"name": organization.name},
        submit_label=_("Dissolve"),
        danger=True,
    )


def organization_merge(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_TREE)
    targets = (
        _manageable(request).filter(kind=organization.kind).exclude(path__startswith=organization.path).order_by("name")
    )
    form = forms.MergeForm(request.POST or None, targets=targets, initial={"merged_on": timezone.localdate()})
    return save_form(
        request,
        form,
        lambda data: services.organization_merge(source=organization, merged_by=request.user, **data),
        message=_("%(name)s has been merged.") % {"name": organization.name},
        to=lambda source: ("cells:detail", source.merged_into_id),
    ) or form_page(
        request,
        "cells/organization_action.html",
        form,
        organization,
        title=_("Merge %(name)s into another organisation") % {"name": organization.name},
        submit_label=_("Merge"),
        danger=True,
    )


#
# Roles
#


def role_list(request, pk):
    organization = get_organization_for_user(request.user, pk, action=MANAGE_ROLES)
    assignments = (
        RoleAssignment.objects.filter(scope_filter(request.user, prefix="organization__", action=MANAGE_ROLES))
        .filter(organization__path__startswith=organization.path)
        .select_related("user", "organization__parent")
        .order_by("organization__path", "role", "user__username")
    )
    page = Paginator(assignments, 100).get_page(page_param(request))
    grant_form = forms.RoleGrantForm(prefix="grant")
    create_form = forms.UserCreateForm(prefix="create")
    saved = None
    if request.method == "POST":
        if "grant-username" in request.POST:
            grant_form = forms.RoleGrantForm(request.POST, prefix="grant")
            saved = save_form(
                request,
                grant_form,
                lambda data: services.role_grant(
                    user=data["username"], organization=organization, role=data["role"], granted_by=request.user
                ),
                message=_("The role has been granted."),
                to=("cells:roles", organization.pk),
            )
        else:
            create_form = forms.UserCreateForm(request.POST, prefix="create")
            saved = save_form(
                request,
                create_form,
                lambda data: _user_create_with_role(request, organization, data),
                message=lambda user: _("The account %(username)s has been created.") % {"username": user.username},
                to=("cells:roles", organization.pk),
            )
    return saved or organization_page(
        request, "cells/role_list.html", organization, page=page, grant_form=grant_form, create_form=create_form
    )


def _user_create_with_role(request, organization, data):
    """The new account and its first role, both or neither."""
    with transaction.atomic():
        user = services.user_create(
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            password=data["password"],
            created_by=request.user,
        )
        services.role_grant(user=user, organization=organization, role=data["role"], granted_by=request.user)
    return user


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


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    # No context processors here: the database may be the thing that failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
