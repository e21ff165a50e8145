"""The yearly evaluation report (báo cáo kết quả đánh giá, xếp loại chất lượng).

Where the figures come from depends on the year (issue #14, D6 "periods right"):
- a review decided in chibo: the decided grades (OrgEvaluation, MemberEvaluation);
- no review decided in chibo for that year (the years decided on paper, 2020–2024): the imported past results
  (HistoricalRating), so that the 2024 report shows the grades on record instead of "—";
- a review still open: its progress ("x of y" per stage, like the evaluation dashboard) and the grades decided so
  far, never pages of zeros.
The rule set recorded is the one of the review, or for an imported year the one in force on the year's last day.

At the bloc's scale the body summarises; the detail per grassroots organisation goes to the phụ lục only while it
is short, and always to the spreadsheet twin. The data is gathered by grouped queries (a constant number whatever
the size of the tree): grades per parent path, mapped in memory to the grassroots organisation above.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cells.formats import date_vn, num, pct
from cells.models import Organization
from cells.permissions import VIEW, scope_filter
from criteria.models import RuleParameterSet
from criteria.selectors import parameters_on
from evaluations import discipline, rules
from evaluations.mass_mobilisation import services as mass_mobilisation
from evaluations.models import (
    EvaluationPeriod,
    Grade,
    HistoricalRating,
    MemberEvaluation,
    OrgEvaluation,
    QuotaException,
)
from evaluations.review.quota import MEMBERS, extra_places
from meetings import selectors as meeting_selectors
from members.models import Member
from members.residence import services as residence
from reports.builders.common import Built, _header
from reports.models import Report

DECIDED, IMPORTED, PROGRESS, NONE = "decided", "imported", "progress", "none"
# Above this many grassroots organisations the per-organisation table stays in the spreadsheet only: at the bloc's
# scale (thousands) it would be pages no one reads (issue #14, "Scale").
PDF_GRASSROOTS_ROWS = 100
# Organisations named in a sentence before "and N others".
NAMED = 5
PDF_EXCEPTION_ROWS = 40
GRADES = tuple(Grade.values)  # read in loops over thousands of rows: Grade.values rebuilds its list each time


def _pct(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


#
# Drafting: small pure functions from figures to Vietnamese sentences (staff edit them on the draft).
#


def named_list(names: Iterable[str], *, limit: int = NAMED) -> str:
    """ "A, B, C và 4 tổ chức khác": the first `limit` names, then how many more (a sentence stays readable)."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    rest = len(names) - limit
    return ngettext("%(names)s and %(n)s other organisation", "%(names)s and %(n)s other organisations", rest) % {
        "names": ", ".join(names[:limit]),
        "n": num(rest),
    }


def document_name(document) -> str:
    """A regulation document named once in full: "Quy định số 366-QĐ/TW ngày 30/08/2025 của Bộ Chính trị về …"."""
    kind = str(document.get_doc_type_display())
    subject = document.title.strip()
    if subject.lower().startswith(kind.lower()):
        subject = subject[len(kind) :].strip()
    if subject.lower().startswith("về "):  # "Quy định về …": the "về" is the sentence's own
        subject = subject[3:].strip()
    return _("%(kind)s No. %(number)s of %(date)s by %(issuer)s on %(subject)s") % {
        "kind": kind,
        "number": document.number,
        "date": date_vn(document.issued_on),
        "issuer": document.issuer,
        "subject": subject,
    }


def basis_sentence(documents: Iterable) -> str:
    """The căn cứ of the report: each document once, in the order issued."""
    seen, names = set(), []
    for document in sorted(documents, key=lambda d: (d.issued_on, d.number)):
        if document.number not in seen:
            seen.add(document.number)
            names.append(document_name(document))
    return _("Pursuant to %(documents)s.") % {"documents": "; ".join(names)} if names else ""


