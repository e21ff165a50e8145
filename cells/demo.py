"""Demo data: a bloc committee (Đảng bộ Khối) shaped like domain.md §1.2, built deterministically.

Two steps, so that later issues (meetings, evaluations) can extend the data without touching this code:

- `plan_demo(rng, ...)` builds *unsaved* model instances (organisations, members, committee positions) and runs no
  query, so the same seed gives the same data and tests can compare plans without a database;
- `build_demo(rng, ...)` plans, then writes the plan with bulk inserts (paths set level by level), creates the demo
  accounts and grants their roles, all in one transaction.

Randomness: every step draws from its own `random.Random`, derived from the caller's one in a fixed order, so that
adding a step later (e.g. `plan_meetings`) does not change the names already generated for a seed. Each copy of the
grassroots level (`scale`) has its own generator too, so copy 1 is the same at every scale.

The Vietnamese strings below are demo *data* (unit and department names, personal names), not user interface text.
"""

import datetime
import itertools
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cells.models import Organization, RoleAssignment
from cells.services import log_action, role_grant
from members.models import Member, Position, StatusChange, Transfer

Kind = Organization.Kind
UnitType = Organization.UnitType
Role = RoleAssignment.Role
Status = Member.Status
Gender = Member.Gender

ROOT_CODE = "DEMO"
ROOT_NAME = "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh (demo)"
ROOT_HOST = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh"
ROOT_FOUNDED_ON = datetime.date(2008, 9, 15)
DEMO_PASSWORD = "demo12345"
TERM_LABEL = "2025-2030"

# Per copy of the grassroots level (domain.md §1.2: 44 đảng bộ cơ sở with 288 chi bộ trực thuộc, 28 chi bộ cơ sở,
# 4,759 members; we round the members to 4,760).
CELLS_PER_COPY = 288
MEMBERS_PER_COPY = 4760
CELLS_PER_COMMITTEE = (3, 12)
MEMBERS_PER_CELL = (5, 30)
MEMBERS_PER_GRASSROOTS_CELL = (10, 30)
WEAK_CELLS_PER_COPY = (4, 6)  # cells left with fewer than 3 full members, so rule B19 has something to show
PROBATIONARY_SHARE = 0.05
COMMITTEE_SHARE = 0.95  # of the cells with 9 or more full members; the rest show the "no chi ủy" warning


#
# Host units
#

# Department lists by kind of host unit. A đảng bộ cơ sở draws its cells from its own list first, then from these.
DEPARTMENTS = {
    "admin": (
        "Văn phòng",
        "Thanh tra",
        "Phòng Kế hoạch - Tài chính",
        "Phòng Tổ chức - Cán bộ",
        "Phòng Pháp chế",
        "Phòng Tổng hợp",
        "Phòng Cải cách hành chính",
        "Phòng Kiểm tra - Giám sát",
        "Phòng Hành chính - Quản trị",
        "Phòng Hợp tác quốc tế",
        "Trung tâm Công nghệ thông tin",
        "Trung tâm Dịch vụ công",
    ),
    "hospital": (
        "Khoa Khám bệnh",
        "Khoa Hồi sức tích cực - Chống độc",
        "Khoa Nội tổng hợp",
        "Khoa Nhi",
        "Khoa Sản",
        "Khoa Xét nghiệm",
        "Khoa Chẩn đoán hình ảnh",
        "Khoa Dược",
        "Khoa Ung bướu",
        "Khoa Phục hồi chức năng",
        "Phòng Kế hoạch tổng hợp",
        "Phòng Tổ chức cán bộ",
        "Phòng Điều dưỡng",
        "Phòng Tài chính - Kế toán",
    ),
    "school": (
        "Phòng Đào tạo",
        "Phòng Tổ chức - Hành chính",
        "Phòng Kế hoạch - Tài chính",
        "Phòng Công tác học sinh, sinh viên",
        "Phòng Khảo thí và Đảm bảo chất lượng",
        "Khoa Khoa học cơ bản",
        "Khoa Kinh tế",
        "Khoa Công nghệ thông tin",
        "Khoa Điện - Điện tử",
        "Khoa Cơ khí - Động lực",
        "Khoa Nông lâm",
        "Khoa Du lịch - Dịch vụ",
        "Trung tâm Tuyển sinh và Hợp tác doanh nghiệp",
    ),
    "media": (
        "Ban Thời sự",
        "Ban Biên tập",
        "Ban Chuyên đề",
        "Ban Phóng viên",
        "Ban Báo điện tử",
        "Ban Phát thanh",
        "Ban Truyền hình",
        "Ban Văn nghệ - Giải trí",
        "Ban Kỹ thuật - Công nghệ",
        "Ban Dịch vụ quảng cáo",
        "Phòng Tổ chức - Hành chính",
        "Phòng Kế hoạch - Tài chính",
    ),
    "service": (
        "Phòng Tổ chức - Hành chính",
        "Phòng Kế hoạch - Tài chính",
        "Phòng Nghiệp vụ",
        "Phòng Kỹ thuật",
        "Phòng Tổng hợp",
        "Phòng Kiểm tra - Giám sát",
        "Phòng Quản lý dự án số 1",
        "Phòng Quản lý dự án số 2",
        "Phòng Quản lý dự án số 3",
        "Phòng Thẩm định",
        "Phòng Công nghệ thông tin",
        "Phòng Đào tạo - Bồi dưỡng",
    ),
    "bank": (
        "Phòng Khách hàng doanh nghiệp",
        "Phòng Khách hàng cá nhân",
        "Phòng Kế toán - Ngân quỹ",
        "Phòng Tổng hợp",
        "Phòng Hành chính - Nhân sự",
        "Phòng Kiểm tra, kiểm soát nội bộ",
        "Phòng Quản lý rủi ro",
        "Phòng Dịch vụ và Marketing",
        "Phòng Thanh toán quốc tế",
        "Phòng Giao dịch Trung tâm",
        "Phòng Giao dịch số 1",
        "Phòng Giao dịch số 2",
        "Phòng Giao dịch số 3",
    ),
    "enterprise": (
        "Phòng Tổ chức - Hành chính",
        "Phòng Kế hoạch - Kỹ thuật",
        "Phòng Tài chính - Kế toán",
        "Phòng Kinh doanh",
        "Phòng An toàn - Môi trường",
        "Phân xưởng Sản xuất số 1",
        "Phân xưởng Sản xuất số 2",
        "Phân xưởng Cơ điện",
        "Đội Vận hành",
        "Đội Sửa chữa",
        "Xí nghiệp số 1",
        "Xí nghiệp số 2",
        "Chi nhánh phía Bắc",
        "Chi nhánh phía Nam",
    ),
    "party": (
        "Phòng Tổng hợp",
        "Phòng Hành chính - Lưu trữ",
        "Phòng Tài chính - Đảng vụ",
        "Phòng Quản trị",
        "Phòng Thông tin - Cơ yếu",
        "Phòng Đào tạo",
        "Phòng Quản lý khoa học",
        "Phòng Tổ chức - Hành chính",
        "Khoa Xây dựng Đảng",
        "Khoa Lý luận cơ sở",
        "Khoa Nhà nước và Pháp luật",
        "Khoa Dân vận",
    ),
    "mass": (
        "Văn phòng",
        "Ban Tổ chức - Kiểm tra",
        "Ban Tuyên giáo",
        "Ban Phong trào",
        "Ban Dân chủ - Pháp luật",
        "Ban Kinh tế - Xã hội",
        "Ban Chính sách - Pháp luật",
        "Ban Gia đình - Xã hội",
        "Ban Công tác thanh niên",
        "Ban Nữ công",
        "Ban Đối ngoại",
        "Trung tâm Hỗ trợ",
    ),
}

