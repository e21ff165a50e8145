"""The holiday calendar as first shipped (2024–2027): the data that migration 0007_seed_holidays writes into
cells.Holiday, and a query-free calendar of it for code that must not query (the demo planner, demo/build.py).
The committee checks and edits the rows in the database on the holiday page (/holidays/); this list is not read
again once the database is migrated, except by the demo.

Where the dates come from:
- Bộ luật Lao động 2019, Điều 112 (and Nghị định 145/2020/NĐ-CP, Điều 52): Tết Dương lịch 1/1; Tết Âm lịch 5 days;
  Giỗ Tổ Hùng Vương 10/3 âm lịch; Chiến thắng 30/4; Quốc tế lao động 1/5; Quốc khánh 2/9 plus one adjacent day
  (before or after, chosen each year by the Prime Minister). Điều 111(3): a holiday on a weekly rest day gives a
  compensatory day off on the next working day.
- The yearly announcements for cán bộ, công chức, viên chức (Bộ Lao động – Thương binh và Xã hội up to 2025, Bộ Nội
  vụ from 2025), which set the Tết days and swap working days ("hoán đổi ngày làm việc", with a Saturday worked:
  ngày làm bù). The rows below are written from memory of those announcements, not copied from the documents: each
  row's `source` says so and the committee must check them against the announcement. Lunar dates (Tết, Giỗ Tổ)
  were computed with the Vietnamese lunar calendar (UTC+7).
- 2027 is not announced yet: its rows are the Labour Code days with the usual compensatory days, marked "dự kiến".
Only weekdays off matter to working-day deadlines (Saturday and Sunday are never working days unless listed as
ngày làm bù); a holiday falling on a weekend is listed too when it gives a compensatory day, so that the calendar
reads like the announcement.
"""

import datetime

from cells.calendar import WorkingCalendar

OFF, WORK = "NGHI", "LAM_BU"  # cells.Holiday.Kind values
LAW = "BLLĐ 2019 Điều 112"
CHECK = "cần đối chiếu thông báo"

