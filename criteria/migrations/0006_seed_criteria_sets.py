"""The criteria sets known at launch (../shared/domain.md §4, §5, §7.6; rules B1, B2, B4, B13, B23, B24).

- Classification frames (XEP_LOAI) for 2018–2022 (QĐ 132), 2023–2024 (QĐ 124) and from 2025 (QĐ 366): a
  100-point frame (30 general + 70 task results) to be adapted, NOT the official text, plus conditions computed
  from the meeting log.
- "Chi bộ kiểu mẫu" (KIEU_MAU), one set per host unit type, worded after seed 000 (Khối CQ&DN Yên Bái, 2022–2025).
- "Chi bộ bốn tốt" (BON_TOT), the four groups of seed 001.

Data, not code: staff copy a set forward and edit the copy on the criteria pages. Idempotent (get_or_create by
name and version 1; an existing set is left as it is); reversing is a no-op.
"""

import datetime
from decimal import Decimal

from django.db import migrations

# Kế hoạch 104-KH/ĐU is named in seed 001 as the basis of the "Chi bộ bốn tốt" pilot.
DOCUMENTS = [
    (
        "104-KH/ĐU",
        "KE_HOACH",
        "Đảng ủy Các cơ quan tỉnh",
        datetime.date(2023, 4, 7),
        "Kế hoạch thực hiện thí điểm mô hình “Chi bộ bốn tốt”",
    ),
]

FRAME_NOTES = (
    "Khung tiêu chí để điều chỉnh, không phải văn bản chính thức. Nội dung và thang điểm từng tiêu chí chưa được "
    "đối chiếu với văn bản gốc ({basis}) và phụ lục khung tiêu chí của tập thể: phải kiểm tra và thống nhất với "
    "Ban Tổ chức trước khi dùng để đánh giá (domain.md §4.3, §4.4, §9). {scale} "
    "Điều kiện theo dữ liệu (mục III) không có điểm, chỉ giới hạn mức xếp loại khi không đạt: thiếu kỳ sinh hoạt "
    "thường kỳ → tối đa Hoàn thành nhiệm vụ; có đảng viên bị kỷ luật → tối đa Hoàn thành tốt nhiệm vụ."
)
SCALE_366 = "Thang điểm 100 (30 điểm tiêu chí chung, 70 điểm kết quả thực hiện nhiệm vụ) theo QĐ 366-QĐ/TW."
SCALE_OLD = (
    "Văn bản của giai đoạn này không quy định thang điểm 100; khung 100 điểm của QĐ 366-QĐ/TW được dùng tạm làm "
    "công cụ chấm, chưa được xác nhận."
)

FRAME_GROUPS = [
    ("I", "Tiêu chí chung", None),
    ("II", "Kết quả thực hiện nhiệm vụ", None),
    ("III", "Điều kiện tính từ dữ liệu sinh hoạt", None),
]

# (code, group, text, kind, max_points, metric, comparator, threshold, hard_condition, cap_grade)
FRAME_CRITERIA = [
    ("1.1", "I", "Công tác chính trị, tư tưởng; học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
     "POINTS", 8, "", "GTE", None, False, ""),
    ("1.2", "I", "Xây dựng tổ chức đảng và đội ngũ đảng viên; thực hiện nguyên tắc tập trung dân chủ, tự phê bình "
     "và phê bình", "POINTS", 8, "", "GTE", None, False, ""),
    ("1.3", "I", "Công tác kiểm tra, giám sát và thi hành kỷ luật đảng; phòng, chống tham nhũng, lãng phí, tiêu cực",
     "POINTS", 7, "", "GTE", None, False, ""),
    ("1.4", "I", "Lãnh đạo công tác dân vận; lãnh đạo chính quyền, Mặt trận Tổ quốc và các đoàn thể chính trị - "
     "xã hội", "POINTS", 7, "", "GTE", None, False, ""),
    ("2.1", "II", "Kết quả lãnh đạo thực hiện nhiệm vụ chính trị, chuyên môn của cơ quan, đơn vị, doanh nghiệp",
     "POINTS", 30, "", "GTE", None, False, ""),
    ("2.2", "II", "Kết quả thực hiện các chỉ tiêu, nhiệm vụ trong nghị quyết, chương trình công tác năm của cấp ủy",
     "POINTS", 20, "", "GTE", None, False, ""),
    ("2.3", "II", "Chất lượng sinh hoạt cấp ủy, sinh hoạt chi bộ", "POINTS", 10, "", "GTE", None, False, ""),
    ("2.4", "II", "Kết quả khắc phục những hạn chế, khuyết điểm đã được chỉ ra", "POINTS", 10, "", "GTE", None, False,
     ""),
    ("3.1", "III", "Duy trì sinh hoạt chi bộ định kỳ đủ 12 kỳ/năm", "METRIC", 0, "meetings_held", "GTE", 12, True,
     "HTNV"),
    ("3.2", "III", "Không có đảng viên bị xử lý kỷ luật trong năm (điều kiện để xếp loại Hoàn thành xuất sắc "
     "nhiệm vụ)", "METRIC", 0, "members_disciplined", "LTE", 0, True, "HTTNV"),
]

