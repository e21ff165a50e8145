"""Form pages, shared by the views of every app (cells is the bottom layer: anyone may import this).

A form page validates a form, calls one service, and then either redirects with a success message or shows the
page again with the service's refusal on the form. `save_form` is that POST half; `form_page` renders a form page
about an organisation (with its breadcrumbs), `organization_page` any other page about one.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cells.selectors import breadcrumbs


def apply_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors on fields, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def flash_service_error(request, error: ValidationError) -> None:
    """Show a service's refusal as error messages, for an action without a form page of its own."""
    for message in error.messages:
        messages.error(request, message)


def save_form(
    request,
    form,
    save: Callable[[dict], Any],
    *,
    message: str | Callable[[Any], str],
    to: Any,
) -> HttpResponse | None:
    """The POST half of a form page.

    For a valid POST of `form`, call `save(form.cleaned_data)` (the service). When it raises a ValidationError the
    error goes onto the form and None is returned, so the view renders the page again; otherwise flash `message` and
    redirect to `to`: what `redirect()` takes (a URL), or a tuple of its arguments (a view name and its args).
    `message` and `to` may instead be callables of what `save` returned (e.g. the object it created).
    None as well on GET and for an invalid form.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        apply_service_error(form, error)
        return None
    messages.success(request, message(saved) if callable(message) else message)
    target = to(saved) if callable(to) else to
    return redirect(*target) if isinstance(target, tuple) else redirect(target)


def organization_page(request, template_name: str, organization, /, **context) -> HttpResponse:
    """A page about `organization` (or a part of it), under its breadcrumbs; `context` adds the rest."""
    return render(
        request,
        template_name,
        {
            "organization": organization,
            "breadcrumbs": breadcrumbs(user=request.user, organization=organization),
            **context,
        },
    )


def form_page(request, template_name: str, form, organization, /, **context) -> HttpResponse:
    """A form page about `organization`, with its breadcrumbs; `context` adds the title, submit_label, danger..."""
    return organization_page(request, template_name, organization, form=form, **context)
