"""The signed conclusion, shown so nobody can miss it: who signed, when, each issue, the treatment,
the follow-up; an amended one says so, and the versions it replaced open below it."""

import html
from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.wire.consultation import Conclusion

from .texts import party_detail


def local_time(moment: datetime | str | None) -> str:
    """Vietnamese style, on this station's clock: 14:05, 29/11/2026."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
    return moment.astimezone().strftime("%H:%M, %d/%m/%Y") if moment is not None else ""


class ConclusionView(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conclusion")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#conclusion { border: 2px solid #2e7d32; border-radius: 6px; background: #f1f8e9; }"
                           "QLabel#amended { color: #ffffff; background: #ef6c00; padding: 1px 6px; border-radius: 3px; }")
        self._conclusion: Conclusion | None = None
        self._earlier: tuple[Conclusion, ...] = ()
        self.heading = QLabel()
        self.heading.setObjectName("conclusionHeading")
        self.amended = QLabel()
        self.amended.setObjectName("amended")
        self.body = _rich_label()
        self.earlier_button = QPushButton(checkable=True)
        self.earlier_button.toggled.connect(self._on_earlier_toggled)
        self.earlier_body = _rich_label()
        self.earlier_body.setObjectName("earlierVersions")
        # Greyed, apart from the current one: an old version must not be read as the advice in force.
        self.earlier_body.setStyleSheet("QLabel#earlierVersions { background: #eeeeee; color: #555555; "
                                        "border: 1px dashed #9e9e9e; padding: 6px; }")
        self.earlier_body.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.amended, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        layout.addWidget(self.earlier_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.earlier_body)
        self.hide()

    def show_conclusion(self, conclusion: Conclusion | None, earlier: tuple[Conclusion, ...] = ()) -> None:
        self._conclusion, self._earlier = conclusion, earlier
        self.setVisible(conclusion is not None)
        if conclusion is None:
            return
        if not earlier:
            self.earlier_button.setChecked(False)
        self.retranslate()

    def retranslate(self) -> None:
        conclusion = self._conclusion
        if conclusion is None:
            return
        self.heading.setText("<b style='font-size:14pt; color:#1b5e20'>%s</b>"
                             % html.escape(self.tr("Conclusion of the consultation (signed)")))
        self.amended.setText(self.tr("Amended"))
        self.amended.setVisible(bool(conclusion.replaces))
        self.body.setText(self._render(conclusion))
        self.earlier_button.setVisible(bool(self._earlier))
        self.earlier_button.setText(
            (self.tr("Hide the earlier version(s)") if self.earlier_button.isChecked()
             else self.tr("Show the earlier version(s) (%1)").replace("%1", str(len(self._earlier)))))
        self.earlier_body.setText("<hr>".join(
            "<p><b><i>%s</i></b></p>%s" % (html.escape(self.tr("Replaced version, no longer in force (signed %1)").replace(
                "%1", local_time(c.signed_at))), self._render(c)) for c in self._earlier))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_earlier_toggled(self, shown: bool) -> None:
        self.earlier_body.setVisible(shown)
        self.retranslate()

    def _render(self, c: Conclusion) -> str:
        signer = html.escape(c.signed_by or self.tr("(name not given)"))
        detail = html.escape(party_detail(c.signer_detail))
        parts = ["<p>%s <b>%s</b>%s<br>%s %s</p>" % (
            html.escape(self.tr("Signed by")), signer, f" — {detail}" if detail else "",
            html.escape(self.tr("on")), html.escape(local_time(c.signed_at)))]
        for n, issue in enumerate(c.issues, 1):
            parts.append("<p><b>%d. %s</b><br>%s</p>" % (n, html.escape(issue.title), _lines(issue.conclusion)))
        for title, text in ((self.tr("Treatment direction"), c.treatment), (self.tr("Follow-up advice"), c.follow_up)):
            if text:
                parts.append("<p><b>%s</b><br>%s</p>" % (html.escape(title), _lines(text)))
        return "".join(parts)


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _rich_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