FRAMES = [
    ("Khung tiêu chí đánh giá, xếp loại tổ chức đảng (QĐ 366-QĐ/TW)", 2025, None, "366-QĐ/TW", SCALE_366),
    ("Khung tiêu chí đánh giá, xếp loại tổ chức đảng (QĐ 124-QĐ/TW)", 2023, 2024, "124-QĐ/TW", SCALE_OLD),
    ("Khung tiêu chí đánh giá, xếp loại tổ chức đảng (QĐ 132-QĐ/TW)", 2018, 2022, "132-QĐ/TW", SCALE_OLD),
]

#
# Chi bộ kiểu mẫu (seed 000): common criteria (seed + B23), then the criteria of each host unit type.
#

MODEL_CELL_NOTES = (
    "Theo tiêu chí của Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh Yên Bái, giai đoạn 2022–2025 (bài viết nguồn: "
    "seed 000). Văn bản hướng dẫn chính thức của Khối chưa xác định (domain.md §9, câu 5); chưa có thang điểm: "
    "chấm đạt / không đạt, phải đạt tất cả các tiêu chí. Điều kiện đăng ký (xếp loại 2 năm trước) được kiểm tra "
    "khi đăng ký, không nằm trong bộ tiêu chí này."
)

MODEL_CELL_GROUPS = [
    ("I", "Tiêu chí chung", None),
    ("II", "Tiêu chí cụ thể", None),
]

MODEL_CELL_COMMON = [
    ("1.1", "I", "Có quá trình phấn đấu, giữ ổn định, có sự tiêu biểu, vượt trội, là mô hình mẫu về mọi mặt trong "
     "lãnh đạo thực hiện công tác xây dựng Đảng, trong thực hiện nhiệm vụ tại cơ quan, đơn vị, doanh nghiệp",
     "CHECK", 1, "", "GTE", None, False, ""),
    ("1.2", "I", "Hằng năm chi bộ được xếp loại “Hoàn thành tốt nhiệm vụ” trở lên", "CHECK", 1, "", "GTE", None,
     False, ""),
    ("1.3", "I", "Duy trì sinh hoạt chi bộ thường kỳ đủ 12 kỳ/năm", "METRIC", 1, "meetings_held", "GTE", 12, False,
     ""),
    ("1.4", "I", "Sinh hoạt chuyên đề ít nhất mỗi quý một lần", "METRIC", 1, "thematic_quarters", "GTE", 4, False,
     ""),
    ("1.5", "I", "Tỷ lệ đảng viên dự sinh hoạt chi bộ đạt từ 95% trở lên", "METRIC", 1, "attendance_rate", "GTE", 95,
     False, ""),
    ("1.6", "I", "Không có đảng viên bị xử lý kỷ luật trong năm", "METRIC", 1, "members_disciplined", "LTE", 0, True,
     ""),
]

