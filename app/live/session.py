"""A station in a live session: publish its camera and microphone to the hub's Janus (VideoRoom),
receive everyone else's, talk over the data channel, and come back after a cut.

Qt-free: asyncio runs in a thread of the session's own; the listener is called from that thread and
the UI bridges it to Qt signals. The public methods may be called from any thread.

How it meets Janus (RECIPES.md): one Janus session, a publisher handle (attached with the hub's
`opaque_id`, joined with the hub's `room_token`) sending audio, video and a data channel, and one
subscriber handle receiving every other publisher's streams (multistream). When publishers come or go,
or the quality changes what we receive, a new subscription is made and the old one dropped once the
new one is up (make before break).

Participants and the data channel (who says what, and what we say of ourselves) are in participants.py;
the link to Janus in link.py, with its publisher, subscription and choice of videos in their own modules.
"""

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

from app.wire.live import encode

from .details import JoinDetails
from .janus import JanusError
from .link import _Link
from .model import (CONNECTING, FAILED, JOINED, LEFT, RECONNECTING, LiveListener, Participant, Quality, _Ended,
                    _Leaving, _Lost, _Refused)
from .participants import MEDIA, _Participants
from .peer import offer_loopback
from .tracks import AudioSource, VideoSource
from .video_choice import LOW_VIDEO_FEEDS

# What the session's users import from here (the UI, the service, the tests, the benches).
__all__ = ["CONNECTING", "FAILED", "JOINED", "LEFT", "LOW_VIDEO_FEEDS", "MEDIA", "RECONNECTING", "LiveListener",
           "LiveSession", "Participant", "Quality"]

log = logging.getLogger(__name__)


def _is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


