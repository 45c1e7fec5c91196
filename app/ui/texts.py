"""User-facing names of domain values and validation messages, translated by Qt.

Validation templates come from the domain's English catalogue; their Vietnamese
translations live in resources/translations (context "Validation").
"""

from PySide6.QtCore import QCoreApplication

from app.domain.issues import ENGLISH, Issue
from app.domain.lifecycle import Status, Urgency


def status_name(status: Status, local_only: bool = False) -> str:
    """`local_only`: the station syncs with its own local hub, so "at the hub" would mislead."""
    if local_only and status is Status.SYNCED:
        return QCoreApplication.translate("Texts", "Sent (kept on this machine)")
    return {
        Status.DRAFT: QCoreApplication.translate("Texts", "Draft"),
        Status.READY: QCoreApplication.translate("Texts", "Ready to send"),
        Status.SUBMITTED: QCoreApplication.translate("Texts", "Submitted"),
        Status.SYNCED: QCoreApplication.translate("Texts", "At the hub"),
        Status.ANSWERED: QCoreApplication.translate("Texts", "Answered"),
        Status.CLOSED: QCoreApplication.translate("Texts", "Closed"),
    }[status]


def urgency_name(urgency: Urgency) -> str:
    return {
        Urgency.ROUTINE: QCoreApplication.translate("Texts", "Routine"),
        Urgency.URGENT: QCoreApplication.translate("Texts", "Urgent"),
        Urgency.EMERGENCY: QCoreApplication.translate("Texts", "Emergency"),
    }[urgency]


def sex_name(sex: str) -> str:
    return {
        "male": QCoreApplication.translate("Texts", "Male"),
        "female": QCoreApplication.translate("Texts", "Female"),
        "other": QCoreApplication.translate("Texts", "Other"),
    }.get(sex, "")


def issue_message(issue: Issue) -> str:
    template = QCoreApplication.translate("Validation", ENGLISH.get(issue.code, issue.code))
    params = dict(issue.params)
    for key in ("sex", "cccd_sex"):
        if key in params:
            params[key] = sex_name(params[key]).lower()
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def language() -> str:
    """The language the interface is showing: 'vi' or 'en'."""
    return "vi" if QCoreApplication.translate("Texts", "language-code") == "vi" else "en"


