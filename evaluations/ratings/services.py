"""Member ratings (Vietnamese UI term: "Đánh giá, xếp loại đảng viên"): one table per cell or grassroots
organisation with every member's self-assessed grade, the cell's proposal and vote, and the decided grade.

Rules applied here (domain.md §4.5–4.7, B10–B17), every number from the period's parameter set:
- not classified: admitted less than `new_member_min_months` before 31/12, exempt, suspended (B14);
- caps: disciplined this year → KHTNV (B13); sick leave ≥ `sick_leave_cap_months` → at most HTNV (B15);
  a civil servant below HTXSNV as a civil servant → at most HTTNV, KHTNV as one → KHTNV (B16);
- quota: in each grassroots organisation, HTXSNV ≤ `htxs_quota_pct_of_htt`% of HTTNV, plus the places of any
  recorded exception (B12), checked on the final tally when the member review is closed, never per save (D3);
- warning: more than `khtnv_members_warning_pct`% of a cell's classified members KHTNV (B17, informative).

Every function runs a fixed number of queries whatever the number of members, so that a 300-member đảng bộ is
read and saved in one request.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.numbers import parse_decimal
from cells.permissions import APPRAISE, DECIDE, get_access
from cells.services import log_action, required_line
from cells.text import one_line
from evaluations import rules
from evaluations.discipline import capped_by_discipline, overridden_reason
from evaluations.models import EvaluationPeriod, Grade, MemberEvaluation, MemberReviewLock, QuotaException, grade_rank
from evaluations.review import quota
from members.discipline import disciplined_member_ids
from members.models import Member

# Fields a user enters in the table, and the derived fields a save may change with them.
INPUT_FIELDS = (
    "self_grade",
    "proposed_grade",
    "votes_for",
    "votes_against",
    "final_grade",
    "sick_leave_months",
    "maternity_leave",
    "civil_servant_grade",
)
# `disciplined` is read from the members' disciplinary decisions at every save (D5), never typed.
DERIVED_FIELDS = ("cap_grade", "cap_reasons", "not_classified", "disciplined")
# Written to the audit history with their before and after values.
TRACKED_FIELDS = (*INPUT_FIELDS, "cap_grade", "not_classified", "disciplined")

GRADE_FIELDS = ("self_grade", "proposed_grade", "final_grade")
# Grades that must respect the member's cap; the self-assessment is the member's own view and may be higher.
CAPPED_FIELDS = ("proposed_grade", "final_grade")
MAX_SICK_LEAVE_MONTHS = Decimal(12)
MIN_JUSTIFICATION_CHARS = 10
MAX_EXTRA_PLACES = 50

# Rows per UPDATE statement. Django's bulk_update() splits its batches at SQLite's old limit of 999 variables
# (about 60 rows here), which would make a 300-row save several statements. SQLite ≥ 3.32 accepts 32766
# variables and PostgreSQL 65535, and a row costs at most 2 per field + 1, so 1000 rows fit in one statement.
ROWS_PER_STATEMENT = 1000


def row_error_key(pk: int) -> str:
    """The key of a row's messages in the ValidationError raised by ratings_save()."""
    return f"row-{pk}"


def _field_label(name: str) -> str:
    return capfirst(str(MemberEvaluation._meta.get_field(name).verbose_name))


def _grade_label(grade: str) -> str:
    return f"{grade} ({Grade(grade).label})"


#
# Reading the scope
#


def _check_in_period(period: EvaluationPeriod, organization: Organization) -> None:
    if not organization.path.startswith(period.root.path):
        raise ValidationError(
            _("%(name)s is not part of the review of %(year)s.") % {"name": organization.name, "year": period.year}
        )


def grassroots_by_cell(cells: Iterable[Organization]) -> dict[int, Organization]:
    """The grassroots organisation (quota unit) at or above each cell: quota.grassroots_of() for many cells,
    read in one query from the cells' paths."""
    cells = list(cells)
    wanted: set[int] = set()
    for cell in cells:
        wanted.update(cell.ancestor_ids())
        wanted.add(cell.pk)
    candidates = {o.pk: o for o in Organization.objects.filter(pk__in=wanted, kind__in=Organization.GRASSROOTS_KINDS)}
    result = {}
    for cell in cells:
        for pk in reversed([*cell.ancestor_ids(), cell.pk]):
            if pk in candidates:
                result[cell.pk] = candidates[pk]
                break
    return result


