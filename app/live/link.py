"""One attempt at a live session (LiveSession's link to Janus): a Janus session, the publisher handle that
sends this station's media and data, and the subscription that receives everyone else's. Dropped whole
when lost; the session makes another."""

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
from aiortc import RTCSessionDescription

from .details import JoinDetails
from .janus import Handle, JanusError, JanusSession, JanusUnreachable
from .model import Quality, _Ended, _Lost, _Refused
from .peer import peer_connection
from .tracks import CameraTrack, MicrophoneTrack

if TYPE_CHECKING:
    from .session import LiveSession

log = logging.getLogger(__name__)

STATE_EVERY_S = 5.0        # the MEDIA/HAND repeat, for those who joined since
CAMERA_SILENT_S = 3.0      # no frame for this long: the camera is gone (unplugged, stalled), say video off
RESUBSCRIBE_DELAY_S = 0.2  # publishers arriving together make one new subscription, not several
TALK_GAP_S = 3.0           # a pause in speech shorter than this is the same turn
LOW_VIDEO_FEEDS = 2        # whose video a LOW station receives: 2 x 750 kbit/s is what a 1 Mbit/s line can take


def _site_of(display: str) -> str:
    # The hub's display is "BS Lan — TTYT huyện Mèo Vạc" for a person (the site follows the dash), the site's
    # name alone for a station.
    return display.split(" — ", 1)[1] if " — " in display else display


