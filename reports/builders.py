"""Data gathering for each kind of report: pure reads through the access module, no rendering here.

A builder returns the PDF template and its context, the tables for the XLSX twin (the same tables as the PDF)
and the key figures. Builders are deterministic: the same request on unchanged data gives the same figures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.names import org_label
from cells.permissions import scope_filter
from criteria.selectors import parameters_on
from evaluations import discipline, rules
from evaluations.dashboard.selectors import dashboard
from evaluations.mass_mobilisation import services as mass_mobilisation
from evaluations.models import Grade, HistoricalRating, MemberEvaluation, OrgEvaluation
from evaluations.programmes import services as programmes
from meetings import selectors as meeting_selectors
from members.models import Member, Position
from members.residence import services as residence
from reports.models import Report


@dataclass
class Built:
    template: str
    context: dict
    tables: list[dict]
    title: str
    figures: dict = field(default_factory=dict)
    parameter_set: object = None
    data_as_of: object = None


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


def build_compliance(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    root = report.organization
    period = meeting_selectors.Period(year=report.year, month=report.month, quarter=report.quarter)
    data_as_of = timezone.now()
    kpis = meeting_selectors.kpis(user=user, root=root, period=period)
    progress(20)
    heatmap = meeting_selectors.heatmap(user=user, root=root, year=report.year)
    progress(40)
    missing = meeting_selectors.missing_cells(user=user, root=root, period=period)
    progress(55)
    flags = meeting_selectors.flagged_members(user=user, root=root, year=report.year)
    progress(70)
    title = _("REPORT ON PARTY CELL MEETINGS")
    kpi_rows = [
        [_("Cells that held every regular meeting"), kpis.cells_all_regular, kpis.cells, kpis.pct_all_regular],
        [
            _("Cells with a thematic meeting every quarter"),
            kpis.cells_all_thematic,
            kpis.cells_thematic,
            kpis.pct_all_thematic,
        ],
        [_("Member attendance"), kpis.present, kpis.eligible, kpis.attendance_pct],
        [_("Meetings rated Good"), kpis.meetings_good, kpis.meetings_rated, kpis.pct_good],
    ]
    month_headers = [str(m) for m in meeting_selectors.MONTHS]
    # D6: per month, the cells whose regular meeting counts ("—": no cell of the row existed that month).
    heat_rows = [
        [row.organization.name, row.cells, *[m.counted if m.required else "—" for m in row.months]] for row in heatmap
    ]
    # D6: a month with only a draft or a make-up meeting is missing all the same; it says so.
    notes = {"drafts": _("draft, not finalised"), "makeup": _("make-up")}

    def _month(item, month) -> str:
        note = next((notes[key] for key in notes if month in item[key]), None)
        return f"{month} ({note})" if note else str(month)

    missing_rows = [[org_label(item["cell"]), ", ".join(_month(item, m) for m in item["months"])] for item in missing]
    review = _("Consider removal from the Party roll under Article 8 of the Party Charter")
    flag_rows = [
        [
            f.name,
            f.organization_name,
            f.unexcused,
            f.unexcused_months,
            f.longest_excused_run,
            review if f.removal_review else "—",
        ]
        for f in flags
    ]
    tables = [
        {
            "title": _("Key figures"),
            "sheet": _("Key figures"),
            "headers": [_("Indicator"), _("Count"), _("Out of"), _("%")],
            "rows": kpi_rows,
        },
        {
            "title": _("Regular meetings logged per month (cells)"),
            "sheet": _("Heat-map"),
            "headers": [_("Organisation"), _("Cells"), *month_headers],
            "rows": heat_rows,
        },
        {
            "title": _("Cells with missing regular meetings"),
            "sheet": _("Missing"),
            "headers": [_("Party cell"), _("Months")],
            "rows": missing_rows,
        },
        {
            "title": _("Members to follow up"),
            "sheet": _("Members"),
            "headers": [
                _("Full name"),
                _("Party cell"),
                _("Absences without reason"),
                _("Months absent without reason"),
                _("Longest run of absences with reason"),
                _("Removal review (D8)"),
            ],
            "rows": flag_rows,
        },
    ]
    figures = {
        "cells": kpis.cells,
        "pct_all_regular": kpis.pct_all_regular,
        "pct_all_thematic": kpis.pct_all_thematic,
        "attendance_pct": kpis.attendance_pct,
        "pct_good": kpis.pct_good,
        "missing_cells": len(missing),
        "flagged_members": len(flags),
    }
    progress(80)
    context = {
        **_header(report, title),
        "kpis": kpis,
        "period": period,
        "tables": tables,
        "heatmap": heatmap,
        "months": list(meeting_selectors.MONTHS),
        "chart": [(label, pct) for label, _n, _of, pct in kpi_rows],
    }
    return Built(
        template="reports/pdf/compliance.html",
        context=context,
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=parameters_on(timezone.localdate()).parameter_set,
        data_as_of=data_as_of,
    )


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
    member_rows = [
        [
            index,
            member.full_name,
            member.get_gender_display() if member.gender else "",
            member.date_of_birth.strftime("%d/%m/%Y") if member.date_of_birth else "",
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
            "headers": [_("No."), _("Full name"), _("Gender"), _("Date of birth"), _("Admission date"), _("Status")],
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
        parameter_set=parameters_on(timezone.localdate()).parameter_set,
        data_as_of=data_as_of,
    )


def _pct(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def _register_tables(*, user, root: Organization, year: int) -> tuple[list[dict], dict]:
    """The registers' sections of the yearly report: the "Dân vận khéo" models by level recognised (D9), and the
    members using the e-handbook and those with their place of residence's feedback (D10), for the user's scope."""
    models = mass_mobilisation.level_counts(user=user, root=root, year=year)
    members = Member.objects.filter(
        scope_filter(user, prefix="organization__"), organization__path__startswith=root.path
    )
    d10 = residence.d10_counts(members, year=year)
    tables = [
        {
            "title": _("Mass mobilisation models"),
            "sheet": _("Dan van kheo"),
            "headers": [_("Level recognised"), _("Models")],
            "rows": [
                *[[label, n] for _value, label, n in models["levels"]],
                [_("Recognised in all"), models["recognised"]],
                [_("Assessed, not recognised"), models["not_recognised"]],
            ],
        },
        {
            "title": _("E-handbook and feedback from the place of residence"),
            "sheet": _("E-handbook"),
            "headers": [_("Indicator"), _("Count"), _("Out of"), _("%")],
            "rows": [
                [
                    _("Members using the e-handbook"),
                    d10["ehandbook"],
                    d10["members"],
                    _pct(d10["ehandbook"], d10["members"]),
                ],
                [
                    _("Members with feedback from their place of residence (QĐ 213)"),
                    d10["feedback"],
                    d10["members"],
                    _pct(d10["feedback"], d10["members"]),
                ],
            ],
        },
    ]
    figures = {
        "mass_mobilisation_models": {value: n for value, _label, n in models["levels"]},
        "mass_mobilisation_recognised": models["recognised"],
        "ehandbook_members": d10["ehandbook"],
        "residence_feedback_members": d10["feedback"],
        "members_taking_part": d10["members"],
    }
    return tables, figures


def _exceptions_table(exceptions: list[dict]) -> dict:
    return {
        "title": _("Exceptions: discipline caps lifted by the deciding body (rule B13)"),
        "sheet": _("Exceptions"),
        "headers": [
            _("Kind"),
            _("Name"),
            _("Party cell"),
            _("Cap"),
            _("Decided"),
            _("Justification"),
            _("Recorded by"),
            _("On"),
        ],
        "rows": [
            [e["kind"], e["name"], e["where"], e["cap"], e["grade"], e["justification"], e["by"], e["at"]]
            for e in exceptions
        ]
        or [[_("None"), "", "", "", "", "", "", ""]],
    }


def build_evaluation(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    """Yearly evaluation results: organisations and members by grade, per grassroots organisation, the quota,
    the targets, and the regulation set the decisions were based on."""
    root = report.organization
    data_as_of = timezone.now()
    board = dashboard(user=user, root=root, year=report.year)
    progress(30)
    grade_labels = [label for _value, label in Grade.choices]
    tables = []
    figures: dict = {"period": bool(board.period)}
    if board.period is not None:
        evaluations = list(
            OrgEvaluation.objects.filter(period=board.period, organization__path__startswith=root.path)
            .select_related("organization")
            .only(
                "organization__path",
                "organization__kind",
                "organization__name",
                "final_grade",
                "status",
                "not_classified",
            )
        )
        grassroots = {
            e.organization.path: e.organization
            for e in evaluations
            if e.organization.kind in Organization.GRASSROOTS_KINDS
        }
        per_grassroots: dict[int, dict] = {}
        for evaluation in evaluations:
            owner = next((g for path, g in grassroots.items() if evaluation.organization.path.startswith(path)), None)
            if owner is None:
                continue
            row = per_grassroots.setdefault(
                owner.pk, {"name": owner.name, "orgs": dict.fromkeys(Grade.values, 0), "decided": 0, "total": 0}
            )
            row["total"] += 1
            if evaluation.final_grade:
                row["orgs"][evaluation.final_grade] += 1
                row["decided"] += 1
        members = {
            (r["grassroots_id"], r["final_grade"]): r["n"]
            for r in MemberEvaluation.objects.filter(period=board.period, organization__path__startswith=root.path)
            .exclude(final_grade="")
            .values("grassroots_id", "final_grade")
            .annotate(n=Count("id"))
        }
        progress(55)
        quota = {q["id"]: q for q in board.quota}
        grassroots_rows = []
        for pk, row in sorted(per_grassroots.items(), key=lambda item: item[1]["name"]):
            q = quota.get(pk, {})
            grassroots_rows.append(
                [
                    row["name"],
                    f"{row['decided']}/{row['total']}",
                    *[members.get((pk, grade), 0) for grade in Grade.values],
                    q.get("allowed", ""),
                    q.get("remaining", ""),
                ]
            )
        tables = [
            {  # B26: the TCCSĐ apart from the subordinate cells under them
                "title": _("Grassroots organisations (TCCSĐ) by grade"),
                "sheet": _("Organisations"),
                "headers": [_("Grade"), _("Grassroots organisations"), _("%")],
                "rows": [[label, n, pct] for _value, label, n, pct in board.grassroots_grades],
            },
            {
                "title": _("Subordinate cells and sub-committees by grade"),
                "sheet": _("Subordinate"),
                "headers": [_("Grade"), _("Organisations")],
                "rows": [[label, n] for _value, label, n in board.subordinate_grades],
            },
            {
                "title": _("Party members by grade"),
                "sheet": _("Members"),
                "headers": [_("Grade"), _("Members")],
                "rows": [[label, n] for _value, label, n in board.member_grades],
            },
            {
                "title": _("Per grassroots organisation"),
                "sheet": _("Grassroots"),
                "headers": [
                    _("Grassroots organisation"),
                    _("Decided"),
                    *grade_labels,
                    _("HTXSNV allowed"),
                    _("Places left"),
                ],
                "rows": grassroots_rows,
            },
        ]
        figures.update(
            {
                "members_classified": board.members_classified,
                "pct_good_or_better": board.pct_good_or_better,
                "pct_excellent": board.pct_excellent,
                "grassroots_grades": {value: n for value, _label, n, _pct in board.grassroots_grades},
                "subordinate_grades": {value: n for value, _label, n in board.subordinate_grades},
                "member_grades": {value: n for value, _label, n in board.member_grades},
                "over_quota": [q["name"] for q in board.quota if q["remaining"] < 0],
            }
        )
    if board.meetings is not None:  # B26: the meeting figures of the year, from the one counting module (D6)
        k = board.meetings
        tables.append(
            {
                "title": _("Cell meetings of the year (B26)"),
                "sheet": _("Meetings"),
                "headers": [_("Indicator"), _("Count"), _("Out of"), _("%")],
                "rows": [
                    [_("Cells that held every regular meeting"), k.cells_all_regular, k.cells, k.pct_all_regular],
                    [_("Member attendance"), k.present, k.eligible, k.attendance_pct],
                ],
            }
        )
        figures["pct_cells_all_regular"] = k.pct_all_regular
        figures["attendance_pct"] = k.attendance_pct
    if board.period is not None:  # D5: the discipline caps lifted by the deciding body ("trường hợp ngoại lệ")
        exceptions = discipline.cap_exceptions(period=board.period, root=root, scope=scope_filter(user))
        tables.append(_exceptions_table(exceptions))
        figures["cap_exceptions"] = len(exceptions)
    register_tables, register_figures = _register_tables(user=user, root=root, year=report.year)  # D9, D10
    tables += register_tables
    figures.update(register_figures)
    progress(75)
    title = _("REPORT ON THE YEARLY QUALITY CLASSIFICATION")
    basis = board.period.parameter_set if board.period else None
    return Built(
        template="reports/pdf/evaluation.html",
        context={
            **_header(report, title),
            "board": board,
            "tables": tables,
            "basis": basis,
            "basis_documents": list(basis.basis.all()) if basis else [],
            "chart": board.chart,
            "chart_target": board.target_good_or_better,
        },
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=basis,
        data_as_of=data_as_of,
    )


def build_model_cells(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    """Model-cell progress: per grassroots organisation the cells registered, eligible, recognised, and the
    coverage against the target share of recognised model cells (B21, B22)."""
    root = report.organization
    data_as_of = timezone.now()
    programme = report.params.get("programme", "KIEU_MAU")
    result = programmes.coverage(user=user, root=root, programme=programme, year=report.year)
    progress(35)
    # Eligibility of every cell for a phase starting next year (reference years: the two before it).
    years = [report.year - 1, report.year]
    cells = [cell for row in result["rows"] for cell in row.cells]
    grades: dict[int, dict[int, str]] = {}
    for rating in HistoricalRating.objects.filter(organization__in=cells, year__in=years).values_list(
        "organization_id", "year", "grade"
    ):
        grades.setdefault(rating[0], {})[rating[1]] = rating[2]
    for evaluation in (
        OrgEvaluation.objects.filter(
            organization__in=cells, period__year__in=years, status=OrgEvaluation.Status.DECIDED
        )
        .exclude(final_grade="")
        .values_list("organization_id", "period__year", "final_grade")
    ):
        grades.setdefault(evaluation[0], {})[evaluation[1]] = evaluation[2]
    eligible = {cell.pk for cell in cells if rules.model_cell_eligibility(grades.get(cell.pk, {}), years)[0]}
    progress(60)
    rows = [
        [
            row.organization.name,
            row.cell_count,
            len(row.registered),
            len([c for c in row.cells if c.pk in eligible]),
            len(row.recognised),
            row.recognised_pct,
            _("none registered") if row.missing_registration else "",
        ]
        for row in result["rows"]
    ]
    tables = [
        {
            "title": _("Coverage per grassroots organisation"),
            "sheet": _("Coverage"),
            "headers": [
                _("Grassroots organisation"),
                _("Cells"),
                _("Registered"),
                _("Eligible"),
                _("Recognised"),
                _("Share recognised"),
                _("Note"),
            ],
            "rows": rows,
        }
    ]
    figures = {
        "cells": result["cells"],
        "registered": result["registered"],
        "eligible": len(eligible),
        "recognised": result["recognised"],
        "recognised_pct": str(result["recognised_pct"]) if result["recognised_pct"] is not None else None,
        "target_pct": result["target_pct"],
        "target_met": result["target_met"],
        "committees_without_registration": len(result["missing"]),
    }
    progress(75)
    title = _("REPORT ON BUILDING MODEL PARTY CELLS")
    chart = [
        (_("Cells registered"), float(result["registered_pct"]) if result["registered_pct"] is not None else None),
        (_("Cells recognised"), float(result["recognised_pct"]) if result["recognised_pct"] is not None else None),
    ]
    return Built(
        template="reports/pdf/tables.html",
        context={**_header(report, title), "tables": tables, "chart": chart, "chart_target": result["target_pct"]},
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=parameters_on(timezone.localdate()).parameter_set,
        data_as_of=data_as_of,
    )


BUILDERS: dict[str, Callable[..., Built]] = {
    Report.Kind.COMPLIANCE: build_compliance,
    Report.Kind.EVALUATION: build_evaluation,
    Report.Kind.MODEL_CELLS: build_model_cells,
    Report.Kind.CELL_PROFILE: build_cell_profile,
}
