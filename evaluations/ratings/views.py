"""Member ratings pages: the list of cells of a year, the rating table of a cell or grassroots organisation (one
page, one POST; a small script only updates the quota tally as grades are chosen), closing and reopening the member
ratings of a grassroots organisation (where the quota is checked, D3), and the form where the committee staff record
a quota exception."""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cells.forms import SubmitOnceForm
from cells.forms_pages import already_sent, form_page, once, organization_page, save_form
from cells.models import Organization
from cells.numbers import IntegerField
from cells.permissions import (
    APPRAISE,
    DECIDE,
    SELF_ASSESS,
    get_access,
    get_organization_for_user,
    require_anywhere,
    scope_filter,
)
from cells.selectors import audit_history, breadcrumbs
from evaluations import rules
from evaluations.models import EvaluationPeriod, Grade, MemberEvaluation, QuotaException
from evaluations.ratings import services
from evaluations.review.forms import ConfirmForm
from evaluations.review.quota import org_tallies
from evaluations.review.selectors import get_period_for_user
from members.models import Member
from members.residence import services as residence_feedback

# POST names of a row's inputs: "<prefix>-<row id>".
INPUTS = (
    ("self", "self_grade"),
    ("proposed", "proposed_grade"),
    ("for", "votes_for"),
    ("against", "votes_against"),
    ("final", "final_grade"),
    ("sick", "sick_leave_months"),
    ("cs", "civil_servant_grade"),
)
# "disciplined" is shown, not entered: it comes from the disciplinary decisions on the member's record (D5).
CHECKBOXES = (("maternity", "maternity_leave"),)


def _period_and_organization(user, period_pk, org_pk, *, action: str) -> tuple[EvaluationPeriod, Organization]:
    """The node through the access module (404 outside the user's subtrees, 403 for a weak role), then the
    period, which must cover the node (404 otherwise)."""
    organization = get_organization_for_user(user, org_pk, action=action)
    period = EvaluationPeriod.objects.select_related("root", "parameter_set").filter(pk=period_pk).first()
    if period is None or not organization.path.startswith(period.root.path):
        raise Http404
    return period, organization


#
# The year's list of cells
#


@require_GET
def ratings_index(request, period_pk):
    period = get_period_for_user(request.user, period_pk)
    require_anywhere(request.user, SELF_ASSESS)
    organizations = list(
        Organization.objects.filter(path__startswith=period.root.path, dissolved_on__isnull=True)
        .exclude(kind=Organization.Kind.UPPER)
        .filter(scope_filter(request.user, action=SELF_ASSESS))
        .order_by("path")
    )
    ids = [o.pk for o in organizations]
    on_roll = {
        row["organization_id"]: row["n"]
        for row in Member.objects.filter(organization_id__in=ids, status__in=Member.ON_ROLL)
        .values("organization_id")
        .annotate(n=Count("id"))
    }
    progress = {
        row["organization_id"]: row
        for row in MemberEvaluation.objects.filter(period=period, organization_id__in=ids)
        .values("organization_id")
        .annotate(
            proposed=Count("id", filter=~Q(proposed_grade="")),
            decided=Count("id", filter=~Q(final_grade="") | ~Q(not_classified="")),
        )
    }
    # Add each cell's counts to itself and to the listed nodes above it (a đảng bộ shows its cells' totals).
    listed = {o.pk: o for o in organizations}
    for organization in organizations:
        organization.on_roll = organization.proposed = organization.decided = 0
    for organization in organizations:
        counts = progress.get(organization.pk, {})
        for pk in [*organization.ancestor_ids(), organization.pk]:
            if pk in listed:
                listed[pk].on_roll += on_roll.get(organization.pk, 0)
                listed[pk].proposed += counts.get("proposed", 0)
                listed[pk].decided += counts.get("decided", 0)
    top_depth = min((o.depth for o in organizations), default=0)
    for organization in organizations:
        organization.indent = min(organization.depth - top_depth, 5)
    return render(
        request,
        "evaluations/ratings_index.html",
        {
            "period": period,
            "organizations": organizations,
            "breadcrumbs": breadcrumbs(user=request.user, organization=period.root)
            if get_access(request.user).can_see(period.root)
            else [],
            "breadcrumb_tail": _("Member ratings %(year)s") % {"year": period.year},
        },
    )