class _Link:
    """One attempt: a Janus session, its publisher and subscriber. Dropped whole when lost."""

    def __init__(self, owner: "LiveSession", details: JoinDetails):
        self.owner, self.details = owner, details
        self.janus: JanusSession | None = None
        self.publisher: Handle | None = None
        self.publisher_pc = None
        self.channel = None
        self.subscriber: tuple[Handle, object] | None = None
        self.publishers: dict[str, dict] = {}       # Janus's publisher entries, by id
        self.video_feeds: set[str] = set()          # publishers whose video we subscribe to now
        self.video_mids: dict[str, str] = {}        # mid -> publisher, the video streams of that subscription
        self.paused: dict[str, str] = {}            # video mids we asked Janus not to send (mid -> publisher)
        self.spoke: dict[str, float] = {}           # publisher -> when its present (or last) turn to talk began
        self._stopped: dict[str, float] = {}        # publisher -> when it last stopped talking
        self._choice_task: asyncio.Task | None = None
        self._choice_wanted = False
        self.hearing: set[str] = set()              # publishers whose streams and data reach us now
        self.lost: asyncio.Future | None = None
        self._resubscribe_task: asyncio.Task | None = None
        self._subscription_wanted = False
        self._subscribed_feeds: dict[str, str] = {}   # mid -> publisher, in the subscription we have
        self._subscribed_audio_only: bool | None = None
        self._renegotiating = asyncio.Lock()         # one offer/answer at a time on the subscription
        self._mid_history: dict[int, dict[str, str]] = {}  # id(pc) -> mid -> the publisher it last carried
        self._tasks: list[asyncio.Task] = []
        self._closed = False

    # -- connect ---------------------------------------------------------------------------------

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        self.lost = loop.create_future()
        details = self.details
        await self._end_stale()
        self.janus = JanusSession(details.janus_url, details.token)
        try:
            await self.janus.create()
        except JanusUnreachable as error:
            raise _Lost(f"the video server cannot be reached ({details.janus_url}): {error}") from error
        except JanusError as error:
            raise _Refused(f"the video server refused the session: {error}") from error
        self.janus.on_lost = self._lose
        self.publisher = await self.janus.attach(opaque_id=details.opaque_id)
        self.publisher.on_event = self._publisher_event
        # A hang-up can come just before the event saying why (removed by the host): let that event win.
        self.publisher.on_hangup = lambda reason: asyncio.get_running_loop().call_later(
            0.5, self._lose, f"the video server hung up: {reason}")
        try:
            joined, _ = await self.publisher.message({"request": "join", "ptype": "publisher", "room": details.room,
                                                      "display": details.display, "token": details.room_token})
        except JanusError as error:
            if error.code == 426:  # no such room: on a reconnect, the hub recreates it
                raise _Lost(f"the room is not on the video server: {error}") from error
            raise _Refused(f"the video server refused to let this station join: {error}") from error
        self.owner.participant_id = str(joined["id"])
        self.private_id = joined.get("private_id")
        await self._publish()
        for entry in joined.get("publishers", []):
            self._publisher_seen(entry)
        if self.publishers:
            self.resubscribe(now=True)
        self._tasks = [asyncio.ensure_future(self._watch())]

    async def _end_stale(self) -> None:
        """The Janus session of the attempt before, if signalling alone was cut: Janus would keep our old
        publisher in the room until its session timeout, a second tile of us for everyone."""
        stale, self.owner._stale = self.owner._stale, None
        if stale is None:
            return
        url, token, session_id = stale
        with contextlib.suppress(Exception):
            async with httpx.AsyncClient(timeout=3.0) as client:
                await client.post(f"{url.rstrip('/')}/{session_id}",
                                  json={"janus": "destroy", "transaction": "stale", "token": token})

    async def _publish(self) -> None:
        owner = self.owner
        pc = peer_connection(self.details.ice_servers)
        self.publisher_pc = pc
        pc.addTrack(MicrophoneTrack(owner._audio))
        if owner._video is not None:
            pc.addTrack(CameraTrack(owner._video))
        self.channel = pc.createDataChannel(owner.participant_id)
        self.channel.on("open", owner._flush_pending)
        self.channel.on("open", owner._announce)

        @pc.on("connectionstatechange")
        def _changed():
            if pc.connectionState == "failed":
                self._lose("the media connection to the video server failed")

        await _describe(pc, await pc.createOffer())
        body = {"request": "configure", "audio": True, "video": owner._video is not None, "data": True}
        if owner.quality.bitrate:
            body["bitrate"] = owner.quality.bitrate
        _, jsep = await self.publisher.message(body, {"type": "offer", "sdp": pc.localDescription.sdp})
        if jsep is None:
            raise _Lost("the video server did not answer the media offer")
        await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
        self.update_video_sending()

    async def apply_bitrate(self) -> None:
        with contextlib.suppress(JanusError, AttributeError):
            await self.publisher.message({"request": "configure", "bitrate": self.owner.quality.bitrate})

    def update_video_sending(self) -> None:
        owner, video = self.owner, self.owner._video
        if video is None:
            owner._video_sending = False
            return
        camera_alive = (time.monotonic() - video.last_frame_at < CAMERA_SILENT_S
                        and getattr(getattr(owner.camera, "state", None), "value", "live") not in ("failed", "stopped"))
        sending = camera_alive and not owner.camera_off and owner.quality is not Quality.AUDIO_ONLY
        video.paused = not sending
        changed = sending != owner._video_sending
        owner._video_sending = sending
        if changed and self.channel is not None and self.channel.readyState == "open":
            owner._announce()

    def send(self, text: str) -> bool:
        channel = self.channel
        if channel is None or channel.readyState != "open":
            return False
        channel.send(text)
        return True

    # -- Janus's events ------------------------------------------------------------------------------

    def _publisher_event(self, event: dict) -> None:
        owner = self.owner
        kind = event.get("videoroom")
        if kind == "destroyed":
            self._lose("", ended="the live session was ended")
            return
        if kind in ("talking", "stopped-talking"):
            who = str(event.get("id", ""))
            if who in owner._participants:
                self.talked(who, kind == "talking")
                owner._update(who, talking=kind == "talking")
                self.choose_video()
            return
        for entry in event.get("publishers", []) or []:
            self._publisher_seen(entry)
        if event.get("publishers"):
            self.resubscribe()
        for key in ("unpublished", "leaving", "kicked"):
            who = event.get(key)
            if who == "ok" and event.get("reason") == "kicked":
                self._lose("", ended="this station was removed from the session by its host")
                return
            if who is None or who == "ok":
                continue
            who = str(who)
            if who == owner.participant_id:
                self._lose("", ended=f"this station was removed from the session ({event.get('reason', key)})")
                return
            if who in self.publishers:
                del self.publishers[who]
                self.video_feeds.discard(who)
                self.spoke.pop(who, None)
                self._stopped.pop(who, None)
                owner._gone(who)
                self.resubscribe()

    def _publisher_seen(self, entry: dict) -> None:
        who = str(entry.get("id", ""))
        if not who or who == self.owner.participant_id:
            return
        self.publishers[who] = entry
        display = str(entry.get("display", ""))
        talking = bool(entry.get("talking", False))
        if talking and who not in self.spoke:
            self.talked(who, True)
        self.owner._update(who, display=display, site=_site_of(display), talking=talking)
        self.refresh(who)

    def refresh(self, who: str) -> None:
        """A participant's audio and video as its streams, its own word and our quality say."""
        entry = self.publishers.get(who)
        if entry is None:
            return
        streams = [s for s in entry.get("streams", []) if not s.get("disabled")]
        video = (any(s.get("type") == "video" for s in streams) and self.owner._announced_video.get(who, True)
                 and self.owner.quality is not Quality.AUDIO_ONLY)
        paused = video and who in self.paused_feeds()
        self.owner._update(who, has_audio=any(s.get("type") == "audio" for s in streams),
                           has_video=video and not paused, video_paused=paused)

    def _lose(self, why: str, ended: str = "") -> None:
        if self._closed:  # our own hang-up coming back
            return
        if self.lost is not None and not self.lost.done():
            self.lost.set_exception(_Ended(ended) if ended else _Lost(why))

    # -- subscription -------------------------------------------------------------------------------

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

    def talked(self, who: str, talking: bool) -> None:
        """Notes when `who` started or stopped talking. Janus repeats its events, and a voice dips under the
        room's threshold between sentences: a start within TALK_GAP_S of a stop goes on with the same turn,
        so the order of speakers (and the video a LOW station receives) does not flap."""
        now, known = time.monotonic(), self.owner._participants.get(who)
        was_talking = known is not None and known.talking
        if talking and not was_talking:
            if now - self._stopped.get(who, -math.inf) >= TALK_GAP_S or who not in self.spoke:
                self.spoke[who] = now
        elif not talking and was_talking:
            self._stopped[who] = now
            # still counted as talking until the gap is over: then it may give its place to another
            asyncio.get_running_loop().call_later(TALK_GAP_S + 0.1, self.choose_video)

    def paused_feeds(self) -> set[str]:
        return {who for mid, who in self.paused.items() if self.video_mids.get(mid) == who}

    def _video_wanted(self) -> set[str]:
        """Whose video we receive: everyone's, except in LOW: the presenter, then who talks now (the latest
        to start first), then who talked last, then who came first; those without a camera on give way."""
        feeds = list(dict.fromkeys(self.video_mids.values()))
        if self.owner.quality is not Quality.LOW:
            return set(feeds)
        owner, order, now = self.owner, {who: i for i, who in enumerate(self.publishers)}, time.monotonic()

        def rank(who: str):
            known = owner._participants.get(who)
            talking = (known is not None and known.talking) or now - self._stopped.get(who, -math.inf) < TALK_GAP_S
            last = self.spoke.get(who, 0.0) if talking else self._stopped.get(who, self.spoke.get(who, 0.0))
            return (not owner._announced_video.get(who, True), who != owner._presenter, not talking, -last,
                    order.get(who, 1 << 30))
        return set(sorted(feeds, key=rank)[:LOW_VIDEO_FEEDS])

    def choose_video(self) -> None:
        """Pauses or resumes video streams on our subscription as _video_wanted says (no renegotiation:
        Janus only stops relaying them)."""
        if self._closed:
            return
        self._choice_wanted = True
        if self._choice_task is None or self._choice_task.done():
            self._choice_task = asyncio.ensure_future(self._choose_video())  # cancelled by close()

    async def _choose_video(self) -> None:
        while self._choice_wanted and not self._closed:
            self._choice_wanted = False
            try:
                async with self._renegotiating:  # the mids are those of the subscription we have
                    if self.subscriber is None:
                        return
                    wanted = self._video_wanted()
                    changes = [{"mid": mid, "send": who in wanted} for mid, who in self.video_mids.items()
                               if (who in wanted) == (self.paused.get(mid) == who)]
                    if not changes:
                        continue
                    subscriber = handle, pc = self.subscriber
                    data, jsep = await handle.message({"request": "configure", "streams": changes})
                    if self.subscriber is not subscriber:  # replaced meanwhile: the new one chooses anew
                        continue
                    for change in changes:
                        if change["send"]:
                            self.paused.pop(change["mid"], None)
                        else:
                            self.paused[change["mid"]] = self.video_mids[change["mid"]]
                    if jsep is not None and jsep.get("type") == "offer":
                        await self._renegotiate(handle, pc, self._subscribed_feeds, data, jsep)
                for who in list(self.publishers):
                    self.refresh(who)
            except (JanusError, OSError, asyncio.TimeoutError) as error:
                if isinstance(error, JanusUnreachable):
                    self._lose(str(error))
                    return
                log.info("pausing or resuming video failed: %s", error)  # tried again at the next change

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
        await _describe(pc, await pc.createAnswer())
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
        await _describe(pc, await pc.createAnswer())
        await handle.message({"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(opened.wait(), 5.0)
        self.video_feeds, self.video_mids = video
        self.paused = {}  # a new subscription sends every stream

    # -- life --------------------------------------------------------------------------------------------

    async def _watch(self) -> None:
        """Camera health, the state repeat and the statistics, every second."""
        last_announce = 0.0
        microphone_lost = False
        while True:
            await asyncio.sleep(1.0)
            self.update_video_sending()
            lost = bool(getattr(self.owner.microphone, "lost", False))
            if lost != microphone_lost:
                microphone_lost, last_announce = lost, 0.0  # say so now
            if time.monotonic() - last_announce >= STATE_EVERY_S:
                last_announce = time.monotonic()
                self.owner._announce()
            try:
                self.owner._stats = await self._gather_stats()
            except Exception:  # statistics are a nicety: never let them end the call
                log.exception("live statistics failed")

    async def _gather_stats(self) -> dict:
        now = time.monotonic()
        out: dict = {"at": now, "sent_video_frames": self.owner._video.sent if self.owner._video else 0,
                     "video_sending": self.owner._video_sending, "subscribed_video": sorted(self.video_feeds),
                     "paused_video": sorted(self.paused_feeds()),
                     "subscriptions": self.owner._subscriptions_made}
        sent = received = lost = 0
        rtt = None
        if self.publisher_pc is not None:
            for item in (await self.publisher_pc.getStats()).values():
                if item.type == "transport":
                    sent += item.bytesSent
                elif item.type == "remote-inbound-rtp" and getattr(item, "roundTripTime", None):
                    rtt = item.roundTripTime
        if self.subscriber is not None:
            for item in (await self.subscriber[1].getStats()).values():
                if item.type == "transport":
                    received += item.bytesReceived
                elif item.type == "inbound-rtp":
                    lost += max(0, item.packetsLost)
        out["packets_lost"] = lost
        previous = getattr(self, "_previous_stats", None)
        if previous:
            elapsed = now - previous[0]
            out["sent_kbps"] = round((sent - previous[1]) * 8 / elapsed / 1000, 1)
            out["received_kbps"] = round((received - previous[2]) * 8 / elapsed / 1000, 1)
        self._previous_stats = (now, sent, received)
        out["bytes_sent"], out["bytes_received"], out["rtt_s"] = sent, received, rtt
        out["received_fps"] = {}
        for who, times in list(self.owner._frame_times.items()):
            recent = [t for t in times if now - t <= 3.0]
            out["received_fps"][who] = round((len(recent) - 1) / (recent[-1] - recent[0]), 1) \
                if len(recent) > 1 and recent[-1] > recent[0] else 0.0
        return out

    async def run_until_lost(self, leaving: asyncio.Event) -> str:
        leave = asyncio.ensure_future(leaving.wait())
        try:
            await asyncio.wait([leave, self.lost], return_when=asyncio.FIRST_COMPLETED)
        finally:
            leave.cancel()
        if self.lost.done():
            self.lost.result()  # raises _Lost or _Ended
        return ""

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        tasks = [t for t in [*self._tasks, self._resubscribe_task, self._choice_task] if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.subscriber is not None:
            await _close_subscription(self.subscriber, detach=not self.janus._closed)
            self.subscriber = None
        if self.publisher_pc is not None:
            with contextlib.suppress(Exception):
                await self.publisher_pc.close()
        if self.publisher is not None and self.janus is not None and not self.janus._closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.publisher.message({"request": "leave"}, timeout_s=2), 3)
        if self.janus is not None:
            if self.janus._closed and self.janus.id:  # lost: maybe only the signalling, try again next time
                self.owner._stale = (self.janus.url, self.janus.token, self.janus.id)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.janus.destroy(), 5)
        if self.lost is not None and not self.lost.done():
            self.lost.cancel()


async def _describe(pc, description) -> None:
    """setLocalDescription, which gathers ICE candidates (opens sockets), run to its end even if we are
    cancelled meanwhile: the connection's close() can then release every socket it opened."""
    task = asyncio.ensure_future(pc.setLocalDescription(description))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


async def _close_subscription(subscription, detach: bool = True) -> None:
    handle, pc = subscription
    with contextlib.suppress(Exception):
        await pc.close()
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
