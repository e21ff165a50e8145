"""Demo data: a bloc committee (Đảng bộ Khối) shaped like domain.md §1.2, built deterministically.

Three steps, so that later issues (evaluations, ...) can extend the data without touching this code:

- `plan_demo(rng, ...)` builds *unsaved* model instances (organisations, members, committee positions, the members'
  status history and transfers) and runs no query, so the same seed gives the same data and tests can compare plans
  without a database;
- `build_demo(rng, ...)` plans, then writes the plan with bulk inserts (paths set level by level), creates the demo
  accounts and grants their roles, and logs the meetings, all in one transaction;
- `build_meetings(root=..., seed=...)` logs the cells' meetings from January 2024 to the month before today, with
  attendance, temporary members and scores. It reads the tree and the members' history from the database, so it
  can also log the meetings of a few cells only (tests) or of a tree seeded with `--no-meetings`.

Randomness: every step draws from its own `random.Random`, derived from the caller's one in a fixed order, so that
adding a step later does not change the names already generated for a seed. Each copy of the grassroots level
(`scale`) has its own generator too, so copy 1 is the same at every scale, and each cell's meetings draw from a
generator of their own (seed and cell code). `today` only moves dates: the same seed on the same day gives the same
rows.

The Vietnamese strings below are demo *data* (unit and department names, personal names, minutes), not user
interface text.
"""

import bisect
import calendar
import contextlib
import datetime
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cells.models import Organization, RoleAssignment
from cells.services import log_action, role_grant
from criteria.selectors import parameters_on
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, MeetingScore, TemporaryAttendance
from members.models import Member, Position, StatusChange, Transfer
from members.services import add_working_days

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
        # Admitted at 18.5 or older, and at least a year and a month ago, so that official_on is in the past. A
        # draw past that latest age is scaled into [18.5, latest] rather than cut to it: cutting piled a fifth of
        # the members onto one admission date (13 months ago), all probationary in last year's meetings.
        admitted_age, latest = rng.triangular(19, 45, 26), age - 1.1
        if admitted_age > latest:
            admitted_age = 18.5 + (latest - 18.5) * (admitted_age - 19) / (45 - 19)
        admitted_age = max(18.5, admitted_age)
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


#
# Member history: status changes and transfers (domain.md §2; rules B18, B20)
#

# Per copy of the grassroots level.
SUSPENDED_PER_COPY = 4
TRANSFERRED_OUT_PER_COPY = 6
DECEASED_PER_COPY = 3
LEFT_PARTY_PER_COPY = 2
MOVES_PER_COPY = 20  # official transfers between two cells of the tree
OVERDUE_MOVES_PER_COPY = 2  # letter never presented, the 60 working days are over (rule B20)
LATE_LETTER_MOVES_PER_COPY = 1  # letter presented after its 30 working days (rule B20)
TEMPORARY_PER_COPY = 15  # members from outside the tree attending a cell for a while (sinh hoạt tạm thời)
PROBATION_DUE_SOON_PER_COPY = 4  # probationary members whose 12 months end within the alert window (rule B18)
PROBATION_OVERDUE_PER_COPY = 3  # ... or have ended with no decision yet
EVENTS_FROM = datetime.date(2025, 1, 1)  # transfers and departures happen from here to today

