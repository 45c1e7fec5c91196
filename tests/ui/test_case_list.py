from datetime import datetime, timezone

from PySide6.QtCore import QPoint, Qt

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Status, Urgency
from app.domain.summary import CaseSummary
from app.ui.case_list import CaseListModel


def summary(n: int, name: str, urgency=Urgency.ROUTINE, status=Status.DRAFT) -> CaseSummary:
    return CaseSummary(f"id-{n}", n, name, "1980", "", "male", status, urgency, "", "",
                       datetime(2026, 11, n, tzinfo=timezone.utc))


def test_the_model_passes_qtmodeltester(qtmodeltester):
    model = CaseListModel()
    model.set_page([summary(1, "Nguyễn Văn A"), summary(2, "Trần Thị B", Urgency.EMERGENCY)])
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "Trần Thị B"
    assert model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is not None  # emergency stands out


def test_an_empty_model_passes_qtmodeltester(qtmodeltester):
    qtmodeltester.check(CaseListModel())


def seed(cases):
    for name, urgency in (("Nguyễn Văn Được", Urgency.URGENT), ("Nguyễn Thị Dung", Urgency.ROUTINE),
                          ("Đặng Văn Đức", Urgency.EMERGENCY)):
        cases.create_case(ConsultationCase(patient=Patient(full_name=name), urgency=urgency))


def names(panel):
    return [panel.model.index(r, 1).data() for r in range(panel.model.rowCount())]


def test_accent_insensitive_search_as_you_type(qtbot, window, cases):
    seed(cases)
    panel = window.case_list
    with qtbot.waitSignal(panel.page_loaded):
        panel.refresh()
    assert len(names(panel)) == 3
    with qtbot.waitSignal(panel.page_loaded, timeout=10000):
        qtbot.keyClicks(panel.search, "nguyen van duoc")
    assert names(panel) == ["Nguyễn Văn Được"]
    assert panel.count_label.text() == "1 hồ sơ"


def test_filter_by_urgency_and_status(qtbot, window, cases):
    seed(cases)
    panel = window.case_list
    with qtbot.waitSignal(panel.page_loaded):
        panel.urgency_filter.setCurrentIndex(panel.urgency_filter.findData(Urgency.EMERGENCY))
    assert names(panel) == ["Đặng Văn Đức"]
    with qtbot.waitSignal(panel.page_loaded):
        panel.status_filter.setCurrentIndex(panel.status_filter.findData(Status.SUBMITTED))
    assert names(panel) == []


def test_selecting_a_row_opens_the_case(qtbot, window, cases):
    seed(cases)
    panel = window.case_list
    with qtbot.waitSignal(panel.page_loaded):
        panel.refresh()
    panel.view.selectRow(2)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    assert window.editor.inputs["full_name"].text() == "Nguyễn Văn Được"


def test_header_clicks_sort_and_new_pages_keep_the_order(qtbot, window, cases):
    seed(cases)
    panel = window.case_list
    with qtbot.waitSignal(panel.page_loaded):
        panel.refresh()
    assert names(panel) == ["Đặng Văn Đức", "Nguyễn Thị Dung", "Nguyễn Văn Được"]  # newest first
    header = panel.view.horizontalHeader()

    def click_patient_header():
        middle = header.sectionViewportPosition(1) + header.sectionSize(1) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(middle, header.height() // 2))

    click_patient_header()
    assert names(panel) == ["Đặng Văn Đức", "Nguyễn Thị Dung", "Nguyễn Văn Được"]  # by name, accents folded
    click_patient_header()
    assert names(panel) == ["Nguyễn Văn Được", "Nguyễn Thị Dung", "Đặng Văn Đức"]
    cases.create_case(ConsultationCase(patient=Patient(full_name="Âu Văn An")))
    with qtbot.waitSignal(panel.page_loaded):
        panel.refresh()
    assert names(panel)[-1] == "Âu Văn An"  # still by name, descending
