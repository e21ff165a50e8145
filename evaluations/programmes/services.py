"""Model-cell programmes ("Chi bộ kiểu mẫu", "Chi bộ bốn tốt"): services and selectors (B21–B24).

The life of a registration:

    registration_create (the cell proposes; refused unless eligible: B21 or none, per programme, D4)  → REGISTERED
    registration_approve (the bloc staff)                                   → APPROVED
    year_check (the grassroots committee or staff, once per year, re-run freely until recognition) → BUILDING
    registration_recognise (only when the yearly checks so far all passed) → RECOGNISED
    registration_fail (with a reason) → FAILED;  registration_withdraw (the cell) → WITHDRAWN

`coverage()` answers B22: every đảng bộ cơ sở has at least one registered cell, and the share of recognised model
cells against the target (4% in the seed), per subtree.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cells import formats
from cells.concurrency import check_version, stale_message
from cells.models import Organization
from cells.permissions import VIEW, require, scope_filter
from cells.services import log_action
from criteria.models import CriteriaSet, Criterion, RuleParameterSet
from criteria.selectors import parameters_on
from evaluations import rules
from evaluations.metrics import (
    ADMISSION_TARGET,
    ATTENDANCE_RATE,
    MEMBERS_DISCIPLINED,
    metric_sources,
    metrics_for,
)
from evaluations.models import (
    AdmissionTarget,
    Grade,
    HistoricalRating,
    ModelRegistration,
    ModelYearCheck,
    OrgEvaluation,
)
from evaluations.review.services import criteria_snapshot
from members.models import Member

Status = ModelRegistration.Status

PROGRAMMES = (CriteriaSet.Programme.MODEL_CELL, CriteriaSet.Programme.FOUR_GOOD)

# Registrations that still count: proposed, approved, being built, or recognised.
ACTIVE_STATUSES = (Status.REGISTERED, Status.APPROVED, Status.BUILDING, Status.RECOGNISED)
# Registrations a yearly check, a recognition or a failure may still act on.
IN_PROGRESS_STATUSES = (Status.APPROVED, Status.BUILDING)

MAX_PHASE_YEARS = 10


def programme_label(programme: str) -> str:
    return str(CriteriaSet.Programme(programme).label)


#
# Past results and eligibility (B21)
#


def past_grades(*, organization: Organization, years: list[int]) -> dict[int, str | None]:
    """{year: grade} for the years asked. A decided result in chibo wins over an imported past result.

    One query: the decided evaluations and the imported ratings are read together (UNION ALL).
    """
    years = sorted(set(years))
    grades: dict[int, str | None] = dict.fromkeys(years)
    if not years:
        return grades
    decided = (
        OrgEvaluation.objects.filter(
            organization=organization, period__year__in=years, status=OrgEvaluation.Status.DECIDED
        )
        .exclude(final_grade="")
        .order_by()
        .values_list("period__year", "final_grade", Value(1, output_field=IntegerField()))
    )
    imported = (
        HistoricalRating.objects.filter(organization=organization, year__in=years)
        .order_by()
        .values_list("year", "grade", Value(0, output_field=IntegerField()))
    )
    # Imported rows first, decided rows after: the decided grade overwrites.
    for year, grade, _decided in sorted(imported.union(decided, all=True), key=lambda row: row[2]):
        grades[year] = grade
    return grades


def past_grade(*, organization: Organization, year: int) -> str | None:
    """The decided grade of that year in chibo if any, else the imported past rating, else None."""
    return past_grades(organization=organization, years=[year])[year]


def default_reference_years(phase_start: int) -> list[int]:
    """The N years before the phase, N = parameter model_cell_reference_years (2 in the seed: 2020, 2021)."""
    count = int(parameters_on(datetime.date(phase_start, 1, 1))["model_cell_reference_years"])
    return list(range(phase_start - count, phase_start))


# D4: what a programme asks of a cell before it may register (parameter programme_eligibility, per programme).
ELIGIBILITY_B21 = "B21"  # the seed rule: the reference years rated HTTNV or better, one of them HTXSNV
ELIGIBILITY_NONE = "NONE"  # no condition: the upper committee chooses the cells (the seed's bốn tốt pilot)


def eligibility_rule(*, programme: str, phase_start: int) -> str:
    """D4: the eligibility rule of `programme` in the parameters in force on 1 January of the phase's first year.

    A set that does not name the programme falls back to the shipped default of that programme; any value other
    than "NONE" applies B21 (the stricter reading).
    """
    setting = parameters_on(datetime.date(phase_start, 1, 1))["programme_eligibility"] or {}
    default = RuleParameterSet.DEFAULTS["programme_eligibility"].get(programme, ELIGIBILITY_NONE)
    return ELIGIBILITY_NONE if setting.get(programme, default) == ELIGIBILITY_NONE else ELIGIBILITY_B21


@dataclass
class Eligibility:
    ok: bool
    reasons: list[str]
    reference_years: list[int]
    grades: dict[int, str | None]
    rule: str = ELIGIBILITY_B21

    @property
    def bound(self) -> bool:
        """Whether the past ratings decide (B21); with no condition they are shown for information only."""
        return self.rule == ELIGIBILITY_B21

    @property
    def snapshot(self) -> dict[str, str | None]:
        """The JSON stored with the registration: {"2020": "HTTNV", ...} (JSON keys are strings)."""
        return {str(year): self.grades.get(year) for year in self.reference_years}

    @property
    def rows(self) -> list[tuple[int, str | None]]:
        return [(year, self.grades.get(year)) for year in self.reference_years]


def registration_eligibility(
    *,
    organization: Organization,
    phase_start: int,
    reference_years: list[int] | None = None,
    programme: str = CriteriaSet.Programme.MODEL_CELL,
) -> Eligibility:
    """The programme's eligibility rule (D4). B21: rated HTTNV or better in every reference year and HTXSNV in at
    least one (rules.model_cell_eligibility). None: always eligible; the past ratings are still read, to show."""
    rule = eligibility_rule(programme=programme, phase_start=phase_start)
    years = sorted(set(reference_years)) if reference_years else default_reference_years(phase_start)
    grades = past_grades(organization=organization, years=years)
    if rule == ELIGIBILITY_NONE:
        return Eligibility(ok=True, reasons=[], reference_years=years, grades=grades, rule=rule)
    ok, reasons = rules.model_cell_eligibility(grades, years)
    return Eligibility(
        ok=ok, reasons=[str(reason) for reason in reasons], reference_years=years, grades=grades, rule=rule
    )


#
# Registration
#


def _check_phase(*, phase_start: int, phase_end: int) -> None:
    if not (2000 <= phase_start <= 2100) or not (2000 <= phase_end <= 2100):
        raise ValidationError({"phase_start": _("Check the years of the phase.")})
    if phase_end < phase_start:
        raise ValidationError({"phase_end": _("The phase cannot end before it starts.")})
    if phase_end - phase_start + 1 > MAX_PHASE_YEARS:
        raise ValidationError({"phase_end": _("A phase lasts at most %(years)s years.") % {"years": MAX_PHASE_YEARS}})


def _check_reference_years(reference_years: list[int]) -> list[int]:
    years = sorted(set(reference_years))
    this_year = timezone.localdate().year
    if not years or any(not (2000 <= year <= this_year) for year in years):
        raise ValidationError({"reference_years": _("Give past years, e.g. 2020, 2021.")})
    return years


@transaction.atomic
def registration_create(
    *,
    organization: Organization,
    programme: str,
    phase_start: int,
    phase_end: int,
    reference_years: list[int] | None = None,
    registered_by,
) -> ModelRegistration:
    """Register an active cell in a programme for a phase, refused with the reasons unless eligible by the
    programme's rule (D4: B21 for kiểu mẫu, none for bốn tốt by default).

    The reference years default to the years before the phase (parameter model_cell_reference_years); the grades
    they were judged on are stored with the registration.
    """
    if not organization.is_cell:
        raise ValidationError(_("Only a party cell can register in a model programme."))
    if not organization.is_active:
        raise ValidationError(_("%(name)s has been dissolved.") % {"name": organization.name})
    if programme not in PROGRAMMES:
        raise ValidationError({"programme": _("Choose a model programme.")})
    _check_phase(phase_start=phase_start, phase_end=phase_end)
    if reference_years is not None:
        reference_years = _check_reference_years(reference_years)
    duplicate = ModelRegistration.objects.filter(
        organization=organization, programme=programme, phase_start=phase_start
    ).first()
    if duplicate is not None:
        raise ValidationError(
            _("%(name)s is already registered for %(programme)s from %(year)s (%(status)s).")
            % {
                "name": organization.name,
                "programme": programme_label(programme),
                "year": phase_start,
                "status": duplicate.get_status_display(),
            }
        )
    overlapping = ModelRegistration.objects.filter(
        organization=organization,
        programme=programme,
        status__in=ACTIVE_STATUSES,
        phase_start__lte=phase_end,
        phase_end__gte=phase_start,
    ).first()
    if overlapping is not None:
        raise ValidationError(
            _("%(name)s already has a registration for %(programme)s in %(start)s–%(end)s.")
            % {
                "name": organization.name,
                "programme": programme_label(programme),
                "start": overlapping.phase_start,
                "end": overlapping.phase_end,
            }
        )
    eligibility = registration_eligibility(
        organization=organization, phase_start=phase_start, reference_years=reference_years, programme=programme
    )
    if not eligibility.ok:
        raise ValidationError([_("%(name)s cannot register:") % {"name": organization.name}, *eligibility.reasons])
    registration = ModelRegistration(
        organization=organization,
        programme=programme,
        phase_start=phase_start,
        phase_end=phase_end,
        reference_years=eligibility.reference_years,
        eligibility_snapshot=eligibility.snapshot,
        status=Status.REGISTERED,
        registered_on=timezone.localdate(),
        registered_by=registered_by,
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:  # two people registering the same cell at the same moment
        raise ValidationError(
            _("%(name)s is already registered for this programme and phase.") % {"name": organization.name}
        ) from None
    log_action(
        actor=registered_by,
        action="evaluations.registration.created",
        organization=organization,
        target=registration,
        message=_("Registered for %(programme)s %(start)s–%(end)s")
        % {"programme": programme_label(programme), "start": phase_start, "end": phase_end},
        data={"eligibility": eligibility.snapshot, "eligibility_rule": eligibility.rule},
    )
    return registration


def _lock(registration: ModelRegistration) -> ModelRegistration:
    return ModelRegistration.objects.select_for_update().select_related("organization").get(pk=registration.pk)


def _refuse_unless(registration: ModelRegistration, statuses: tuple[str, ...]) -> None:
    if registration.status not in statuses:
        raise ValidationError(
            _("Not possible while the registration is %(status)s.") % {"status": registration.get_status_display()}
        )


def _log(registration: ModelRegistration, *, actor, action: str, message: str, data: dict | None = None) -> None:
    log_action(
        actor=actor,
        action=action,
        organization=registration.organization,
        target=registration,
        message=message,
        data=data,
    )


def _set_status(registration: ModelRegistration, status: str, *, actor, action: str, message: str, **fields):
    """A step of the registration's life: its new status and `fields` saved, and the step logged."""
    registration.status = status
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", *fields])
    _log(registration, actor=actor, action=action, message=message)
    return registration


