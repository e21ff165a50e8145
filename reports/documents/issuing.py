"""Draft → issued. A built report is a draft; issuing gives it a number from the issuer's register, a date, a signer
and recipients, renders it again without the draft mark and freezes those bytes with their SHA-256. An issued report
never changes (a correction is a new report). Staff may edit the narrative of a draft; the draft is then rebuilt."""

import datetime
import hashlib
import json
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import pdf
from cells.inputs import check_text
from cells.models import Organization
from cells.permissions import MANAGE_TREE, get_access
from cells.services import log_action
from reports.builders import BUILDERS
from reports.builders.common import _header, document_context
from reports.building import enqueue, merge_narrative
from reports.documents.settings import issuer_profile
from reports.models import NumberCounter, OutgoingNumber, Report

DOC_TYPE = "BC"  # báo cáo
PARAGRAPHS_MAX = 40
PARAGRAPH_MAX = 4000
RECIPIENTS_MAX = 30


def _check_can_issue(user, report: Report) -> None:
    if not get_access(user).can(MANAGE_TREE, report.organization):
        raise ValidationError(_("Only the committee's staff may issue or edit its documents."))


def _refuse_if_issued(report: Report) -> None:
    if report.state == Report.State.ISSUED:
        raise ValidationError(
            _("This report was issued as %(symbol)s and can no longer change: request a new report to correct it.")
            % {"symbol": report.symbol}
        )


