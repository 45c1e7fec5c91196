"""What the capture panel and the device dialogs need from the station.

Each service is given as a function returning it: building them loads numpy,
OpenCV and the ORM, which the start-up path must not (bench/startup.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.services.settings import Settings


@dataclass(frozen=True)
class MediaServices:
    capture: Callable[[], object]      # -> app.services.capture.CaptureService
    attachments: Callable[[], object]  # -> app.services.attachments.AttachmentService
    settings: Callable[[], Settings]
    checks: Callable[[], object] | None = None  # -> app.services.precheck.PreSessionCheck
    save_settings: Callable[[Settings], None] | None = None
    imports: Callable[[], object] | None = None  # -> app.services.importing.ImportService
    imaging: Callable[[], object] | None = None  # -> app.services.imaging.ImagingService
    deidentification: Callable[[], object] | None = None  # -> app.services.deidentify.DeidentificationService
