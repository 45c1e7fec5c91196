"""The life of a consultation case and the transitions allowed between states."""

from enum import Enum


class Status(str, Enum):
    DRAFT = "draft"
    READY = "ready"          # complete and checked, waiting to be sent
    SUBMITTED = "submitted"  # sent by the doctor, queued for the hub
    SYNCED = "synced"        # the hub has it
    ANSWERED = "answered"    # the experts replied
    CLOSED = "closed"


class Urgency(str, Enum):
    ROUTINE = "routine"      # thường quy
    URGENT = "urgent"        # khẩn
    EMERGENCY = "emergency"  # cấp cứu


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.READY}),
    Status.READY: frozenset({Status.DRAFT, Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.SYNCED}),
    Status.SYNCED: frozenset({Status.ANSWERED}),
    Status.ANSWERED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Only a draft is edited; to change a sent case, reopen it as a new linked case.
EDITABLE = frozenset({Status.DRAFT})
REOPENABLE = frozenset({Status.ANSWERED, Status.CLOSED})


class TransitionError(ValueError):
    def __init__(self, current: Status, wanted: Status):
        super().__init__(f"a {current.value} case cannot become {wanted.value}")
        self.current = current
        self.wanted = wanted


def check_transition(current: Status, wanted: Status) -> None:
    if wanted not in TRANSITIONS[current]:
        raise TransitionError(current, wanted)
