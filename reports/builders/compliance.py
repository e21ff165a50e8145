"""The meeting compliance report (monthly, quarterly, yearly): a báo cáo drafted from the figures of its period.

Periods follow decision D6: the report holds only the months of its period, a month whose deadline (its end plus
the grace days) has not passed is "not yet due" (never a 0), months before a cell was founded or after it was
dissolved are not owed, and the rule set recorded is the one in force at the end of the period (or today, when the
period has not ended). The narrative is drafted by the small pure functions below (`draft_*`) so that each can be
tested on plain figures; staff edit the drafted paragraphs before issuing.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cells.formats import date_vn, num, pct
from cells.names import org_label
from criteria.selectors import parameters_on
from meetings import counting
from meetings import selectors as meeting_selectors
from reports.builders.common import Built, _header
from reports.models import Report

# How many organisations a paragraph names before "and N other cells": the full list is in the phụ lục.
NAMED_IN_TEXT = 5


#
# Periods
#


def period_end(period: meeting_selectors.Period) -> datetime.date:
    return counting.last_day(period.year, period.months[-1])


def previous_period(period: meeting_selectors.Period) -> meeting_selectors.Period:
    """The period of the same length just before `period`: the month, quarter or year before."""
    if period.month:
        if period.month == 1:
            return meeting_selectors.Period(year=period.year - 1, month=12)
        return meeting_selectors.Period(year=period.year, month=period.month - 1)
    if period.quarter:
        if period.quarter == 1:
            return meeting_selectors.Period(year=period.year - 1, quarter=4)
        return meeting_selectors.Period(year=period.year, quarter=period.quarter - 1)
    return meeting_selectors.Period(year=period.year - 1)


def rules_day(period: meeting_selectors.Period, today: datetime.date) -> datetime.date:
    """The day whose rule set governs the report: the end of the period, or today while it runs."""
    return min(period_end(period), today)


# Guidance 42-HD/BTCTW (28/10/2025) replaced Guidance 12-HD/BTCTW (06/7/2018) on cell meetings (domain.md §1).
GUIDANCE_42_FROM = datetime.date(2025, 10, 28)


def meeting_basis(day: datetime.date) -> str:
    """The legal basis of a compliance report: the guidance on cell meetings in force on `day`, named once."""
    if day >= GUIDANCE_42_FROM:
        return _(
            "Pursuant to the Party Charter (Article 24), Directive No. 50-CT/TW of 23/7/2025 and Guidance "
            "No. 42-HD/BTCTW of 28/10/2025 of the Central Organisation Commission on Party cell meetings."
        )
    return _(
        "Pursuant to the Party Charter (Article 24) and Guidance No. 12-HD/BTCTW of 06/7/2018 of the Central "
        "Organisation Commission on raising the quality of Party cell meetings."
    )


def month_list(months: list[int]) -> str:
    """ "1, 2, 3" → "tháng 1–3" for a run; "tháng 1, 3" otherwise (months in order)."""
    if not months:
        return ""
    if len(months) > 2 and months == list(range(months[0], months[-1] + 1)):
        return _("months %(first)s–%(last)s") % {"first": months[0], "last": months[-1]}
    if len(months) == 1:
        return _("month %(month)s") % {"month": months[0]}
    return _("months %(months)s") % {"months": ", ".join(str(m) for m in months)}


def month_header(month: int) -> str:
    """A month's column header: "T7" (tháng 7), short enough never to wrap."""
    return f"T{month}"


#
# The narrative, from plain figures
#


@dataclass(frozen=True)
class Indicator:
    """One figure of the report with its base, for the text: `part` of `whole`, its share, the previous
    period's share and the target (percent), when known."""

    key: str
    label: str  # "chi bộ sinh hoạt đủ các kỳ thường lệ": runs on after "253/316", so it begins with what is counted
    part: int | None
    whole: int | None
    share: float | None
    previous: float | None = None
    target: float | None = None
    due: bool = True  # some month of the period has passed its deadline (else nothing is counted yet)

    @property
    def counted(self) -> bool:
        return self.due and self.share is not None and bool(self.whole)


