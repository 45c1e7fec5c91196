"""Validation findings: a field, a stable code and its parameters.

The domain never words a message itself; the UI turns (code, params) into text in
the user's language. `english()` gives a plain fallback for logs and the CLI.
"""

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"      # blocks "ready"/"submit"; the draft still saves
    WARNING = "warning"  # shown, never blocks


@dataclass(frozen=True)
class Issue:
    field: str
    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)
    severity: Severity = Severity.ERROR

    def english(self) -> str:
        template = ENGLISH.get(self.code, self.code)
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


# Plain English text for each code; the UI has its own translated catalogue.
ENGLISH = {
    "required": "This field is required.",
    "cccd.format": "CCCD must be exactly 12 digits.",
    "cccd.province": "CCCD begins with {prefix}, which is not a province code.",
    "cccd.sex": "The 4th digit of the CCCD ({digit}) says {cccd_sex}, but the patient's sex is {sex}.",
    "cccd.year": "The CCCD gives birth year {cccd_year}, but the date of birth says {year}.",
    "bhyt.format": "A BHYT card number has 15 characters: 2 letters, benefit level 1-5, 2-digit province, 10 digits.",
    "bhyt.level": "BHYT benefit level must be 1 to 5 (found {level}).",
    "bhyt.group": "BHYT group code {group} is not a known beneficiary group.",
    "phone.format": "Phone number must have 10 digits starting with 0 (or +84).",
    "birth.format": "Date of birth must be dd/mm/yyyy, mm/yyyy or yyyy.",
    "birth.future": "Date of birth is in the future.",
    "birth.too_old": "Date of birth is more than 130 years ago.",
    "age.format": "Age must be a whole number of years.",
    "age.range": "Age must be between 0 and 130.",
    "age.mismatch": "Age {age} does not match the date of birth ({derived} years).",
    "birth_or_age": "Enter a date of birth or, when unknown, an age.",
    "vital.number": "Not a number.",
    "vital.range": "Must be between {low} and {high} {unit}.",
    "bp.format": "Blood pressure is systolic/diastolic, e.g. 120/80.",
    "bp.order": "Systolic pressure must be higher than diastolic.",
    "bp.systolic_range": "Systolic pressure (the first number) must be between {low} and {high} {unit}.",
    "bp.diastolic_range": "Diastolic pressure (the second number) must be between {low} and {high} {unit}.",
    "icd.unknown": "{code} is not an ICD-10 code.",
    "icd.category": "{code} is a chapter or block; choose a code.",
    "commune.province": "This commune is not in the chosen province.",
    "address.unknown_commune": "Unknown commune code {code}.",
    "address.unknown_province": "Unknown province code {code}.",
}