# Job titles of ordinary members, by kind of host unit: (title, weight).
JOB_TITLES = {
    "admin": (("Chuyên viên", 6), ("Chuyên viên chính", 3), ("Chuyên viên cao cấp", 0.3), ("Kế toán viên", 1)),
    "hospital": (("Bác sĩ", 4), ("Điều dưỡng", 5), ("Kỹ thuật viên", 2), ("Dược sĩ", 1), ("Hộ sinh", 1)),
    "school": (("Giảng viên", 6), ("Giảng viên chính", 2), ("Chuyên viên", 2), ("Kế toán viên", 0.5)),
    "media": (("Phóng viên", 5), ("Biên tập viên", 4), ("Kỹ thuật viên", 2), ("Quay phim", 1)),
    "service": (("Chuyên viên", 4), ("Kỹ sư", 2), ("Kỹ thuật viên", 2), ("Kế toán viên", 1)),
    "bank": (("Chuyên viên khách hàng", 4), ("Giao dịch viên", 4), ("Kiểm soát viên", 1), ("Chuyên viên", 2)),
    "enterprise": (("Kỹ sư", 4), ("Công nhân", 4), ("Nhân viên kinh doanh", 2), ("Kế toán viên", 1), ("Lái xe", 0.5)),
    "party": (("Chuyên viên", 6), ("Chuyên viên chính", 3), ("Giảng viên", 1)),
    "mass": (("Chuyên viên", 6), ("Chuyên viên chính", 2), ("Cán sự", 1)),
}