def _required_text(value: str | None, field: str, missing: str, max_length: int | None = None) -> str:
    """`value` trimmed (and cut to `max_length`); refused on `field` with the message `missing` when nothing is left."""
    text = (value or "").strip()[:max_length]
    if not text:
        raise ValidationError({field: missing})
    return text


def _check_not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def registration_approve(
    *, registration: ModelRegistration, approved_on: datetime.date, approved_by_body: str, approved_by
) -> ModelRegistration:
    """The bloc staff approve a proposed registration (DECIDE is checked by the caller)."""
    registration = _lock(registration)
    _refuse_unless(registration, (Status.REGISTERED,))
    approved_by_body = _required_text(approved_by_body, "approved_by_body", _("Name the body that approved it."), 255)
    _check_not_future(approved_on, "approved_on")
    return _set_status(
        registration,
        Status.APPROVED,
        actor=approved_by,
        action="evaluations.registration.approved",
        message=_("Approved by %(body)s on %(date)s")
        % {"body": approved_by_body, "date": approved_on.strftime("%d/%m/%Y")},
        approved_on=approved_on,
        approved_by_body=approved_by_body,
    )


def _append_note(registration: ModelRegistration, text: str) -> None:
    line = f"{timezone.localdate():%d/%m/%Y}: {text}"
    registration.notes = f"{registration.notes}\n{line}".strip()


