"""The pre-session check: how each measurement is graded, and what to tell the technician.

Thresholds (documented in the README; the programme's rule of thumb is that
video needs at least 750 kbit/s up):

| what | good | poor | unfit |
|---|---|---|---|
| camera frame rate | ≥ 24 fps | ≥ 12 fps | < 12 fps or no picture |
| microphone level (RMS over 2 s) | > -60 dBFS | peak above -90 dBFS | no signal at all (peak ≤ -90 dBFS) or no device |
| speaker | test tone played | — | cannot play |
| round-trip time to the hub | ≤ 150 ms | ≤ 400 ms | > 400 ms or unreachable |
| upload | ≥ 1.5 Mbit/s | ≥ 0.75 Mbit/s | < 0.75 Mbit/s |
| download | ≥ 2 Mbit/s | ≥ 1 Mbit/s | < 1 Mbit/s |
"""

from dataclasses import dataclass, field
from enum import Enum


class Grade(str, Enum):
    GOOD = "good"
    POOR = "poor"
    UNFIT = "unfit"


@dataclass(frozen=True)
class CheckItem:
    part: str            # camera, microphone, speaker, link
    grade: Grade
    advice: str          # a code of ADVICE
    measured: dict = field(default_factory=dict)
    detail: str = ""     # the device's own words when it failed


@dataclass(frozen=True)
class CheckReport:
    id: str
    at: str  # ISO 8601, UTC
    items: tuple[CheckItem, ...]

    @property
    def fit(self) -> bool:
        return all(item.grade is not Grade.UNFIT for item in self.items)

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at, "fit": self.fit,
                "items": [{"part": i.part, "grade": i.grade.value, "advice": i.advice,
                           "advice_text": ADVICE[i.advice].format(**i.measured), "measured": i.measured,
                           "detail": i.detail} for i in self.items]}

    @classmethod
    def from_dict(cls, data: dict) -> "CheckReport":
        return cls(data["id"], data["at"], tuple(CheckItem(i["part"], Grade(i["grade"]), i["advice"], i["measured"],
                                                           i.get("detail", "")) for i in data["items"]))


ADVICE = {
    "camera.ok": "Camera works: {fps:.0f} frames per second.",
    "camera.slow": "The camera gives only {fps:.0f} frames per second: use a lower resolution, better light, "
                   "or another USB port.",
    "camera.missing": "No picture from the camera: check the cable, the power and the camera chosen in the "
                      "device settings.",
    "microphone.ok": "Microphone works (level {rms_dbfs:.0f} dBFS).",
    "microphone.quiet": "The microphone is very quiet ({rms_dbfs:.0f} dBFS): speak while testing, move it closer "
                        "or raise its volume.",
    "microphone.silent": "The microphone gives no sound at all: it is muted, unplugged or the wrong one is chosen.",
    "microphone.missing": "No microphone found: plug one in, or check that the sound system is running.",
    "speaker.ok": "The test tone was played: check that you heard it.",
    "speaker.missing": "The speaker cannot play: plug in speakers or choose another output in the device settings.",
    "link.ok": "Link to the hub is good: {rtt_ms:.0f} ms, {up_mbps:.1f} Mbit/s up, {down_mbps:.1f} Mbit/s down.",
    "link.poor": "The link is weak ({rtt_ms:.0f} ms, {up_mbps:.1f} Mbit/s up, {down_mbps:.1f} Mbit/s down): "
                 "video may freeze; close other downloads, or use audio and photos only.",
    "link.unfit": "The link is too weak for video ({rtt_ms:.0f} ms, {up_mbps:.2f} Mbit/s up, "
                  "{down_mbps:.1f} Mbit/s down; video needs at least 0.75 Mbit/s up): call the network "
                  "provider, or send the case and join by phone.",
    "link.unreachable": "The hub cannot be reached: check the network cable and the hub address.",
    "link.unconfigured": "No hub address is set: the link cannot be checked (device settings).",
}


def _grade(value: float, good: float, poor: float, higher_is_better: bool = True) -> Grade:
    if higher_is_better:
        return Grade.GOOD if value >= good else Grade.POOR if value >= poor else Grade.UNFIT
    return Grade.GOOD if value <= good else Grade.POOR if value <= poor else Grade.UNFIT


def grade_camera(fps: float) -> CheckItem:
    if fps <= 0:
        return CheckItem("camera", Grade.UNFIT, "camera.missing", {"fps": 0.0})
    grade = _grade(fps, 24, 12)
    return CheckItem("camera", grade, "camera.ok" if grade is Grade.GOOD else "camera.slow", {"fps": round(fps, 1)})


def grade_microphone(rms_dbfs: float, peak_dbfs: float) -> CheckItem:
    measured = {"rms_dbfs": round(rms_dbfs, 1), "peak_dbfs": round(peak_dbfs, 1)}
    if peak_dbfs <= -90:
        return CheckItem("microphone", Grade.UNFIT, "microphone.silent", measured)
    if rms_dbfs <= -60:
        return CheckItem("microphone", Grade.POOR, "microphone.quiet", measured)
    return CheckItem("microphone", Grade.GOOD, "microphone.ok", measured)


def grade_link(rtt_ms: float, up_kbps: float, down_kbps: float) -> CheckItem:
    grades = [_grade(rtt_ms, 150, 400, higher_is_better=False), _grade(up_kbps, 1500, 750),
              _grade(down_kbps, 2000, 1000)]
    worst = Grade.UNFIT if Grade.UNFIT in grades else Grade.POOR if Grade.POOR in grades else Grade.GOOD
    measured = {"rtt_ms": round(rtt_ms, 1), "up_kbps": round(up_kbps), "down_kbps": round(down_kbps),
                "up_mbps": round(up_kbps / 1000, 2), "down_mbps": round(down_kbps / 1000, 2)}
    advice = {Grade.GOOD: "link.ok", Grade.POOR: "link.poor", Grade.UNFIT: "link.unfit"}[worst]
    return CheckItem("link", worst, advice, measured)
