"""Accent-insensitive text folding for Vietnamese search."""

import re
import unicodedata

# đ/Đ is a letter of its own, not d plus a combining mark, so NFD leaves it.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})
_TOKEN = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics: 'Nguyễn Văn Được' -> 'nguyen van duoc'."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric words of `text`, in order."""
    return _TOKEN.findall(fold(text))
