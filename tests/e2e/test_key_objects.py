"""A study a real station sent (its services, its sync) opens in the console's viewer on the key image the
doctor marked: the station's own Key Object Selection document, read through the hub's DICOMweb."""

from dataclasses import replace

import pydicom

from app.domain.attachment import AttachmentKind
from tests.e2e.test_viewer import make_person, settled, state, viewer_url
from tests.support.browser import signed_in_page
from tests.support.dicom_series import ct_series

SLICES, KEY_SLICE = 8, 5  # IM0006 marked: dwv shows slices by position, so it is slice 8 - 5 = 3 of 8


def test_the_viewer_opens_a_station_sent_study_on_its_key_image(browser, pacs_hub, station, tmp_path):
    _, code = pacs_hub.register("station", facility="0100A", name="TTYT huyện Ba Vì")
    station.sync.enroll(pacs_hub.url, code)
    cases = station.cases
    case = cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=SLICES, size=96))
    ct = sorted((a for a in station.attachments.list(case.id) if a.kind == AttachmentKind.IMAGING),
                key=lambda a: a.original_name)
    station.imaging.set_key_image(case.id, ct[0].id, 0, True)
    station.imaging.set_key_image(case.id, ct[0].id, 0, False)  # not that one after all
    station.imaging.set_key_image(case.id, ct[KEY_SLICE].id, 0, True)
    draft = cases.get_case(case.id)
    cases.save_draft(replace(
        draft, patient=replace(draft.patient, full_name="Hoàng Thị Lan", birth="12/03/1961", sex="female"),
        reason="Đau ngực", question="Có chỉ định can thiệp?", specialty="cardiology", hospital="bachmai",
        diagnosis_code="I20.0", diagnosis_text="Đau thắt ngực không ổn định"))
    cases.mark_ready(case.id)
    cases.submit(case.id)
    assert station.sync.run_once().synced_cases == [case.id]
    study = str(pydicom.dcmread(station.attachments.path(ct[0]), stop_before_pixels=True).StudyInstanceUID)

    page = signed_in_page(browser, pacs_hub, make_person(pacs_hub, "bs.lan", "bachmai"))
    page.goto(viewer_url(pacs_hub, study))
    assert settled(page) == "ready"
    assert state(page, "key") == "true"
    assert page.locator("#series button").first.inner_text().startswith("★ CT")
    assert page.locator("#series button").count() == 1  # the KO is read, not listed as a series to view
    page.wait_for_selector("#viewer[data-complete=true]", timeout=20_000)
    assert state(page, "key") == "true"
    assert page.inner_text("#position").endswith(f" {SLICES - KEY_SLICE}/{SLICES} ★")  # "Lát 3/8 ★"
