"""A case's imaging for the viewer: series in slice order, and the key images marked."""

from app.storage.db import Database

from .attachments import AttachmentService


class ImagingService:
    def __init__(self, db: Database, attachments: AttachmentService):
        self._db = db
        self._attachments = attachments

    def series(self, case_id: str):
        from app.imaging.series import group_series
        from app.storage.dicom_index import DicomIndex

        with self._db.transaction() as session:
            instances = DicomIndex().for_case(session, case_id)
        return group_series(instances, self._attachments.blobs.path)

    def key_images(self, case_id: str) -> set[tuple[str, int]]:
        from app.storage.dicom_index import DicomIndex

        with self._db.transaction() as session:
            return DicomIndex().key_images(session, case_id)

    def set_key_image(self, case_id: str, attachment_id: str, frame: int, on: bool) -> None:
        """Marking key images is an annotation for the experts, allowed whatever the case's status."""
        from app.storage.dicom_index import DicomIndex

        with self._db.transaction() as session:
            DicomIndex().set_key_image(session, case_id, attachment_id, frame, on)
