"""What the capture panel needs from the station (kept light: importing the panel
itself loads numpy and OpenCV, which the start-up path must not)."""

from collections.abc import Callable
from dataclasses import dataclass

from app.services.settings import Settings


@dataclass(frozen=True)
class MediaServices:
    capture: object      # app.services.capture.CaptureService
    attachments: object  # app.services.attachments.AttachmentService
    settings: Callable[[], Settings]
    checks: object = None                                    # app.services.precheck.PreSessionCheck
    save_settings: Callable[[Settings], None] | None = None
