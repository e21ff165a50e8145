"""Concurrent writes: optimistic locking of edit forms, and forms that take effect once. Used by every app's services
and by cells.forms_pages.

Lost updates. An edit form carries the version of the row it was read at (a hidden `version`: cells.forms.EditForm).
The service re-reads the row under select_for_update and calls `check_version` before changing it: a missing, empty,
malformed or older version raises StaleEdit, a ValidationError that carries the row as it is now, so that the page can
show the current values next to the user's input, which it keeps (cells.forms_pages.apply_service_error). Every save
bumps the version.

Double submits. A form carries a token made when it was shown (a hidden `form_token`: cells.forms.SubmitOnceForm).
`submit_once` writes a SubmittedForm row for the token in the same transaction as the work: a second POST of the same
form waits on the unique token until the first one commits, then finds it and is sent to the first one's result.
Nothing is created (or saved) twice.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import SubmittedForm

VERSION_FIELD = "version"
TOKEN_FIELD = "form_token"
# How long a sent form is remembered: a form resent after that (a page left open for weeks) is taken as new.
SUBMITTED_FORMS_KEPT = datetime.timedelta(days=30)


def stale_message() -> str:
    return _(
        "Someone else saved changes here after you opened this page. The values now saved are shown under the "
        "fields; your input is kept: check it, then save again to apply it."
    )


class StaleEdit(ValidationError):
    """A save based on a stale read. `current` is the row as it is now (locked), `version` its version: the version
    a form must send to save over it."""

    def __init__(self, current, *, version: int, message: str | None = None):
        super().__init__(message or stale_message(), code="stale")
        self.current = current
        self.version = version


def check_version(locked, version, *, field: str = "version", message: str | None = None) -> None:
    """Refuse a save unless `version` (what the form sent) is the version of `locked`, a row just re-read with
    select_for_update inside the saving transaction. Missing, empty or malformed counts as stale."""
    current = getattr(locked, field)
    try:
        fresh = version is not None and str(version).strip() != "" and int(version) == current
    except (TypeError, ValueError):
        fresh = False
    if not fresh:
        raise StaleEdit(locked, version=current, message=message)


def submit_once(*, token, user, work: Callable[[], Any], result_url: Callable[[Any], str]) -> tuple[Any, str, bool]:
    """Run `work()` once per form token, in one transaction with the token's SubmittedForm row.

    Returns (what work returned, `result_url` of it, True) the first time; (None, the first submit's result URL,
    False) when this token was already used. A ValidationError from `work` rolls the token back with the rest, so
    the corrected form can be sent again. No token (a client that did not send the form as shown): just run it.
    """
    if not token or not getattr(user, "is_authenticated", False):
        saved = work()
        return saved, result_url(saved), True
    with transaction.atomic():
        try:
            # A concurrent submit of the same form blocks here until the first one commits (or rolls back).
            with transaction.atomic():
                claim = SubmittedForm.objects.create(token=token, user=user)
        except IntegrityError:
            earlier = SubmittedForm.objects.filter(token=token).first()
            if earlier is None or earlier.user_id != user.pk:
                raise ValidationError(_("This form has already been used: reload the page and try again.")) from None
            return None, earlier.result_url, False
        saved = work()
        claim.result_url = result_url(saved)[:500]
        claim.save(update_fields=["result_url"])
    return saved, claim.result_url, True


def purge_submitted_forms(*, now: datetime.datetime | None = None) -> int:
    """Forget the tokens of forms sent more than SUBMITTED_FORMS_KEPT ago (run daily by Celery beat). Returns how
    many were forgotten."""
    cutoff = (now or timezone.now()) - SUBMITTED_FORMS_KEPT
    deleted, _by_model = SubmittedForm.objects.filter(created_at__lt=cutoff).delete()
    return deleted
