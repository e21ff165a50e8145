"""The residence feedback of QĐ 213-QĐ/TW (nhận xét của chi ủy nơi cư trú), one per member and year (D10).

Recorded by the grassroots committee or the bloc staff when the letter from the place of residence arrives; it is
an input to the member's yearly rating: the rating table shows it next to the grades (evaluations.ratings).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.concurrency import check_version
from cells.inputs import YEAR_MAX, YEAR_MIN
from cells.services import log_action
from cells.text import one_line
from members.models import Member, ResidenceFeedback

FIELDS = ("year", "received_on", "residence_organization", "assessment", "text")


def _clean(data: dict) -> dict:
    values = {name: data.get(name) for name in FIELDS}
    values["residence_organization"] = one_line(values["residence_organization"] or "")
    values["text"] = (values["text"] or "").strip()
    errors: dict[str, str] = {}
    year, received_on = values["year"], values["received_on"]
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _("Enter a year between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}
    if not isinstance(received_on, datetime.date):
        errors["received_on"] = _("Enter the date the feedback was received.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The date cannot be in the future.")
    elif isinstance(year, int) and received_on < datetime.date(year, 1, 1):
        errors["received_on"] = _("The feedback on %(year)s cannot have been received before that year.") % {
            "year": year
        }
    if not values["residence_organization"]:
        errors["residence_organization"] = _("Enter the party organisation where the member lives.")
    if values["assessment"] not in ResidenceFeedback.Assessment.values:
        errors["assessment"] = _("Choose an assessment from the list.")
    if errors:
        raise ValidationError(errors)
    return values


def _refuse_duplicate(member: Member, year: int, exclude_pk: int | None = None) -> None:
    if ResidenceFeedback.objects.filter(member=member, year=year).exclude(pk=exclude_pk).exists():
        raise ValidationError({"year": _("Feedback from the place of residence is already recorded for this year.")})


def _log(feedback: ResidenceFeedback, *, actor, action: str) -> None:
    # The feedback text is personal: the audit trail records the year and the assessment, not the text.
    log_action(
        actor=actor,
        action=f"members.residence_feedback.{action}",
        organization=feedback.member.organization,
        target=feedback.member,
        message=f"{feedback.member.full_name} — {feedback.year}",
        data={"year": feedback.year, "assessment": feedback.assessment},
    )


def feedback_record(*, member: Member, data: dict, recorded_by) -> ResidenceFeedback:
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        values = _clean(data)
        _refuse_duplicate(member, values["year"])
        feedback = ResidenceFeedback.objects.create(member=member, recorded_by=recorded_by, **values)
        _log(feedback, actor=recorded_by, action="recorded")
    return feedback


def feedback_update(*, feedback: ResidenceFeedback, data: dict, version, updated_by) -> ResidenceFeedback:
    with transaction.atomic():
        feedback = (
            ResidenceFeedback.objects.select_for_update().select_related("member__organization").get(pk=feedback.pk)
        )
        check_version(feedback, version)
        values = _clean(data)
        _refuse_duplicate(feedback.member, values["year"], exclude_pk=feedback.pk)
        if all(getattr(feedback, name) == value for name, value in values.items()):
            return feedback
        for name, value in values.items():
            setattr(feedback, name, value)
        feedback.version += 1
        feedback.save()
        _log(feedback, actor=updated_by, action="updated")
    return feedback


def feedback_delete(*, feedback: ResidenceFeedback, deleted_by) -> None:
    with transaction.atomic():
        feedback = (
            ResidenceFeedback.objects.select_for_update().select_related("member__organization").get(pk=feedback.pk)
        )
        _log(feedback, actor=deleted_by, action="deleted")
        feedback.delete()


#
# Reads
#


def feedback_by_member(member_ids, *, year: int) -> dict[int, ResidenceFeedback]:
    """{member id: that year's feedback}, one query (for the rating table)."""
    return {
        feedback.member_id: feedback
        for feedback in ResidenceFeedback.objects.filter(member_id__in=list(member_ids), year=year)
    }


# D10: the national e-handbook (QĐ 339-QĐ/TW) is for full and probationary members, not exempt or suspended ones;
# the same members are the ones whose place of residence gives feedback for the yearly rating.
TAKING_PART = (Member.Status.FULL, Member.Status.PROBATIONARY)


def d10_counts(members, *, year: int) -> dict:
    """Of `members` (a queryset, already scoped by the caller) that take part (TAKING_PART): how many, how many use
    the e-handbook by the end of `year`, how many have that year's residence feedback. One query.

    The feedback is asked with EXISTS (one row per member and year at most), not joined: at the bloc's scale the join
    and its COUNT(DISTINCT) over ~450,000 members cost most of a second in the yearly report (issue #14)."""
    feedback = ResidenceFeedback.objects.filter(member=OuterRef("pk"), year=year)
    counts = (
        members.filter(status__in=TAKING_PART)
        .annotate(has_feedback=Exists(feedback))
        .aggregate(
            members=Count("id"),
            ehandbook=Count("id", filter=Q(ehandbook_since__lt=datetime.date(year + 1, 1, 1))),
            feedback=Count("id", filter=Q(has_feedback=True)),
        )
    )
    return {key: value or 0 for key, value in counts.items()}
