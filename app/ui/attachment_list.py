"""The attachments of a case, as a table."""

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.attachment import Attachment, AttachmentKind


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class AttachmentListModel(QAbstractTableModel):
    COLUMNS = ("name", "kind", "size", "added")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Attachment] = []

    def set_attachments(self, rows: list[Attachment]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def attachment(self, row: int) -> Attachment:
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole \
                or not 0 <= section < len(self.COLUMNS):
            return None
        return (self.tr("File"), self.tr("Kind"), self.tr("Size"), self.tr("Added"))[section]

    def kind_name(self, kind: AttachmentKind) -> str:
        return {AttachmentKind.PHOTO: self.tr("Photo"), AttachmentKind.VIDEO: self.tr("Video"),
                AttachmentKind.AUDIO: self.tr("Sound"), AttachmentKind.DOCUMENT: self.tr("Document"),
                AttachmentKind.LAB: self.tr("Lab result"), AttachmentKind.IMAGING: self.tr("Imaging")}[kind]

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "name":
                return item.original_name
            if column == "kind":
                return self.kind_name(item.kind)
            if column == "size":
                return human_size(item.size)
            return item.created_at.astimezone().strftime("%d/%m %H:%M:%S") if item.created_at else ""
        if role == Qt.ItemDataRole.ToolTipRole and column == "name":
            duration = item.details.get("duration_s")
            return f"{item.original_name} ({duration:.1f} s)" if duration else item.original_name
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "size":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
