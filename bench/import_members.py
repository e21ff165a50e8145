"""Benchmark: preview the import of a 5,000-row roster, and refuse a 100,000-row one.

Runs on a throw-away SQLite database in a temporary directory, never on db.sqlite3:

    .venv/bin/python bench/import_members.py [--rows 5000]

Prints the seconds spent reading the file (parse_workbook) and checking it (import_preview, which parses
again, checks every row and stores the batch). The target is under 30 s for 5,000 rows.
"""

import argparse
import datetime
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Công", "Quang", "Minh", "Thành", "Xuân"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mai", "Thùy", "Phương"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn", "Việt"]
GIVEN_FEMALE = ["Anh", "Châu", "Dung", "Giang", "Hà", "Hoa", "Hương", "Lan", "Linh", "Ngân", "Trang", "Yến"]
JOBS = ["Chuyên viên", "Trưởng phòng", "Phó trưởng phòng", "Kế toán", "Giáo viên", "Kỹ sư", "Cán sự"]
ETHNICITIES = ["Kinh"] * 9 + ["Tày", "Thái", "Mường", "Khmer", "Nùng"]


def configure() -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="chibo-bench-"))
    os.environ["DEBUG"] = "1"
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return workdir


def roster(count: int, cell_code: str, recorded_cards: list[str], rng: random.Random) -> bytes:
    """`count` member rows; the first rows update the recorded members, the rest are new."""
    from openpyxl import Workbook

    from members.importing.services import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đảng viên")
    sheet.append([column.header for column in COLUMNS])
    recorded = {card: name for card, name in recorded_cards}
    cards = list(recorded)
    for index in range(count):
        male = rng.random() < 0.55
        if index < len(cards):
            card = cards[index]
            name = recorded[card]
        else:
            card = f"{rng.randint(1, 99):02d}.{index:06d}"
            middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
            given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
            name = f"{rng.choice(FAMILY)} {middle} {given}"
        born = datetime.date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
        admitted = born.replace(year=born.year + rng.randint(20, 24))
        full = index < len(cards) or rng.random() < 0.85  # the recorded members are full members
        official = admitted.replace(year=admitted.year + 1) if full else None
        if official and official > datetime.date.today():
            official = None
        values = {
            "full_name": name,
            "gender": "Nam" if male else "Nữ",
            # Half the dates as real Excel dates, half as text, as rosters mix them.
            "date_of_birth": born if index % 2 else born.strftime("%d/%m/%Y"),
            "status": "Chính thức" if official else "Dự bị",
            "organization": cell_code,
            "admitted_on": admitted,
            "official_on": official,
            "party_card_no": card,
            "job_title": rng.choice(JOBS),
            "workplace": f"Phòng {rng.randint(1, 12)}",
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
            "ethnicity": rng.choice(ETHNICITIES),
            "is_civil_servant": "Có" if rng.random() < 0.7 else "Không",
            "notes": "",
        }
        sheet.append([values[column.key] for column in COLUMNS])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def names_only(count: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đảng viên")
    sheet.append(["Họ và tên"])
    for index in range(count):
        sheet.append([f"Nguyễn Văn {index}"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--recorded", type=int, default=500, help="members already recorded, updated by the file")
    args = parser.parse_args()
    rng = random.Random(2025)
    workdir = configure()

    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cells.models import Organization
    from cells.services import organization_create
    from members.importing import services as importing
    from members.models import Member

    admin = get_user_model().objects.create_superuser(username="bench", password="x", email="")
    root = organization_create(
        parent=None, name="Đảng ủy Khối", code="DUK", kind=Organization.Kind.UPPER, created_by=admin
    )
    committee = organization_create(
        parent=root, name="Đảng bộ Sở", code="DBS", kind=Organization.Kind.GRASSROOTS_COMMITTEE, created_by=admin
    )
    cell = organization_create(
        parent=committee, name="Chi bộ Văn phòng", code="CB-VP-01", kind=Organization.Kind.CELL, created_by=admin
    )
    recorded = []
    for index in range(args.recorded):
        member = Member(organization=cell, full_name=f"Trần Văn Cũ {index}", status="CHINH_THUC")
        member.party_card_no = f"00.{index:06d}"
        member.refresh_derived()
        recorded.append(member)
    Member.objects.bulk_create(recorded)

    content = roster(args.rows, cell.code, [(m.party_card_no, m.full_name) for m in recorded], rng)
    print(f"file: {args.rows:,} rows, {len(content) / 1024:,.0f} KiB")

    started = time.perf_counter()
    rows = importing.parse_workbook(io.BytesIO(content))
    parsed = time.perf_counter() - started
    print(f"parse_workbook: {parsed:.2f} s ({len(rows):,} rows)")

    started = time.perf_counter()
    batch = importing.import_preview(
        organization=committee,
        uploaded_file=SimpleUploadedFile("roster.xlsx", content),
        user=admin,
    )
    previewed = time.perf_counter() - started
    summary = {key: batch.summary[key] for key in ("total", *importing.OUTCOMES)}
    print(f"import_preview (parse + check + store): {previewed:.2f} s {summary}")

    started = time.perf_counter()
    result = importing.import_confirm(member_import=batch, user=admin, skip_errors=True)
    print(f"import_confirm: {time.perf_counter() - started:.2f} s {result}")

    # 100,000 rows: the full roster is over the size limit, so use names only to reach the row limit.
    for label, huge in (("full columns", roster(100_000, cell.code, [], rng)), ("names only", names_only(100_000))):
        started = time.perf_counter()
        try:
            importing.parse_workbook(io.BytesIO(huge))
        except ValidationError as error:
            seconds = time.perf_counter() - started
            print(
                f"100,000 rows, {label} ({len(huge) / 1024:,.0f} KiB): refused in {seconds:.2f} s: {error.messages[0]}"
            )
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"RESULT preview of {args.rows:,} rows: {previewed:.2f} s (target < 30 s)")


if __name__ == "__main__":
    main()
