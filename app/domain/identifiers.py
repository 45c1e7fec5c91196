"""Vietnamese identifiers: CCCD (citizen ID), BHYT (health insurance card), phone.

Each `check_*` returns a list of Issues; an empty string is not checked (fields are
optional unless a rule elsewhere requires them).
"""

import re
from datetime import date

from .issues import Issue, Severity

# The 63 pre-2025 province codes used as the CCCD prefix (Circular 07/2016/TT-BCA).
# Cards already issued keep these prefixes after the 2025 merger of provinces.
CCCD_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
    "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
    "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
    "094 095 096".split()
)

# 4th digit of a CCCD: century of birth and sex (male digit; female is +1).
_CENTURY_BY_MALE_DIGIT = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 2300}

# Beneficiary group codes printed on BHYT cards (Decision 1351/QĐ-BHXH and later).
BHYT_GROUPS = frozenset(
    "DN HX CH NN TK HC XK CA HT TB NC MS XB XN TN CC CK CB KC HD TE BT HN DT DK XD TS "
    "TC TQ TA TY HG LS PV CN OK HS SV GB GD QN CY TL XV NO".split()
)

_BHYT = re.compile(r"^([A-Z]{2})(\d)(\d{2})(\d{10})$")
_PHONE = re.compile(r"^(?:0|\+84|84)(\d{9})$")


def normalize_id(text: str) -> str:
    """Drop the spaces, dots and dashes people type inside card numbers."""
    return re.sub(r"[\s.\-]", "", text).upper()


def cccd_birth_century_and_sex(cccd: str) -> tuple[int, str] | None:
    """(century, 'male'|'female') encoded in the 4th digit, or None if malformed."""
    if not re.fullmatch(r"\d{12}", cccd):
        return None
    digit = int(cccd[3])
    male_digit = digit - digit % 2
    century = _CENTURY_BY_MALE_DIGIT.get(male_digit)
    if century is None:
        return None
    return century, ("female" if digit % 2 else "male")


def cccd_birth_year(cccd: str) -> int | None:
    decoded = cccd_birth_century_and_sex(cccd)
    if decoded is None:
        return None
    return decoded[0] + int(cccd[4:6])


def check_cccd(raw: str, sex: str | None = None, birth_year: int | None = None) -> list[Issue]:
    cccd = normalize_id(raw)
    if not cccd:
        return []
    if not re.fullmatch(r"\d{12}", cccd):
        return [Issue("cccd", "cccd.format")]
    issues = []
    if cccd[:3] not in CCCD_PROVINCE_CODES:
        issues.append(Issue("cccd", "cccd.province", {"prefix": cccd[:3]}))
    century, cccd_sex = cccd_birth_century_and_sex(cccd)
    if sex in ("male", "female") and sex != cccd_sex:
        issues.append(Issue("cccd", "cccd.sex", {"digit": cccd[3], "cccd_sex": cccd_sex, "sex": sex}))
    year = century + int(cccd[4:6])
    if birth_year is not None and birth_year != year:
        issues.append(Issue("cccd", "cccd.year", {"cccd_year": year, "year": birth_year}))
    return issues


def check_bhyt(raw: str) -> list[Issue]:
    card = normalize_id(raw)
    if not card:
        return []
    match = _BHYT.match(card)
    if match is None:
        return [Issue("bhyt", "bhyt.format")]
    group, level, _province, _number = match.groups()
    issues = []
    if not 1 <= int(level) <= 5:
        issues.append(Issue("bhyt", "bhyt.level", {"level": level}))
    if group not in BHYT_GROUPS:
        issues.append(Issue("bhyt", "bhyt.group", {"group": group}, Severity.WARNING))
    return issues


def bhyt_social_insurance_number(raw: str) -> str | None:
    """The 10-digit social insurance number inside a BHYT card number."""
    match = _BHYT.match(normalize_id(raw))
    return match.group(4) if match else None


def check_phone(raw: str) -> list[Issue]:
    phone = normalize_id(raw)
    if not phone:
        return []
    if _PHONE.match(phone) is None:
        return [Issue("phone", "phone.format")]
    return []


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