@transaction.atomic
def registration_withdraw(*, registration: ModelRegistration, reason: str = "", withdrawn_by) -> ModelRegistration:
    """The cell withdraws before recognition (any reason is kept in the notes)."""
    registration = _lock(registration)
    _refuse_unless(registration, (Status.REGISTERED, *IN_PROGRESS_STATUSES))
    reason = (reason or "").strip()
    if reason:
        _append_note(registration, _("Withdrawn: %(reason)s") % {"reason": reason})
    return _set_status(
        registration,
        Status.WITHDRAWN,
        actor=withdrawn_by,
        action="evaluations.registration.withdrawn",
        message=reason or str(_("Withdrawn")),
        notes=registration.notes,
    )


@transaction.atomic
def registration_fail(*, registration: ModelRegistration, reason: str, failed_by) -> ModelRegistration:
    """Close a registration as not achieved, with the reason (also to refuse a proposal)."""
    registration = _lock(registration)
    _refuse_unless(registration, (Status.REGISTERED, *IN_PROGRESS_STATUSES))
    reason = _required_text(reason, "reason", _("Give the reason."))
    _append_note(registration, _("Not achieved: %(reason)s") % {"reason": reason})
    return _set_status(
        registration,
        Status.FAILED,
        actor=failed_by,
        action="evaluations.registration.failed",
        message=reason,
        notes=registration.notes,
    )


#
# Figures a yearly check reads (B23, B24, D5)
#

# The decided grade as a number a METRIC criterion compares (Criterion.Metric.ORG_GRADE): "rated HTTNV or better" is
# org_grade ≥ 3. A decided result that is not classified (e.g. founded < 6 months) is 0; no decided result: None.
ORG_GRADE = Criterion.Metric.ORG_GRADE.value
GRADE_LEVELS = {Grade.EXCELLENT: 4, Grade.GOOD: 3, Grade.FULFILLED: 2, Grade.NOT_FULFILLED: 1}
NOT_CLASSIFIED_LEVEL = 0


def grade_level_label(level) -> str:
    """The grade a level of ORG_GRADE stands for, as the pages show it."""
    if level is None:
        return ""
    for grade, number in GRADE_LEVELS.items():
        if Decimal(str(level)) == number:
            return str(Grade(grade).label)
    return str(_("Not classified"))


