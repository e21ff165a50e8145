"""Input validation and normalisation only; the rules (frozen sets, unique codes, metrics) live in criteria/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import EditForm, SubmitOnceForm
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.models import Organization
from cells.numbers import DecimalField, IntegerField
from criteria.models import CriteriaSet, Criterion, CriterionGroup, Grade, RegulationDocument


def _year_field(label, required=True):
    return IntegerField(label=label, min_value=YEAR_MIN, max_value=YEAR_MAX, required=required)


def _any_of_field(label, choices, help_text):
    """What a set applies to, ticked from `choices`; none ticked: all of them."""
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


def _points_field(label, help_text, **kwargs):
    """Points, to one decimal place, never negative."""
    return DecimalField(label=label, max_digits=6, decimal_places=1, min_value=0, help_text=help_text, **kwargs)


class YearsMixin:
    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from and year_to and year_to < year_from:
            self.add_error("year_to", _("The last year cannot be before the first year."))
        return cleaned


class CopyForm(YearsMixin, SubmitOnceForm):
    year_from = _year_field(_("From year"))
    year_to = _year_field(_("To year"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_to"].help_text = _("Leave empty while the set stays in force.")


class CriteriaSetForm(YearsMixin, EditForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    unit_types = _any_of_field(
        _("Host unit types"), Organization.UnitType.choices, _("None ticked: every host unit type.")
    )
    org_kinds = _any_of_field(_("Organisation kinds"), Organization.Kind.choices, _("None ticked: every kind."))
    year_from = _year_field(_("From year"))
    year_to = _year_field(_("To year"), required=False)
    scoring_mode = forms.ChoiceField(label=_("Scoring"), choices=CriteriaSet.ScoringMode.choices)
    pass_points = _points_field(
        _("Points to pass"), _("Empty in a met / not met set: every criterion must be met."), required=False
    )
    basis = forms.ModelChoiceField(
        label=_("Basis"), queryset=RegulationDocument.objects.order_by("-issued_on", "number"), required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class GroupForm(EditForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=500)
    parent = forms.ModelChoiceField(
        label=_("Inside group"), queryset=CriterionGroup.objects.none(), required=False, empty_label=_("(top level)")
    )
    order = IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args, criteria_set: CriteriaSet, group: CriterionGroup | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = criteria_set.groups.order_by("order", "code")
        if group is not None:
            parents = parents.exclude(pk=group.pk)
        self.fields["parent"].queryset = parents

    def clean_code(self):
        return " ".join(self.cleaned_data["code"].split())


class CriterionForm(EditForm):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Unique in the set, e.g. 1.2."))
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=CriterionGroup.objects.none(), required=False, empty_label=_("(no group)")
    )
    text = forms.CharField(label=_("Criterion"), widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Scored by"), choices=Criterion.Kind.choices)
    max_points = _points_field(
        _("Maximum points"), _("Given in full when a met / not met or computed criterion is met."), initial=0
    )
    metric = forms.ChoiceField(
        label=_("Computed from"),
        choices=[("", "—")] + list(Criterion.Metric.choices),
        required=False,
        help_text=_("Only for criteria computed from the data."),
    )
    comparator = forms.ChoiceField(
        label=_("Comparison"), choices=Criterion.Comparator.choices, initial=Criterion.Comparator.AT_LEAST
    )
    threshold = DecimalField(label=_("Threshold"), max_digits=8, decimal_places=2, required=False)
    hard_condition = forms.BooleanField(
        label=_("Hard condition"), required=False, help_text=_("When it is not met, the grade is limited.")
    )
    cap_grade = forms.ChoiceField(
        label=_("Grade at most, when not met"),
        choices=[("", "—")] + list(Grade.choices),
        required=False,
        help_text=_("Empty: at most Fulfilled duties (the rules' default)."),
    )
    order = IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args, criteria_set: CriteriaSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = criteria_set.groups.order_by("order", "code")
        if criteria_set.scoring_mode == CriteriaSet.ScoringMode.CHECKLIST:
            self.fields["kind"].choices = [
                choice for choice in Criterion.Kind.choices if choice[0] != Criterion.Kind.POINTS
            ]

    def clean_code(self):
        return " ".join(self.cleaned_data["code"].split())


class CompareForm(forms.Form):
    against = forms.ModelChoiceField(label=_("Compare with"), queryset=CriteriaSet.objects.none())

    def __init__(self, *args, criteria_set: CriteriaSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = CriteriaSet.objects.filter(programme=criteria_set.programme).exclude(
            pk=criteria_set.pk
        )
