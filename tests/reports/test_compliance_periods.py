"""D6 and the drafting of the compliance report (reports/builders/compliance.py), on the smallest hand-built
cases of the conftest tree (cells A1, A2 under A; B1, B2 under B; the grassroots cell C under the root).

D6  "A month is not missing until it has ended plus the grace. Months before a cell was founded or after it was
    dissolved or merged are not required." Issue #14 adds: a monthly or quarterly report holds only its period;
    the month in progress is not counted; organisations are named with their parent where names repeat; the rule
    set recorded is the one in force in the period.

The builder is called directly (no PDF): what it hands to the templates and the .xlsx twin is what is checked.
"""

import datetime

import pytest
import time_machine
from django.utils.translation import gettext

from cells.models import Organization
from criteria.models import RuleParameterSet
from meetings.models import Attendance, Meeting
from meetings.selectors import Period
from reports.builders import compliance
from reports.builders.compliance import Indicator, build_compliance
from reports.models import Report
from tests import helpers

pytestmark = pytest.mark.django_db

D = datetime.date
AFTER_2025 = "2026-02-16 09:00 +0700"  # every month of 2025 is due (December's grace ended on 10/01/2026)


def log(cell, month, *, year=2025, status=Meeting.Status.FINAL) -> Meeting:
    meeting = helpers.meeting_row(cell, year, month, status=status)
    meeting.save()
    return meeting


def built(world, *, organization=None, year=2025, month=None, quarter=None, user=None):
    report = Report(
        kind=Report.Kind.COMPLIANCE,
        organization=organization or world.tree.root,
        year=year,
        month=month,
        quarter=quarter,
        requested_by=user or world.personas.leader,
    )
    return build_compliance(report=report, user=user or world.personas.leader, progress=lambda _p: None)


def table(result, sheet: str) -> dict:
    return next(t for t in result.tables if t["sheet"] == gettext(sheet))


def section(result, key: str) -> list[str]:
    return next(s["paragraphs"] for s in result.sections if s["key"] == key)


#
# Periods (D6)
#


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_monthly_report_holds_only_its_month(world):
    tree = world.tree
    for cell in (tree.a1, tree.a2, tree.b1, tree.b2, tree.c):
        log(cell, 3)
    # A1 misses June, which is outside a March report.

    result = built(world, month=3)

    heat = table(result, "Heat-map")
    assert heat["headers"][2:] == ["T3"]
    assert all(len(row) == 3 for row in heat["rows"])
    assert table(result, "Missing")["rows"] == []
    assert result.figures["pct_all_regular"] == 100.0
    assert heat["appendix"] is True


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_quarterly_report_lists_missing_months_of_its_quarter_only(world):
    tree = world.tree
    log(tree.a1, 4)  # A1 holds April only; everyone else nothing

    result = built(world, organization=tree.a, quarter=2)

    heat = table(result, "Heat-map")
    assert heat["headers"][2:] == ["T4", "T5", "T6"]
    assert dict((row[0], row[1]) for row in table(result, "Missing")["rows"]) == {
        "Chi bộ A1 (Đảng bộ A)": "5, 6",
        "Chi bộ A2 (Đảng bộ A)": "4, 5, 6",
    }


@time_machine.travel("2026-02-16 09:00 +0700", tick=False)
def test_D6_month_in_progress_is_not_yet_due_never_zero(world):
    tree = world.tree
    log(tree.a1, 1, year=2026)
    log(tree.a2, 1, year=2026)
    # 16/02/2026: January's grace ended on 10/02; February and March are not due.

    result = built(world, organization=tree.a, year=2026, quarter=1)

    not_due = gettext("not yet due")
    heat = table(result, "Heat-map")
    assert [row[2:] for row in heat["rows"]] == [[1, not_due, not_due], [1, not_due, not_due]]
    assert result.context["months_counted"] == [1]
    assert result.figures["pct_all_regular"] == 100.0  # January only
    results = " ".join(section(result, "results"))
    assert gettext("month %(month)s") % {"month": 1} in results
    assert "10/03/2026" in results  # February's deadline, the first month not yet due


