import pytest

from app.domain.vitals import Vitals, parse_vitals


def test_plausible_values_parse_with_decimal_comma():
    values, issues = parse_vitals(Vitals(pulse="88", blood_pressure="120/80", temperature="37,5", spo2="97",
                                         resp_rate="18", weight="52.5"))
    assert issues == []
    assert values == {"pulse": 88, "systolic": 120, "diastolic": 80, "temperature": 37.5, "spo2": 97,
                      "resp_rate": 18, "weight": 52.5}


@pytest.mark.parametrize("field,value,low,high", [
    ("pulse", "300", "20", "250"), ("spo2", "980", "50", "100"), ("temperature", "375", "30", "43"),
    ("resp_rate", "2", "4", "80"), ("weight", "0.1", "0.3", "350"),
])
def test_implausible_values_are_rejected_with_the_range(field, value, low, high):
    _, issues = parse_vitals(Vitals(**{field: value}))
    assert [(i.field, i.code) for i in issues] == [(field, "vital.range")]
    assert (issues[0].params["low"], issues[0].params["high"]) == (low, high)


def test_not_a_number():
    _, issues = parse_vitals(Vitals(pulse="nhanh"))
    assert [(i.field, i.code) for i in issues] == [("pulse", "vital.number")]


@pytest.mark.parametrize("bp,code", [("120", "bp.format"), ("80/120", "bp.order"), ("300/80", "bp.systolic_range"),
                                     ("120/15", "bp.diastolic_range")])
def test_blood_pressure(bp, code):
    _, issues = parse_vitals(Vitals(blood_pressure=bp))
    assert [(i.field, i.code) for i in issues] == [("blood_pressure", code)]
