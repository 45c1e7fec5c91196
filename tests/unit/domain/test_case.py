from datetime import date

import pytest

from app.domain.case import ConsultationCase, Patient, reopen, validate
from app.domain.lifecycle import Status, TransitionError, check_transition
from app.domain.vitals import Vitals

TODAY = date(2026, 11, 24)


def complete_case(**changes) -> ConsultationCase:
    patient = Patient(full_name="Nguyễn Văn Được", birth="12/03/1968", sex="male", cccd="037068001234")
    base = dict(patient=patient, specialty="respiratory", hospital="bachmai", reason="Khó thở",
                question="Hướng điều trị?")
    return ConsultationCase(**(base | changes))


def test_a_complete_case_has_no_issues(icd):
    assert validate(complete_case(), icd, TODAY, complete=True) == []


def test_required_fields_are_only_demanded_for_sending(icd):
    empty = ConsultationCase()
    assert validate(empty, icd, TODAY) == []
    fields = {i.field for i in validate(empty, icd, TODAY, complete=True)}
    assert fields == {"full_name", "sex", "reason", "question", "specialty", "hospital", "birth"}


def test_cccd_is_checked_against_the_patient(icd):
    case = complete_case(patient=Patient(full_name="Trần Thị B", birth="1990", sex="female", cccd="040090004567"))
    assert [i.code for i in validate(case, icd, TODAY)] == ["cccd.sex"]


def test_bad_vitals_and_icd_code_are_reported_by_field(icd):
    case = complete_case(vitals=Vitals(spo2="180"), diagnosis_code="J99.99")
    assert {(i.field, i.code) for i in validate(case, icd, TODAY)} == {("spo2", "vital.range"),
                                                                        ("diagnosis_code", "icd.unknown")}


def test_unknown_specialty_or_hospital(icd):
    case = complete_case(specialty="astrology")
    assert [i.field for i in validate(case, icd, TODAY)] == ["specialty"]


def test_search_text_holds_folded_name_and_identifiers():
    case = complete_case(patient=Patient(full_name="Nguyễn Văn Được", cccd="037 068 001234",
                                         bhyt="dn4370123456789", phone="+84912345678"))
    assert case.search_text() == "nguyen van duoc 037068001234 dn4370123456789 0123456789 84912345678"


def test_reopen_makes_a_linked_draft_with_a_new_id():
    answered = complete_case(status=Status.ANSWERED, number=7)
    again = reopen(answered)
    assert again.id != answered.id and again.parent_id == answered.id
    assert again.status is Status.DRAFT and again.number is None
    assert again.patient == answered.patient and again.question == answered.question


def test_only_answered_or_closed_cases_reopen():
    with pytest.raises(ValueError):
        reopen(complete_case(status=Status.SUBMITTED))


@pytest.mark.parametrize("current,wanted,ok", [
    (Status.DRAFT, Status.READY, True), (Status.DRAFT, Status.SUBMITTED, False),
    (Status.READY, Status.DRAFT, True), (Status.READY, Status.SUBMITTED, True),
    (Status.SUBMITTED, Status.DRAFT, False), (Status.SUBMITTED, Status.SYNCED, True),
    (Status.SYNCED, Status.ANSWERED, True), (Status.ANSWERED, Status.CLOSED, True),
    (Status.CLOSED, Status.DRAFT, False),
])
def test_transitions(current, wanted, ok):
    if ok:
        check_transition(current, wanted)
    else:
        with pytest.raises(TransitionError):
            check_transition(current, wanted)