@time_machine.travel("2026-02-16 09:00 +0700", tick=False)
def test_D6_report_of_a_month_not_yet_due_counts_nothing_and_says_so(world):
    result = built(world, organization=world.tree.a, year=2026, month=2)

    not_due = gettext("not yet due")
    key = table(result, "Key figures")
    assert [row[1] for row in key["rows"]] == [not_due] * 4
    assert all(row[3] is None for row in key["rows"])  # no share, never 0
    assert [row[2:] for row in table(result, "Heat-map")["rows"]] == [[not_due], [not_due]]
    assert [bar[1] for bar in result.context["chart"]] == [None] * 4
    assert "10/03/2026" in " ".join(section(result, "results"))


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_months_before_founding_are_not_required(world):
    tree = world.tree
    Organization.objects.filter(pk=tree.a1.pk).update(founded_on=D(2025, 7, 1))
    log(tree.a2, 3)

    year = built(world, organization=tree.a)
    march = built(world, organization=tree.a, month=3)

    assert dict((row[0], row[1]) for row in table(year, "Missing")["rows"])["Chi bộ A1 (Đảng bộ A)"] == (
        "7, 8, 9, 10, 11, 12"
    )
    assert table(march, "Missing")["rows"] == []  # A1 did not exist in March; A2 held it
    heat = table(march, "Heat-map")
    assert heat["rows"] == [["Chi bộ A2", 1, 1]]


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_cells_are_named_with_their_parent_in_the_text_and_the_annex(world):
    result = built(world, month=5)  # nothing logged: every cell misses May

    names = [row[0] for row in table(result, "Missing")["rows"]]
    assert "Chi bộ A1 (Đảng bộ A)" in names and "Chi bộ B1 (Đảng bộ B)" in names
    assert "Chi bộ A1 (Đảng bộ A)" in " ".join(section(result, "shortcomings"))


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_rule_set_recorded_is_the_one_in_force_in_the_period(world):
    old = RuleParameterSet.objects.create(name="2024", valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))
    new = RuleParameterSet.objects.create(name="2025", valid_from=D(2025, 1, 1))

    assert built(world, year=2024).parameter_set == old
    assert built(world, year=2025, quarter=1).parameter_set == new


@time_machine.travel("2025-05-20 09:00 +0700", tick=False)
def test_D6_rule_set_of_a_running_year_is_todays(world):
    RuleParameterSet.objects.create(name="đầu năm", valid_from=D(2025, 1, 1), valid_to=D(2025, 5, 31))
    later = RuleParameterSet.objects.create(name="từ tháng 6", valid_from=D(2025, 6, 1))

    result = built(world, year=2025)

    assert result.parameter_set != later
    assert result.parameter_set.name == "đầu năm"


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_members_to_follow_up_are_those_of_the_period(world):
    tree, members = world.tree, world.members
    april = log(tree.a1, 4)
    Attendance.objects.create(meeting=april, member=members.probationary, status=Attendance.Status.UNEXCUSED)
    july = log(tree.a1, 7)
    Attendance.objects.create(meeting=july, member=members.probationary, status=Attendance.Status.PRESENT)

    second = built(world, organization=tree.a, quarter=2)
    third = built(world, organization=tree.a, quarter=3)

    assert [row[:4] for row in table(second, "Members")["rows"]] == [["Lê Văn Cường", "Chi bộ A1 (Đảng bộ A)", 1, 1]]
    assert table(third, "Members")["rows"] == []


