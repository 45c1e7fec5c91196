"""Any text made printable: nothing dropped silently, nothing that breaks the PDF.

Vietnamese typed on some systems arrives decomposed (a base letter plus combining marks); the fonts
draw the precomposed letters, so text is NFC-normalised first. A character no embedded font can draw
(an emoji) and a control character are printed as their code, "[U+1F600]", so a reader sees that
something was there.
"""

import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = {  # family: (regular, bold, italic); Noto first, DejaVu for the symbols Noto lacks
    "noto": (FONT_DIR / "noto/NotoSans-Regular.ttf", FONT_DIR / "noto/NotoSans-Bold.ttf",
             FONT_DIR / "noto/NotoSans-Italic.ttf"),
    "dejavu": (FONT_DIR / "dejavu/DejaVuSans.ttf", FONT_DIR / "dejavu/DejaVuSans-Bold.ttf",
               FONT_DIR / "dejavu/DejaVuSans-Oblique.ttf"),
}


@lru_cache(maxsize=1)
def drawable() -> frozenset[int]:
    """Code points every style of some family draws (so bold or italic never lacks one)."""
    covered: set[int] = set()
    for paths in FONTS.values():
        sets = []
        for path in paths:
            with TTFont(str(path), lazy=True) as font:
                sets.append(set(font.getBestCmap()))
        covered |= set.intersection(*sets)
    return frozenset(covered)


def printable(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    glyphs = drawable()
    out = []
    for ch in text:
        if ch == "\n" or (ord(ch) in glyphs and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")):
            out.append(ch)
        elif ch in "\u200b\u200c\u200d\ufeff":
            continue  # zero-width joiners and BOMs print as nothing by design
        else:
            out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)