def draft_result_sentence(indicator: Indicator) -> str:
    """ "253/316 chi bộ sinh hoạt đủ …, đạt 80,1% (kỳ trước 78%, tăng 2,1 điểm %; chỉ tiêu 95%)." """
    if not indicator.due:
        return _("%(label)s: not counted (no month of the period has ended yet).") % {
            "label": indicator.label[:1].upper() + indicator.label[1:]
        }
    if not indicator.counted:  # due, but nothing to count (no meeting rated, no attendance recorded)
        return _("%(label)s: none in the period.") % {"label": indicator.label[:1].upper() + indicator.label[1:]}
    text = _("%(part)s/%(whole)s %(label)s, reaching %(share)s") % {
        "part": num(indicator.part),
        "whole": num(indicator.whole),
        "label": indicator.label,
        "share": pct(indicator.share),
    }
    notes = []
    if indicator.previous is not None:
        change = round(indicator.share - indicator.previous, 1)
        if change > 0:
            notes.append(
                _("previous period %(previous)s, up %(change)s points")
                % {"previous": pct(indicator.previous), "change": num(change, 1)}
            )
        elif change < 0:
            notes.append(
                _("previous period %(previous)s, down %(change)s points")
                % {"previous": pct(indicator.previous), "change": num(-change, 1)}
            )
        else:
            notes.append(_("the same as the previous period (%(previous)s)") % {"previous": pct(indicator.previous)})
    if indicator.target is not None:
        met = indicator.share >= indicator.target
        notes.append(
            (_("target %(target)s, met") if met else _("target %(target)s, not met"))
            % {"target": pct(indicator.target)}
        )
    if notes:
        text += " (" + "; ".join(notes) + ")"
    return text + "."


def draft_names(names: list[str], *, limit: int = NAMED_IN_TEXT) -> str:
    """ "A, B, C và 4 chi bộ khác": the first `limit` names, then how many more."""
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    if rest > 0:
        return ngettext("%(names)s and %(count)s other cell", "%(names)s and %(count)s other cells", rest) % {
            "names": shown,
            "count": num(rest),
        }
    return shown


def draft_results(
    *,
    indicators: list[Indicator],
    months_counted: list[int],
    months_pending: list[int],
    pending_until: datetime.date | None,
    previous_label: str,
) -> list[str]:
    """The "results" paragraphs: which months were counted, then each figure with its base, the previous
    period and the target."""
    paragraphs = []
    if months_counted:
        first = _("The figures count %(months)s, whose deadline has passed") % {"months": month_list(months_counted)}
        if months_pending:
            first += _("; %(months)s is not yet due (deadline %(until)s) and is not counted") % {
                "months": month_list(months_pending),
                "until": date_vn(pending_until),
            }
        paragraphs.append(first + _("; compared with %(previous)s.") % {"previous": previous_label})
    else:
        paragraphs.append(
            _("No month of the period has ended yet (first deadline %(until)s): nothing is counted yet.")
            % {"until": date_vn(pending_until)}
        )
        return paragraphs
    paragraphs.extend(draft_result_sentence(indicator) for indicator in indicators)
    return paragraphs


def draft_strengths(indicators: list[Indicator]) -> list[str]:
    """Figures that met their target or improved on the previous period."""
    good = []
    for indicator in indicators:
        if not indicator.counted:
            continue
        if indicator.target is not None and indicator.share >= indicator.target:
            good.append(_("%(label)s met the target (%(share)s).") % _label_share(indicator))
        elif indicator.previous is not None and indicator.share > indicator.previous:
            good.append(_("%(label)s improved on the previous period (%(share)s).") % _label_share(indicator))
        elif indicator.share >= 100:
            good.append(_("%(label)s: every one (%(share)s).") % _label_share(indicator))
    return good or [_("No figure of the period met its target or improved on the previous period.")]


def _label_share(indicator: Indicator) -> dict:
    return {"label": indicator.label[:1].upper() + indicator.label[1:], "share": pct(indicator.share)}


