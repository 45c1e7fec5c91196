"""The hub's input parsers, fed whatever hypothesis makes: a FhirError(4xx) or a value, nothing else."""

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from server import fhirjson
from server.outcome import FhirError
from server.validation import (check_id, check_json, parse_json, parse_version_tag, parse_whole_number,
                               validate)

FAST = settings(max_examples=300, deadline=None)

decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None)
scalars = st.none() | st.booleans() | st.integers() | st.text() | decimals
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


def refused_or(call, *args):
    """call(*args), or the FhirError it raised (which must be a 4xx); any other exception fails."""
    try:
        return call(*args)
    except FhirError as error:
        assert 400 <= error.status < 500, error.diagnostics
        return error


@FAST
@given(json_values)
def test_exact_json_gives_back_what_it_was_given(value):
    assert fhirjson.loads(fhirjson.dumps(value)) == value


@FAST
@given(decimals)
def test_a_decimal_is_written_with_its_own_digits(number):
    assert fhirjson.dumps([number]) == f"[{number}]"
    assert str(fhirjson.loads(fhirjson.dumps(number))) == str(number)


@FAST
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_json_or_a_4xx(body):
    refused_or(parse_json, body, "the body")


@FAST
@given(json_values)
def test_any_json_document_is_taken_whole_or_refused_with_a_4xx(value):
    text = json.dumps(value, default=str)
    parsed = refused_or(parse_json, text.encode(), "the body")
    if not isinstance(parsed, FhirError):
        check_json(parsed)  # what is taken passes again, and can be written
        fhirjson.dumps(parsed)


@FAST
@given(st.text(max_size=30))
def test_header_numbers_are_ascii_digits_or_a_4xx(text):
    value = refused_or(parse_whole_number, text, "Upload-Length")
    if not isinstance(value, FhirError):
        assert text.isascii() and text.isdigit() and value == int(text)


@FAST
@given(st.text(max_size=30) | st.integers(0, 10 ** 30).map(lambda n: f'W/"{n}"'))
def test_version_tags_are_numbers_or_a_4xx(text):
    value = refused_or(parse_version_tag, text, "If-Match")
    if not isinstance(value, FhirError):
        assert 0 <= value < 10 ** 18


@FAST
@given(st.text(max_size=80))
def test_ids_are_fhir_ids_or_a_4xx(text):
    value = refused_or(check_id, text, "Patient.id")
    if not isinstance(value, FhirError):
        assert 1 <= len(value) <= 64 and value.isascii()


@FAST
@given(st.dictionaries(st.sampled_from(["name", "birthDate", "managingOrganization", "generalPractitioner",
                                        "gender", "active", "multipleBirthInteger", "extension"]),
                       json_values, max_size=4))
def test_any_patient_is_valid_or_a_4xx(fields):
    refused_or(validate, {"resourceType": "Patient", "id": "p-1", **fields}, "Patient", "p-1")


def test_decimals_in_bodies_stay_exact():
    parsed = parse_json(b'{"value": 1.50, "small": 0.000001230, "n": 7}', "the body")
    assert parsed == {"value": Decimal("1.50"), "small": Decimal("0.000001230"), "n": 7}
    assert fhirjson.dumps(parsed) == '{"value":1.50,"small":0.000001230,"n":7}'
