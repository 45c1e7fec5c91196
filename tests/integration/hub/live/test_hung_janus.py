"""Janus hung (stopped, not gone: connections are accepted and never answered), while stations and experts
keep joining: each join is told the video server is unavailable, and the rest of the case work goes on
(the writes of the case work must not queue behind the joins waiting for Janus). SQLite and PostgreSQL."""

import os
import signal

from .conftest import CASE, Api, case_of, wait_for
from .test_overlap import at_once


def test_a_hung_janus_fails_the_joins_and_not_the_case_work(hub_with_sfu, enrolled):
    live_hub = hub_with_sfu
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    api = Api(live_hub, own)
    live_id = api("POST", "/live", json={"request": CASE}).json()["id"]
    others = [enrolled(live_hub, "expert", hospital="bachmai", specialty="cardiology", name=f"BS {n}")
              for n in range(8)]
    janus = live_hub.sfu.process
    os.kill(janus.pid, signal.SIGSTOP)
    try:
        note = {"resourceType": "Observation", "id": "obs-during", "status": "final", "code": {"text": "Mạch"},
                "subject": {"reference": "Patient/pat-live"}, "basedOn": [{"reference": f"ServiceRequest/{CASE}"}],
                "valueQuantity": {"value": 88, "unit": "/min"}}
        answers = at_once(*[lambda c=c: Api(live_hub, c)("POST", f"/live/{live_id}/join") for c in others],
                          lambda: own.put(note))
    finally:
        os.kill(janus.pid, signal.SIGCONT)
    *joins, written = answers
    # Each join answered (within the client's 30 s), the video server named as the trouble.
    assert [getattr(j, "status_code", repr(j)) for j in joins] == [503] * len(joins)
    assert all(j.json()["code"] == "sfu-unavailable" for j in joins)
    assert not isinstance(written, Exception), written  # the case work went on
    assert own.read("Observation", "obs-during")["valueQuantity"]["value"] == 88
    # Janus back: joins work again.
    wait_for(lambda: Api(live_hub, others[0])("POST", f"/live/{live_id}/join").status_code == 200, 60,
             "a join once Janus answers again")