SEED = [
    # 2024: Tết Giáp Thìn, mùng 1 = 10/02/2024 (Saturday): off 08/02–14/02.
    ("2024-01-01", "Tết Dương lịch", OFF, LAW),
    ("2024-02-08", "Tết Nguyên đán (29 tháng Chạp)", OFF, f"Lịch nghỉ Tết 2024 cho CB, CC, VC; {CHECK}"),
    ("2024-02-09", "Tết Nguyên đán (30 tháng Chạp)", OFF, f"Lịch nghỉ Tết 2024 cho CB, CC, VC; {CHECK}"),
    ("2024-02-12", "Tết Nguyên đán (mùng 3)", OFF, f"Lịch nghỉ Tết 2024 cho CB, CC, VC; {CHECK}"),
    ("2024-02-13", "Tết Nguyên đán (mùng 4)", OFF, f"Lịch nghỉ Tết 2024 cho CB, CC, VC; {CHECK}"),
    ("2024-02-14", "Tết Nguyên đán (mùng 5)", OFF, f"Lịch nghỉ Tết 2024 cho CB, CC, VC; {CHECK}"),
    ("2024-04-18", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", OFF, LAW),
    ("2024-04-29", "Nghỉ hoán đổi (dịp 30/4–1/5)", OFF, f"Hoán đổi ngày làm việc 2024; {CHECK}"),
    ("2024-04-30", "Ngày Chiến thắng 30/4", OFF, LAW),
    ("2024-05-01", "Ngày Quốc tế lao động 1/5", OFF, LAW),
    ("2024-05-04", "Làm bù cho thứ Hai 29/4", WORK, f"Hoán đổi ngày làm việc 2024; {CHECK}"),
    ("2024-09-02", "Quốc khánh 2/9", OFF, LAW),
    ("2024-09-03", "Quốc khánh (ngày liền kề)", OFF, f"{LAW}; lịch nghỉ 2024, {CHECK}"),
    # 2025: Tết Ất Tỵ, mùng 1 = 29/01/2025 (Wednesday): off 25/01–02/02.
    ("2025-01-01", "Tết Dương lịch", OFF, LAW),
    ("2025-01-27", "Nghỉ hoán đổi (dịp Tết Nguyên đán)", OFF, f"Lịch nghỉ Tết 2025 cho CB, CC, VC; {CHECK}"),
    ("2025-01-28", "Tết Nguyên đán (29 tháng Chạp)", OFF, f"Lịch nghỉ Tết 2025 cho CB, CC, VC; {CHECK}"),
    ("2025-01-29", "Tết Nguyên đán (mùng 1)", OFF, LAW),
    ("2025-01-30", "Tết Nguyên đán (mùng 2)", OFF, LAW),
    ("2025-01-31", "Tết Nguyên đán (mùng 3)", OFF, LAW),
    ("2025-02-08", "Làm bù cho thứ Hai 27/01", WORK, f"Lịch nghỉ Tết 2025 cho CB, CC, VC; {CHECK}"),
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", OFF, LAW),
    ("2025-04-26", "Làm bù cho thứ Sáu 02/5", WORK, f"Hoán đổi ngày làm việc 2025; {CHECK}"),
    ("2025-04-30", "Ngày Chiến thắng 30/4", OFF, LAW),
    ("2025-05-01", "Ngày Quốc tế lao động 1/5", OFF, LAW),
    ("2025-05-02", "Nghỉ hoán đổi (dịp 30/4–1/5)", OFF, f"Hoán đổi ngày làm việc 2025; {CHECK}"),
    ("2025-09-01", "Quốc khánh (ngày liền kề)", OFF, f"{LAW}; lịch nghỉ 2025, {CHECK}"),
    ("2025-09-02", "Quốc khánh 2/9", OFF, LAW),
    # 2026: Tết Bính Ngọ, mùng 1 = 17/02/2026 (Tuesday): off 14/02–22/02.
    ("2026-01-01", "Tết Dương lịch", OFF, LAW),
    ("2026-01-02", "Nghỉ hoán đổi (dịp Tết Dương lịch)", OFF, f"Hoán đổi ngày làm việc 2026; {CHECK}"),
    ("2026-01-10", "Làm bù cho thứ Sáu 02/01", WORK, f"Hoán đổi ngày làm việc 2026; {CHECK}"),
    ("2026-02-16", "Tết Nguyên đán (29 tháng Chạp)", OFF, f"Lịch nghỉ Tết 2026 cho CB, CC, VC; {CHECK}"),
    ("2026-02-17", "Tết Nguyên đán (mùng 1)", OFF, LAW),
    ("2026-02-18", "Tết Nguyên đán (mùng 2)", OFF, LAW),
    ("2026-02-19", "Tết Nguyên đán (mùng 3)", OFF, LAW),
    ("2026-02-20", "Tết Nguyên đán (mùng 4)", OFF, LAW),
    ("2026-04-26", "Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật)", OFF, LAW),
    ("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch là Chủ nhật 26/4)", OFF, "BLLĐ 2019 Điều 111, 112"),
    ("2026-04-30", "Ngày Chiến thắng 30/4", OFF, LAW),
    ("2026-05-01", "Ngày Quốc tế lao động 1/5", OFF, LAW),
    ("2026-09-01", "Quốc khánh (ngày liền kề)", OFF, f"{LAW}; lịch nghỉ 2026, {CHECK}"),
    ("2026-09-02", "Quốc khánh 2/9", OFF, LAW),
    # 2027 (dự kiến): Tết Đinh Mùi, mùng 1 = 06/02/2027 (Saturday); 29 tháng Chạp = 05/02; mùng 1–2 on the weekend give
    # compensatory days 10/02 and 11/02. 1/5/2027 is a Saturday: compensatory Monday 03/5.
    ("2027-01-01", "Tết Dương lịch", OFF, LAW),
    ("2027-02-05", "Tết Nguyên đán (29 tháng Chạp) — dự kiến", OFF, f"{LAW}; chưa có thông báo"),
    ("2027-02-06", "Tết Nguyên đán (mùng 1, thứ Bảy)", OFF, LAW),
    ("2027-02-07", "Tết Nguyên đán (mùng 2, Chủ nhật)", OFF, LAW),
    ("2027-02-08", "Tết Nguyên đán (mùng 3) — dự kiến", OFF, f"{LAW}; chưa có thông báo"),
    ("2027-02-09", "Tết Nguyên đán (mùng 4) — dự kiến", OFF, f"{LAW}; chưa có thông báo"),
    ("2027-02-10", "Nghỉ bù Tết Nguyên đán — dự kiến", OFF, "BLLĐ 2019 Điều 111; chưa có thông báo"),
    ("2027-02-11", "Nghỉ bù Tết Nguyên đán — dự kiến", OFF, "BLLĐ 2019 Điều 111; chưa có thông báo"),
    ("2027-04-16", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", OFF, LAW),
    ("2027-04-30", "Ngày Chiến thắng 30/4", OFF, LAW),
    ("2027-05-01", "Ngày Quốc tế lao động 1/5 (thứ Bảy)", OFF, LAW),
    ("2027-05-03", "Nghỉ bù Ngày Quốc tế lao động (1/5 là thứ Bảy) — dự kiến", OFF, "BLLĐ 2019 Điều 111, 112"),
    ("2027-09-02", "Quốc khánh 2/9", OFF, LAW),
    ("2027-09-03", "Quốc khánh (ngày liền kề) — dự kiến", OFF, f"{LAW}; chưa có thông báo"),
]


def seeded_calendar() -> WorkingCalendar:
    """The shipped calendar, without reading the database (what a freshly migrated database holds)."""
    return WorkingCalendar(
        start=datetime.date.min,
        end=datetime.date.max,
        days_off={datetime.date.fromisoformat(day) for day, _name, kind, _source in SEED if kind == OFF},
        days_worked={datetime.date.fromisoformat(day) for day, _name, kind, _source in SEED if kind == WORK},
    )