def grassroots_in_scope(organization: Organization) -> list[Organization]:
    """The grassroots organisations whose quota a page about `organization` shows."""
    if organization.is_grassroots:
        return [organization]
    if organization.kind == Organization.Kind.UPPER:
        return list(
            Organization.objects.filter(
                path__startswith=organization.path, kind__in=Organization.GRASSROOTS_KINDS
            ).order_by("path")
        )
    found = grassroots_by_cell([organization]).get(organization.pk)
    return [found] if found else []


def member_rows(*, period: EvaluationPeriod, organization: Organization):
    """The rating rows of a node and everything below it, cell by cell, in name order."""
    return (
        MemberEvaluation.objects.filter(period=period, organization__path__startswith=organization.path)
        .select_related("member", "organization__parent", "grassroots")
        .order_by("organization__path", "member__sort_key", "member_id")
    )


def full_members_by_cell(cell_ids: Iterable[int]) -> dict[int, int]:
    """Full members on each cell's roll: the most votes a proposal can get (probationary members do not vote)."""
    return {
        row["organization_id"]: row["n"]
        for row in Member.objects.filter(organization_id__in=list(cell_ids), status=Member.Status.FULL)
        .values("organization_id")
        .annotate(n=Count("id"))
    }


#
# Caps
#


def _apply_cap(row: MemberEvaluation, member: Member, params: dict, year: int, disciplined: set[int]) -> None:
    # D5: `disciplined` (the members with a disciplinary decision of the year) is read from the records by the
    # caller, in one query for all the rows; an exception recorded by the deciding body lifts that cap.
    row.disciplined = member.pk in disciplined
    suggestion = rules.suggest_member_cap(
        params=params,
        year=year,
        status=member.status,
        admitted_on=member.admitted_on,
        disciplined=capped_by_discipline(row),
        sick_leave_months=row.sick_leave_months or Decimal(0),
        is_civil_servant=member.is_civil_servant,
        civil_servant_grade=row.civil_servant_grade,
        maternity_leave=row.maternity_leave,  # B15: rated on the time worked, not capped as sick leave
    )
    row.cap_grade = suggestion.grade or ""
    row.cap_reasons = suggestion.as_json()
    if row.disciplined and row.cap_override_at and suggestion.grade:
        row.cap_reasons.append(overridden_reason(row.cap_override_grade))
    row.not_classified = suggestion.not_classified


def _bulk_write(rows: list[MemberEvaluation], changed: dict[int, set[str]], *, bump_version: bool) -> None:
    """Write the changed fields of many rows, one UPDATE per ROWS_PER_STATEMENT rows (the CASE form of
    bulk_update(), with only the (row, field) pairs that changed)."""
    if not rows:
        return
    connection = connections[MemberEvaluation.objects.db]
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        names = sorted(set().union(*(changed[row.pk] for row in chunk)))
        updates = {}
        for name in names:
            field = MemberEvaluation._meta.get_field(name)
            whens = [
                When(pk=row.pk, then=Value(getattr(row, field.attname), output_field=field))
                for row in chunk
                if name in changed[row.pk]
            ]
            case = Case(*whens, default=F(field.attname), output_field=field)
            if connection.features.requires_casted_case_in_updates:
                case = Cast(case, output_field=field)
            updates[field.attname] = case
        if bump_version:
            updates["version"] = F("version") + 1
        MemberEvaluation.objects.filter(pk__in=[row.pk for row in chunk]).update(**updates)