#
# The rating table
#


def _rows_from_post(post, *, may_decide: bool) -> tuple[dict, dict]:
    """The submitted rows {id: {field: value}} and versions {id: version}. Checkboxes count as unticked when
    absent; other inputs that are absent (disabled, not shown) keep their stored value."""
    if not may_decide and any(key.startswith("final-") for key in post):
        raise PermissionDenied
    rows, versions = {}, {}
    for raw in post.getlist("row"):
        try:
            pk = int(raw)
        except ValueError:
            raise ValidationError(_("The form does not match this table: reload the page.")) from None
        data = {field: post[f"{prefix}-{pk}"] for prefix, field in INPUTS if f"{prefix}-{pk}" in post}
        for prefix, field in CHECKBOXES:
            data[field] = f"{prefix}-{pk}" in post
        rows[pk] = data
        versions[pk] = post.get(f"version-{pk}") or None
    return rows, versions


def _values_of(row: MemberEvaluation) -> dict:
    return {
        "self": row.self_grade,
        "proposed": row.proposed_grade,
        "for": "" if row.votes_for is None else row.votes_for,
        "against": "" if row.votes_against is None else row.votes_against,
        "final": row.final_grade,
        # A plain "3.5": a localised "3,5" would not fit a number input.
        "sick": format(row.sick_leave_months.normalize(), "f") if row.sick_leave_months else "",
        "cs": row.civil_servant_grade,
        "disciplined": row.disciplined,
        "maternity": row.maternity_leave,
        "version": row.version,
    }


def _values_from_post(post, row: MemberEvaluation) -> dict:
    values = _values_of(row)
    for prefix, _field in INPUTS:
        key = f"{prefix}-{row.pk}"
        if key in post:
            values[prefix] = post[key][:20]
    for prefix, _field in CHECKBOXES:
        values[prefix] = f"{prefix}-{row.pk}" in post
    values["version"] = post.get(f"version-{row.pk}", row.version)
    return values


def _grade_options() -> dict[str, str]:
    """The <option>s of a grade select for each selected value, built once per page: a 300-row table has 1200
    grade selects, and a template loop per select would dominate the page's time."""
    options = {}
    for selected in ["", *Grade.values]:
        options[selected] = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            [(value, " selected" if value == selected else "", value or "—") for value in ["", *Grade.values]],
        )
    return options


def _groups(
    rows: list[MemberEvaluation], *, full_members: dict, post=None, errors: dict | None = None, closed=frozenset()
) -> list:
    """Rows grouped by cell, each with the values to show (the user's input after a refused save), the options of
    its grade selects, and whether it is read-only because its grassroots organisation's review is closed."""
    options = _grade_options()
    groups: list[dict] = []
    for row in rows:
        if not groups or groups[-1]["cell"].pk != row.organization_id:
            groups.append(
                {"cell": row.organization, "full_members": full_members.get(row.organization_id, 0), "rows": []}
            )
        values = _values_from_post(post, row) if post is not None else _values_of(row)
        groups[-1]["rows"].append(
            {
                "obj": row,
                "v": values,
                "options": {
                    name: options.get(values[name], options[""]) for name in ("self", "proposed", "final", "cs")
                },
                "errors": (errors or {}).get(services.row_error_key(row.pk), []),
                "closed": row.grassroots_id in closed,
            }
        )
    return groups