# The head and deputy of a department or unit, by the start of its name. The bí thư is also the head of the unit
# (domain.md §1.4: "bí thư cấp ủy đồng thời là thủ trưởng"). Longest prefix first.
HEAD_TITLES = (
    ("Phòng Giao dịch", "Giám đốc phòng giao dịch", "Phó Giám đốc phòng giao dịch"),
    ("Văn phòng Đăng ký", "Giám đốc", "Phó Giám đốc"),
    ("Văn phòng", "Chánh Văn phòng", "Phó Chánh Văn phòng"),
    ("Thanh tra", "Chánh Thanh tra", "Phó Chánh Thanh tra"),
    ("Ủy ban Kiểm tra", "Chủ nhiệm Ủy ban Kiểm tra", "Phó Chủ nhiệm Ủy ban Kiểm tra"),
    ("Tỉnh đoàn", "Bí thư Tỉnh đoàn", "Phó Bí thư Tỉnh đoàn"),
    ("Phân xưởng", "Quản đốc", "Phó Quản đốc"),
    ("Chi cục", "Chi cục trưởng", "Phó Chi cục trưởng"),
    ("Chi nhánh", "Giám đốc chi nhánh", "Phó Giám đốc chi nhánh"),
    ("Xí nghiệp", "Giám đốc xí nghiệp", "Phó Giám đốc xí nghiệp"),
    ("Điện lực", "Giám đốc điện lực", "Phó Giám đốc điện lực"),
    ("Trung tâm", "Giám đốc trung tâm", "Phó Giám đốc trung tâm"),
    ("Nhà máy", "Giám đốc nhà máy", "Phó Giám đốc nhà máy"),
    ("Cửa hàng", "Cửa hàng trưởng", "Cửa hàng phó"),
    ("Bảo tàng", "Giám đốc Bảo tàng", "Phó Giám đốc Bảo tàng"),
    ("Bưu điện", "Giám đốc bưu điện", "Phó Giám đốc bưu điện"),
    ("Trường", "Hiệu trưởng", "Phó Hiệu trưởng"),
    ("Phòng", "Trưởng phòng", "Phó Trưởng phòng"),
    ("Khoa", "Trưởng khoa", "Phó Trưởng khoa"),
    ("Ban", "Trưởng ban", "Phó Trưởng ban"),
    ("Đội", "Đội trưởng", "Đội phó"),
    ("Sở", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("Hội", "Chủ tịch Hội", "Phó Chủ tịch Hội"),
    ("Liên", "Chủ tịch", "Phó Chủ tịch"),
    ("Công ty", "Giám đốc", "Phó Giám đốc"),
    ("Bệnh viện", "Giám đốc bệnh viện", "Phó Giám đốc bệnh viện"),
    ("Quỹ", "Giám đốc", "Phó Giám đốc"),
    ("Đài", "Giám đốc", "Phó Giám đốc"),
)
DEFAULT_HEAD_TITLES = ("Thủ trưởng đơn vị", "Phó Thủ trưởng đơn vị")


@dataclass(frozen=True)
class Host:
    """A host unit (đơn vị) with its own party organisation."""

    name: str
    unit_type: str
    profile: str  # a key of DEPARTMENTS / JOB_TITLES
    departments: tuple[str, ...] = ()  # its own departments, drawn before the profile's generic ones
    # Đảng bộ bộ phận: (name, the departments whose cells sit under it).
    sub_committees: tuple[tuple[str, tuple[str, ...]], ...] = ()


ADMIN, PUBLIC, STATE_ENT, OTHER_ENT, PARTY, MASS = (
    UnitType.ADMINISTRATIVE,
    UnitType.PUBLIC_SERVICE,
    UnitType.STATE_ENTERPRISE,
    UnitType.OTHER_ENTERPRISE,
    UnitType.PARTY_BODY,
    UnitType.MASS_ORGANISATION,
)

# The 44 đảng bộ cơ sở, in code order (DB01 ...).
GRASSROOTS_COMMITTEE_HOSTS = (
    Host(
        "Sở Tài chính",
        ADMIN,
        "admin",
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Quản lý ngân sách",
            "Phòng Tài chính doanh nghiệp",
            "Phòng Quản lý giá và công sản",
            "Phòng Tài chính đầu tư",
            "Phòng Kế hoạch - Tổng hợp",
            "Phòng Đăng ký kinh doanh",
            "Phòng Tài chính hành chính sự nghiệp",
            "Trung tâm Xúc tiến đầu tư",
        ),
    ),
    Host(
        "Sở Giáo dục và Đào tạo",
        ADMIN,
        "admin",
        (
            "Văn phòng",
            "Phòng Giáo dục Mầm non - Tiểu học",
            "Phòng Giáo dục Trung học",
            "Phòng Giáo dục thường xuyên - Chuyên nghiệp",
            "Phòng Tổ chức cán bộ",
            "Phòng Khảo thí và Kiểm định chất lượng",
            "Phòng Chính trị, tư tưởng",
            "Trung tâm Giáo dục thường xuyên tỉnh",
        ),
    ),
    Host(
        "Sở Y tế",
        ADMIN,
        "admin",
        (
            "Văn phòng",
            "Phòng Nghiệp vụ Y",
            "Phòng Nghiệp vụ Dược",
            "Phòng Tổ chức cán bộ",
            "Chi cục Dân số",
            "Chi cục An toàn vệ sinh thực phẩm",
            "Trung tâm Giám định y khoa",
            "Trung tâm Kiểm nghiệm",
        ),
    ),
    Host(
        "Sở Nông nghiệp và Môi trường",
        ADMIN,
        "admin",
        (
            "Văn phòng",
            "Chi cục Kiểm lâm",
            "Chi cục Thủy lợi",
            "Chi cục Trồng trọt và Bảo vệ thực vật",
            "Chi cục Chăn nuôi và Thú y",
            "Phòng Đất đai",
            "Phòng Tài nguyên nước và Khoáng sản",
            "Phòng Môi trường",
            "Văn phòng Đăng ký đất đai",
            "Trung tâm Khuyến nông",
        ),
    ),
    Host(
        "Sở Xây dựng",
        ADMIN,
        "admin",
        (
            "Văn phòng",
            "Phòng Quy hoạch - Kiến trúc",
            "Phòng Quản lý hoạt động xây dựng",
            "Phòng Phát triển đô thị",
            "Phòng Quản lý vận tải",
            "Phòng Quản lý kết cấu hạ tầng giao thông",
            "Trung tâm Đăng kiểm xe cơ giới",
            "Trung tâm Giám định chất lượng xây dựng",
        ),
    ),
    Host(
        "Sở Công Thương", ADMIN, "admin", ("Phòng Quản lý công nghiệp", "Phòng Quản lý thương mại", "Phòng Năng lượng")
    ),
    Host("Sở Nội vụ", ADMIN, "admin", ("Phòng Công chức, viên chức", "Phòng Xây dựng chính quyền", "Phòng Lao động")),
    Host(
        "Sở Văn hóa, Thể thao và Du lịch",
        ADMIN,
        "admin",
        ("Phòng Quản lý văn hóa", "Phòng Quản lý thể dục thể thao", "Phòng Quản lý du lịch", "Bảo tàng tỉnh"),
    ),
    Host("Sở Khoa học và Công nghệ", ADMIN, "admin", ("Phòng Quản lý khoa học", "Phòng Chuyển đổi số")),
    Host("Văn phòng Ủy ban nhân dân tỉnh", ADMIN, "admin", ("Phòng Kinh tế", "Phòng Khoa giáo - Văn xã")),
    Host(
        "Ban Quản lý các khu công nghiệp tỉnh", ADMIN, "admin", ("Phòng Quản lý đầu tư", "Phòng Quản lý doanh nghiệp")
    ),
    Host(
        "Bảo hiểm xã hội tỉnh",
        ADMIN,
        "admin",
        (
            "Văn phòng",
            "Phòng Thu",
            "Phòng Chế độ bảo hiểm xã hội",
            "Phòng Giám định bảo hiểm y tế",
            "Phòng Quản lý thu - Sổ, thẻ",
            "Phòng Truyền thông và Phát triển đối tượng",
        ),
    ),
    Host(
        "Thuế tỉnh",
        ADMIN,
        "admin",
        ("Phòng Quản lý hộ kinh doanh", "Phòng Quản lý doanh nghiệp lớn", "Phòng Thanh tra - Kiểm tra thuế"),
    ),
    Host("Kho bạc Nhà nước tỉnh", ADMIN, "admin", ("Phòng Kiểm soát chi", "Phòng Kế toán nhà nước")),
    Host("Văn phòng Tỉnh ủy", PARTY, "party"),
    Host("Trường Chính trị tỉnh", PARTY, "party"),
    Host("Cơ quan Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", MASS, "mass"),
    Host("Liên đoàn Lao động tỉnh", MASS, "mass"),
    Host(
        "Bệnh viện Đa khoa tỉnh",
        PUBLIC,
        "hospital",
        sub_committees=(
            ("Khối Nội", ("Khoa Nội tổng hợp", "Khoa Tim mạch", "Khoa Truyền nhiễm")),
            ("Khối Ngoại", ("Khoa Ngoại tổng hợp", "Khoa Chấn thương chỉnh hình", "Khoa Gây mê hồi sức")),
        ),
    ),
    Host("Bệnh viện Sản - Nhi tỉnh", PUBLIC, "hospital", ("Khoa Sơ sinh", "Khoa Hỗ trợ sinh sản")),
    Host("Bệnh viện Y dược cổ truyền tỉnh", PUBLIC, "hospital", ("Khoa Châm cứu - Dưỡng sinh", "Khoa Bào chế")),
    Host(
        "Trung tâm Kiểm soát bệnh tật tỉnh",
        PUBLIC,
        "hospital",
        (
            "Khoa Phòng chống bệnh truyền nhiễm",
            "Khoa Dinh dưỡng",
            "Khoa Sức khỏe môi trường - Y tế trường học",
            "Khoa Phòng chống HIV/AIDS",
            "Khoa Truyền thông, giáo dục sức khỏe",
            "Khoa Chăm sóc sức khỏe sinh sản",
        ),
    ),
    Host("Trường Cao đẳng Y tế", PUBLIC, "school", ("Khoa Điều dưỡng", "Khoa Dược", "Khoa Y học cơ sở")),
    Host("Trường Cao đẳng Kỹ thuật - Công nghệ", PUBLIC, "school"),
    Host("Trường Cao đẳng Sư phạm", PUBLIC, "school", ("Khoa Tiểu học - Mầm non", "Khoa Tự nhiên", "Khoa Xã hội")),
    Host("Báo và Phát thanh, Truyền hình tỉnh", PUBLIC, "media"),
    Host("Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh", PUBLIC, "service"),
    Host(
        "Công ty Điện lực tỉnh",
        STATE_ENT,
        "enterprise",
        (
            "Phòng Kỹ thuật",
            "Phòng Kinh doanh",
            "Phòng Điều độ",
            "Điện lực thành phố",
            "Điện lực khu vực phía Bắc",
            "Điện lực khu vực phía Nam",
            "Điện lực khu vực phía Đông",
            "Điện lực khu vực phía Tây",
            "Đội Quản lý vận hành lưới điện cao thế",
            "Ban Quản lý dự án lưới điện",
        ),
    ),
    Host("Viễn thông tỉnh", STATE_ENT, "enterprise", ("Trung tâm Kinh doanh", "Trung tâm Điều hành thông tin")),
    Host("Bưu điện tỉnh", STATE_ENT, "enterprise", ("Trung tâm Khai thác vận chuyển", "Bưu điện thành phố")),
    Host("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam - Chi nhánh tỉnh", STATE_ENT, "bank"),
    Host("Ngân hàng TMCP Công Thương Việt Nam - Chi nhánh tỉnh", STATE_ENT, "bank"),
    Host("Ngân hàng TMCP Đầu tư và Phát triển Việt Nam - Chi nhánh tỉnh", STATE_ENT, "bank"),
    Host("Ngân hàng TMCP Ngoại thương Việt Nam - Chi nhánh tỉnh", STATE_ENT, "bank"),
    Host("Ngân hàng Chính sách xã hội - Chi nhánh tỉnh", STATE_ENT, "bank"),
    Host("Công ty TNHH Một thành viên Khai thác công trình thủy lợi", STATE_ENT, "enterprise"),
    Host("Công ty Xăng dầu tỉnh", STATE_ENT, "enterprise", ("Cửa hàng xăng dầu số 1", "Cửa hàng xăng dầu số 2")),
    Host(
        "Công ty Cổ phần Môi trường đô thị",
        OTHER_ENT,
        "enterprise",
        (
            "Đội Vệ sinh môi trường số 1",
            "Đội Vệ sinh môi trường số 2",
            "Đội Vệ sinh môi trường số 3",
            "Đội Cây xanh - Công viên",
            "Đội Điện chiếu sáng",
            "Đội Thoát nước",
            "Xí nghiệp Xử lý chất thải",
        ),
    ),
    Host("Công ty Cổ phần Cấp nước", OTHER_ENT, "enterprise", ("Nhà máy nước số 1", "Nhà máy nước số 2")),
    Host("Công ty Cổ phần Xi măng", OTHER_ENT, "enterprise", ("Phân xưởng Lò nung", "Phân xưởng Nghiền đóng bao")),
    Host("Công ty Cổ phần Chè", OTHER_ENT, "enterprise", ("Nhà máy chè số 1", "Nhà máy chè số 2")),
    Host("Công ty Cổ phần Quản lý và Xây dựng giao thông", OTHER_ENT, "enterprise"),
    Host("Công ty Cổ phần Lâm nông sản thực phẩm", OTHER_ENT, "enterprise"),
    Host("Công ty Cổ phần Vận tải ô tô", OTHER_ENT, "enterprise", ("Đội Xe khách", "Đội Xe buýt")),
)

