"""Inviting sites and experts to a live consultation by what a doctor knows of them: a place ("Cần Thơ"),
a hospital ("Bạch Mai"), a name, a specialty ("tim mạch"), never a facility code or an account id.

The hub's directory (GET /live/{id}/invitable) answers as the doctor types (after a short pause, on the
live window's worker: the GUI never waits for the hub); ticked rows stay chosen across searches; those
invited already are shown ticked and greyed. Mời sends one invitation with them all (the window does it).
"""

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from app.domain.text import tokens

from .runner import TaskRunner

DEBOUNCE_MS = 300   # a pause in the typing, not every key, asks the hub (a 1 Mbit/s district link)
SITE, EXPERT = "site", "expert"
KEY_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1   # the short name a chosen row is listed by


class InviteDialog(QDialog):
    def __init__(self, service, live_id: str, runner: TaskRunner, known: dict | None = None,
                 parent: QWidget | None = None):
        """`service`: app.services.live.LiveService (its invitable()); `runner`: where the hub is asked;
        `known`: the names of those found here are added to it (the live window names whom it invited)."""
        super().__init__(parent)
        self.setObjectName("liveInviteDialog")
        self.service, self.live_id, self.runner = service, live_id, runner
        self.known = known if known is not None else {}
        self.chosen: dict[tuple[str, str], str] = {}   # (SITE, facility) | (EXPERT, id) -> its short name
        self.asking = ""          # the query the hub is answering now ("" none)
        self.answered = None      # the query of the results shown (None: none yet)
        self.state = "idle"       # idle | searching | found | empty | failed: what the status line says
        self._failure = ""

        self.intro = QLabel(wordWrap=True)
        self.invited = QLabel(wordWrap=True)  # whom the session has invited, as the hub says (set_invited)
        self.invited.setObjectName("liveInviteInvited")
        self.invited.setStyleSheet("color: #2e7d32;")
        self.invited.hide()
        self.search = QLineEdit()
        self.search.setObjectName("liveInviteSearch")
        self.search.setClearButtonEnabled(True)
        self.status = QLabel(wordWrap=True)
        self.status.setObjectName("liveInviteStatus")
        self.results = QListWidget()
        self.results.setObjectName("liveInviteResults")
        self.results.setAlternatingRowColors(True)
        self.summary = QLabel(wordWrap=True)
        self.summary.setObjectName("liveInviteChosen")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.invite_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.invite_button.setObjectName("liveInviteSend")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.invited)
        layout.addWidget(self.search)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self._ask)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._ask_now)
        self.results.itemChanged.connect(self._on_item_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.retranslate()
        self.resize(620, 480)
        self.search.setFocus()

    # -- text -------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Invite to the live consultation"))
        self.intro.setText(self.tr("Type the name of a place, a hospital, a doctor or a specialty, for example "
                                   "“Cần Thơ”, “Bạch Mai” or “tim mạch”; tick those to invite."))
        self.search.setPlaceholderText(self.tr("Search sites and experts…"))
        self.invite_button.setText(self.tr("Invite"))
        self._show_status()
        self._show_summary()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_status(self) -> None:
        texts = {"idle": self.tr("Results appear as you type."), "searching": self.tr("Searching…"),
                 # On a hub that knows no other site yet "no match" alone left the doctor guessing why.
                 "empty": self.tr("No site or expert matches “%1”.").replace("%1", self.answered or "") + " "
                 + self.tr("Sites and experts appear here once the hub's administrator has registered them "
                           "(a station: diemcau-hub add-station)."),
                 "found": "", "failed": self._failure}
        self.status.setText(texts[self.state])
        self.status.setStyleSheet("color: #b71c1c;" if self.state == "failed" else "color: #455a64;")
        self.status.setVisible(bool(texts[self.state]))

    def set_invited(self, text: str) -> None:
        """"Đã mời: …" from the hub's answer (the live window asks it when the dialog opens)."""
        self.invited.setText(text)
        self.invited.setVisible(bool(text))

    def _show_summary(self) -> None:
        if self.chosen:
            self.summary.setText(self.tr("To invite: %1").replace("%1", "; ".join(self.chosen.values())))
        else:
            self.summary.setText(self.tr("Nobody chosen yet."))
        self.invite_button.setEnabled(bool(self.chosen))

    def site_text(self, site) -> str:
        """'Bệnh viện Đa khoa Trung ương Cần Thơ — trạm' (its hospital too, when its name does not say it)."""
        text = site.name
        if site.hospital and not set(tokens(site.hospital)) <= set(tokens(site.name)):
            text += f" ({site.hospital})"
        text += f" — {self.tr('station')}"
        if len(site.stations) > 1:
            text += " · " + self.tr("%1 stations").replace("%1", str(len(site.stations)))
        return text

    @staticmethod
    def expert_text(expert) -> str:
        """'PGS.TS Lan — Bệnh viện Bạch Mai, Tim mạch'."""
        who = " ".join(p for p in (expert.title, expert.name) if p)
        where = ", ".join(p for p in (expert.hospital, expert.specialty) if p)
        return f"{who} — {where}" if where else who

    # -- asking the hub -----------------------------------------------------------------------------------

    def _ask_now(self) -> None:
        self._debounce.stop()
        self._ask()

    def _ask(self) -> None:
        query = self.search.text().strip()
        if not tokens(query):
            self.asking, self.answered = "", None
            self.results.clear()
            self.state = "idle"
            self._show_status()
            return
        if self.asking:
            return  # one question at a time; the latest text is asked when this answer comes
        self.asking = query
        self.state = "searching"
        self._show_status()
        service, live_id = self.service, self.live_id
        self.runner.run(lambda: service.invitable(live_id, query), lambda found: self._on_found(query, found),
                        lambda error: self._on_failed(query, error), owner=self)

    def _on_found(self, query: str, found) -> None:
        self.asking = ""
        if query != self.search.text().strip():
            self._ask()  # typed on meanwhile: these results are for words no longer there
            return
        self.answered = query
        self._fill(found)
        self.state = "found" if self.results.count() else "empty"
        self._show_status()

    def _on_failed(self, query: str, error: BaseException) -> None:
        from app.services import live

        from .live_controller import failure_text

        self.asking = ""
        code = getattr(error, "code", "")
        if not code:
            raise error
        if code == live.UNREACHABLE:
            self._failure = self.tr("The hub cannot be reached, so sites and experts cannot be searched now. "
                                    "Check the network and type again; the consultation itself goes on.")
        else:
            self._failure = failure_text(code, getattr(error, "detail", ""))
        self.answered = None
        self.state = "failed"
        self._show_status()

    def _fill(self, found) -> None:
        self.results.blockSignals(True)
        self.results.clear()
        rows = [((SITE, s.facility), self.site_text(s), s.name, s.invited) for s in found.sites]
        rows += [((EXPERT, e.id), self.expert_text(e), " ".join(p for p in (e.title, e.name) if p), e.invited)
                 for e in found.experts]
        for key, text, name, invited in rows:
            if invited:
                self.known[key] = name
            item = QListWidgetItem(f"{text} · {self.tr('invited')}" if invited else text)
            item.setData(KEY_ROLE, key)
            item.setData(NAME_ROLE, name)
            if invited:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # shown ticked, legibly, but not to be unticked: it is done
                item.setCheckState(Qt.CheckState.Checked)
                item.setForeground(QBrush(QColor("#2e7d32")))
            else:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked if key in self.chosen else Qt.CheckState.Unchecked)
            self.results.addItem(item)
        if found.more:
            more = QListWidgetItem(self.tr("More match: type more words to narrow the list."))
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(more)
        self.results.blockSignals(False)

    # -- choosing ----------------------------------------------------------------------------------------

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        if not key or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        key = tuple(key)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[key] = item.data(NAME_ROLE) or item.text()
        else:
            self.chosen.pop(key, None)
        self._show_summary()

    def row(self, words: str) -> QListWidgetItem | None:
        """The first result whose text has these words (accents and case ignored)."""
        wanted = tokens(words)
        for index in range(self.results.count()):
            item = self.results.item(index)
            have = tokens(item.text())
            if all(any(h.startswith(w) for h in have) for w in wanted):
                return item
        return None

    def facilities(self) -> list[str]:
        return [code for kind, code in self.chosen if kind == SITE]

    def people(self) -> list[str]:
        return [person for kind, person in self.chosen if kind == EXPERT]

    def names(self) -> list[str]:
        return list(self.chosen.values())