def ratings_table(request, period_pk, org_pk):
    period, organization = _period_and_organization(request.user, period_pk, org_pk, action=SELF_ASSESS)
    if organization.kind == Organization.Kind.UPPER:
        # The whole bloc is too large for one table: pick a grassroots organisation from the list.
        return redirect("ratings:index", period.pk)
    access = get_access(request.user)
    # Members are decided by the grassroots committee (cấp ủy cơ sở, domain.md §4.7), or by the committee staff.
    may_decide = access.can(APPRAISE, organization) and not period.is_locked
    editable = not period.is_locked
    errors: dict = {}
    top_errors: list[str] = []
    post = None
    if request.method == "POST":
        if not editable:
            messages.error(request, _("The review of %(year)s is locked.") % {"year": period.year})
            return redirect("ratings:table", period.pk, organization.pk)
        try:
            submitted, versions = _rows_from_post(request.POST, may_decide=may_decide)
            changed = services.ratings_save(
                period=period,
                organization=organization,
                rows=submitted,
                version_map=versions,
                saved_by=request.user,
                decide=may_decide,
            )
        except ValidationError as error:
            post = request.POST
            if hasattr(error, "error_dict"):
                for key, messages_ in error.message_dict.items():
                    if key == NON_FIELD_ERRORS:
                        top_errors += messages_
                    else:
                        errors[key] = messages_
            else:
                top_errors += error.messages
        else:
            if changed:
                messages.success(request, _("Saved: %(count)s members changed.") % {"count": len(changed)})
            else:
                messages.info(request, _("Nothing to save: no rating was changed."))
            return redirect("ratings:table", period.pk, organization.pk)
    else:
        services.ensure_member_rows(period=period, organization=organization)
    params = rules.parameters_snapshot(period.parameter_set)
    rows = list(services.member_rows(period=period, organization=organization))
    residence = residence_feedback.feedback_by_member([row.member_id for row in rows], year=period.year)  # D10
    for row in rows:
        row.residence = residence.get(row.member_id)
    full_members = services.full_members_by_cell({row.organization_id for row in rows})
    grassroots = services.grassroots_in_scope(organization)
    quota = services.quota_status(period=period, organizations=grassroots, params=params)
    closed = {q["organization"].pk for q in quota if q["closed"]}
    groups = _groups(rows, full_members=full_members, post=post, errors=errors, closed=closed)
    _live_tally(quota, rows, groups)
    return organization_page(
        request,
        "evaluations/ratings_table.html",
        organization,
        period=period,
        groups=groups,
        row_count=len(rows),
        error_count=len(errors),
        top_errors=top_errors,
        quota=quota,
        may_close=may_decide,
        close_form=ConfirmForm(),
        reopen_form=ReopenForm(),
        warnings=services.khtnv_warnings(period=period, organizations=[organization], params=params),
        grades=Grade.choices,
        editable=editable,
        may_decide=may_decide,
        may_record_exception=editable and any(access.can(DECIDE, g) for g in grassroots),
        params=params,
        history=audit_history(
            period,
            limit=10,
            action="evaluations.member_ratings.saved",
            organization__path__startswith=organization.path,
        ),
        breadcrumb_tail=_("Member ratings %(year)s") % {"year": period.year},
    )


def _live_tally(quota: list[dict], rows: list[MemberEvaluation], groups: list[dict]) -> None:
    """Add to each unit's quota the figures of the live tally (D3): the decided HTXSNV and HTTNV of the rows not on
    this page (`base_*`, which the page's script adds to the grades chosen in its selects) and the tally of the
    grades shown (the user's input after a refused save), so that the page opens with the figures it will update."""
    stored = {q["organization"].pk: {Grade.EXCELLENT: 0, Grade.GOOD: 0} for q in quota}
    for row in rows:
        if row.grassroots_id in stored and row.final_grade in (Grade.EXCELLENT, Grade.GOOD):
            stored[row.grassroots_id][row.final_grade] += 1
    shown = {pk: {Grade.EXCELLENT: 0, Grade.GOOD: 0} for pk in stored}
    for group in groups:
        for r in group["rows"]:
            unit = r["obj"].grassroots_id
            if unit in shown and r["v"]["final"] in (Grade.EXCELLENT, Grade.GOOD):
                shown[unit][r["v"]["final"]] += 1
    for q in quota:
        pk = q["organization"].pk
        q["base_excellent"] = q["excellent"] - stored[pk][Grade.EXCELLENT]
        q["base_good"] = q["good"] - stored[pk][Grade.GOOD]
        q["live_excellent"] = q["base_excellent"] + shown[pk][Grade.EXCELLENT]
        q["live_good"] = q["base_good"] + shown[pk][Grade.GOOD]
        q["live_allowed"] = rules.member_quota(
            params={"htxs_quota_pct_of_htt": q["pct"]}, good_count=q["live_good"], extra_places=q["extra_places"]
        )
        q["live_over_by"] = max(q["live_excellent"] - q["live_allowed"], 0)


