"""Recording a live session only with the consent of everyone present, on the hub with a real Janus and real
aiortc publishers (generated frames and a tone): nothing is written while anyone present has not agreed, a
late joiner pauses it, agreement resumes it, and after the end each participant's recording is a playable
.webm stored as a DocumentReference of the consultation, readable by the case's station only."""

import asyncio
import fractions
import json
import math
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from aiortc import MediaStreamTrack, RTCSessionDescription, VideoStreamTrack
from av import AudioFrame, VideoFrame
from sqlalchemy import update

from app.live.peer import offer_loopback, peer_connection
from app.wire import consultation as wire
from app.wire import systems
from server.live import recording
from server.live.janus_admin import JanusAdmin
from tests.support.hub import RunningHub

from ..test_access import consultation
from .conftest import CASE, Api, Participant, case_of, wait_for


class Frames(VideoStreamTrack):
    """Generated 320x240 frames; `sent` counts those the encoder took (media is flowing)."""

    def __init__(self):
        super().__init__()
        self.sent = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(np.full((240, 320, 3), (self.sent * 5) % 255, np.uint8), format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        self.sent += 1
        return frame


class Tone(MediaStreamTrack):
    """440 Hz, 20 ms frames in real time."""
    kind = "audio"

    def __init__(self):
        super().__init__()
        self.samples, self.started = 0, None

    async def recv(self):
        if self.started is None:
            self.started = time.monotonic()
        wait = self.started + self.samples / 48000 - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(960) + self.samples) / 48000
        frame = AudioFrame.from_ndarray((np.sin(2 * math.pi * 440 * t) * 8000).astype(np.int16).reshape(1, -1),
                                        format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, self.samples, fractions.Fraction(1, 48000)
        self.samples += 960
        return frame


class Publisher(Participant):
    """A participant that publishes a camera and a microphone (generated) once in the room."""

    async def publish(self) -> None:
        offer_loopback(True)
        self.frames = Frames()
        self.peer = peer_connection([])
        self.peer.addTrack(Tone())
        self.peer.addTrack(self.frames)
        await self.peer.setLocalDescription(await self.peer.createOffer())
        _, jsep = await self.handle.message({"request": "configure", "audio": True, "video": True},
                                            {"type": "offer", "sdp": self.peer.localDescription.sdp})
        await self.peer.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))

    async def more_frames(self, count: int = 45) -> None:
        """Until the encoder has taken `count` more frames: media flowed meanwhile."""
        target = self.frames.sent + count
        deadline = time.monotonic() + 20
        while self.frames.sent < target:
            assert time.monotonic() < deadline, "the publisher's frames stopped"
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if getattr(self, "peer", None) is not None:
            await self.peer.close()
        await super().close()


def start(api, invite=None):
    answer = api("POST", "/live", json={"request": CASE, "invite": invite or {}})
    assert answer.status_code == 201, answer.text
    return answer.json()


def mjr(folder: Path) -> dict[str, int]:
    """The .mjr files Janus wrote for the session so far (also those moved into take folders): name -> size."""
    return {p.name: p.stat().st_size for p in folder.rglob("*.mjr")} if folder.exists() else {}


def janus_records(hub, room: str) -> bool:
    rooms = JanusAdmin(hub.config.janus).request({"request": "list", "admin_key": hub.config.janus.admin_key})
    rooms = rooms.get("list", [])  # the rooms are private: only the admin key lists them
    return next(r for r in rooms if r["room"] == room).get("record", False)


def names(people: list[dict]) -> list[str]:
    return sorted(p["display"] for p in people)


def probe(path: Path) -> tuple[set[str], float]:
    answer = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type:format=duration", "-of",
                             "json", str(path)], capture_output=True, text=True, check=True)
    found = json.loads(answer.stdout)
    return {s["codec_type"] for s in found["streams"]}, float(found["format"]["duration"])


