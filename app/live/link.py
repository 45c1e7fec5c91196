"""One attempt at a live session (LiveSession's link to Janus): a Janus session, the publisher handle that
sends this station's media and data, and the subscription that receives everyone else's. Dropped whole
when lost; the session makes another."""

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import httpx

from .details import JoinDetails
from .janus import Handle, JanusError, JanusSession, JanusUnreachable
from .model import Quality, _Ended, _Lost, _Refused
from .publisher import _Publishing
from .subscription import _close_subscription, _Subscription
from .uncancelled import close_peer
from .video_choice import _VideoChoice

if TYPE_CHECKING:
    from .session import LiveSession

log = logging.getLogger(__name__)

STATE_EVERY_S = 5.0        # the MEDIA/HAND repeat, for those who joined since


def _site_of(display: str) -> str:
    # The hub's display is "BS Lan — TTYT huyện Mèo Vạc" for a person (the site follows the dash), the site's
    # name alone for a station.
    return display.split(" — ", 1)[1] if " — " in display else display


class _Link(_Publishing, _Subscription, _VideoChoice):
    """One attempt: a Janus session, its publisher and subscriber. Dropped whole when lost.

    Its parts are in their own modules (publisher, subscription, video_choice), as methods over the state
    set here."""

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
        except JanusUnreachable as error:
            raise _Lost(str(error)) from error
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
            await _close_subscription(self.subscriber, detach=not self.janus.closed)
            self.subscriber = None
        if self.publisher_pc is not None:
            await close_peer(self.publisher_pc)
        if self.publisher is not None and self.janus is not None and not self.janus.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.publisher.message({"request": "leave"}, timeout_s=2), 3)
        if self.janus is not None:
            if self.janus.closed and self.janus.id:  # lost: maybe only the signalling, try again next time
                self.owner._stale = (self.janus.url, self.janus.token, self.janus.id)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.janus.destroy(), 5)
        if self.lost is not None and not self.lost.done():
            self.lost.cancel()

