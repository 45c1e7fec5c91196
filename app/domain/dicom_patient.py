"""Does the patient in a DICOM study look like the case's patient? (A CD from another
hospital may hold someone else's scans.)"""

from .birth import parse_birth
from .case import Patient
from .text import tokens


def dicom_name_words(name: str) -> set[str]:
    """'NGUYEN^VAN^DUOC' or 'Nguyễn Văn Được' -> {'nguyen', 'van', 'duoc'}"""
    return set(tokens(name.replace("^", " ")))


def mismatches(patient: Patient, dicom_name: str, dicom_birth: str, dicom_sex: str) -> list[str]:
    """Codes of what disagrees: 'name', 'birth_year', 'sex'. Missing data is not a mismatch."""
    found = []
    case_words, image_words = set(tokens(patient.full_name)), dicom_name_words(dicom_name)
    if case_words and image_words and not (case_words <= image_words or image_words <= case_words):
        found.append("name")
    birth = parse_birth(patient.birth) if patient.birth else None
    if birth is not None and len(dicom_birth) >= 4 and dicom_birth[:4].isdigit() and int(dicom_birth[:4]) != birth.year:
        found.append("birth_year")
    sex = {"M": "male", "F": "female"}.get(dicom_sex.strip().upper())
    if sex and patient.sex in ("male", "female") and sex != patient.sex:
        found.append("sex")
    return found
