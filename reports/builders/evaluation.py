"""The yearly evaluation report."""

from collections.abc import Callable

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.permissions import scope_filter
from evaluations import discipline
from evaluations.dashboard.selectors import dashboard
from evaluations.mass_mobilisation import services as mass_mobilisation
from evaluations.models import Grade, MemberEvaluation, OrgEvaluation
from members.models import Member
from members.residence import services as residence
from reports.builders.common import Built, _header
from reports.models import Report


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
