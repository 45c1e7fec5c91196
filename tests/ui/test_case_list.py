from datetime import date, datetime, timedelta, timezone

from PySide6.QtCore import QPoint, Qt

from app.domain.case import ConsultationCase, Patient
from app.domain.identifiers import age_on
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
    qtbot.keyClicks(panel.search, "nguyen van duoc")

    def found():  # what the panel was doing, should it not get there (once, in a full run, it did not)
        assert names(panel) == ["Nguyễn Văn Được"], (
            f"typed {panel.search.text()!r}, timer {panel._search_timer.isActive()}, "
            f"query {panel._generation}, worker pending {window._runner._pending}, shown {names(panel)}")
    qtbot.waitUntil(found, timeout=20000)
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


def test_sorting_keeps_the_selected_patient_selected(qtbot, window, cases):
    """The highlighted row must stay the patient the editor shows: the toolbar's "Ready to send" and "Send"
    act on that case. Sorting moved the highlight to whoever took the row's place (an outsider, at the screen)."""
    seed(cases)
    panel = window.case_list
    with qtbot.waitSignal(panel.page_loaded):
        panel.refresh()
    header = panel.view.horizontalHeader()
    row = names(panel).index("Nguyễn Văn Được")
    panel.view.selectRow(row)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.case is not None)
    chosen = window.editor.case.id
    opened = []
    panel.case_selected.connect(opened.append)
    for section in (1, 1, 3, 0):
        middle = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(middle, header.height() // 2))
        assert panel.current_case_id() == chosen, names(panel)
        [selected] = panel.view.selectionModel().selectedRows()
        assert selected.data() == "Nguyễn Văn Được" or names(panel)[selected.row()] == "Nguyễn Văn Được"
    assert opened == []  # no other case was opened meanwhile
    assert window.editor.case.id == chosen


def aged(n: int, birth: str, age: str = "", sex: str = "female") -> CaseSummary:
    return CaseSummary(f"id-{n}", n, f"Bệnh nhân {n}", birth, age, sex, Status.DRAFT, Urgency.ROUTINE, "", "",
                       datetime(2026, 11, 1, tzinfo=timezone.utc))


def test_the_age_column_says_the_age_a_doctor_expects(translations):
    """"1968 · Nữ" for a patient born 12/03/1968 read as a year, not an age (an outsider's finding): a known date
    of birth gives the age in years (months, then days, for a small child), a stated age is said as stated, and
    only a year (or a month whose day would decide) is said as a birth year."""
    today = date.today()
    born = date(1968, 3, 12)
    baby = today - timedelta(days=75)
    newborn = today - timedelta(days=6)
    other_month = 12 if today.month != 12 else 11  # of 1989: older than the one born this month of 1990
    model = CaseListModel()
    model.set_page([aged(1, "12/03/1968"), aged(2, "", "50", "male"), aged(3, "1968"),
                    aged(4, baby.strftime("%d/%m/%Y"), sex="male"), aged(5, newborn.strftime("%d/%m/%Y")),
                    aged(6, f"{other_month:02d}/1989"), aged(7, today.strftime("%m/1990")), aged(8, "", "")])
    column = CaseListModel.COLUMNS.index("age_sex")
    shown = [model.index(row, column).data() for row in range(model.rowCount())]
    months = (today.year - baby.year) * 12 + today.month - baby.month - (today.day < baby.day)
    assert shown == [f"{age_on(born, today)} tuổi · Nữ", "50 tuổi · Nam", "sinh 1968 · Nữ", f"{months} tháng tuổi · Nam",
                     "6 ngày tuổi · Nữ", f"{today.year - 1989 - (today.month < other_month)} tuổi · Nữ",
                     f"sinh {today.month:02d}/1990 · Nữ", "Nữ"]
    # Sorted by the column: youngest first, whichever way the age was given.
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert [model.case_id(row) for row in range(model.rowCount())] == [
        "id-8", "id-5", "id-4", "id-7", "id-6", "id-2", "id-3", "id-1"]


def test_on_a_narrow_list_the_status_gives_way_to_the_patient_s_name(qtbot, window, translations):
    """At 1280x720 the list is about 560 px: the status column took its longest text ("Đã gửi (giữ trên máy
    này)") and left the patient's name "Nguyễn ..." (an outsider, at the screen), worse once a sort arrow showed.
    Now the name keeps room for about 20 characters; the status is cut with "…" and whole in its tooltip."""
    panel = window.case_list
    panel.model.set_page([summary(1, "Nguyễn Thị Phương Thảo", status=Status.SYNCED),
                          summary(2, "Hoàng Thị Thu", Urgency.EMERGENCY)])
    panel.model.set_sync_marks({}, {}, local_only=True)
    header, view = panel.view.horizontalHeader(), panel.view
    status = CaseListModel.COLUMNS.index("status")
    long_status = panel.model.index(0, status).data()
    assert long_status == "Đã gửi (giữ trên máy này)"
    name_room = view.fontMetrics().horizontalAdvance("Nguyễn Thị Phương")

    panel.setFixedWidth(560)
    qtbot.waitUntil(lambda: header.sectionSize(1) >= name_room, timeout=5000)
    assert header.sectionSize(status) < view.sizeHintForColumn(status)  # cut...
    assert panel.model.index(0, status).data(Qt.ItemDataRole.ToolTipRole) == long_status  # ...and whole here
    for section in (1, 3, 4):  # a sort arrow on any column: the name keeps its room
        middle = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(middle, header.height() // 2))
        qtbot.waitUntil(lambda: header.sectionSize(1) >= name_room, timeout=5000)

    panel.setFixedWidth(1100)  # room for all: the status whole
    qtbot.waitUntil(lambda: header.sectionSize(status) >= view.sizeHintForColumn(status), timeout=5000)


def test_a_small_child_s_age_reads_as_english_too():
    """"2 month(s) old" in English (an outsider's finding): one or several, as English says it."""
    day = date(2026, 11, 30)
    model = CaseListModel()
    ages = [model.age_text(aged(n, birth), day) for n, birth in
            enumerate(("30/10/2026", "15/09/2026", "29/11/2026", "25/11/2026"))]
    assert ages == ["1 month old", "2 months old", "1 day old", "5 days old"]