def compare(current: float | None, previous: float | None) -> str:
    """ "tăng 2,3 điểm % so với năm trước" / "giảm …" / "bằng năm trước"; "" when either is unknown."""
    if current is None or previous is None:
        return ""
    delta = round(current - previous, 1)
    if delta > 0:
        return _("up %(delta)s percentage points on the previous year") % {"delta": num(delta)}
    if delta < 0:
        return _("down %(delta)s percentage points on the previous year") % {"delta": num(-delta)}
    return _("the same as the previous year")


def against_target(value: float | None, target) -> str:
    if value is None or target is None:
        return ""
    if value >= float(target):
        return _("meeting the target of %(target)s") % {"target": pct(target)}
    return _("below the target of %(target)s") % {"target": pct(target)}


def draft_results(*, facts: dict) -> list[str]:
    """The "results" paragraphs: each figure with its base, then the comparison with the previous year and the
    targets. `facts` is the dict made by `_facts` (pure data, so this is unit-tested without a database)."""
    paragraphs = []
    if facts["source"] == PROGRESS or facts.get("open"):
        steps = facts["progress"]
        paragraphs.append(
            _(
                "The review of %(year)s is in progress: %(self)s of %(of)s organisations have self-assessed, "
                "%(appraised)s have been appraised and %(decided)s decided."
            )
            % {
                "year": facts["year"],
                "self": num(steps["self_assessed"]),
                "appraised": num(steps["appraised"]),
                "decided": num(steps["decided"]),
                "of": num(steps["of"]),
            }
        )
    if facts["source"] == IMPORTED:
        paragraphs.append(
            _("The results of %(year)s were decided on paper; the figures are those of the imported records.")
            % {"year": facts["year"]}
        )
    g = facts["grassroots"]
    if g["classified"]:
        paragraphs.append(
            _(
                "Grassroots organisations: %(excellent)s/%(n)s rated HTXSNV (%(excellent_pct)s), %(good)s/%(n)s "
                "HTTNV (%(good_pct)s), %(fulfilled)s/%(n)s HTNV and %(failed)s/%(n)s KHTNV."
            )
            % {
                "n": num(g["classified"]),
                "excellent": num(g[Grade.EXCELLENT]),
                "excellent_pct": pct(_pct(g[Grade.EXCELLENT], g["classified"])),
                "good": num(g[Grade.GOOD]),
                "good_pct": pct(_pct(g[Grade.GOOD], g["classified"])),
                "fulfilled": num(g[Grade.FULFILLED]),
                "failed": num(g[Grade.NOT_FULFILLED]),
            }
        )
    m = facts["members"]
    if m["classified"]:
        good, excellent = facts["pct_good_or_better"], facts["pct_excellent"]
        parts = [
            _("Party members: %(good)s/%(n)s rated HTTNV or better, %(pct)s")
            % {"good": num(m[Grade.EXCELLENT] + m[Grade.GOOD]), "n": num(m["classified"]), "pct": pct(good)}
        ]
        for text in (
            compare(good, facts["previous"].get("pct_good_or_better")),
            against_target(good, facts["target_good_or_better"]),
        ):
            if text:
                parts.append(text)
        sentence = ", ".join(parts) + ". "
        parts = [
            _("%(excellent)s/%(n)s rated HTXSNV, %(pct)s")
            % {"excellent": num(m[Grade.EXCELLENT]), "n": num(m["classified"]), "pct": pct(excellent)}
        ]
        for text in (
            compare(excellent, facts["previous"].get("pct_excellent")),
            _("against a quota of %(target)s") % {"target": pct(facts["target_excellent"])},
        ):
            if text:
                parts.append(text)
        paragraphs.append(sentence + ", ".join(parts) + ".")
    elif not paragraphs:
        paragraphs.append(
            _("No yearly review was opened for %(year)s and no past result was imported.") % {"year": facts["year"]}
        )
    return paragraphs


