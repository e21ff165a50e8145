"""What every builder shares: the result type and the document header."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cells.names import org_label
from reports.documents.settings import issuer_profile
from reports.documents.signers import propose_signer
from reports.models import Report


@dataclass
class Built:
    """What a builder hands to the build (reports/building.py) and to the PDF templates.

    - `tables`: every table of the report, also the sheets of the .xlsx twin. A table is a dict:
      `title`, `sheet` (the sheet's name), `headers`, `rows` (cells are values: int, Decimal, float, str, None),
      and optionally `totals` (a totals row, the same length as a row), `section` (the key of the narrative
      section it supports: printed at the end of that section), `appendix` (True: printed in the phụ lục after
      the signature instead of the body), `align` (per column "left", "right" or "center"; by default numbers
      right, text left).
    - `sections`: the narrative of the báo cáo, drafted from the figures, in order. Each is a dict:
      `key` ("results", "strengths", "shortcomings", "tasks", ...), `heading`, `paragraphs` (a list of str).
      Staff may edit the paragraphs on the draft before issuing (reports/documents/); an edited text wins over
      the drafted one when the draft is built again.
    - `basis`: the legal basis (căn cứ), each document named once, as one sentence (str) or "".
    """

    template: str
    context: dict
    tables: list[dict]
    title: str
    figures: dict = field(default_factory=dict)
    parameter_set: object = None
    data_as_of: object = None
    sections: list[dict] = field(default_factory=list)
    basis: str = ""


def _header(report: Report, title: str) -> dict:
    """The formal elements of the document (HD 36-HD/VPTW), from the issuing committee's settings
    (reports/documents/settings.py) and, once issued, from the report's own frozen number, date and signer.

    A draft prints "Số ……-BC/ĐU", the day it was drafted, the signer proposed from the committee's seats and the default
    recipients of its kind; `is_draft` marks every page "DỰ THẢO"."""
    organization = report.organization
    profile = issuer_profile(organization)
    issued = bool(report.symbol)
    signer = propose_signer(organization) if not report.signer_name else {}
    recipients = report.recipients or profile["recipients"].get(report.kind, "")
    parent_name = organization.parent.name if organization.parent_id and organization.parent else ""
    return {
        "issuer_parent": profile["body_above"],
        "issuer_name": profile["issuer_name"],
        # In context where the name repeats across the tree ("Chi bộ Văn phòng (Đảng bộ Sở Y tế)", cells/names.py).
        "issuer": org_label({"name": organization.name, "depth": organization.depth, "parent_name": parent_name}),
        "organization_name": organization.name,
        "doc_number": report.symbol if issued else f"……-BC/{profile['abbreviation']}",
        "place": profile["place"],
        # A draft is dated the day it was drafted; the issued document the day it was issued.
        "document_date": report.issued_on if issued else timezone.localdate(),
        "title": title,
        **_title_lines(str(title), report, organization.name),
        "subtitle": _("Period: %(period)s") % {"period": report.period_display},
        "report": report,
        "generated_at": timezone.localtime(),
        "signer_on_behalf": report.signer_authority or profile["authority"],
        "signer_title": report.signer_position or signer.get("position", ""),
        "signer_name": report.signer_name or signer.get("name", ""),
        "recipients": [line.strip() for line in recipients.splitlines() if line.strip()],
        "is_draft": not issued,
    }


def _title_lines(title: str, report: Report, organization_name: str) -> dict:
    """HD 36: the type of document alone on its line ("BÁO CÁO"), the subject in bold under it with the period
    ("Tình hình sinh hoạt chi bộ tháng 05/2025"). A title that is not a báo cáo ("HỒ SƠ CHI BỘ") stays whole,
    its subject the organisation."""
    period = report.period_display
    if title.upper().startswith("BÁO CÁO "):
        rest = title[len("BÁO CÁO ") :].strip()
        subject = f"{rest[:1].upper()}{rest[1:].lower()} {period}"
        return {"doc_type": "BÁO CÁO", "subject": subject}
    return {"doc_type": title, "subject": f"{organization_name} — {period}"}


def document_context(built: Built) -> dict:
    """The template context of a báo cáo: the builder's context with the narrative sections (each with the tables
    that support it), the tables of the body and those of the phụ lục, the legal basis once."""
    tables = built.context.get("tables", built.tables) or []
    keys = {section.get("key") for section in built.sections}
    sections = [
        {**section, "tables": [t for t in tables if t.get("section") == section.get("key") and not t.get("appendix")]}
        for section in built.sections
    ]
    return {
        **built.context,
        "tables": tables,
        "sections": sections,
        "body_tables": [t for t in tables if not t.get("appendix") and t.get("section") not in keys],
        "appendix_tables": [t for t in tables if t.get("appendix")],
        # A wide annex table (a month per column) puts the whole phụ lục on landscape pages.
        "appendix_wide": any(len(t.get("headers", [])) > 8 for t in tables if t.get("appendix")),
        "basis": built.context.get("basis") or built.basis,
    }