def programme_metrics(*, organizations: list[Organization], year: int) -> dict[int, dict[str, Decimal | None]]:
    """The figures of a yearly check: evaluations.metrics.metrics_for, plus what only the year's result tells (D5).

    - org_grade: the decided grade of the year (a decided evaluation in chibo wins over an imported past result);
      None until it is decided, so "rated HTTNV or better" is not yet known, never met by default;
    - members_disciplined: None (not yet known) while the year has no review, in chibo (an organisation evaluation
      of that year) or imported (a past result of that year); otherwise the figure of metrics_for (the members'
      discipline records).

    Two queries more than metrics_for, whatever the number of organisations.
    """
    figures = metrics_for(organizations=organizations, year=year)
    ids = [organization.pk for organization in organizations]
    reviewed: set[int] = set()
    levels: dict[int, int | None] = dict.fromkeys(ids)
    for organization_id, grade in HistoricalRating.objects.filter(organization_id__in=ids, year=year).values_list(
        "organization_id", "grade"
    ):
        reviewed.add(organization_id)
        levels[organization_id] = GRADE_LEVELS.get(grade)
    for organization_id, status, final_grade in OrgEvaluation.objects.filter(
        organization_id__in=ids, period__year=year
    ).values_list("organization_id", "status", "final_grade"):
        reviewed.add(organization_id)
        if status == OrgEvaluation.Status.DECIDED:
            levels[organization_id] = GRADE_LEVELS.get(final_grade, NOT_CLASSIFIED_LEVEL)
    for pk in ids:
        figures[pk][ORG_GRADE] = None if levels[pk] is None else Decimal(levels[pk])
        if pk not in reviewed:
            figures[pk][MEMBERS_DISCIPLINED] = None
    return figures


def admission_figures(*, organization: Organization, year: int) -> dict:
    """What the admission criterion compares (B23): members of the roll admitted in `year` and the year's target
    (None when none was set), with the target row for its edit form."""
    target = AdmissionTarget.objects.filter(organization=organization, year=year).first()
    admitted = Member.objects.filter(organization=organization, admitted_on__year=year).count()
    return {"admitted": admitted, "target": target.target if target else None, "row": target}


@transaction.atomic
def admission_target_set(*, organization: Organization, year: int, target: int, version, set_by) -> AdmissionTarget:
    """Record (or change) an organisation's admission target for a year (the grassroots committee or the staff:
    APPRAISE is checked by the caller). Editing an existing target needs the version it was shown with."""
    if not (2000 <= year <= 2100):
        raise ValidationError({"year": _("Check the year.")})
    if target is None or target < 0 or target > 1000:
        raise ValidationError({"target": _("Give a number of new members from 0 to 1000.")})
    existing = AdmissionTarget.objects.select_for_update().filter(organization=organization, year=year).first()
    if existing is None:
        try:
            with transaction.atomic():
                row = AdmissionTarget.objects.create(organization=organization, year=year, target=target, set_by=set_by)
        except IntegrityError:  # someone else recorded it at the same moment
            raise ValidationError(stale_message()) from None
        previous = None
    else:
        check_version(existing, version)
        previous = existing.target
        existing.target, existing.set_by, existing.set_at = target, set_by, timezone.now()
        existing.version += 1
        existing.save(update_fields=["target", "set_by", "set_at", "version"])
        row = existing
    log_action(
        actor=set_by,
        action="evaluations.admission_target.set",
        organization=organization,
        target=row,
        message=_("Admission target %(year)s: %(target)s") % {"year": year, "target": target},
        data={"year": year, "target": target, "previous": previous},
    )
    return row


#
# Yearly checks (B23, B24)
#


def programme_criteria_set(*, organization: Organization, programme: str, year: int) -> CriteriaSet | None:
    """The programme's criteria set for the cell's host unit type and year.

    A set naming the cell's unit type wins over a set for every unit type; then the latest `year_from`, then
    the highest version.
    """
    candidates = list(
        CriteriaSet.objects.filter(programme=programme, year_from__lte=year).order_by("-year_from", "-version", "-pk")
    )
    applicable = [criteria_set for criteria_set in candidates if criteria_set.applies_to(organization, year)]
    specific = [criteria_set for criteria_set in applicable if criteria_set.unit_types]
    return (specific or applicable or [None])[0]


@dataclass
class CheckRow:
    """One criterion of a yearly check as the check page shows it."""

    criterion: dict
    group: str
    value: Decimal | None = None  # METRIC: the computed figure (None: not yet known)
    met: bool | None = None  # METRIC: None = not yet known ("Chưa có kết quả"); others: None = not answered yet
    evidence: str = ""
    source: str = ""  # METRIC: the list behind the figure
    display: str = ""  # METRIC: the figure as shown (a grade's name for org_grade, a % for the admission target)
    threshold_display: str = ""


