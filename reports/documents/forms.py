from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput, EditForm, SubmitOnceForm
from reports.models import Report


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class IssuerSettingsForm(EditForm):
    issuer_name = forms.CharField(label=_("Name as issuer"), max_length=255, required=False)
    body_above = forms.CharField(label=_("Body above"), max_length=255, required=False)
    abbreviation = forms.CharField(label=_("Abbreviation"), max_length=20, required=False)
    place = forms.CharField(label=_("Place name"), max_length=100, required=False)
    authority = forms.CharField(label=_("Authority line"), max_length=100, required=False)

    def __init__(self, *args, profile: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("issuer_name", "body_above", "abbreviation", "place", "authority"):
            default = profile["defaults"][name]
            self.fields[name].help_text = _("Empty: %(default)s") % {"default": default or "—"}
        for kind, label in Report.Kind.choices:
            self.fields[f"recipients_{kind}"] = forms.CharField(
                label=_("Recipients: %(kind)s") % {"kind": label},
                max_length=3000,
                required=False,
                widget=_area(5),
                help_text=_("One per line, the office's copy last (- Lưu VP)."),
            )


class IssueForm(SubmitOnceForm):
    issued_on = DateField(label=_("Date of issue"), widget=DateInput())
    signer_authority = forms.CharField(label=_("Authority line"), max_length=100)
    signer_position = forms.CharField(
        label=_("Signer's position"),
        max_length=100,
        required=False,
        widget=_area(2),
        help_text=_("e.g. BÍ THƯ; a deputy signing for the secretary: K/T BÍ THƯ, then PHÓ BÍ THƯ on the next line."),
    )
    signer_name = forms.CharField(label=_("Signer's full name"), max_length=200)
    recipients = forms.CharField(
        label=_("Recipients"),
        max_length=3000,
        widget=_area(6),
        help_text=_("One per line, the office's copy last (- Lưu VP)."),
    )


class NarrativeForm(EditForm):
    """One text area per drafted section; paragraphs are separated by blank lines."""

    def __init__(self, *args, sections: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[f"section_{section['key']}"] = forms.CharField(
                label=section.get("heading") or section["key"],
                max_length=60_000,
                required=False,
                widget=_area(8),
                strip=False,
            )