MODEL_CELL_SPECIFIC = {
    "hanh-chinh": [
        "Lãnh đạo xây dựng và tổ chức thực hiện nghiêm túc nội quy, quy chế làm việc, quy chế chi tiêu nội bộ, "
        "Quy chế Dân chủ ở cơ sở",
        "Thực hiện tốt mục tiêu, nhiệm vụ cải cách hành chính, các phong trào thi đua yêu nước",
        "Xây dựng hoặc góp phần xây dựng cơ quan đạt danh hiệu “Cơ quan đạt chuẩn văn hóa” được cấp có thẩm quyền "
        "công nhận",
        "Lãnh đạo cán bộ, đảng viên, công chức và người lao động thực hiện tốt chuẩn mực đạo đức nghề nghiệp, đạo "
        "đức công vụ, nêu cao tinh thần, thái độ phục vụ nhân dân",
        "Trong thi hành công vụ được nhân dân đánh giá mức độ hài lòng đạt 100%",
        "100% đảng viên có trình độ đạt chuẩn khung năng lực theo vị trí việc làm đang đảm nhiệm",
    ],
    "su-nghiep": [
        "Phối hợp chặt chẽ với lãnh đạo đơn vị để lãnh đạo việc xây dựng và tổ chức thực hiện nghiêm túc nội quy, "
        "quy chế làm việc, quy chế chi tiêu nội bộ, Quy chế Dân chủ ở cơ sở",
        "Thực hiện tốt mục tiêu, nhiệm vụ cải cách thủ tục hành chính (đối với những đơn vị có chức năng, nhiệm vụ "
        "giải quyết thủ tục hành chính, cung cấp dịch vụ công)",
        "Thực hiện tốt các phong trào thi đua yêu nước",
        "Xây dựng hoặc góp phần xây dựng đơn vị đạt danh hiệu “Đơn vị đạt chuẩn văn hóa” được cấp có thẩm quyền "
        "công nhận",
        "Lãnh đạo đảng viên, viên chức và người lao động tích cực đổi mới phong cách, lề lối làm việc, chủ động, "
        "sáng tạo, hiệu quả trong thực hiện chức năng, nhiệm vụ",
        "Trong năm, có sáng kiến, cải tiến đem lại hiệu quả được ghi nhận, nhân rộng",
        "Tăng cường hoạt động tự chủ, cải thiện đời sống vật chất, tinh thần của cán bộ, viên chức và người lao "
        "động",
    ],
    "doanh-nghiep": [
        "Phối hợp với lãnh đạo doanh nghiệp để xây dựng và lãnh đạo cán bộ, đảng viên, người lao động thực hiện "
        "nghiêm túc điều lệ, nội quy, quy chế của doanh nghiệp; Quy chế Dân chủ ở cơ sở",
        "Thực hiện tốt các phong trào thi đua yêu nước",
        "Xây dựng hoặc góp phần xây dựng doanh nghiệp đạt danh hiệu “DN đạt chuẩn văn hóa” được cấp có thẩm quyền "
        "công nhận",
        "Bảo đảm hoàn thành toàn bộ các nghĩa vụ theo quy định của Nhà nước",
        # Filled from the member records: new members admitted this year, at least the threshold.
        ("Hằng năm, chi bộ xây dựng kế hoạch và thực hiện hoàn thành chỉ tiêu kết nạp đảng viên mới",
         "admission_target", "GTE", 1),
        "Xây dựng, duy trì hoạt động của các đoàn thể chính trị - xã hội, bảo đảm giữ mối quan hệ chặt chẽ với "
        "lãnh đạo doanh nghiệp và người lao động",
        "Bảo đảm an toàn trong sản xuất, kinh doanh và bảo vệ môi trường, không vi phạm các quy định về an toàn vệ "
        "sinh lao động, phòng, chống cháy nổ",
        "Tích cực đổi mới tổ chức sản xuất, áp dụng tiến bộ khoa học, kỹ thuật vào sản xuất, kinh doanh, tạo việc "
        "làm và thu nhập ổn định cho người lao động",
        "Tích cực tham gia công tác an sinh xã hội, đóng góp cho cộng đồng",
    ],
}

MODEL_CELLS = [
    ("Chi bộ kiểu mẫu – chi bộ trong cơ quan hành chính", ["CO_QUAN_HANH_CHINH"], "hanh-chinh"),
    ("Chi bộ kiểu mẫu – chi bộ trong đơn vị sự nghiệp", ["DON_VI_SU_NGHIEP"], "su-nghiep"),
    ("Chi bộ kiểu mẫu – chi bộ trong doanh nghiệp", ["DOANH_NGHIEP_NHA_NUOC", "DOANH_NGHIEP_KHAC"], "doanh-nghiep"),
]

#
# Chi bộ bốn tốt (seed 001): four groups; B24 — a disciplined member fails groups 2 and 4.
#

FOUR_GOOD_NOTES = (
    "Theo Hướng dẫn của Đảng ủy Các cơ quan tỉnh và Kế hoạch 104-KH/ĐU ngày 7/4/2023 về thí điểm mô hình "
    "“Chi bộ bốn tốt” (bài viết nguồn: seed 001). Chưa có thang điểm: chấm đạt / không đạt. Có đảng viên bị kỷ "
    "luật, có vi phạm bị xử lý kỷ luật hoặc có đơn thư khiếu nại, tố cáo trong năm thì nhóm 2 và nhóm 4 không đạt."
)

