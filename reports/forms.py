from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.forms import SubmitOnceForm
from cells.inputs import ID_MAX
from cells.numbers import IntegerField
from reports.builders import BUILDERS
from reports.models import Report


class ReportRequestForm(SubmitOnceForm):
    kind = forms.ChoiceField(label=_("Kind of report"), choices=[])
    org = IntegerField(min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    year = IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—")] + [(m, f"{m:02d}") for m in range(1, 13)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Report.Kind(k).label) for k in BUILDERS]
        self.fields["year"].initial = timezone.localdate().year