def test_recording_runs_only_while_everyone_present_agreed_and_is_stored_for_the_case(live_hub, enrolled, tmp_path):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    other = enrolled(live_hub, facility="0300C", name="TTYT huyện Đồng Văn")
    expert = enrolled(live_hub, "expert", hospital="bachmai", specialty="cardiology", name="BS Hùng")
    case_of(own)
    host, visitor, cardio = Api(live_hub, own), Api(live_hub, guest), Api(live_hub, expert)
    session = start(host, {"facilities": ["0200B"]})
    live_id = session["id"]
    folder = recording.record_dir(live_hub.config, live_id)
    room = host("POST", f"/live/{live_id}/join").json()["janus"]["room"]

    def view(api=host):
        return api("GET", f"/live/{live_id}").json()["recording"]

    async def scenario():
        station = Publisher(host("POST", f"/live/{live_id}/join").json())
        doctor = Publisher(cardio("POST", f"/live/{live_id}/join").json())
        late = None
        try:
            for p in (station, doctor):
                await p.join()
                await p.publish()
            await asyncio.to_thread(wait_for, lambda: len(host("GET", f"/live/{live_id}").json()["present"]) == 2,
                                    what="both in the room")
            # Only the starter or a coordinator asks for it; the expert is neither.
            refused = await asyncio.to_thread(cardio, "POST", f"/live/{live_id}/recording", json={"on": True})
            assert refused.status_code == 403 and refused.json()["code"] == "not-host"
            asked = await asyncio.to_thread(host, "POST", f"/live/{live_id}/recording", json={"on": True})
            assert asked.status_code == 200, asked.text
            state = asked.json()["recording"]
            # Asking is the asker's own agreement; the expert has not answered: nothing is recorded.
            assert state["state"] == "waiting"
            assert names(state["agreed"]) == ["TTYT huyện Mèo Vạc"]
            assert len(state["missing"]) == 1 and "BS Hùng" in state["missing"][0]["display"]
            await station.more_frames()
            await doctor.more_frames()
            assert mjr(folder) == {} and not await asyncio.to_thread(janus_records, live_hub, room)

            agreed = await asyncio.to_thread(cardio, "POST", f"/live/{live_id}/consent", json={"recording": True})
            assert agreed.status_code == 200 and agreed.json()["recording"]["state"] == "on"
            assert agreed.json()["recording"]["missing"] == []
            assert await asyncio.to_thread(janus_records, live_hub, room)
            await asyncio.to_thread(wait_for, lambda: len([n for n, size in mjr(folder).items() if size > 0]) >= 4,
                                    what="audio and video files of both publishers")

            # A late joiner who has not agreed: paused as they are let in, before anything of theirs is written.
            ticket = await asyncio.to_thread(visitor, "POST", f"/live/{live_id}/join")
            assert ticket.json()["recording"]["state"] == "paused"
            assert not await asyncio.to_thread(janus_records, live_hub, room)
            late = Publisher(ticket.json())
            await late.join()
            await late.publish()
            await asyncio.to_thread(wait_for, lambda: len(host("GET", f"/live/{live_id}").json()["present"]) == 3,
                                    what="the late joiner in the room")
            paused = await asyncio.to_thread(view)
            assert paused["state"] == "paused" and names(paused["missing"]) == ["Bệnh viện Cần Thơ"]
            assert not await asyncio.to_thread(janus_records, live_hub, room)
            before = mjr(folder)
            await station.more_frames()
            await late.more_frames()
            assert mjr(folder) == before  # nothing grows, nothing new: not the late joiner's either
            assert not any(late.participant in name for name in before)

            resumed = await asyncio.to_thread(visitor, "POST", f"/live/{live_id}/consent", json={"recording": True})
            assert resumed.json()["recording"]["state"] == "on"
            await asyncio.to_thread(wait_for, lambda: any(late.participant in n for n in mjr(folder)),
                                    what="the late joiner recorded once agreed")

            # A withdrawal pauses it again, until the one who withdrew agrees again or leaves.
            withdrawn = await asyncio.to_thread(cardio, "POST", f"/live/{live_id}/consent", json={"recording": False})
            assert withdrawn.json()["recording"]["state"] == "paused"
            assert names(withdrawn.json()["recording"]["declined"]) == names(withdrawn.json()["recording"]["missing"])
            assert not await asyncio.to_thread(janus_records, live_hub, room)
            again = await asyncio.to_thread(cardio, "POST", f"/live/{live_id}/consent", json={"recording": True})
            assert again.json()["recording"]["state"] == "on"
            await station.more_frames(30)
            withdrawn = await asyncio.to_thread(cardio, "POST", f"/live/{live_id}/consent", json={"recording": False})
            assert withdrawn.json()["recording"]["state"] == "paused"
            left = await asyncio.to_thread(cardio, "POST", f"/live/{live_id}/leave")
            assert left.status_code == 200 and left.json()["recording"]["state"] == "on"
            assert await asyncio.to_thread(janus_records, live_hub, room)
            await station.more_frames(60)
        finally:
            for p in (station, doctor, late):
                if p is not None:
                    await p.close()
    asyncio.run(scenario())

    ended = host("POST", f"/live/{live_id}/end")
    assert ended.status_code == 200 and ended.json()["recording"]["state"] == "off"
    # The consent record: every answer, in order, none rewritten.
    answers = [(a["display"].split(" — ")[0], a["recording"]) for a in host(
        "GET", f"/live/{live_id}/consents").json()["consents"]]
    assert answers == [("TTYT huyện Mèo Vạc", True), ("BS Hùng", True), ("Bệnh viện Cần Thơ", True),
                       ("BS Hùng", False), ("BS Hùng", True), ("BS Hùng", False)]
    assert Api(live_hub, other)("GET", f"/live/{live_id}/consents").status_code == 403
    stored = wait_for(lambda: (lambda v: v if v["documents"] and not v["processing"] else None)(view()),
                      timeout_s=120, what="the recordings post-processed and stored")
    assert len(stored["documents"]) == 3  # one per participant

    documents = [own.read("DocumentReference", d) for d in stored["documents"]]
    described = {d["description"] for d in documents}  # whose recording each is, as the session showed them
    assert {"TTYT huyện Mèo Vạc", "Bệnh viện Cần Thơ"} < described and any("BS Hùng" in d for d in described)
    assert all(wire.is_recording(d) and wire.recording_session(d) == live_id for d in documents)
    assert all({"reference": f"ServiceRequest/{CASE}"} in d["context"]["related"] for d in documents)
    reader = Api(live_hub, own)
    for document in documents:
        attachment = document["content"][0]["attachment"]
        assert attachment["contentType"] == "video/webm"
        fetched = reader("GET", attachment["url"])
        assert fetched.status_code == 200
        path = tmp_path / f"{document['id']}.webm"
        path.write_bytes(fetched.content)
        streams, duration = probe(path)
        assert streams == {"audio", "video"} and duration > 1.0
    # The expert the case is routed to reads it too; another facility, and the invited one, do not.
    assert cardio("GET", f"/DocumentReference/{documents[0]['id']}").status_code == 200
    for outsider in (Api(live_hub, other), visitor):
        assert outsider("GET", f"/DocumentReference/{documents[0]['id']}").status_code == 404
        assert outsider("GET", documents[0]["content"][0]["attachment"]["url"]).status_code == 404
    # Nobody writes over a recording through the API, the case's station included.
    forged = reader("PUT", f"/DocumentReference/{documents[0]['id']}",
                    content=json.dumps({**documents[0], "description": "changed"}))
    assert forged.status_code == 403


