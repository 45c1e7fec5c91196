"""The receiving side of a live session's link: one subscriber handle and peer connection for everyone
else's streams (multistream). Newcomers are added to it (Janus renegotiates); a new subscription is made
before the old one is dropped (make before break) when what we receive changes kind, when adding fails,
or when Janus gives a departed publisher's m-line to another (a participant who rejoined). Each received
frame is credited to whom its mid carries now."""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiortc import RTCSessionDescription

from .janus import Handle, JanusError, JanusUnreachable
from .model import Quality
from .peer import peer_connection
from .uncancelled import close_peer, describe

if TYPE_CHECKING:
    from .session import LiveSession

log = logging.getLogger(__name__)

RESUBSCRIBE_DELAY_S = 0.2  # publishers arriving together make one new subscription, not several


class _Subscription:
    """_Link's receiving side (its state is in _Link.__init__)."""

    def resubscribe(self, now: bool = False) -> None:
        """Subscribe anew to whoever publishes now. A subscription under way is never cancelled (that would
        leave its sockets half made): it finishes, and another follows if something changed meanwhile."""
        if self._closed:
            return
        self._subscription_wanted = True
        if self._resubscribe_task is None or self._resubscribe_task.done():
            self._resubscribe_task = asyncio.ensure_future(self._subscriptions(0.0 if now else RESUBSCRIBE_DELAY_S))

    async def _subscriptions(self, delay: float) -> None:
        failures = 0
        await asyncio.sleep(delay)
        while self._subscription_wanted and not self._closed:
            self._subscription_wanted = False
            try:
                await self._subscribe_now()
                failures = 0
            except (JanusError, OSError, asyncio.TimeoutError) as error:
                if isinstance(error, JanusUnreachable):
                    self._lose(str(error))
                    return
                # e.g. a publisher that left between our request and Janus's answer: try again shortly
                log.info("subscription failed: %s", error)
                failures += 1
                if failures >= 5:
                    self._lose(f"the video server would not send us the others' media: {error}")
                    return
                self._subscription_wanted = True
                await asyncio.sleep(1.0)
            if self._subscription_wanted:
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)

    def _streams_for(self, feeds, audio_only: bool) -> list[dict]:
        streams = []
        for who in feeds:
            entry = self.publishers.get(who, {})
            if audio_only:
                streams += [{"feed": who, "mid": s["mid"]} for s in entry.get("streams", [])
                            if s.get("type") in ("audio", "data") and not s.get("disabled")]
            else:
                streams.append({"feed": who})
        return streams

    async def _subscribe_now(self) -> None:
        """Newcomers are added to the subscription we have (Janus renegotiates it, nobody else's media is
        touched; those who leave Janus takes out itself). A new subscription, made before the old one is
        dropped, only at first, when what we receive changes kind (audio only or not), or if adding failed."""
        audio_only = self.owner.quality is Quality.AUDIO_ONLY
        if self.subscriber is not None and self._subscribed_audio_only == audio_only and self.publishers:
            subscribed = set(self._subscribed_feeds.values())
            added = [who for who in self.publishers if who not in subscribed]
            try:
                if added:
                    await self._add_to_subscription(added, audio_only)
                self._subscription_changed()
                return
            except (JanusError, asyncio.TimeoutError) as error:
                if isinstance(error, JanusUnreachable):
                    raise
                log.info("adding to the subscription failed (%s): subscribing anew", error)
        streams = self._streams_for(self.publishers, audio_only)
        old = self.subscriber
        if streams:
            handle = await self.janus.attach(opaque_id=self.details.opaque_id)
            pc = peer_connection(self.details.ice_servers)
            new = (handle, pc)
            feeds: dict[str, str] = {}
            try:
                await self._start_subscription(handle, pc, streams, feeds)
            except BaseException:
                await _close_subscription(new)
                raise
            self.subscriber, self._subscribed_feeds, self._subscribed_audio_only = new, feeds, audio_only
            self.owner._subscriptions_made += 1
        else:
            self.subscriber, self._subscribed_feeds = None, {}
            self.video_feeds, self.video_mids, self.paused = set(), {}, {}
        if old is not None:
            self._mid_history.pop(id(old[1]), None)
            await _close_subscription(old)
        self._subscription_changed()

    def _subscription_changed(self) -> None:
        self.hearing = {feed for feed in self._subscribed_feeds.values() if feed}
        for who in list(self.publishers):
            self.refresh(who)
        self.owner._announce()  # tells everyone whom we hear now (their cue to repeat what we missed)
        self.choose_video()     # streams just added come unpaused

    async def _add_to_subscription(self, added: list[str], audio_only: bool) -> None:
        handle, pc = self.subscriber
        async with self._renegotiating:
            data, jsep = await handle.message({"request": "subscribe", "streams": self._streams_for(added, audio_only)})
            if jsep is None:
                raise JanusError("no offer for the added streams")
            await self._renegotiate(handle, pc, self._subscribed_feeds, data, jsep)

    async def _renegotiate(self, handle: Handle, pc, feeds: dict[str, str], data: dict, jsep: dict) -> None:
        """Janus's new offer for the subscription (streams added, or taken out as a publisher left)."""
        self._describe_streams(feeds, data.get("streams", []))  # before the tracks arrive: they are named by mid
        reused = self._note_mids(pc, data.get("streams", []))
        for mid in reused:
            feeds[mid] = ""  # what comes there until the new subscription is up is no one's
        await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
        await describe(pc, await pc.createAnswer())
        await handle.message({"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})
        if reused and self.subscriber is not None and self.subscriber[1] is pc:
            # Janus gave the m-line of a publisher who left to one who came (the same person rejoining,
            # typically), with new SSRCs. aiortc keeps a receiver's SSRCs, jitter buffer and decoder from
            # its first use: it dropped the newcomer's packets, or decoded them against the old stream's
            # pictures (a frozen image). A new subscription (made before this one is dropped) starts clean.
            log.info("m-lines %s reused by Janus for another publisher: subscribing anew", sorted(reused))
            self._subscribed_audio_only = None
            self.resubscribe(now=True)

    def _note_mids(self, pc, described: list[dict]) -> set[str]:
        """Remembers which publisher each m-line of `pc` carried; returns the mids now given to another."""
        history = self._mid_history.setdefault(id(pc), {})
        reused = set()
        for stream in described:
            mid, feed = str(stream.get("mid")), str(stream.get("feed_id") or "")
            if not feed or not stream.get("active", True):
                continue
            if history.get(mid, feed) != feed:
                reused.add(mid)
            history[mid] = feed
        return reused

    def _describe_streams(self, feeds: dict[str, str], described: list[dict]) -> None:
        feeds.clear()
        feeds.update({str(s.get("mid")): str(s.get("feed_id") or "") for s in described if s.get("active", True)})
        self.video_mids = {str(s.get("mid")): str(s.get("feed_id") or "") for s in described
                           if s.get("type") == "video" and s.get("active", True) and s.get("feed_id")}
        self.video_feeds = set(self.video_mids.values())

    def _subscriber_event(self, handle: Handle, pc, feeds: dict[str, str], event: dict) -> None:
        jsep = event.get("_jsep")
        if not jsep or jsep.get("type") != "offer" or self._closed:
            return
        if self.subscriber is None or self.subscriber[1] is not pc:
            return  # an old subscription on its way out

        async def answer():
            try:
                async with self._renegotiating:
                    await self._renegotiate(handle, pc, feeds, event, jsep)
                self._subscription_changed()
            except (JanusError, OSError, asyncio.TimeoutError) as error:
                log.info("renegotiating the subscription failed (%s): subscribing anew", error)
                self._subscribed_audio_only = None  # forces a new subscription
                self.resubscribe(now=True)
        self._tasks.append(asyncio.ensure_future(answer()))

    async def _start_subscription(self, handle: Handle, pc, streams: list[dict], feeds: dict[str, str]) -> None:
        """Subscribes; returns once the data can reach us (the old subscription, if any, goes on until then:
        make before break). `feeds` is filled with mid -> publisher, and kept up to date."""
        owner = self.owner
        body = {"request": "join", "ptype": "subscriber", "room": self.details.room, "streams": streams,
                "token": self.details.room_token, "use_msid": False}
        if self.private_id is not None:
            body["private_id"] = self.private_id
        data, jsep = await handle.message(body)
        if jsep is None:
            raise JanusError("no offer for the subscription")
        video_before = self.video_feeds, self.video_mids
        self._describe_streams(feeds, data.get("streams", []))
        self._note_mids(pc, data.get("streams", []))
        # ours once this subscription takes over
        video, (self.video_feeds, self.video_mids) = (self.video_feeds, self.video_mids), video_before
        handle.on_event = lambda event: self._subscriber_event(handle, pc, feeds, event)

        @pc.on("track")
        def _track(track):
            transceiver = next((t for t in pc.getTransceivers() if t.receiver.track is track), None)
            mid = str(transceiver.mid) if transceiver else ""
            # Whose it is, asked at each frame: Janus gives a departed publisher's m-line (and this track) to
            # the next one it adds, a participant who rejoined for instance.
            task = asyncio.ensure_future(_read_track(owner, lambda: feeds.get(mid, ""), track))
            self._tasks.append(task)

        @pc.on("connectionstatechange")
        def _changed():
            if pc.connectionState == "failed" and self.subscriber is not None and self.subscriber[1] is pc:
                self._lose("the media connection from the video server failed")

        @pc.on("datachannel")
        def _channel(channel):
            label = channel.label
            channel.on("message", lambda text: owner._received(label, text))

        await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
        opened = asyncio.Event()
        if pc.sctp is not None:
            # Janus relays publishers' data to a subscriber only once the subscriber has a channel open
            # (janus.js opens one too); nothing is sent on it.
            pc.createDataChannel("JanusDataChannel").on("open", opened.set)
        else:
            opened.set()
        await describe(pc, await pc.createAnswer())
        await handle.message({"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(opened.wait(), 5.0)
        self.video_feeds, self.video_mids = video
        self.paused = {}  # a new subscription sends every stream


async def _close_subscription(subscription, detach: bool = True) -> None:
    handle, pc = subscription
    await close_peer(pc)  # a leave meanwhile must not leave its socket open (the old one, make before break)
    if detach:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(handle.detach(), 3)


async def _read_track(owner: "LiveSession", whose: Callable[[], str], track) -> None:
    from aiortc.mediastreams import MediaStreamError

    on_audio = getattr(owner.listener, "on_audio", None)
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        who = whose()
        if not who:
            continue  # an m-line Janus emptied (its publisher left): what is still in flight is no one's
        if track.kind == "video":
            times = owner._frame_times.setdefault(who, deque(maxlen=91))
            times.append(time.monotonic())
            known = owner._participants.get(who)
            if known is None or not known.has_video:
                # In flight when its video stopped for us (audio only: the old subscription runs on until the
                # new one is up; a pause; a camera off): told after "no video", it froze on the tile.
                continue
            owner._tell("on_video_frame", who, frame.to_ndarray(format="bgr24"))
        elif on_audio is not None or owner.speaker is not None:
            samples = frame.to_ndarray()
            channels = len(frame.layout.channels)
            mono = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples.reshape(-1)
            if samples.dtype.kind == "i":
                mono = mono / 32768.0
            mono = mono.astype("float32")
            if owner.speaker is not None:
                owner.speaker.feed(who, mono)
            if on_audio is not None:
                owner._tell("on_audio", who, mono)