# The 28 chi bộ cơ sở, in code order (CBCS01 ...).
GRASSROOTS_CELL_HOSTS = (
    Host("Sở Tư pháp", ADMIN, "admin"),
    Host("Sở Dân tộc và Tôn giáo", ADMIN, "admin"),
    Host("Thanh tra tỉnh", ADMIN, "admin"),
    Host("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", ADMIN, "admin"),
    Host("Thống kê tỉnh", ADMIN, "admin"),
    Host("Chi cục Hải quan tỉnh", ADMIN, "admin"),
    Host("Ban Tổ chức Tỉnh ủy", PARTY, "party"),
    Host("Ủy ban Kiểm tra Tỉnh ủy", PARTY, "party"),
    Host("Ban Tuyên giáo và Dân vận Tỉnh ủy", PARTY, "party"),
    Host("Ban Nội chính Tỉnh ủy", PARTY, "party"),
    Host("Hội Liên hiệp Phụ nữ tỉnh", MASS, "mass"),
    Host("Hội Nông dân tỉnh", MASS, "mass"),
    Host("Tỉnh đoàn", MASS, "mass"),
    Host("Hội Cựu chiến binh tỉnh", MASS, "mass"),
    Host("Liên minh Hợp tác xã tỉnh", MASS, "mass"),
    Host("Liên hiệp các Hội Văn học nghệ thuật tỉnh", MASS, "mass"),
    Host("Bệnh viện Tâm thần tỉnh", PUBLIC, "hospital"),
    Host("Trung tâm Phục vụ hành chính công tỉnh", PUBLIC, "service"),
    Host("Quỹ Đầu tư phát triển tỉnh", PUBLIC, "service"),
    Host("Đài Khí tượng thủy văn tỉnh", PUBLIC, "service"),
    Host("Trung tâm Lưu trữ lịch sử tỉnh", PUBLIC, "service"),
    Host("Công ty TNHH Một thành viên Xổ số kiến thiết", STATE_ENT, "enterprise"),
    Host("Công ty TNHH Một thành viên Lâm nghiệp", STATE_ENT, "enterprise"),
    Host("Công ty Cổ phần Dược phẩm", OTHER_ENT, "enterprise"),
    Host("Công ty Cổ phần Khoáng sản", OTHER_ENT, "enterprise"),
    Host("Công ty Cổ phần Tư vấn thiết kế xây dựng", OTHER_ENT, "enterprise"),
    Host("Công ty Cổ phần Sách và Thiết bị trường học", OTHER_ENT, "enterprise"),
    Host("Công ty Cổ phần Thủy điện", OTHER_ENT, "enterprise"),
)

# Share of women by kind of host unit.
FEMALE_SHARE = {"hospital": 0.62, "school": 0.55, "bank": 0.58, "enterprise": 0.32, "mass": 0.6}
DEFAULT_FEMALE_SHARE = 0.48
CIVIL_SERVICE_TYPES = {ADMIN, PUBLIC, PARTY, MASS}


#
# Personal names
#

