"""The rule book as data: every business rule (B1–B26) and product decision (D1–D10) of domain.md §8 / §8.1.

Each entry says what the rule requires (in Vietnamese: the texts are product data the committee reads, not UI
chrome), which parameters of `RuleParameterSet.DEFAULTS` it reads, the documents it rests on, how certain it is and
where the app applies it. The rule book page (/rules/) shows it with the parameter values in force for a chosen
year; tests/criteria/test_rulebook.py checks that every rule is here, every parameter named exists and no
parameter is orphaned.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Certainty(models.TextChoices):
    # A document (or a seed article) states the rule and its numbers.
    SOURCED = "SOURCED", _("Sourced")
    # The sources are partial, old or disputed: the app applies the rule as written here, and says so.
    UNCERTAIN = "UNCERTAIN", _("Uncertain")
    # The sources are silent: the product decided (domain.md §8.1, D1–D10).
    DECIDED = "DECIDED", _("Decided by the product")
    # No source for the value: the committee sets it (RuleParameterSet.COMMITTEE_SET).
    COMMITTEE = "COMMITTEE", _("Set by the committee")


class Group(models.TextChoices):
    MEETINGS = "MEETINGS", _("Cell meetings")
    MEMBERS = "MEMBERS", _("Members and organisations")
    REVIEW = "REVIEW", _("Yearly review")
    PROGRAMMES = "PROGRAMMES", _("Model programmes")
    REPORTS = "REPORTS", _("Reports")
    DECISIONS = "DECISIONS", _("Decisions on open questions (D1–D10)")


@dataclass(frozen=True)
class Place:
    """A page where the app applies a rule: its label, a URL name that needs no argument, and what to look for."""

    label: str
    url_name: str
    note: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    group: str
    title: str
    text: str
    certainty: str
    parameters: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # RegulationDocument.number of the documents behind it
    sources: tuple[str, ...] = ()  # other sources: the Party Charter, the seed articles, provincial practice
    doubt: str = ""  # what is uncertain, shown beside the rule
    related: tuple[str, ...] = ()
    places: tuple[Place, ...] = field(default=())

    @property
    def is_decision(self) -> bool:
        return self.code.startswith("D")

    @property
    def certainty_label(self) -> str:
        return Certainty(self.certainty).label


# Pages (URL names without arguments; the note says where on the page, or which page it leads to).
COMPLIANCE = Place(_("Meeting compliance"), "meetings:compliance")
MEETINGS = Place(_("Meetings"), "meetings:list", "từng cuộc sinh hoạt: biên bản, chốt biên bản, phiếu chấm điểm")
FLAGGED = Place(_("Members to follow up"), "meetings:flagged")
DASHBOARD = Place(_("Evaluation dashboard"), "dashboard:index")
HOME = Place(_("Home"), "home", "các chỉ số của khối")
REVIEW = Place(_("Yearly review"), "evaluations:index", "tự đánh giá, thẩm định, quyết định, khóa kỳ đánh giá")
RATINGS = Place(_("Yearly review"), "evaluations:index", "bảng xếp loại đảng viên của từng tổ chức cơ sở đảng")
MEMBERS = Place(_("Party members"), "members:list", "hồ sơ đảng viên")
TREE = Place(_("Organisations"), "cells:tree", "trang của từng tổ chức đảng")
PROGRAMMES = Place(_("Model cells"), "programmes:index")
CRITERIA = Place(_("Criteria sets"), "criteria:list")
REPORTS = Place(_("Reports"), "reports:index", "báo cáo năm")
NOTIFICATIONS = Place(_("Notifications"), "notifications:list")
PAST_RESULTS = Place(_("Past results"), "pastresults:index")
MASS_MOBILISATION = Place(_("Skilled mass mobilisation"), "massmobilisation:index", "sổ theo dõi mô hình theo năm")
HOLIDAYS = Place(_("Holidays"), "holidays:list", "ngày nghỉ lễ, Tết không tính vào hạn theo ngày làm việc")

G = Group
C = Certainty

RULES: tuple[Rule, ...] = (
    #
    # Cell meetings
    #
    Rule(
        "B1",
        G.MEETINGS,
        "Sinh hoạt đủ 12 kỳ mỗi năm",
        "Mỗi chi bộ có ít nhất một cuộc sinh hoạt thường kỳ (hoặc kết hợp thường kỳ và chuyên đề) trong mỗi tháng "
        "dương lịch; liệt kê các tháng thiếu. Chỉ tiêu của khối: tỷ lệ chi bộ sinh hoạt đủ 12 kỳ/năm (năm 2023: 80%). "
        "Cách tính tháng theo quyết định D6.",
        C.SOURCED,
        parameters=("late_grace_days",),
        sources=("Điều lệ Đảng, Điều 24", "Bài báo nguồn 004 (Khối CQ&DN tỉnh Yên Bái, 9/10/2023)"),
        related=("D6", "B26"),
        places=(COMPLIANCE, DASHBOARD, HOME, REPORTS),
    ),
    Rule(
        "B2",
        G.MEETINGS,
        "Sinh hoạt chuyên đề mỗi quý",
        "Mỗi quý có ít nhất một cuộc sinh hoạt chuyên đề hoặc kết hợp. Sinh hoạt chuyên đề không thay cho sinh hoạt "
        "thường kỳ của tháng, trừ khi họp kết hợp trong một buổi.",
        C.SOURCED,
        parameters=("late_grace_days",),
        documents=("42-HD/BTCTW",),
        sources=("Bài báo nguồn 004",),
        related=("D6",),
        places=(COMPLIANCE, MEETINGS, REPORTS),
    ),
    Rule(
        "B3",
        G.MEETINGS,
        "Thời lượng sinh hoạt",
        "Một cuộc sinh hoạt kéo dài ít nhất 90 phút (120 phút khi sinh hoạt thường kỳ và chuyên đề kết hợp trong một "
        "buổi). Chi bộ ít đảng viên: cấp ủy có thẩm quyền quy định riêng. Cuộc họp ngắn hơn vẫn được chốt (D7).",
        C.SOURCED,
        parameters=(
            "min_meeting_minutes",
            "min_combined_meeting_minutes",
            "small_cell_max_members",
            "small_cell_min_meeting_minutes",
        ),
        documents=("12-HD/BTCTW", "42-HD/BTCTW"),
        related=("D7",),
        places=(MEETINGS, COMPLIANCE),
    ),
    Rule(
        "B4",
        G.MEETINGS,
        "Tỷ lệ đảng viên dự sinh hoạt",
        "Cuộc sinh hoạt đạt tiêu chí dự họp của HD 12 khi số đảng viên có mặt trên số phải dự lớn hơn 85% và không "
        "có đảng viên vắng mặt không lý do. Riêng chỉ tiêu tỷ lệ dự họp của khối là một tham số (năm 2023 khối đạt "
        "95%, đó là kết quả chứ không phải chỉ tiêu được giao).",
        C.SOURCED,
        parameters=("quality_attendance_pct", "kpi_attendance_pct"),
        documents=("12-HD/BTCTW",),
        sources=("Bài báo nguồn 004",),
        doubt="Chưa rõ HD 42-HD/BTCTW (2025) có giữ ngưỡng 85% hay không; ngưỡng được lưu là tham số.",
        related=("B26",),
        places=(MEETINGS, COMPLIANCE, DASHBOARD),
    ),
    Rule(
        "B5",
        G.MEETINGS,
        "Vắng mặt nhiều lần",
        "Đánh dấu đảng viên vắng có lý do quá 3 lần liên tiếp trong năm; đánh dấu vắng không lý do; đánh dấu "
        "đảng viên vắng không lý do trong các cuộc sinh hoạt của 3 tháng trong năm để chi bộ xem xét xóa tên (D8).",
        C.UNCERTAIN,
        parameters=("max_consecutive_excused_absences", "unexcused_absence_months_for_removal_review"),
        documents=("12-HD/BTCTW",),
        sources=("Điều lệ Đảng, Điều 8 (xóa tên)",),
        doubt="Lời văn của quy định xóa tên (khoảng 3 tháng không sinh hoạt) chưa được đối chiếu với văn bản gốc; "
        "phần mềm chỉ nhắc chi bộ xem xét, không tự đổi tình trạng đảng viên.",
        related=("D8",),
        places=(FLAGGED, MEETINGS),
    ),
    Rule(
        "B6",
        G.MEETINGS,
        "Biên bản đầy đủ",
        "Không chốt được biên bản khi thiếu: ngày, giờ bắt đầu và kết thúc, chủ trì, thư ký, điểm danh từng đảng "
        "viên kèm lý do vắng, nội dung, kết luận hoặc nghị quyết, kết quả biểu quyết.",
        C.SOURCED,
        documents=("12-HD/BTCTW",),
        sources=("Mẫu biên bản sinh hoạt chi bộ thông dụng",),
        places=(MEETINGS,),
    ),
    Rule(
        "B7",
        G.MEETINGS,
        "Quyền biểu quyết",
        "Số phiếu biểu quyết không vượt quá số đảng viên chính thức có mặt (đảng viên dự bị không biểu quyết).",
        C.SOURCED,
        sources=("Điều lệ Đảng, Điều 3",),
        places=(MEETINGS,),
    ),
    Rule(
        "B8",
        G.MEETINGS,
        "Chuẩn bị sinh hoạt",
        "Chi ủy họp chuẩn bị không muộn hơn ngày sinh hoạt; tài liệu đưa lên Sổ tay đảng viên điện tử ít nhất 1 ngày "
        "trước ngày sinh hoạt (nếu chi bộ dùng sổ tay điện tử).",
        C.SOURCED,
        documents=("12-HD/BTCTW", "42-HD/BTCTW"),
        places=(MEETINGS,),
    ),
    Rule(
        "B9",
        G.MEETINGS,
        "Xếp loại chất lượng sinh hoạt",
        "Mỗi cuộc sinh hoạt được chấm điểm: Tốt từ 90 điểm (phải đạt điểm tối đa các mục dự họp, thời lượng, phát "
        "biểu, biên bản), Khá từ 70 đến dưới 90, Trung bình từ 50 đến dưới 70, Kém dưới 50. Cả năm đạt Tốt khi mọi "
        "cuộc sinh hoạt thường kỳ đạt Khá trở lên và ít nhất 7 cuộc đạt Tốt; các mức cả năm dưới Tốt theo D2.",
        C.UNCERTAIN,
        parameters=("yearly_good_min_meetings", "yearly_fair_lowest_meeting_rating"),
        sources=("Thực tiễn cấp tỉnh (Bình Thuận, Phú Thọ); phiếu chấm điểm lưu là dữ liệu",),
        doubt="Không phải quy định của Trung ương; thang điểm của khối chưa được xác nhận. Các mức cả năm dưới Tốt "
        "không có nguồn: do cấp ủy quy định (D2).",
        related=("D2",),
        places=(MEETINGS, COMPLIANCE),
    ),
    #
    # Yearly review
    #
    Rule(
        "B10",
        G.REVIEW,
        "Các mức xếp loại",
        "Kết quả xếp loại là một trong bốn mức: Hoàn thành xuất sắc nhiệm vụ (HTXSNV), Hoàn thành tốt nhiệm vụ "
        "(HTTNV), Hoàn thành nhiệm vụ (HTNV), Không hoàn thành nhiệm vụ (KHTNV); hoặc không xếp loại, có ghi lý do.",
        C.SOURCED,
        documents=("124-QĐ/TW", "366-QĐ/TW"),
        places=(REVIEW, RATINGS, PAST_RESULTS),
    ),
    Rule(
        "B11",
        G.REVIEW,
        "Ngưỡng điểm (từ năm 2025)",
        "Khi chấm điểm: từ 90 điểm được xét HTXSNV; từ 70 đến dưới 90: HTTNV; từ 50 đến dưới 70: HTNV; dưới 50: KHTNV. "
        "Kèm điều kiện: hoàn thành 100% nhiệm vụ; HTXSNV cần ít nhất 30% nhiệm vụ vượt yêu cầu; tập thể HTNV có không "
        "quá 20% nhiệm vụ chậm tiến độ.",
        C.SOURCED,
        parameters=("score_thresholds", "htxs_min_tasks_exceeded_pct", "htnv_max_tasks_late_pct"),
        documents=("366-QĐ/TW",),
        sources=("QĐ 366-QĐ/TW, Điều 11",),
        places=(REVIEW,),
    ),
    Rule(
        "B12",
        G.REVIEW,
        "Tỷ lệ Hoàn thành xuất sắc nhiệm vụ",
        "Trong mỗi tổ chức cơ sở đảng, số đảng viên HTXSNV không vượt quá 20% số đảng viên HTTNV; kiểm tra tương tự "
        "với các tổ chức đảng trực thuộc. Vượt tỷ lệ chỉ được khi có trường hợp đặc biệt, ghi rõ lý do và cấp quyết "
        "định. Cách áp dụng theo D3.",
        C.UNCERTAIN,
        parameters=("htxs_quota_pct_of_htt",),
        documents=("21-HD/BTCTW", "124-QĐ/TW", "366-QĐ/TW"),
        doubt='Cách chia nhóm theo QĐ 124 ("nhóm đối tượng có vai trò, chức năng, nhiệm vụ tương đồng") và lời văn '
        "về tỷ lệ trong QĐ 366/HD 43 chưa được đối chiếu; phần mềm áp dụng 20% số HTTNV trong từng tổ chức cơ sở "
        "đảng (D3).",
        related=("D3",),
        places=(RATINGS, DASHBOARD, REVIEW),
    ),
    Rule(
        "B13",
        G.REVIEW,
        "Giới hạn mức khi bị kỷ luật",
        "Đảng viên bị kỷ luật trong năm: xếp loại cao nhất là KHTNV (QĐ 124: trừ trường hợp tự phát hiện và khắc "
        "phục). Tập thể: tập thể lãnh đạo bị kỷ luật, thành viên tập thể lãnh đạo bị kỷ luật từ cảnh cáo trở lên "
        "(HD 21) hoặc hơn 20% tổ chức trực thuộc bị kỷ luật thì KHTNV; tập thể HTXSNV (QĐ 366) không có tổ chức trực "
        "thuộc hay thành viên tập thể lãnh đạo nào bị kỷ luật.",
        C.SOURCED,
        parameters=("khtnv_disciplined_units_pct", "leadership_discipline_khtnv_min_form"),
        documents=("124-QĐ/TW", "366-QĐ/TW", "21-HD/BTCTW"),
        related=("D5",),
        places=(REVIEW, RATINGS, MEMBERS, REPORTS),
    ),
    Rule(
        "B14",
        G.REVIEW,
        "Không xếp loại",
        "Đảng viên mới kết nạp dưới 6 tháng: không xếp loại (vẫn kiểm điểm); đảng viên được miễn công tác và sinh "
        "hoạt đảng hoặc bị đình chỉ sinh hoạt: không đánh giá; tổ chức đảng mới thành lập dưới 6 tháng: không xếp "
        "loại.",
        C.UNCERTAIN,
        parameters=("new_member_min_months", "org_min_months_for_classification"),
        documents=("21-HD/BTCTW",),
        doubt="Quy định của HD 21 (2019); chưa rõ HD 25 (2023) và HD 43 (2025) còn giữ hay không.",
        related=("D1",),
        places=(RATINGS, REVIEW, MEMBERS),
    ),
    Rule(
        "B15",
        G.REVIEW,
        "Nghỉ ốm, nghỉ thai sản",
        "Đảng viên nghỉ ốm tổng cộng từ 3 tháng trở lên trong năm: không xếp loại HTTNV trở lên (cao nhất HTNV); "
        "đảng viên nghỉ thai sản: đánh giá theo thời gian thực tế công tác.",
        C.UNCERTAIN,
        parameters=("sick_leave_cap_months",),
        documents=("21-HD/BTCTW",),
        doubt="Quy định của HD 21 (2019); chưa rõ văn bản hiện hành có giữ nguyên hay không.",
        places=(RATINGS, MEMBERS),
    ),
    Rule(
        "B16",
        G.REVIEW,
        "Thống nhất với xếp loại cán bộ, công chức, viên chức",
        "Đảng viên là cán bộ, công chức, viên chức chưa được xếp loại HTXSNV ở cơ quan thì không được xếp loại "
        "HTXSNV là đảng viên; là KHTNV ở cơ quan thì đảng viên cũng KHTNV.",
        C.SOURCED,
        documents=("21-HD/BTCTW",),
        places=(RATINGS, MEMBERS),
    ),
    Rule(
        "B17",
        G.REVIEW,
        "Chi bộ có nhiều đảng viên KHTNV",
        'Cảnh báo khi hơn một nửa số đảng viên của chi bộ xếp loại KHTNV (quy định cũ về chi bộ "yếu kém"; chỉ để '
        "tham khảo, không tự đổi xếp loại).",
        C.SOURCED,
        parameters=("khtnv_members_warning_pct",),
        sources=("HD 27-HD/BTCTW (2014), đã hết hiệu lực",),
        places=(RATINGS, REVIEW),
    ),
    #
    # Members and organisations
    #
    Rule(
        "B18",
        G.MEMBERS,
        "Thời kỳ dự bị",
        "Nhắc chi bộ khi sắp hết 12 tháng dự bị kể từ ngày kết nạp; đảng viên dự bị quá 12 tháng mà chưa có quyết "
        "định công nhận là quá hạn.",
        C.SOURCED,
        parameters=("probation_months", "probation_alert_days"),
        sources=("Điều lệ Đảng, Điều 5",),
        related=("D1",),
        places=(MEMBERS, NOTIFICATIONS, HOME),
    ),
    Rule(
        "B19",
        G.MEMBERS,
        "Cơ cấu tổ chức",
        "Chi bộ có dưới 3 đảng viên chính thức là không hợp lệ; từ 9 đảng viên chính thức phải có chi ủy; chi bộ cơ "
        "sở từ 30 đảng viên trở lên hoặc đảng bộ cơ sở dưới 30 đảng viên cần cấp trên đồng ý; chi bộ đại hội hai "
        "lần trong 5 năm (có thể sớm hoặc muộn không quá 6 tháng).",
        C.SOURCED,
        parameters=(
            "min_full_members_per_cell",
            "chi_uy_required_from_full_members",
            "grassroots_cell_max_members",
            "grassroots_committee_min_members",
        ),
        sources=("Điều lệ Đảng, Điều 21 và 24",),
        places=(TREE, HOME),
    ),
    Rule(
        "B20",
        G.MEMBERS,
        "Chuyển sinh hoạt đảng",
        "Làm xong thủ tục chuyển sinh hoạt chính thức trong 60 ngày làm việc kể từ ngày quyết định; nộp giấy giới "
        "thiệu trong 30 ngày làm việc kể từ ngày ký; sinh hoạt tạm thời từ 3 tháng đến dưới 1 năm (đi học: 3 tháng "
        "đến 2 năm).",
        C.SOURCED,
        parameters=("transfer_working_days", "letter_working_days"),
        sources=("QĐ 29-QĐ/TW (2016)", "QĐ 294-QĐ/TW (2025)"),
        places=(MEMBERS, HOLIDAYS),
    ),
    #
    # Model programmes
    #
    Rule(
        "B21",
        G.PROGRAMMES,
        "Điều kiện đăng ký chi bộ kiểu mẫu",
        "Chi bộ chỉ được đăng ký khi xếp loại của 2 năm tham chiếu (theo nguồn: 2020, 2021) đều từ HTTNV trở lên và "
        "có ít nhất một năm HTXSNV; số năm tham chiếu là tham số. Biến thể của tỉnh: 3 năm liên tiếp từ HTTNV trở lên. "
        "Chương trình khác theo D4.",
        C.SOURCED,
        parameters=("model_cell_reference_years", "programme_eligibility"),
        sources=("Bài báo nguồn 000 (chi bộ kiểu mẫu, Khối CQ&DN tỉnh Yên Bái)", "Báo Yên Bái, bài 318961"),
        doubt="Nguồn là bài báo, chưa có số hướng dẫn của khối; biến thể 3 năm của tỉnh chưa được chọn.",
        related=("D4",),
        places=(PROGRAMMES,),
    ),
    Rule(
        "B22",
        G.PROGRAMMES,
        "Độ phủ chi bộ kiểu mẫu",
        "Mỗi đảng bộ cơ sở có ít nhất một chi bộ đăng ký xây dựng chi bộ kiểu mẫu; chỉ tiêu của khối: số chi bộ kiểu "
        "mẫu được công nhận trên tổng số chi bộ đạt từ 4% trở lên đến năm 2025; hiển thị tiến độ.",
        C.SOURCED,
        parameters=("model_cell_target_pct",),
        sources=("Bài báo nguồn 000",),
        places=(PROGRAMMES, DASHBOARD),
    ),
    Rule(
        "B23",
        G.PROGRAMMES,
        "Tiêu chí chi bộ kiểu mẫu lấy từ dữ liệu",
        "Các tiêu chí gắn với dữ liệu của hệ thống: sinh hoạt đủ 12 kỳ (B1), chuyên đề mỗi quý (B2), 100% đảng viên "
        "dùng Sổ tay đảng viên điện tử (nếu có theo dõi), xếp loại năm từ HTTNV trở lên, không có đảng viên bị kỷ "
        "luật, đạt chỉ tiêu kết nạp đảng viên.",
        C.SOURCED,
        sources=("Bài báo nguồn 000", "Báo Yên Bái, bài 318961"),
        related=("B1", "B2", "D5", "D10"),
        places=(PROGRAMMES, CRITERIA),
    ),
    Rule(
        "B24",
        G.PROGRAMMES,
        "Điều kiện loại trừ chi bộ bốn tốt",
        "Có đảng viên bị kỷ luật, có vi phạm bị xử lý kỷ luật hoặc có đơn thư khiếu nại, tố cáo trong năm thì nhóm "
        'tiêu chí "Đoàn kết, kỷ luật tốt" và "Đảng viên tốt" không đạt.',
        C.SOURCED,
        sources=('Bài báo nguồn 001 (thí điểm "Chi bộ bốn tốt", 2023)',),
        related=("D5",),
        places=(PROGRAMMES, CRITERIA),
    ),
    Rule(
        "B25",
        G.PROGRAMMES,
        "Dân vận khéo",
        'Mô hình "Dân vận khéo" được công nhận có điểm từ 75 đến 100; cảnh báo khi mô hình được công nhận có điểm '
        "dưới 75. Sổ theo dõi theo D9.",
        C.UNCERTAIN,
        parameters=("dan_van_kheo_min_score", "dan_van_kheo_max_score"),
        sources=("Bài báo nguồn 004",),
        doubt="Ngưỡng 75 điểm chưa được xác nhận bằng văn bản: do cấp ủy quy định.",
        related=("D9",),
        places=(MASS_MOBILISATION, REPORTS),
    ),
    #
    # Reports
    #
    Rule(
        "B26",
        G.REPORTS,
        "Chỉ số xếp loại trong báo cáo",
        "Tỷ lệ tổ chức cơ sở đảng ở mỗi mức xếp loại; tỷ lệ đảng viên HTTNV trở lên và HTXSNV (chỉ tiêu năm 2019: "
        "trên 80% và 15%); tỷ lệ đảng viên dự sinh hoạt; tỷ lệ chi bộ sinh hoạt đủ 12 kỳ.",
        C.SOURCED,
        parameters=("target_members_good_or_better_pct", "target_members_excellent_pct", "kpi_attendance_pct"),
        sources=("Bài báo nguồn 003 (Chỉ thị 05, 2019)", "Bài báo nguồn 004"),
        related=("B1", "B4", "D6"),
        places=(DASHBOARD, HOME, REPORTS, COMPLIANCE),
    ),
    #
    # Decisions on rules the sources leave open (domain.md §8.1)
    #
    Rule(
        "D1",
        G.DECISIONS,
        "Hết thời hạn đình chỉ sinh hoạt",
        "Khi hết đình chỉ sinh hoạt đảng, đảng viên trở lại đúng tình trạng trước khi bị đình chỉ (đang miễn sinh "
        "hoạt vẫn miễn, dự bị vẫn dự bị). Chưa rõ thời kỳ dự bị có tạm dừng hay không: ghi cả hai ngày, không dời hạn "
        "dự bị và hiển thị điều đó.",
        C.DECIDED,
        related=("B14", "B18"),
        places=(MEMBERS,),
    ),
    Rule(
        "D2",
        G.DECISIONS,
        "Các mức chất lượng sinh hoạt cả năm dưới Tốt",
        'Không có nguồn. Đây là tham số do cấp ủy quy định; trang áp dụng ghi rõ "do cấp ủy quy định" và nêu quy tắc '
        "đã dùng bên cạnh từng kết quả. Mặc định: Khá khi không cuộc sinh hoạt thường kỳ nào trong năm bị xếp dưới mức "
        "đã đặt; còn lại là Trung bình.",
        C.COMMITTEE,
        parameters=("yearly_good_min_meetings", "yearly_fair_lowest_meeting_rating"),
        related=("B9",),
        places=(COMPLIANCE, MEETINGS),
    ),
    Rule(
        "D3",
        G.DECISIONS,
        "Tỷ lệ HTXSNV tính trên kết quả cuối cùng",
        "Tỷ lệ là thuộc tính của kết quả cuối cùng, không phụ thuộc thứ tự lưu. Lưu một mức xếp loại không bao giờ bị "
        "từ chối vì thứ tự; trang hiển thị số đang có so với giới hạn; việc kiểm tra chặn ở bước khóa (khóa xếp loại "
        "đảng viên của một tổ chức cơ sở đảng, khóa kỳ đánh giá tổ chức) trừ khi ghi nhận trường hợp đặc biệt có lý do "
        "của cấp quyết định. Mở lại thì kiểm tra lại. Áp dụng ở cả hai cấp: đảng viên trong từng tổ chức cơ sở đảng, "
        "và tổ chức (các tổ chức cơ sở đảng dưới cấp ủy cấp trên; các chi bộ dưới mỗi đảng bộ cơ sở). Giới hạn 20% "
        "số HTTNV theo QĐ 132, 124 và 366.",
        C.DECIDED,
        parameters=("htxs_quota_pct_of_htt",),
        documents=("132-QĐ/TW", "124-QĐ/TW", "366-QĐ/TW"),
        related=("B12",),
        places=(RATINGS, DASHBOARD, REVIEW),
    ),
    Rule(
        "D4",
        G.DECISIONS,
        "Điều kiện đăng ký theo từng chương trình",
        "Điều kiện đăng ký là một thiết lập của từng chương trình. Chi bộ kiểu mẫu: theo B21. Chi bộ bốn tốt: mặc định "
        "không có điều kiện (đảng ủy tự chọn chi bộ thí điểm).",
        C.DECIDED,
        parameters=("programme_eligibility", "model_cell_reference_years"),
        related=("B21",),
        places=(PROGRAMMES,),
    ),
    Rule(
        "D5",
        G.DECISIONS,
        "Kỷ luật là dữ liệu của hồ sơ đảng viên",
        "Kỷ luật được ghi trong hồ sơ đảng viên (hình thức, số và ngày quyết định, cấp quyết định). Mọi chỉ số phụ "
        "thuộc vào kỷ luật được đọc trực tiếp ở mỗi bước (tự đánh giá, thẩm định, quyết định, khóa) và cộng dồn lên "
        "cây tổ chức. Chỉ cấp quyết định được vượt mức giới hạn, với lý do bằng văn bản; trường hợp này được liệt kê "
        'là ngoại lệ trong báo cáo năm. Tiêu chí chi bộ kiểu mẫu và bốn tốt phụ thuộc xếp loại năm là "chưa biết" '
        'khi chưa có xếp loại, không bao giờ mặc nhiên là "đạt".',
        C.DECIDED,
        parameters=("khtnv_disciplined_units_pct", "leadership_discipline_khtnv_min_form", "cap_override_min_chars"),
        related=("B13", "B23", "B24"),
        places=(MEMBERS, REVIEW, PROGRAMMES, REPORTS),
    ),
    Rule(
        "D6",
        G.DECISIONS,
        "Cuộc sinh hoạt được tính cho tháng nào",
        'Chỉ tính cuộc sinh hoạt đã chốt biên bản (bản nháp hiển thị riêng là "chưa chốt"). Cuộc sinh hoạt được tính '
        "cho tháng của nó khi ngày họp nằm trong tháng đó hoặc trong số ngày gia hạn sau tháng (tham số, mặc định 10); "
        "muộn hơn là sinh hoạt bù: có hiển thị, không tính cho tháng đó. Một tháng chưa bị coi là thiếu khi chưa hết "
        "tháng cộng số ngày gia hạn. Không yêu cầu các tháng trước khi chi bộ thành lập hoặc sau khi giải thể, sáp "
        "nhập.",
        C.DECIDED,
        parameters=("late_grace_days",),
        related=("B1", "B2", "B26"),
        places=(COMPLIANCE, DASHBOARD, HOME, REPORTS),
    ),
    Rule(
        "D7",
        G.DECISIONS,
        "Cuộc sinh hoạt ngắn",
        "Cuộc sinh hoạt ngắn hơn thời lượng tối thiểu vẫn được chốt; phần thiếu được ghi lại, hiển thị và làm mất "
        "điểm mục thời lượng. Chặn lại sẽ làm một cuộc họp có thật biến mất khỏi số liệu. Ngoại lệ của cấp ủy cho chi "
        "bộ ít đảng viên là tham số.",
        C.DECIDED,
        parameters=(
            "min_meeting_minutes",
            "min_combined_meeting_minutes",
            "small_cell_max_members",
            "small_cell_min_meeting_minutes",
        ),
        related=("B3",),
        places=(MEETINGS,),
    ),
    Rule(
        "D8",
        G.DECISIONS,
        "Vắng mặt không lý do",
        "Đánh dấu thêm đảng viên vắng không có lý do chính đáng trong các cuộc sinh hoạt của 3 tháng trong một năm "
        "(để xem xét xóa tên theo Điều 8 Điều lệ Đảng; số tháng là tham số). Đây là lời nhắc cho chi bộ, không bao giờ "
        "tự động đổi tình trạng đảng viên.",
        C.DECIDED,
        parameters=("unexcused_absence_months_for_removal_review",),
        sources=("Điều lệ Đảng, Điều 8",),
        related=("B5",),
        places=(FLAGGED,),
    ),
    Rule(
        "D9",
        G.DECISIONS,
        'Sổ theo dõi "Dân vận khéo"',
        "Mỗi tổ chức đảng có sổ theo dõi theo năm: tên mô hình, lĩnh vực, cấp công nhận, điểm; mô hình được công nhận "
        "có điểm từ 75 đến 100 (tham số); báo cáo năm có số mô hình theo cấp công nhận.",
        C.DECIDED,
        parameters=("dan_van_kheo_min_score", "dan_van_kheo_max_score"),
        related=("B25",),
        places=(MASS_MOBILISATION, REPORTS),
    ),
    Rule(
        "D10",
        G.DECISIONS,
        "Dữ liệu cần ghi từ nguồn",
        'Ghi việc sử dụng Sổ tay đảng viên điện tử của từng đảng viên (từ đó tính tiêu chí "100% đảng viên sử dụng" '
        "của B23); ghi nhận xét của chi ủy, chi bộ nơi cư trú (QĐ 213) làm căn cứ xếp loại đảng viên hằng năm.",
        C.DECIDED,
        sources=("QĐ 213-QĐ/TW (nhận xét nơi cư trú)", "Bài báo nguồn 004 (Sổ tay đảng viên điện tử)"),
        related=("B23",),
        places=(MEMBERS, RATINGS, REPORTS),
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def get(code: str) -> Rule | None:
    return BY_CODE.get(code.upper())


# What each parameter means, in the committee's words (product data, like the rule texts).
PARAMETER_LABELS: dict[str, str] = {
    "min_full_members_per_cell": "Số đảng viên chính thức tối thiểu của chi bộ",
    "chi_uy_required_from_full_members": "Số đảng viên chính thức từ đó chi bộ phải có chi ủy",
    "grassroots_cell_max_members": "Chi bộ cơ sở từ số đảng viên này cần cấp trên đồng ý",
    "grassroots_committee_min_members": "Đảng bộ cơ sở dưới số đảng viên này cần cấp trên đồng ý",
    "min_meeting_minutes": "Thời lượng tối thiểu một cuộc sinh hoạt (phút)",
    "min_combined_meeting_minutes": "Thời lượng tối thiểu khi họp kết hợp thường kỳ và chuyên đề (phút)",
    "quality_attendance_pct": "Tỷ lệ dự họp phải vượt (%) để đạt tiêu chí HD 12",
    "max_consecutive_excused_absences": "Số lần vắng có lý do liên tiếp tối đa trong năm",
    "kpi_attendance_pct": "Chỉ tiêu tỷ lệ đảng viên dự sinh hoạt của khối (%)",
    "yearly_good_min_meetings": "Số cuộc sinh hoạt Tốt tối thiểu để cả năm đạt Tốt",
    "yearly_fair_lowest_meeting_rating": "Cả năm đạt Khá khi không cuộc sinh hoạt nào xếp dưới mức này",
    "late_grace_days": "Số ngày gia hạn sau tháng để cuộc sinh hoạt vẫn tính cho tháng đó",
    "small_cell_max_members": "Chi bộ ít đảng viên: số đảng viên tối đa (0: không áp dụng ngoại lệ)",
    "small_cell_min_meeting_minutes": "Chi bộ ít đảng viên: thời lượng tối thiểu (phút)",
    "unexcused_absence_months_for_removal_review": "Số tháng vắng không lý do trong năm để nhắc xem xét xóa tên",
    "probation_months": "Thời kỳ dự bị (tháng)",
    "probation_alert_days": "Nhắc trước khi hết thời kỳ dự bị (ngày)",
    "new_member_min_months": "Đảng viên mới kết nạp dưới số tháng này thì không xếp loại",
    "sick_leave_cap_months": "Nghỉ ốm từ số tháng này trở lên thì cao nhất HTNV",
    "transfer_working_days": "Hạn làm thủ tục chuyển sinh hoạt chính thức (ngày làm việc)",
    "letter_working_days": "Hạn nộp giấy giới thiệu sinh hoạt đảng (ngày làm việc)",
    "htxs_quota_pct_of_htt": "Số HTXSNV tối đa, tính theo % số HTTNV",
    "score_thresholds": "Ngưỡng điểm của các mức xếp loại",
    "htxs_min_tasks_exceeded_pct": "Tập thể HTXSNV: tỷ lệ nhiệm vụ vượt yêu cầu tối thiểu (%)",
    "htnv_max_tasks_late_pct": "Tập thể HTNV: tỷ lệ nhiệm vụ chậm tiến độ tối đa (%)",
    "khtnv_disciplined_units_pct": "Quá tỷ lệ tổ chức trực thuộc bị kỷ luật này thì tập thể KHTNV (%)",
    "leadership_discipline_khtnv_min_form": "Thành viên tập thể lãnh đạo bị kỷ luật từ hình thức này trở lên thì "
    "tập thể KHTNV (nhẹ hơn: chỉ không được HTXSNV)",
    "cap_override_min_chars": "Lý do vượt mức giới hạn do kỷ luật: số ký tự tối thiểu",
    "org_min_months_for_classification": "Tổ chức đảng thành lập dưới số tháng này thì không xếp loại",
    "model_cell_reference_years": "Số năm tham chiếu để đăng ký chi bộ kiểu mẫu",
    "model_cell_target_pct": "Chỉ tiêu chi bộ kiểu mẫu trên tổng số chi bộ (%)",
    "programme_eligibility": "Điều kiện đăng ký của từng chương trình",
    "dan_van_kheo_min_score": 'Điểm tối thiểu của mô hình "Dân vận khéo" được công nhận',
    "dan_van_kheo_max_score": 'Điểm tối đa của mô hình "Dân vận khéo"',
    "khtnv_members_warning_pct": "Cảnh báo khi tỷ lệ đảng viên KHTNV của chi bộ vượt (%)",
    "target_members_good_or_better_pct": "Chỉ tiêu tỷ lệ đảng viên HTTNV trở lên (%)",
    "target_members_excellent_pct": "Chỉ tiêu tỷ lệ đảng viên HTXSNV (%)",
}


def rules_reading(key: str) -> list[Rule]:
    """The rules that read a parameter (the parameter's page lists them)."""
    return [rule for rule in RULES if key in rule.parameters]
