"""What every builder shares: the result type and the document header."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.names import org_label
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


# Party document boilerplate (HD 36-HD/VPTW): who signs on behalf of which body. Literal, like the header.
SIGNER_BY_KIND = {
    "DANG_BO_CAP_TREN_CO_SO": "T/M BAN THƯỜNG VỤ",
    "DANG_BO_CO_SO": "T/M ĐẢNG ỦY",
    "DANG_BO_BO_PHAN": "T/M ĐẢNG ỦY",
    "CHI_BO_CO_SO": "T/M CHI BỘ",
    "CHI_BO_TRUC_THUOC": "T/M CHI BỘ",
}


def _header(report: Report, title: str) -> dict:
    organization = report.organization
    parent = None
    if organization.parent_id:
        parent = Organization.objects.filter(pk=organization.parent_id).only("name").first()
    return {
        "issuer_parent": parent.name if parent else "",
        # In context where the name repeats across the tree ("Chi bộ Văn phòng (Đảng bộ Sở Y tế)", cells/names.py).
        "issuer": org_label(
            {"name": organization.name, "depth": organization.depth, "parent_name": parent.name if parent else ""}
        ),
        "issuer_name": organization.name,
        "title": title,
        "subtitle": _("Period: %(period)s") % {"period": report.period_display},
        "report": report,
        "generated_at": timezone.localtime(),
        "document_date": timezone.localdate(),
        "signer_on_behalf": SIGNER_BY_KIND.get(organization.kind, ""),
    }