# fmt: off
# Family names with rough national frequencies (per cent).
FAMILY_NAMES = (
    ("Nguyễn", 38.4), ("Trần", 12.1), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.1), ("Huỳnh", 1.2), ("Phan", 4.5),
    ("Vũ", 3.9), ("Võ", 1.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0),
    ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.6), ("Đoàn", 0.6), ("Đào", 0.5), ("Trương", 0.5), ("Lương", 0.5),
    ("Mai", 0.4), ("Cao", 0.4), ("Hà", 0.6), ("Lưu", 0.3), ("Lâm", 0.3), ("Nông", 0.3), ("Triệu", 0.2),
    ("Phùng", 0.2), ("Tạ", 0.2), ("Chu", 0.2), ("Lò", 0.2), ("Vương", 0.2), ("Kiều", 0.1),
)
MALE_MIDDLE_NAMES = (
    ("Văn", 30), ("Đức", 8), ("Minh", 8), ("Quang", 6), ("Hữu", 5), ("Đình", 5), ("Xuân", 4), ("Công", 4),
    ("Thanh", 4), ("Quốc", 4), ("Mạnh", 3), ("Tiến", 3), ("Ngọc", 3), ("Trung", 3), ("Duy", 3), ("Việt", 3),
    ("Trọng", 3), ("Thế", 3), ("Anh", 2), ("Hoàng", 2), ("Bá", 2), ("Huy", 2), ("Hải", 2), ("Gia", 1),
    ("Khắc", 1), ("Chí", 1),
)
FEMALE_MIDDLE_NAMES = (
    ("Thị", 45), ("Thu", 6), ("Ngọc", 6), ("Thanh", 5), ("Thùy", 4), ("Hồng", 4), ("Minh", 3), ("Phương", 3),
    ("Bích", 2), ("Kim", 2), ("Hải", 2), ("Thúy", 2), ("Diệu", 1), ("Khánh", 1), ("Mai", 1), ("Quỳnh", 1),
    ("Hoài", 1), ("Mỹ", 1),
)
# fmt: on
# Second middle names after "Thị" ("Nguyễn Thị Thu Hà").
FEMALE_SECOND_MIDDLE_NAMES = ("Thu", "Thanh", "Minh", "Ngọc", "Hồng", "Kim", "Phương", "Bích", "Thùy", "Hải", "Mai")
FEMALE_DOUBLE_MIDDLE_SHARE = 0.15
MALE_GIVEN_NAMES = tuple(
    "Anh Bình Chiến Cường Dũng Dương Đạt Đức Hải Hậu Hiệp Hiếu Hòa Hoàng Hùng Hưng Huy Khánh Khoa Kiên "
    "Lâm Long Lợi Lực Mạnh Minh Nam Nghĩa Phong Phúc Quân Quang Quý Sơn Tài Tâm Thái Thắng Thành Thịnh "
    "Thuận Tiến Toàn Trung Trường Tú Tuấn Tùng Việt Vinh".split()
)
FEMALE_GIVEN_NAMES = tuple(
    "Anh Chi Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huế Hương Huyền Lan Liên Linh Loan Mai Nga Ngân "
    "Ngọc Nhàn Nhung Oanh Phương Quyên Quỳnh Tâm Thảo Thanh Thu Thủy Thúy Trang Tuyết Vân Xuân Yến".split()
)
ETHNICITIES = (("Kinh", 80), ("Tày", 5), ("Thái", 3), ("Mường", 3), ("Dao", 3), ("Nùng", 2), ("Mông", 2), ("Giáy", 1))
PHONE_PREFIXES = ("091", "094", "098", "097", "096", "088", "086", "035", "036", "038", "039", "083", "084")


