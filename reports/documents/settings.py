"""Document settings of an issuing committee: what it saved (reports.IssuerSettings) over defaults derived from the
tree, so that every node prints a sensible header before staff set anything, and staff see what will print."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.concurrency import check_version
from cells.inputs import check_text
from cells.models import Organization
from cells.services import log_action
from reports.models import IssuerSettings, Report

FIELDS = ("issuer_name", "body_above", "abbreviation", "place", "authority")

# Party document boilerplate (HD 36-HD/VPTW): who signs on behalf of which body. Literal, like the header.
AUTHORITY_BY_KIND = {
    Organization.Kind.UPPER: "T/M BAN THƯỜNG VỤ",
    Organization.Kind.GRASSROOTS_COMMITTEE: "T/M ĐẢNG ỦY",
    Organization.Kind.SUB_COMMITTEE: "T/M ĐẢNG ỦY",
    Organization.Kind.GRASSROOTS_CELL: "T/M CHI BỘ",
    Organization.Kind.CELL: "T/M CHI BỘ",
}


def upper_vi(text: str) -> str:
    return (text or "").strip().upper()


def committee_name(organization: Organization, *, plain: bool = False) -> str:
    """The issuer is the committee, not the organisation: "Đảng bộ Sở Tài chính" issues as "ĐẢNG ỦY SỞ TÀI CHÍNH"
    (a cell issues in its own name, "CHI BỘ …")."""
    name = (organization.name or "").strip()
    if not organization.is_cell:
        lowered = name.lower()
        for prefix in ("đảng bộ ", "đảng ủy ", "đảng uỷ "):
            if lowered.startswith(prefix):
                name = "Đảng ủy " + name[len(prefix) :]
                break
        else:
            name = "Đảng ủy " + name
    return name if plain else upper_vi(name)


def default_abbreviation(organization: Organization) -> str:
    if organization.is_cell:
        return "CB"
    return "ĐUK" if organization.kind == Organization.Kind.UPPER else "ĐU"


def default_recipients(*, organization: Organization, parent_issuer: str, kind: str) -> str:
    """The recipients proposed for a report of `kind`: the committee above (to report to), the organisations
    below where the report concerns them, and the office's copy last (HD 36: "- Lưu VP")."""
    lines = []
    if parent_issuer:
        lines.append(f"- {parent_issuer} (để báo cáo),")
    if organization.kind == Organization.Kind.UPPER:
        lines.append("- Ban Tổ chức Tỉnh ủy (để báo cáo),")
        if kind != Report.Kind.CELL_PROFILE:
            lines.append("- Các đảng bộ, chi bộ cơ sở trực thuộc,")
    elif not organization.is_cell and kind != Report.Kind.CELL_PROFILE:
        lines.append("- Các chi bộ trực thuộc,")
    lines.append("- Lưu Chi bộ." if organization.is_cell else "- Lưu VP.")
    return "\n".join(lines)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:].lower() if text else text


