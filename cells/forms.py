"""Input validation and normalisation only; rules live in cells/services.py."""

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cells.models import Organization, RoleAssignment


class DateInput(forms.DateInput):
    """A native date picker (phones show their own calendar); the value travels as ISO yyyy-mm-dd."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())


class MoveForm(SubmitOnceForm):
    new_parent = forms.ModelChoiceField(label=_("New parent organisation"), queryset=Organization.objects.none())

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["new_parent"].queryset = parents


class DissolveForm(SubmitOnceForm):
    dissolved_on = forms.DateField(label=_("Dissolved on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason or decision"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(SubmitOnceForm):
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Organization.objects.none())
    merged_on = forms.DateField(label=_("Merged on"), widget=DateInput())
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