def ensure_member_rows(*, period: EvaluationPeriod, organization: Organization) -> int:
    """Create the missing rating rows of every member on the roll of every cell under `organization`, and keep
    the derived fields of the existing rows in step with the members (status, admission date, cell).

    A row records its cell and grassroots organisation; a member who moved to another cell before being decided
    follows to the new cell. Returns the number of rows created. Does nothing on a locked period.
    """
    if period.is_locked:
        return 0
    _check_in_period(period, organization)
    params = rules.parameters_snapshot(period.parameter_set)
    members = list(
        Member.objects.filter(
            status__in=Member.ON_ROLL,
            organization__path__startswith=organization.path,
            organization__kind__in=Organization.CELL_KINDS,
        ).select_related("organization")
    )
    cells = {member.organization_id: member.organization for member in members}
    grassroots = grassroots_by_cell(cells.values())
    closed = locked_units(period=period, unit_ids={unit.pk for unit in grassroots.values()})
    existing = {
        row.member_id: row for row in MemberEvaluation.objects.filter(period=period, member__in=[m.pk for m in members])
    }
    disciplined = disciplined_member_ids(year=period.year, member_ids=[m.pk for m in members])
    created, changed_rows, changed = [], [], {}
    for member in members:
        quota_unit = grassroots.get(member.organization_id)
        if quota_unit is None or quota_unit.pk in closed:  # a closed review stays as it was closed
            continue
        row = existing.get(member.pk)
        if row is None:
            row = MemberEvaluation(
                period=period, member=member, organization=member.organization, grassroots=quota_unit
            )
            _apply_cap(row, member, params, period.year, disciplined)
            created.append(row)
            continue
        before = {name: getattr(row, name) for name in DERIVED_FIELDS}
        fields = set()
        _apply_cap(row, member, params, period.year, disciplined)
        fields.update(name for name in DERIVED_FIELDS if getattr(row, name) != before[name])
        if row.organization_id != member.organization_id and not row.final_grade:
            row.organization_id, row.grassroots_id = member.organization_id, quota_unit.pk
            fields.update({"organization", "grassroots"})
        if fields:
            changed_rows.append(row)
            changed[row.pk] = fields
    with transaction.atomic():
        # Django splits these INSERTs at SQLite's old 999-variable limit; they happen once per member and year.
        MemberEvaluation.objects.bulk_create(created, ignore_conflicts=True)
        _bulk_write(changed_rows, changed, bump_version=False)
    return len(created)


#
# Saving the table
#


def _parse_grade(value, name: str, errors: list[str]) -> str | None:
    value = "" if value is None else str(value).strip()
    if value and value not in Grade.values:
        errors.append(_("%(field)s: choose one of the four grades.") % {"field": _field_label(name)})
        return None
    return value


