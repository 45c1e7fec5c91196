"""The console's DICOM viewer in Chromium: a CT a station sent, read through the hub's access-checked DICOMweb.

Real parts only: the hub on 127.0.0.1 with its Orthanc, a study stored by an enrolled station
(STOW-RS through the hub), people made with the console's accounts module who sign in through the
login page, and Debian's Chromium.
"""

import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from app.sync.hub_client import DicomPart, HubClient, enroll
from tests.integration.hub.console.support import CCCD, NAME, make_case, submit
from tests.support.browser import new_page, record_traffic, screenshot, signed_in_page, throttle
from tests.support.dicom_series import ct_series, key_object_selection

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "mật-khẩu-đủ-dài-2026"
DICOM_NAME = "NGUYEN^THI^HONG^NHUNG"
KEY_SLICE = 7  # the instance the station marked as key image (InstanceNumber 8)


@dataclass(frozen=True)
class Person:
    login: str
    password: str = PASSWORD


def make_person(hub, login, hospital, specialty="cardiology", role="expert", language="vi") -> Person:
    from server.console import accounts

    accounts.ensure_person(hub.engine, login, password=PASSWORD, name=f"Bác sĩ {login}", title="BSCKII", role=role,
                           hospital=hospital, specialty=specialty, foreign=False, language=language)
    return Person(login)


@pytest.fixture
def ct_study(pacs_hub, tmp_path):
    """A 12-slice chest CT (with a key image) a district station sent for its case routed to Bạch Mai cardiology."""
    _, code = pacs_hub.register("station", facility="0100A", name="TTYT huyện Ba Vì")
    station = HubClient(enroll(pacs_hub.url, code))
    case = submit(station, make_case(hospital="bachmai", specialty="cardiology"), "0100A")
    paths = ct_series(tmp_path / "ct", slices=12, size=128, patient_name=DICOM_NAME)
    key = key_object_selection(tmp_path / "key.dcm", [paths[KEY_SLICE]])
    study = str(pydicom.dcmread(paths[0]).StudyInstanceUID)
    stored = station.stow(study, case.id, [DicomPart(path=p) for p in [*paths, key]])
    assert len(stored.stored) == 13 and not stored.failed
    station.close()
    return study


def viewer_url(hub, study: str) -> str:
    return f"{hub.url}/console/viewer?study={study}"


def state(page, name: str) -> str:
    return page.get_attribute("#viewer", f"data-{name}") or ""


def image(page) -> np.ndarray:
    """What the person sees of the image (the viewer's drawing area), as grey levels."""
    png = page.locator("#layerGroup0").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)


def settled(page, timeout=20_000) -> str:
    """Wait until the viewer has shown the images or said why not; its state."""
    page.wait_for_selector("#viewer:not([data-state=starting]):not([data-state=loading])", timeout=timeout)
    return state(page, "state")


def changed(before: np.ndarray, after: np.ndarray) -> float:
    return float(np.abs(after - before).mean())


def wait_for(page, name: str, different_from: str):
    page.wait_for_function("([name, old]) => document.getElementById('viewer').dataset[name] !== old",
                           arg=[name, different_from], timeout=10_000)
    page.wait_for_timeout(150)  # the canvas is drawn just after the event that moved the index


