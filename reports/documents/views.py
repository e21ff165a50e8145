"""Document pages: the issuer's settings, the narrative of a draft, issuing, the register of issued documents.
Staff of the node (MANAGE_TREE) edit and issue; whoever may see reports there reads the register."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.forms_pages import already_sent, apply_service_error, form_page, once, save_form
from cells.inputs import YEAR_MAX, YEAR_MIN, choice_param, int_param, page_param, text_param
from cells.permissions import MANAGE_TREE, REPORTS, get_organization_for_user, require, require_anywhere
from cells.selectors import breadcrumbs
from reports.documents import issuing, selectors
from reports.documents.forms import IssueForm, IssuerSettingsForm, NarrativeForm
from reports.documents.settings import FIELDS, issuer_profile, save_issuer_settings
from reports.documents.signers import propose_signer
from reports.models import Report


def _report_for_staff(user, pk) -> Report:
    try:
        report = Report.objects.select_related("organization__parent").get(pk=int(pk))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, MANAGE_TREE, report.organization)
    return report


def _report_crumbs(request, report: Report) -> dict:
    return {
        "breadcrumbs": breadcrumbs(user=request.user, organization=report.organization),
        "breadcrumb_links": [
            (_("Reports"), f"{reverse('reports:index')}?org={report.organization_id}"),
            (report.get_kind_display(), reverse("reports:detail", args=[report.pk])),
        ],
    }


def issuer_settings(request, org):
    organization = get_organization_for_user(request.user, org, action=MANAGE_TREE)
    profile = issuer_profile(organization)
    saved = profile["saved"]
    initial = {name: getattr(saved, name) if saved else "" for name in FIELDS}
    for kind in Report.Kind.values:
        initial[f"recipients_{kind}"] = profile["recipients"][kind]
    initial["version"] = saved.version if saved else 1
    form = IssuerSettingsForm(request.POST or None, initial=initial, profile=profile)

    def save(data):
        return save_issuer_settings(
            organization=organization,
            user=request.user,
            version=data["version"],
            recipients={kind: data[f"recipients_{kind}"] for kind in Report.Kind.values},
            **{name: data[name] for name in FIELDS},
        )

    response = save_form(
        request,
        form,
        save,
        message=_("The document settings were saved."),
        to=("reports:issuer_settings", organization.pk),
    )
    if response:
        return response
    return form_page(
        request,
        "reports/documents/issuer_settings.html",
        form,
        organization,
        title=_("Document settings of %(name)s") % {"name": organization.name},
        profile=profile,
        breadcrumb_tail=_("Document settings"),
    )


def narrative_edit(request, pk):
    report = _report_for_staff(request.user, pk)
    if report.is_issued:
        messages.error(request, _("An issued report can no longer change: request a new report to correct it."))
        return redirect("reports:detail", report.pk)
    sections = report.drafted_sections or []
    initial = {"version": report.narrative_version}
    for section in sections:
        paragraphs = (report.narrative or {}).get(section["key"], section.get("paragraphs", []))
        initial[f"section_{section['key']}"] = "\n\n".join(paragraphs)
    form = NarrativeForm(request.POST or None, initial=initial, sections=sections)
    if request.method == "POST" and form.is_valid():
        changed = {
            name.removeprefix("section_"): form.cleaned_data[name]
            for name in form.changed_data
            if name.startswith("section_")
        }
        try:
            _saved, url, first = once(
                request,
                form,
                lambda: issuing.save_narrative(
                    report=report, user=request.user, version=form.cleaned_data["version"], sections=changed
                ),
                ("reports:detail", report.pk),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            if not first:
                return already_sent(request, url)
            messages.success(request, _("The text was saved; the draft is being built again with it."))
            return redirect(url)
    return render(
        request,
        "reports/documents/narrative.html",
        {
            "report": report,
            "form": form,
            "sections": sections,
            "breadcrumb_tail": _("Edit the text"),
            **_report_crumbs(request, report),
        },
    )


def issue(request, pk):
    report = _report_for_staff(request.user, pk)
    if report.is_issued:
        messages.info(request, _("This report was already issued as %(symbol)s.") % {"symbol": report.symbol})
        return redirect("reports:detail", report.pk)
    profile = issuer_profile(report.organization)
    signer = propose_signer(report.organization)
    form = IssueForm(
        request.POST or None,
        initial={
            "issued_on": timezone.localdate(),
            "signer_authority": profile["authority"],
            "signer_position": signer["position"],
            "signer_name": signer["name"],
            "recipients": profile["recipients"].get(report.kind, ""),
        },
    )

    def save(data):
        return issuing.issue_report(report=report, user=request.user, **data)

    response = save_form(
        request,
        form,
        save,
        message=lambda issued: _("Issued as %(symbol)s.") % {"symbol": issued.symbol},
        to=("reports:detail", report.pk),
    )
    if response:
        return response
    return render(
        request,
        "reports/documents/issue.html",
        {
            "report": report,
            "form": form,
            "profile": profile,
            "breadcrumb_tail": _("Issue"),
            **_report_crumbs(request, report),
        },
    )


def register(request):
    require_anywhere(request.user, REPORTS)
    number = text_param(request, "number", max_length=60)
    text = text_param(request, "q", max_length=100)
    kind = choice_param(request, "kind", Report.Kind.values)
    year = int_param(request, "year", min=YEAR_MIN, max=YEAR_MAX)
    documents = selectors.issued_documents(user=request.user, number=number, kind=kind, year=year, text=text)
    page = Paginator(documents, 50).get_page(page_param(request))
    return render(
        request,
        "reports/documents/register.html",
        {
            "page": page,
            "number": number,
            "q": text,
            "kind": kind,
            "year": year,
            "kinds": Report.Kind.choices,
            "breadcrumb_links": [(_("Reports"), reverse("reports:index"))],
            "breadcrumb_tail": _("Register of issued documents"),
        },
    )