def take_number(*, issuer: Organization, year: int, abbreviation: str, report: Report | None, user) -> OutgoingNumber:
    """The next number of `issuer` in `year`, written in the register in its own committed transaction, so that it
    stays taken whatever happens next (HD 36: a number is never reused). The counter row is locked while the number
    is taken: two simultaneous issuings get two numbers."""
    with transaction.atomic():
        NumberCounter.objects.bulk_create([NumberCounter(issuer=issuer, year=year)], ignore_conflicts=True)
        counter = NumberCounter.objects.select_for_update().get(issuer=issuer, year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return OutgoingNumber.objects.create(
            issuer=issuer,
            year=year,
            number=counter.last_number,
            symbol=f"{counter.last_number}-{DOC_TYPE}/{abbreviation}",
            report=report,
            taken_by=user if getattr(user, "is_authenticated", False) else None,
        )


def _recipient_lines(text: str) -> str:
    check_text(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError({"recipients": _("Give at least one recipient, ending with the office's copy.")})
    if len(lines) > RECIPIENTS_MAX:
        raise ValidationError({"recipients": _("At most %(count)s recipients.") % {"count": RECIPIENTS_MAX}})
    return "\n".join(line if line.startswith("-") else f"- {line}" for line in lines)


def issue_report(
    *,
    report: Report,
    user,
    issued_on: datetime.date,
    signer_authority: str,
    signer_position: str,
    signer_name: str,
    recipients: str,
) -> Report:
    """Issue a draft: check it, take a number, render the document with it, freeze the bytes.

    The figures are gathered again (once) for the issued document; if they differ from the draft's (data changed
    since), the issuing is refused before a number is taken: staff rebuild the draft, read it, and issue that."""
    _check_can_issue(user, report)
    _refuse_if_issued(report)
    if report.status != Report.Status.DONE:
        raise ValidationError(_("Only a finished draft can be issued."))
    today = timezone.localdate()
    if issued_on is None or not (today - datetime.timedelta(days=366) <= issued_on <= today):
        raise ValidationError({"issued_on": _("The date of issue is today or a day of the past year.")})
    if issued_on.year < report.year:
        raise ValidationError({"issued_on": _("A report is issued in its year or later.")})
    fields = {"signer_authority": signer_authority, "signer_position": signer_position, "signer_name": signer_name}
    for field, value in fields.items():
        value = (value or "").strip()
        try:
            check_text(value, multiline=field == "signer_position")
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None
        if not value and field != "signer_position":
            raise ValidationError({field: _("This field is required.")})
        fields[field] = value
    if (
        len(fields["signer_name"]) > 200
        or len(fields["signer_authority"]) > 100
        or len(fields["signer_position"]) > 100
    ):
        raise ValidationError(_("The signer's lines are too long."))
    recipients = _recipient_lines(recipients or "")
    if len(recipients) > 3000:
        raise ValidationError({"recipients": _("The list of recipients is too long.")})

    # The figures again, as the issued document will carry them; refused before a number is taken if they moved.
    built = BUILDERS[report.kind](report=report, user=user, progress=lambda pct: None)
    figures = json.loads(json.dumps(built.figures, cls=DjangoJSONEncoder))
    if figures != report.figures:
        raise ValidationError(
            _("The figures have changed since this draft was built. Build the draft again, read it, then issue it.")
        )
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _refuse_if_issued(locked)
        if locked.narrative_version != report.narrative_version:
            raise ValidationError(_("The draft changed while you were issuing it: open it again."))
    profile = issuer_profile(report.organization)
    taken = take_number(
        issuer=report.organization,
        year=issued_on.year,
        abbreviation=profile["abbreviation"],
        report=report,
        user=user,
    )
    # From here the number is taken: a failure leaves it in the register without a document (never reused).
    report.number = taken.number
    report.symbol = taken.symbol
    report.issued_on = issued_on
    report.signer_authority = fields["signer_authority"]
    report.signer_position = fields["signer_position"]
    report.signer_name = fields["signer_name"]
    report.recipients = recipients
    # The figures gathered above, with the issued header (number, date, signer, recipients, no draft mark).
    built.context.update(_header(report, built.context.get("title") or built.title))
    merge_narrative(built, report.narrative, report_id=report.pk)
    pdf_bytes = pdf.render_pdf(built.template, document_context(built))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.state == Report.State.ISSUED:  # issued by someone else meanwhile: this number stays void
            raise ValidationError(_("This report was issued meanwhile as %(symbol)s.") % {"symbol": locked.symbol})
        report.issued_pdf.save(f"{file_stem(report)}.pdf", ContentFile(pdf_bytes), save=False)
        report.issued_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
        report.state = Report.State.ISSUED
        report.issued_by = user
        report.issued_at = timezone.now()
        report.save(update_fields=list(Report.ISSUE_FIELDS))
        log_action(
            actor=user,
            action="reports.report.issued",
            organization=report.organization,
            target=report,
            message=f"{report.symbol} — {report}",
        )
    return report


def save_narrative(*, report: Report, user, version, sections: dict[str, str]) -> Report:
    """Save staff's text of the draft's sections and build the draft again with it.

    `sections` holds only the sections the user changed ({key: text, paragraphs separated by blank lines}): a form
    saved untouched changes nothing. A text made equal to the drafted one goes back to following the figures."""
    _check_can_issue(user, report)
    _refuse_if_issued(report)
    drafted = {s.get("key"): s.get("paragraphs", []) for s in report.drafted_sections or []}
    changes = {}
    for key, text in sections.items():
        if key not in drafted:
            continue
        try:
            check_text(text or "")
        except ValidationError as error:
            raise ValidationError({f"section_{key}": error.messages}) from None
        paragraphs = split_paragraphs(text or "")
        if len(paragraphs) > PARAGRAPHS_MAX or any(len(p) > PARAGRAPH_MAX for p in paragraphs):
            raise ValidationError(
                {
                    f"section_{key}": _("At most %(count)s paragraphs of %(chars)s characters each.")
                    % {"count": PARAGRAPHS_MAX, "chars": PARAGRAPH_MAX}
                }
            )
        changes[key] = None if paragraphs == [" ".join(p.split()) for p in drafted[key]] else paragraphs
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _refuse_if_issued(locked)
        try:
            fresh = int(version) == locked.narrative_version
        except (TypeError, ValueError):
            fresh = False
        if not fresh:
            raise ValidationError(
                _("Someone else saved this draft's text after you opened it. Open the page again to see it.")
            )
        narrative = dict(locked.narrative or {})
        for key, paragraphs in changes.items():
            if paragraphs is None:
                narrative.pop(key, None)
            else:
                narrative[key] = paragraphs
        if narrative == (locked.narrative or {}):
            return locked  # nothing changed: no rebuild
        if locked.is_active:
            raise ValidationError(_("The draft is being built: wait for it to finish, then edit it."))
        locked.narrative = narrative
        locked.narrative_version += 1
        locked.status = Report.Status.PENDING
        locked.progress = 0
        locked.error = ""
        locked.save(update_fields=["narrative", "narrative_version", "status", "progress", "error"])
        log_action(
            actor=user,
            action="reports.report.narrative_edited",
            organization=locked.organization,
            target=locked,
            message=str(locked),
        )
        transaction.on_commit(lambda: enqueue(locked.pk))
    return locked


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; inside one, line breaks are spaces."""
    blocks, current = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(" ".join(current).split()))
            current = []
    if current:
        blocks.append(" ".join(" ".join(current).split()))
    return blocks


def file_stem(report: Report) -> str:
    """A Vietnamese file name without diacritics: "bao-cao-sinh-hoat-chi-bo-DB01-2025-05", issued with its number
    first ("so-12-BC-DUK-bao-cao-…")."""
    kind = KIND_SLUGS.get(report.kind, "bao-cao")
    period = report.period_label.replace("/", "-")
    stem = f"{kind}-{ascii_slug(report.organization.code)}-{period}"
    if report.symbol:
        stem = f"so-{ascii_slug(report.symbol)}-{stem}"
    return stem


def ascii_slug(text: str) -> str:
    """Letters and digits without diacritics (đ → d), the rest as single dashes; the case is kept (codes)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


KIND_SLUGS = {
    Report.Kind.COMPLIANCE: "bao-cao-sinh-hoat-chi-bo",
    Report.Kind.EVALUATION: "bao-cao-xep-loai",
    Report.Kind.MODEL_CELLS: "bao-cao-chi-bo-kieu-mau",
    Report.Kind.CELL_PROFILE: "ho-so-chi-bo",
}
