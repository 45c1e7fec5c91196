"""Bare aiortc clients of a Janus VideoRoom, without the station's code: a publisher of given tracks and a
receive-only subscriber to one feed. The tests and the benchmarks (bench/ imports tests.support) both use
them as the reference the station is compared with, or as the far end of a room.

With Janus on this machine, call app.live.peer.offer_loopback(True) first (Janus skips loopback when it
gathers its candidates, so ours must offer 127.0.0.1)."""

import asyncio
from collections.abc import Callable, Iterable

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from av.frame import Frame

from app.live.janus import JanusSession
from app.live.peer import peer_connection


async def publish(session: JanusSession, room: str, room_token: str, display: str,
                  tracks: Iterable[MediaStreamTrack]) -> tuple[RTCPeerConnection, str]:
    """Joins `room` as a publisher on a new handle of `session` and sends `tracks`: (its connection, its
    publisher id). Janus counts it as publishing once the connection is up, a little later."""
    handle = await session.attach()
    joined, _ = await handle.message({"request": "join", "ptype": "publisher", "room": room,
                                      "display": display, "token": room_token})
    pc = peer_connection()
    for track in tracks:
        pc.addTrack(track)
    await pc.setLocalDescription(await pc.createOffer())
    _, jsep = await handle.message({"request": "configure", "audio": True, "video": True},
                                   {"type": "offer", "sdp": pc.localDescription.sdp})
    await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
    return pc, joined["id"]


async def subscribe(session: JanusSession, room: str, room_token: str, feed: str,
                    on_frame: Callable[[str, Frame], None] | None = None) -> RTCPeerConnection:
    """Subscribes to publisher `feed` of `room` on a new handle of `session`, receive-only: Janus offers,
    we answer and start; the offer Janus made is the connection's remoteDescription. With `on_frame`, every
    remote track is read (decoded) and each frame given to it with the track's kind, until the connection
    closes; without, nothing is read."""
    handle = await session.attach()
    _, jsep = await handle.message({"request": "join", "ptype": "subscriber", "room": room,
                                    "streams": [{"feed": feed}], "token": room_token})
    pc = peer_connection()
    if on_frame is not None:
        reading = set()  # the tasks, held until they end

        def on_track(track: MediaStreamTrack) -> None:  # set before the offer is applied: none is missed
            task = asyncio.ensure_future(_read(track, on_frame))
            reading.add(task)
            task.add_done_callback(reading.discard)

        pc.on("track", on_track)
    await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    await handle.message({"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})
    return pc


async def _read(track: MediaStreamTrack, on_frame: Callable[[str, Frame], None]) -> None:
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:  # the connection closed
            return
        on_frame(track.kind, frame)
