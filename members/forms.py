from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput, EditForm, SubmitOnceForm
from cells.inputs import ID_MAX, YEAR_MAX
from cells.names import OrganizationChoiceField
from cells.numbers import IntegerField
from members.models import Discipline, Member, Position


class MemberCreateForm(SubmitOnceForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (Member.Status.PROBATIONARY, Member.Status.FULL)],
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Member.Gender.choices], required=False)
    date_of_birth = DateField(label=_("Date of birth"), required=False, widget=DateInput())
    admitted_on = DateField(label=_("Admission date"), required=False, widget=DateInput())
    official_on = DateField(label=_("Full membership date"), required=False, widget=DateInput())
    party_card_no = forms.CharField(label=_("Party card number"), max_length=20, required=False)


class MemberFilterForm(forms.Form):
    """The filters of the member list; every value is optional and bad values are simply ignored."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    org = IntegerField(required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Member.Status.choices,
        required=False,
        # Check boxes: the list template lays them out inline (a select's options have no box to tick).
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("All")), *Member.Gender.choices], required=False)
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=[
            ("", _("All")),
            ("u30", _("Under 30")),
            ("30-45", "30–45"),
            ("45-60", "45–60"),
            ("60+", _("60 and over")),
        ],
        required=False,
    )
    admission_year = IntegerField(label=_("Admission year"), min_value=1930, max_value=YEAR_MAX, required=False)
    position = forms.ChoiceField(label=_("Position"), choices=[("", _("All"))], required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [("", _("All")), *Position.Role.choices]


class MemberEditForm(EditForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Member.Gender.choices], required=False)
    date_of_birth = DateField(label=_("Date of birth"), required=False, widget=DateInput())
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=50, required=False)
    admitted_on = DateField(label=_("Admission date"), required=False, widget=DateInput())
    official_on = DateField(label=_("Full membership date"), required=False, widget=DateInput())
    party_card_no = forms.CharField(label=_("Party card number"), max_length=20, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    workplace = forms.CharField(label=_("Workplace"), max_length=255, required=False)
    is_civil_servant = forms.BooleanField(label=_("Cadre, civil servant or public employee"), required=False)
    ehandbook_since = DateField(
        label=_("Uses the e-handbook since"),
        required=False,
        widget=DateInput(),
        help_text=_("The national party members' e-handbook (QĐ 339). Empty: does not use it."),
    )
    phone = forms.RegexField(
        label=_("Phone"),
        max_length=20,
        required=False,
        regex=r"^[0-9 +().-]{6,20}$",
        error_messages={"invalid": _("Enter a phone number: digits, spaces, + ( ) . - only.")},
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class StatusChangeForm(SubmitOnceForm):
    status = forms.ChoiceField(label=_("New status"), choices=[])
    effective_on = DateField(label=_("Effective on"), widget=DateInput())
    ends_on = DateField(label=_("Until (if limited)"), required=False, widget=DateInput())
    decision_no = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(choices)


class PositionForm(SubmitOnceForm):
    organization = OrganizationChoiceField(label=_("Committee of"), queryset=None)
    role = forms.ChoiceField(label=_("Position"), choices=[])
    term_label = forms.CharField(label=_("Term"), max_length=20, required=False, help_text=_("e.g. 2025-2030"))
    started_on = DateField(label=_("From"), widget=DateInput())
    grant_secretary_role = forms.BooleanField(
        label=_("Also give this member's account the cell-secretary role (secretary or deputy of a cell)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, organizations=None, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["role"].choices = Position.Role.choices


class EndDateForm(SubmitOnceForm):
    ended_on = DateField(label=_("Ended on"), widget=DateInput())


class OfficialTransferForm(SubmitOnceForm):
    to_code = forms.CharField(
        label=_("Code of the receiving cell (in the tree)"),
        max_length=50,
        required=False,
        help_text=_("Leave empty when the member moves to a party organisation outside this tree."),
    )
    to_text = forms.CharField(label=_("Receiving organisation outside the tree"), max_length=255, required=False)
    decided_on = DateField(label=_("Decision date"), widget=DateInput())
    decision_no = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    letter_issued_on = DateField(label=_("Introduction letter issued on"), required=False, widget=DateInput())
    letter_presented_on = DateField(label=_("Introduction letter presented on"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class TemporaryTransferForm(SubmitOnceForm):
    member_name = forms.CharField(label=_("Member's full name"), max_length=150)
    from_text = forms.CharField(label=_("Home party organisation"), max_length=255)
    decided_on = DateField(label=_("From"), widget=DateInput())
    expected_return_on = DateField(label=_("Until"), widget=DateInput())
    decision_no = forms.CharField(label=_("Introduction letter number"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class TemporaryTransferOutForm(SubmitOnceForm):
    to_code = forms.CharField(label=_("Code of the host cell (in the tree)"), max_length=50)
    decided_on = DateField(label=_("From"), widget=DateInput())
    expected_return_on = DateField(label=_("Until"), widget=DateInput())
    decision_no = forms.CharField(label=_("Introduction letter number"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class DisciplineForm(SubmitOnceForm):
    """A disciplinary decision on a member's record (D5)."""

    form = forms.ChoiceField(label=_("Form of discipline"), choices=Discipline.Form.choices)
    decision_no = forms.CharField(label=_("Decision number"), max_length=100)
    decided_on = DateField(label=_("Decision date"), widget=DateInput())
    deciding_body = forms.CharField(
        label=_("Deciding body"),
        max_length=255,
        help_text=_("e.g. the standing committee of the grassroots party committee"),
    )
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DisciplineAnnulForm(SubmitOnceForm):
    reason = forms.CharField(label=_("Reason for annulling"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
