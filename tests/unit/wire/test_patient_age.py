"""A patient whose age is known but not the date of birth: the Patient the station sends, and how it is read."""

from datetime import date, datetime, timezone

from app.domain.case import ConsultationCase, Patient
from app.wire import mapping, systems


def _case(birth="", age="", created=datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)) -> ConsultationCase:
    return ConsultationCase(patient=Patient(full_name="Nguyễn Văn Bình", sex="male", birth=birth, age=age),
                            created_at=created)


def test_an_age_without_a_birth_date_goes_as_a_birth_year_marked_as_estimated_from_the_stated_age():
    patient = mapping.patient_resource(_case(age="58"))
    # A year-precision FHIR date any client can compute an age from, counted from when the case was written
    # (not from today: the same case sent again next year is the same resource).
    assert patient["birthDate"] == "1968"
    assert patient["_birthDate"] == {"extension": [{
        "url": systems.STATED_AGE_EXTENSION,
        "valueAge": {"value": 58, "unit": "a", "system": systems.UCUM, "code": "a"}}]}
    assert mapping.stated_age(patient) == 58
    earlier = mapping.patient_resource(_case(age="58", created=datetime(2025, 6, 1, tzinfo=timezone.utc)))
    assert earlier["birthDate"] == "1967" and mapping.stated_age(earlier) == 58


def test_a_birth_date_wins_over_an_age_and_is_not_marked():
    for birth, sent in (("12/03/1968", "1968-03-12"), ("03/1968", "1968-03"), ("1968", "1968")):
        patient = mapping.patient_resource(_case(birth=birth, age="58"))
        assert patient["birthDate"] == sent and "_birthDate" not in patient
        assert mapping.stated_age(patient) is None


def test_no_birth_date_and_no_usable_age_send_no_birth_date():
    for age in ("", "abc", "131"):
        patient = mapping.patient_resource(_case(age=age))
        assert "birthDate" not in patient and "_birthDate" not in patient, age


def test_a_newborn_stated_as_zero_years():
    patient = mapping.patient_resource(_case(age="0"))
    assert patient["birthDate"] == "2026" and mapping.stated_age(patient) == 0


def test_stated_age_ignores_what_is_not_ours_or_malformed():
    assert mapping.stated_age({}) is None
    assert mapping.stated_age({"birthDate": "1968", "_birthDate": "x"}) is None
    assert mapping.stated_age({"_birthDate": {"extension": [{"url": "other", "valueAge": {"value": 3}}]}}) is None
    assert mapping.stated_age({"_birthDate": {"extension": [{"url": systems.STATED_AGE_EXTENSION,
                                                             "valueAge": {"value": "58"}}]}}) is None


def test_the_hub_readers_show_the_stated_age_not_a_computed_one():
    from server.consultation.thread import _age
    from server.live.service import age_of_patient

    patient = mapping.patient_resource(_case(age="58"))
    # In January 2027 a birth year of 1968 would read 59; the station said 58.
    assert age_of_patient(patient, date(2027, 1, 15)) == "58"
    assert _age(patient, datetime(2027, 1, 15, tzinfo=timezone.utc)) == 58
    born = mapping.patient_resource(_case(birth="12/03/1968"))
    assert age_of_patient(born, date(2027, 1, 15)) == "58"
    assert _age(born, datetime(2027, 3, 12, tzinfo=timezone.utc)) == 59


def test_the_minutes_write_the_stated_age_not_a_birth_year():
    from server.consultation import minutes_hook

    patient = minutes_hook._patient(mapping.patient_resource(_case(age="58")), "0100A-1")
    assert patient.age == "58 tuổi" and patient.birth_date is None
    born_in = minutes_hook._patient(mapping.patient_resource(_case(birth="1968")), "0100A-1")
    assert born_in.age == "sinh năm 1968"
