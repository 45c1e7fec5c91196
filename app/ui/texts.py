"""User-facing names of domain values and validation messages, translated by Qt.

Validation templates come from the domain's English catalogue; their Vietnamese
translations live in resources/translations (context "Validation").
"""

from PySide6.QtCore import QCoreApplication

from app.domain.issues import ENGLISH, Issue
from app.domain.lifecycle import Status, Urgency


def status_name(status: Status) -> str:
    return {
        Status.DRAFT: QCoreApplication.translate("Texts", "Draft"),
        Status.READY: QCoreApplication.translate("Texts", "Ready to send"),
        Status.SUBMITTED: QCoreApplication.translate("Texts", "Submitted"),
        Status.SYNCED: QCoreApplication.translate("Texts", "At the hub"),
        Status.ANSWERED: QCoreApplication.translate("Texts", "Answered"),
        Status.CLOSED: QCoreApplication.translate("Texts", "Closed"),
    }[status]


def urgency_name(urgency: Urgency) -> str:
    return {
        Urgency.ROUTINE: QCoreApplication.translate("Texts", "Routine"),
        Urgency.URGENT: QCoreApplication.translate("Texts", "Urgent"),
        Urgency.EMERGENCY: QCoreApplication.translate("Texts", "Emergency"),
    }[urgency]


def sex_name(sex: str) -> str:
    return {
        "male": QCoreApplication.translate("Texts", "Male"),
        "female": QCoreApplication.translate("Texts", "Female"),
        "other": QCoreApplication.translate("Texts", "Other"),
    }.get(sex, "")


def issue_message(issue: Issue) -> str:
    template = QCoreApplication.translate("Validation", ENGLISH.get(issue.code, issue.code))
    params = dict(issue.params)
    for key in ("sex", "cccd_sex"):
        if key in params:
            params[key] = sex_name(params[key]).lower()
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def language() -> str:
    """The language the interface is showing: 'vi' or 'en'."""
    return "vi" if QCoreApplication.translate("Texts", "language-code") == "vi" else "en"
