"""Everyone else in a live session as this station knows them, and the data-channel messages that say it.

Data channel: Janus relays a publisher's data to its subscribers on a channel with the publisher's own
label. Each station labels its channel with its participant id, so the receiver knows who sent what;
the browser (server/console/static/live.js) does the same (`janus.js` `data({label: id})`). A message on
a label that is no participant's is ignored, and a message's `sender` (and a MEDIA "site") is replaced by
what Janus says of the participant: names and sites are the hub's, never a participant's own claim.

Muted, camera on/off and the raised hand travel as data messages (`MEDIA`, `HAND`), repeated every few
seconds so a participant who joins later learns them.
"""

import logging
import time
from dataclasses import replace

from app.wire.live import HAND, PRESENTING, Message, decode, encode

from .model import Participant

log = logging.getLogger(__name__)

# Data message: {"audio": bool, "video": bool, "site": str, "hears": [participant ids]}: what a participant
# sends now, and whose data reaches it (so the others know when it can follow them). "site" is informative
# only: receivers take the site from the participant's Janus display.
MEDIA = "media"


class _Participants:
    """LiveSession's participants and data messages (its state is in LiveSession.__init__)."""

    # -- participants ------------------------------------------------------------------------------------

    def _update(self, participant_id: str, **changes) -> None:
        with self._lock:
            old = self._participants.get(participant_id)
            if old is None:
                old = Participant(participant_id, "", "", False, False)
            new = replace(old, **changes)
            if new == old and participant_id in self._participants:
                return
            self._participants[participant_id] = new
        self._tell("on_participant", new)

    def _gone(self, participant_id: str) -> None:
        self._frame_times.pop(participant_id, None)
        if self.speaker is not None:
            self.speaker.forget(participant_id)
        with self._lock:
            known = self._participants.pop(participant_id, None)
        if known is not None:
            self._tell("on_participant_left", participant_id)

    def _forget_everyone(self) -> None:
        self._frame_times.clear()
        for participant_id in list(self._participants):
            if self.speaker is not None:
                self.speaker.forget(participant_id)
            with self._lock:
                self._participants.pop(participant_id, None)
            self._tell("on_participant_left", participant_id)


    # -- what we send ------------------------------------------------------------------------------------

    def _announce(self) -> None:
        link = self._link
        if link is None:
            return
        link.update_video_sending()
        sender = self.details.display
        # A microphone that stopped delivering (unplugged, the sound system gone) shows as muted to the others.
        microphone_lost = bool(getattr(self.microphone, "lost", False))
        self._send_text(encode(Message(MEDIA, sender, {"audio": not self.muted and not microphone_lost,
                                                       "video": self._video_sending,
                                                       "site": self.details.site, "hears": sorted(link.hearing)})))
        self._send_text(encode(Message(HAND, sender, {"up": self.hand})))

    def _send_text(self, text: str) -> None:
        link = self._link
        if link is None or not link.send(text):
            self._pending = [*self._pending[-49:], text]

    def _flush_pending(self) -> None:
        pending, self._pending = self._pending, []
        for text in pending:
            self._send_text(text)

    # -- what we receive --------------------------------------------------------------------------------

    def _received(self, participant_id: str, text) -> None:
        # While a new subscription takes over from the old one, a message can come on both.
        now = time.monotonic()
        key = (participant_id, text)
        self._recent = {k: t for k, t in self._recent.items() if now - t < 0.5}
        if key in self._recent:
            return
        self._recent[key] = now
        message = decode(text)
        if message is None:
            return
        known = self._participants.get(participant_id)
        if known is None:
            # Only the channel's label (the publisher id Janus gave) says who sent it; a `sender` name in the
            # message is the sender's own claim, which anyone could make.
            log.info("data on a channel of no participant (%r) ignored", participant_id[:60])
            return
        # Names come from Janus (the display the hub set and enforces), never from the message.
        message = replace(message, sender=known.display or message.sender)
        if message.type == PRESENTING:
            message = replace(message, body={**message.body,
                                             "presenter": known.display if message.body.get("presenter") else ""})
        if participant_id:
            body = message.body
            if message.type == MEDIA:
                video = bool(body.get("video", False))
                if self._link is not None and self._announced_video.get(participant_id) != video:
                    self._link.choose_video()  # a camera off leaves its place to another's
                self._announced_video[participant_id] = video
                # "hears": whom it receives now. A client that does not say (a browser) is taken to hear us
                # from its first word on: better one state sent early than none.
                hears = body.get("hears")
                listening = hears is None or (isinstance(hears, list) and self.participant_id in hears)
                # its "site" is not taken: the site is the one in its Janus display (_site_of)
                changes = {"muted": not bool(body.get("audio", True)), "listening": listening}
                self._update(participant_id, **changes)
                if self._link is not None:
                    self._link.refresh(participant_id)
                    if changes["listening"] and (known is None or not known.listening):
                        self._announce()  # what it missed of our state
            elif message.type == HAND:
                self._update(participant_id, hand=bool(body.get("up", False)))
            elif message.type == PRESENTING:
                # one says it presents, or that it stops: never that another does
                if body.get("presenter"):
                    self._presenter = participant_id
                elif self._presenter == participant_id:
                    self._presenter = ""
                if self._link is not None:
                    self._link.choose_video()
        self._tell("on_data", participant_id, message)
