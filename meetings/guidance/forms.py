"""Input validation and normalisation for monthly content guidance; rules live in meetings/guidance/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import SubmitOnceForm
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.numbers import IntegerField
from meetings.guidance.services import CONTENT_MAX_LENGTH

MONTH_CHOICES = [(month, str(month)) for month in range(1, 13)]


class GuidanceForm(SubmitOnceForm):
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTH_CHOICES, coerce=int)
    year = IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    title = forms.CharField(label=_("Title"), max_length=255)
    content = forms.CharField(
        label=_("Suggested content"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Shown to the cells below when they log the month's meeting."),
    )