def test_a_routed_expert_reads_the_ct_scrolls_windows_and_zooms(browser, pacs_hub, ct_study):
    page = signed_in_page(browser, pacs_hub, make_person(pacs_hub, "bs.lan", "bachmai"))
    traffic = record_traffic(page)
    page.goto(viewer_url(pacs_hub, ct_study))
    assert settled(page) == "ready"

    # Key images first: the viewer opens on the marked slice (dwv orders slices by position).
    assert state(page, "key") == "true"
    assert page.locator("#series button").first.inner_text().startswith("★ CT")
    page.wait_for_selector("#viewer[data-complete=true]", timeout=20_000)  # the series came after the key image
    assert state(page, "key") == "true" and page.inner_text("#position").startswith("Lát 5/12")
    first = image(page)
    assert first.std() > 20 and len(np.unique(first)) >= 4, "the image is blank or two-toned"
    assert (first < 20).mean() < 0.95 and (first > 235).mean() < 0.95
    screenshot(page, SCREENSHOTS / "console-viewer.png")

    # Scroll by key and by wheel: another slice, another image.
    slice_before = state(page, "slice")
    page.keyboard.press("ArrowDown")
    wait_for(page, "slice", slice_before)
    assert state(page, "key") == "false"
    second = image(page)
    assert changed(first, second) > 0.2
    box = page.locator("#layerGroup0").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    slice_before = state(page, "slice")
    page.mouse.wheel(0, 300)
    wait_for(page, "slice", slice_before)
    third = image(page)
    assert changed(second, third) > 0.2

    # A window preset: bone (C 400 / W 1800) where the file said C 40 / W 400.
    window_before = state(page, "window")
    page.click("[data-preset=bone]")
    wait_for(page, "window", window_before)
    assert state(page, "window") == "400/1800"
    assert page.locator("[data-preset=bone]").inner_text() == "Xương"
    boned = image(page)
    assert changed(third, boned) > 5

    # Zoom: the wheel under the zoom tool enlarges the image and leaves the slice where it was.
    page.click("[data-tool=ZoomAndPan]")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # back from the button
    slice_now = state(page, "slice")
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(400)
    assert state(page, "slice") == slice_now
    assert changed(boned, image(page)) > 2

    # Every request went to the hub itself, and none was refused.
    assert traffic.foreign(pacs_hub.url) == []
    assert any("/dicomweb/studies/" in u for u in traffic.urls)
    assert all(status < 400 for status in traffic.statuses.values()), traffic.statuses


def test_an_expert_of_another_hospital_gets_no_image_and_no_name(browser, pacs_hub, ct_study):
    page = signed_in_page(browser, pacs_hub, make_person(pacs_hub, "bs.hung", "choray"))
    traffic = record_traffic(page)
    page.goto(viewer_url(pacs_hub, ct_study))
    assert settled(page) == "denied"
    reads = {url: status for url, status in traffic.statuses.items() if "/dicomweb/" in url}
    assert reads and set(reads.values()) <= {401, 404}, reads
    html = page.content()
    for secret in ("NGUYEN", NAME, CCCD, "Phoi 5mm"):
        assert secret not in html
    assert traffic.foreign(pacs_hub.url) == []


def test_without_a_session_the_viewer_sends_to_the_login_page_and_dicomweb_refuses(browser, pacs_hub, ct_study):
    page = new_page(browser)
    page.goto(viewer_url(pacs_hub, ct_study))
    assert "/console/login" in page.url
    answer = page.request.get(f"{pacs_hub.url}/dicomweb/studies/{ct_study}/series")
    assert answer.status == 401
    page.context.close()


def test_first_load_on_a_1_mbit_link(browser, pacs_hub, ct_study):
    """Page weight and time to the first image at 1 Mbit/s with 100 ms latency (the figures are printed)."""
    page = signed_in_page(browser, pacs_hub, make_person(pacs_hub, "bs.mai", "bachmai"))
    traffic = record_traffic(page)
    throttle(page, 1, latency_ms=100)
    started = time.monotonic()
    page.goto(viewer_url(pacs_hub, ct_study))
    assert settled(page, timeout=60_000) == "ready"
    key_seconds = time.monotonic() - started
    page.wait_for_selector("#viewer[data-complete=true]", timeout=60_000)
    seconds = time.monotonic() - started
    page.wait_for_timeout(300)  # the last loadingFinished events
    total = traffic.total_bytes
    images = traffic.bytes_where(lambda url: "/dicomweb/" in url)
    print(f"\nviewer first load at 1 Mbit/s, 100 ms: the key image after {key_seconds:.1f} s, the whole series after "
          f"{seconds:.1f} s; {total / 1024:.0f} KB in "
          f"{len(traffic.urls)} requests: the page and its libraries {(total - images) / 1024:.0f} KB, "
          f"DICOMweb {images / 1024:.0f} KB (a 12-slice 128x128 CT)")
    assert images > 12 * 128 * 128 * 2  # the pixels did come over the link
    assert key_seconds < seconds and seconds < 30