def draft_shortcomings(
    *, indicators: list[Indicator], missing: list[str], drafts: list[str], follow_ups: int, removal_reviews: int
) -> list[str]:
    """What fell short, naming the organisations concerned (a bounded list; the phụ lục has them all)."""
    paragraphs = []
    if missing:
        paragraphs.append(
            ngettext(
                "%(count)s cell did not hold every regular meeting due: %(names)s.",
                "%(count)s cells did not hold every regular meeting due: %(names)s.",
                len(missing),
            )
            % {"count": num(len(missing)), "names": draft_names(missing)}
        )
    if drafts:
        paragraphs.append(
            _("Minutes left as drafts (not finalised, so not counted): %(names)s.") % {"names": draft_names(drafts)}
        )
    for indicator in indicators:
        if indicator.counted and indicator.target is not None and indicator.share < indicator.target:
            paragraphs.append(
                _("%(label)s stayed below the target: %(share)s against %(target)s.")
                % {**_label_share(indicator), "target": pct(indicator.target)}
            )
    if follow_ups:
        text = ngettext(
            "%(count)s member is to be followed up for absences.",
            "%(count)s members are to be followed up for absences.",
            follow_ups,
        ) % {"count": num(follow_ups)}
        if removal_reviews:
            text += " " + ngettext(
                "%(count)s of them reached the months of absence without reason that call for a removal review "
                "(Article 8 of the Party Charter).",
                "%(count)s of them reached the months of absence without reason that call for a removal review "
                "(Article 8 of the Party Charter).",
                removal_reviews,
            ) % {"count": num(removal_reviews)}
        paragraphs.append(text)
    return paragraphs or [_("No shortcoming in the figures of the period.")]


def draft_tasks(*, missing: int, drafts: int, follow_ups: int, below_target: list[str], pending: bool) -> list[str]:
    """The tasks ahead that follow from the shortcomings; the standing ones when there are none."""
    tasks = []
    if missing:
        tasks.append(
            _("Grassroots committees urge the cells listed in the annex to hold their regular meeting every month.")
        )
    if drafts:
        tasks.append(_("Cells finalise the minutes of meetings held, so that the meetings count."))
    if below_target:
        tasks.append(_("Raise %(what)s to the target.") % {"what": ", ".join(below_target)})
    if follow_ups:
        tasks.append(_("Cells meet the members listed in the annex about their absences and report back."))
    if pending:
        tasks.append(_("Cells log the meetings of the months not yet due before their deadline."))
    tasks.append(_("Keep holding regular meetings with their content prepared and their minutes finalised on time."))
    return tasks


#
# The build
#


def _heat_table(heatmap, period, not_due: str) -> dict:
    """The heat-map over the period's months: per organisation and month the cells whose regular meeting
    counts; "—" where no cell of the row existed, `not_due` for a month whose deadline has not passed."""
    rows, totals = [], [_("Total"), 0, *[0 for _m in period.months]]
    for row in heatmap:
        months = [row.month(m) for m in period.months]
        owing = max((m.required for m in months), default=0)
        if not owing:
            continue
        values = []
        for i, month in enumerate(months):
            if not month.required:
                values.append("—")
            elif month.month not in row.due:
                values.append(not_due)
                totals[2 + i] = not_due
            else:
                values.append(month.counted)
                if totals[2 + i] != not_due:
                    totals[2 + i] += month.counted
        rows.append([row.organization.name, owing, *values])
        totals[1] += owing
    return {
        "title": _("Regular meetings counted per month (number of cells)"),
        "sheet": _("Heat-map"),
        "headers": [_("Organisation"), _("Cells"), *[month_header(m) for m in period.months]],
        "rows": rows,
        "totals": totals if len(rows) > 1 else None,
        "appendix": True,
    }