def _parse_votes(value, name: str, errors: list[str]) -> int | None | bool:
    """A whole number ≥ 0, or None when empty. Returns False when the input is refused."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.append(_("%(field)s: enter a whole number.") % {"field": _field_label(name)})
        return False
    if number < 0:
        errors.append(_("%(field)s cannot be negative.") % {"field": _field_label(name)})
        return False
    return number


def _parse_months(value, errors: list[str]) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return Decimal(0)
    try:
        months = parse_decimal(value)  # "1,5" or "1.5"
    except InvalidOperation:
        months = None
    if months is None or months < 0 or months > MAX_SICK_LEAVE_MONTHS:
        errors.append(
            _("%(field)s: enter a number of months between 0 and %(max)s.")
            % {"field": _field_label("sick_leave_months"), "max": MAX_SICK_LEAVE_MONTHS}
        )
        return None
    return months.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _as_bool(value) -> bool:
    return value in (True, 1, "1", "on", "true", "True")


def _apply_input(row: MemberEvaluation, data: dict, *, decide: bool, full_members: int) -> tuple[list[str], set]:
    """Put one row's input on the object. Returns the row's error messages (empty when the row is valid) and the
    grade fields it entered."""
    errors: list[str] = []
    entered: set[str] = set()
    member = row.member
    for name in GRADE_FIELDS:
        if name not in data:
            continue
        grade = _parse_grade(data[name], name, errors)
        if grade is None:
            continue
        if name == "final_grade" and not decide:
            if grade != row.final_grade:
                errors.append(_("Only the grassroots committee decides the grade."))
            continue
        setattr(row, name, grade)
        entered.add(name)
    for name in ("votes_for", "votes_against"):
        if name in data:
            votes = _parse_votes(data[name], name, errors)
            if votes is not False:
                setattr(row, name, votes)
    if (row.votes_for or 0) + (row.votes_against or 0) > full_members:
        errors.append(
            _("Votes for and against add up to more than the %(count)s full members of the cell.")
            % {"count": full_members}
        )
    for name in ("maternity_leave",):
        if name in data:
            setattr(row, name, _as_bool(data[name]))
    if "sick_leave_months" in data:
        months = _parse_months(data["sick_leave_months"], errors)
        if months is not None:
            row.sick_leave_months = months
    if "civil_servant_grade" in data:
        grade = _parse_grade(data["civil_servant_grade"], "civil_servant_grade", errors)
        if grade and not member.is_civil_servant:
            errors.append(
                _("%(field)s: %(name)s is not recorded as a cadre, civil servant or public employee.")
                % {"field": _field_label("civil_servant_grade"), "name": member.full_name}
            )
        elif grade is not None:
            row.civil_servant_grade = grade
    return errors, entered


def _check_caps(row: MemberEvaluation, entered: set, cap_changed: bool) -> list[str]:
    """The grades entered in this save, and every grade when this save changes the cap, must respect the row's
    (recomputed) cap; a not-classified member gets no grade."""
    errors = []
    reasons = " ".join(row.cap_reasons)
    for name in GRADE_FIELDS:
        grade = getattr(row, name)
        if not grade:
            continue
        if row.not_classified:
            if name not in entered:
                continue
            errors.append(
                _("%(field)s: %(name)s is not classified this year (%(reasons)s) — leave it empty.")
                % {"field": _field_label(name), "name": row.member.full_name, "reasons": reasons}
            )
        elif (
            name in CAPPED_FIELDS
            and (name in entered or cap_changed)
            and row.cap_grade
            and grade_rank(grade) < grade_rank(row.cap_grade)
        ):
            errors.append(
                _("%(field)s: %(grade)s is better than this member may get, at most %(cap)s. %(reasons)s")
                % {
                    "field": _field_label(name),
                    "grade": grade,
                    "cap": _grade_label(row.cap_grade),
                    "reasons": reasons,
                }
            )
    return errors


def _value(value) -> str:
    return "" if value is None else str(value)


def ratings_save(
    *,
    period: EvaluationPeriod,
    organization: Organization,
    rows: dict[int, dict],
    version_map: dict[int, int],
    saved_by,
    decide: bool,
) -> list[MemberEvaluation]:
    """Save the rating table of `organization` (a cell, or a grassroots organisation with all its cells).

    `rows` maps MemberEvaluation ids to the submitted fields (a missing key keeps the stored value);
    `version_map` gives the version each row had when the page was read. `decide` says whether the user may set
    the decided grade (the grassroots committee or the committee staff, domain.md §4.7).

    All or nothing: any refused row, a row outside this organisation and period, a stale row, a locked period or
    a closed member review raises ValidationError and writes nothing. The quota (B12) is not checked here: under
    D3 it is a property of the final tally, checked by member_review_lock() and the year's lock. Row messages are keyed by `row_error_key(id)`.
    One audit entry records every changed field of every row, before and after. Returns the changed rows.
    """
    ids = []
    for key in rows:
        try:
            ids.append(int(key))
        except (TypeError, ValueError):
            raise ValidationError(_("The form does not match this table: reload the page.")) from None
    rows = {int(key): value for key, value in rows.items()}
    with transaction.atomic():
        # Locking the period serialises the saves of one year (and a save against the closing of a review).
        period = (
            EvaluationPeriod.objects.select_for_update(of=("self",))
            .select_related("root", "parameter_set")
            .get(pk=period.pk)
        )
        if period.is_locked:
            raise ValidationError(_("The review of %(year)s is locked.") % {"year": period.year})
        _check_in_period(period, organization)
        params = rules.parameters_snapshot(period.parameter_set)
        loaded = list(
            MemberEvaluation.objects.select_for_update(of=("self",))
            .filter(period=period, organization__path__startswith=organization.path, pk__in=ids)
            .select_related("member", "organization", "grassroots")
        )
        if len(loaded) != len(set(ids)):
            raise ValidationError(
                _("Some rows do not belong to %(name)s in the review of %(year)s. Nothing was saved.")
                % {"name": organization.name, "year": period.year}
            )
        loaded.sort(key=lambda row: (row.organization.path, row.member.sort_key, row.member_id))
        full_members = full_members_by_cell({row.organization_id for row in loaded})
        disciplined = disciplined_member_ids(year=period.year, member_ids=[row.member_id for row in loaded])
        row_errors: dict[str, list[str]] = {}
        stale, changed, befores = [], {}, {}
        for row in loaded:
            before = {name: _value(getattr(row, name)) for name in TRACKED_FIELDS}
            errors, entered = _apply_input(
                row, rows[row.pk], decide=decide, full_members=full_members.get(row.organization_id, 0)
            )
            _apply_cap(row, row.member, params, period.year, disciplined)
            cap_changed = _value(row.cap_grade) != before["cap_grade"]
            errors += _check_caps(row, entered, cap_changed)
            if errors:
                row_errors[row_error_key(row.pk)] = errors
            fields = {name for name in TRACKED_FIELDS if _value(getattr(row, name)) != before[name]}
            if not fields:
                continue
            version = version_map.get(row.pk)
            # A stale row blocks the save only if this save would change it; a missing version counts as stale.
            if version is None or str(version).strip() != str(row.version):
                stale.append(row.member.full_name)
            changed[row.pk] = fields | {"cap_reasons"}
            befores[row.pk] = before
        if stale:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _(
                            "Someone else saved the ratings of %(names)s after you opened this page. Your input is "
                            "kept below: reload the page to see their changes, then enter yours again."
                        )
                        % {"names": ", ".join(stale[:10]) + (" …" if len(stale) > 10 else "")}
                    ]
                }
            )
        if row_errors:
            raise ValidationError(row_errors)
        # D3: no quota check here (the order of saving never matters); it runs when the review is closed.
        closed = locked_units(period=period, unit_ids={loaded_row.grassroots_id for loaded_row in loaded})
        refused = sorted({row.grassroots.name for row in loaded if row.pk in changed and row.grassroots_id in closed})
        if refused:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _(
                            "The member ratings of %(names)s are closed for %(year)s: reopen them (with a reason) "
                            "before changing a rating. Nothing was saved."
                        )
                        % {"names": ", ".join(refused), "year": period.year}
                    ]
                }
            )
        changed_rows = [row for row in loaded if row.pk in changed]
        if not changed_rows:
            return []
        now = timezone.now()
        for row in changed_rows:
            if "final_grade" in changed[row.pk]:
                row.decided_by = saved_by if row.final_grade and getattr(saved_by, "is_authenticated", False) else None
                row.decided_at = now if row.final_grade else None
                changed[row.pk] |= {"decided_by", "decided_at"}
        _bulk_write(changed_rows, changed, bump_version=True)
        history = {}
        for row in changed_rows:
            row.version += 1
            before = befores[row.pk]
            entry = {"member": row.member.full_name}
            for name in TRACKED_FIELDS:
                if name in changed[row.pk]:
                    entry[name] = [before[name], _value(getattr(row, name))]
            history[str(row.pk)] = entry
        log_action(
            actor=saved_by,
            action="evaluations.member_ratings.saved",
            organization=organization,
            target=period,
            message=_("Member ratings of %(name)s: %(count)s rows changed")
            % {"name": organization.name, "count": len(changed_rows)},
            data={"changes": history},
        )
        return changed_rows


#
# Quota status and warnings
#


def quota_status(*, period: EvaluationPeriod, organizations: Iterable[Organization], params: dict | None = None):
    """For each grassroots organisation given: members per decided grade, HTXSNV places allowed (with exception
    places) and remaining. One grouped query for the counts and one for the exceptions."""
    organizations = [o for o in organizations if o.is_grassroots]
    if not organizations:
        return []
    params = params or rules.parameters_snapshot(period.parameter_set)
    ids = [o.pk for o in organizations]
    per_grade = {f"n_{grade}": Count("id", filter=Q(final_grade=grade)) for grade in Grade.values}
    counts = {
        row["grassroots_id"]: row
        for row in MemberEvaluation.objects.filter(period=period, grassroots_id__in=ids)
        .values("grassroots_id")
        .annotate(
            total=Count("id"),
            not_classified_count=Count("id", filter=~Q(not_classified="")),
            **per_grade,
        )
    }
    extra = quota.extra_places(period=period, scope=quota.MEMBERS, unit_ids=ids)
    closed = locked_units(period=period, unit_ids=ids)
    result = []
    for organization in organizations:
        row = counts.get(organization.pk, {})
        grades = {grade: row.get(f"n_{grade}", 0) for grade in Grade.values}
        not_classified = row.get("not_classified_count", 0)
        total = row.get("total", 0)
        allowed = rules.member_quota(
            params=params, good_count=grades[Grade.GOOD], extra_places=extra.get(organization.pk, 0)
        )
        result.append(
            {
                "organization": organization,
                "grades": [(grade, Grade(grade).label, grades[grade]) for grade in Grade.values],
                "total": total,
                "not_classified": not_classified,
                "undecided": max(total - not_classified - sum(grades.values()), 0),
                "excellent": grades[Grade.EXCELLENT],
                "good": grades[Grade.GOOD],
                "extra_places": extra.get(organization.pk, 0),
                "allowed": allowed,
                "remaining": allowed - grades[Grade.EXCELLENT],
                "over": grades[Grade.EXCELLENT] > allowed,
                "over_by": max(grades[Grade.EXCELLENT] - allowed, 0),
                "pct": params["htxs_quota_pct_of_htt"],
                "closed": closed.get(organization.pk),
            }
        )
    return result


#
# Closing the member review of a grassroots organisation (D3: where the quota is checked)
#


def locked_units(*, period: EvaluationPeriod, unit_ids: Iterable[int]) -> dict[int, MemberReviewLock]:
    """The closings of these grassroots organisations' member reviews in this period, by organisation id."""
    return {
        lock.grassroots_id: lock
        for lock in MemberReviewLock.objects.filter(period=period, grassroots_id__in=list(unit_ids)).select_related(
            "locked_by"
        )
    }


