"""LiveService (app/services/live.py) against the real hub with its own Janus, without Qt: the station's live
use cases as plain calls, and the hub's refusals as the codes the interface words."""

import pytest

from app.live.details import JoinDetails
from app.services.live import ENDED, NOT_ENROLLED, NOT_INVITED, LiveError, LiveService
from app.services.station import Station
from tests.support.cases import submitted_case

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def sites(tmp_path, live_hub):
    made = {}
    for name, facility in (("TTYT huyện Mèo Vạc", "01234"), ("TTYT huyện Đồng Văn", "01235"),
                           ("TTYT huyện Yên Minh", "01236")):
        station = Station(tmp_path / facility)
        _, code = live_hub.register("station", facility=facility, name=name)
        station.sync.enroll(live_hub.url, code)
        made[facility] = station
    yield made
    for station in made.values():
        station.close()


def test_start_invite_join_consent_leave_end(tmp_path, sites):
    meo_vac, dong_van, yen_minh = sites["01234"], sites["01235"], sites["01236"]
    case = submitted_case(meo_vac, tmp_path, name="Hoàng Thị Lan", slices=0)
    meo_vac.sync.run_once()

    live = meo_vac.live.start(case.id)
    assert live.request == case.id and live.state == "open"
    assert meo_vac.live.start_or_find(case.id).id == live.id  # a second click joins the same session
    assert meo_vac.live.open_for_case(case.id).id == live.id
    assert dong_van.live.sessions() == []  # not invited yet: not even told it exists

    with pytest.raises(LiveError) as refused:
        dong_van.live.join(live.id)
    assert refused.value.code == NOT_INVITED and refused.value.status == 403

    meo_vac.live.invite(live.id, ["01235"])
    assert [s.id for s in dong_van.live.sessions()] == [live.id]
    assert yen_minh.live.sessions() == []
    details = dong_van.live.join(live.id)
    assert isinstance(details, JoinDetails) and details.live_id == live.id and details.room_token
    assert details.site == "TTYT huyện Đồng Văn"
    assert details.case["initials"] and "Hoàng" not in str(details.case)  # shared screens: never the name
    rejoin = dong_van.live.rejoin_for(live.id)
    again = rejoin()
    assert again.room == details.room and again.room_token != details.room_token  # a fresh ticket each time

    dong_van.live.consent(live.id, True)
    agreed = {p["participant"] for p in meo_vac.live.session(live.id).recording.get("agreed", [])}
    assert dong_van.live.client_id in agreed

    dong_van.live.leave(live.id)
    meo_vac.live.end(live.id)
    assert meo_vac.live.sessions() == [] and meo_vac.live.open_for_case(case.id) is None
    with pytest.raises(LiveError) as ended:
        dong_van.live.join(live.id)
    assert ended.value.code == ENDED


def test_a_station_without_a_hub_is_told_so():
    with pytest.raises(LiveError) as refused:
        LiveService(lambda: None).sessions()
    assert refused.value.code == NOT_ENROLLED
