"""Recording of live sessions, only with every present site's consent (TT 49/2017 asks for a recording
system; HOI-CHAN.md: no recording without consent by default).

The hub's attendance code calls `presence_changed` after each join or leave; the state machine lives here.
"""

from __future__ import annotations

from typing import Any


def presence_changed(engine: Any, live_id: str) -> None:
    """Someone joined or left live session `live_id`: re-decide whether its recording runs.

    Placeholder until the consent state machine lands; never raises into the attendance path.
    """
    return None
