"""The pre-session check (kiểm tra trang thiết bị và đường truyền): camera,
microphone, speaker and the link, graded with plain advice, kept per station."""

import json
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.domain.case import new_id
from app.domain.check import CheckItem, CheckReport, Grade, grade_camera, grade_link, grade_microphone
from app.media import audio
from app.media.camera import CameraCapture, CameraSource, CameraState
from app.storage.db import Database
from app.sync.link import LinkUnreachable, measure

from .settings import Settings

Progress = Callable[[float, str], None]


def check_camera(settings: Settings, seconds: float = 3.0) -> CheckItem:
    camera = CameraCapture(CameraSource(settings.camera), settings.camera_width, settings.camera_height,
                           settings.camera_fps, reconnect=False, open_timeout_ms=5000, read_timeout_ms=3000).start()
    try:
        deadline = time.monotonic() + 8.0
        while camera.state is not CameraState.LIVE and camera.state is not CameraState.FAILED \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        if camera.state is CameraState.LIVE:
            first = camera.frames_delivered
            started = time.monotonic()
            time.sleep(seconds)
            fps = (camera.frames_delivered - first) / (time.monotonic() - started)
        else:
            fps = 0.0
    finally:
        camera.stop()
    item = grade_camera(fps)
    if camera.size:
        item.measured.update(width=camera.size[0], height=camera.size[1])
    if camera.error is not None:
        return _with_problem(item, camera.error)
    return item


def _with_problem(item: CheckItem, error) -> CheckItem:
    """The device's trouble as a code and its values (worded by the interface in the user's language);
    its own English words stay in `detail`, for the exported report."""
    measured = {**item.measured, **{k: v for k, v in error.params.items() if k not in item.measured},
                "problem": error.code}
    return CheckItem(item.part, item.grade, item.advice, measured, str(error))


def check_microphone(settings: Settings, seconds: float = 2.0) -> CheckItem:
    try:
        mic = audio.MicrophoneCapture(device=settings.microphone or None, samplerate=settings.microphone_samplerate,
                                      channels=settings.microphone_channels).start()
    except audio.AudioUnavailable as error:
        return _with_problem(CheckItem("microphone", Grade.UNFIT, "microphone.missing", {}), error)
    try:
        if not mic.first_block.wait(5):
            return CheckItem("microphone", Grade.UNFIT, "microphone.silent", {"rms_dbfs": -120.0}, "no audio arrived")
        target = mic.levels.blocks + int(seconds * mic.samplerate / audio.BLOCK)
        deadline = time.monotonic() + seconds + 3
        while mic.levels.blocks < target and time.monotonic() < deadline:
            time.sleep(0.02)
        samples = mic.last(seconds)
    finally:
        mic.stop()
    rms = float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    return grade_microphone(audio.dbfs(rms), audio.dbfs(peak))


def check_speaker(settings: Settings) -> CheckItem:
    try:
        audio.play(audio.tone(880, 0.8), device=settings.speaker or None)
    except audio.AudioUnavailable as error:
        return _with_problem(CheckItem("speaker", Grade.UNFIT, "speaker.missing", {}), error)
    return CheckItem("speaker", Grade.GOOD, "speaker.ok", {"tone_hz": 880})


def link_address(settings: Settings, hub_url: str = "") -> str:
    """Where the link is measured: the address typed in the device settings, else the hub the station
    is enrolled with (its FHIR capability statement: answered without a token)."""
    if settings.check_url:
        return settings.check_url
    return f"{hub_url.rstrip('/')}/metadata" if hub_url else ""


def check_link(settings: Settings, hub_url: str = "") -> CheckItem:
    address = link_address(settings, hub_url)
    if not address:
        return CheckItem("link", Grade.POOR, "link.unconfigured", {})
    try:
        found = measure(address)
    except LinkUnreachable as error:
        return CheckItem("link", Grade.UNFIT, "link.unreachable", {"address": address}, str(error))
    item = grade_link(found.rtt_ms, found.up_kbps, found.down_kbps)
    item.measured["address"] = address
    return item


def enrolled_hub_url(credential) -> str:
    """The hub a station credential points at; none for the local hub on this machine (it says
    nothing of the link to the central hospital)."""
    if credential is None or getattr(credential, "embedded", False):
        return ""
    return credential.hub_url


class PreSessionCheck:
    PARTS = ("camera", "microphone", "speaker", "link")

    def __init__(self, db: Database, credential: Callable[[], object] | None = None):
        """`credential()` gives the station's sync credential (or None): its hub is where the link is measured
        when no address is set in the device settings."""
        self._db = db
        self._credential = credential

    def run(self, settings: Settings, parts: tuple[str, ...] = PARTS, progress: Progress | None = None) -> CheckReport:
        checks = {"camera": check_camera, "microphone": check_microphone, "speaker": check_speaker,
                  "link": lambda s: check_link(s, self.hub_url() if not s.check_url else "")}
        if "microphone" in parts or "speaker" in parts:
            audio.rescan()  # a microphone or a sound system that came up since the station started
        items = []
        for done, part in enumerate(parts):
            if progress is not None:
                progress(done / len(parts), part)
            items.append(checks[part](settings))
        report = CheckReport(new_id(), datetime.now(timezone.utc).isoformat(timespec="seconds"), tuple(items))
        from app.storage.check_reports import CheckReportRepository

        with self._db.transaction() as session:
            CheckReportRepository().insert(session, report)
        if progress is not None:
            progress(1.0, "")
        return report

    def hub_url(self) -> str:
        return enrolled_hub_url(self._credential()) if self._credential is not None else ""

    def history(self, limit: int = 50) -> list[CheckReport]:
        from app.storage.check_reports import CheckReportRepository

        with self._db.transaction() as session:
            return CheckReportRepository().latest(session, limit)

    def export(self, path: Path, limit: int = 1000) -> int:
        """Write the kept reports as JSON (newest first); returns how many."""
        reports = self.history(limit)
        Path(path).write_text(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2),
                              encoding="utf-8")
        return len(reports)
