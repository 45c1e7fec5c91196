"""What crosses the live session's data channel, station and browser alike (the browser's
server/console/static/live.js follows this module).

Every message is one JSON object with a "type". The synced DICOM viewer sends viewer *state*, never
pixels: each participant draws the slice from its own copy of the study (the station's files, the
expert's from the hub's DICOMweb, de-identified for experts abroad), so a study is shown at full
quality for a few hundred bytes per change.

A state names the study, series and slice by their UIDs in the case's de-identified copy
(app.imaging.deid.deidentified_uid(case id, original)), never by the original UIDs: every participant
hears the channel, an expert abroad too, and the originals identify the patient's real study. A holder
of the originals maps them itself (a station over its own files; the console with the hub's mapping).
"""

import json
from dataclasses import asdict, dataclass, field

MAX_MESSAGE_BYTES = 4096  # a state is ~300 bytes; anything larger is not ours

VIEWER = "viewer"          # the presenter's viewer state
PRESENTING = "presenting"  # who presents now (or stopped: presenter "")
HAND = "hand"              # a raised (or lowered) hand
SHARE = "share"            # a photo or PDF page the others hold: its attachment id and page


@dataclass(frozen=True)
class ViewerState:
    """Where the presenter's viewer is. `study`, `series` and `instance` are the de-identified copy's UIDs
    (the module's docstring), the same for every participant whatever copy it holds."""
    study: str
    series: str
    index: int = 0                 # slice (instance) in the series, in the viewer's sort order
    instance: str = ""             # that slice's SOP Instance UID (de-identified), when known (wins over `index`)
    frame: int | None = None       # the frame in that instance (0-based) for multi-frame files, when known
    window_center: float | None = None
    window_width: float | None = None
    zoom: float = 1.0              # 1 = the whole image fitted to the viewer
    pan_x: float = 0.0             # how far the image is moved from centred, in image pixels (right, down > 0)
    pan_y: float = 0.0
    key_image: bool = False
    seq: int = 0                   # increases with each change: an older state arriving late is ignored


@dataclass(frozen=True)
class Message:
    type: str
    sender: str = ""               # the participant's display name and site
    body: dict = field(default_factory=dict)


def encode(message: Message) -> str:
    return json.dumps(asdict(message), ensure_ascii=False, separators=(",", ":"))


def viewer_message(state: ViewerState, sender: str = "") -> str:
    return encode(Message(VIEWER, sender, asdict(state)))


def presenting_message(presenter: str, sender: str = "") -> str:
    """`presenter` (display name) now presents; "" when the presenting stopped."""
    return encode(Message(PRESENTING, sender, {"presenter": presenter}))


def decode(text: str | bytes) -> Message | None:
    """The message, or None for anything that is not one of ours (never raises on bad input)."""
    if isinstance(text, bytes):
        if len(text) > MAX_MESSAGE_BYTES:
            return None
        try:
            text = text.decode()
        except UnicodeDecodeError:
            return None
    if len(text) > MAX_MESSAGE_BYTES:
        return None
    try:
        # No NaN/Infinity (not JSON, and not a number any viewer can use); RecursionError: arrays nested a
        # thousand deep fit in 4 kB, and one participant's message must never break the others' channel.
        raw = json.loads(text, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str) or not isinstance(raw.get("body", {}), dict):
        return None
    return Message(raw["type"], str(raw.get("sender", ""))[:200], raw.get("body", {}))


def viewer_state(message: Message) -> ViewerState | None:
    if message.type != VIEWER:
        return None
    body = message.body
    try:
        return ViewerState(study=str(body["study"]), series=str(body["series"]), index=int(body.get("index", 0)),
                           instance=str(body.get("instance", "")),
                           frame=None if body.get("frame") is None else int(body["frame"]),
                           window_center=_number(body.get("window_center")),
                           window_width=_number(body.get("window_width")),
                           zoom=float(body.get("zoom", 1.0)), pan_x=float(body.get("pan_x", 0.0)),
                           pan_y=float(body.get("pan_y", 0.0)), key_image=bool(body.get("key_image", False)),
                           seq=int(body.get("seq", 0)))
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: int(1e999) (1e999 is infinity)
        return None


def _number(value) -> float | None:
    return None if value is None else float(value)


def _refuse(constant: str):
    raise ValueError(f"{constant} is not a number the live channel carries")
