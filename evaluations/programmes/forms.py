"""The forms of the model-cell programme pages (input validation only; the services check the rest)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from cells.forms import DateField, DateInput, EditForm, SubmitOnceForm
from cells.inputs import ID_MAX, YEAR_MAX, YEAR_MIN
from cells.numbers import IntegerField
from evaluations.programmes.services import PROGRAMMES
from evaluations.review.forms import confirm_field

PROGRAMME_CHOICES = [(p.value, p.label) for p in PROGRAMMES]


class CoverageFilterForm(forms.Form):
    org = IntegerField(required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), choices=PROGRAMME_CHOICES, required=False)
    year = IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)


class RegistrationForm(SubmitOnceForm):
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), choices=PROGRAMME_CHOICES)
    phase_start = IntegerField(label=gettext_lazy("Phase from"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    phase_end = IntegerField(label=gettext_lazy("Phase to"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    reference_years = forms.CharField(
        label=gettext_lazy("Reference years"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("e.g. 2020, 2021. Empty: the years just before the phase."),
    )

    def clean_reference_years(self) -> list[int] | None:
        text = (self.cleaned_data.get("reference_years") or "").replace(";", ",").replace(" ", ",")
        parts = [part for part in text.split(",") if part]
        if not parts:
            return None
        try:
            return sorted({int(part) for part in parts})
        except ValueError:
            raise ValidationError(gettext_lazy("Give years separated by commas, e.g. 2020, 2021.")) from None


class ApprovalForm(SubmitOnceForm):
    approved_on = DateField(label=gettext_lazy("Approved on"), widget=DateInput())
    approved_by_body = forms.CharField(label=gettext_lazy("Approved by"), max_length=255)


class RecognitionForm(SubmitOnceForm):
    recognised_on = DateField(label=gettext_lazy("Recognised on"), widget=DateInput())
    decision_no = forms.CharField(label=gettext_lazy("Decision number"), max_length=100)
    confirmed = confirm_field()


class ReasonForm(SubmitOnceForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = confirm_field()  # closing as not achieved, withdrawing: asked for, never by one click


class OptionalReasonForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False


class AdmissionTargetForm(EditForm):
    """The organisation's admission target for a year (B23: "đạt chỉ tiêu kết nạp đảng viên mới")."""

    target = IntegerField(label=gettext_lazy("Admission target (new members)"), min_value=0, max_value=1000)
