"""The publisher side of a live session's link: this station's microphone, camera and data channel sent to
Janus on one peer connection, the bitrate the quality asks for, and whether the camera's video goes out."""

import contextlib
import time

from aiortc import RTCSessionDescription

from .janus import JanusError
from .model import Quality, _Lost
from .peer import peer_connection
from .tracks import CameraTrack, MicrophoneTrack
from .uncancelled import describe

CAMERA_SILENT_S = 3.0      # no frame for this long: the camera is gone (unplugged, stalled), say video off


class _Publishing:
    """_Link's publisher side (its state is in _Link.__init__)."""

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

        await describe(pc, await pc.createOffer())
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
