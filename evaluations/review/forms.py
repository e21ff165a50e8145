from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput, EditForm, SubmitOnceForm
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.numbers import DecimalField, IntegerField
from evaluations.models import Grade

GRADE_CHOICES = [("", "—"), *Grade.choices]


class PeriodOpenForm(SubmitOnceForm):
    year = IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    self_assessment_due = DateField(label=_("Self-assessment due"), widget=DateInput())
    appraisal_due = DateField(label=_("Appraisal due"), widget=DateInput())
    decision_due = DateField(label=_("Decision due"), widget=DateInput())

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


def confirm_field(label=None) -> forms.BooleanField:
    """The required "Tôi xác nhận" box of an action that decides, closes or undoes something: without it the server
    changes nothing (no script needed)."""
    return forms.BooleanField(
        label=label or _("I confirm"),
        required=True,
        error_messages={"required": _("Tick “I confirm” to go ahead: nothing has been changed yet.")},
    )


class ConfirmForm(SubmitOnceForm):
    """A closing or undoing action (lock a year, close member ratings): a confirmation box, taking effect once."""

    confirmed = confirm_field()


class DecisionForm(EditForm):
    """The decision on an organisation's year: never pre-filled (the suggestion is shown beside it); the decision's
    number and date are the deciding committee's ("Quyết định số …, ngày …"). Sent twice: first to see the summary,
    then with `confirmed` ticked to record it (the view's confirmation step)."""

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
    decision_no = forms.CharField(
        label=_("Decision number"),
        max_length=100,
        required=False,
        help_text=_("As on the committee's decision, e.g. 15-QĐ/ĐUK."),
    )
    decision_date = DateField(label=_("Decision date"), required=False, widget=DateInput())
    confirmed = forms.BooleanField(label=_("I confirm"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required by the service (evaluations.review.services._decision_fields), with the same messages; marked
        # required here so that the form shows it.
        self.fields["decision_no"].required = True
        self.fields["decision_no"].error_messages["required"] = _("Enter the number of the decision (Quyết định số …).")
        self.fields["decision_date"].required = True
        self.fields["decision_date"].error_messages["required"] = _("Enter the date of the decision.")


class ReasonForm(EditForm):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    confirmed = confirm_field()


class CapExceptionForm(SubmitOnceForm):
    """D5: the deciding body decides a disciplined member's grade above the discipline cap, with its reasons."""

    grade = forms.ChoiceField(label=_("Decided grade"), choices=Grade.choices)
    justification = forms.CharField(
        label=_("Justification of the exception"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