def test_consent_and_recording_refuse_bad_requests(live_hub, enrolled):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    stranger = enrolled(live_hub, facility="0300C", name="TTYT huyện Đồng Văn")
    case_of(own)
    host = Api(live_hub, own)
    live_id = start(host)["id"]
    assert host("POST", f"/live/{live_id}/consent", json={"recording": "yes"}).status_code == 400
    assert host("POST", f"/live/{live_id}/recording", json={}).status_code == 400
    refused = Api(live_hub, stranger)("POST", f"/live/{live_id}/consent", json={"recording": True})
    assert refused.status_code == 403 and refused.json()["code"] == "not-invited"
    assert host("POST", "/live/no-such-session/consent", json={"recording": True}).status_code == 404
    # Asked for with nobody in the room: waiting, and Janus records nothing.
    asked = host("POST", f"/live/{live_id}/recording", json={"on": True}).json()["recording"]
    assert asked["state"] == "waiting"
    stopped = host("POST", f"/live/{live_id}/recording", json={"on": False}).json()["recording"]
    assert stopped["state"] == "off"
    host("POST", f"/live/{live_id}/end")
    assert host("POST", f"/live/{live_id}/consent", json={"recording": True}).status_code == 409


def test_a_restarted_hub_finishes_what_a_crashed_one_left(tmp_path, enrolled):
    first = RunningHub(tmp_path / "hub", local_sfu=True).start()
    own = enrolled(first, facility="0100A", name="TTYT huyện Mèo Vạc")
    case_of(own)
    host = Api(first, own)
    live_id = start(host)["id"]
    folder = recording.record_dir(first.config, live_id)

    async def scenario():
        station = Publisher(host("POST", f"/live/{live_id}/join").json())
        try:
            await station.join()
            await station.publish()
            await asyncio.to_thread(wait_for, lambda: host("GET", f"/live/{live_id}").json()["present"],
                                    what="the station in the room")
            asked = await asyncio.to_thread(host, "POST", f"/live/{live_id}/recording", json={"on": True})
            assert asked.json()["recording"]["state"] == "on"
            await asyncio.to_thread(wait_for, lambda: len(mjr(folder)) >= 2, what="the station's files")
            await station.more_frames(60)
        finally:
            await station.close()
    # The worker is gone before the end (as in a crash): the take is closed and left pending, claimed by it.
    worker = recording._workers[first.engine]
    worker.stop()
    asyncio.run(scenario())
    stopped = host("POST", f"/live/{live_id}/recording", json={"on": False})  # stopping closes the take
    assert stopped.json()["recording"]["state"] == "off" and stopped.json()["recording"]["processing"] is True
    assert host("POST", f"/live/{live_id}/end").status_code == 200
    with first.engine.begin() as conn:
        conn.execute(update(recording.live_recordings).where(recording.live_recordings.c.live_id == live_id).values(
            claimed_until=datetime.now(timezone.utc) + timedelta(hours=1), files={"by": worker.id}))
        assert recording.recording_view(conn, live_id)["processing"] is True
    assert [p.name for p in folder.glob("take-*")] == ["take-0001"]
    first.stop()

    second = RunningHub(tmp_path / "hub", local_sfu=True).start()
    try:
        def stored():
            with second.engine.begin() as conn:
                found = recording.recording_view(conn, live_id)
            return found if found["documents"] and not found["processing"] else None
        found = wait_for(stored, timeout_s=120, what="the restarted hub's worker storing the recording")
        assert len(found["documents"]) == 1
        assert (folder / "take-0001" / "done").exists()
    finally:
        second.stop()


