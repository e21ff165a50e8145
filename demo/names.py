"""Demo data: Vietnamese personal names, drawn with rough national frequencies."""

import random

from demo.common import Weighted
from members.models import Member

Gender = Member.Gender


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

_FAMILY = Weighted(FAMILY_NAMES)
_MALE_MIDDLE = Weighted(MALE_MIDDLE_NAMES)
_FEMALE_MIDDLE = Weighted(FEMALE_MIDDLE_NAMES)


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
