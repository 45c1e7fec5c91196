from dataclasses import replace

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Urgency
from app.domain.summary import CaseQuery
from app.domain.vitals import Vitals
from app.storage.db import open_database
from app.storage.case_search import search_cases
from app.storage.repository import CaseRepository
from tests.conftest import FakeClock, seed_cases


def full_case() -> ConsultationCase:
    return ConsultationCase(
        patient=Patient(full_name="Nguyễn Văn Được", birth="12/03/1968", age="", sex="male", cccd="037068001234",
                        bhyt="DN4370123456789", phone="0912345678", province_code="1", commune_code="4",
                        address_line="Xóm 3, xã Nghi Phong, huyện Nghi Lộc"),
        urgency=Urgency.URGENT, specialty="respiratory", hospital="bachmai", reason="Khó thở",
        question="Hướng điều trị?", history="Hút thuốc", examination="Ran nổ", treatment="Kháng sinh",
        vitals=Vitals("112", "140/90", "26", "91", "38,5", "58"), diagnosis_code="J18.9",
        diagnosis_text="Viêm phổi", foreign_expert=True)


def test_every_field_round_trips(tmp_path):
    db, repo, clock = open_database(tmp_path / "s.db"), CaseRepository(), FakeClock()
    case = full_case()
    with db.transaction() as s:
        stored = repo.insert(s, case, clock())
    with db.transaction() as s:
        loaded = repo.get(s, case.id)
    assert loaded == stored
    assert replace(loaded, number=None, created_at=None, updated_at=None) == case
    assert loaded.number == 1 and loaded.created_at == clock.now


def test_an_edit_updates_the_search_index(tmp_path):
    db, repo = open_database(tmp_path / "s.db"), CaseRepository()
    (case,) = seed_cases(db, [("Hoàng Văn Tèo", "", "", Urgency.ROUTINE)])
    with db.transaction() as s:
        repo.update(s, replace(case, patient=replace(case.patient, full_name="Hoàng Văn Tý")), FakeClock()())
    assert search_cases(db, CaseQuery(text="teo")).items == []
    assert len(search_cases(db, CaseQuery(text="ty")).items) == 1
