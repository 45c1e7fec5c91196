"""Whose video a LOW station receives (Quality.LOW): the presenter, then who talks or talked last, up to
LOW_VIDEO_FEEDS; the others' video streams are paused on the subscription (VideoRoom configure send:false
per mid, no renegotiation) and resumed when their turn comes or the quality goes back to HIGH."""

import asyncio
import logging
import math
import time

from .janus import JanusError, JanusUnreachable
from .model import Quality

log = logging.getLogger(__name__)

TALK_GAP_S = 3.0           # a pause in speech shorter than this is the same turn
LOW_VIDEO_FEEDS = 2        # whose video a LOW station receives: 2 x 750 kbit/s is what a 1 Mbit/s line can take


class _VideoChoice:
    """_Link's choice of the videos it receives (its state is in _Link.__init__)."""

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
        """Whose video we receive: everyone's, except in LOW: the presenter, then the case's own site (where
        the patient is), then who talks now (the latest to start first), then who talked last, then who came
        first; those without a camera on give way."""
        feeds = list(dict.fromkeys(self.video_mids.values()))
        if self.owner.quality is not Quality.LOW:
            return set(feeds)
        owner, order, now = self.owner, {who: i for i, who in enumerate(self.publishers)}, time.monotonic()
        home = set(owner.details.home_sites)

        def rank(who: str):
            known = owner._participants.get(who)
            talking = (known is not None and known.talking) or now - self._stopped.get(who, -math.inf) < TALK_GAP_S
            last = self.spoke.get(who, 0.0) if talking else self._stopped.get(who, self.spoke.get(who, 0.0))
            return (not owner._announced_video.get(who, True), who != owner._presenter,
                    known is None or known.display not in home, not talking, -last, order.get(who, 1 << 30))
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