def issuer_profiles(organizations: list[Organization]) -> dict[int, dict]:
    """The effective settings of each organisation (saved values over the defaults), with `defaults` and `saved`
    for the settings page. One query for the saved settings of the nodes and their ancestors (the place and the
    body above are inherited down the tree)."""
    ancestor_ids = set()
    for organization in organizations:
        ancestor_ids.update(int(pk) for pk in organization.path.strip("/").split("/") if pk)
    nodes = {
        o.pk: o
        for o in Organization.objects.filter(pk__in=ancestor_ids).only("pk", "name", "kind", "parent_id", "path")
    }
    saved = {s.organization_id: s for s in IssuerSettings.objects.filter(organization_id__in=ancestor_ids)}
    cache: dict[int, dict] = {}

    def profile(pk: int) -> dict:
        if pk in cache:
            return cache[pk]
        node = nodes[pk]
        parent = profile(node.parent_id) if node.parent_id in nodes else None
        defaults = {
            "issuer_name": committee_name(node),
            # The body directly above: the parent's organisation (a Đảng bộ), as HD 36 shows it.
            "body_above": upper_vi(nodes[node.parent_id].name) if parent else "",
            "abbreviation": default_abbreviation(node),
            "place": parent["place"] if parent else "",
            "authority": AUTHORITY_BY_KIND.get(node.kind, "T/M CHI BỘ"),
        }
        row = saved.get(pk)
        values = {f: (getattr(row, f) if row and getattr(row, f) else defaults[f]) for f in FIELDS}
        parent_issuer = ""
        if parent:  # "Đảng ủy Khối các cơ quan tỉnh": as the parent saved it, else its committee in plain case
            parent_row = saved.get(node.parent_id)
            parent_issuer = (
                _sentence_case(parent_row.issuer_name)
                if parent_row and parent_row.issuer_name
                else committee_name(nodes[node.parent_id], plain=True)
            )
        default_lists = {
            kind: default_recipients(organization=node, parent_issuer=parent_issuer, kind=kind)
            for kind in Report.Kind.values
        }
        recipients = {
            kind: ((row.recipients or {}).get(kind) if row else None) or default_lists[kind]
            for kind in Report.Kind.values
        }
        cache[pk] = {
            **values,
            "recipients": recipients,
            "defaults": defaults,
            "default_recipients": default_lists,
            "saved": row,
        }
        return cache[pk]

    return {organization.pk: profile(organization.pk) for organization in organizations}


def issuer_profile(organization: Organization) -> dict:
    return issuer_profiles([organization])[organization.pk]


def save_issuer_settings(
    *,
    organization: Organization,
    user,
    version,
    issuer_name: str,
    body_above: str,
    abbreviation: str,
    place: str,
    authority: str,
    recipients: dict[str, str],
) -> IssuerSettings:
    """Save the document settings of `organization`. A value equal to the default is stored empty, so that it keeps
    following the tree (a renamed parent, a place set at the root). `version` refuses a save over someone else's."""
    values = {
        "issuer_name": upper_vi(issuer_name),
        "body_above": upper_vi(body_above),
        "abbreviation": (abbreviation or "").strip(),
        "place": (place or "").strip(),
        "authority": upper_vi(authority),
    }
    for field, value in values.items():
        try:
            check_text(value, multiline=False)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None
    if values["abbreviation"] and not all(ch.isalnum() or ch in "-" for ch in values["abbreviation"]):
        raise ValidationError({"abbreviation": _("Use letters only, e.g. ĐU or ĐUK.")})
    clean_recipients = {}
    for kind, text in recipients.items():
        if kind not in Report.Kind.values:
            continue
        try:
            check_text(text or "")
        except ValidationError as error:
            raise ValidationError({f"recipients_{kind}": error.messages}) from None
        clean_recipients[kind] = "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())
    with transaction.atomic():
        # The node's row is the lock: two first saves cannot both create the settings.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        row = IssuerSettings.objects.select_for_update().filter(organization=organization).first()
        # No row yet: the form was shown with version 1 (what a new row starts at).
        check_version(row or IssuerSettings(organization=organization), version)
        current = issuer_profiles([organization])[organization.pk]
        defaults = current["defaults"]
        stored = {field: "" if value == defaults[field] else value for field, value in values.items()}
        default_lists = current["default_recipients"]
        stored_recipients = {k: v for k, v in clean_recipients.items() if v and v != default_lists[k]}
        before = {f: getattr(row, f) if row else "" for f in FIELDS}
        if stored == before and stored_recipients == ((row.recipients or {}) if row else {}):
            return row or IssuerSettings(organization=organization)  # sent back untouched: nothing changes
        row = row or IssuerSettings(organization=organization)
        for field, value in stored.items():
            setattr(row, field, value)
        row.recipients = stored_recipients
        row.version += 1
        row.updated_at = timezone.now()
        row.updated_by = user
        row.save()
        log_action(
            actor=user,
            action="reports.issuer_settings.saved",
            organization=organization,
            target=organization,
            message=str(organization),
        )
    return row