def draft_strengths(*, facts: dict) -> list[str]:
    paragraphs = []
    steps = facts["progress"]
    if (facts["source"] == PROGRESS or facts.get("open")) and steps["self_assessed"]:
        paragraphs.append(
            _("%(n)s/%(of)s organisations have completed their self-assessment.")
            % {"n": num(steps["self_assessed"]), "of": num(steps["of"])}
        )
    good = facts["pct_good_or_better"]
    if good is not None and good >= float(facts["target_good_or_better"]):
        paragraphs.append(
            _("The share of members rated HTTNV or better (%(pct)s) meets the target of %(target)s.")
            % {"pct": pct(good), "target": pct(facts["target_good_or_better"])}
        )
    g = facts["grassroots"]
    if g["classified"] and not g[Grade.NOT_FULFILLED]:
        paragraphs.append(_("No grassroots organisation was rated KHTNV."))
    if facts["excellent_orgs"]:
        paragraphs.append(
            _("Rated HTXSNV: %(names)s.") % {"names": named_list(facts["excellent_orgs"])},
        )
    return paragraphs


def draft_shortcomings(*, facts: dict) -> list[str]:
    paragraphs = []
    steps = facts["progress"]
    if (facts["source"] == PROGRESS or facts.get("open")) and steps.get("not_started"):
        paragraphs.append(
            _("%(n)s/%(of)s organisations have not started their self-assessment.")
            % {"n": num(steps["not_started"]), "of": num(steps["of"])}
        )
    if (facts["source"] == PROGRESS or facts.get("open")) and steps.get("returned"):
        paragraphs.append(
            _("%(n)s organisations were returned to complete their file.") % {"n": num(steps["returned"])}
        )
    good = facts["pct_good_or_better"]
    if good is not None and good < float(facts["target_good_or_better"]):
        paragraphs.append(
            _("The share of members rated HTTNV or better (%(pct)s) is below the target of %(target)s.")
            % {"pct": pct(good), "target": pct(facts["target_good_or_better"])}
        )
    if facts["failed_orgs"]:
        paragraphs.append(
            _("Rated KHTNV: %(names)s.") % {"names": named_list(facts["failed_orgs"])},
        )
    if facts["over_quota"]:
        paragraphs.append(
            _("Members rated HTXSNV above the quota: %(names)s.") % {"names": named_list(facts["over_quota"])}
        )
    if facts["undecided_orgs"]:
        paragraphs.append(
            _("Not yet decided: %(names)s.") % {"names": named_list(facts["undecided_orgs"])},
        )
    if not paragraphs and (facts["grassroots"]["classified"] or facts["members"]["classified"]):
        paragraphs.append(_("No organisation falls short of the targets on these figures."))
    return paragraphs


def draft_tasks(*, facts: dict) -> list[str]:
    paragraphs = []
    if facts["source"] == PROGRESS or facts.get("open"):
        paragraphs.append(
            _(
                "Complete the self-assessment, appraisal and decision of the remaining organisations before the due dates."
            )
        )
    if facts["failed_orgs"]:
        paragraphs.append(_("Help the organisations rated KHTNV draw up and carry out their plans to overcome it."))
    if facts["over_quota"]:
        paragraphs.append(_("Review the HTXSNV proposals above the quota before the decision."))
    paragraphs.append(
        _(
            "Keep up regular cell meetings and their quality, and prepare the review of %(year)s against the "
            "targets: %(good)s of members HTTNV or better, HTXSNV within %(excellent)s."
        )
        % {
            "year": facts["year"] + 1,
            "good": pct(facts["target_good_or_better"]),
            "excellent": pct(facts["target_excellent"]),
        }
    )
    return paragraphs


def draft_sections(*, facts: dict) -> list[dict]:
    """The four parts of a báo cáo; a part with nothing to say is left out (no empty heading)."""
    sections = [
        {"key": "results", "heading": _("I. RESULTS"), "paragraphs": draft_results(facts=facts)},
        {"key": "strengths", "heading": _("II. STRENGTHS"), "paragraphs": draft_strengths(facts=facts)},
        {"key": "shortcomings", "heading": _("III. SHORTCOMINGS"), "paragraphs": draft_shortcomings(facts=facts)},
        {"key": "tasks", "heading": _("IV. TASKS AHEAD"), "paragraphs": draft_tasks(facts=facts)},
    ]
    return [section for section in sections if section["paragraphs"] or section["key"] == "results"]