@time_machine.travel(AFTER_2025, tick=False)
def test_D8_a_quarter_report_counts_the_months_of_absence_from_january(world):
    # Absent without reason in January, February (Q1) and April (Q2): three months by the end of Q2, the number of
    # months that calls for the review (D8), although Q2 itself holds one; Q1 alone holds two, not yet three.
    tree, members = world.tree, world.members
    for month in (1, 2, 4):
        meeting = log(tree.a1, month)
        Attendance.objects.create(meeting=meeting, member=members.probationary, status=Attendance.Status.UNEXCUSED)

    first = built(world, organization=tree.a, quarter=1)
    second = built(world, organization=tree.a, quarter=2)

    [q1] = table(first, "Members")["rows"]
    [q2] = table(second, "Members")["rows"]
    assert q1[2:4] == [2, 2] and q1[5] == "—"
    assert q2[2:4] == [1, 1] and q2[5] != "—"


@time_machine.travel(AFTER_2025, tick=False)
def test_D6_chart_gives_only_attendance_a_target(world):
    result = built(world)

    targets = [bar[2] for bar in result.context["chart"]]
    assert targets == [None, None, 95, None]


#
# Drafting from plain figures
#


def test_previous_period_is_the_same_length_before():
    assert compliance.previous_period(Period(2025, month=1)) == Period(2024, month=12)
    assert compliance.previous_period(Period(2025, month=5)) == Period(2025, month=4)
    assert compliance.previous_period(Period(2025, quarter=1)) == Period(2024, quarter=4)
    assert compliance.previous_period(Period(2025, quarter=3)) == Period(2025, quarter=2)
    assert compliance.previous_period(Period(2025)) == Period(2024)


def test_result_sentence_gives_the_base_the_share_the_change_and_the_target():
    indicator = Indicator("regular", "chi bộ sinh hoạt đủ", 253, 316, 80.1, previous=78.0, target=95)

    text = compliance.draft_result_sentence(indicator)

    assert text.startswith("253/316 chi bộ sinh hoạt đủ, đạt 80,1%")  # what is counted named once
    assert "80,1%" in text and "78%" in text and "2,1" in text and "95%" in text


def test_result_sentence_groups_thousands():
    indicator = Indicator("attendance", "lượt đảng viên dự", 45134, 47001, 96.0)

    assert compliance.draft_result_sentence(indicator).startswith("45.134/47.001 lượt đảng viên dự")


def test_result_sentence_of_an_uncounted_figure_has_no_zero():
    indicator = Indicator("regular", "chi bộ sinh hoạt đủ", None, None, None)

    text = compliance.draft_result_sentence(indicator)

    assert "0" not in text


def test_names_are_bounded_with_the_number_of_others():
    names = [f"Chi bộ {i}" for i in range(1, 9)]

    text = compliance.draft_names(names, limit=5)

    assert text.startswith("Chi bộ 1, Chi bộ 2, Chi bộ 3, Chi bộ 4, Chi bộ 5")
    assert "Chi bộ 6" not in text
    assert "3" in text.removeprefix("Chi bộ 1, Chi bộ 2, Chi bộ 3, Chi bộ 4, Chi bộ 5")
    assert compliance.draft_names(names[:2]) == "Chi bộ 1, Chi bộ 2"


def test_shortcomings_name_the_cells_and_the_figure_below_target():
    below = Indicator("attendance", "lượt dự sinh hoạt", 80, 100, 80.0, target=95)

    text = " ".join(
        compliance.draft_shortcomings(
            indicators=[below], missing=["Chi bộ A1 (Đảng bộ A)"], drafts=[], follow_ups=0, removal_reviews=0
        )
    )

    assert "Chi bộ A1 (Đảng bộ A)" in text
    assert "80%" in text and "95%" in text


def test_strengths_and_tasks_follow_the_figures():
    met = Indicator("attendance", "lượt dự sinh hoạt", 96, 100, 96.0, target=95)
    worse = Indicator("good", "buổi xếp loại Tốt", 5, 10, 50.0, previous=60.0)

    strengths = compliance.draft_strengths([met, worse])
    tasks = compliance.draft_tasks(missing=0, drafts=0, follow_ups=2, below_target=[], pending=False)

    assert len(strengths) == 1 and "96%" in strengths[0]
    assert len(tasks) == 2  # the members to meet, and the standing task