def _effective_met(result: rules.CriterionResult, kind: str) -> bool | None:
    """In a checklist a criterion is passed only when met; points count as met at full marks. A figure that is not
    known yet (METRIC with no value) stays None: it is never met by default (D5)."""
    if result.met is not None:
        return bool(result.met)
    if kind == Criterion.Kind.METRIC:
        return None
    if kind == Criterion.Kind.POINTS:
        return result.max_points > 0 and result.points >= result.max_points
    return False


def _evaluate(snapshot: dict, pass_points, answers: dict, metrics: dict) -> tuple[bool, dict]:
    """Apply the answers and the metrics to a snapshot: (passed, results per criterion).

    Not passed while a criterion of a checklist, or a hard condition of a points set, is not known yet (D5).
    """
    prepared: dict[str, dict] = {}
    for criterion in snapshot.get("criteria", []):
        code, kind = criterion["code"], criterion["kind"]
        answer = answers.get(code) or {}
        if kind == Criterion.Kind.METRIC:
            prepared[code] = {"metric_value": metrics.get(criterion.get("metric"))}
        elif kind == Criterion.Kind.CHECK:
            prepared[code] = {"met": bool(answer.get("met"))}
        else:
            prepared[code] = {"points": answer.get("points")}
    total, _maximum, evaluated = rules.evaluate_criteria(snapshot, prepared)
    kinds = {c["code"]: c["kind"] for c in snapshot.get("criteria", [])}
    results: dict[str, dict] = {}
    for result in evaluated:
        kind = kinds[result.code]
        value = prepared[result.code].get("metric_value")
        results[result.code] = {
            "kind": kind,
            "met": _effective_met(result, kind),
            "value": None if value is None else str(value),
            "points": str(result.points),
            "evidence": str((answers.get(result.code) or {}).get("evidence") or "")[:2000],
        }
    if snapshot.get("scoring_mode") == CriteriaSet.ScoringMode.POINTS and pass_points is not None:
        hard_open = any(r.hard_condition and results[r.code]["met"] is not True for r in evaluated)
        passed = total >= Decimal(str(pass_points)) and not hard_open
    else:
        passed = bool(results) and all(r["met"] is True for r in results.values())
    return passed, results


def check_years(registration: ModelRegistration) -> list[int]:
    """The years of the phase that can be checked now (not the years that have not begun)."""
    last = min(registration.phase_end, timezone.localdate().year)
    return list(range(registration.phase_start, last + 1))


@transaction.atomic
def year_check(*, registration: ModelRegistration, year: int, answers: dict[str, dict], checked_by) -> ModelYearCheck:
    """Check an approved registration against its programme's criteria for one year of the phase.

    METRIC criteria come from the system's data (programme_metrics), CHECK criteria from `answers`
    ({code: {"met": bool, "evidence": str}}). The set is frozen into the check. Running it again for the same
    year replaces the results; once the registration is recognised (or closed) it can no longer change. A figure
    not known yet (the year's grade not decided, no review of the year, no admission target) is stored as not
    known and the check does not pass: record it again once the figure exists (D5).
    """
    registration = _lock(registration)
    _refuse_unless(registration, IN_PROGRESS_STATUSES)
    if year not in check_years(registration):
        raise ValidationError(
            _("%(year)s is not a year of the phase %(start)s–%(end)s that has begun.")
            % {"year": year, "start": registration.phase_start, "end": registration.phase_end}
        )
    organization = registration.organization
    criteria_set = programme_criteria_set(organization=organization, programme=registration.programme, year=year)
    if criteria_set is None:
        raise ValidationError(
            _("No %(programme)s criteria set applies to %(name)s in %(year)s: add one first.")
            % {"programme": programme_label(registration.programme), "name": organization.name, "year": year}
        )
    snapshot = criteria_snapshot(criteria_set)
    known = {c["code"] for c in snapshot.get("criteria", [])}
    if set(answers) - known:
        raise ValidationError(_("Some answers do not belong to this criteria set."))
    if not known:
        raise ValidationError(_("The criteria set %(name)s has no criteria.") % {"name": criteria_set.name})
    metrics = programme_metrics(organizations=[organization], year=year)[organization.pk]
    passed, results = _evaluate(snapshot, criteria_set.pass_points, answers, metrics)
    check, created = ModelYearCheck.objects.update_or_create(
        registration=registration,
        year=year,
        defaults={
            "criteria_snapshot": snapshot,
            "results": results,
            "passed": passed,
            "checked_by": checked_by,
            "checked_at": timezone.now(),
        },
    )
    if criteria_set.frozen_at is None:
        CriteriaSet.objects.filter(pk=criteria_set.pk).update(frozen_at=timezone.now())
    if registration.status == Status.APPROVED:
        registration.status = Status.BUILDING
        registration.save(update_fields=["status"])
    if passed:
        message = _("Yearly check %(year)s: criteria met")
    elif unknown_codes(results) and not unmet_codes(results):
        message = _("Yearly check %(year)s: some results not known yet")
    else:
        message = _("Yearly check %(year)s: criteria not met")
    _log(
        registration,
        actor=checked_by,
        action="evaluations.registration.checked",
        message=message % {"year": year},
        data={
            "year": year,
            "passed": passed,
            "replaced": not created,
            "not_met": unmet_codes(results),
            "not_known": unknown_codes(results),
        },
    )
    return check