def _closing_period(period: EvaluationPeriod, grassroots: Organization, user) -> EvaluationPeriod:
    if not grassroots.is_grassroots:
        raise ValidationError(_("Member reviews are closed for a grassroots organisation."))
    if not get_access(user).can(APPRAISE, grassroots):
        raise PermissionDenied
    period = (
        EvaluationPeriod.objects.select_for_update(of=("self",))
        .select_related("root", "parameter_set")
        .get(pk=period.pk)
    )
    if period.is_locked:
        raise ValidationError(_("The review of %(year)s is locked.") % {"year": period.year})
    _check_in_period(period, grassroots)
    return period


@transaction.atomic
def member_review_lock(*, period: EvaluationPeriod, grassroots: Organization, locked_by) -> MemberReviewLock:
    """Close the member ratings of a grassroots organisation for the year: every member decided (or not
    classified), and the HTXSNV quota (B12) holding on the final tally, or refused naming the counts (D3).

    The grassroots committee or the committee staff close it; once closed, no rating of it can change until it is
    reopened.
    """
    period = _closing_period(period, grassroots, locked_by)
    if MemberReviewLock.objects.filter(period=period, grassroots=grassroots).exists():
        raise ValidationError(
            _("The member ratings of %(name)s are already closed for %(year)s.")
            % {"name": grassroots.name, "year": period.year}
        )
    ensure_member_rows(period=period, organization=grassroots)
    undecided = MemberEvaluation.objects.filter(
        period=period, grassroots=grassroots, final_grade="", not_classified=""
    ).count()
    if undecided:
        raise ValidationError(
            _("%(count)s members of %(name)s have no decided grade yet: decide them before closing.")
            % {"count": undecided, "name": grassroots.name}
        )
    step = _("Closing the member ratings of %(name)s") % {"name": grassroots.name}
    quota.check_members(period=period, units=[grassroots], step=step)
    tally = quota.member_tallies(period=period, units=[grassroots])[0]
    lock = MemberReviewLock.objects.create(period=period, grassroots=grassroots, locked_by=locked_by)
    log_action(
        actor=locked_by,
        action="evaluations.member_ratings.closed",
        organization=grassroots,
        target=period,
        message=_("Member ratings of %(name)s closed for %(year)s: %(excellent)s HTXSNV of %(allowed)s allowed")
        % {"name": grassroots.name, "year": period.year, "excellent": tally.excellent, "allowed": tally.allowed},
        data={"excellent": tally.excellent, "good": tally.good, "allowed": tally.allowed},
    )
    return lock


