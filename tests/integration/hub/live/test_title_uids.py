"""A live session's title quoting an original DICOM UID of a case for abroad is refused, like one naming the patient.

Found (issue 15): the title is on every site's screen and in every invitee's session list, experts abroad included;
POST /live refused a title naming the patient but took one quoting the UID of the case's original study (taken
before the case was marked for abroad, never checked clean), which the API masks everywhere else for them."""

from app.wire import systems

from ..test_access import consultation
from .conftest import CASE, PATIENT, Api

STUDY, SERIES, SOP = "1.2.826.0.1.3680043.8.498.211", "1.2.826.0.1.3680043.8.498.212", "1.2.826.0.1.3680043.8.498.213"


def test_a_title_quoting_an_original_uid_of_an_abroad_case_is_refused(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    resources = consultation(CASE, PATIENT)
    resources[0].update({"name": [{"text": "Nguyễn Thị Lan"}], "gender": "female", "birthDate": "1980-05-02"})
    resources[1]["identifier"] = [{"system": systems.CASE_NUMBER, "value": "0100A-2026-0042"}]
    own.transaction(resources)
    own.put({"resourceType": "ImagingStudy", "id": "study-original", "status": "available",  # the original, as sent
             "identifier": [{"system": systems.DICOM_UID, "value": f"urn:oid:{STUDY}"}],
             "subject": {"reference": f"Patient/{PATIENT}"}, "basedOn": [{"reference": f"ServiceRequest/{CASE}"}],
             "series": [{"uid": SERIES, "modality": {"system": systems.DICOM_MODALITY, "code": "CT"},
                         "instance": [{"uid": SOP, "sopClass": {"system": systems.URI,
                                                                "code": "urn:oid:1.2.840.10008.5.1.4.1.1.2"}}]}]})
    resources[1]["extension"] = [{"url": systems.EXPERT_ABROAD_EXTENSION, "valueBoolean": True}]  # marked abroad now
    own.transaction(resources)
    api = Api(live_hub, own)
    for title in (f"Ca 0100A-2026-0042: xem phim {STUDY}", f"lát urn:oid:{SOP} — sốc nhiễm khuẩn?",
                  f"series {SERIES}"):
        refused = api("POST", "/live", json={"request": CASE, "title": title})
        assert refused.status_code == 422 and refused.json()["issue"][0]["expression"] == ["title"], refused.text
        assert STUDY not in refused.text and SOP not in refused.text and SERIES not in refused.text
    assert api("GET", "/live").json()["sessions"] == []  # nothing was started
    fine = api("POST", "/live", json={"request": CASE, "title": "Ca 0100A-2026-0042: phim CT 1.5 mm"})
    assert fine.status_code == 201 and fine.json()["title"] == "Ca 0100A-2026-0042: phim CT 1.5 mm", fine.text