def _figure(metric: str | None, value) -> str:
    if value is None:
        return ""
    if metric == ORG_GRADE:
        return grade_level_label(value)
    number = Decimal(str(value))
    if metric in (ADMISSION_TARGET, ATTENDANCE_RATE):
        return formats.pct(number)
    return formats.num(number)


def _rows(snapshot: dict, results: dict, metrics: dict, sources: dict) -> list[CheckRow]:
    groups = {g["code"]: g["title"] for g in snapshot.get("groups", [])}
    rows = []
    for criterion in snapshot.get("criteria", []):
        result = results.get(criterion["code"]) or {}
        row = CheckRow(
            criterion=criterion,
            group=groups.get(criterion.get("group"), ""),
            met=result.get("met"),
            evidence=result.get("evidence", ""),
        )
        if criterion["kind"] == Criterion.Kind.METRIC:
            metric = criterion.get("metric")
            stored = result.get("value")
            row.value = Decimal(stored) if stored is not None else metrics.get(metric)
            row.source = sources.get(metric, "")
            row.display = _figure(metric, row.value)
            row.threshold_display = _figure(metric, criterion.get("threshold"))
        rows.append(row)
    return rows


def check_page(*, registration: ModelRegistration, year: int) -> dict:
    """What the yearly check page shows: while the registration is in progress, the criteria set that a (re-)run
    would use, METRIC figures computed now and the answers of an earlier run; afterwards the stored check."""
    organization = registration.organization
    check = registration.year_checks.filter(year=year).first()
    sources = metric_sources(organizations=[organization], year=year)[organization.pk]
    editable = registration.status in IN_PROGRESS_STATUSES
    if not editable:
        snapshot = check.criteria_snapshot if check else {}
        return {
            "check": check,
            "editable": False,
            "snapshot": snapshot,
            "rows": _rows(snapshot, check.results if check else {}, {}, sources),
            "check_unknown": unknown_codes(check.results) if check else [],
        }
    criteria_set = programme_criteria_set(organization=organization, programme=registration.programme, year=year)
    snapshot = criteria_snapshot(criteria_set)
    metrics = programme_metrics(organizations=[organization], year=year)[organization.pk]
    previous = {
        code: {"met": result.get("met"), "evidence": result.get("evidence", "")}
        for code, result in (check.results if check else {}).items()
        if result.get("kind") != Criterion.Kind.METRIC
    }
    _passed, computed = _evaluate(snapshot, criteria_set.pass_points if criteria_set else None, previous, metrics)
    for code, result in computed.items():
        if result["kind"] != Criterion.Kind.METRIC and code not in previous:
            result["met"] = None  # not answered yet
    uses_admission = any(c.get("metric") == ADMISSION_TARGET for c in snapshot.get("criteria", []))
    return {
        "check": check,
        "editable": True,
        "snapshot": snapshot,
        "rows": _rows(snapshot, computed, metrics, sources),
        "check_unknown": unknown_codes(check.results) if check else [],
        "admission": admission_figures(organization=organization, year=year) if uses_admission else None,
    }


def check_result_rows(check: ModelYearCheck) -> list[CheckRow]:
    """The stored results of a yearly check, criterion by criterion, as they were judged."""
    sources = metric_sources(organizations=[check.registration.organization], year=check.year)
    return _rows(check.criteria_snapshot, check.results, {}, sources[check.registration.organization_id])


def unmet_codes(results: dict) -> list[str]:
    """The criteria judged not met (a figure not known yet is not among them: see unknown_codes)."""
    return [code for code, result in results.items() if result.get("met") is not True and not _unknown(result)]


def _unknown(result: dict) -> bool:
    return result.get("kind") == Criterion.Kind.METRIC and result.get("met") is None


def unknown_codes(results: dict) -> list[str]:
    """The criteria whose figure was not known yet when the check was recorded (D5: "chưa có kết quả")."""
    return [code for code, result in results.items() if _unknown(result)]


def recognition_blockers(registration: ModelRegistration) -> list[str]:
    """Why the registration cannot be recognised now (empty when it can)."""
    if registration.status not in IN_PROGRESS_STATUSES:
        return [_("Not possible while the registration is %(status)s.") % {"status": registration.get_status_display()}]
    checks = list(registration.year_checks.order_by("year"))
    if not checks:
        return [_("No yearly check has been recorded yet.")]
    reasons = []
    for check in checks:
        if check.passed:
            continue
        unmet, unknown = unmet_codes(check.results), unknown_codes(check.results)
        if unmet or not unknown:
            reasons.append(
                _("The yearly check of %(year)s did not meet the criteria (%(codes)s).")
                % {"year": check.year, "codes": ", ".join(unmet) or "—"}
            )
        if unknown:
            reasons.append(
                _(
                    "The yearly check of %(year)s has results not known yet (%(codes)s): record it again once they exist."
                )
                % {"year": check.year, "codes": ", ".join(unknown)}
            )
    return reasons


