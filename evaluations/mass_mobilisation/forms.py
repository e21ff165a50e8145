"""The forms of the "Dân vận khéo" register (input validation only; the service checks rule B25)."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from cells.forms import EditForm, SubmitOnceForm
from cells.inputs import ID_MAX, YEAR_MAX, YEAR_MIN
from cells.numbers import DecimalField, IntegerField
from evaluations.models import MassMobilisationModel


class RegisterFilterForm(forms.Form):
    org = IntegerField(required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    year = IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)


class _ModelFields(forms.Form):
    name = forms.CharField(label=gettext_lazy("Model name"), max_length=255)
    field = forms.ChoiceField(label=gettext_lazy("Field of work"), choices=MassMobilisationModel.Field.choices)
    level = forms.ChoiceField(
        label=gettext_lazy("Level recognised"),
        choices=[("", gettext_lazy("Not recognised")), *MassMobilisationModel.Level.choices],
        required=False,
    )
    score = DecimalField(label=gettext_lazy("Score"), max_digits=5, decimal_places=1, required=False)
    decision_no = forms.CharField(label=gettext_lazy("Recognition decision number"), max_length=100, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def show_range(self, score_range) -> None:
        """Say the B25 range of the year under the score box."""
        self.fields["score"].help_text = gettext(
            "A recognised model scores from %(low)s to %(high)s points (rule B25, parameters in force for %(year)s)."
        ) % {
            "low": format(score_range.low.normalize(), "f"),
            "high": format(score_range.high.normalize(), "f"),
            "year": score_range.year,
        }


class ModelCreateForm(SubmitOnceForm, _ModelFields):
    year = IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    field_order = ["year", "name", "field", "level", "score", "decision_no", "notes"]


class ModelEditForm(EditForm, _ModelFields):
    pass
