"""A file still naming the patient after de-identification: the doctor is told, in Vietnamese, which
files and where, both when sending abroad and when writing an anonymised copy from the viewer."""

from app.ui.dicom_viewer import DicomViewer
from tests.support.dicom_series import ct_series
from tests.ui.conftest import open_new_case
from tests.ui.test_case_editor import fill_complete
from tests.unit.imaging.planted import planted_dataset


def named_file(path, name="Lò Văn Sính"):
    ds = planted_dataset()
    ds.Manufacturer = name  # kept by the Basic Profile: the scan finds it
    ds.save_as(path, enforce_file_format=True)
    return path


def test_the_viewer_says_which_copies_were_not_written(qtbot, station, runner, translations, tmp_path):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=2) + [named_file(tmp_path / "n.dcm",
                                                                                                "Nguyen Van Duoc")])
    viewer = DicomViewer(station.imaging, runner, station.deidentification)
    qtbot.addWidget(viewer)
    viewer.show()
    viewer.set_case(case.id)
    qtbot.waitUntil(lambda: viewer.series_list.count() == 2, timeout=10000)
    viewer.export_anonymised(str(tmp_path / "out"))
    qtbot.waitUntil(lambda: viewer.export_status.text().startswith("Đã ghi 2"), timeout=20000)
    assert "1 tệp không được ghi vì vẫn còn thông tin nhận dạng bệnh nhân (ở (0008,0070) Manufacturer)" \
        in viewer.export_status.text()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def test_a_case_for_abroad_is_not_sent_and_the_doctor_is_told_why(qtbot, window, station, tmp_path):
    editor = open_new_case(qtbot, window)
    fill_complete(editor)  # the patient is "Lò Văn Sính": the case record's name is searched for too
    editor.foreign_expert.setChecked(True)
    with qtbot.waitSignal(editor.case_saved, timeout=10000):
        editor.save_now()
    station.imports.import_paths(editor.case.id, [named_file(tmp_path / "n.dcm", "LO VAN SINH")])
    with qtbot.waitSignal(editor.case_status_changed, timeout=10000):
        editor.mark_ready()
    editor.submit()
    qtbot.waitUntil(lambda: editor.banner.text().startswith("Chưa gửi: 1 tệp ảnh vẫn còn thông tin nhận dạng"),
                    timeout=20000)
    assert "(0008,0070) Manufacturer" in editor.banner.text()
    assert station.cases.get_case(editor.case.id).status.value == "ready"
