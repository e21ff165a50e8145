from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput, EditForm, SubmitOnceForm
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.numbers import IntegerField
from members.models import ResidenceFeedback


class _FeedbackFields(forms.Form):
    year = IntegerField(label=_("Year assessed"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    received_on = DateField(label=_("Received on"), widget=DateInput())
    residence_organization = forms.CharField(
        label=_("Party organisation where the member lives"),
        max_length=255,
        help_text=_("e.g. Chi bộ tổ dân phố 5, phường Yên Thịnh"),
    )
    assessment = forms.ChoiceField(label=_("Assessment"), choices=ResidenceFeedback.Assessment.choices)
    text = forms.CharField(
        label=_("Feedback"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackCreateForm(SubmitOnceForm, _FeedbackFields):
    pass


class FeedbackEditForm(EditForm, _FeedbackFields):
    pass
