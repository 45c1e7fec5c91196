from datetime import datetime, timezone

from app.domain.attachment import Attachment, AttachmentKind
from app.ui.attachment_list import AttachmentListModel, human_size


def attachment(n, kind=AttachmentKind.PHOTO, series=None):
    details = {"series_uid": series, "series": "Phoi 5mm", "modality": "CT"} if series else {}
    return Attachment(f"a{n}", "case", f"{n:064d}", 1000 * n, "image/jpeg", f"file{n}.jpg", kind, details=details,
                      created_at=datetime(2026, 11, 24, 8, n, tzinfo=timezone.utc))


def test_files_and_series_pass_qtmodeltester(qtmodeltester):
    model = AttachmentListModel()
    model.set_attachments([attachment(1), *(attachment(i, AttachmentKind.IMAGING, "1.2.3") for i in range(2, 6))])
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.file_count() == 5
    assert model.index(1, 0).data() == "CT · Phoi 5mm (4 files)"
    assert model.index(1, 2).data() == human_size(14000) == "13.7 KB"
    assert [a.id for a in model.attachments_of(1)] == ["a2", "a3", "a4", "a5"]
    qtmodeltester.check(AttachmentListModel())
