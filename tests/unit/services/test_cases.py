from dataclasses import replace

import pytest

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Status, TransitionError
from app.domain.summary import CaseQuery
from app.domain.vitals import Vitals
from app.services.cases import CaseIncomplete, CaseNotEditable, CaseNotFound


def complete(case: ConsultationCase) -> ConsultationCase:
    return replace(case, patient=replace(case.patient, full_name="Phạm Thị Lan", birth="1975", sex="female"),
                   reason="Đau ngực", question="Có cần can thiệp mạch vành?", specialty="cardiology",
                   hospital="bachmai")


def test_create_gives_a_draft_with_client_uuids(cases):
    case = cases.create_case()
    assert case.status is Status.DRAFT and len(case.id) == 36 and len(case.patient.id) == 36
    assert cases.get_case(case.id) == case


def test_an_invalid_draft_still_saves_exactly_as_typed(cases):
    case = cases.create_case()
    typed = replace(case, patient=replace(case.patient, full_name="Vũ Văn Tám", cccd="12345"),
                    vitals=Vitals(spo2="980", pulse="nhanh"))
    assert {i.code for i in cases.validate(typed)} == {"cccd.format", "vital.range", "vital.number"}
    cases.save_draft(typed)
    stored = cases.get_case(case.id)
    assert stored.patient.cccd == "12345" and stored.vitals.spo2 == "980" and stored.vitals.pulse == "nhanh"


def test_an_incomplete_case_cannot_be_marked_ready(cases):
    case = cases.create_case()
    with pytest.raises(CaseIncomplete) as raised:
        cases.mark_ready(case.id)
    assert {"full_name", "question"} <= {i.field for i in raised.value.issues}
    assert cases.get_case(case.id).status is Status.DRAFT


def test_a_case_with_errors_cannot_be_sent(cases):
    case = cases.save_draft(replace(complete(cases.create_case()), vitals=Vitals(temperature="375")))
    with pytest.raises(CaseIncomplete) as raised:
        cases.mark_ready(case.id)
    assert [i.code for i in raised.value.issues] == ["vital.range"]


def test_lifecycle_draft_ready_submitted_and_no_edits_after(cases):
    case = cases.save_draft(complete(cases.create_case()))
    assert cases.mark_ready(case.id).status is Status.READY
    with pytest.raises(CaseNotEditable):
        cases.save_draft(case)
    assert cases.back_to_draft(case.id).status is Status.DRAFT
    cases.mark_ready(case.id)
    assert cases.submit(case.id).status is Status.SUBMITTED
    with pytest.raises(TransitionError):
        cases.back_to_draft(case.id)
    with pytest.raises(CaseNotEditable):
        cases.save_draft(replace(case, question="changed"))
    history = [(old, new) for old, new, _at in cases.status_history(case.id)]
    assert history == [(None, Status.DRAFT), (Status.DRAFT, Status.READY), (Status.READY, Status.DRAFT),
                       (Status.DRAFT, Status.READY), (Status.READY, Status.SUBMITTED)]


def test_reopen_an_answered_case_as_a_new_linked_case(cases):
    case = cases.save_draft(complete(cases.create_case()))
    cases.mark_ready(case.id)
    cases.submit(case.id)
    cases.record_status(case.id, Status.SYNCED)
    with pytest.raises(ValueError):
        cases.reopen(case.id)
    cases.record_status(case.id, Status.ANSWERED)
    again = cases.reopen(case.id)
    assert again.parent_id == case.id and again.status is Status.DRAFT and again.number == 2
    assert again.patient.id == case.patient.id  # the same patient record
    assert cases.get_case(case.id).status is Status.ANSWERED  # the old case is untouched


def test_unknown_case(cases):
    with pytest.raises(CaseNotFound):
        cases.get_case("00000000-0000-0000-0000-000000000000")


def test_search_by_the_service(cases):
    cases.create_case(ConsultationCase(patient=Patient(full_name="Nguyễn Văn Được")))
    cases.create_case(ConsultationCase(patient=Patient(full_name="Lò Thị Mai")))
    page = cases.search(CaseQuery(text="nguyen van duoc"))
    assert [c.full_name for c in page.items] == ["Nguyễn Văn Được"] and page.total == 1


def test_data_survives_reopening_the_station(data_dir):
    from app.services.station import Station

    first = Station(data_dir)
    case = first.cases.save_draft(replace(first.cases.create_case(), question="Câu hỏi có dấu: ỡ ự ỷ"))
    first.close()
    second = Station(data_dir)
    assert second.cases.get_case(case.id).question == "Câu hỏi có dấu: ỡ ự ỷ"
    second.close()


def test_a_mistaken_draft_is_deleted_with_its_files_but_a_sent_case_never(station):
    from app.domain.attachment import AttachmentKind

    cases = station.cases
    draft = cases.save_draft(complete(cases.create_case()))
    photo = station.attachments.add_bytes(draft.id, b"not the right patient", "anh.jpg", AttachmentKind.PHOTO)
    shared = station.attachments.add_bytes(draft.id, b"same bytes in two cases", "a.pdf", AttachmentKind.DOCUMENT)
    other = cases.save_draft(complete(cases.create_case()))
    station.attachments.add_bytes(other.id, b"same bytes in two cases", "b.pdf", AttachmentKind.DOCUMENT)
    cases.delete_draft(draft.id)
    with pytest.raises(CaseNotFound):
        cases.get_case(draft.id)
    assert not station.attachments.path(photo).exists()  # its file is freed
    assert station.attachments.path(shared).exists()  # still used by the other case
    assert [s.id for s in cases.search(CaseQuery()).items] == [other.id]
    sent = cases.submit(cases.mark_ready(other.id).id)
    with pytest.raises(CaseNotEditable):
        cases.delete_draft(sent.id)
    assert cases.get_case(sent.id).status is Status.SUBMITTED


def test_a_cccd_or_bhyt_already_on_another_patient_is_found_and_that_patient_can_be_reused(cases):
    first = cases.save_draft(replace(cases.create_case(), patient=Patient(
        full_name="Lò Văn Páo", cccd="011085001234", bhyt="DN4790123456789", birth="1985", sex="male")))
    typed = cases.save_draft(replace(cases.create_case(), patient=Patient(full_name="Lò Văn Pao",
                                                                          cccd="011085001234")))
    found = cases.patients_sharing_identifiers(typed)
    assert [(m.patient.full_name, m.fields, m.case_numbers) for m in found] == [
        ("Lò Văn Páo", ("cccd",), (first.number,))]
    reused = cases.use_patient(typed.id, first.patient.id)
    assert reused.patient == first.patient
    assert cases.get_case(typed.id).patient.bhyt == "DN4790123456789"
    assert cases.patients_sharing_identifiers(reused) == []
    assert cases.patients_sharing_identifiers(first) == []  # the draft's own identity row is gone
