"""The consultation case (hồ sơ hội chẩn) and the rules that check it."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone

from . import address, identifiers, reference
from .birth import check_birth_and_age
from .icd10 import Icd10Catalogue
from .issues import Issue
from .lifecycle import REOPENABLE, Status, Urgency
from .text import fold
from .vitals import Vitals, parse_vitals

SEXES = ("male", "female", "other")


def new_id() -> str:
    """Client-generated UUIDs: the hub sync keys every record on them."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Patient:
    id: str = field(default_factory=new_id)
    full_name: str = ""
    birth: str = ""  # dd/mm/yyyy, mm/yyyy or yyyy, as typed
    age: str = ""    # years, when the date of birth is unknown
    sex: str = ""    # one of SEXES, or "" when not given
    cccd: str = ""
    bhyt: str = ""
    phone: str = ""
    province_code: str = ""
    commune_code: str = ""
    address_line: str = ""  # house and street, or a whole pre-2025 address


@dataclass(frozen=True)
class ConsultationCase:
    id: str = field(default_factory=new_id)
    patient: Patient = field(default_factory=Patient)
    status: Status = Status.DRAFT
    urgency: Urgency = Urgency.ROUTINE
    specialty: str = ""
    hospital: str = ""
    reason: str = ""       # lý do hội chẩn
    question: str = ""     # the question for the experts
    history: str = ""      # tiền sử, bệnh sử
    examination: str = ""  # khám lâm sàng
    vitals: Vitals = field(default_factory=Vitals)
    treatment: str = ""    # điều trị hiện tại
    diagnosis_code: str = ""
    diagnosis_text: str = ""
    foreign_expert: bool = False  # asked of an expert abroad: imaging leaves de-identified
    parent_id: str | None = None  # the case this one reopens
    number: int | None = None     # the station's running number, set by storage
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def search_text(self) -> str:
        """Folded words the case list search matches: name, CCCD, BHYT, phone."""
        p = self.patient
        cccd, bhyt = identifiers.normalize_id(p.cccd), identifiers.normalize_id(p.bhyt)
        parts = [fold(p.full_name), cccd, bhyt.lower(), identifiers.bhyt_social_insurance_number(bhyt) or "",
                 identifiers.normalize_id(p.phone).lstrip("+")]
        return " ".join(x for x in parts if x)


REQUIRED_FIELDS = ("full_name", "sex", "reason", "question", "specialty", "hospital")


def validate(case: ConsultationCase, icd: Icd10Catalogue | None, today: date | None = None,
             complete: bool = False) -> list[Issue]:
    """Every problem with the case. `complete` adds what must be filled before sending."""
    today = today or date.today()
    p = case.patient
    birth, issues = check_birth_and_age(p.birth, p.age, today)
    if p.sex and p.sex not in SEXES:
        issues.append(Issue("sex", "required"))
    issues += identifiers.check_cccd(p.cccd, p.sex or None, birth.year if birth else None)
    issues += identifiers.check_bhyt(p.bhyt)
    issues += identifiers.check_phone(p.phone)
    issues += address.check_address(p.province_code, p.commune_code)
    issues += parse_vitals(case.vitals)[1]
    if icd is not None:
        issues += icd.check(case.diagnosis_code)
    if case.specialty and reference.specialty(case.specialty) is None:
        issues.append(Issue("specialty", "required"))
    if case.hospital and reference.hospital(case.hospital) is None:
        issues.append(Issue("hospital", "required"))
    if complete:
        issues += _missing(case)
    return issues


def _missing(case: ConsultationCase) -> list[Issue]:
    p = case.patient
    values = {"full_name": p.full_name, "sex": p.sex, "reason": case.reason, "question": case.question,
              "specialty": case.specialty, "hospital": case.hospital}
    missing = [Issue(name, "required") for name in REQUIRED_FIELDS if not values[name].strip()]
    if not p.birth.strip() and not p.age.strip():
        missing.append(Issue("birth", "birth_or_age"))
    return missing


def reopen(case: ConsultationCase) -> ConsultationCase:
    """A new draft linked to `case`, carrying its patient and clinical content."""
    if case.status not in REOPENABLE:
        raise ValueError(f"a {case.status.value} case cannot be reopened")
    return replace(case, id=new_id(), status=Status.DRAFT, parent_id=case.id, number=None,
                   created_at=None, updated_at=None)