@transaction.atomic
def member_review_reopen(*, period: EvaluationPeriod, grassroots: Organization, reason: str, reopened_by) -> None:
    """Reopen the closed member ratings of a grassroots organisation, with a reason (logged). Closing them again
    re-runs every check, the quota included (D3)."""
    reason = required_line(reason, "reason", _("Give the reason for reopening the member ratings."))
    period = _closing_period(period, grassroots, reopened_by)
    deleted, _detail = MemberReviewLock.objects.filter(period=period, grassroots=grassroots).delete()
    if not deleted:
        raise ValidationError(_("The member ratings of %(name)s are not closed.") % {"name": grassroots.name})
    log_action(
        actor=reopened_by,
        action="evaluations.member_ratings.reopened",
        organization=grassroots,
        target=period,
        message=_("Member ratings of %(name)s reopened: %(reason)s") % {"name": grassroots.name, "reason": reason},
        data={"reason": reason},
    )


def khtnv_warnings(*, period: EvaluationPeriod, organizations: Iterable[Organization], params: dict | None = None):
    """B17 (informative): cells where more than the warning share of classified members are KHTNV.

    A member counts with the decided grade, or the cell's proposal while no grade is decided, so that the warning
    shows while the table is being filled in.
    """
    organizations = list(organizations)
    if not organizations:
        return []
    params = params or rules.parameters_snapshot(period.parameter_set)
    limit = Decimal(str(params["khtnv_members_warning_pct"]))
    scope = Q()
    for organization in organizations:
        scope |= Q(organization__path__startswith=organization.path)
    not_fulfilled = Q(final_grade=Grade.NOT_FULFILLED) | Q(final_grade="", proposed_grade=Grade.NOT_FULFILLED)
    warnings = []
    for row in (
        MemberEvaluation.objects.filter(period=period, not_classified="")
        .filter(scope)
        .values("organization_id", "organization__name", "organization__path")
        .annotate(classified=Count("id"), khtnv=Count("id", filter=not_fulfilled))
        .order_by("organization__path")
    ):
        if row["khtnv"] and Decimal(row["khtnv"]) * 100 > limit * row["classified"]:
            warnings.append(
                {
                    "organization_id": row["organization_id"],
                    "name": row["organization__name"],
                    "classified": row["classified"],
                    "khtnv": row["khtnv"],
                    "pct": params["khtnv_members_warning_pct"],
                }
            )
    return warnings


