"""Photos, clips and sound recordings from the station, as attachments of a case.

A recording is written to `recordings/` first, with a small note saying which
case it belongs to; only when it is finished does it move into the store. If
the station dies meanwhile, the next start attaches what was recorded.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.attachment import Attachment, AttachmentKind
from app.domain.case import new_id, utcnow

from .attachments import AttachmentService
from .cases import CaseNotEditable, CaseNotFound

log = logging.getLogger(__name__)
MEDIA_TYPES = {".mp4": "video/mp4", ".flac": "audio/flac", ".wav": "audio/wav", ".jpg": "image/jpeg"}


@dataclass(frozen=True)
class PendingRecording:
    path: Path
    case_id: str
    kind: AttachmentKind
    started_at: datetime
    details: dict

    @property
    def note(self) -> Path:
        return self.path.with_suffix(".json")


def _stamp(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y%m%d-%H%M%S")


class CaptureService:
    def __init__(self, attachments: AttachmentService, recordings_dir: Path, clock=utcnow):
        self._attachments = attachments
        self._dir = Path(recordings_dir)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._clock = clock

    def attach_photo(self, case_id: str, jpeg: bytes, camera: str, width: int, height: int) -> Attachment:
        taken = self._clock()
        return self._attachments.add_bytes(
            case_id, jpeg, f"anh-{_stamp(taken)}.jpg", AttachmentKind.PHOTO, "image/jpeg",
            details={"camera": camera, "captured_at": taken.isoformat(timespec="seconds"), "width": width,
                     "height": height})

    def start_recording(self, case_id: str, kind: AttachmentKind, suffix: str, details: dict | None = None
                        ) -> PendingRecording:
        started = self._clock()
        prefix = {AttachmentKind.VIDEO: "video", AttachmentKind.AUDIO: "ghi-am"}.get(kind, kind.value)
        path = self._dir / f"{prefix}-{_stamp(started)}-{new_id()[:8]}{suffix}"
        pending = PendingRecording(path, case_id, kind, started, details or {})
        pending.note.write_text(json.dumps({"case_id": case_id, "kind": kind.value, "name": path.name,
                                            "started_at": started.isoformat(), "details": pending.details},
                                           ensure_ascii=False), encoding="utf-8")
        return pending

    def finish_recording(self, pending: PendingRecording, details: dict | None = None) -> Attachment:
        """Move the finished file into the case's attachments (and out of recordings/)."""
        extra = {"recorded_at": pending.started_at.isoformat(timespec="seconds"), **pending.details, **(details or {})}
        attachment = self._attachments.add_file(pending.case_id, pending.path, pending.kind,
                                                MEDIA_TYPES.get(pending.path.suffix.lower()), details=extra,
                                                name=pending.path.name)
        pending.path.unlink(missing_ok=True)
        pending.note.unlink(missing_ok=True)
        return attachment

    def discard(self, pending: PendingRecording) -> None:
        pending.path.unlink(missing_ok=True)
        pending.note.unlink(missing_ok=True)

    @staticmethod
    def _repair(path: Path) -> float:
        from app.media.audio import repair_recording  # numpy and PyAV: only when there is something to repair

        return repair_recording(path)

    def recover(self) -> list[Attachment]:
        """Attach recordings a crash left unfinished; keep those whose case no longer takes them."""
        recovered = []
        for note in sorted(self._dir.glob("*.json")):
            try:
                info = json.loads(note.read_text(encoding="utf-8"))
                path = self._dir / info["name"]
                pending = PendingRecording(path, info["case_id"], AttachmentKind(info["kind"]),
                                           datetime.fromisoformat(info["started_at"]), info.get("details", {}))
            except (OSError, ValueError, KeyError) as error:
                log.warning("unreadable recording note %s: %s", note, error)
                continue
            if not path.exists() or path.stat().st_size == 0:
                self.discard(pending)
                continue
            extra = {"recovered": True}
            if pending.kind is AttachmentKind.AUDIO:
                try:
                    extra["duration_s"] = round(self._repair(path), 1)
                except ValueError as error:  # nothing decodable: keep the file as it is, said in the log
                    log.warning("recording %s could not be repaired: %s", path.name, error)
            try:
                recovered.append(self.finish_recording(pending, extra))
            except (CaseNotEditable, CaseNotFound) as error:
                log.warning("recording %s kept in %s: its case cannot take it (%s)", path.name, self._dir, error)
        return recovered