def build_compliance(*, report: Report, user, progress: Callable[[int], None]) -> Built:
    root = report.organization
    today = timezone.localdate()
    period = meeting_selectors.Period(year=report.year, month=report.month, quarter=report.quarter)
    before = previous_period(period)
    data_as_of = timezone.now()
    rules = parameters_on(rules_day(period, today))
    kpis = meeting_selectors.kpis(user=user, root=root, period=period, today=today)
    earlier = meeting_selectors.kpis(user=user, root=root, period=before, today=today)
    progress(20)
    heatmap = meeting_selectors.heatmap(user=user, root=root, year=report.year, today=today)
    progress(40)
    missing = meeting_selectors.missing_cells(user=user, root=root, period=period, today=today)
    progress(55)
    flags = meeting_selectors.flagged_members(user=user, root=root, year=report.year, months=period.months)
    progress(70)
    title = _("REPORT ON PARTY CELL MEETINGS")
    not_due = _("not yet due")
    attendance_target = rules["kpi_attendance_pct"]

    def prior(share_of_earlier):
        return share_of_earlier if earlier.months_counted else None

    due = bool(kpis.months_counted)  # some month of the period has passed its deadline
    indicators = [
        Indicator(
            "regular",
            _("cells held every regular meeting due"),
            kpis.cells_all_regular,
            kpis.cells,
            kpis.pct_all_regular,
            prior(earlier.pct_all_regular),
            due=due,
        ),
        Indicator(
            "thematic",
            _("cells held a thematic meeting every quarter due"),
            kpis.cells_all_thematic,
            kpis.cells_thematic,
            kpis.pct_all_thematic,
            prior(earlier.pct_all_thematic),
            due=due,
        ),
        Indicator(
            "attendance",
            _("attendances at the meetings counted"),
            kpis.present,
            kpis.eligible,
            kpis.attendance_pct,
            prior(earlier.attendance_pct),
            attendance_target,
            due=due,
        ),
        Indicator(
            "good",
            _("meetings rated Good among those rated"),
            kpis.meetings_good,
            kpis.meetings_rated,
            kpis.pct_good,
            prior(earlier.pct_good),
            due=due,
        ),
    ]
    row_labels = {
        "regular": _("Cells that held every regular meeting"),
        "thematic": _("Cells with a thematic meeting every quarter"),
        "attendance": _("Member attendance"),
        "good": _("Meetings rated Good"),
    }
    kpi_rows = [
        [
            row_labels[i.key],
            i.part if i.due else not_due,
            i.whole if i.due else None,
            i.share if i.counted else None,
            i.previous,
            i.target,
        ]
        for i in indicators
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
    previous_label = _("the previous period (%(period)s)") % {"period": before.label}
    below = [i.label for i in indicators if i.counted and i.target is not None and i.share < i.target]
    sections = [
        {
            "key": "results",
            "heading": _("I. RESULTS"),
            "paragraphs": draft_results(
                indicators=indicators,
                months_counted=kpis.months_counted,
                months_pending=kpis.months_pending,
                pending_until=kpis.pending_until,
                previous_label=previous_label,
            ),
        },
        {"key": "strengths", "heading": _("II. STRENGTHS"), "paragraphs": draft_strengths(indicators)},
        {
            "key": "shortcomings",
            "heading": _("III. SHORTCOMINGS"),
            "paragraphs": draft_shortcomings(
                indicators=indicators,
                missing=[org_label(item["cell"]) for item in missing],
                drafts=[org_label(item["cell"]) for item in missing if item["drafts"]],
                follow_ups=len(flags),
                removal_reviews=sum(1 for f in flags if f.removal_review),
            ),
        },
        {
            "key": "tasks",
            "heading": _("IV. TASKS AHEAD"),
            "paragraphs": draft_tasks(
                missing=len(missing),
                drafts=sum(1 for item in missing if item["drafts"]),
                follow_ups=len(flags),
                below_target=below,
                pending=bool(kpis.months_pending),
            ),
        },
    ]
    tables = [
        {
            "title": _("Key figures"),
            "sheet": _("Key figures"),
            "headers": [_("Indicator"), _("Count"), _("Out of"), _("%"), _("Previous period %"), _("Target %")],
            "rows": kpi_rows,
            "section": "results",
        },
        _heat_table(heatmap, period, not_due),
        {
            "title": _("Cells with missing regular meetings"),
            "sheet": _("Missing"),
            "headers": [_("Party cell"), _("Months")],
            "rows": missing_rows,
            "appendix": True,
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
            "appendix": True,
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
        "sections": sections,
        "months": list(period.months),
        "months_counted": kpis.months_counted,
        # One bar per figure, each with its own target (None: no marker): only attendance has one.
        "chart": [(row_labels[i.key], i.share if i.counted else None, i.target) for i in indicators],
        "chart_section": "results",
        "chart_target": None,
    }
    return Built(
        template="reports/pdf/compliance.html",
        context=context,
        tables=tables,
        title=str(title),
        figures=figures,
        parameter_set=rules.parameter_set,
        data_as_of=data_as_of,
        sections=sections,
        basis=meeting_basis(rules_day(period, today)),
    )
