"""cells.text: accent folding for search and the Vietnamese given-name sort key (pure functions, no database)."""

import pytest

from cells.text import fold, given_name_sort_key


def by_key(names):
    return sorted(names, key=given_name_sort_key)


#
# fold()
#


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("ĐẶNG THỊ HỒNG", "dang thi hong"),
        ("đ", "d"),
        ("Đ", "d"),
        ("Trương Ưng Ơn", "truong ung on"),
        ("Phạm Quỳnh Anh", "pham quynh anh"),
        ("Lê Ánh Nguyệt", "le anh nguyet"),
        ("01.000002", "01.000002"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_strips_diacritics_and_maps_d_with_stroke(text, expected):
    assert fold(text) == expected


def test_fold_does_collapse_whitespace():
    assert fold("  Nguyễn \t Văn\n  An  ") == "nguyen van an"


def test_fold_does_treat_composed_and_decomposed_text_alike():
    composed = "Nguyễn Văn Ước"
    decomposed = "Nguye\u0302\u0303n Va\u0306n U\u031bo\u031b\u0301c"

    assert fold(composed) == fold(decomposed) == "nguyen van uoc"


#
# given_name_sort_key()
#


def test_given_name_sort_key_does_sort_by_given_name_first():
    # "An" < "Bình" decides, although "Trần" > "Nguyễn".
    assert by_key(["Nguyễn Văn Bình", "Trần Thị An"]) == ["Trần Thị An", "Nguyễn Văn Bình"]


def test_given_name_sort_key_does_sort_by_the_rest_of_the_name_when_given_names_match():
    assert by_key(["Vũ Thị An", "Lê Văn An", "Nguyễn An"]) == ["Lê Văn An", "Nguyễn An", "Vũ Thị An"]


def test_given_name_sort_key_does_follow_the_vietnamese_alphabet():
    # a < ă < â < b … d < đ < e < ê … o < ô < ơ < p … u < ư < v
    names = ["Đạt", "Ơn", "Ân", "Ư", "Bình", "Ê", "An", "Dương", "Ôn", "Ăn", "E", "On", "U", "Vân", "Phúc"]

    assert by_key(names) == [
        "An",
        "Ăn",
        "Ân",
        "Bình",
        "Dương",
        "Đạt",
        "E",
        "Ê",
        "On",
        "Ôn",
        "Ơn",
        "Phúc",
        "U",
        "Ư",
        "Vân",
    ]


def test_given_name_sort_key_does_put_d_with_stroke_after_every_d():
    # Unicode or plain accent folding would put "Đức" between "Dũng" and "Duy" (duc < dung); Vietnamese does not.
    assert by_key(["Nguyễn Duy", "Trần Đức", "Lê Dũng"]) == ["Lê Dũng", "Nguyễn Duy", "Trần Đức"]


def test_given_name_sort_key_does_use_tones_only_as_a_tie_break():
    # Same letters everywhere: the dictionary tone order decides (level, huyền, sắc, hỏi, ngã, nặng).
    assert by_key(["Mạ", "Mã", "Mả", "Má", "Mà", "Ma"]) == ["Ma", "Mà", "Má", "Mả", "Mã", "Mạ"]
    assert by_key(["Vũ Văn Ánh", "Vũ Văn Anh"]) == ["Vũ Văn Anh", "Vũ Văn Ánh"]


def test_given_name_sort_key_does_not_let_a_tone_outrank_a_letter():
    # Given names differ only in tone, so the rest of the name (Lê < Vũ) decides before any tone does.
    assert by_key(["Vũ Thị Ánh", "Lê Văn Anh"]) == ["Lê Văn Anh", "Vũ Thị Ánh"]
    assert by_key(["Vũ Thị Anh", "Lê Văn Ánh"]) == ["Lê Văn Ánh", "Vũ Thị Anh"]
    # A toned letter sorts with its base letter: "Ánh" (a…) before "Bảo" (b…), "Bảo" before "Ca".
    assert by_key(["Ca", "Bảo", "Ánh"]) == ["Ánh", "Bảo", "Ca"]


def test_given_name_sort_key_does_put_a_shorter_given_name_first():
    assert by_key(["Trần Anh", "Trần An", "Trần Anh Tuấn"]) == ["Trần An", "Trần Anh", "Trần Anh Tuấn"]


def test_given_name_sort_key_does_ignore_case_and_extra_whitespace():
    key = given_name_sort_key("Nguyễn Văn An")

    assert given_name_sort_key("  Nguyễn   Văn\tAn ") == key
    assert given_name_sort_key("NGUYỄN VĂN AN") == key


def test_given_name_sort_key_does_treat_composed_and_decomposed_text_alike():
    assert given_name_sort_key("Nguye\u0302\u0303n Thi\u0323 \u01afo\u031b\u0301c") == given_name_sort_key(
        "Nguyễn Thị Ước"
    )


def test_given_name_sort_key_is_made_of_digits_only():
    for name in ("Nguyễn Văn Đức", "Ông Thị Ư", "", "   ", "Jean-Pierre O'Neil"):
        key = given_name_sort_key(name)
        assert key.isdigit(), name


def test_given_name_sort_key_does_sort_empty_names_first():
    assert given_name_sort_key("") == given_name_sort_key("   ")
    assert given_name_sort_key("") < given_name_sort_key("An")


def test_given_name_sort_key_does_respect_max_length():
    key = given_name_sort_key("Nguyễn " * 60 + "An", max_length=255)

    assert len(key) == 255
    assert len(given_name_sort_key("Nguyễn Văn An", max_length=10)) == 10
