"""Video clips with sound: H.264 + AAC in MP4, which every browser plays.

Fragmented MP4: each second or so is complete on disk, so when the camera is
unplugged or the station dies mid-recording, what was captured still plays.
Encoding runs on its own thread; if it falls behind, video frames are dropped
(counted), never sound.
"""

import queue
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from .camera import Frame

MS = Fraction(1, 1000)


class ClipRecorder:
    def __init__(self, path: Path, width: int, height: int, fps: float = 30.0, samplerate: int | None = 48000,
                 channels: int = 1, max_queued_frames: int = 30):
        import av

        self.path = Path(path)
        self.video_frames = 0
        self.dropped_frames = 0
        self.audio_samples = 0
        self.started = time.monotonic()
        self._samplerate = samplerate
        self._queue: queue.Queue = queue.Queue()
        self._queued_video = 0
        self._max_queued = max_queued_frames
        self._last_pts = -1
        self._container = av.open(str(self.path), "w", format="mp4",
                                  container_options={"movflags": "frag_keyframe+empty_moov+default_base_moof",
                                                     "flush_packets": "1"})
        self._video = self._container.add_stream("libx264", rate=int(round(fps)))
        # Even sizes: 4:2:0 chroma needs them.
        self._video.width, self._video.height = width - width % 2, height - height % 2
        self._video.pix_fmt = "yuv420p"
        # Millisecond timestamps end to end: with the codec at 1/fps, two frames captured close
        # together (a busy machine) would round to one timestamp and the muxer would refuse the second.
        self._video.time_base = MS
        self._video.codec_context.time_base = MS
        # No B-frames: timestamps stay in capture order, which fragmented MP4 needs from the first frame.
        self._video.options = {"preset": "veryfast", "crf": "23", "g": str(int(round(fps))), "bf": "0"}
        self._audio = None
        if samplerate:
            self._audio = self._container.add_stream("aac", rate=samplerate)
            self._audio.layout = "mono" if channels == 1 else "stereo"
        self._thread = threading.Thread(target=self._encode, name="clip-encoder", daemon=True)
        self._thread.start()

    @property
    def duration_s(self) -> float:
        return time.monotonic() - self.started

    def add_frame(self, frame: Frame) -> None:
        """From the camera thread; never blocks."""
        if self._queued_video >= self._max_queued:
            self.dropped_frames += 1
            return
        self._queued_video += 1
        self._queue.put(("video", frame.image, frame.captured_at))

    def add_audio(self, block: np.ndarray) -> None:
        """From the audio callback; never blocks."""
        self._queue.put(("audio", block, None))

    def _encode(self) -> None:
        import av

        while (item := self._queue.get()) is not None:
            kind, data, at = item
            if kind == "video":
                self._queued_video -= 1
                # A frame captured just before the recording began comes out at 0, not below.
                pts = max(0, int((at - self.started) * 1000))
                if pts <= self._last_pts:
                    continue  # two frames in one millisecond: keep the first
                self._last_pts = pts
                if data.shape[1] != self._video.width or data.shape[0] != self._video.height:
                    data = data[:self._video.height, :self._video.width]
                video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(data), format="bgr24")
                video_frame.pts, video_frame.time_base = pts, MS
                self._mux(self._video.encode(video_frame))
                self.video_frames += 1
            elif self._audio is not None:
                planar = np.ascontiguousarray(data.T.astype(np.float32))
                audio_frame = av.AudioFrame.from_ndarray(planar.reshape(1, -1) if planar.shape[0] == 1 else planar,
                                                         format="flt" if planar.shape[0] == 1 else "fltp",
                                                         layout=self._audio.layout.name)
                audio_frame.sample_rate = self._samplerate
                audio_frame.pts, audio_frame.time_base = self.audio_samples, Fraction(1, self._samplerate)
                self.audio_samples += planar.shape[-1]
                self._mux(self._audio.encode(audio_frame))
        for stream in (self._video, self._audio):
            if stream is not None:
                self._mux(stream.encode(None))
        self._container.close()

    def _mux(self, packets) -> None:
        for packet in packets:
            self._container.mux(packet)

    def finish(self) -> Path:
        """Flush and close; the file is complete when this returns."""
        self._queue.put(None)
        self._thread.join()
        return self.path