def test_someone_let_in_who_never_arrives_holds_the_recording_only_a_moment(live_hub, enrolled, monkeypatch):
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    guest = enrolled(live_hub, facility="0200B", name="Bệnh viện Cần Thơ")
    case_of(own)
    host = Api(live_hub, own)
    live_id = start(host, {"facilities": ["0200B"]})["id"]

    def state():
        return host("GET", f"/live/{live_id}").json()["recording"]["state"]

    async def scenario():
        station = Publisher(host("POST", f"/live/{live_id}/join").json())
        try:
            await station.join()
            await station.publish()
            await asyncio.to_thread(wait_for, lambda: host("GET", f"/live/{live_id}").json()["present"],
                                    what="the station in the room")
            asked = await asyncio.to_thread(host, "POST", f"/live/{live_id}/recording", json={"on": True})
            assert asked.json()["recording"]["state"] == "on"
            monkeypatch.setattr(recording, "ARRIVING_S", 2)
            # The guest is let in (a ticket) and never reaches the room (a dropped link, a closed window).
            ticket = await asyncio.to_thread(Api(live_hub, guest), "POST", f"/live/{live_id}/join")
            assert ticket.json()["recording"]["state"] == "paused"
            worker = recording._workers[live_hub.engine]

            def resumed():
                worker.wake()  # its pass every 30 s, sooner
                return state() == "on"
            await asyncio.to_thread(wait_for, resumed, what="the recording resumed once the ticket went stale")
        finally:
            await station.close()
    asyncio.run(scenario())


def test_a_recording_never_goes_to_an_expert_abroad(live_hub, enrolled, tmp_path):
    """A recording shows faces and voices: not de-identifiable, so not for abroad, even on a case marked for it."""
    own = enrolled(live_hub, facility="0100A", name="TTYT huyện Mèo Vạc")
    home = enrolled(live_hub, "expert", hospital="k", specialty="oncology", name="BS Minh")
    abroad = enrolled(live_hub, "expert", hospital="k", specialty="oncology", name="Dr Dupont", foreign=True)
    resources = consultation(CASE, "pat-live", hospital="k", specialty="oncology")
    resources[1]["extension"] = [{"url": systems.EXPERT_ABROAD_EXTENSION, "valueBoolean": True}]
    own.transaction(resources)
    live_id = start(Api(live_hub, own))["id"]
    clip = tmp_path / "clip.webm"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libvpx", "-c:a", "libopus",
                    str(clip)], check=True)
    now = datetime.now(timezone.utc)
    with live_hub.engine.begin() as conn:
        assert recording.store_recording(conn, live_hub.app.state.hub, live_id, "take-0001", "p1", clip,
                                         now - timedelta(seconds=2), now)
    document_id = recording.recording_id(live_id, "take-0001", "p1")
    assert Api(live_hub, abroad)("GET", f"/ServiceRequest/{CASE}").status_code == 200  # the case, de-identified
    assert Api(live_hub, abroad)("GET", f"/DocumentReference/{document_id}").status_code == 404
    assert Api(live_hub, home)("GET", f"/DocumentReference/{document_id}").status_code == 200
    assert Api(live_hub, own)("GET", f"/DocumentReference/{document_id}").status_code == 200


@pytest.fixture(autouse=True)
def _loopback():
    offer_loopback(True)
    yield
    offer_loopback(False)
