"""Plain-language messages for storage failures (the environment's fault, not a bug)."""

from PySide6.QtCore import QCoreApplication

from app.storage.errors import DatabaseCorrupt, DatabaseTooNew, StorageError, StorageFull, StorageLocked


def storage_message(error: StorageError) -> str:
    path = str(error.path)
    if isinstance(error, StorageFull):
        return QCoreApplication.translate(
            "Storage", "The disk is full. Free some space (for example delete old files) on the drive that holds %1."
        ).replace("%1", path)
    if isinstance(error, StorageLocked):
        return QCoreApplication.translate(
            "Storage", "The database is busy: another program is using %1. Close other copies of Điểm Cầu."
        ).replace("%1", path)
    if isinstance(error, DatabaseTooNew):
        return QCoreApplication.translate(
            "Storage", "The database %1 was written by a newer version of Điểm Cầu. Install the newer version; "
            "the file has not been changed."
        ).replace("%1", path)
    if isinstance(error, DatabaseCorrupt):
        return QCoreApplication.translate(
            "Storage", "The database %1 is damaged and cannot be opened. It has been kept as it is; ask IT staff "
            "to restore it from a backup."
        ).replace("%1", path)
    return QCoreApplication.translate("Storage", "The station could not save to %1.").replace("%1", path)
