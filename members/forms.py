from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import DateInput
from members.models import Member


class MemberCreateForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (Member.Status.PROBATIONARY, Member.Status.FULL)],
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Member.Gender.choices], required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    admitted_on = forms.DateField(label=_("Admission date"), required=False, widget=DateInput())
    official_on = forms.DateField(label=_("Full membership date"), required=False, widget=DateInput())
    party_card_no = forms.CharField(label=_("Party card number"), max_length=20, required=False)
