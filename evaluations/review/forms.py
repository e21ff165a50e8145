from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.forms import DateInput, EditForm, SubmitOnceForm
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.numbers import DecimalField, IntegerField
from evaluations.models import Grade

GRADE_CHOICES = [("", "—"), *Grade.choices]


class PeriodOpenForm(SubmitOnceForm):
    year = IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    self_assessment_due = forms.DateField(label=_("Self-assessment due"), widget=DateInput())
    appraisal_due = forms.DateField(label=_("Appraisal due"), widget=DateInput())
    decision_due = forms.DateField(label=_("Decision due"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class SelfAssessmentForm(EditForm):
    self_grade = forms.ChoiceField(
        label=_("Grade the organisation gives itself"), choices=GRADE_CHOICES, required=False
    )
    self_score = DecimalField(
        label=_("Self-assessed score (when there are no criteria)"), min_value=0, max_value=100, required=False
    )
    tasks_done_pct = DecimalField(label=_("Tasks completed (%)"), min_value=0, max_value=100, required=False)
    tasks_exceeded_pct = DecimalField(
        label=_("Tasks exceeding their targets (%)"), min_value=0, max_value=100, required=False
    )
    tasks_late_pct = DecimalField(label=_("Tasks late (%)"), min_value=0, max_value=100, required=False)
    # The discipline figures (leading collective, subordinate units) are computed from the members' records (D5).
    self_comment = forms.CharField(
        label=_("Self-assessment report"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AppraisalForm(EditForm):
    grade = forms.ChoiceField(label=_("Proposed grade"), choices=Grade.choices)
    comment = forms.CharField(
        label=_("Appraisal"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(EditForm):
    grade = forms.ChoiceField(label=_("Decided grade"), choices=GRADE_CHOICES, required=False)
    justification = forms.CharField(
        label=_(
            "Justification (needed when the decision differs from the suggestion; above a discipline cap, a "
            "written reason recorded as an exception)"
        ),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision_no = forms.CharField(label=_("Decision number"), max_length=100, required=False)


class ReasonForm(EditForm):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CapExceptionForm(SubmitOnceForm):
    """D5: the deciding body decides a disciplined member's grade above the discipline cap, with its reasons."""

    grade = forms.ChoiceField(label=_("Decided grade"), choices=Grade.choices)
    justification = forms.CharField(
        label=_("Justification of the exception"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
