from datetime import date

import pytest

from app.domain.birth import PartialDate, check_birth_and_age, parse_birth

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("text,expected", [
    ("17/05/1980", PartialDate(1980, 5, 17)), ("5/1980", PartialDate(1980, 5)), ("1980", PartialDate(1980)),
    ("17-05-1980", PartialDate(1980, 5, 17)), ("31/02/1980", None), ("1980/05", None), ("abc", None),
])
def test_parse_birth(text, expected):
    assert parse_birth(text) == expected


def test_partial_dates_as_fhir():
    assert PartialDate(1980).iso() == "1980"
    assert PartialDate(1980, 5, 7).iso() == "1980-05-07"


def test_future_and_ancient_birth_dates():
    assert [i.code for i in check_birth_and_age("01/01/2027", "", TODAY)[1]] == ["birth.future"]
    assert [i.code for i in check_birth_and_age("1850", "", TODAY)[1]] == ["birth.too_old"]


def test_age_must_match_full_birth_date():
    assert check_birth_and_age("24/11/1980", "46", TODAY)[1] == []
    assert [i.code for i in check_birth_and_age("25/11/1980", "46", TODAY)[1]] == ["age.mismatch"]


def test_age_alone():
    assert check_birth_and_age("", "54", TODAY)[1] == []
    assert [i.code for i in check_birth_and_age("", "năm mươi", TODAY)[1]] == ["age.format"]
    assert [i.code for i in check_birth_and_age("", "140", TODAY)[1]] == ["age.range"]
