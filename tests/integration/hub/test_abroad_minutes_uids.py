"""The minutes' copy for experts abroad masks an original DICOM UID quoted in the conclusion, as the API does.

The case's ImagingStudy named its original study before the case was marked for abroad (the hub never checked it
clean); the signing expert pastes that study's UID into the conclusion. The API masks it for an expert abroad
(test_abroad_uids.py); the pseudonymous minutes PDF must too, while the Vietnamese copy, at home, keeps it."""

from dataclasses import replace

import httpx

from app.wire import consultation as wire
from app.wire import mapping
from app.wire.imaging import imaging_study
from server import consultation
from server.uploads import FileStore

from .conftest import Raw
from .test_consultation import EXPERT, pdf_text, services, submit

STUDY, SERIES, SOP = "1.2.826.0.1.3680043.8.498.111", "1.2.826.0.1.3680043.8.498.112", "1.2.826.0.1.3680043.8.498.113"


def _instance() -> dict:
    """One instance as QIDO-RS describes it (what the station's sync builds the ImagingStudy from)."""
    return {"0020000E": {"vr": "UI", "Value": [SERIES]}, "00080018": {"vr": "UI", "Value": [SOP]},
            "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]}, "00080060": {"vr": "CS", "Value": ["CT"]}}


def test_the_minutes_for_abroad_mask_an_original_uid_quoted_in_the_conclusion(hub, enrolled):
    station = enrolled(hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case = submit(station, "0100A")
    station.put(imaging_study(case, STUDY, [_instance()], f"{station.base}/dicomweb"))  # the original, as sent
    station.transaction(mapping.case_resources(replace(case, foreign_expert=True), "0100A"))  # marked abroad now
    abroad = enrolled(hub, "expert", hospital="k", specialty="oncology", foreign=True)
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, [wire.Issue("Chẩn đoán", f"Khối u trên phim "
                                                                           f"{STUDY}, lát {SOP}")],
                                        "Phẫu thuật", "Tái khám sau 3 tuần")
        consultation.sign(conn, EXPERT, draft["id"], hub.config.secret, files=FileStore(hub.config.files_dir))

    def minutes_text(client) -> dict[bool, str]:
        found = {}
        for document in client.search("DocumentReference", {"based-on": case.id}):
            if wire.is_minutes(document):
                answer = httpx.get(hub.url + document["content"][0]["attachment"]["url"],
                                   headers=Raw(hub, client).headers, timeout=30)
                assert answer.status_code == 200, answer.text
                found[wire.is_pseudonymous(document)] = " ".join(pdf_text(answer.content).split())
        return found

    (copy,) = minutes_text(abroad).items()
    assert copy[0] is True and "Khối u trên phim" in copy[1] and "Tái khám sau 3 tuần" in copy[1]
    assert STUDY not in copy[1] and SOP not in copy[1]
    at_home = minutes_text(station)
    assert list(at_home) == [False] and STUDY in at_home[False] and SOP in at_home[False]
