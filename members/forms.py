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


class MemberFilterForm(forms.Form):
    """The filters of the member list; every value is optional and bad values are simply ignored."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.MultipleChoiceField(label=_("Status"), choices=Member.Status.choices, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("All")), *Member.Gender.choices], required=False)
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=[
            ("", _("All")),
            ("u30", _("Under 30")),
            ("30-45", "30–45"),
            ("45-60", "45–60"),
            ("60+", _("60 and over")),
        ],
        required=False,
    )
    admission_year = forms.IntegerField(label=_("Admission year"), min_value=1930, max_value=2100, required=False)
    position = forms.ChoiceField(label=_("Position"), choices=[("", _("All"))], required=False)

    def __init__(self, *args, **kwargs):
        from members.models import Position

        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [("", _("All")), *Position.Role.choices]
