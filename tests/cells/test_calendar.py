"""The holiday calendar (cells.Holiday) and the working days every deadline counts (cells.calendar).

Rule B20: the official transfer procedure is done within 60 working days of the decision, the introduction letter
presented within 30 working days of its issue. Working days are Monday to Friday less the public holidays and Tết
(Bộ luật Lao động 2019, Điều 112), plus a Saturday worked in exchange (ngày làm bù). Each case starts from an empty
calendar and puts in only the days it needs, so that the figures below are counted by hand from the rule.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cells import calendar
from cells.holidays import services as holiday_services
from cells.holidays.seed import seeded_calendar
from cells.models import AuditEntry, Holiday
from members import services as member_services
from members.models import Transfer

d = datetime.date.fromisoformat
OFF, WORK = Holiday.Kind.DAY_OFF, Holiday.Kind.WORKING_DAY
TET_2026 = ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"]  # Monday to Friday


@pytest.fixture
def empty_calendar(db):
    Holiday.objects.all().delete()


def days_off(*days, kind=OFF):
    for day in days:
        Holiday.objects.create(date=d(day), name="Nghỉ", kind=kind)


#
# Rule B20 with the calendar
#


@time_machine.travel("2026-06-01 10:00 +0700")
def test_B20_deadline_skips_tet(empty_calendar):
    # Letter issued Friday 06/02/2026. 30 working days on weekdays alone: six weeks, Friday 20/03/2026. Tết takes
    # the five weekdays 16–20/02, so the 30th working day is one week later: Friday 27/03/2026.
    transfer = Transfer(kind=Transfer.Kind.OFFICIAL, decided_on=d("2026-02-06"), letter_issued_on=d("2026-02-06"))
    assert member_services.transfer_deadlines(transfer)["letter_due"] == d("2026-03-20")

    days_off(*TET_2026)

    deadlines = member_services.transfer_deadlines(transfer)
    assert deadlines["letter_due"] == d("2026-03-27")
    # 60 working days = 12 weeks (01/05/2026) + the Tết week: Friday 08/05/2026.
    assert deadlines["procedure_due"] == d("2026-05-08")


def test_B20_deadline_counts_a_make_up_saturday(empty_calendar):
    # Friday 02/01/2026 off, Saturday 10/01/2026 worked instead. From Wednesday 31/12/2025, 5 working days:
    # Thu 1/1 (holiday, off), Fri 2/1 (swapped off), Mon 5, Tue 6, Wed 7, Thu 8, Fri 9 → the 5th is Friday 09/01;
    # 6 working days: the Saturday 10/01 worked.
    days_off("2026-01-01", "2026-01-02")
    days_off("2026-01-10", kind=WORK)

    assert calendar.add_working_days(d("2025-12-31"), 5) == d("2026-01-09")
    assert calendar.add_working_days(d("2025-12-31"), 6) == d("2026-01-10")
    assert calendar.working_days_between(d("2025-12-31"), d("2026-01-10")) == 6


def test_B20_deadline_ignores_a_holiday_on_a_weekend(empty_calendar):
    # Giỗ Tổ 2026 is Sunday 26/04; the compensatory day is Monday 27/04. The Sunday itself changes nothing.
    days_off("2026-04-26")
    assert calendar.add_working_days(d("2026-04-24"), 1) == d("2026-04-27")
    days_off("2026-04-27")
    assert calendar.add_working_days(d("2026-04-24"), 1) == d("2026-04-28")


@time_machine.travel("2026-06-01 10:00 +0700")
def test_B20_holiday_added_by_staff_changes_the_deadline_on_the_member_page(world, client_for, empty_calendar):
    # Decision Monday 02/03/2026 with 60 working days: twelve weeks, due Monday 25/05/2026. Staff add Thursday
    # 30/04 and Friday 01/05 on the holiday page: due two working days later, Wednesday 27/05/2026.
    member_services.transfer_official(
        member=world.members.other,
        to_text="Đảng bộ tỉnh X",
        decided_on=d("2026-03-02"),
        transferred_by=world.personas.staff,
    )
    secretary, staff = client_for("secretary"), client_for("staff")
    page = secretary.get(reverse("members:detail", args=[world.members.other.pk])).content.decode()
    assert "25/05/2026" in page

    for day, name in (("2026-04-30", "Ngày Chiến thắng"), ("2026-05-01", "Quốc tế lao động")):
        response = staff.post(reverse("holidays:create"), {"date": day, "name": name, "kind": OFF})
        assert response.status_code == 302

    page = secretary.get(reverse("members:detail", args=[world.members.other.pk])).content.decode()
    assert "27/05/2026" in page and "25/05/2026" not in page
    assert AuditEntry.objects.filter(action="cells.holiday.created").count() == 2


def test_add_working_days_reads_the_calendar_once(empty_calendar, django_assert_num_queries):
    days_off(*TET_2026)
    with django_assert_num_queries(1):
        due = calendar.add_working_days(d("2026-01-05"), 60)
    assert due == d("2026-04-06")  # 12 weeks (30/03) + the Tết week
    assert calendar.working_days_between(d("2026-01-05"), due) == 60


def test_a_calendar_loaded_for_many_deadlines_is_read_once(empty_calendar, django_assert_num_queries):
    days_off(*TET_2026)
    with django_assert_num_queries(1):
        loaded = calendar.calendar_for([(d("2026-01-05"), 60), (d("2026-02-06"), 30)])
    with django_assert_num_queries(0):
        assert loaded.add_working_days(d("2026-01-05"), 60) == d("2026-04-06")
        assert loaded.add_working_days(d("2026-02-06"), 30) == d("2026-03-27")


def test_the_seeded_calendar_holds_tet_and_the_national_days(db):
    seeded = set(Holiday.objects.filter(kind=OFF).values_list("date", flat=True))
    for day in [*TET_2026, "2025-01-29", "2024-02-12", "2026-04-30", "2026-05-01", "2026-09-02", "2025-09-01"]:
        assert d(day) in seeded
    # Every make-up working day is a weekend day.
    assert all(day.weekday() >= 5 for day in Holiday.objects.filter(kind=WORK).values_list("date", flat=True))
    # The demo planner, which runs no query, counts on the same calendar as a freshly migrated database.
    shipped = seeded_calendar()
    assert shipped.days_off == seeded
    assert shipped.days_worked == set(Holiday.objects.filter(kind=WORK).values_list("date", flat=True))


#
# The holiday page: who may use it, and what it refuses
#


def test_holiday_page_lists_a_year_for_readers_and_hides_edit_links(world, client_for):
    response = client_for("secretary").get(reverse("holidays:list"), {"year": 2026})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tết Nguyên đán (mùng 1)" in page
    assert reverse("holidays:create") not in page

    page = client_for("staff").get(reverse("holidays:list"), {"year": 2026}).content.decode()
    assert reverse("holidays:create") in page


@pytest.mark.parametrize("persona", ["leader", "grassroots", "secretary"])
def test_holiday_changes_are_refused_to_everyone_but_staff(world, client_for, persona):
    holiday = Holiday.objects.get(date=d("2026-09-02"))
    client = client_for(persona)

    assert client.post(reverse("holidays:create"), {"date": "2026-12-31", "name": "X", "kind": OFF}).status_code == 403
    assert client.post(reverse("holidays:delete", args=[holiday.pk])).status_code == 403
    assert Holiday.objects.filter(pk=holiday.pk).exists()
    assert not Holiday.objects.filter(date=d("2026-12-31")).exists()


def test_holiday_that_does_not_exist_is_a_404(world, client_for):
    staff = client_for("staff")
    missing = (Holiday.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    assert staff.get(reverse("holidays:edit", args=[missing])).status_code == 404
    assert staff.post(reverse("holidays:delete", args=[missing])).status_code == 404


def form_errors(response) -> str:
    assert response.status_code == 200
    return " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)


def test_holiday_form_refuses_an_impossible_date(world, client_for):
    response = client_for("staff").post(reverse("holidays:create"), {"date": "2026-02-30", "name": "X", "kind": OFF})
    assert "không phải là một ngày có thật" in form_errors(response)  # cells.forms.DateField (#15 item 10)
    assert not Holiday.objects.filter(name="X").exists()


def test_holiday_form_refuses_a_date_already_in_the_calendar(world, client_for):
    response = client_for("staff").post(
        reverse("holidays:create"), {"date": "2026-09-02", "name": "Trùng", "kind": OFF}
    )
    assert "02/09/2026 đã có trong lịch nghỉ" in form_errors(response)
    assert Holiday.objects.filter(date=d("2026-09-02")).count() == 1


def test_holiday_form_refuses_a_make_up_working_day_on_a_weekday(world, client_for):
    response = client_for("staff").post(
        reverse("holidays:create"), {"date": "2026-12-30", "name": "Làm bù", "kind": WORK}
    )
    assert "thứ Bảy hoặc Chủ nhật" in form_errors(response)


def test_holiday_edit_refuses_a_stale_version_and_keeps_the_input(world, client_for):
    holiday = Holiday.objects.get(date=d("2026-09-02"))
    stale = holiday.version
    holiday_services.holiday_update(
        holiday=holiday,
        data={"date": holiday.date, "name": "Quốc khánh (sửa)", "kind": OFF, "source": ""},
        version=stale,
        updated_by=world.personas.staff,
    )

    response = client_for("staff").post(
        reverse("holidays:edit", args=[holiday.pk]),
        {"date": "2026-09-02", "name": "Ngày của tôi", "kind": OFF, "version": stale},
    )

    assert response.status_code == 200
    assert "Ngày của tôi" in response.content.decode()
    holiday.refresh_from_db()
    assert holiday.name == "Quốc khánh (sửa)"


def test_holiday_delete_by_staff_removes_the_day(world, client_for):
    holiday = Holiday.objects.get(date=d("2026-09-02"))
    response = client_for("staff").post(reverse("holidays:delete", args=[holiday.pk]))
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert AuditEntry.objects.filter(action="cells.holiday.deleted").exists()
