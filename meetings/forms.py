"""Meeting forms: input validation and normalisation only (rules are in meetings/services.py)."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput, EditForm, SubmitOnceForm
from cells.inputs import ID_MAX, YEAR_MAX, YEAR_MIN
from cells.numbers import IntegerField
from meetings.models import Meeting
from meetings.services import regular_meeting_of

# The fields the minutes need before they can be finalised (rule B6, checked by services.finalise_problems): the
# form marks them with * and aria-required (a draft may still be saved without them).
NEEDED_TO_FINALISE = ("location", "presiding", "minute_taker", "content", "conclusion", "vote_for")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class MeetingForm(EditForm):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    period_month = forms.TypedChoiceField(
        label=_("Month it counts for"), coerce=int, choices=[(m, f"{m:02d}") for m in range(1, 13)]
    )
    period_year = IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    date = DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    end_time = forms.TimeField(label=_("End time"), widget=TimeInput())
    location = forms.CharField(label=_("Place"), max_length=255, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=Meeting.Format.choices)
    presiding = forms.ModelChoiceField(label=_("Presiding"), queryset=None, required=False)
    minute_taker = forms.ModelChoiceField(label=_("Minute-taker"), queryset=None, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=500, required=False)
    guests = forms.CharField(label=_("Guests"), max_length=500, required=False)
    upper_attendee = forms.CharField(label=_("Upper-committee member attending"), max_length=255, required=False)
    pre_meeting_on = DateField(label=_("Cell committee prepared it on"), required=False, widget=DateInput())
    documents_sent_on = DateField(label=_("Documents sent to members on"), required=False, widget=DateInput())
    content = forms.CharField(
        label=_("Content"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    discussion = forms.CharField(
        label=_("Discussion"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    conclusion = forms.CharField(
        label=_("Conclusion or resolution"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    vote_for = IntegerField(label=_("Votes for"), min_value=0, max_value=10000, required=False)
    vote_against = IntegerField(label=_("Votes against"), min_value=0, max_value=10000, required=False)
    vote_abstain = IntegerField(label=_("Abstentions"), min_value=0, max_value=10000, required=False)

    def __init__(self, *args, members=None, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization  # given when logging a new meeting: a second one of the month is refused
        self.fields["presiding"].queryset = members
        self.fields["minute_taker"].queryset = members
        today = timezone.localdate()
        self.fields["period_year"].initial = today.year
        for name in NEEDED_TO_FINALISE:
            field = self.fields[name]
            field.widget.attrs["aria-required"] = "true"
            field.label = format_html(
                '{} <span class="text-danger needed-mark" aria-hidden="true">*</span>', field.label
            )

    def clean(self):
        data = super().clean()
        month, year, kind = data.get("period_month"), data.get("period_year"), data.get("kind")
        if self.organization is not None and month and year and kind in Meeting.REGULAR_KINDS:
            existing = regular_meeting_of(self.organization, year, month)
            if existing is not None:
                self.add_error(
                    "period_month",
                    format_html(
                        '{} <a href="{}">{}</a>',
                        gettext("This cell already has a regular meeting for %(month)s/%(year)s.")
                        % {"month": month, "year": year},
                        reverse("meetings:detail", args=[existing.pk]),
                        gettext("Open it"),
                    ),
                )
        return data


class ReasonForm(SubmitOnceForm):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(SubmitOnceForm):
    file = forms.FileField(label=_("Scanned minutes or photo (PDF, JPEG, PNG)"))


def quarter_field(**kwargs) -> forms.TypedChoiceField:
    """An optional quarter (I to IV) of a period's year; the compliance pages and the report requests use it."""
    return forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        **kwargs,
    )


def month_field(**kwargs) -> forms.TypedChoiceField:
    """An optional month (01 to 12) of a period's year."""
    return forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—")] + [(m, f"{m:02d}") for m in range(1, 13)],
        **kwargs,
    )


class PeriodForm(forms.Form):
    """The period of the compliance pages: a year, optionally a month or a quarter."""

    org = IntegerField(required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    year = IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    quarter = quarter_field(widget=forms.Select(attrs={"class": "form-select"}))
    month = month_field(widget=forms.Select(attrs={"class": "form-select"}))
