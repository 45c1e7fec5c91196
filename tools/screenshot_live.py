"""Screenshots of the station in a live consultation (part of `make screenshots`): a real Janus on 127.0.0.1,
a room made as the hub makes it, three other sites (two with generated video, one with sound only, hand
raised), and this station's live window with their tiles, at 1366x768 and 1280x720; the device preview too.

Run on its own (under Xvfb): .venv/bin/python tools/screenshot_live.py docs/screenshots
"""

import secrets
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

SITES = [("BS Hùng — BV Bạch Mai", "BV Bạch Mai", (150, 110, 80)),
         ("TS Mai — BV Chợ Rẫy", "BV Chợ Rẫy", (80, 120, 150))]
AUDIO_ONLY_SITE = ("BS Tuấn — TTYT huyện Đồng Văn", "TTYT huyện Đồng Văn")
HERE = ("BS Lan — TTYT huyện Mèo Vạc", "TTYT huyện Mèo Vạc")
CASE = {"code": "HC-0012", "initials": "N.V.Đ", "age": 58, "sex": "male"}


def person_video(path: Path, wall: tuple, seconds: int = 4, width: int = 640, height: int = 360) -> Path:
    """A stand-in for a site's camera: a figure at a desk before a wall, moving a little (nobody real)."""
    import av
    import cv2
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(seconds * 30):
            image = np.empty((height, width, 3), np.uint8)
            image[:] = wall
            image[int(height * 0.78):] = (60, 75, 90)  # the desk
            cv2.rectangle(image, (40, 40), (150, 150), (200, 210, 215), -1)  # a light box on the wall
            sway = int(8 * np.sin(i / 12))
            cx = width // 2 + sway
            cv2.ellipse(image, (cx, int(height * 0.86)), (150, 110), 0, 180, 360, (235, 235, 240), -1)  # white coat
            cv2.rectangle(image, (cx - 22, int(height * 0.5)), (cx + 22, int(height * 0.62)), (140, 170, 205), -1)
            cv2.circle(image, (cx, int(height * 0.4)), 58, (150, 180, 215), -1)  # face
            cv2.ellipse(image, (cx, int(height * 0.33)), (62, 40), 0, 180, 360, (40, 40, 45), -1)  # hair
            cv2.circle(image, (cx - 20, int(height * 0.4)), 5, (50, 50, 50), -1)
            cv2.circle(image, (cx + 20, int(height * 0.4)), 5, (50, 50, 50), -1)
            cv2.ellipse(image, (cx, int(height * 0.47)), (18, 8 if i % 20 < 10 else 4), 0, 0, 180, (60, 60, 140), -1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


class _Quiet:
    """A remote site's listener: the screenshot only needs this station's window."""

    def __getattr__(self, _name):
        return lambda *args: None


def live_shots(app: QApplication, out_dir: Path, settle, wait_for) -> None:
    from app.live.details import JoinDetails
    from app.live.session import LiveSession, Quality
    from app.media.audio import AudioUnavailable, MicrophoneCapture
    from app.media.camera import CameraCapture, CameraSource
    from app.domain.check import grade_link
    from app.services.live import LiveService
    from app.services.station import Station
    from app.ui.live_controller import LiveController
    from app.ui.live_preview import LivePreviewDialog
    from app.ui.live_window import case_line
    from app.ui.runner import TaskRunner
    from server.live.janus_admin import JanusAdmin
    from server.live.janus_process import JanusProcess
    from server.live.tokens import signed_token
    from tools.demo_data import make_demo_video

    work = Path(tempfile.mkdtemp(prefix="diemcau-live-shots-"))
    janus = JanusProcess(work / "janus").start()
    admin = JanusAdmin(janus.settings)
    room, secret = "live-demo", secrets.token_hex(8)
    admin.create_room(room, secret, [], description="HC-0012")

    def details(display: str, site: str) -> JoinDetails:
        ticket = secrets.token_hex(8)
        admin.allow(room, secret, [ticket])
        return JoinDetails.parse({
            "id": "demo", "display": display, "site": site, "case": CASE, "request": "",
            "janus": {"url": janus.url, "token": signed_token(janus.settings.token_secret, 3600), "room": room,
                      "room_token": ticket, "opaque_id": "demo-" + ticket, "ice_servers": []}})

    cameras, sessions, microphones = [], [], []
    try:
        for n, (display, site, wall) in enumerate(SITES):
            camera = CameraCapture(CameraSource(str(person_video(work / f"site{n}.mp4", wall)))).start()
            cameras.append(camera)
            microphone = None
            if n == 0:  # Dr Hùng speaks (the tone source): his tile is framed as the active speaker
                try:
                    microphone = MicrophoneCapture(device="pulse").start()
                    microphones.append(microphone)
                except AudioUnavailable:
                    microphone = None
            session = LiveSession(details(display, site), _Quiet(), camera=camera, microphone=microphone,
                                  quality=Quality.LOW)
            session.start()
            sessions.append(session)
        quiet = LiveSession(details(*AUDIO_ONLY_SITE), _Quiet())  # no camera: a name tile
        quiet.start()
        quiet.raise_hand(True)
        quiet.set_microphone_muted(True)
        sessions.append(quiet)

        station = Station(work / "station")
        video = work / "camera.mp4"
        make_demo_video(video)
        settings = replace(station.settings, camera=str(video), camera_width=960, camera_height=540,
                           microphone="pulse")
        runner = TaskRunner()
        here = details(*HERE)

        preview = LivePreviewDialog(settings, HERE[0], case_line(here), "low", grade_link(180, 1100, 1600))
        preview.show()
        wait_for(app, lambda: preview.self_view.frames_shown > 10)
        settle(app, runner)
        path = out_dir / "live-preview.png"
        preview.grab().save(str(path))
        print(path)
        preview.reject()

        controller = LiveController(lambda: LiveService(lambda: None), lambda: settings)
        feed, mic = controller._open_devices()
        window = controller.open_window("demo", here, feed, mic, "high")
        window.set_present(lambda: None)
        window.on_recording({"state": "on", "agreed": [], "missing": []})

        def ready() -> bool:
            tiles = window.grid.tiles.values()
            video_tiles = [t for t in tiles if t.has_video]
            return (len(window.grid.tiles) == 3 and len(video_tiles) == 2
                    and all(t.frames_shown > 10 for t in video_tiles) and any(t.hand for t in tiles)
                    and window.self_tile.frames_shown > 5)
        wait_for(app, ready, timeout_s=60)
        wait_for(app, lambda: any(t.talking for t in window.grid.tiles.values()), timeout_s=20)
        for width, height in ((1366, 768), (1280, 720)):
            window.resize(width, height)
            settle(app, runner, 500)
            path = out_dir / f"live-session-{width}x{height}.png"
            window.grab().save(str(path))
            print(path)
        window.close()
        controller.shutdown()
        runner.shutdown()
        station.close()
    finally:
        for session in sessions:
            session.leave()
        for microphone in microphones:
            microphone.stop()
        for camera in cameras:
            camera.stop()
        janus.stop()


if __name__ == "__main__":
    from tests.support.pulse import PulseServer
    from tools.screenshots import settle, wait_for

    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    pulse = PulseServer(Path(tempfile.mkdtemp(prefix="diemcau-pulse-")))
    pulse.use_environment()
    application = QApplication(sys.argv)
    from app.ui.application import RESOURCES, Translations

    application.setStyleSheet((RESOURCES / "style.qss").read_text(encoding="utf-8"))
    Translations(application).use("vi")
    try:
        live_shots(application, target, settle, wait_for)
    finally:
        pulse.stop()