class _Weighted:
    """`rng.choices` with precomputed cumulative weights: one call per draw, no re-summing."""

    def __init__(self, pairs):
        self.values = [value for value, _weight in pairs]
        self.cum_weights = list(itertools.accumulate(weight for _value, weight in pairs))

    def draw(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


_FAMILY = _Weighted(FAMILY_NAMES)
_MALE_MIDDLE = _Weighted(MALE_MIDDLE_NAMES)
_FEMALE_MIDDLE = _Weighted(FEMALE_MIDDLE_NAMES)
_ETHNICITY = _Weighted(ETHNICITIES)
_JOB_TITLES = {profile: _Weighted(pairs) for profile, pairs in JOB_TITLES.items()}


def random_person_name(rng: random.Random, gender: str) -> str:
    """A Vietnamese full name (family, middle, given) for the gender, e.g. "Nguyễn Thị Thu Hà"."""
    family = _FAMILY.draw(rng)
    if gender == Gender.FEMALE:
        middle = _FEMALE_MIDDLE.draw(rng)
        if middle == "Thị" and rng.random() < FEMALE_DOUBLE_MIDDLE_SHARE:
            middle = f"Thị {rng.choice(FEMALE_SECOND_MIDDLE_NAMES)}"
        given_names = FEMALE_GIVEN_NAMES
    else:
        middle = _MALE_MIDDLE.draw(rng)
        given_names = MALE_GIVEN_NAMES
    given = rng.choice(given_names)
    while given in middle.split():  # no "Thanh Thanh"
        given = rng.choice(given_names)
    return f"{family} {middle} {given}"


#
# Dates
#


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _years_before(day: datetime.date, years: float) -> datetime.date:
    return day - datetime.timedelta(days=int(years * 365.2425))


def _years_after(day: datetime.date, years: float) -> datetime.date:
    return day + datetime.timedelta(days=int(years * 365.2425))


#
# The plan: unsaved model instances
#


@dataclass
class DemoPlan:
    """Everything `build_demo` writes, as unsaved model instances in insertion order."""

    root: Organization
    organizations: list[Organization] = field(default_factory=list)  # below the root, parents before children
    members: list[Member] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    members_by_cell: dict[str, list[Member]] = field(default_factory=dict)  # by cell code
    # Where the demo accounts land (copy 1).
    grassroots_committee: Organization | None = None  # capuycoso
    secretary_cell: Organization | None = None  # bithu
    secretary_member: Member | None = None
    ordinary_member: Member | None = None  # dangvien
    outsider_cell: Organization | None = None  # bithu2
    outsider_member: Member | None = None
    # Member history (plan_member_events): status changes and transfers, in insertion order.
    status_changes: list[StatusChange] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    # Per copy: its cells, and the codes of the weak cells and of the cells the demo accounts use.
    copy_cells: list[list["_CellInfo"]] = field(default_factory=list)
    weak_codes: set[str] = field(default_factory=set)
    protected_codes: set[str] = field(default_factory=set)
    today: datetime.date | None = None
    meetings_seed: int = 0  # build_meetings draws from this
    meeting_stats: "MeetingStats | None" = None  # set by build_demo when it logs meetings

    @property
    def cells(self) -> list[Organization]:
        return [org for org in self.organizations if org.kind in Organization.CELL_KINDS]

    def count(self, kind: str) -> int:
        return sum(1 for org in self.organizations if org.kind == kind)


def _organization(*, parent, name, code, kind, unit_type, host_unit_name, founded_on) -> Organization:
    organization = Organization(
        parent=parent,
        name=name,
        code=code,
        kind=kind,
        unit_type=unit_type,
        host_unit_name=host_unit_name,
        founded_on=founded_on,
        depth=parent.depth + 1 if parent is not None else 0,
    )
    organization.refresh_search_text()
    return organization


def plan_root() -> Organization:
    return _organization(
        parent=None,
        name=ROOT_NAME,
        code=ROOT_CODE,
        kind=Kind.UPPER,
        unit_type=PARTY,
        host_unit_name=ROOT_HOST,
        founded_on=ROOT_FOUNDED_ON,
    )


def spread_to_total(
    rng: random.Random, counts: list[int], total: int, lows: list[int], highs: list[int], fixed: set[int] = frozenset()
) -> list[int]:
    """Nudge `counts` one unit at a time, at random positions not in `fixed`, until they add up to `total`."""
    counts = list(counts)
    movable = [i for i in range(len(counts)) if i not in fixed]
    can_shrink = sum(counts[i] - lows[i] for i in movable)
    can_grow = sum(highs[i] - counts[i] for i in movable)
    difference = total - sum(counts)
    if difference < -can_shrink or difference > can_grow:
        raise ValueError(f"Cannot spread {sum(counts)} to {total} within the bounds")
    while difference:
        i = rng.choice(movable)
        if difference > 0 and counts[i] < highs[i]:
            counts[i] += 1
            difference -= 1
        elif difference < 0 and counts[i] > lows[i]:
            counts[i] -= 1
            difference += 1
    return counts


def _head_titles(unit_name: str) -> tuple[str, str]:
    for prefix, head, deputy in HEAD_TITLES:
        if unit_name.startswith(prefix):
            return head, deputy
    return DEFAULT_HEAD_TITLES


@dataclass
class _CellInfo:
    """What member planning needs to know about a cell beyond the Organization row."""

    organization: Organization
    profile: str
    unit_name: str  # the department (or, for a chi bộ cơ sở, the host unit) its bí thư heads
    workplace: str
    host_name: str = ""  # the host unit of its grassroots organisation


def plan_grassroots(
    rng: random.Random, root: Organization, *, copy: int = 1
) -> tuple[list[Organization], list[_CellInfo]]:
    """One copy of the grassroots level: 44 đảng bộ cơ sở (with 288 cells in all) and 28 chi bộ cơ sở.

    Copies after the first get a code suffix ("DB01-S2") and a name suffix ("(S2)").
    """
    code_suffix = "" if copy == 1 else f"-S{copy}"
    name_suffix = "" if copy == 1 else f" (S{copy})"
    minimums = [
        max(CELLS_PER_COMMITTEE[0], sum(len(c) for _n, c in host.sub_committees) + 2)
        for host in GRASSROOTS_COMMITTEE_HOSTS
    ]
    n_hosts = len(GRASSROOTS_COMMITTEE_HOSTS)
    counts = [max(minimums[i], rng.randint(*CELLS_PER_COMMITTEE)) for i in range(n_hosts)]
    counts = spread_to_total(rng, counts, CELLS_PER_COPY, minimums, [CELLS_PER_COMMITTEE[1]] * n_hosts)

    organizations: list[Organization] = []
    cells: list[_CellInfo] = []
    today_bound = datetime.date(2024, 12, 31)
    for number, (host, n_cells) in enumerate(zip(GRASSROOTS_COMMITTEE_HOSTS, counts, strict=True), start=1):
        code = f"DB{number:02d}{code_suffix}"
        committee = _organization(
            parent=root,
            name=f"Đảng bộ {host.name}{name_suffix}",
            code=code,
            kind=Kind.GRASSROOTS_COMMITTEE,
            unit_type=host.unit_type,
            host_unit_name=host.name,
            founded_on=random_date(rng, datetime.date(1965, 1, 1), datetime.date(2012, 12, 31)),
        )
        organizations.append(committee)

        sub_departments = {dept for _name, depts in host.sub_committees for dept in depts}
        available = [d for d in dict.fromkeys(host.departments + DEPARTMENTS[host.profile]) if d not in sub_departments]
        n_direct = n_cells - len(sub_departments)
        # Keep the list order (Văn phòng first, ...) so that the codes read like a real roster.
        chosen = sorted(rng.sample(range(len(available)), n_direct))
        placements = [(committee, available[i]) for i in chosen]

        for sub_number, (sub_name, sub_depts) in enumerate(host.sub_committees, start=1):
            sub = _organization(
                parent=committee,
                name=f"Đảng bộ bộ phận {sub_name}",
                code=f"{code}-BP{sub_number}",
                kind=Kind.SUB_COMMITTEE,
                unit_type=host.unit_type,
                host_unit_name=f"{sub_name}, {host.name}",
                founded_on=random_date(rng, committee.founded_on, today_bound),
            )
            organizations.append(sub)
            placements.extend((sub, dept) for dept in sub_depts)

        for cell_number, (parent, dept) in enumerate(placements, start=1):
            cell = _organization(
                parent=parent,
                name=f"Chi bộ {dept}",
                code=f"{code}-CB{cell_number:02d}",
                kind=Kind.CELL,
                unit_type=host.unit_type,
                host_unit_name=f"{dept}, {host.name}",
                founded_on=random_date(rng, parent.founded_on, today_bound),
            )
            organizations.append(cell)
            cells.append(_CellInfo(cell, host.profile, dept, f"{dept}, {host.name}", host.name))

    for number, host in enumerate(GRASSROOTS_CELL_HOSTS, start=1):
        cell = _organization(
            parent=root,
            name=f"Chi bộ {host.name}{name_suffix}",
            code=f"CBCS{number:02d}{code_suffix}",
            kind=Kind.GRASSROOTS_CELL,
            unit_type=host.unit_type,
            host_unit_name=host.name,
            founded_on=random_date(rng, datetime.date(1975, 1, 1), datetime.date(2015, 12, 31)),
        )
        organizations.append(cell)
        cells.append(_CellInfo(cell, host.profile, host.name, host.name, host.name))
    return organizations, cells


def plan_member(rng: random.Random, info: _CellInfo, *, status: str, today: datetime.date) -> Member:
    """One member of the cell with plausible dates for the status (full members: official = admitted + 12 months)."""
    gender = Gender.FEMALE if rng.random() < FEMALE_SHARE.get(info.profile, DEFAULT_FEMALE_SHARE) else Gender.MALE
    full_name = random_person_name(rng, gender)
    if status == Status.PROBATIONARY:
        age = rng.triangular(22, 45, 27)
        date_of_birth = _years_before(today, age)
        admitted_on = today - datetime.timedelta(days=rng.randint(20, 355))
        official_on = None
    else:
        age = rng.triangular(55, 60, 58) if status == Status.EXEMPT else rng.triangular(22, 60, 41)
        date_of_birth = _years_before(today, age)
        # Admitted at 18.5 or older, and at least a year and a month ago, so that official_on is in the past.
        admitted_age = max(18.5, min(rng.triangular(19, 45, 26), age - 1.1))
        admitted_on = _years_after(date_of_birth, admitted_age)
        official_on = add_years(admitted_on, 1)
    phone = "" if rng.random() < 0.1 else rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
    return Member(
        organization=info.organization,
        full_name=full_name,
        status=status,
        gender=gender,
        date_of_birth=date_of_birth,
        admitted_on=admitted_on,
        official_on=official_on,
        ethnicity=_ETHNICITY.draw(rng),
        job_title=_JOB_TITLES[info.profile].draw(rng),
        workplace=info.workplace,
        is_civil_servant=info.organization.unit_type in CIVIL_SERVICE_TYPES,
        phone=phone,
    )


def plan_cell_members(
    rng: random.Random, info: _CellInfo, size: int, *, weak: bool, today: datetime.date
) -> list[Member]:
    """`size` members; a weak cell has only 2 full members, any other cell at least 3."""
    if weak:
        statuses = [Status.FULL, Status.FULL] + [Status.PROBATIONARY] * (size - 2)
        if rng.random() < 0.5:
            statuses[-1] = Status.EXEMPT
    else:
        statuses = []
        for _i in range(size):
            roll = rng.random()
            if roll < PROBATIONARY_SHARE:
                statuses.append(Status.PROBATIONARY)
            elif roll < PROBATIONARY_SHARE + 0.006:
                statuses.append(Status.EXEMPT)
            else:
                statuses.append(Status.FULL)
        for i in range(size):
            if statuses.count(Status.FULL) >= 3:
                break
            statuses[i] = Status.FULL
    return [plan_member(rng, info, status=status, today=today) for status in statuses]


def plan_cell_committee(
    rng: random.Random, info: _CellInfo, members: list[Member], *, with_committee: bool, today: datetime.date
) -> list[Position]:
    """The bí thư (every cell), and either a chi ủy (bí thư, phó bí thư, chi ủy viên) or a lone phó bí thư.

    Seats go to full members only (probationary members cannot stand, domain.md §2). The bí thư is one of the
    older half and heads the unit.
    """
    full = [m for m in members if m.status == Status.FULL]
    by_age = sorted(full, key=lambda m: m.date_of_birth)
    secretary = rng.choice(by_age[: max(1, len(by_age) // 2)])
    others = [m for m in full if m is not secretary]
    started_on = min(today, datetime.date(2025, rng.randint(3, 6), rng.randint(1, 28)))
    head, deputy_head = _head_titles(info.unit_name)
    seats = [(secretary, Position.Role.SECRETARY)]
    secretary.job_title = head
    if with_committee:
        size = 5 if len(full) >= 15 and rng.random() < 0.6 else 3
        chosen = rng.sample(others, size - 1)
        seats.append((chosen[0], Position.Role.DEPUTY_SECRETARY))
        seats.extend((member, Position.Role.COMMITTEE_MEMBER) for member in chosen[1:])
        chosen[0].job_title = deputy_head
    elif len(full) >= 5 and rng.random() < 0.6:
        deputy = rng.choice(others)
        seats.append((deputy, Position.Role.DEPUTY_SECRETARY))
        deputy.job_title = deputy_head
    return [
        Position(member=member, organization=info.organization, role=role, term_label=TERM_LABEL, started_on=started_on)
        for member, role in seats
    ]


def assign_party_cards(rng: random.Random, members: list[Member], *, taken: set[str] = frozenset()) -> None:
    """Unique 8-digit card numbers for nearly all full (and exempt) members; probationary members have none yet."""
    holders = [m for m in members if m.status != Status.PROBATIONARY and rng.random() < 0.985]
    numbers = (f"{n:08d}" for n in rng.sample(range(10_000_000, 100_000_000), len(holders) + len(taken)))
    free = (number for number in numbers if number not in taken)
    for member, number in zip(holders, free, strict=False):
        member.party_card_no = number


def plan_copy(rng: random.Random, plan: DemoPlan, *, copy: int, today: datetime.date) -> None:
    """Add one copy of the grassroots level, its members and committees to `plan`."""
    tree_rng, size_rng, people_rng, committee_rng = (random.Random(rng.getrandbits(64)) for _i in range(4))
    organizations, cells = plan_grassroots(tree_rng, plan.root, copy=copy)
    plan.organizations.extend(organizations)

    # The cells the demo accounts use (the first cell of DB01 and of DB02) stay healthy: large, with a chi ủy.
    first_two = [org for org in organizations if org.kind == Kind.GRASSROOTS_COMMITTEE][:2]
    protected = {next(i for i, info in enumerate(cells) if info.organization.parent is parent) for parent in first_two}
    weak_candidates = [i for i, info in enumerate(cells) if info.organization.kind == Kind.CELL and i not in protected]
    weak = set(size_rng.sample(weak_candidates, size_rng.randint(*WEAK_CELLS_PER_COPY)))

    lows, highs, sizes = [], [], []
    for i, info in enumerate(cells):
        if info.organization.kind == Kind.GRASSROOTS_CELL:
            low, high = MEMBERS_PER_GRASSROOTS_CELL
            size = round(size_rng.triangular(low, high, 19))
        else:
            low, high = MEMBERS_PER_CELL
            size = round(size_rng.triangular(low, high, 11))
        if i in weak:
            size = low
        elif i in protected:
            size = max(size, 15)
        lows.append(low)
        highs.append(high)
        sizes.append(size)
    sizes = spread_to_total(size_rng, sizes, MEMBERS_PER_COPY, lows, highs, fixed=weak | protected)

    plan.copy_cells.append(cells)
    plan.weak_codes.update(cells[i].organization.code for i in weak)
    plan.protected_codes.update(cells[i].organization.code for i in protected)
    for i, (info, size) in enumerate(zip(cells, sizes, strict=True)):
        members = plan_cell_members(people_rng, info, size, weak=i in weak, today=today)
        full_count = sum(1 for m in members if m.status == Status.FULL)
        with_committee = full_count >= 9 and (i in protected or committee_rng.random() < COMMITTEE_SHARE)
        positions = plan_cell_committee(committee_rng, info, members, with_committee=with_committee, today=today)
        plan.members.extend(members)
        plan.positions.extend(positions)
        plan.members_by_cell[info.organization.code] = members

    if copy == 1:
        by_code = {org.code: org for org in organizations}
        plan.grassroots_committee = by_code["DB01"]
        plan.secretary_cell = cells[min(protected)].organization
        plan.outsider_cell = cells[max(protected)].organization
        seated = {id(p.member) for p in plan.positions}
        secretaries = {p.organization.code: p.member for p in plan.positions if p.role == Position.Role.SECRETARY}
        plan.secretary_member = secretaries[plan.secretary_cell.code]
        plan.outsider_member = secretaries[plan.outsider_cell.code]
        plan.ordinary_member = next(
            m for m in plan.members_by_cell[plan.secretary_cell.code] if m.status == Status.FULL and id(m) not in seated
        )


def plan_demo(
    rng: random.Random, *, scale: int = 1, today: datetime.date | None = None, taken_cards: set[str] = frozenset()
) -> DemoPlan:
    """The whole demo as unsaved instances; no queries. `taken_cards`: party card numbers already in the database."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    today = today or timezone.localdate()
    copies_seed = rng.getrandbits(64)
    cards_rng = random.Random(rng.getrandbits(64))
    plan = DemoPlan(root=plan_root(), today=today)
    for copy in range(1, scale + 1):
        plan_copy(random.Random(f"{copies_seed}:{copy}"), plan, copy=copy, today=today)
    assign_party_cards(cards_rng, plan.members, taken=taken_cards)
    # Later steps draw after the ones above, so that they leave the names, sizes and cards of a seed unchanged.
    events_seed = rng.getrandbits(64)
    plan.meetings_seed = rng.getrandbits(64)
    for copy, cells in enumerate(plan.copy_cells, start=1):
        plan_member_events(random.Random(f"{events_seed}:{copy}"), plan, cells, today=today)
    for member in plan.members:
        member.refresh_derived()
    return plan


#
# Accounts
#


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None  # a RoleAssignment.Role, None for the superuser and the plain member
    description: str
    full_name: str = ""  # empty: the name of the member record the account is linked to


DEMO_ACCOUNTS = (
    DemoAccount("admin", None, "Superuser", "Vũ Đình Khải"),
    DemoAccount("bantochuc", Role.STAFF, "Committee staff (ban tổ chức)", "Trần Thị Thanh Hương"),
    DemoAccount("lanhdao", Role.LEADER, "Leadership (reports)", "Lê Quang Thắng"),
    DemoAccount("capuycoso", Role.GRASSROOTS, "Grassroots committee", "Phạm Minh Tuấn"),
    DemoAccount("bithu", Role.SECRETARY, "Cell secretary"),
    DemoAccount("dangvien", None, "Party member, no role"),
    DemoAccount("bithu2", Role.SECRETARY, "Cell secretary in another đảng bộ (the outsider)"),
)


def _split_name(full_name: str) -> tuple[str, str]:
    """(last_name, first_name) as cells.services.user_create stores them: family and middle names, given name."""
    parts = full_name.rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])


def _ensure_accounts(plan: DemoPlan) -> tuple[dict[str, object], list[str]]:
    """Create the demo users (one password hash for all). Existing users are kept as they are."""
    User = get_user_model()
    linked = {"bithu": plan.secretary_member, "dangvien": plan.ordinary_member, "bithu2": plan.outsider_member}
    password_hash = make_password(DEMO_PASSWORD)
    users, kept = {}, []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is not None:
            kept.append(account.username)
        else:
            last_name, first_name = _split_name(account.full_name or linked[account.username].full_name)
            is_admin = account.username == "admin"
            user = User(
                username=account.username,
                first_name=first_name,
                last_name=last_name,
                email=f"{account.username}@example.org",
                password=password_hash,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            user.save()
        users[account.username] = user
    for username, member in linked.items():
        if not Member.objects.filter(user=users[username]).exists():
            member.user = users[username]
    return users, kept


#
# Writing
#


def _check_codes_free(plan: DemoPlan) -> None:
    codes = [plan.root.code] + [org.code for org in plan.organizations]
    for start in range(0, len(codes), 500):
        taken = list(Organization.objects.filter(code__in=codes[start : start + 500]).values_list("code", flat=True))
        if taken:
            raise ValueError(f"Organisation codes already in use: {', '.join(sorted(taken)[:10])}")


def _save_organizations(plan: DemoPlan) -> None:
    """Insert level by level: each level needs its parents' keys, and its own keys to write `path`."""
    root = plan.root
    root.save()
    root.path = f"/{root.pk}/"
    root.save(update_fields=["path"])
    by_depth: dict[int, list[Organization]] = {}
    for organization in plan.organizations:
        by_depth.setdefault(organization.depth, []).append(organization)
    for depth in sorted(by_depth):
        level = by_depth[depth]
        Organization.objects.bulk_create(level, batch_size=500)
        if any(org.pk is None for org in level):
            raise RuntimeError("This database does not return keys from bulk inserts (PostgreSQL or SQLite 3.35+).")
        for organization in level:
            organization.path = f"{organization.parent.path}{organization.pk}/"
        Organization.objects.bulk_update(level, ["path"], batch_size=500)


@transaction.atomic
def build_demo(
    rng: random.Random,
    *,
    scale: int = 1,
    today: datetime.date | None = None,
    audit_data: dict | None = None,
) -> tuple[DemoPlan, list[str]]:
    """Plan and write the demo; returns the plan (now saved) and the demo user names that already existed.

    Runs in one transaction (a savepoint if the caller has one). Raises ValueError if a demo code is already taken.
    """
    taken_cards = set(Member.objects.exclude(party_card_no=None).values_list("party_card_no", flat=True))
    plan = plan_demo(rng, scale=scale, today=today, taken_cards=taken_cards)
    _check_codes_free(plan)
    _save_organizations(plan)
    users, kept = _ensure_accounts(plan)
    Member.objects.bulk_create(plan.members, batch_size=1000)
    Position.objects.bulk_create(plan.positions, batch_size=1000)

    grants = {
        "bantochuc": plan.root,
        "lanhdao": plan.root,
        "capuycoso": plan.grassroots_committee,
        "bithu": plan.secretary_cell,
        "bithu2": plan.outsider_cell,
    }
    roles = {account.username: account.role for account in DEMO_ACCOUNTS}
    for username, organization in grants.items():
        user = users[username]
        if not RoleAssignment.objects.filter(user=user, organization=organization, role=roles[username]).exists():
            role_grant(user=user, organization=organization, role=roles[username], granted_by=None)

    log_action(
        actor=None,
        action="cells.demo.seeded",
        organization=plan.root,
        target=plan.root,
        message=f"Demo data: {len(plan.organizations) + 1} organisations, {len(plan.members)} members",
        data={"scale": scale, **(audit_data or {})},
    )
    return plan, kept


#
# Reading back: the login table
#


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    lands_at: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts present in the database, with their role and where they land (read from the rows)."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        member = Member.objects.filter(user=user).select_related("organization").first()
        assignments = list(
            RoleAssignment.objects.filter(user=user).select_related("organization").order_by("organization__path")
        )
        places = [f"{a.organization.name} [{a.organization.code}]" for a in assignments]
        if user.is_superuser:
            places.insert(0, "everything, and /admin/")
        if member is not None:
            own = f"own record: {member.full_name}"
            places.append(own if assignments else f"{own}, {member.organization.name} [{member.organization.code}]")
        rows.append(DemoLogin(user.username, DEMO_PASSWORD, account.description, "; ".join(places) or "-"))
    return rows
