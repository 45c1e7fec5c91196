"""The live page of an expert only invited to a session (not routed to its case): they read none of the case's
records, so the page neither sends them to the case (a "not found" page) nor shows an empty black viewer."""

import json
import re

import pytest

from .support import make_case, submit
from .test_live_views import join, person_id, started


@pytest.fixture
def hub(hub_with_sfu):
    return hub_with_sfu


def config_of(html: str) -> dict:
    return json.loads(re.search(r'<script id="live-config" type="application/json">(.*?)</script>', html, re.S)[1])


def test_an_invited_expert_is_told_the_images_are_not_theirs_and_goes_back_to_the_inbox(hub, station_client,
                                                                                        browser):
    case = submit(station_client, make_case(), "0100A")
    host = browser("tim.bachmai")
    live_id = started(host, case.id)
    guest = browser("tim.choray", hospital="choray")
    host.get(f"/console/live/{live_id}")
    assert host.post(f"/console/live/{live_id}/invitations",
                     {"people": person_id(hub, "tim.choray")}).status_code == 200
    assert join(guest, live_id).json()["studies"] == []

    page = guest.get(f"/console/live/{live_id}").text
    assert f'href="/console/cases/{case.id}"' not in page and guest.get(f"/console/cases/{case.id}").status_code == 404
    assert '<a href="/console/inbox">← Hộp thư hội chẩn</a>' in page
    assert config_of(page)["back"] == "/console/inbox"  # where leaving takes them
    assert 'id="no-images"' in page and "không thấy ảnh đang trình chiếu" in page
    assert re.search(r'<iframe id="viewer-frame"[^>]* hidden>', page)
    assert re.search(r'<button type="button" id="present"[^>]* hidden>', page)

    # The host, routed to the case, keeps the way to it, the viewer and the Present button.
    page = host.get(f"/console/live/{live_id}").text
    assert f'<a href="/console/cases/{case.id}">' in page and config_of(page)["back"] == f"/console/cases/{case.id}"
    assert 'id="no-images"' not in page
    assert re.search(r'<iframe id="viewer-frame"[^>]*></iframe>', page) and "hidden></iframe>" not in page