@transaction.atomic
def registration_recognise(
    *, registration: ModelRegistration, recognised_on: datetime.date, decision_no: str, recognised_by
) -> ModelRegistration:
    """Recognise the cell as a model cell: only when every yearly check of the phase so far passed (at least one)."""
    registration = _lock(registration)
    reasons = recognition_blockers(registration)
    if reasons:
        raise ValidationError([_("The cell cannot be recognised yet:"), *reasons])
    decision_no = _required_text(decision_no, "decision_no", _("Give the number of the recognition decision."), 100)
    _check_not_future(recognised_on, "recognised_on")
    if registration.approved_on and recognised_on < registration.approved_on:
        raise ValidationError({"recognised_on": _("The recognition cannot come before the approval.")})
    return _set_status(
        registration,
        Status.RECOGNISED,
        actor=recognised_by,
        action="evaluations.registration.recognised",
        message=_("Recognised by decision %(number)s of %(date)s")
        % {"number": decision_no, "date": recognised_on.strftime("%d/%m/%Y")},
        recognised_on=recognised_on,
        decision_no=decision_no,
    )


#
# Selectors
#


def registrations_visible_to(user, *, action: str = VIEW) -> QuerySet[ModelRegistration]:
    return ModelRegistration.objects.filter(scope_filter(user, prefix="organization__", action=action))


