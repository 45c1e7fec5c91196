"""Adding files from the interface: dropping a folder, the verdict of each file, a patient mismatch."""

from dataclasses import replace

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from app.services.settings import Settings
from app.ui.capture_panel import CapturePanel
from app.ui.media_services import MediaServices
from tests.support.dicom_series import ct_series


def open_panel(qtbot, station, runner, case) -> CapturePanel:
    """The capture panel of `case`, shown, with its attachment list loaded."""
    media = MediaServices(lambda: station.capture, lambda: station.attachments, lambda: Settings(microphone="pulse"),
                          imports=lambda: station.imports)
    panel = CapturePanel(media, runner)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.attachments_changed):
        panel.set_case(case)
    return panel


def test_dropping_a_folder_imports_it_and_says_what_happened(qtbot, station, runner, microphone_source,
                                                               translations, tmp_path):
    case = station.cases.create_case()
    case = station.cases.save_draft(replace(case, patient=replace(case.patient, full_name="Trần Văn Nam")))
    folder = tmp_path / "cd"
    ct_series(folder, slices=5)  # of NGUYEN^VAN^DUOC: not this patient
    (folder / "note.txt").write_text("Kết quả siêu âm: bình thường", encoding="utf-8")
    (folder / "virus.exe").write_bytes(b"MZ" + b"\0" * 64)
    panel = open_panel(qtbot, station, runner, case)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    # Qt delivers drops only inside its own drag loop, so the handlers are called as Qt would call them.
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    panel.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(panel.imaging_added, timeout=20000):
        panel.dropEvent(drop)
    qtbot.waitUntil(lambda: panel.model.file_count() == 6, timeout=10000)
    # The five CT slices are one line, the note another.
    assert sorted(panel.model.index(r, 0).data() for r in range(2)) == ["CT · Phoi 5mm (5 tệp)", "note.txt"]
    dialog = panel.import_results
    assert dialog.summary.text() == "Đã thêm: 6. Đã có sẵn: 0. Không nhận: 1."
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows["virus.exe"] == ("không nhận", "loại tệp không được chấp nhận")
    assert any("NGUYEN^VAN^DUOC" in label.text() for label in dialog.findChildren(type(dialog.summary)))
    dialog.close()
    panel.table.selectRow(next(r for r in range(2) if panel.model.index(r, 0).data().startswith("CT")))
    with qtbot.waitSignal(panel.attachments_changed, timeout=10000):
        panel.remove_selected()  # the whole series goes
    qtbot.waitUntil(lambda: panel.model.file_count() == 1, timeout=10000)
    panel.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def test_photos_and_pdfs_show_in_place_with_thumbnails(qtbot, station, runner, microphone_source, translations,
                                                        tmp_path):
    import cv2
    import numpy as np
    import pypdfium2

    case = station.cases.create_case()
    photo = tmp_path / "vet-thuong.jpg"
    cv2.imwrite(str(photo), np.full((300, 400, 3), (30, 60, 200), np.uint8))
    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)
    document.save(str(tmp_path / "giay-chuyen-vien.pdf"))
    document.close()
    station.imports.import_paths(case.id, [photo, tmp_path / "giay-chuyen-vien.pdf"])
    panel = open_panel(qtbot, station, runner, case)
    qtbot.waitUntil(lambda: all(panel.model.index(r, 0).data(Qt.ItemDataRole.DecorationRole) is not None
                                for r in range(2)), timeout=10000)
    rows = {panel.model.attachment(r).original_name: r for r in range(2)}
    panel.table.selectRow(rows["vet-thuong.jpg"])
    qtbot.waitUntil(lambda: panel.picture.image() is not None, timeout=10000)  # the photo, fitted
    shown = panel.picture.picture_rect()
    assert panel.picture.rect().toRectF().contains(shown) and abs(shown.width() / shown.height() - 4 / 3) < 0.02
    panel.table.selectRow(rows["giay-chuyen-vien.pdf"])
    qtbot.waitUntil(lambda: panel.picture.image() is not None, timeout=10000)  # the A4 page, across the width
    shown = panel.picture.picture_rect()
    assert shown.left() >= 0 and shown.right() <= panel.picture.width() and shown.top() == 0
    assert abs(shown.width() / shown.height() - 595 / 842) < 0.02
    panel.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def test_each_refusal_is_said_in_words_for_what_the_file_is(qtbot, station, translations, tmp_path):
    import zipfile
    from pathlib import Path

    from pydicom.data import get_testdata_file

    from app.ui.import_flow import ImportResultsDialog
    from app.ui.texts import import_reason
    from tests.support.dicom_series import make_cd

    case = station.cases.create_case()
    ct = Path(get_testdata_file("CT_small.dcm")).read_bytes()
    (tmp_path / "cut.dcm").write_bytes(ct[:300])
    locked = tmp_path / "mat-khau.zip"
    with zipfile.ZipFile(locked, "w") as archive:
        archive.writestr("IM0001", ct)
    data = bytearray(locked.read_bytes())
    data[6] |= 1  # the encrypted flag, in the local header
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1  # and in the central directory
    locked.write_bytes(bytes(data))
    cd = tmp_path / "cd"
    ct_series(tmp_path / "series", slices=2)
    dicomdir = make_cd(tmp_path / "series", cd)
    dicomdir.write_bytes(dicomdir.read_bytes()[:-200])
    report = station.imports.import_paths(case.id, [tmp_path / "cut.dcm", Path(get_testdata_file("waveform_ecg.dcm")),
                                                    locked, dicomdir])
    dialog = ImportResultsDialog(report)
    qtbot.addWidget(dialog)
    rows = {Path(dialog.table.item(r, 0).text()).name: (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows["cut.dcm"] == ("không nhận", "tệp bị cắt cụt (sao chép không trọn vẹn)")
    assert rows["waveform_ecg.dcm"] == ("không nhận", "bản ghi sóng (điện tim…), không phải ảnh: chưa nhận")
    assert rows["IM0001"] == ("không nhận", "tệp có mật khẩu trong tệp nén: hãy giải nén trước")
    assert rows["DICOMDIR"][1] == "danh mục đĩa CD (DICOMDIR) bị hỏng: đã đọc thẳng các tệp DICOM trên đĩa"
    assert sum(status == "đã thêm" for status, _reason in rows.values()) == 2  # the disc's images, all the same
    # Every refusal the import can give has its own words, in Vietnamese.
    codes = ["dicom.not_dicom", "dicom.unreadable", "dicom.no_uids", "dicom.no_pixels", "dicom.waveform",
             "dicom.truncated", "dicom.undecodable", "dicom.image_too_large", "dicom.unsupported_syntax",
             "dicomdir.missing_file", "dicomdir.damaged", "dicomdir.empty", "dicomdir.outside_disc",
             "file.too_large", "file.empty", "file.missing", "file.unreadable", "file.unsupported", "folder.empty",
             "zip.unreadable", "zip.unsafe_path", "zip.bomb", "zip.too_many", "zip.encrypted", "zip.damaged_member",
             "zip.unsupported_method"]
    worded = [import_reason(code) for code in codes]
    assert all(text != code for text, code in zip(worded, codes, strict=True)), worded
    assert len(set(worded)) == len(codes)
