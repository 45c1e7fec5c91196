"""Two Janus instances cascaded on loopback: one publisher on the origin reaches subscribers on the
origin and on the edge (server/live/cascade.py, VideoRoom remote publishers)."""

import asyncio
import secrets

import numpy as np
import pytest
from aiortc import AudioStreamTrack, VideoStreamTrack
from av import VideoFrame

from app.live.janus import JanusSession
from app.live.peer import offer_loopback
from server.live import cascade
from server.live.janus_admin import JanusAdmin, JanusAdminError
from server.live.janus_process import installed
from server.live.tokens import signed_token
from tests.support.janus import start_janus
from tests.support.videoroom import publish, subscribe

pytestmark = pytest.mark.skipif(not installed(), reason="Janus is not installed")

COLOUR = (40, 60, 200)  # BGR: a red the receivers can recognise


class Red(VideoStreamTrack):
    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(np.full((240, 320, 3), COLOUR, np.uint8), format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Subscriber:
    """A subscriber that decodes, and keeps the mean colour of the frames it got."""

    def __init__(self):
        self.frames, self.means, self.got = 0, [], asyncio.Event()

    async def join(self, url, token, room, room_token, feed):
        self.session = await JanusSession(url, token).create()
        self.pc = await subscribe(self.session, room, room_token, feed, self._frame)

    def _frame(self, kind, frame):
        if kind != "video":
            return
        self.frames += 1
        self.means.append(frame.to_ndarray(format="bgr24").reshape(-1, 3).mean(axis=0))
        if self.frames >= 30:
            self.got.set()

    async def close(self):
        await self.pc.close()
        await self.session.destroy()


def test_one_publisher_reaches_subscribers_on_both_janus(tmp_path):
    origin_janus = start_janus(tmp_path / "origin")
    edge_janus = start_janus(tmp_path / "edge")
    try:
        asyncio.run(_cascade(origin_janus, edge_janus))
    finally:
        origin_janus.stop()
        edge_janus.stop()


async def _cascade(origin_janus, edge_janus):
    offer_loopback(True)
    origin, edge = JanusAdmin(origin_janus.settings), JanusAdmin(edge_janus.settings)
    room, secret = "case-" + secrets.token_hex(4), secrets.token_hex(8)
    publisher_token, viewer_token = secrets.token_hex(8), secrets.token_hex(8)
    for admin in (origin, edge):  # the hub creates the session's room on every Janus of the cascade
        admin.create_room(room, secret, [publisher_token, viewer_token])

    token = signed_token(origin_janus.settings.token_secret, 600)
    publisher = await JanusSession(origin_janus.url, token).create()
    pc, feed = await publish(publisher, room, publisher_token, "Trạm Mèo Vạc", [AudioStreamTrack(), Red()])
    subscribers = []
    try:
        # The edge has nobody to subscribe to until the hub forwards the publisher there.
        assert await asyncio.to_thread(edge.participants, room) == []

        streams = await _published_streams(origin, room, viewer_token, feed)
        assert {s["type"] for s in streams} == {"audio", "video"}
        done = await asyncio.to_thread(cascade.forward, origin, edge, room, secret, feed, streams, "Trạm Mèo Vạc")
        on_edge = await asyncio.to_thread(edge.participants, room)
        assert [(p["id"], p["display"]) for p in on_edge] == [(done.edge_id, "Trạm Mèo Vạc")]

        at_origin, at_edge = Subscriber(), Subscriber()
        subscribers = [at_origin, at_edge]
        edge_token = signed_token(edge_janus.settings.token_secret, 600)  # each Janus checks its own tokens
        await at_origin.join(origin_janus.url, token, room, viewer_token, feed)
        await at_edge.join(edge_janus.url, edge_token, room, viewer_token, done.edge_id)
        await asyncio.wait_for(asyncio.gather(at_origin.got.wait(), at_edge.got.wait()), 30)

        for subscriber in subscribers:  # the publisher's red, not an empty or black picture
            blue, green, red = np.mean(subscriber.means[-10:], axis=0)
            assert red > 150 and green < 110 and blue < 110, (blue, green, red)

        await asyncio.to_thread(cascade.stop, origin, edge, secret, done)
        assert await asyncio.to_thread(edge.participants, room) == []
        assert [p["id"] for p in await asyncio.to_thread(origin.participants, room)] == [feed]
    finally:
        for subscriber in subscribers:
            await subscriber.close()
        await pc.close()
        await publisher.destroy()


async def _published_streams(origin, room, viewer_token, feed):
    """The publisher's streams, once the origin counts it as publishing (its PeerConnection is up)."""
    for _ in range(100):
        if any(p["id"] == feed and p["publisher"] for p in await asyncio.to_thread(origin.participants, room)):
            return await asyncio.to_thread(cascade.publisher_streams, origin, room, viewer_token, feed)
        await asyncio.sleep(0.1)
    raise AssertionError("the publisher never became active on the origin")


def test_forwarding_needs_the_edge_room(tmp_path):
    origin_janus = start_janus(tmp_path / "origin")
    edge_janus = start_janus(tmp_path / "edge")
    try:
        origin, edge = JanusAdmin(origin_janus.settings), JanusAdmin(edge_janus.settings)
        origin.create_room("case-x", "s3cret", ["t"])
        with pytest.raises(JanusAdminError):
            cascade.forward(origin, edge, "case-x", "s3cret", "nobody",
                            [{"type": "video", "mindex": 0, "mid": "0", "codec": "vp8"}])
    finally:
        origin_janus.stop()
        edge_janus.stop()