class LiveSession(_Participants):
    RECONNECT_GIVE_UP_S = 180.0    # then "failed": the case work goes on without the call
    BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0)

    def __init__(self, details: JoinDetails, listener, camera=None, microphone=None, quality: Quality = Quality.HIGH,
                 rejoin: Callable[[], JoinDetails] | None = None, speaker=None):
        """`speaker`: a started app.live.speaker.Speaker the others' voices are played to (the caller owns it,
        as it owns the camera and the microphone); None plays nothing (listener.on_audio still hears)."""
        self.details = details
        self.speaker = speaker
        self.listener = listener
        self.camera = camera
        self.microphone = microphone
        self.quality = quality
        self.rejoin = rejoin
        self.state = "idle"
        self.message = ""
        self.participant_id = ""          # ours in the room (Janus's publisher id), changes with each join
        self._participants: dict[str, Participant] = {}
        self.muted = False
        self.camera_off = False
        self.hand = False
        self._video_sending = False
        self._stats: dict = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._leaving: asyncio.Event | None = None
        self._leave_requested = threading.Event()
        self._left = threading.Event()
        self._frame_times: dict[str, deque] = {}   # frames received per participant, the last seconds
        self._subscriptions_made = 0
        self._lock = threading.Lock()
        self._audio = AudioSource()
        shape = quality if quality is not Quality.AUDIO_ONLY else Quality.LOW  # the format once video is on
        self._video = VideoSource(shape.box, shape.fps) if camera is not None else None
        self._link: _Link | None = None
        self._pending: list[str] = []
        self._announced_video: dict[str, bool] = {}   # what each participant last said of its camera
        self._recent: dict[tuple, float] = {}
        self._stale: tuple | None = None               # (url, token, id) of a Janus session lost, to end
        self._presenter = ""                           # the participant presenting now (PRESENTING), if any

    # -- public, any thread ----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        if self.camera is not None:
            self.camera.add_listener(self._camera_frame)
        if self.microphone is not None:
            self.microphone.add_listener(self._microphone_block)
        self._thread = threading.Thread(target=self._run, name="live-session", daemon=True)
        self._thread.start()

    def leave(self) -> None:
        """Hang up (idempotent); returns once the session's thread has ended."""
        self._leave_requested.set()
        if self.camera is not None:
            self.camera.remove_listener(self._camera_frame)
        if self.microphone is not None:
            self.microphone.remove_listener(self._microphone_block)
        loop, leaving, thread = self._loop, self._leaving, self._thread
        if loop is not None and leaving is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(leaving.set)
        if thread is not None and thread is not threading.current_thread():
            thread.join(15)

    def set_microphone_muted(self, muted: bool) -> None:
        self.muted = muted
        self._audio.muted = muted
        self._soon(self._announce)

    def set_camera_off(self, off: bool) -> None:
        self.camera_off = off
        self._soon(self._announce)

    def raise_hand(self, up: bool) -> None:
        self.hand = up
        self._soon(self._announce)

    def set_quality(self, quality: Quality) -> None:
        before, self.quality = self.quality, quality
        if self._video is not None and quality is not Quality.AUDIO_ONLY:
            self._video.set_format(quality.box, quality.fps)
        self._soon(lambda: self._quality_changed(before))

    def send(self, message) -> None:
        """A `Message` (or its encoded text) to everyone else in the session."""
        text = message if isinstance(message, str) else encode(message)
        self._soon(lambda: self._send_text(text))

    @property
    def participants(self) -> dict[str, Participant]:
        """Everyone else in the room now (a copy: safe to read from any thread)."""
        with self._lock:
            return dict(self._participants)

    def stats(self) -> dict:
        """Refreshed every second: sent_kbps, received_kbps, rtt_s, packets_lost, sent_video_frames,
        video_sending, subscribed_video (ids), paused_video (ids: subscribed, not sent to us in LOW),
        received_fps ({id: fps}), subscriptions (made so far)."""
        return dict(self._stats)

    # -- device threads ----------------------------------------------------------------------------

    def _camera_frame(self, frame) -> None:
        if self._video is not None:
            self._video.push(frame)

    def _microphone_block(self, block) -> None:
        self._audio.push(block, getattr(self.microphone, "samplerate", 48000))

    # -- the session's thread ------------------------------------------------------------------------

    def _soon(self, callback) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(callback)

    def _tell(self, name: str, *args) -> None:
        method = getattr(self.listener, name, None)
        if method is None:
            return
        try:
            method(*args)
        except Exception:  # a listener's bug must not end the call
            log.exception("live listener %s failed", name)

    def _set_state(self, state: str, message: str = "") -> None:
        self.state, self.message = state, message
        self._tell("on_state", state, message)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # aiortc asks for "the" loop in places
        self._leaving = asyncio.Event()  # before the loop is published: leave() sets it through the loop
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            try:
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                self._loop = None
                asyncio.set_event_loop(None)
                loop.close()
                self._left.set()

    async def _or_leave(self, awaitable):
        """`awaitable`'s result, unless leave() comes first (then _Leaving): leaving never waits on Janus or
        the hub."""
        task = asyncio.ensure_future(awaitable)
        leave = asyncio.ensure_future(self._leaving.wait())
        try:
            await asyncio.wait([task, leave], return_when=asyncio.FIRST_COMPLETED)
        finally:
            leave.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise _Leaving

    async def _main(self) -> None:
        if self._leave_requested.is_set():
            self._leaving.set()
        self._set_state(CONNECTING)
        details, joined_once, lost_since, attempt = self.details, False, 0.0, 0
        while not self._leaving.is_set():
            offer_loopback(_is_local(details.janus_url))
            link = _Link(self, details)
            self._link = link
            try:
                await self._or_leave(link.connect())
                self._set_state(JOINED)
                joined_once, attempt = True, 0
                why = await link.run_until_lost(self._leaving)
            except _Leaving:
                await link.close()
                break
            except _Refused as refused:
                await link.close()
                self._forget_everyone()
                self._set_state(FAILED, str(refused))
                return
            except _Ended as ended:
                await link.close()
                self._forget_everyone()
                self._set_state(LEFT, str(ended))
                return
            except Exception as error:  # lost, or something unforeseen: either way, try again (or give up)
                if not isinstance(error, (_Lost, JanusError, OSError, asyncio.TimeoutError)):
                    log.exception("live session attempt failed")
                why = str(error) or type(error).__name__
                if not joined_once:
                    await link.close()
                    self._set_state(FAILED, f"could not join the live session: {why}")
                    return
            finally:
                self._link = None
            await link.close()
            if self._leaving.is_set():
                break
            self._forget_everyone()
            if not lost_since or attempt == 0:
                lost_since = time.monotonic()
            self._set_state(RECONNECTING, why)
            while not self._leaving.is_set():
                if time.monotonic() - lost_since > self.RECONNECT_GIVE_UP_S:
                    self._set_state(FAILED, f"the live session could not be resumed: {why}")
                    return
                delay = self.BACKOFF_S[min(attempt, len(self.BACKOFF_S) - 1)]
                attempt += 1
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._leaving.wait(), delay)
                if self._leaving.is_set():
                    break
                if self.rejoin is None:
                    break
                try:
                    details = await self._or_leave(asyncio.get_running_loop().run_in_executor(None, self.rejoin))
                    self.details = details
                    break
                except _Leaving:
                    break
                except Exception as error:  # the hub may be unreachable too: keep trying until we give up
                    status = getattr(error, "status", 0)
                    if status in (403, 404, 409):  # not invited any more, or the session ended
                        self._set_state(LEFT, f"the live session is over: {error}")
                        return
                    why = f"the hub did not let us back in: {error}"
                    self._set_state(RECONNECTING, why)
        self._forget_everyone()
        self._set_state(LEFT, "")

    def _quality_changed(self, before: Quality) -> None:
        link = self._link
        if link is None:
            return
        link.update_video_sending()
        asyncio.ensure_future(link.apply_bitrate())
        if (before is Quality.AUDIO_ONLY) != (self.quality is Quality.AUDIO_ONLY):
            link.resubscribe()
            for who in list(link.publishers):
                link.refresh(who)
        else:
            link.choose_video()
        self._announce()
