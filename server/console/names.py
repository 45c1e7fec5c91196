"""Hospitals and specialties by name, in the page's language, where the records carry only their codes.

The station's catalogue (app/domain/reference.py) has the Vietnamese and English names; French is added
here for the experts in Paris. An unknown code is shown as it is.
"""

from app.domain import reference

SPECIALTIES_FR = {
    "internal": "Médecine interne", "cardiology": "Cardiologie", "respiratory": "Pneumologie",
    "gastro": "Gastro-entérologie", "neurology": "Neurologie", "oncology": "Oncologie",
    "surgery": "Chirurgie générale", "neurosurgery": "Neurochirurgie",
    "orthopaedics": "Orthopédie et traumatologie", "obstetrics": "Gynécologie-obstétrique",
    "paediatrics": "Pédiatrie", "neonatology": "Néonatologie", "icu": "Réanimation et urgences",
    "infectious": "Maladies infectieuses", "endocrinology": "Endocrinologie",
    "nephrology": "Néphrologie et urologie", "haematology": "Hématologie", "dermatology": "Dermatologie",
    "ophthalmology": "Ophtalmologie", "ent": "Oto-rhino-laryngologie", "dental": "Chirurgie maxillo-faciale",
    "psychiatry": "Psychiatrie", "radiology": "Imagerie médicale", "pathology": "Anatomie pathologique",
    "traditional": "Médecine traditionnelle",
}

HOSPITALS_FR = {
    "bachmai": "Hôpital Bach Mai", "k": "Hôpital K (Hôpital national du cancer)", "choray": "Hôpital Cho Ray",
    "vietduc": "Hôpital universitaire Viet Duc", "hue": "Hôpital central de Huê",
    "nhitw": "Hôpital national de pédiatrie", "phusantw": "Hôpital national de gynécologie-obstétrique",
    "noitiettw": "Hôpital national d'endocrinologie", "phoitw": "Hôpital national de pneumologie",
    "nhietdoitw": "Hôpital national des maladies tropicales", "mattw": "Hôpital national d'ophtalmologie",
    "thongnhat": "Hôpital Thong Nhat", "e": "Hôpital E", "daihocyhn": "Hôpital de l'Université de médecine de Hanoï",
}


def specialty_name(code: str, language: str) -> str:
    found = reference.specialty(code or "")
    if found is None:
        return code or ""
    return SPECIALTIES_FR.get(found.code, found.en) if language == "fr" else found.label(language)


def hospital_name(code: str, language: str) -> str:
    found = reference.hospital(code or "")
    if found is None:
        return code or ""
    return HOSPITALS_FR.get(found.code, found.en) if language == "fr" else found.label(language)


def specialties(language: str) -> list[tuple[str, str]]:
    """(code, name) of every specialty, by name: the inbox's filter."""
    return sorted(((c.code, specialty_name(c.code, language)) for c in reference.SPECIALTIES), key=lambda p: p[1])


def role_detail(detail: str, language: str) -> str:
    """The hub's "title, hospital, specialty" of an expert (app/wire/consultation.py) with the codes named:
    "PGS.TS, bachmai, cardiology" -> "PGS.TS · Bệnh viện Bạch Mai · Tim mạch"."""
    parts = []
    for part in (p.strip() for p in (detail or "").split(",")):
        if not part:
            continue
        if reference.hospital(part):
            part = hospital_name(part, language)
        elif reference.specialty(part):
            part = specialty_name(part, language)
        parts.append(part)
    return " · ".join(parts)


def template_globals(language: str) -> dict:
    """What every console page may call: {{ hospital_name(person.hospital) }} in that page's language."""
    return {
        "hospital_name": lambda code: hospital_name(code, language),
        "specialty_name": lambda code: specialty_name(code, language),
        "role_detail": lambda detail: role_detail(detail, language),
    }
