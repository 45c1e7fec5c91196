"""The minutes of a consultation (Biên bản hội chẩn từ xa) as a PDF: what they hold, and their rendering.

The hub renders them when a conclusion is signed (server/consultation.py) and stores the bytes as a
DocumentReference (app.wire.consultation.minutes_reference).
"""

from app.wire.consultation import Issue

from .data import (CHAIR, LIVE, SECRETARY, TELECONSULTATION, Amendment, Facility, LiveSession, MinutesData, Patient,
                   Person, Presence, Pseudonym, Signature)
from .render import render_minutes

__all__ = ["CHAIR", "LIVE", "SECRETARY", "TELECONSULTATION", "Amendment", "Facility", "Issue", "LiveSession",
           "MinutesData", "Patient", "Person", "Presence", "Pseudonym", "Signature", "render_minutes"]