FOUR_GOOD_GROUPS = [
    ("1", "Lãnh đạo thực hiện nhiệm vụ chính trị tốt", None),
    ("2", "Đoàn kết, kỷ luật tốt", None),
    ("3", "Chất lượng sinh hoạt tốt", None),
    ("4", "Đảng viên tốt", None),
]

FOUR_GOOD_CRITERIA = [
    ("1.1", "1", "Kết quả lãnh đạo thực hiện chương trình, kế hoạch công tác (nghị quyết) năm của cấp ủy, cơ quan, "
     "đơn vị về công tác xây dựng Đảng, xây dựng hệ thống chính trị, việc thực hiện nhiệm vụ chuyên môn, đảm bảo "
     "quốc phòng - an ninh, việc làm, thu nhập cho người lao động, hoàn thành nghĩa vụ nộp thuế đối với Nhà nước",
     "CHECK", 1, "", "GTE", None, False, ""),
    ("1.2", "1", "Kết quả lãnh đạo cán bộ, đảng viên, công chức, viên chức, người lao động phát huy tính chủ động, "
     "sáng tạo, đổi mới lề lối, tác phong, phương pháp làm việc khoa học, nâng cao hiệu quả công tác, năng suất lao "
     "động", "CHECK", 1, "", "GTE", None, False, ""),
    ("1.3", "1", "Tập thể cấp ủy, người đứng đầu cấp ủy nghiêm túc thực hiện các quy định về trách nhiệm nêu gương, "
     "đề cao vai trò lãnh đạo, chỉ đạo và phối hợp thực hiện hoàn thành tốt nhiệm vụ chính trị; phân công nhiệm vụ "
     "cho tổ đảng, cán bộ, đảng viên; thường xuyên kiểm tra, đôn đốc việc thực hiện nhiệm vụ được giao, đảm bảo "
     "không bỏ sót, tồn đọng công việc", "CHECK", 1, "", "GTE", None, False, ""),
    ("1.4", "1", "Lãnh đạo, chỉ đạo thực hiện đấu tranh ngăn chặn, đẩy lùi những biểu hiện suy thoái về tư tưởng "
     "chính trị, đạo đức, lối sống, “tự diễn biến”, “tự chuyển hóa” trong nội bộ gắn với đẩy mạnh học tập và làm "
     "theo tư tưởng, đạo đức, phong cách Hồ Chí Minh và công tác đấu tranh phòng, chống tham nhũng, tiêu cực, lãng "
     "phí", "CHECK", 1, "", "GTE", None, False, ""),
    ("2.1", "2", "Lãnh đạo, chỉ đạo thực hiện tốt việc chăm lo xây dựng và tăng cường đoàn kết nội bộ; quan tâm "
     "chăm lo đời sống vật chất, tinh thần của cán bộ, đảng viên, quần chúng, người lao động trong cơ quan, đơn vị; "
     "công tâm, dân chủ, khách quan, minh bạch trong chỉ đạo điều hành; cán bộ, đảng viên phối hợp công tác tốt với "
     "đồng chí, đồng nghiệp để trau dồi học hỏi kinh nghiệm, kỹ năng công tác, không ngừng tiến bộ",
     "CHECK", 1, "", "GTE", None, False, ""),
    ("2.2", "2", "Thực hiện nghiêm quy chế làm việc của cấp uỷ, chi bộ; các nguyên tắc tổ chức và sinh hoạt Đảng, "
     "nhất là nguyên tắc tập trung dân chủ, tự phê bình và phê bình; phát huy dân chủ đi đôi với giữ nghiêm kỷ luật, "
     "kỷ cương; tạo sự thống nhất về chính trị, tư tưởng, về ý chí và hành động; thực hiện tốt chế độ tập thể lãnh "
     "đạo, cá nhân phụ trách", "CHECK", 1, "", "GTE", None, False, ""),
    ("2.3", "2", "Cán bộ, đảng viên, nhất là người đứng đầu nêu cao tinh thần gương mẫu, trách nhiệm trong công tác, "
     "tham gia xây dựng Đảng, xây dựng khối đoàn kết nội bộ và bảo vệ chính trị nội bộ; gương mẫu chấp hành nghị "
     "quyết, chỉ thị, quyết định, sự phân công, điều động của tổ chức; thực hiện nền nếp chế độ sinh hoạt đảng, các "
     "nội quy, quy chế, quy định của tổ chức, cơ quan, đơn vị", "CHECK", 1, "", "GTE", None, False, ""),
    ("2.4", "2", "Tổ chức đảng, cơ quan, đơn vị và cá nhân không có đơn thư khiếu nại, tố cáo, không vi phạm pháp "
     "luật, vi phạm quy chế, quy định bị xử lý kỷ luật", "CHECK", 1, "", "GTE", None, True, ""),
    ("2.5", "2", "Không có đảng viên bị xử lý kỷ luật trong năm", "METRIC", 1, "members_disciplined", "LTE", 0, True,
     ""),
    ("3.1", "3", "Duy trì nền nếp sinh hoạt cấp ủy, chi bộ thường kỳ và chuyên đề đảm bảo tính lãnh đạo, tính giáo "
     "dục và tính chiến đấu", "CHECK", 1, "", "GTE", None, False, ""),
    ("3.2", "3", "Sinh hoạt chi bộ thường kỳ đủ 12 kỳ/năm", "METRIC", 1, "meetings_held", "GTE", 12, False, ""),
    ("3.3", "3", "Sinh hoạt chuyên đề ít nhất mỗi quý một lần", "METRIC", 1, "thematic_quarters", "GTE", 4, False, ""),
    ("3.4", "3", "Quan tâm thực hiện đồng bộ các giải pháp nhằm nâng cao chất lượng sinh hoạt cấp ủy, chi bộ, nhất "
     "là tập trung lãnh đạo, chỉ đạo thực hiện công tác tư tưởng, đề cao lý tưởng, mục tiêu cách mạng, ý thức tự phê "
     "bình và phê bình, đạo đức công vụ, trách nhiệm nêu gương của cán bộ, đảng viên; kịp thời nắm bắt tâm tư, "
     "nguyện vọng của cán bộ, đảng viên; tăng cường kiểm tra, giám sát hoạt động của cán bộ, đảng viên trong thực "
     "hiện nhiệm vụ được giao và thực hiện quy định thi hành Điều lệ Đảng", "CHECK", 1, "", "GTE", None, False, ""),
    ("3.5", "3", "Thực hiện tốt Hướng dẫn số 08-HD/ĐU, ngày 23/8/2018 của Đảng ủy Các cơ quan tỉnh về một số vấn đề "
     "về nâng cao chất lượng sinh hoạt chi bộ; nâng cao chất lượng kiểm điểm, tự phê bình và phê bình, nhận diện "
     "biểu hiện suy thoái về tư tưởng, chính trị, đạo đức, lối sống, “tự diễn biến”, “tự chuyển hóa” trong sinh "
     "hoạt cấp ủy, chi bộ", "CHECK", 1, "", "GTE", None, False, ""),
    ("3.6", "3", "Kịp thời biểu dương, khen thưởng đảng viên tiêu biểu trong học tập và làm theo tư tưởng, đạo đức, "
     "phong cách Hồ Chí Minh; đảng viên có ý tưởng, sáng kiến đổi mới, dám nghĩ, dám làm, tích cực tham gia đóng góp "
     "xây dựng chi bộ trong sạch, vững mạnh; xử lý nghiêm, kịp thời những cán bộ, đảng viên vi phạm Điều lệ Đảng, "
     "pháp luật của Nhà nước", "CHECK", 1, "", "GTE", None, False, ""),
    ("4.1", "4", "Đảng viên thực hiện nghiêm túc quyền hạn, trách nhiệm của người đảng viên, thực hiện nghiêm các "
     "quy định về những điều đảng viên không được làm, quy định về trách nhiệm nêu gương của cán bộ, đảng viên",
     "CHECK", 1, "", "GTE", None, False, ""),
    ("4.2", "4", "Không có đảng viên vi phạm đến mức xử lý kỷ luật", "METRIC", 1, "members_disciplined", "LTE", 0,
     True, ""),
    ("4.3", "4", "Mỗi đảng viên trong chi bộ gương mẫu, ý thức trách nhiệm cao, sẵn sàng nhận và hoàn thành tốt mọi "
     "nhiệm vụ được giao; giữ gìn đoàn kết nội bộ; tin tưởng và thực hiện tốt các chủ trương, đường lối, chính sách, "
     "pháp luật của Đảng và Nhà nước; tích cực tham gia xây dựng Đảng", "CHECK", 1, "", "GTE", None, False, ""),
    ("4.4", "4", "Thường xuyên giữ mối liên hệ nơi cư trú", "CHECK", 1, "", "GTE", None, False, ""),
]


