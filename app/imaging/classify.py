"""What kind of file is this? Decided by its first bytes, the name only as a hint."""

from pathlib import PurePath

from app.domain.attachment import AttachmentKind

from .dicom_files import RefusedFile, looks_like_dataset, looks_like_dicom

DICOM = (AttachmentKind.IMAGING, "application/dicom")
_MAGIC = (
    (b"\xff\xd8\xff", (AttachmentKind.PHOTO, "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", (AttachmentKind.PHOTO, "image/png")),
    (b"%PDF-", (AttachmentKind.DOCUMENT, "application/pdf")),
    (b"fLaC", (AttachmentKind.AUDIO, "audio/flac")),
    (b"ID3", (AttachmentKind.AUDIO, "audio/mpeg")),
    (b"OggS", (AttachmentKind.AUDIO, "audio/ogg")),
)
# Office files and plain text are recognised by name: lab results come as spreadsheets.
_BY_EXTENSION = {
    ".docx": (AttachmentKind.DOCUMENT, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".doc": (AttachmentKind.DOCUMENT, "application/msword"),
    ".odt": (AttachmentKind.DOCUMENT, "application/vnd.oasis.opendocument.text"),
    ".xlsx": (AttachmentKind.LAB, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xls": (AttachmentKind.LAB, "application/vnd.ms-excel"),
    ".csv": (AttachmentKind.LAB, "text/csv"),
    ".txt": (AttachmentKind.DOCUMENT, "text/plain"),
}
DICOM_EXTENSIONS = {".dcm", ".dicom", ".dic", ".ima"}


def classify(head: bytes, name: str) -> tuple[AttachmentKind, str]:
    suffix = PurePath(name).suffix.lower()
    if looks_like_dicom(head):
        return DICOM
    if looks_like_dataset(head) and (suffix in DICOM_EXTENSIONS or not suffix):
        return DICOM  # without its Part-10 header: given one on import
    if suffix in DICOM_EXTENSIONS:
        raise RefusedFile("dicom.not_dicom", "no DICM marker")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AttachmentKind.AUDIO, "audio/wav"
    if head[4:8] == b"ftyp":
        return AttachmentKind.VIDEO, "video/mp4"
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    raise RefusedFile("file.unsupported", suffix or "no extension")
