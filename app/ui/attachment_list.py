"""The attachments of a case, as a table."""

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.attachment import Attachment, AttachmentKind


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


@dataclass(frozen=True)
class Row:
    """One line of the list: a file, or a whole DICOM series (hundreds of slices are one line)."""

    items: tuple[Attachment, ...]

    @property
    def first(self) -> Attachment:
        return self.items[0]


class AttachmentListModel(QAbstractTableModel):
    COLUMNS = ("name", "kind", "size", "added")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Row] = []
        self._icons: dict[str, object] = {}  # attachment id -> QIcon

    def set_icon(self, attachment_id: str, icon) -> None:
        self._icons[attachment_id] = icon
        for number, row in enumerate(self._rows):
            if row.first.id == attachment_id:
                index = self.index(number, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def has_icon(self, attachment_id: str) -> bool:
        return attachment_id in self._icons

    def set_attachments(self, attachments: list[Attachment]) -> None:
        rows, series = [], {}
        for attachment in attachments:
            uid = attachment.details.get("series_uid") if attachment.kind is AttachmentKind.IMAGING else None
            if uid is None:
                rows.append(Row((attachment,)))
            elif uid in series:
                series[uid].append(attachment)
            else:
                series[uid] = [attachment]
                rows.append(uid)
        self.beginResetModel()
        self._rows = [Row(tuple(series[r])) if isinstance(r, str) else r for r in rows]
        self.endResetModel()

    def attachment(self, row: int) -> Attachment:
        return self._rows[row].first

    def attachments_of(self, row: int) -> tuple[Attachment, ...]:
        return self._rows[row].items

    def file_count(self) -> int:
        return sum(len(r.items) for r in self._rows)

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
        row = self._rows[index.row()]
        item = row.first
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "name":
                if len(row.items) > 1 or item.details.get("series_uid"):
                    description = item.details.get("series") or item.original_name
                    return self.tr("%1 · %2 (%3 files)").replace("%1", item.details.get("modality", "")) \
                        .replace("%2", description).replace("%3", str(len(row.items)))
                return item.original_name
            if column == "kind":
                return self.kind_name(item.kind)
            if column == "size":
                return human_size(sum(a.size for a in row.items))
            return item.created_at.astimezone().strftime("%d/%m %H:%M:%S") if item.created_at else ""
        if role == Qt.ItemDataRole.DecorationRole and column == "name":
            return self._icons.get(item.id)
        if role == Qt.ItemDataRole.ToolTipRole and column == "name":
            duration = item.details.get("duration_s")
            return f"{item.original_name} ({duration:.1f} s)" if duration else item.original_name
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "size":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
