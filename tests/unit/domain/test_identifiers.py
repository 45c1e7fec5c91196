import pytest
from hypothesis import given, strategies as st

from app.domain.identifiers import (bhyt_social_insurance_number, cccd_birth_year, check_bhyt, check_cccd,
                                    check_phone, normalize_id)
from app.domain.issues import Severity


def codes(issues):
    return [i.code for i in issues]


def test_a_valid_cccd_passes_with_matching_sex_and_year():
    assert check_cccd("001 085 012345", sex="male", birth_year=1985) == []
    assert check_cccd("079301000001", sex="female", birth_year=2001) == []


def test_cccd_must_be_twelve_digits():
    assert codes(check_cccd("00108501234")) == ["cccd.format"]
    assert codes(check_cccd("00108501234X")) == ["cccd.format"]


def test_cccd_province_prefix_is_checked():
    assert codes(check_cccd("003085012345")) == ["cccd.province"]


def test_cccd_century_sex_digit_is_checked_against_sex():
    issues = check_cccd("001185012345", sex="male")  # 1: female born in the 1900s
    assert codes(issues) == ["cccd.sex"]
    assert issues[0].params["cccd_sex"] == "female"


def test_cccd_year_is_checked_against_birth_year():
    issues = check_cccd("001285012345", sex="male", birth_year=1985)  # 4th digit 2: a man born in the 2000s
    assert codes(issues) == ["cccd.year"]
    assert issues[0].params == {"cccd_year": 2085, "year": 1985}


def test_cccd_birth_year_decodes_century():
    assert cccd_birth_year("001085012345") == 1985
    assert cccd_birth_year("001305012345") == 2005
    assert cccd_birth_year("001") is None


def test_empty_identifiers_are_not_checked():
    assert check_cccd("") == check_bhyt("  ") == check_phone("") == []


def test_bhyt_valid_card():
    assert check_bhyt("DN4790123456789") == []
    assert check_bhyt("dn 4 79 0123456789") == []
    assert bhyt_social_insurance_number("DN4790123456789") == "0123456789"


@pytest.mark.parametrize("card", ["DN479012345678", "DN47901234567890", "D14790123456789", "DNX790123456789"])
def test_bhyt_format_errors(card):
    assert codes(check_bhyt(card)) == ["bhyt.format"]


def test_bhyt_benefit_level_must_be_one_to_five():
    assert codes(check_bhyt("DN6790123456789")) == ["bhyt.level"]


def test_unknown_bhyt_group_is_only_a_warning():
    issues = check_bhyt("ZZ4790123456789")
    assert codes(issues) == ["bhyt.group"] and issues[0].severity is Severity.WARNING


@pytest.mark.parametrize("phone,ok", [("0912345678", True), ("+84912345678", True), ("091234567", False),
                                      ("0912-345-678", True), ("abc", False)])
def test_phone(phone, ok):
    assert (check_phone(phone) == []) is ok


@given(st.text(max_size=30))
def test_checks_never_raise_on_any_text(text):
    for check in (check_cccd, check_bhyt, check_phone):
        check(text)
    assert normalize_id(text) == normalize_id(normalize_id(text))
