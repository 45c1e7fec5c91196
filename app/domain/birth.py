"""Date of birth as people know it: full date, month and year, or year only."""

import re
from dataclasses import dataclass
from datetime import date

from .identifiers import age_on
from .issues import Issue

_FORMS = (
    re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})"),
    re.compile(r"(?P<m>\d{1,2})[/.\-](?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})"),
)


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        """FHIR-style partial date: 1980, 1980-05, 1980-05-17."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


def parse_birth(text: str) -> PartialDate | None:
    text = text.strip()
    for form in _FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        parts = match.groupdict()
        year, month = int(parts["y"]), int(parts.get("m") or 0) or None
        day = int(parts.get("d") or 0) or None
        try:
            date(year, month or 1, day or 1)
        except ValueError:
            return None
        return PartialDate(year, month, day)
    return None


def check_birth_and_age(birth_text: str, age_text: str, today: date) -> tuple[PartialDate | None, list[Issue]]:
    """The parsed birth date (if any) and what is wrong with birth date and age."""
    issues: list[Issue] = []
    birth = None
    if birth_text.strip():
        birth = parse_birth(birth_text)
        if birth is None:
            issues.append(Issue("birth", "birth.format"))
        elif birth.earliest() > today:
            issues.append(Issue("birth", "birth.future"))
        elif today.year - birth.year > 130:
            issues.append(Issue("birth", "birth.too_old"))
    if age_text.strip():
        if not age_text.strip().isdigit():
            issues.append(Issue("age", "age.format"))
        else:
            age = int(age_text.strip())
            if age > 130:
                issues.append(Issue("age", "age.range"))
            elif birth is not None and birth.day and not issues:
                derived = age_on(birth.earliest(), today)
                if derived != age:
                    issues.append(Issue("age", "age.mismatch", {"age": age, "derived": derived}))
    return birth, issues
