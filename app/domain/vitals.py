"""Vital signs as typed by the doctor, and their plausible ranges.

Values are kept as text so a draft saves exactly what was typed; `parse_vitals`
turns them into numbers and says what is wrong with each field.
"""

import re
from dataclasses import dataclass

from .issues import Issue


@dataclass(frozen=True)
class VitalRange:
    field: str
    low: float
    high: float
    unit: str
    integer: bool = False


# Ranges wide enough for critically ill adults and newborns, narrow enough to
# catch a slipped digit (SpO2 980, temperature 375).
RANGES = {
    r.field: r
    for r in (
        VitalRange("pulse", 20, 250, "bpm", integer=True),
        VitalRange("systolic", 50, 260, "mmHg", integer=True),
        VitalRange("diastolic", 20, 160, "mmHg", integer=True),
        VitalRange("resp_rate", 4, 80, "/min", integer=True),
        VitalRange("spo2", 50, 100, "%", integer=True),
        VitalRange("temperature", 30, 43, "°C"),
        VitalRange("weight", 0.3, 350, "kg"),
    )
}

VITAL_FIELDS = ("pulse", "blood_pressure", "resp_rate", "spo2", "temperature", "weight")


@dataclass(frozen=True)
class Vitals:
    """Raw text per vital sign; blood pressure is one field, e.g. '120/80'."""

    pulse: str = ""
    blood_pressure: str = ""
    resp_rate: str = ""
    spo2: str = ""
    temperature: str = ""
    weight: str = ""


def _number(text: str) -> float | None:
    # Vietnamese writes decimals with a comma: 37,5.
    text = text.strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _check(field: str, value: float, name: str | None = None, code: str = "vital.range") -> list[Issue]:
    spec = RANGES[field]
    low, high = spec.low, spec.high
    if not low <= value <= high:
        fmt = (lambda v: f"{v:g}")
        return [Issue(name or field, code, {"low": fmt(low), "high": fmt(high), "unit": spec.unit})]
    return []


def parse_vitals(vitals: Vitals) -> tuple[dict[str, float], list[Issue]]:
    """Numbers keyed by RANGES field names, and the issues found."""
    values: dict[str, float] = {}
    issues: list[Issue] = []
    for field in ("pulse", "resp_rate", "spo2", "temperature", "weight"):
        text = getattr(vitals, field).strip()
        if not text:
            continue
        value = _number(text)
        if value is None:
            issues.append(Issue(field, "vital.number"))
            continue
        found = _check(field, value)
        issues += found
        if not found:
            values[field] = value
    bp = vitals.blood_pressure.strip()
    if bp:
        match = re.fullmatch(r"(\d{2,3})\s*/\s*(\d{2,3})", bp)
        if match is None:
            issues.append(Issue("blood_pressure", "bp.format"))
        else:
            systolic, diastolic = (float(g) for g in match.groups())
            # The message says which of the two numbers is out of range.
            found = _check("systolic", systolic, "blood_pressure", "bp.systolic_range") + _check(
                "diastolic", diastolic, "blood_pressure", "bp.diastolic_range"
            )
            if not found and systolic <= diastolic:
                found = [Issue("blood_pressure", "bp.order")]
            issues += found
            if not found:
                values["systolic"], values["diastolic"] = systolic, diastolic
    return values, issues