def _model_cell_criteria(key: str) -> list[tuple]:
    rows = list(MODEL_CELL_COMMON)
    for number, item in enumerate(MODEL_CELL_SPECIFIC[key], start=1):
        code = f"2.{number}"
        if isinstance(item, tuple):
            text, metric, comparator, threshold = item
            rows.append((code, "II", text, "METRIC", 1, metric, comparator, threshold, False, ""))
        else:
            rows.append((code, "II", item, "CHECK", 1, "", "GTE", None, False, ""))
    return rows


def _sets() -> list[dict]:
    sets = []
    for name, year_from, year_to, basis, scale in FRAMES:
        sets.append(
            {
                "name": name,
                "programme": "XEP_LOAI",
                "unit_types": [],
                "year_from": year_from,
                "year_to": year_to,
                "scoring_mode": "POINTS",
                "basis": basis,
                "notes": FRAME_NOTES.format(basis=basis, scale=scale),
                "groups": FRAME_GROUPS,
                "criteria": FRAME_CRITERIA,
            }
        )
    for name, unit_types, key in MODEL_CELLS:
        sets.append(
            {
                "name": name,
                "programme": "KIEU_MAU",
                "unit_types": unit_types,
                "year_from": 2022,
                "year_to": 2025,
                "scoring_mode": "CHECKLIST",
                "basis": None,
                "notes": MODEL_CELL_NOTES,
                "groups": MODEL_CELL_GROUPS,
                "criteria": _model_cell_criteria(key),
            }
        )
    sets.append(
        {
            "name": "Chi bộ bốn tốt",
            "programme": "BON_TOT",
            "unit_types": [],
            "year_from": 2023,
            "year_to": None,
            "scoring_mode": "CHECKLIST",
            "basis": "104-KH/ĐU",
            "notes": FOUR_GOOD_NOTES,
            "groups": FOUR_GOOD_GROUPS,
            "criteria": FOUR_GOOD_CRITERIA,
        }
    )
    return sets


