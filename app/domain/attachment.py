"""Evidence attached to a case: photos, clips, recordings, documents, imaging."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class AttachmentKind(str, Enum):
    IMAGING = "imaging"
    PHOTO = "photo"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    LAB = "lab"


@dataclass(frozen=True)
class Attachment:
    id: str
    case_id: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    kind: AttachmentKind
    caption: str = ""
    details: dict = field(default_factory=dict, compare=False)  # e.g. camera, duration_s, captured_at
    created_at: datetime | None = None
