"""The profile of one party cell."""

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from cells.permissions import VIEW_SENSITIVE, get_access
from criteria.selectors import parameters_on
from evaluations.models import Grade, HistoricalRating, OrgEvaluation
from meetings import selectors as meeting_selectors
from members.models import Member, Position
from reports.builders.common import Built, _header
from reports.models import Report


def _past_grades(organization, years: list[int]) -> dict[int, tuple[str, str]]:
    """Decided results in chibo win over imported past results: {year: (grade, source)}."""
    grades = {
        row.year: (Grade(row.grade).label, _("imported"))
        for row in HistoricalRating.objects.filter(organization=organization, year__in=years)
    }
    for evaluation in OrgEvaluation.objects.filter(
        organization=organization, period__year__in=years, status=OrgEvaluation.Status.DECIDED
    ).select_related("period"):
        label = (
            Grade(evaluation.final_grade).label if evaluation.final_grade else evaluation.get_not_classified_display()
        )
        grades[evaluation.period.year] = (label, evaluation.decision_no or _("decided in chibo"))
    return grades


def build_cell_profile(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    """One cell: its committee, members, the year's meetings, and the evaluations of the last five years."""
    cell = report.organization
    data_as_of = timezone.now()
    committee = [
        [position.get_role_display(), position.member.full_name, position.term_label]
        for position in Position.objects.filter(organization=cell, ended_on__isnull=True)
        .select_related("member")
        .order_by("role", "member__sort_key")
    ]
    members = Member.objects.filter(organization=cell, status__in=Member.ON_ROLL).order_by("sort_key", "id")
    # Personal data, the same policy as the pages (members/views.py): the date of birth only for a role that may
    # see personal data on this cell (VIEW_SENSITIVE); leadership sees the roll without it.
    personal = get_access(user).can(VIEW_SENSITIVE, cell)
    member_rows = [
        [
            index,
            member.full_name,
            member.get_gender_display() if member.gender else "",
            *([member.date_of_birth.strftime("%d/%m/%Y") if member.date_of_birth else ""] if personal else []),
            member.admitted_on.strftime("%d/%m/%Y") if member.admitted_on else "",
            member.get_status_display(),
        ]
        for index, member in enumerate(members, start=1)
    ]
    progress(30)
    grid = meeting_selectors.cell_year_grid(cell=cell, year=report.year)
    state_labels = {  # meetings.counting month states (D6)
        "counted": _("Counted"),
        "draft": _("Draft, not finalised"),
        "makeup": _("Make-up meeting, not counted"),
        "early": _("Dated before its month, not counted"),
        "missing": _("Missing"),
        "pending": _("Not yet due"),
        "not_required": "—",
    }
    meeting_rows = [
        [
            month.month,
            month.meeting.date.strftime("%d/%m/%Y") if month.meeting else "",
            str(state_labels[month.state]),
            month.meeting.get_rating_display() if month.meeting and month.meeting.rating else "",
            len(month.thematic),
        ]
        for month in grid["months"]
    ]
    progress(60)
    years = list(range(report.year - 4, report.year + 1))
    grades = _past_grades(cell, years)
    # A year is a label, text in the spreadsheet too: never grouped as a number ("2.025").
    evaluation_rows = [[str(year), *grades.get(year, ("—", ""))] for year in years]
    tables = [
        {
            "title": _("Current committee"),
            "sheet": _("Committee"),
            "headers": [_("Position"), _("Full name"), _("Term")],
            "rows": committee,
        },
        {
            "title": _("Party members on the roll"),
            "sheet": _("Members"),
            "headers": [
                _("No."),
                _("Full name"),
                _("Gender"),
                *([_("Date of birth")] if personal else []),
                _("Admission date"),
                _("Status"),
            ],
            "rows": member_rows,
        },
        {
            "title": _("Regular meetings of %(year)s") % {"year": report.year},
            "sheet": _("Meetings"),
            "headers": [_("Month"), _("Date"), _("State"), _("Quality"), _("Thematic meetings")],
            "rows": meeting_rows,
        },
        {
            "title": _("Evaluations of the last five years"),
            "sheet": _("Evaluations"),
            "headers": [_("Year"), _("Grade"), _("Source")],
            "rows": evaluation_rows,
        },
    ]
    held = grid["held"]  # months whose regular meeting counts (D6)
    figures = {
        "members": len(member_rows),
        "full_members": sum(1 for m in members if m.status == Member.Status.FULL),
        "regular_meetings": held,
        "thematic_quarters": sum(1 for ok in grid["quarters"].values() if ok),
    }
    progress(80)
    title = _("PROFILE OF THE PARTY CELL")
    return Built(
        template="reports/pdf/tables.html",
        context={**_header(report, title), "tables": tables, "figures": figures},
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=parameters_on(datetime.date(report.year, 12, 31)).parameter_set,  # the year's rule set
        data_as_of=data_as_of,
    )
