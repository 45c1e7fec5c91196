"""Addresses on the two-tier units in force since 1 July 2025 (province, commune).

Older three-tier addresses (province, district, commune) are kept as free text in
`address_line`; the structured codes are the current units from `vietnam-provinces`.
"""

from dataclasses import dataclass
from functools import lru_cache

from .issues import Issue
from .text import fold


# The centrally-run cities are called by their name ("Hà Nội"), not "Thành phố Hà Nội".
CITY_PREFIX = "Thành phố "


@dataclass(frozen=True)
class Unit:
    code: str
    name: str     # the official name, as addresses write it
    folded: str
    spoken: str = ""  # the name people say and look for in a list

    def __post_init__(self):
        if not self.spoken:
            object.__setattr__(self, "spoken", self.name)


@lru_cache(maxsize=1)
def provinces() -> tuple[Unit, ...]:
    """The provinces, in the order of the names people say (Hà Nội under H)."""
    from vietnam_provinces import Province

    units = (Unit(str(p.code.value), p.name, fold(p.name), p.name.removeprefix(CITY_PREFIX))
             for p in Province.iter_all())
    return tuple(sorted(units, key=lambda u: (fold(u.spoken), u.spoken)))


@lru_cache(maxsize=1)
def _communes_by_province() -> dict[str, tuple[Unit, ...]]:
    from vietnam_provinces import Ward

    grouped: dict[str, list[Unit]] = {}
    for ward in Ward.iter_all():
        unit = Unit(str(ward.code.value), ward.name, fold(ward.name))
        grouped.setdefault(str(ward.province_code.value), []).append(unit)
    return {k: tuple(sorted(v, key=lambda u: u.folded)) for k, v in grouped.items()}


def communes(province_code: str) -> tuple[Unit, ...]:
    return _communes_by_province().get(province_code, ())


def province_name(code: str) -> str:
    return next((p.name for p in provinces() if p.code == code), "")


def commune_name(province_code: str, code: str) -> str:
    return next((c.name for c in communes(province_code) if c.code == code), "")


def check_address(province_code: str, commune_code: str) -> list[Issue]:
    if province_code and not any(p.code == province_code for p in provinces()):
        return [Issue("province", "address.unknown_province", {"code": province_code})]
    if commune_code:
        if not province_code:
            return [Issue("province", "required")]
        if not any(c.code == commune_code for c in communes(province_code)):
            return [Issue("commune", "commune.province")]
    return []


def format_address(address_line: str, province_code: str, commune_code: str) -> str:
    parts = [address_line.strip(), commune_name(province_code, commune_code), province_name(province_code)]
    return ", ".join(p for p in parts if p)