def forwards(apps, schema_editor):
    RegulationDocument = apps.get_model("criteria", "RegulationDocument")
    CriteriaSet = apps.get_model("criteria", "CriteriaSet")
    CriterionGroup = apps.get_model("criteria", "CriterionGroup")
    Criterion = apps.get_model("criteria", "Criterion")

    for number, doc_type, issuer, issued_on, title in DOCUMENTS:
        RegulationDocument.objects.get_or_create(
            number=number, defaults={"doc_type": doc_type, "issuer": issuer, "issued_on": issued_on, "title": title}
        )

    for spec in _sets():
        basis = RegulationDocument.objects.filter(number=spec["basis"]).first() if spec["basis"] else None
        criteria_set, created = CriteriaSet.objects.get_or_create(
            name=spec["name"],
            version=1,
            defaults={
                "programme": spec["programme"],
                "unit_types": spec["unit_types"],
                "org_kinds": [],
                "year_from": spec["year_from"],
                "year_to": spec["year_to"],
                "scoring_mode": spec["scoring_mode"],
                "basis": basis,
                "notes": spec["notes"],
            },
        )
        if not created:
            continue  # staff may have edited it: leave it alone
        groups = {}
        for order, (code, title, parent) in enumerate(spec["groups"]):
            groups[code] = CriterionGroup.objects.create(
                criteria_set=criteria_set, parent=groups.get(parent), code=code, title=title, order=order
            )
        for order, row in enumerate(spec["criteria"]):
            code, group, text, kind, points, metric, comparator, threshold, hard, cap = row
            Criterion.objects.create(
                criteria_set=criteria_set,
                group=groups[group],
                code=code,
                text=text,
                kind=kind,
                max_points=Decimal(points),
                metric=metric,
                comparator=comparator,
                threshold=Decimal(threshold) if threshold is not None else None,
                hard_condition=hard,
                cap_grade=cap,
                order=order,
            )


class Migration(migrations.Migration):
    dependencies = [("criteria", "0005_criteria_sets")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
