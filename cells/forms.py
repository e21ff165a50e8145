"""Input validation and normalisation only; rules live in cells/services.py."""

import datetime
import re
import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cells import formats
from cells.models import Organization, RoleAssignment
from cells.names import OrganizationChoiceField

# What a date box accepts: dd/mm/yyyy (also d/m/yyyy, with "-" or "." between), the 8 digits ddmmyyyy that a phone's
# numeric keypad types, and the ISO yyyy-mm-dd of older pages and clients.
_DATE_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_DATE_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DATE_PATTERN = r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{8}|\d{4}-\d{1,2}-\d{1,2}"


def parse_date(raw) -> datetime.date | None:
    """A typed date, None when empty; ValueError when the text is not a date or the day does not exist
    (31/02/2026)."""
    text = "".join(str(raw or "").split())
    if not text:
        return None
    if match := _DATE_DMY.fullmatch(text) or _DATE_DIGITS.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _DATE_ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"not a date: {raw!r}")
    return datetime.date(year, month, day)  # raises ValueError for 31/02, month 13, year 0


class DateInput(forms.DateInput):
    """A date typed and shown as dd/mm/yyyy whatever the browser's language (a native date box follows the
    browser's locale: an English browser showed 12/03/2026 for 3 December). A text box with the numeric keypad."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "inputmode": "numeric",
            "pattern": DATE_PATTERN,
            "placeholder": "dd/mm/yyyy",
            "autocomplete": "off",
            "maxlength": "10",
            "class": "date-input",
            "title": _("Day/month/year, e.g. 03/12/2026"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return formats.date_vn(value)
        return super().format_value(value)


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy (or ddmmyyyy, or the ISO yyyy-mm-dd), refused in Vietnamese when the day does not
    exist in the calendar."""

    widget = DateInput
    default_error_messages = {
        "invalid": _(
            "“%(value)s” is not a date in the calendar: type the day, month and year as dd/mm/yyyy, e.g. 03/12/2026."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(value)
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": str(value)[:20]}
            ) from None


class SubmitOnceForm(forms.Form):
    """A form that takes effect once: it carries a token made when it is shown, so that the same form sent twice
    (a double click, a resent request) lands on the first one's result (cells.concurrency.submit_once, through
    cells.forms_pages.save_form). Every form that creates something derives from it."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


class EditForm(SubmitOnceForm):
    """A form that edits an existing row: it also carries the version of the row it was shown with (put it in the
    form's initial), which the service compares with the row's version under a row lock (cells.concurrency).
    Text, not a number field: a missing or malformed version is the service's to refuse, like a stale one, with a
    message the user sees (a hidden field's own error would not show)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)


class OrganizationForm(EditForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    code = forms.CharField(label=_("Code"), max_length=50, help_text=Organization._meta.get_field("code").help_text)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    unit_type = forms.ChoiceField(label=_("Host unit type"), choices=Organization.UnitType.choices)
    host_unit_name = forms.CharField(label=_("Host unit name"), max_length=255, required=False)
    founded_on = DateField(label=_("Founded on"), required=False, widget=DateInput())


class MoveForm(SubmitOnceForm):
    new_parent = OrganizationChoiceField(label=_("New parent organisation"), queryset=Organization.objects.none())

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["new_parent"].queryset = parents


class DissolveForm(SubmitOnceForm):
    dissolved_on = DateField(label=_("Dissolved on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason or decision"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(SubmitOnceForm):
    target = OrganizationChoiceField(label=_("Merge into"), queryset=Organization.objects.none())
    merged_on = DateField(label=_("Merged on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason or decision"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["target"].queryset = targets


class RoleGrantForm(SubmitOnceForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=RoleAssignment.Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return get_user_model().objects.get(username__iexact=username)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(_("There is no user with this user name.")) from None


class UserCreateForm(SubmitOnceForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, max_length=128)
    role = forms.ChoiceField(label=_("Role"), choices=RoleAssignment.Role.choices)


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form; cells.auth refuses it early when the user name or address is locked out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again."),
    }