def device_problem(code: str, params: dict, fallback: str) -> str:
    """A camera or sound problem in the user's language: what happened, then what to do."""
    texts = {
        "camera.no_device": QCoreApplication.translate(
            "Devices", "No camera at USB index {index}. Plug the camera in, or choose another one in the device "
            "settings."),
        "camera.no_answer": QCoreApplication.translate(
            "Devices", "The camera {camera} does not answer. Check its address, the network cable and that it is "
            "switched on."),
        "camera.file_missing": QCoreApplication.translate("Devices", "The video file {path} is not there."),
        "camera.lost": QCoreApplication.translate(
            "Devices", "The camera stopped sending pictures; trying to reconnect…"),
        "microphone.missing": QCoreApplication.translate(
            "Devices", "No microphone found. Plug one in, or check that the sound system is running."),
        "microphone.busy": QCoreApplication.translate(
            "Devices", "The microphone is busy: close the other program that uses it."),
        "microphone.error": QCoreApplication.translate(
            "Devices", "The microphone cannot be opened: choose another one in the device settings."),
        "speaker.missing": QCoreApplication.translate(
            "Devices", "No speaker found. Plug in speakers or headphones, or check the sound system."),
        "speaker.busy": QCoreApplication.translate("Devices", "The speaker is busy: close the other program."),
        "speaker.error": QCoreApplication.translate(
            "Devices", "The speaker cannot be used: choose another one in the device settings."),
    }
    template = texts.get(code)
    if template is None:
        return fallback
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def import_reason(code: str) -> str:
    """Why a file was not imported, in the user's language."""
    return {
        "dicom.not_dicom": QCoreApplication.translate("Import", "not a DICOM file, though named like one"),
        "dicom.unreadable": QCoreApplication.translate("Import", "damaged DICOM file"),
        "dicom.no_uids": QCoreApplication.translate("Import", "DICOM file without its identifiers (UIDs)"),
        "dicom.no_pixels": QCoreApplication.translate("Import", "DICOM file without an image (a report or plan)"),
        "dicom.truncated": QCoreApplication.translate("Import", "the file is cut short (incomplete copy)"),
        "dicom.waveform": QCoreApplication.translate("Import",
                                                     "a waveform recording (ECG…), not an image: not accepted"),
        "dicom.undecodable": QCoreApplication.translate("Import",
                                                        "the image cannot be decoded (damaged or unusual data)"),
        "dicom.image_too_large": QCoreApplication.translate("Import",
                                                            "the image declares an impossible size (refused)"),
        "dicom.unsupported_syntax": QCoreApplication.translate("Import", "image compression not supported"),
        "dicomdir.missing_file": QCoreApplication.translate("Import", "listed on the CD but missing"),
        "dicomdir.damaged": QCoreApplication.translate(
            "Import", "the CD index (DICOMDIR) is damaged: the DICOM files on the disc were read instead"),
        "dicomdir.empty": QCoreApplication.translate(
            "Import", "the CD index (DICOMDIR) lists no images: the DICOM files on the disc were read instead"),
        "dicomdir.outside_disc": QCoreApplication.translate("Import",
                                                            "the CD index points outside the disc (refused)"),
        "file.too_large": QCoreApplication.translate("Import", "file too large (limit 1.5 GB)"),
        "file.empty": QCoreApplication.translate("Import", "empty file"),
        "file.missing": QCoreApplication.translate("Import", "file not found"),
        "file.unreadable": QCoreApplication.translate("Import", "the file cannot be read"),
        "file.unsupported": QCoreApplication.translate("Import", "file type not accepted"),
        "folder.empty": QCoreApplication.translate("Import", "no files in it"),
        "zip.unreadable": QCoreApplication.translate("Import", "damaged ZIP archive"),
        "zip.unsafe_path": QCoreApplication.translate("Import", "unsafe path inside the archive (refused)"),
        "zip.bomb": QCoreApplication.translate("Import", "archive expands to far more than it holds (refused)"),
        "zip.too_many": QCoreApplication.translate("Import", "too many files in the archive"),
        "zip.encrypted": QCoreApplication.translate("Import",
                                                    "password-protected file in the archive: unpack it first"),
        "zip.damaged_member": QCoreApplication.translate("Import", "damaged file inside the archive"),
        "zip.unsupported_method": QCoreApplication.translate(
            "Import", "the archive uses a compression not supported: unpack it first"),
    }.get(code, code)


def task_status_name(code: str) -> str:
    """A FHIR Task status, as the experts' side of a consultation stands."""
    names = {
        "requested": QCoreApplication.translate("Texts", "requested"),
        "received": QCoreApplication.translate("Texts", "received"),
        "accepted": QCoreApplication.translate("Texts", "accepted"),
        "in-progress": QCoreApplication.translate("Texts", "in progress"),
        "on-hold": QCoreApplication.translate("Texts", "on hold"),
        "rejected": QCoreApplication.translate("Texts", "rejected"),
        "cancelled": QCoreApplication.translate("Texts", "cancelled"),
        "completed": QCoreApplication.translate("Texts", "completed"),
        "failed": QCoreApplication.translate("Texts", "failed"),
    }
    return names.get(code, code or "?")


def conflict_text(conflict) -> str:
    """What a 412 on a status change means, for the doctor."""
    return (QCoreApplication.translate(
        "Texts", "The experts changed this consultation at the hub (from “%1” to “%2”) after you last saw it. "
        "Your change was not sent, so nothing of theirs was overwritten.")
        .replace("%1", task_status_name(conflict.seen)).replace("%2", task_status_name(conflict.now)))


def outcome_name(code: str) -> str:
    """What the requesting side reports back (app.wire.consultation.OUTCOMES)."""
    return {
        "improved": QCoreApplication.translate("Texts", "Improved"),
        "stable": QCoreApplication.translate("Texts", "Stable"),
        "worse": QCoreApplication.translate("Texts", "Worse"),
        "referred": QCoreApplication.translate("Texts", "Referred up"),
        "died": QCoreApplication.translate("Texts", "Died"),
        "lost": QCoreApplication.translate("Texts", "Lost to follow-up"),
    }.get(code, code)


def party_detail(detail: str) -> str:
    """An expert's "title, hospital, specialty" as the hub writes it (codes), in the user's language."""
    from app.domain import reference

    lang = language()
    parts = []
    for part in (p.strip() for p in detail.split(",")):
        known = reference.hospital(part) or reference.specialty(part)
        parts.append(known.label(lang) if known else part)
    return ", ".join(p for p in parts if p)
