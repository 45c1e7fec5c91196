"""The client assertion's audience is the hub's configured public address, never what a request's Host says.

Otherwise an assertion a station was tricked into sending to a fake hub (aud = the fake hub's
token URL) could be replayed to the real one with `Host: <fake hub>`.
"""

import argparse
from dataclasses import replace

import httpx
import pytest

from app.sync.hub_client import ASSERTION_TYPE, HubClient
from server.config import HubConfig
from tests.support.hub import RunningHub

PUBLIC = "https://hub.diemcau.example.vn"


def token_reply(hub, client: HubClient, audience: str, host: str | None = None) -> httpx.Response:
    """POST /auth/token with an assertion `client` signed for `audience`, sent with `host` as Host."""
    signer = HubClient(replace(client.credential, token_endpoint=audience))
    try:
        assertion = signer._assertion()
    finally:
        signer.close()
    return httpx.post(f"{hub.url}/auth/token", headers={"Host": host} if host else {}, timeout=10, data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})


@pytest.fixture
def public_hub(tmp_path):
    running = RunningHub(tmp_path / "hub", public_url=PUBLIC + "/").start()
    yield running
    running.stop()


def test_with_a_public_url_only_that_audience_is_taken(public_hub, enrolled):
    client = enrolled(public_hub, facility="01001")
    assert client.credential.token_endpoint == f"{PUBLIC}/auth/token"  # what /enroll tells the station
    assert token_reply(public_hub, client, f"{PUBLIC}/auth/token").status_code == 200
    assert token_reply(public_hub, client, f"{PUBLIC}/auth/token", host="elsewhere.example").status_code == 200
    local = f"{public_hub.url}/auth/token"
    assert token_reply(public_hub, client, local).status_code == 401
    fake = "http://fake-hub.example/auth/token"
    refused = token_reply(public_hub, client, fake, host="fake-hub.example")
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_with_a_public_url_the_hub_names_itself_by_it(public_hub, enrolled):
    client = enrolled(public_hub, facility="01001")
    headers = {"Authorization": f"Bearer {token_reply(public_hub, client, PUBLIC + '/auth/token').json()['access_token']}"}
    metadata = httpx.get(f"{public_hub.url}/metadata", timeout=10).json()
    assert metadata["implementation"]["url"] == PUBLIC
    search = httpx.get(f"{public_hub.url}/Patient", params={"_count": "1"}, headers=headers, timeout=10).json()
    assert search["link"][0]["url"].startswith(f"{PUBLIC}/Patient?")


def test_without_a_public_url_a_host_header_from_elsewhere_is_no_audience(hub, enrolled):
    client = enrolled(hub, facility="01001")
    assert token_reply(hub, client, f"{hub.url}/auth/token").status_code == 200  # the hub on this machine
    fake = "http://fake-hub.example/auth/token"
    replayed = token_reply(hub, client, fake, host="fake-hub.example")
    assert replayed.status_code == 401
    assert "public" in replayed.json()["error_description"]


def test_the_public_url_comes_from_the_command_line_or_the_environment(tmp_path, monkeypatch):
    from server.__main__ import _config

    args = argparse.Namespace(data=str(tmp_path / "hub"), database=None, pacs=None, public_url=PUBLIC + "/")
    assert _config(args).public_url == PUBLIC
    monkeypatch.setenv("DIEMCAU_HUB_PUBLIC_URL", "https://other.example.vn/hub")
    assert HubConfig.in_folder(tmp_path / "hub").public_url == "https://other.example.vn/hub"
    with pytest.raises(ValueError):
        HubConfig.in_folder(tmp_path / "hub", public_url="hub.example.vn")  # no scheme: not an address


def test_with_a_public_url_dicomweb_answers_name_the_hub_by_it(tmp_path, orthanc, enrolled):
    import io

    import pydicom

    from tests.support.dicom_series import ct_series

    from .test_access import consultation

    hub = RunningHub(tmp_path / "hub", public_url=PUBLIC, pacs_url=orthanc.dicomweb_url).start()
    try:
        client = enrolled(hub, facility="01001")
        headers = {"Authorization": f"Bearer {token_reply(hub, client, PUBLIC + '/auth/token').json()['access_token']}"}
        httpx.post(hub.url + "/", headers=headers, timeout=30, json={"resourceType": "Bundle", "type": "transaction",
                   "entry": [{"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
                             for r in consultation("case-p", "pat-p")]}).raise_for_status()
        ds = pydicom.dcmread(ct_series(tmp_path / "ct", slices=1)[0])
        data = io.BytesIO()
        ds.save_as(data, enforce_file_format=True)
        body = b"--b\r\nContent-Type: application/dicom\r\n\r\n" + data.getvalue() + b"\r\n--b--\r\n"
        stored = httpx.post(f"{hub.url}/dicomweb/studies/{ds.StudyInstanceUID}", params={"request": "case-p"},
                            content=body, timeout=30, headers={
                                **headers, "Content-Type": 'multipart/related; type="application/dicom"; boundary=b'})
        assert stored.status_code == 200 and f"{PUBLIC}/dicomweb/studies/" in stored.text
        found = httpx.get(f"{hub.url}/dicomweb/studies/{ds.StudyInstanceUID}/instances", headers=headers, timeout=30)
        assert found.status_code == 200 and f"{PUBLIC}/dicomweb/studies/" in found.text
        assert hub.url not in found.text and orthanc.dicomweb_url not in found.text
    finally:
        hub.stop()
