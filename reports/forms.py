from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.forms import SubmitOnceForm
from cells.inputs import ID_MAX, YEAR_MAX, YEAR_MIN
from cells.numbers import IntegerField
from criteria.models import CriteriaSet
from evaluations.programmes.services import PROGRAMMES
from meetings.forms import month_field, quarter_field
from reports.builders import BUILDERS
from reports.models import Report


class ReportRequestForm(SubmitOnceForm):
    kind = forms.ChoiceField(label=_("Kind of report"), choices=[])
    org = IntegerField(min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    year = IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    quarter = quarter_field()
    month = month_field()
    # The model-cell report exists for each programme (kiểu mẫu, bốn tốt): the kind stays "model_cells" and the
    # programme goes to the report's params. Ignored for the other kinds.
    programme = forms.ChoiceField(
        label=_("Programme (model-cell report)"),
        choices=[(value, CriteriaSet.Programme(value).label) for value in PROGRAMMES],
        initial=CriteriaSet.Programme.MODEL_CELL,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Report.Kind(k).label) for k in BUILDERS]
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        if data.get("kind") == Report.Kind.MODEL_CELLS:
            data["params"] = {"programme": data.get("programme") or CriteriaSet.Programme.MODEL_CELL}
        else:
            data["params"] = {}
        return data
