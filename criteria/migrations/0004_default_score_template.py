"""The default meeting score sheet (domain.md §3.6: 100 points in four sections, as in the Phú Thọ sheet;
levels Tốt ≥ 90, Khá 70–<90, Trung bình 50–<70, Kém < 50). Data, not code: staff add new versions in the admin."""

import datetime
from decimal import Decimal

from django.db import migrations

ITEMS = [
    ("Công tác chuẩn bị", "CB1", "Chi ủy (bí thư) họp thống nhất nội dung trước buổi sinh hoạt", 5, "preparation", False),
    ("Công tác chuẩn bị", "CB2", "Tài liệu sinh hoạt gửi đến đảng viên trước ít nhất 1 ngày", 5, "documents", False),
    ("Công tác chuẩn bị", "CB3", "Nội dung đúng hướng dẫn của cấp trên; có dự thảo nghị quyết hoặc kết luận", 5, "", False),
    ("Tỷ lệ đảng viên dự sinh hoạt", "TL1",
     "Tỷ lệ đảng viên dự đạt trên 85%, không có đảng viên vắng mặt không có lý do", 20, "attendance", True),
    ("Tổ chức sinh hoạt", "TC1",
     "Thời lượng sinh hoạt đạt yêu cầu (ít nhất 90 phút; 120 phút khi kết hợp chuyên đề)", 10, "duration", True),
    ("Tổ chức sinh hoạt", "TC2", "Bắt đầu đúng giờ, đúng trình tự; nội dung đầy đủ", 10, "", False),
    ("Tổ chức sinh hoạt", "TC3", "Nhiều đảng viên tham gia ý kiến, phát huy dân chủ", 10, "", True),
    ("Tổ chức sinh hoạt", "TC4", "Có tự phê bình và phê bình; biểu dương, nhắc nhở đảng viên kịp thời", 10, "", False),
    ("Tổ chức sinh hoạt", "TC5", "Bảo đảm nguyên tắc tổ chức và sinh hoạt đảng", 5, "", False),
    ("Kết thúc hội nghị", "KT1", "Kết luận hoặc nghị quyết rõ ràng, được biểu quyết thông qua", 10, "", False),
    ("Kết thúc hội nghị", "KT2", "Biên bản được ghi chép đầy đủ", 10, "minutes", True),
]


def forwards(apps, schema_editor):
    Template = apps.get_model("criteria", "MeetingScoreTemplate")
    Item = apps.get_model("criteria", "MeetingScoreItem")
    Document = apps.get_model("criteria", "RegulationDocument")
    template, created = Template.objects.get_or_create(
        name="Bảng điểm sinh hoạt chi bộ thường kỳ (mặc định, 100 điểm)",
        defaults={
            "valid_from": datetime.date(2018, 7, 6),
            "levels": {"TOT": 90, "KHA": 70, "TRUNG_BINH": 50},
        },
    )
    if not created:
        return
    template.basis.set(Document.objects.filter(number__in=["12-HD/BTCTW", "42-HD/BTCTW"]))
    for order, (section, code, text, points, auto_key, required) in enumerate(ITEMS):
        Item.objects.create(
            template=template,
            section=section,
            code=code,
            text=text,
            max_points=Decimal(points),
            auto_key=auto_key,
            required_for_top=required,
            order=order,
        )


class Migration(migrations.Migration):
    dependencies = [("criteria", "0003_meetingscoretemplate_meetingscoreitem")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
