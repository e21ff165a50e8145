"""Text helpers for Vietnamese: accent folding for search, and name sort keys."""

import unicodedata


def one_line(text) -> str:
    """`text` on one line: runs of whitespace (line breaks included) made one space, none at the ends; "" for None."""
    return " ".join(str(text or "").split())


def fold(text: str, max_length: int | None = None) -> str:
    """Lower-case, strip diacritics and map đ to d: "Nguyễn Văn Đức" -> "nguyen van duc".

    Stored in `search_text` columns so that accent-insensitive search is a plain LIKE on both SQLite and
    PostgreSQL (and can use a trigram index on PostgreSQL). The folded text can be longer than the text (a Hangul
    syllable decomposes into two or three letters that are not accents); `max_length` clips it to its column, as
    the input policy says (cells/inputs.py): it is only a search key.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = " ".join(stripped.lower().split())
    return folded if max_length is None else folded[:max_length].rstrip()


# Vietnamese alphabetical order: ă and â follow a, đ follows d, ê follows e, ô and ơ follow o, ư follows u.
_ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_CODES = {letter: f"{index + 10:02d}" for index, letter in enumerate(_ALPHABET)}
# Tone order used in dictionaries: level, grave (huyền), acute (sắc), hook (hỏi), tilde (ngã), dot (nặng).
_TONES = {"\u0300": "1", "\u0301": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}


def _collation_key(text: str) -> tuple[str, str]:
    primary, tones = [], []
    for char in unicodedata.normalize("NFC", text or "").lower():
        if char == "đ":
            primary.append(_CODES["đ"])
            tones.append("0")
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = "0"
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark in _LETTER_MARKS:
                base = {
                    "a\u0306": "ă",
                    "a\u0302": "â",
                    "e\u0302": "ê",
                    "o\u0302": "ô",
                    "o\u031b": "ơ",
                    "u\u031b": "ư",
                }.get(base + mark, base)
        if base.isspace():
            primary.append("01")
        elif base in _CODES:
            primary.append(_CODES[base])
            tones.append(tone)
    return "".join(primary), "".join(tones)


def given_name_sort_key(full_name: str, max_length: int = 255) -> str:
    """A sort key for Vietnamese names: the given name (last word) first, then the rest, in Vietnamese
    alphabetical order (a < ă < â < b …, tones as a tie-break).

    The key is made only of digits, so the database sorts it the same way under any collation
    (SQLite's binary order and PostgreSQL's locale order agree on digits).
    """
    words = one_line(full_name).split(" ")
    ordered = " ".join([words[-1], *words[:-1]]) if words and words[0] else ""
    primary, tones = _collation_key(ordered)
    return (primary + "00" + tones)[:max_length]