RECOGNITION_REASON = "Công nhận đảng viên chính thức"
# (reason, lasts at most 12 months)
EXEMPTION_REASONS = (
    ("Sức khỏe yếu, điều trị bệnh dài ngày; chi bộ đồng ý miễn công tác và sinh hoạt đảng", True),
    ("Sức khỏe yếu, tự nguyện xin miễn công tác và sinh hoạt đảng", False),
)
SUSPENSION_REASONS = (
    "Đình chỉ sinh hoạt đảng để xem xét, xử lý kỷ luật",
    "Đình chỉ sinh hoạt đảng trong thời gian bị khởi tố, điều tra",
)
DEATH_REASON = "Từ trần"
STRUCK_OFF_REASON = "Xóa tên trong danh sách đảng viên: bỏ sinh hoạt đảng 3 tháng trong năm không có lý do chính đáng"
LEAVING_REASONS = (STRUCK_OFF_REASON, "Tự nguyện xin ra khỏi Đảng; cấp ủy quyết định xóa tên trong danh sách đảng viên")
RETIREMENT_REASON = "Nghỉ hưu, chuyển sinh hoạt đảng về nơi cư trú"
TRANSFER_OUT_REASONS = ("Chuyển công tác ra ngoài Đảng bộ Khối", "Thôi việc, chuyển về địa phương")
MOVE_REASONS = ("Điều động công tác", "Luân chuyển cán bộ", "Chuyển công tác theo nguyện vọng")
# Communes and their districts (the districts were abolished on 1 July 2025: later texts name the commune only).
COMMUNES = (
    ("Minh Quán", "Trấn Yên"),
    ("Báo Đáp", "Trấn Yên"),
    ("Việt Thành", "Trấn Yên"),
    ("Đông Cuông", "Văn Yên"),
    ("Mậu Đông", "Văn Yên"),
    ("An Thịnh", "Văn Yên"),
    ("Cảm Nhân", "Yên Bình"),
    ("Phúc An", "Yên Bình"),
    ("Vĩnh Kiên", "Yên Bình"),
    ("Tân Lĩnh", "Lục Yên"),
    ("Cát Thịnh", "Văn Chấn"),
    ("Sơn Thịnh", "Văn Chấn"),
    ("Chấn Thịnh", "Văn Chấn"),
)
DISTRICTS_ABOLISHED_ON = datetime.date(2025, 7, 1)
OUTSIDE_UNITS = ("Trường Trung học cơ sở", "Trường Tiểu học", "Trạm Y tế", "Ủy ban nhân dân xã")
OUTSIDE_COMMITTEES = (
    "Đảng bộ Sở Y tế tỉnh Phú Thọ",
    "Đảng bộ Sở Giáo dục và Đào tạo tỉnh Tuyên Quang",
    "Đảng bộ Trường Đại học Nông Lâm, Đại học Thái Nguyên",
    "Đảng bộ Công ty Điện lực Tuyên Quang",
    "Đảng bộ Bệnh viện Đa khoa khu vực Nghĩa Lộ",
)
# (reason, months the stay lasts, for full-time study): rule B20 allows under a year for work, two for study.
TEMPORARY_REASONS = (
    ("Biệt phái công tác có thời hạn", (9, 11), False),
    ("Tăng cường, hỗ trợ chuyên môn có thời hạn", (9, 11), False),
    ("Học tập trung lớp trung cấp lý luận chính trị - hành chính", (8, 10), True),
    ("Học tập trung nâng cao trình độ chuyên môn", (12, 24), True),
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (as members.services counts probation)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day in [start, end] (start when the range is empty); always one draw, so later draws do not shift."""
    offset = rng.randint(0, max(0, (end - start).days))
    return start + datetime.timedelta(days=offset)


def _aware(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _decision_no(rng: random.Random, cell: Organization, *, upper: bool = False) -> str:
    """A decision number of the grassroots committee ("…-QĐ/ĐU"), or of the bloc committee for a chi bộ cơ sở or
    a move that leaves the đảng bộ cơ sở ("…-QĐ/ĐUK")."""
    issuer = "ĐUK" if upper or cell.kind == Kind.GRASSROOTS_CELL else "ĐU"
    return f"{rng.randint(12, 480)}-QĐ/{issuer}"


def _commune_text(rng: random.Random, day: datetime.date, *, prefix: str = "Đảng bộ") -> str:
    commune, district = rng.choice(COMMUNES)
    if day < DISTRICTS_ABOLISHED_ON:
        return f"{prefix} xã {commune}, huyện {district}"
    return f"{prefix} xã {commune}"


def _grassroots_of(cell: Organization) -> Organization:
    node = cell
    while node.kind not in Organization.GRASSROOTS_KINDS and node.parent is not None:
        node = node.parent
    return node


def plan_member_events(rng: random.Random, plan: DemoPlan, cells: list[_CellInfo], *, today: datetime.date) -> None:
    """One copy's member history, added to `plan`: a StatusChange for each full member's recognition and each
    exemption; a few suspended members, transfers out of the tree, deaths and departures (those members stay in
    their cell with that status); official transfers between cells (the member moves; a few late per rule B20);
    members from outside attending temporarily; a few probationary members due or overdue (rule B18).

    Who is picked depends on the seed only, never on `today` (which only moves the dates). Cells of the demo
    accounts and weak cells are left alone, and no cell crosses the 3 and 9 full-member lines of rule B19.
    """
    pick_rng, date_rng, text_rng = (random.Random(rng.getrandbits(64)) for _i in range(3))
    seated = {id(p.member) for p in plan.positions}
    accounts = {id(m) for m in (plan.secretary_member, plan.ordinary_member, plan.outsider_member) if m is not None}
    by_code = {info.organization.code: info for info in cells}
    open_cells = [info for info in cells if info.organization.code not in plan.weak_codes | plan.protected_codes]
    size = {code: len(plan.members_by_cell[code]) for code in by_code}
    full = {code: sum(m.status == Status.FULL for m in plan.members_by_cell[code]) for code in by_code}
    pool = [
        (info, member)
        for info in open_cells
        for member in plan.members_by_cell[info.organization.code]
        if member.status == Status.FULL and id(member) not in seated and id(member) not in accounts
    ]
    older = sorted(pool, key=lambda pair: pair[1].date_of_birth)[: len(pool) // 3]
    touched: set[int] = set()

    def can_lose_full(code: str) -> bool:
        return full[code] >= 4 and full[code] != 9

    def pick(candidates, accept=lambda info, member: True):
        for _attempt in range(500):
            info, member = candidates[pick_rng.randrange(len(candidates))]
            if id(member) not in touched and accept(info, member):
                touched.add(id(member))
                return info, member
        raise ValueError("Too few members to plan the demo's member history")

    # Official transfers between cells: the member moves on the decision date (members.services.transfer_official).
    moved: dict[int, tuple[Organization, datetime.date]] = {}
    for number in range(MOVES_PER_COPY):
        source, member = pick(
            pool, lambda info, m: size[info.organization.code] >= 7 and can_lose_full(info.organization.code)
        )
        targets = [
            info
            for info in open_cells
            if info is not source and size[info.organization.code] < 30 and full[info.organization.code] != 8
        ]
        same_profile = [info for info in targets if info.profile == source.profile]
        target = pick_rng.choice(same_profile or targets)
        source_code, target_code = source.organization.code, target.organization.code
        size[source_code] -= 1
        full[source_code] -= 1
        size[target_code] += 1
        full[target_code] += 1
        plan.members_by_cell[source_code].remove(member)
        plan.members_by_cell[target_code].append(member)
        if number < OVERDUE_MOVES_PER_COPY:
            decided_on = _day_between(
                date_rng, today - datetime.timedelta(days=200), today - datetime.timedelta(days=95)
            )
            issued_on = decided_on + datetime.timedelta(days=date_rng.randint(1, 5))
            presented_on = None
        elif number < OVERDUE_MOVES_PER_COPY + LATE_LETTER_MOVES_PER_COPY:
            decided_on = _day_between(date_rng, EVENTS_FROM, today - datetime.timedelta(days=130))
            issued_on = decided_on + datetime.timedelta(days=date_rng.randint(1, 5))
            presented_on = add_working_days(issued_on, date_rng.randint(34, 45))
        else:
            decided_on = _day_between(date_rng, EVENTS_FROM, today - datetime.timedelta(days=7))
            issued_on = min(today, decided_on + datetime.timedelta(days=date_rng.randint(0, 6)))
            presented_on = add_working_days(issued_on, date_rng.randint(2, 20))
            if presented_on > today:
                presented_on = None
        leaves_committee = _grassroots_of(source.organization) is not _grassroots_of(target.organization)
        plan.transfers.append(
            Transfer(
                kind=Transfer.Kind.OFFICIAL,
                member=member,
                from_organization=source.organization,
                to_organization=target.organization,
                decided_on=decided_on,
                decision_no=_decision_no(text_rng, source.organization, upper=leaves_committee),
                letter_issued_on=issued_on,
                letter_presented_on=presented_on,
                completed_on=presented_on,
                reason=text_rng.choice(MOVE_REASONS),
                recorded_at=_aware(decided_on),
            )
        )
        moved[id(member)] = (source.organization, decided_on)
        member.organization = target.organization
        member.workplace = target.workplace
        member.is_civil_servant = target.organization.unit_type in CIVIL_SERVICE_TYPES

    def cell_on(member: Member, day: datetime.date) -> Organization:
        source, decided_on = moved.get(id(member), (None, None))
        return source if source is not None and day < decided_on else member.organization

    # Recognition as a full member, for everyone who has been recognised.
    for info in cells:
        for member in plan.members_by_cell[info.organization.code]:
            if member.official_on is None:
                continue
            cell = cell_on(member, member.official_on)
            plan.status_changes.append(
                StatusChange(
                    member=member,
                    previous_status=Status.PROBATIONARY,
                    status=Status.FULL,
                    effective_on=member.official_on,
                    decision_no=_decision_no(text_rng, cell),
                    reason=RECOGNITION_REASON,
                    organization=cell,
                    recorded_at=_aware(member.official_on),
                )
            )

    def change(member, status, effective_on, *, reason, decision_no="", ends_on=None):
        plan.status_changes.append(
            StatusChange(
                member=member,
                previous_status=member.status,
                status=status,
                effective_on=effective_on,
                ends_on=ends_on,
                decision_no=decision_no,
                reason=reason,
                organization=member.organization,
                recorded_at=_aware(effective_on, 10),
            )
        )
        member.status = status

    def after_recognition(member: Member, day: datetime.date) -> datetime.date:
        return max(day, member.official_on + datetime.timedelta(days=30))

    # Exempt members (planned with that status): the chi bộ's decision and its reason.
    for info in cells:
        for member in plan.members_by_cell[info.organization.code]:
            if member.status != Status.EXEMPT:
                continue
            reason, limited = EXEMPTION_REASONS[text_rng.random() < 0.5]
            if limited:
                effective_on = _day_between(
                    date_rng, today - datetime.timedelta(days=330), today - datetime.timedelta(days=20)
                )
            else:
                effective_on = _day_between(date_rng, datetime.date(2021, 1, 1), today - datetime.timedelta(days=20))
            effective_on = after_recognition(member, effective_on)
            member.status = Status.FULL  # what it was before the change
            change(
                member,
                Status.EXEMPT,
                effective_on,
                reason=reason,
                decision_no=_decision_no(text_rng, info.organization),
                ends_on=add_years(effective_on, 1) if limited else None,
            )

    # Off the roll, staying in their cell with that status: transfers out of the tree, deaths, departures.
    for number in range(TRANSFERRED_OUT_PER_COPY):
        retiring = number % 2 == 0
        info, member = pick(older if retiring else pool, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        decided_on = after_recognition(member, _day_between(date_rng, EVENTS_FROM, today - datetime.timedelta(days=10)))
        issued_on = min(today, decided_on + datetime.timedelta(days=date_rng.randint(1, 7)))
        presented_on = add_working_days(issued_on, date_rng.randint(3, 20))  # the receiving committee confirms
        to_text = _commune_text(text_rng, decided_on)
        decision_no = _decision_no(text_rng, info.organization, upper=True)
        plan.transfers.append(
            Transfer(
                kind=Transfer.Kind.OFFICIAL,
                member=member,
                from_organization=info.organization,
                to_text=to_text,
                decided_on=decided_on,
                decision_no=decision_no,
                letter_issued_on=issued_on,
                letter_presented_on=presented_on if presented_on <= today else None,
                completed_on=issued_on,
                reason=RETIREMENT_REASON if retiring else text_rng.choice(TRANSFER_OUT_REASONS),
                recorded_at=_aware(decided_on),
            )
        )
        change(
            member,
            Status.TRANSFERRED_OUT,
            decided_on,
            reason=f"Chuyển sinh hoạt đến {to_text}",
            decision_no=decision_no,
        )
    for _number in range(DECEASED_PER_COPY):
        info, member = pick(older, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        effective_on = after_recognition(
            member, _day_between(date_rng, datetime.date(2024, 3, 1), today - datetime.timedelta(days=10))
        )
        change(member, Status.DECEASED, effective_on, reason=DEATH_REASON)
    for number in range(LEFT_PARTY_PER_COPY):
        info, member = pick(pool, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        effective_on = after_recognition(
            member, _day_between(date_rng, datetime.date(2024, 6, 1), today - datetime.timedelta(days=10))
        )
        change(
            member,
            Status.LEFT_PARTY,
            effective_on,
            reason=LEAVING_REASONS[number % len(LEAVING_REASONS)],
            decision_no=_decision_no(text_rng, info.organization),
        )
    # Suspended (on the roll, not counted at meetings).
    for _number in range(SUSPENDED_PER_COPY):
        info, member = pick(pool, lambda info, m: can_lose_full(info.organization.code))
        full[info.organization.code] -= 1
        reason = text_rng.choice(SUSPENSION_REASONS)
        effective_on = after_recognition(
            member, _day_between(date_rng, today - datetime.timedelta(days=150), today - datetime.timedelta(days=10))
        )
        ends_on = effective_on + datetime.timedelta(days=90) if reason == SUSPENSION_REASONS[0] else None
        change(
            member,
            Status.SUSPENDED,
            effective_on,
            reason=reason,
            decision_no=_decision_no(text_rng, info.organization),
            ends_on=ends_on if ends_on and ends_on > today else None,
        )

    # Members of other organisations attending a cell for a while; they are not on its roll.
    study_cells = [info for info in open_cells if info.host_name.startswith("Trường")] or open_cells
    for _number in range(TEMPORARY_PER_COPY):
        reason, (low, high), study = text_rng.choice(TEMPORARY_REASONS)
        target = pick_rng.choice(study_cells if study else open_cells)
        gender = Gender.FEMALE if text_rng.random() < DEFAULT_FEMALE_SHARE else Gender.MALE
        name = random_person_name(text_rng, gender)
        decided_on = _day_between(date_rng, today - datetime.timedelta(days=240), today - datetime.timedelta(days=20))
        if text_rng.random() < 0.6:
            from_text = f"Chi bộ {text_rng.choice(OUTSIDE_UNITS)}, " + _commune_text(text_rng, decided_on)
        else:
            from_text = text_rng.choice(OUTSIDE_COMMITTEES)
        plan.transfers.append(
            Transfer(
                kind=Transfer.Kind.TEMPORARY,
                member_name=name,
                from_text=from_text,
                to_organization=target.organization,
                decided_on=decided_on,
                decision_no=_decision_no(text_rng, target.organization),
                expected_return_on=add_months(decided_on, date_rng.randint(low, high)),
                reason=reason,
                recorded_at=_aware(decided_on),
            )
        )

    # Probation ending within the alert window, or already over with no decision (rule B18).
    probationary = [
        (info, member)
        for info in open_cells
        for member in plan.members_by_cell[info.organization.code]
        if member.status == Status.PROBATIONARY
    ]
    for number in range(PROBATION_DUE_SOON_PER_COPY + PROBATION_OVERDUE_PER_COPY):
        _info, member = pick(probationary)
        if number < PROBATION_DUE_SOON_PER_COPY:
            due_on = today + datetime.timedelta(days=date_rng.randint(2, 28))
        else:
            due_on = today - datetime.timedelta(days=date_rng.randint(5, 45))
        member.admitted_on = add_years(due_on, -1)


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
    meetings: bool = True,
) -> tuple[DemoPlan, list[str]]:
    """Plan and write the demo; returns the plan (now saved) and the demo user names that already existed.
    With `meetings`, also logs the cells' meetings (build_meetings; its figures in `plan.meeting_stats`).

    Runs in one transaction (a savepoint if the caller has one). Raises ValueError if a demo code is already taken.
    """
    taken_cards = set(Member.objects.exclude(party_card_no=None).values_list("party_card_no", flat=True))
    plan = plan_demo(rng, scale=scale, today=today, taken_cards=taken_cards)
    _check_codes_free(plan)
    _save_organizations(plan)
    users, kept = _ensure_accounts(plan)
    Member.objects.bulk_create(plan.members, batch_size=1000)
    Position.objects.bulk_create(plan.positions, batch_size=1000)
    StatusChange.objects.bulk_create(plan.status_changes, batch_size=1000)
    Transfer.objects.bulk_create(plan.transfers, batch_size=1000)

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
        data={"scale": scale, "meetings": meetings, **(audit_data or {})},
    )
    if meetings:
        plan.meeting_stats = build_meetings(root=plan.root, seed=plan.meetings_seed, today=plan.today)
    return plan, kept


#
# Meetings (sinh hoạt chi bộ): domain.md §3, rules B1–B9
#

MEETINGS_FROM_YEAR = 2024
# Shares of cells, picked by rank so that a whole tree lands on them: cells that miss 1–3 regular meetings in a
# year (rule B1; the bloc's 2023 figure is 80% of cells with all 12), and cells without a thematic meeting in some
# quarter (rule B2).
CELLS_WITH_GAPS_SHARE = 0.20
GAP_MONTHS = _Weighted(((1, 0.55), (2, 0.30), (3, 0.15)))
CELLS_MISSING_THEMATIC_SHARE = 0.15
COMBINED_SHARE = 1 / 3  # the quarter's last regular meeting held together with its thematic one (KET_HOP)
LAST_MONTH_DRAFT_SHARE = 0.45  # the month just ended: drafts still being written
LATE_SHARE = 0.02  # held (or logged) in the first days of the next month
# Attendance: each member has an absence rate around this (≈ 95% present, the bloc's 2023 figure); a few members
# are sometimes absent without reason, and a few cells have someone away for 4–6 months in a row (rule B5).
ABSENCE_RATE = 0.055
UNEXCUSED_MEMBER_SHARE = 0.01
LONG_ABSENCE_CELL_SHARE = 0.03
ABSENCE_REASONS = _Weighted((("Đi công tác", 5), ("Ốm", 3), ("Việc gia đình", 2), ("Đi học", 1), ("Nghỉ phép", 1)))
LONG_ABSENCE_REASONS = ("Đi học tập trung", "Ốm, điều trị dài ngày", "Đi công tác dài ngày")
STRUCK_OFF_WINDOW = datetime.timedelta(days=100)  # absent without reason before being struck off
NOT_COUNTED_REASONS = {Status.EXEMPT: "Miễn công tác và sinh hoạt đảng", Status.SUSPENDED: "Đình chỉ sinh hoạt đảng"}
MEETING_DAYS = _Weighted(((3, 2), (5, 4), (6, 2), (8, 2), (10, 3), (12, 1), (15, 2), (20, 1), (25, 2), (27, 1)))
START_TIMES = _Weighted(
    (
        (datetime.time(7, 30), 1),
        (datetime.time(8, 0), 2),
        (datetime.time(14, 0), 5),
        (datetime.time(14, 30), 3),
        (datetime.time(15, 0), 2),
        (datetime.time(16, 0), 1),
    )
)
REGULAR_MINUTES = _Weighted(((90, 3), (95, 2), (100, 3), (105, 2), (110, 2), (120, 4), (130, 2), (135, 1), (150, 1)))
COMBINED_MINUTES = _Weighted(((120, 3), (130, 2), (135, 2), (150, 3), (165, 1), (180, 1)))
THEMATIC_MINUTES = _Weighted(((90, 2), (100, 2), (105, 1), (120, 3), (135, 1), (150, 1)))

HCM_THEMES = (
    "nêu gương tự học, tự rèn luyện, tu dưỡng đạo đức cách mạng",
    "tinh thần trách nhiệm, kỷ luật, kỷ cương trong thực thi công vụ",
    "thực hành cần, kiệm, liêm, chính, chí công vô tư",
    "thực hành tiết kiệm, chống lãng phí",
    "gần dân, trọng dân, hiểu dân, vì dân",
    "xây dựng khối đoàn kết thống nhất trong cơ quan, đơn vị",
    "phong cách làm việc khoa học, dân chủ, sâu sát thực tế",
)
# (from, until, text): what a cell may have studied that month.
DOCUMENTS = (
    (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
        "Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số 05-CT/TW",
    ),
    (
        datetime.date(2024, 6, 1),
        datetime.date(2025, 6, 30),
        "Quy định số 144-QĐ/TW ngày 09/5/2024 của Bộ Chính trị về chuẩn mực đạo đức cách mạng của cán bộ, "
        "đảng viên trong giai đoạn mới",
    ),
    (
        datetime.date(2024, 7, 1),
        datetime.date(2025, 9, 30),
        "Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu "
        "toàn quốc lần thứ XIV của Đảng",
    ),
    (
        datetime.date(2025, 1, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới "
        "sáng tạo và chuyển đổi số quốc gia",
    ),
    (
        datetime.date(2025, 5, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết số 66-NQ/TW ngày 30/4/2025 của Bộ Chính trị về đổi mới công tác xây dựng và thi hành pháp luật",
    ),
    (
        datetime.date(2025, 5, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết số 68-NQ/TW ngày 04/5/2025 của Bộ Chính trị về phát triển kinh tế tư nhân",
    ),
    (
        datetime.date(2025, 11, 15),
        datetime.date(2026, 12, 31),
        "Hướng dẫn số 42-HD/BTCTW của Ban Tổ chức Trung ương về nâng cao chất lượng sinh hoạt chi bộ",
    ),
    (
        datetime.date(2026, 2, 15),
        datetime.date(2026, 12, 31),
        "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
    ),
)
THEMATIC_TOPICS = (
    (datetime.date(2024, 1, 1), None),  # None: "Học tập và làm theo …" with one of HCM_THEMES
    (datetime.date(2024, 1, 1), "Phòng, chống tham nhũng, lãng phí, tiêu cực trong cơ quan, đơn vị"),
    (datetime.date(2024, 1, 1), "Phát huy vai trò tiên phong, gương mẫu của cán bộ, đảng viên"),
    (datetime.date(2024, 1, 1), "Thực hiện quy chế dân chủ ở cơ sở; công tác dân vận trong cơ quan, đơn vị"),
    (datetime.date(2024, 6, 1), "Thực hiện Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên"),
    (datetime.date(2025, 1, 1), "Sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả"),
    (
        datetime.date(2025, 2, 1),
        "Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số theo Nghị quyết số 57-NQ/TW",
    ),
    (datetime.date(2025, 12, 1), "Nâng cao chất lượng sinh hoạt chi bộ theo Hướng dẫn số 42-HD/BTCTW"),
)
DISCUSSION_FOCUS = (
    "giải pháp hoàn thành các chỉ tiêu chuyên môn",
    "cải cách hành chính và chuyển đổi số trong đơn vị",
    "thực hành tiết kiệm, chống lãng phí",
    "công tác phát triển đảng viên",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "tâm tư, nguyện vọng của người lao động",
)


@dataclass
class MeetingStats:
    meetings: int = 0
    final: int = 0
    attendance: int = 0
    temporary_attendance: int = 0
    scores: int = 0


@dataclass
class _RollEntry:
    """One member's stay in one cell, with their status timeline (from their records)."""

    member_id: int
    start: datetime.date  # in the cell from (inclusive) ...
    end: datetime.date  # ... to (exclusive)
    dates: list[datetime.date]  # status timeline: `statuses[i]` from `dates[i]`
    statuses: list[str]
    date_of_birth: datetime.date | None
    struck_off_on: datetime.date | None  # struck off for not attending: absent without reason before that

    def status_on(self, day: datetime.date) -> str | None:
        """The status on `day` if the member is on this cell's roll that day, else None."""
        if not self.start <= day < self.end:
            return None
        index = bisect.bisect_right(self.dates, day) - 1
        if index < 0:
            return None
        status = self.statuses[index]
        return status if status in Member.ON_ROLL else None


def meeting_months(today: datetime.date) -> list[tuple[int, int]]:
    """The months demo meetings cover: from January MEETINGS_FROM_YEAR to the month before `today`."""
    months = []
    year, month = MEETINGS_FROM_YEAR, 1
    while (year, month) < (today.year, today.month):
        months.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def _ranked_codes(codes: list[str], seed: int, salt: str, share: float) -> set[str]:
    """round(share × n) of the codes, picked by a per-code draw: the same codes whichever subset is built."""
    draws = sorted((random.Random(f"{seed}:{code}:{salt}").random(), code) for code in codes)
    return {code for _draw, code in draws[: round(share * len(codes))]}


def _rolls(root: Organization) -> dict[int, list[_RollEntry]]:
    """Every cell's members over time, from the member records, status changes and transfers between cells."""
    changes = defaultdict(list)
    for member_id, previous, status, effective_on, reason in (
        StatusChange.objects.filter(member__organization__path__startswith=root.path)
        .order_by("effective_on", "pk")
        .values_list("member_id", "previous_status", "status", "effective_on", "reason")
    ):
        changes[member_id].append((previous, status, effective_on, reason))
    moves = defaultdict(list)
    for member_id, from_id, decided_on in (
        Transfer.objects.filter(
            kind=Transfer.Kind.OFFICIAL,
            member__organization__path__startswith=root.path,
            from_organization__isnull=False,
            to_organization__isnull=False,
        )
        .order_by("decided_on", "pk")
        .values_list("member_id", "from_organization_id", "decided_on")
    ):
        moves[member_id].append((from_id, decided_on))
    rolls = defaultdict(list)
    for member_id, organization_id, status, admitted_on, official_on, date_of_birth in (
        Member.objects.filter(organization__path__startswith=root.path)
        .order_by("pk")
        .values_list("pk", "organization_id", "status", "admitted_on", "official_on", "date_of_birth")
    ):
        own = changes.get(member_id, [])
        if admitted_on:
            timeline = [(admitted_on, Status.PROBATIONARY)]
            if official_on and official_on >= admitted_on:
                timeline.append((official_on, Status.FULL))
        else:
            timeline = [(datetime.date.min, own[0][0] if own and own[0][0] else status)]
        timeline += [(effective_on, new) for _previous, new, effective_on, _reason in own]
        timeline.sort(key=lambda point: point[0])
        dates, statuses = [point[0] for point in timeline], [point[1] for point in timeline]
        struck_off_on = next(
            (day for _p, new, day, reason in own if new == Status.LEFT_PARTY and reason == STRUCK_OFF_REASON), None
        )
        start = datetime.date.min
        for from_id, decided_on in moves.get(member_id, []):
            rolls[from_id].append(
                _RollEntry(member_id, start, decided_on, dates, statuses, date_of_birth, struck_off_on)
            )
            start = decided_on
        rolls[organization_id].append(
            _RollEntry(member_id, start, datetime.date.max, dates, statuses, date_of_birth, struck_off_on)
        )
    return rolls


def _month_label(year: int, month: int) -> str:
    return f"{month}/{year}"


def _shift_weekday(day: datetime.date, *, first: datetime.date, last: datetime.date) -> datetime.date:
    """Move a weekend day to the Friday before (or the Monday after) within [first, last]."""
    if day.weekday() < 5:
        return day
    before = day - datetime.timedelta(days=day.weekday() - 4)
    if before >= first:
        return before
    after = day + datetime.timedelta(days=7 - day.weekday())
    return after if after <= last else day


class _Counts:
    """What meetings.services.attendance_counts reads from a meeting, for one not saved yet."""

    def __init__(self, temporary):
        self.temporary_attendances = SimpleNamespace(all=lambda: temporary)


class _MeetingBuilder:
    """Writes the meetings of a tree's cells, a few cells at a time. Each cell draws from its own generator
    (seed and code), so a cell's meetings do not depend on which other cells are built, nor in what order."""

    def __init__(self, *, root: Organization, seed: int, today: datetime.date, batch_size: int):
        self.root, self.seed, self.today, self.batch_size = root, seed, today, batch_size
        self.months = meeting_months(today)
        self.last_month = self.months[-1] if self.months else None
        self.organizations = {o.pk: o for o in Organization.objects.filter(path__startswith=root.path)}
        self.all_cells = sorted(
            (o for o in self.organizations.values() if o.is_cell and o.is_active), key=lambda o: o.code
        )
        codes = [cell.code for cell in self.all_cells]
        years = sorted({year for year, _month in self.months})
        self.gap_cells = {year: _ranked_codes(codes, seed, f"{year}:gaps", CELLS_WITH_GAPS_SHARE) for year in years}
        self.thematic_gap_cells = {
            year: _ranked_codes(codes, seed, f"{year}:thematic", CELLS_MISSING_THEMATIC_SHARE) for year in years
        }
        self.rolls = _rolls(root)
        self.temporary = defaultdict(list)
        for transfer_id, cell_id, decided_on, ended_on in (
            Transfer.objects.filter(kind=Transfer.Kind.TEMPORARY, to_organization__path__startswith=root.path)
            .order_by("pk")
            .values_list("pk", "to_organization_id", "decided_on", "ended_on")
        ):
            self.temporary[cell_id].append((transfer_id, decided_on, ended_on))
        self.seats = defaultdict(dict)
        for cell_id, role, member_id in (
            Position.objects.filter(organization__path__startswith=root.path, ended_on__isnull=True)
            .filter(role__in=(Position.Role.SECRETARY, Position.Role.DEPUTY_SECRETARY))
            .order_by("pk")
            .values_list("organization_id", "role", "member_id")
        ):
            self.seats[cell_id].setdefault(role, member_id)
        self._templates: dict[datetime.date, object] = {}
        self._items: dict[int, list] = {}
        self._parameters: dict[datetime.date, object] = {}
        self._members: dict[int, Member] = {}
        self.stats = MeetingStats()
        self.pending: list[tuple[Meeting, list, list, list]] = []

    # Lookups, cached: a few hundred distinct dates.

    def template_on(self, day: datetime.date):
        if day not in self._templates:
            template = meeting_services.score_template_on(day)
            if template is not None and template.pk not in self._items:
                self._items[template.pk] = list(template.items.order_by("order", "pk"))
            self._templates[day] = template
        return self._templates[day]

    def parameters_on(self, day: datetime.date | None = None):
        day = day or self.today
        if day not in self._parameters:
            self._parameters[day] = parameters_on(day)
        return self._parameters[day]

    def member(self, member_id: int) -> Member:
        """A stand-in carrying only the key, so that presiding / minute_taker read without a query."""
        if member_id not in self._members:
            self._members[member_id] = Member(pk=member_id)
        return self._members[member_id]

    def upper_attendee(self, cell: Organization) -> str:
        grassroots = cell
        while grassroots.kind not in Organization.GRASSROOTS_KINDS and grassroots.parent_id in self.organizations:
            grassroots = self.organizations[grassroots.parent_id]
        rng = random.Random(f"{self.seed}:{grassroots.code}:upper")
        name = random_person_name(rng, Gender.FEMALE if rng.random() < 0.4 else Gender.MALE)
        if grassroots.kind == Kind.GRASSROOTS_CELL:
            return f"{name}, Ủy viên Ban Chấp hành Đảng bộ Khối"
        return f"{name}, Đảng ủy viên, phụ trách chi bộ"

    def host_name(self, cell: Organization) -> str:
        node = cell
        while node.kind not in Organization.GRASSROOTS_KINDS and node.parent_id in self.organizations:
            node = self.organizations[node.parent_id]
        return node.host_unit_name or node.name

    # Writing

    def build(self, cells: list[Organization]) -> MeetingStats:
        for cell in cells:
            self.plan_cell(cell)
            if len(self.pending) >= 1500:
                self.flush()
        self.flush()
        return self.stats

    def flush(self) -> None:
        if not self.pending:
            return
        for meeting, rows, *_rest in self.pending:  # the totals the meeting services keep (KPIs read them)
            meeting.present_count = sum(1 for row in rows if row.status == Attendance.Status.PRESENT)
            meeting.eligible_count = sum(1 for row in rows if row.status not in Attendance.NOT_COUNTED)
        Meeting.objects.bulk_create([meeting for meeting, *_rows in self.pending], batch_size=self.batch_size)
        attendance, temporary, scores = [], [], []
        for meeting, rows, temporary_rows, score_rows in self.pending:
            for row in itertools.chain(rows, temporary_rows, score_rows):
                row.meeting_id = meeting.pk
            attendance += rows
            temporary += temporary_rows
            scores += score_rows
        Attendance.objects.bulk_create(attendance, batch_size=self.batch_size)
        TemporaryAttendance.objects.bulk_create(temporary, batch_size=self.batch_size)
        MeetingScore.objects.bulk_create(scores, batch_size=self.batch_size)
        self.stats.meetings += len(self.pending)
        self.stats.final += sum(1 for meeting, *_rows in self.pending if meeting.is_final)
        self.stats.attendance += len(attendance)
        self.stats.temporary_attendance += len(temporary)
        self.stats.scores += len(scores)
        self.pending = []

    # One cell

    def plan_cell(self, cell: Organization) -> None:
        rng = random.Random(f"{self.seed}:{cell.code}")
        roll = self.rolls.get(cell.pk, [])
        host = self.host_name(cell)
        unit = cell.name.removeprefix("Chi bộ ").split(" (S")[0]
        style = SimpleNamespace(
            day=MEETING_DAYS.draw(rng),
            start=START_TIMES.draw(rng),
            location=rng.choice(
                (
                    f"Phòng họp {host}",
                    f"Phòng họp tầng {rng.randint(2, 5)}, {host}",
                    f"Phòng làm việc {unit}" if cell.kind == Kind.CELL else f"Hội trường {host}",
                )
            ),
            hall=f"Hội trường {host}",
            quality=rng.triangular(0.55, 1.0, 0.9),
            documents=rng.uniform(0.75, 0.98),
            upper_attendee=self.upper_attendee(cell),
            # Members' habits, by their place in the roll.
            absence={entry.member_id: min(0.5, ABSENCE_RATE * rng.expovariate(1.0)) for entry in roll},
            unexcused={entry.member_id for entry in roll if rng.random() < UNEXCUSED_MEMBER_SHARE},
            minute_takers=[
                entry.member_id
                for entry in sorted(roll, key=lambda e: e.date_of_birth or datetime.date.min, reverse=True)
            ][:3],
            long_absence=None,
        )
        seats = self.seats.get(cell.pk, {})
        style.secretary = seats.get(Position.Role.SECRETARY)
        style.deputy = seats.get(Position.Role.DEPUTY_SECRETARY)
        style.minute_takers = [m for m in style.minute_takers if m not in (style.secretary, style.deputy)]
        if rng.random() < LONG_ABSENCE_CELL_SHARE:
            year_start, year_end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
            candidates = [
                entry.member_id
                for entry in roll
                if entry.member_id not in (style.secretary, style.deputy, *style.minute_takers[:1])
                and entry.status_on(year_start) in (Status.FULL, Status.PROBATIONARY)
                and entry.status_on(year_end) in (Status.FULL, Status.PROBATIONARY)
            ]
            if candidates:
                first = rng.randint(1, 8)
                style.long_absence = (
                    rng.choice(candidates),
                    {(2025, month) for month in range(first, first + rng.randint(4, 6))},
                    rng.choice(LONG_ABSENCE_REASONS),
                )

        founded = (cell.founded_on.year, cell.founded_on.month) if cell.founded_on else (0, 0)
        by_year = defaultdict(list)
        for year, month in self.months:
            if (year, month) >= founded:
                by_year[year].append(month)
        for year, months in by_year.items():
            gaps = set()
            if cell.code in self.gap_cells[year]:
                count = GAP_MONTHS.draw(rng)
                gaps = set(rng.sample(months, min(count, len(months))))
            quarters = sorted({(month - 1) // 3 + 1 for month in months})
            missed = set()
            if cell.code in self.thematic_gap_cells[year]:
                missed = set(rng.sample(quarters, min(1 if rng.random() < 0.8 else 2, len(quarters))))
            combined, thematic = set(), {}
            for quarter in quarters:
                last = 3 * quarter
                quarter_months = [m for m in (last - 2, last - 1, last) if m in months]
                if quarter in missed:
                    continue
                if last in months and last not in gaps and rng.random() < COMBINED_SHARE:
                    combined.add(last)
                    continue
                month = rng.choice((last - 2, last - 1, last))
                if month in quarter_months:
                    thematic[month] = self.thematic_topic(rng, datetime.date(year, month, 1))
            for month in months:
                regular_day = None
                if month not in gaps:
                    kind = Meeting.Kind.COMBINED if month in combined else Meeting.Kind.REGULAR
                    topic = self.thematic_topic(rng, datetime.date(year, month, 1)) if month in combined else ""
                    regular_day = self.add_meeting(rng, cell, style, roll, kind, year, month, topic=topic)
                if month in thematic:
                    self.add_meeting(
                        rng,
                        cell,
                        style,
                        roll,
                        Meeting.Kind.THEMATIC,
                        year,
                        month,
                        topic=thematic[month],
                        avoid=regular_day,
                    )

    def thematic_topic(self, rng: random.Random, day: datetime.date) -> str:
        topics = [topic for since, topic in THEMATIC_TOPICS if since <= day]
        topic = rng.choice(topics)
        if topic is None:
            return f"Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về {rng.choice(HCM_THEMES)}"
        return topic

    def meeting_date(self, rng, style, year, month, *, thematic: bool, avoid) -> datetime.date:
        first = datetime.date(year, month, 1)
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        if thematic:
            day = first + datetime.timedelta(days=rng.randint(7, 24))
        else:
            day = first + datetime.timedelta(days=min(last.day, max(1, style.day + rng.randint(-3, 3))) - 1)
        day = _shift_weekday(day, first=first, last=last)
        if day == avoid:
            day = _shift_weekday(day + datetime.timedelta(days=2), first=first, last=last)
        late = rng.random() < LATE_SHARE
        if late:
            late_day = last + datetime.timedelta(days=rng.randint(1, 7))
            late_day = _shift_weekday(late_day, first=last, last=late_day + datetime.timedelta(days=3))
            if late_day < self.today:
                day = late_day
        return min(day, self.today - datetime.timedelta(days=1))

    def add_meeting(self, rng, cell, style, roll, kind, year, month, *, topic="", avoid=None) -> datetime.date:
        thematic = kind == Meeting.Kind.THEMATIC
        day = self.meeting_date(rng, style, year, month, thematic=thematic, avoid=avoid)
        final = (year, month) != self.last_month or rng.random() >= LAST_MONTH_DRAFT_SHARE
        complete = final or rng.random() < 0.5
        parameters = self.parameters_on(day)
        required = parameters[
            "min_combined_meeting_minutes" if kind == Meeting.Kind.COMBINED else "min_meeting_minutes"
        ]
        minutes = {
            Meeting.Kind.REGULAR: REGULAR_MINUTES,
            Meeting.Kind.COMBINED: COMBINED_MINUTES,
            Meeting.Kind.THEMATIC: THEMATIC_MINUTES,
        }[kind].draw(rng)
        if final:
            minutes = max(minutes, required)  # finalising checks the duration (rule B3)
        elif rng.random() < 0.25:
            minutes = required - rng.choice((10, 15, 20, 30))  # a draft that rule B3 will stop
        start = style.start
        end = (datetime.datetime.combine(day, start) + datetime.timedelta(minutes=minutes)).time()

        on_roll = [(entry, status) for entry in roll if (status := entry.status_on(day)) is not None]
        counted = [entry.member_id for entry, status in on_roll if status not in NOT_COUNTED_REASONS]
        full_members = [entry for entry, status in on_roll if status == Status.FULL]
        presiding = next(
            (m for m in (style.secretary, style.deputy) if m in {e.member_id for e in full_members}),
            min(full_members, key=lambda e: e.date_of_birth or datetime.date.min).member_id if full_members else None,
        )
        long_member, long_months, long_reason = style.long_absence or (None, (), "")
        away = {long_member} if (year, month) in long_months else set()
        away |= {e.member_id for e, _s in on_roll if e.struck_off_on and e.struck_off_on - STRUCK_OFF_WINDOW <= day}
        available = [m for m in counted if m not in away and m != presiding]
        minute_taker = next(
            (m for m in style.minute_takers if m in available), available[0] if available else presiding
        )

        rows = []
        for entry, status in on_roll:
            member_id = entry.member_id
            reason, spoke = "", False
            if status in NOT_COUNTED_REASONS:
                attendance, reason = Attendance.Status.EXEMPT, NOT_COUNTED_REASONS[status]
            elif member_id in (presiding, minute_taker):
                attendance, spoke = Attendance.Status.PRESENT, member_id == presiding
            elif member_id == long_member and member_id in away:
                attendance, reason = Attendance.Status.EXCUSED, long_reason
            elif member_id in away:  # about to be struck off for not attending
                attendance = Attendance.Status.UNEXCUSED
            elif rng.random() < style.absence[member_id]:
                if member_id in style.unexcused and rng.random() < 0.6:
                    attendance = Attendance.Status.UNEXCUSED
                else:
                    attendance, reason = Attendance.Status.EXCUSED, ABSENCE_REASONS.draw(rng)
            else:
                attendance, spoke = Attendance.Status.PRESENT, rng.random() < 0.3
            rows.append(
                Attendance(member_id=member_id, status=attendance, reason=reason, member_status=status, spoke=spoke)
            )
        temporary_rows = [
            TemporaryAttendance(transfer_id=transfer_id, present=rng.random() < 0.9)
            for transfer_id, decided_on, ended_on in self.temporary.get(cell.pk, [])
            if decided_on <= day and (ended_on is None or ended_on >= day)
        ]
        counts = meeting_services.attendance_counts(_Counts(temporary_rows), rows)

        meeting = Meeting(
            organization_id=cell.pk,
            kind=kind,
            period_year=year,
            period_month=month,
            date=day,
            start_time=start,
            end_time=end,
            location=style.hall if thematic and rng.random() < 0.4 else style.location,
            format=Meeting.Format.HYBRID if rng.random() < 0.04 else Meeting.Format.IN_PERSON,
            presiding=self.member(presiding) if presiding else None,
            minute_taker=self.member(minute_taker) if minute_taker else None,
            upper_attendee=style.upper_attendee if rng.random() < 0.12 else "",
            topic=topic,
            pre_meeting_on=day - datetime.timedelta(days=rng.randint(1, 7)) if rng.random() < 0.93 else None,
            status=Meeting.Status.FINAL if final else Meeting.Status.DRAFT,
            version=1,
        )
        documents = rng.random()
        if documents < style.documents:
            sent_on = day - datetime.timedelta(days=rng.randint(1, 4))
            meeting.documents_sent_on = max(sent_on, meeting.pre_meeting_on or sent_on)  # after the chi ủy agreed
        elif documents < (1 + style.documents) / 2:
            meeting.documents_sent_on = day  # the same day: too late for rule B8
        speakers = sum(row.spoke for row in rows)
        self.write_minutes(rng, meeting, counts, speakers, complete=complete)
        meeting.score_template = self.template_on(day)

        score_rows = []
        if final:
            meeting.finalised_at = _aware(
                min(day + datetime.timedelta(days=rng.randint(0, 3)), self.today - datetime.timedelta(days=1)), 16, 30
            )
            if meeting.score_template is not None:
                score_rows = self.score(rng, meeting, counts, style)
        self.pending.append((meeting, rows, temporary_rows, score_rows))
        return day

    def write_minutes(self, rng, meeting: Meeting, counts, speakers: int, *, complete: bool) -> None:
        year, month, day = meeting.period_year, meeting.period_month, meeting.date
        if day.day <= 15 and day.month == month:
            review = (year, month - 1) if month > 1 else (year - 1, 12)
            plan = (year, month)
        else:
            review = (year, month)
            plan = (year, month + 1) if month < 12 else (year + 1, 1)
        review_label, plan_label = _month_label(*review), _month_label(*plan)
        documents = [text for since, until, text in DOCUMENTS if since <= day <= until]
        if meeting.kind == Meeting.Kind.THEMATIC:
            content = [
                f"Sinh hoạt chuyên đề: {meeting.topic}.",
                "Đồng chí bí thư chi bộ trình bày chuyên đề; đảng viên thảo luận, liên hệ với nhiệm vụ của chi bộ và của "
                "bản thân.",
            ]
            conclusion = (
                "Chi bộ thống nhất các giải pháp thực hiện chuyên đề; mỗi đảng viên đăng ký nội dung làm theo, chi ủy "
                "theo dõi, đánh giá kết quả hằng quý."
            )
        else:
            content = [
                "Thông tin thời sự, tình hình trong nước, quốc tế và của tỉnh; phổ biến văn bản mới của cấp trên.",
                f"Đánh giá kết quả thực hiện nhiệm vụ tháng {review_label}, phương hướng tháng {plan_label}.",
            ]
            if documents and rng.random() < 0.5:
                content.append(f"Quán triệt {rng.choice(documents)}.")
            content.append(f"Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh: {rng.choice(HCM_THEMES)}.")
            if meeting.kind == Meeting.Kind.COMBINED:
                content.append(f"Sinh hoạt chuyên đề: {meeting.topic}.")
            conclusion = (
                f"Chi bộ thống nhất đánh giá kết quả tháng {review_label}; đề ra {rng.randint(3, 6)} nhiệm vụ trọng "
                f"tâm tháng {plan_label}, phân công đảng viên phụ trách từng nội dung."
            )
        meeting.content = "\n".join(f"{n}. {line}" for n, line in enumerate(content, start=1))
        if not complete:
            return  # a draft still being written: no discussion, conclusion or vote yet
        meeting.discussion = f"Có {speakers} lượt ý kiến phát biểu, tập trung vào {rng.choice(DISCUSSION_FOCUS)}."
        meeting.conclusion = conclusion
        voters = counts.present_full  # only full members present vote (rule B7)
        abstain = 1 if voters >= 6 and rng.random() < 0.05 else 0
        meeting.vote_for, meeting.vote_against, meeting.vote_abstain = voters - abstain, 0, abstain

    def score(self, rng, meeting: Meeting, counts, style) -> list[MeetingScore]:
        """The score sheet as meetings.services.meeting_score fills it: automatic items from the log,
        the others near their maximum (better in better cells)."""
        automatic = meeting_services.automatic_points(meeting, counts)
        rows, total, top_blocked = [], Decimal(0), False
        for item in self._items[meeting.score_template.pk]:
            if item.auto_key:
                points = item.max_points if automatic.get(item.auto_key) else Decimal(0)
            elif rng.random() < 0.45 + 0.5 * style.quality:
                points = item.max_points
            else:
                steps = int(item.max_points * 2 * 3 / 10)  # lose at most 30%, in half points
                points = item.max_points - Decimal(rng.randint(1, max(1, steps))) / 2
            if item.required_for_top and points < item.max_points:
                top_blocked = True
            total += points
            rows.append(MeetingScore(item_id=item.pk, points=points, automatic=bool(item.auto_key)))
        meeting.score = total
        meeting.rating = meeting_services.rating_for(meeting.score_template, total, top_blocked)
        return rows


def build_meetings(
    *,
    root: Organization,
    seed: int,
    today: datetime.date | None = None,
    cells: list[str] | None = None,
    batch_size: int = 5000,
) -> MeetingStats:
    """Log the meetings of the cells under `root` (or only the cells whose codes are in `cells`) from January
    MEETINGS_FROM_YEAR to the month before `today`, with attendance, temporary members and scores.

    Reads the tree, members, status changes, transfers and committee seats from the database, so it works on any
    tree that has no meetings yet. Same seed, same date, same rows.
    """
    today = today or timezone.localdate()
    builder = _MeetingBuilder(root=root, seed=seed, today=today, batch_size=batch_size)
    chosen = builder.all_cells if cells is None else [cell for cell in builder.all_cells if cell.code in set(cells)]
    if not builder.months:
        return builder.stats
    with _parameters_cached(builder):
        return builder.build(chosen)


@contextlib.contextmanager
def _parameters_cached(builder: _MeetingBuilder):
    """Let meetings.services read the rule parameters through the builder's cache while it scores.

    The scoring functions are the real ones (automatic_points, rating_for), but each reads the parameter set in
    force on the meeting date with a query, two or three per meeting: 35,000 queries for the default seed. The
    parameters do not change while the seed runs, so the same values come from memory. Put back on exit.
    """
    original = meeting_services.parameters_on
    meeting_services.parameters_on = builder.parameters_on
    try:
        yield
    finally:
        meeting_services.parameters_on = original


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