def get_registration_for_user(user, pk, *, action: str = VIEW) -> ModelRegistration:
    """404 when the registration's cell is outside the user's subtrees (or missing), 403 when the role is too weak."""
    try:
        registration = ModelRegistration.objects.select_related("organization").get(pk=int(pk))
    except (ModelRegistration.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    require(user, action, registration.organization)
    return registration


def registration_list(
    *, user, root: Organization, programme: str | None = None, year: int | None = None
) -> QuerySet[ModelRegistration]:
    registrations = registrations_visible_to(user).filter(organization__path__startswith=root.path)
    if programme:
        registrations = registrations.filter(programme=programme)
    if year:
        registrations = registrations.filter(phase_start__lte=year, phase_end__gte=year)
    return registrations.select_related("organization__parent").order_by("organization__path", "-phase_start")


@dataclass
class CoverageRow:
    """One grassroots organisation (or the root, when the root sits below grassroots level)."""

    organization: Organization
    cells: list[Organization] = field(default_factory=list)
    registered: set[int] = field(default_factory=set)
    approved: set[int] = field(default_factory=set)
    recognised: set[int] = field(default_factory=set)

    @property
    def cell_count(self) -> int:
        return len(self.cells)

    @property
    def missing_registration(self) -> bool:
        """B22: every đảng bộ cơ sở has at least one registered cell."""
        return self.organization.kind == Organization.Kind.GRASSROOTS_COMMITTEE and not self.registered

    @property
    def unregistered_cells(self) -> list[Organization]:
        return [cell for cell in self.cells if cell.pk not in self.registered]

    @property
    def recognised_pct(self) -> Decimal | None:
        return _pct(len(self.recognised), len(self.cells))


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"))


def coverage(*, user, root: Organization, programme: str, year: int) -> dict:
    """B22 for the user's part of `root`'s subtree: per grassroots organisation, its active cells, the cells with a
    registration covering `year` (not withdrawn or failed), approved, and recognised by the end of `year`; the
    đảng bộ cơ sở with none registered; totals against the target share of recognised model cells.

    Two queries (organisations, registrations) plus the parameters, whatever the size of the tree.
    """
    nodes = list(
        Organization.objects.filter(scope_filter(user, action=VIEW))
        .filter(path__startswith=root.path, dissolved_on__isnull=True)
        .filter(Q(kind__in=Organization.CELL_KINDS) | Q(kind__in=Organization.GRASSROOTS_KINDS))
        .only("id", "name", "code", "kind", "path", "depth", "parent_id")
        .order_by("path")
    )
    grassroots = {node.pk: node for node in nodes if node.kind in Organization.GRASSROOTS_KINDS}
    rows: dict[int, CoverageRow] = {}
    owner_of: dict[int, int] = {}
    for node in nodes:
        if node.kind not in Organization.CELL_KINDS:
            continue
        ids = [int(part) for part in node.path.strip("/").split("/") if part]
        owner = next((pk for pk in ids if pk in grassroots), None)
        owner_node = grassroots.get(owner) if owner else root  # root below grassroots level: one row for it
        row = rows.get(owner_node.pk)
        if row is None:
            row = rows[owner_node.pk] = CoverageRow(organization=owner_node)
        row.cells.append(node)
        owner_of[node.pk] = owner_node.pk
    for node in grassroots.values():  # a đảng bộ cơ sở without any cell is still listed (and flagged)
        rows.setdefault(node.pk, CoverageRow(organization=node))

    end_of_year = datetime.date(year, 12, 31)
    registrations = (
        registrations_visible_to(user)
        .filter(
            organization__path__startswith=root.path,
            organization__kind__in=Organization.CELL_KINDS,
            organization__dissolved_on__isnull=True,
            programme=programme,
            status__in=ACTIVE_STATUSES,
            phase_start__lte=year,
            phase_end__gte=year,
        )
        .values_list("organization_id", "status", "recognised_on")
    )
    for organization_id, status, recognised_on in registrations:
        if organization_id not in owner_of:
            continue
        row = rows[owner_of[organization_id]]
        row.registered.add(organization_id)
        if status != Status.REGISTERED:
            row.approved.add(organization_id)
        if status == Status.RECOGNISED and recognised_on and recognised_on <= end_of_year:
            row.recognised.add(organization_id)

    ordered = sorted(rows.values(), key=lambda r: r.organization.path)
    total_cells = sum(r.cell_count for r in ordered)
    recognised = sum(len(r.recognised) for r in ordered)
    registered = sum(len(r.registered) for r in ordered)
    target_pct = Decimal(str(parameters_on(end_of_year)["model_cell_target_pct"]))
    target_cells = math.ceil(total_cells * target_pct / 100) if total_cells else 0
    recognised_pct = _pct(recognised, total_cells)
    return {
        "root": root,
        "programme": programme,
        "year": year,
        "rows": ordered,
        "missing": [r for r in ordered if r.missing_registration],
        "committees": sum(1 for r in ordered if r.organization.kind == Organization.Kind.GRASSROOTS_COMMITTEE),
        "cells": total_cells,
        "registered": registered,
        "approved": sum(len(r.approved) for r in ordered),
        "recognised": recognised,
        "registered_pct": _pct(registered, total_cells),
        "recognised_pct": recognised_pct,
        "target_pct": target_pct,
        "target_cells": target_cells,
        "target_met": bool(total_cells) and recognised_pct is not None and recognised_pct >= target_pct,
        # Width of the progress bar: the share of the target reached, capped at 100.
        "progress_pct": min(100, round(100 * recognised / target_cells)) if target_cells else 0,
    }


def coverage_totals(*, user, root: Organization, programme: str, year: int) -> dict:
    """The totals of `coverage` without its per-organisation rows (for the dashboard cards), counted in the
    database so that a bloc of thousands of organisations is not loaded: cells, registered, approved and
    recognised cells, the đảng bộ cơ sở with no registered cell (B22) and the target. Four queries."""
    visible = Organization.objects.filter(scope_filter(user, action=VIEW)).filter(
        path__startswith=root.path, dissolved_on__isnull=True
    )
    cells = visible.filter(kind__in=Organization.CELL_KINDS)
    end_of_year = datetime.date(year, 12, 31)
    registrations = registrations_visible_to(user).filter(
        organization__in=cells,
        programme=programme,
        status__in=ACTIVE_STATUSES,
        phase_start__lte=year,
        phase_end__gte=year,
    )
    figures = registrations.aggregate(
        registered=Count("organization", distinct=True),
        approved=Count("organization", distinct=True, filter=~Q(status=Status.REGISTERED)),
        recognised=Count(
            "organization",
            distinct=True,
            filter=Q(status=Status.RECOGNISED, recognised_on__isnull=False, recognised_on__lte=end_of_year),
        ),
    )
    covered = {
        int(part)
        for path in registrations.values_list("organization__path", flat=True)
        for part in path.strip("/").split("/")
        if part
    }
    # The cells and the đảng bộ cơ sở, and those of them above a registered cell, in one read of the subtree.
    committee = Q(kind=Organization.Kind.GRASSROOTS_COMMITTEE)
    counts = {
        "cells": Count("pk", filter=Q(kind__in=Organization.CELL_KINDS)),
        "committees": Count("pk", filter=committee),
    }
    if covered:
        counts["covered"] = Count("pk", filter=committee & Q(pk__in=covered))
    tree = visible.aggregate(**counts)
    total_cells = tree["cells"]
    target_pct = Decimal(str(parameters_on(end_of_year)["model_cell_target_pct"]))
    target_cells = math.ceil(total_cells * target_pct / 100) if total_cells else 0
    recognised = figures["recognised"]
    recognised_pct = _pct(recognised, total_cells)
    return {
        "root": root,
        "programme": programme,
        "year": year,
        "committees": tree["committees"],
        "missing_count": tree["committees"] - tree.get("covered", 0),
        "cells": total_cells,
        "registered": figures["registered"],
        "approved": figures["approved"],
        "recognised": recognised,
        "registered_pct": _pct(figures["registered"], total_cells),
        "recognised_pct": recognised_pct,
        "target_pct": target_pct,
        "target_cells": target_cells,
        "target_met": bool(total_cells) and recognised_pct is not None and recognised_pct >= target_pct,
        "progress_pct": min(100, round(100 * recognised / target_cells)) if target_cells else 0,
    }
