"""Writes to the member registry. Rules are checked here, inside a transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.services import log_action
from members.models import Member


def _check_cell(organization: Organization) -> None:
    if not organization.is_cell:
        raise ValidationError({"organization": _("Party members belong to a party cell, not to a %(kind)s.") % {
            "kind": organization.get_kind_display()
        }})
    if not organization.is_active:
        raise ValidationError({"organization": _("%(name)s has been dissolved.") % {"name": organization.name}})


def member_create(
    *,
    organization: Organization,
    full_name: str,
    status: str = Member.Status.PROBATIONARY,
    gender: str = "",
    date_of_birth: datetime.date | None = None,
    admitted_on: datetime.date | None = None,
    official_on: datetime.date | None = None,
    party_card_no: str | None = None,
    user=None,
    created_by,
) -> Member:
    """Put a new member on a cell's roll. Only probationary or full members can be created directly."""
    _check_cell(organization)
    if status not in (Member.Status.PROBATIONARY, Member.Status.FULL):
        raise ValidationError({"status": _("A new member is either probationary or a full member.")})
    member = Member(
        organization=organization,
        full_name=full_name or "",
        status=status,
        gender=gender or "",
        date_of_birth=date_of_birth,
        admitted_on=admitted_on,
        official_on=official_on,
        party_card_no=(party_card_no or "").strip() or None,
        user=user,
    )
    member.refresh_derived()
    if not member.full_name:
        raise ValidationError({"full_name": _("Enter the member's full name.")})
    if status == Member.Status.FULL and admitted_on and not official_on:
        raise ValidationError({"official_on": _("Enter the date of full membership.")})
    member.full_clean(exclude=["search_text", "sort_key"])
    try:
        with transaction.atomic():
            member.save()
            log_action(
                actor=created_by,
                action="members.member.created",
                organization=organization,
                target=member,
                message=member.full_name,
            )
    except IntegrityError:
        raise ValidationError({"party_card_no": _("This party card number is already recorded.")}) from None
    return member
