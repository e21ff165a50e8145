"""A member's yearly ratings, for their record page (members cannot read evaluations: cells.hooks
`member_rating_history`, provided in EvaluationsConfig.ready())."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from criteria.models import Grade
from evaluations.models import HistoricalRating, MemberEvaluation, NotClassified
from meetings.member_history import member_attendance_history

__all__ = ["RatingRow", "member_attendance_history", "member_rating_history"]


@dataclass(frozen=True)
class RatingRow:
    year: int
    grade: str  # the grade's label, or why the member was not classified
    source: str
    decided: bool  # decided in chibo's yearly review (else imported from an earlier year's records)


def member_rating_history(member) -> list[RatingRow]:
    """Every year's rating of `member`, newest first: the decided result of chibo's yearly review, else the past
    result imported for that year (two queries, whatever the number of years)."""
    rows: dict[int, RatingRow] = {}
    decided = (
        MemberEvaluation.objects.filter(member=member, decided_at__isnull=False)
        .select_related("period", "organization")
        .order_by("period__year")
    )
    for evaluation in decided:
        if evaluation.final_grade:
            label = Grade(evaluation.final_grade).label
        elif evaluation.not_classified:
            label = _("not classified: %(why)s") % {"why": NotClassified(evaluation.not_classified).label}
        else:
            continue
        source = _("yearly review, %(cell)s") % {"cell": evaluation.organization.name}
        rows[evaluation.period.year] = RatingRow(evaluation.period.year, str(label), source, True)
    for past in HistoricalRating.objects.filter(member=member).order_by("year"):
        if past.year not in rows:
            source = _("imported") + (f" ({past.source})" if past.source else "")
            rows[past.year] = RatingRow(past.year, str(Grade(past.grade).label), source, False)
    return [rows[year] for year in sorted(rows, reverse=True)]
