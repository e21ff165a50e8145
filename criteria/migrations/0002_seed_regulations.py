"""The regulation bases and parameter sets known at launch (../shared/domain.md §0.1, §4.1, §7.1).

Data, not code: staff edit these in the admin when rules change; new periods get new rows.
"""

import datetime

from django.db import migrations

DOCUMENTS = [
    ("132-QĐ/TW", "QUY_DINH", "Bộ Chính trị", datetime.date(2018, 3, 8),
     "Quy định về việc kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị"),
    ("21-HD/BTCTW", "HUONG_DAN", "Ban Tổ chức Trung ương", datetime.date(2019, 10, 18),
     "Hướng dẫn kiểm điểm và đánh giá, xếp loại chất lượng hằng năm"),
    ("12-HD/BTCTW", "HUONG_DAN", "Ban Tổ chức Trung ương", datetime.date(2018, 7, 6),
     "Hướng dẫn một số vấn đề về nâng cao chất lượng sinh hoạt chi bộ"),
    ("124-QĐ/TW", "QUY_DINH", "Bộ Chính trị", datetime.date(2023, 10, 4),
     "Quy định về kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị"),
    ("25-HD/BTCTW", "HUONG_DAN", "Ban Tổ chức Trung ương", datetime.date(2023, 11, 10),
     "Hướng dẫn kiểm điểm và đánh giá, xếp loại chất lượng hằng năm"),
    ("366-QĐ/TW", "QUY_DINH", "Bộ Chính trị", datetime.date(2025, 8, 30),
     "Quy định về kiểm điểm, đánh giá, xếp loại chất lượng đối với tập thể, cá nhân trong hệ thống chính trị"),
    ("43-HD/BTCTW", "HUONG_DAN", "Ban Tổ chức Trung ương", datetime.date(2025, 10, 31),
     "Hướng dẫn kiểm điểm, đánh giá, xếp loại chất lượng"),
    ("42-HD/BTCTW", "HUONG_DAN", "Ban Tổ chức Trung ương", datetime.date(2025, 10, 28),
     "Hướng dẫn nâng cao chất lượng sinh hoạt chi bộ"),
]

SETS = [
    (
        "QĐ 132-QĐ/TW, HD 21-HD/BTCTW (2018–2022)",
        datetime.date(2018, 1, 1),
        datetime.date(2022, 12, 31),
        ["132-QĐ/TW", "21-HD/BTCTW", "12-HD/BTCTW"],
        {},
        "Quota: HTXSNV members at most 20% of HTTNV members in each grassroots organisation (HD 21).",
    ),
    (
        "QĐ 124-QĐ/TW, HD 25-HD/BTCTW (2023–2024)",
        datetime.date(2023, 1, 1),
        datetime.date(2024, 12, 31),
        ["124-QĐ/TW", "25-HD/BTCTW", "12-HD/BTCTW"],
        {},
        "Quota grouping by comparable role is uncertain (domain.md §4.5).",
    ),
    (
        "QĐ 366-QĐ/TW, HD 43-HD/BTCTW, HD 42-HD/BTCTW (từ 2025)",
        datetime.date(2025, 1, 1),
        None,
        ["366-QĐ/TW", "43-HD/BTCTW", "42-HD/BTCTW"],
        {"score_thresholds": {"HTXSNV": 90, "HTTNV": 70, "HTNV": 50}},
        "100-point scale: 30 general + 70 task results. Quota wording under 366 is uncertain (domain.md §4.5).",
    ),
]


def forwards(apps, schema_editor):
    RegulationDocument = apps.get_model("criteria", "RegulationDocument")
    RuleParameterSet = apps.get_model("criteria", "RuleParameterSet")
    documents = {}
    for number, doc_type, issuer, issued_on, title in DOCUMENTS:
        documents[number], _ = RegulationDocument.objects.get_or_create(
            number=number, defaults={"doc_type": doc_type, "issuer": issuer, "issued_on": issued_on, "title": title}
        )
    for name, valid_from, valid_to, basis, values, notes in SETS:
        parameter_set, created = RuleParameterSet.objects.get_or_create(
            name=name, defaults={"valid_from": valid_from, "valid_to": valid_to, "values": values, "notes": notes}
        )
        if created:
            parameter_set.basis.set([documents[number] for number in basis])


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
