"""Text helpers for Vietnamese: accent folding for search, and name sort keys."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ to d: "Nguyễn Văn Đức" -> "nguyen van duc".

    Stored in `search_text` columns so that accent-insensitive search is a plain LIKE on both SQLite and
    PostgreSQL (and can use a trigram index on PostgreSQL).
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def given_name_sort_key(full_name: str) -> str:
    """Vietnamese order: the given name (last word) first, then the rest, accent-folded."""
    words = fold(full_name).split()
    if not words:
        return ""
    return " ".join([words[-1], *words[:-1]])
