"""The holiday calendar's form: input only; the rules are in cells/holidays/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput, EditForm
from cells.models import Holiday


class HolidayForm(EditForm):
    date = DateField(label=_("Date"), widget=DateInput())
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. Tết Nguyên đán (mùng 1)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Holiday.Kind.choices, initial=Holiday.Kind.DAY_OFF)
    source = forms.CharField(
        label=_("Source"), max_length=300, required=False, help_text=Holiday._meta.get_field("source").help_text
    )