#
# Gathering: grouped queries
#


def _owner(path: str, grassroots_ids: set[int]) -> int | None:
    """The grassroots organisation of a path (the one of its ids that is a grassroots organisation)."""
    for part in path.strip("/").split("/"):
        if part and int(part) in grassroots_ids:
            return int(part)
    return None


def _grassroots(*, user, root: Organization) -> dict[int, dict]:
    """The grassroots organisations of the report: those under the root, or the one above a root below them."""
    rows = (
        Organization.objects.filter(scope_filter(user, action=VIEW))
        .filter(Q(path__startswith=root.path) | Q(pk__in=root.ancestor_ids()))
        .filter(kind__in=Organization.GRASSROOTS_KINDS)
        .values("id", "name", "code", "path")
    )
    return {
        r["id"]: {
            **r,
            "own": "",
            "orgs": dict.fromkeys(GRADES, 0),
            "total": 0,
            "decided": 0,
            "members": dict.fromkeys(GRADES, 0),
        }
        for r in rows
    }


def _tally_decided(*, user, root, period: EvaluationPeriod, units: dict[int, dict]) -> dict[str, int]:
    """Fill `units` from the review in chibo (three grouped queries); returns the organisations per status (the
    review's progress)."""
    ids = set(units)
    statuses: dict[str, int] = {}
    evaluations = OrgEvaluation.objects.filter(
        scope_filter(user, prefix="organization__", action=VIEW),
        period=period,
        organization__path__startswith=root.path,
    )
    for r in (
        evaluations.filter(organization__kind__in=Organization.GRASSROOTS_KINDS)
        .values("organization_id", "final_grade", "status")
        .order_by()
    ):
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        unit = units.get(r["organization_id"])
        if unit is not None:
            unit["total"] += 1
            unit["own"] = r["final_grade"]
            if r["status"] == OrgEvaluation.Status.DECIDED:
                unit["decided"] += 1
    for r in (
        evaluations.exclude(organization__kind__in=Organization.GRASSROOTS_KINDS)
        .values("organization__parent__path", "final_grade", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        statuses[r["status"]] = statuses.get(r["status"], 0) + r["n"]
        unit = units.get(_owner(r["organization__parent__path"] or "", ids))
        if unit is None:
            continue
        unit["total"] += r["n"]
        if r["status"] == OrgEvaluation.Status.DECIDED:
            unit["decided"] += r["n"]
        if r["final_grade"]:
            unit["orgs"][r["final_grade"]] += r["n"]
    for r in (
        MemberEvaluation.objects.filter(
            scope_filter(user, prefix="organization__", action=VIEW),
            period=period,
            organization__path__startswith=root.path,
        )
        .exclude(final_grade="")
        .values("grassroots_id", "final_grade")
        .annotate(n=Count("id"))
        .order_by()
    ):
        unit = units.get(r["grassroots_id"])
        if unit is not None:
            unit["members"][r["final_grade"]] += r["n"]
    return statuses


def _period(*, root: Organization, year: int) -> EvaluationPeriod | None:
    """The review of `year` covering `root`: opened at it, below it, or above it (as the dashboard finds it)."""
    return (
        EvaluationPeriod.objects.filter(year=year)
        .filter(Q(root__path__startswith=root.path) | Q(root_id__in=[*root.ancestor_ids(), root.pk]))
        .select_related("parameter_set")
        .order_by("root__depth")
        .first()
    )


def _quota(*, period: EvaluationPeriod, units: list[dict], params: dict) -> dict[int, dict]:
    """B12 per grassroots organisation from the tallies already grouped (one query for the organisations with
    exception places, one more for their places when there are any)."""
    # Only the units that have exception places are asked for theirs: a handful, where the bloc has ~7,000 units,
    # and a list of 7,000 ids costs ~0.2 s to send (issue #14, "Scale"); the places found are the same.
    excepted = set()
    if units:
        excepted = set(
            QuotaException.objects.filter(period=period, scope=MEMBERS).values_list("organization_id", flat=True)
        )
    unit_ids = [unit["id"] for unit in units if unit["id"] in excepted]
    extra = extra_places(period=period, scope=MEMBERS, unit_ids=unit_ids) if unit_ids else {}
    quota = {}
    for unit in units:
        if not any(unit["members"].values()):
            continue  # no member rated in this unit: no quota line (as the dashboard)
        allowed = rules.member_quota(
            params=params, good_count=unit["members"][Grade.GOOD], extra_places=extra.get(unit["id"], 0)
        )
        quota[unit["id"]] = {
            "id": unit["id"],
            "name": unit["name"],
            "allowed": allowed,
            "remaining": allowed - unit["members"][Grade.EXCELLENT],
        }
    return quota


def _progress_steps(statuses: dict[str, int]) -> list[dict]:
    """The review's progress as "x of y" per state, decided first (like the evaluation dashboard)."""
    s = OrgEvaluation.Status
    evaluated = sum(statuses.values())
    return [
        {
            "status": status.value,
            "label": status.label,
            "n": statuses.get(status.value, 0),
            "of": evaluated,
            "pct": round(100 * statuses.get(status.value, 0) / evaluated) if evaluated else 0,
        }
        for status in (s.DECIDED, s.APPRAISED, s.SELF_ASSESSED, s.RETURNED, s.NOT_STARTED)
    ]


def _tally_imported(*, user, root, year: int, units: dict[int, dict]) -> None:
    """Fill `units` from the imported past results of `year` (HistoricalRating): three grouped queries."""
    ids = set(units)
    ratings = HistoricalRating.objects.filter(year=year)
    orgs = ratings.filter(
        scope_filter(user, prefix="organization__", action=VIEW), organization__path__startswith=root.path
    )
    for r in orgs.filter(organization__kind__in=Organization.GRASSROOTS_KINDS).values("organization_id", "grade"):
        unit = units.get(r["organization_id"])
        if unit is not None:
            unit["own"] = r["grade"]
            unit["total"] += 1
            unit["decided"] += 1
    for r in (
        orgs.exclude(organization__kind__in=Organization.GRASSROOTS_KINDS)
        .values("organization__parent__path", "grade")
        .annotate(n=Count("id"))
        .order_by()
    ):
        unit = units.get(_owner(r["organization__parent__path"] or "", ids))
        if unit is not None:
            unit["total"] += r["n"]
            unit["decided"] += r["n"]
            unit["orgs"][r["grade"]] += r["n"]
    for r in (
        ratings.filter(
            scope_filter(user, prefix="member__organization__", action=VIEW),
            member__organization__path__startswith=root.path,
        )
        .values("member__organization__path", "grade")
        .annotate(n=Count("id"))
        .order_by()
    ):
        unit = units.get(_owner(r["member__organization__path"] or "", ids))
        if unit is not None:
            unit["members"][r["grade"]] += r["n"]


def _source(*, period: EvaluationPeriod | None, decided: int, imported: bool) -> str:
    if period is not None and (decided or period.state == EvaluationPeriod.State.LOCKED):
        return DECIDED
    if imported:
        return IMPORTED
    if period is not None:
        return PROGRESS
    return NONE


def _member_pcts(members: dict) -> tuple[float | None, float | None]:
    classified = members["classified"]
    return (
        _pct(members[Grade.EXCELLENT] + members[Grade.GOOD], classified),
        _pct(members[Grade.EXCELLENT], classified),
    )


def _previous_year(*, user, root: Organization, year: int) -> dict:
    """The members' shares of the year before, for the comparison: decided in chibo, else imported. Two queries."""
    counts = {
        r["final_grade"]: r["n"]
        for r in MemberEvaluation.objects.filter(
            scope_filter(user, prefix="organization__", action=VIEW),
            period__year=year - 1,
            organization__path__startswith=root.path,
        )
        .exclude(final_grade="")
        .values("final_grade")
        .annotate(n=Count("id"))
        .order_by()
    }
    if not counts:
        counts = {
            r["grade"]: r["n"]
            for r in HistoricalRating.objects.filter(
                scope_filter(user, prefix="member__organization__", action=VIEW),
                year=year - 1,
                member__organization__path__startswith=root.path,
            )
            .values("grade")
            .annotate(n=Count("id"))
            .order_by()
        }
    members = {grade: counts.get(grade, 0) for grade in GRADES}
    members["classified"] = sum(counts.values())
    good, excellent = _member_pcts(members)
    return {"pct_good_or_better": good, "pct_excellent": excellent}


#
# Tables
#


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
            "appendix": True,
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
            "appendix": True,
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
        "appendix": True,
    }


def _grade_tables(*, grassroots: dict, subordinate: dict, members: dict) -> list[dict]:
    labels = dict(Grade.choices)
    return [
        {  # B26: the TCCSĐ apart from the subordinate cells under them
            "title": _("Grassroots organisations (TCCSĐ) by grade"),
            "sheet": _("Organisations"),
            "headers": [_("Grade"), _("Grassroots organisations"), _("%")],
            "rows": [[labels[g], grassroots[g], _pct(grassroots[g], grassroots["classified"])] for g in GRADES],
            "totals": [_("Total"), grassroots["classified"], 100 if grassroots["classified"] else None],
            "section": "results",
        },
        {
            "title": _("Subordinate cells and sub-committees by grade"),
            "sheet": _("Subordinate"),
            "headers": [_("Grade"), _("Organisations")],
            "rows": [[labels[g], subordinate[g]] for g in GRADES],
            "totals": [_("Total"), sum(subordinate[g] for g in GRADES)],
            "section": "results",
        },
        {
            "title": _("Party members by grade"),
            "sheet": _("Members"),
            "headers": [_("Grade"), _("Members")],
            "rows": [[labels[g], members[g]] for g in GRADES],
            "totals": [_("Total"), members["classified"]],
            "section": "results",
        },
    ]


def _grassroots_table(units: list[dict], quota: dict, *, source: str) -> dict:
    rows = []
    for unit in units:
        q = quota.get(unit["id"], {})
        rows.append(
            [
                unit["name"],
                unit["decided"],
                unit["total"],
                *[unit["members"][g] for g in GRADES],
                q.get("allowed"),
                q.get("remaining"),
            ]
        )
    return {
        "title": _("Per grassroots organisation"),
        "sheet": _("Grassroots"),
        "headers": [
            _("Grassroots organisation"),
            _("Rated") if source == IMPORTED else _("Decided"),
            _("Organisations"),
            *[_("Members %(grade)s") % {"grade": g} for g in GRADES],
            _("HTXSNV allowed"),
            _("Places left"),
        ],
        "rows": rows,
        "totals": [
            _("Total"),
            sum(u["decided"] for u in units),
            sum(u["total"] for u in units),
            *[sum(u["members"][g] for u in units) for g in GRADES],
            None,
            None,
        ],
        "appendix": True,
    }


def _progress_table(steps: list[dict]) -> dict:
    return {
        "title": _("Progress of the review"),
        "sheet": _("Progress"),
        "headers": [_("Stage"), _("Organisations"), _("Out of"), _("%")],
        "rows": [[step["label"], step["n"], step["of"], step["pct"]] for step in steps],
        "section": "results",
    }


def _facts(*, report, period, statuses, quota, source, units, previous, params) -> tuple[dict, dict, dict, dict]:
    """The figures of the year as the drafting functions read them."""
    grassroots = dict.fromkeys(GRADES, 0)
    subordinate = dict.fromkeys(GRADES, 0)
    members = dict.fromkeys(GRADES, 0)
    for unit in units.values():
        if unit["own"]:
            grassroots[unit["own"]] += 1
        for g in GRADES:
            subordinate[g] += unit["orgs"][g]
            members[g] += unit["members"][g]
    grassroots["classified"] = sum(grassroots[g] for g in GRADES)
    members["classified"] = sum(members[g] for g in GRADES)
    good, excellent = _member_pcts(members)
    counts = statuses
    s = OrgEvaluation.Status
    ordered = sorted(units.values(), key=lambda u: u["name"])
    facts = {
        "year": report.year,
        "source": source,
        "open": period is not None and period.state == EvaluationPeriod.State.OPEN,
        "progress": {
            "decided": counts.get(s.DECIDED, 0),
            "appraised": counts.get(s.DECIDED, 0) + counts.get(s.APPRAISED, 0),
            "self_assessed": counts.get(s.DECIDED, 0) + counts.get(s.APPRAISED, 0) + counts.get(s.SELF_ASSESSED, 0),
            "of": sum(statuses.values()),
            "not_started": counts.get(s.NOT_STARTED, 0),
            "returned": counts.get(s.RETURNED, 0),
        },
        "grassroots": grassroots,
        "members": members,
        "pct_good_or_better": good,
        "pct_excellent": excellent,
        "previous": previous,
        "target_good_or_better": params["target_members_good_or_better_pct"],
        "target_excellent": params["target_members_excellent_pct"],
        "excellent_orgs": [u["name"] for u in ordered if u["own"] == Grade.EXCELLENT],
        "failed_orgs": [u["name"] for u in ordered if u["own"] == Grade.NOT_FULFILLED],
        "over_quota": [q["name"] for u in ordered if (q := quota.get(u["id"])) and q["remaining"] < 0],
        "undecided_orgs": [u["name"] for u in ordered if u["total"] > u["decided"]] if source == DECIDED else [],
    }
    return facts, grassroots, subordinate, members


def build_evaluation(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    """Yearly evaluation results: organisations and members by grade, per grassroots organisation, the quota,
    the targets, and the regulation set the decisions were based on; drafted as a báo cáo."""
    root = report.organization
    data_as_of = timezone.now()
    # Not the evaluation dashboard's selector: its per-grade counts and quota would be read a second time here;
    # the grouped tallies below give them all (issue #14, "Scale").
    period = _period(root=root, year=report.year)
    units = _grassroots(user=user, root=root)
    statuses = _tally_decided(user=user, root=root, period=period, units=units) if period is not None else {}
    progress(30)
    decided = statuses.get(OrgEvaluation.Status.DECIDED, 0)
    imported = False
    if not decided:
        imported = HistoricalRating.objects.filter(year=report.year, organization__path__startswith=root.path).exists()
    source = _source(period=period, decided=decided, imported=imported)
    if source == IMPORTED:
        units = _grassroots(user=user, root=root)
        _tally_imported(user=user, root=root, year=report.year, units=units)
    progress(50)
    if period is not None:
        parameter_set = period.parameter_set
    else:  # the rule set in force for that year (issue #14: never today's set for a past year)
        parameter_set = parameters_on(datetime.date(report.year, 12, 31)).parameter_set
    params = dict(RuleParameterSet.DEFAULTS)
    if parameter_set is not None:
        params = rules.parameters_snapshot(parameter_set)
    ordered = sorted(units.values(), key=lambda u: u["name"])
    quota = _quota(period=period, units=ordered, params=params) if source == DECIDED else {}
    previous = _previous_year(user=user, root=root, year=report.year)
    facts, grassroots, subordinate, members = _facts(
        report=report,
        period=period,
        statuses=statuses,
        quota=quota,
        source=source,
        units=units,
        previous=previous,
        params=params,
    )
    xlsx_tables: list[dict] = []  # every table, the sheets of the spreadsheet twin
    pdf_tables: list[dict] = []  # the tables printed, in the body or the phụ lục
    figures: dict = {"period": bool(period)}
    if source == PROGRESS or facts["open"]:
        table = _progress_table(_progress_steps(statuses))
        xlsx_tables.append(table)
        pdf_tables.append(table)
        figures["progress"] = {k: facts["progress"][k] for k in ("decided", "appraised", "self_assessed", "of")}
    if source in (DECIDED, IMPORTED):
        grade_tables = _grade_tables(grassroots=grassroots, subordinate=subordinate, members=members)
        per_grassroots = _grassroots_table(ordered, quota, source=source)
        xlsx_tables += [*grade_tables, per_grassroots]
        pdf_tables += grade_tables
        if len(ordered) <= PDF_GRASSROOTS_ROWS:
            pdf_tables.append(per_grassroots)
        figures.update(
            {
                "members_classified": members["classified"],
                "pct_good_or_better": facts["pct_good_or_better"],
                "pct_excellent": facts["pct_excellent"],
                "grassroots_grades": {g: grassroots[g] for g in GRADES},
                "subordinate_grades": {g: subordinate[g] for g in GRADES},
                "member_grades": {g: members[g] for g in GRADES},
            }
        )
        if source == DECIDED:
            figures["over_quota"] = facts["over_quota"]
        else:
            figures["source"] = IMPORTED
    progress(60)
    # B26: the meeting figures of the year, from the one counting module (D6)
    k = meeting_selectors.kpis(user=user, root=root, period=meeting_selectors.Period(year=report.year))
    if k is not None:
        table = {
            "title": _("Cell meetings of the year (B26)"),
            "sheet": _("Meetings"),
            "headers": [_("Indicator"), _("Count"), _("Out of"), _("%")],
            "rows": [
                [_("Cells that held every regular meeting"), k.cells_all_regular, k.cells, k.pct_all_regular],
                [_("Member attendance"), k.present, k.eligible, k.attendance_pct],
            ],
            "section": "results",
        }
        xlsx_tables.append(table)
        pdf_tables.append(table)
        figures["pct_cells_all_regular"] = k.pct_all_regular
        figures["attendance_pct"] = k.attendance_pct
    if period is not None:  # D5: the discipline caps lifted by the deciding body ("trường hợp ngoại lệ")
        exceptions = discipline.cap_exceptions(period=period, root=root, scope=scope_filter(user))
        table = _exceptions_table(exceptions)
        xlsx_tables.append(table)
        if len(exceptions) <= PDF_EXCEPTION_ROWS:
            pdf_tables.append(table)
        figures["cap_exceptions"] = len(exceptions)
    register_tables, register_figures = _register_tables(user=user, root=root, year=report.year)  # D9, D10
    xlsx_tables += register_tables
    pdf_tables += register_tables
    figures.update(register_figures)
    progress(70)
    sections = draft_sections(facts=facts)
    if len(ordered) > PDF_GRASSROOTS_ROWS and source in (DECIDED, IMPORTED):
        sections[0]["paragraphs"].append(
            _(
                "The detail of the %(n)s grassroots organisations is in the spreadsheet sent with this report "
                '(sheet "%(sheet)s").'
            )
            % {"n": num(len(ordered)), "sheet": _("Grassroots")}
        )
    documents = list(parameter_set.basis.all()) if parameter_set else []
    basis = basis_sentence(documents)
    title = _("REPORT ON THE YEARLY QUALITY CLASSIFICATION")
    return Built(
        template="reports/pdf/evaluation.html",
        context={
            **_header(report, title),
            "facts": facts,
            "tables": pdf_tables,
            "sections": sections,
            "basis": basis,
            "parameter_set": parameter_set,
            # Each bar with its own target (HTTNV or better 80 %, HTXSNV 15 %): no line drawn across both.
            "chart": [
                (_("Members rated HTTNV or better"), facts["pct_good_or_better"], facts["target_good_or_better"]),
                (_("Members rated HTXSNV"), facts["pct_excellent"], facts["target_excellent"]),
            ]
            if source in (DECIDED, IMPORTED)
            else None,
            "chart_target": None,
            "chart_section": "results",
        },
        tables=xlsx_tables,
        title=str(title),
        figures=figures,
        parameter_set=parameter_set,
        data_as_of=data_as_of,
        sections=sections,
        basis=basis,
    )