#
# Closing and reopening a grassroots organisation's member ratings (D3)
#


class ReopenForm(ConfirmForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening the member ratings"), max_length=1000, required=False
    )


def _confirmed_once(request, form, work, to, done: str):
    """A closing or reopening action of the danger zone: nothing without "I confirm" ticked (the refusal and the
    service's are flashed), and once per form shown (a double click lands on the first result)."""
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(*to)
    try:
        _result, url, first = once(request, form, work, to)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(*to)
    if not first:
        return already_sent(request, url)
    messages.success(request, done)
    return redirect(url)


@require_POST
def ratings_close(request, period_pk, org_pk):
    period, organization = _period_and_organization(request.user, period_pk, org_pk, action=APPRAISE)
    if not organization.is_grassroots:
        raise Http404
    return _confirmed_once(
        request,
        ConfirmForm(request.POST),
        lambda: services.member_review_lock(period=period, grassroots=organization, locked_by=request.user),
        ("ratings:table", period.pk, organization.pk),
        _("The member ratings of %(name)s are closed for %(year)s.") % {"name": organization.name, "year": period.year},
    )


@require_POST
def ratings_reopen(request, period_pk, org_pk):
    period, organization = _period_and_organization(request.user, period_pk, org_pk, action=APPRAISE)
    if not organization.is_grassroots:
        raise Http404
    form = ReopenForm(request.POST)
    return _confirmed_once(
        request,
        form,
        lambda: services.member_review_reopen(
            period=period,
            grassroots=organization,
            reason=form.cleaned_data.get("reason", ""),
            reopened_by=request.user,
        ),
        ("ratings:table", period.pk, organization.pk),
        _("The member ratings of %(name)s are open again: closing them will check the quota again.")
        % {"name": organization.name},
    )


#
# Quota exceptions
#


class QuotaExceptionForm(SubmitOnceForm):
    """Typing only: the rules (places 1–50, a written justification) are checked by the service."""

    scope = forms.ChoiceField(
        label=gettext_lazy("For"), choices=QuotaException.Scope.choices, initial=QuotaException.Scope.MEMBERS
    )
    extra_places = IntegerField(label=gettext_lazy("Extra places"), initial=1, required=False)
    decided_by_body = forms.CharField(
        label=gettext_lazy("Decided by"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("The body that decided the exception, e.g. the standing committee."),
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, upper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if upper:
            self.fields["scope"].choices = [
                (value, label)
                for value, label in QuotaException.Scope.choices
                if value == QuotaException.Scope.ORGANISATIONS
            ]
            self.fields["scope"].initial = QuotaException.Scope.ORGANISATIONS


def ratings_exception(request, period_pk, org_pk):
    period, organization = _period_and_organization(request.user, period_pk, org_pk, action=DECIDE)
    upper = organization.kind == Organization.Kind.UPPER
    if not (organization.is_grassroots or upper):
        raise Http404
    # An upper-level committee's quota is over its grassroots organisations (D3), so that is the only choice there.
    form = QuotaExceptionForm(request.POST or None, upper=upper)
    return save_form(
        request,
        form,
        lambda data: services.quota_exception_record(
            period=period, organization=organization, granted_by=request.user, **data
        ),
        message=_("The quota exception has been recorded."),
        to=("evaluations:period", period.pk) if upper else ("ratings:table", period.pk, organization.pk),
    ) or form_page(
        request,
        "evaluations/ratings_exception.html",
        form,
        organization,
        period=period,
        quota=services.quota_status(period=period, organizations=[organization]),
        org_tally=next((t for t in org_tallies(period=period, every_unit=True) if t.unit.pk == organization.pk), None),
        exceptions=services.quota_exceptions(period=period, organization=organization),
        breadcrumb_tail=_("Quota exception %(year)s") % {"year": period.year},
    )