#
# Quota exceptions
#


@transaction.atomic
def quota_exception_record(
    *,
    period: EvaluationPeriod,
    organization: Organization,
    scope: str,
    extra_places,
    justification: str,
    decided_by_body: str,
    granted_by,
) -> QuotaException:
    """Record extra HTXSNV places for a quota unit ("trường hợp đặc biệt", B12): a grassroots organisation (for its
    members or its subordinate organisations) or an upper-level committee (for its grassroots organisations).

    Only a user who may decide (the committee staff) records one; it needs the deciding body and a written
    justification, and is refused on a locked year.
    """
    if not get_access(granted_by).can(DECIDE, organization):
        raise PermissionDenied
    period = EvaluationPeriod.objects.select_for_update(of=("self",)).select_related("root").get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(_("The review of %(year)s is locked.") % {"year": period.year})
    _check_in_period(period, organization)
    if scope not in QuotaException.Scope.values:
        raise ValidationError({"scope": _("Choose what the exception is for.")})
    if organization.kind == Organization.Kind.UPPER:
        # The upper committee's quota is over the grassroots organisations it rates (D3), not over members.
        if scope != QuotaException.Scope.ORGANISATIONS:
            raise ValidationError(
                {"scope": _("For an upper-level committee, an exception is for its grassroots organisations.")}
            )
    elif not organization.is_grassroots:
        raise ValidationError(
            _("A quota exception is recorded for a grassroots organisation or an upper-level committee.")
        )
    try:
        extra_places = int(extra_places)
    except (TypeError, ValueError):
        extra_places = 0
    if not 1 <= extra_places <= MAX_EXTRA_PLACES:
        raise ValidationError(
            {"extra_places": _("Give between 1 and %(max)s extra places.") % {"max": MAX_EXTRA_PLACES}}
        )
    justification = one_line(justification)
    if len(justification) < MIN_JUSTIFICATION_CHARS:
        raise ValidationError(
            {
                "justification": _("Write the justification (at least %(count)s characters).")
                % {"count": MIN_JUSTIFICATION_CHARS}
            }
        )
    decided_by_body = required_line(decided_by_body, "decided_by_body", _("Name the body that decided the exception."))
    exception = QuotaException(
        period=period,
        organization=organization,
        scope=scope,
        extra_places=extra_places,
        justification=justification[:5000],
        decided_by_body=decided_by_body[:255],
        granted_by=granted_by,
        created_at=timezone.now(),
    )
    exception.full_clean()
    exception.save()
    log_action(
        actor=granted_by,
        action="evaluations.quota_exception.recorded",
        organization=organization,
        target=exception,
        message=_("%(name)s %(year)s: %(count)s extra %(excellent)s places (%(scope)s)")
        % {
            "name": organization.name,
            "year": period.year,
            "count": extra_places,
            "excellent": Grade.EXCELLENT,
            "scope": QuotaException.Scope(scope).label,
        },
        data={"justification": justification, "decided_by_body": decided_by_body, "extra_places": extra_places},
    )
    return exception


def quota_exceptions(*, period: EvaluationPeriod, organization: Organization):
    return QuotaException.objects.filter(period=period, organization=organization).select_related("granted_by")
