"""Form pages, shared by the views of every app (cells is the bottom layer: anyone may import this).

A form page validates a form, calls one service, and then either redirects with a success message or shows the
page again with the service's refusal on the form. `save_form` is that POST half; `form_page` renders a form page
about an organisation (with its breadcrumbs), `organization_page` any other page about one.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.formats import localize
from django.utils.translation import gettext as _

from cells.concurrency import TOKEN_FIELD, VERSION_FIELD, StaleEdit, submit_once
from cells.selectors import breadcrumbs
from cells.text import one_line


def _comparable(value):
    """A value as compared between the user's input and the saved row (an empty text is no value)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    if isinstance(value, Decimal):
        return value.normalize()
    return "" if value is None else value


def _display(field, value) -> str:
    """How a saved value reads under a form field: choices by their labels."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(field, django_forms.ChoiceField) and not isinstance(field, django_forms.ModelChoiceField):
        labels = {str(key): label for key, label in field.choices}
        if isinstance(value, list | tuple):
            return ", ".join(str(labels.get(str(item), item)) for item in value)
        return str(labels.get(str(value), value))
    return str(localize(value))


def show_current_values(form, error: StaleEdit) -> None:
    """After a save refused as stale: say so at the top, note the value now saved under each field where it differs
    from the user's input (which stays in the form), and give the form the current version, so that saving again
    applies the user's input over what is now saved."""
    form.add_error(None, error.messages)
    cleaned = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if name in (VERSION_FIELD, TOKEN_FIELD) or name not in cleaned or not hasattr(error.current, name):
            continue
        current = getattr(error.current, name)
        if _comparable(current) != _comparable(cleaned[name]):
            note = _("Now saved: %(value)s") % {"value": _display(field, current)}
            field.help_text = f"{note}. {field.help_text}" if field.help_text else note
            form[name].help_text = field.help_text  # the bound field, made by the validation, has its own copy
    if VERSION_FIELD in form.fields and form.is_bound:
        form.data = form.data.copy()
        form.data[form.add_prefix(VERSION_FIELD)] = str(error.version)


def apply_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors on fields, the rest at the top. A save refused as
    stale (cells.concurrency.StaleEdit) also shows the values now saved and keeps the user's input."""
    if isinstance(error, StaleEdit):
        show_current_values(form, error)
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def flash_service_error(request, error: ValidationError) -> None:
    """Show a service's refusal as error messages, for an action without a form page of its own."""
    for message in error.messages:
        messages.error(request, message)


def url_of(target) -> str:
    """What `redirect()` takes (a URL or a view name), or a tuple of its arguments (a view name and its args), as a
    URL."""
    return resolve_url(*target) if isinstance(target, tuple) else resolve_url(target)


def already_sent(request, url: str) -> HttpResponse:
    """The answer to a form sent again (same token): the first one's result, nothing done twice."""
    messages.info(request, _("This form had already been sent: here is its result."))
    return redirect(url)


def once(request, form, work: Callable[[], Any], to) -> tuple[Any, str, bool]:
    """`work()` run once per form shown (cells.concurrency.submit_once on the form's token); `to` (a target as
    url_of takes it, or a callable of what `work` returned) is where its result is. Returns (what `work` returned,
    the result URL, True), or (None, the first submit's result URL, False) for a form sent again."""
    return submit_once(
        token=form.cleaned_data.get(TOKEN_FIELD),
        user=request.user,
        work=work,
        result_url=lambda saved: url_of(to(saved) if callable(to) else to),
    )


def save_form(
    request,
    form,
    save: Callable[[dict], Any],
    *,
    message: str | Callable[[Any], str] | None,
    to: Any,
) -> HttpResponse | None:
    """The POST half of a form page.

    For a valid POST of `form`, call `save(data)` (the service) with the form's cleaned data, less its form token.
    When it raises a ValidationError the error goes onto the form and None is returned, so the view renders the page
    again; otherwise flash `message` (if any) and redirect to `to`: what `redirect()` takes (a URL), or a tuple of
    its arguments (a view name and its args). `message` and `to` may instead be callables of what `save` returned
    (e.g. the object it created). None as well on GET and for an invalid form.

    A form with a token (cells.forms.SubmitOnceForm) takes effect once: sent again, e.g. by a double click, it is
    redirected to the first one's result and `save` is not called (cells.concurrency.submit_once).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    data = {name: value for name, value in form.cleaned_data.items() if name != TOKEN_FIELD}
    try:
        saved, url, first = once(request, form, lambda: save(data), to)
    except ValidationError as error:
        apply_service_error(form, error)
        return None
    if not first:
        return already_sent(request, url)
    if message is not None:
        messages.success(request, message(saved) if callable(message) else message)
    return redirect(url)


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
