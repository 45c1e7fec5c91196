"""The minutes of a consultation (Biên bản hội chẩn từ xa) as a PDF: what they hold, and their rendering.

The hub renders them when a conclusion is signed (server/consultation.py) and stores the bytes as a
DocumentReference (app.wire.consultation.minutes_reference).
"""

from app.wire.consultation import Issue

from .data import (CHAIR, SECRETARY, TELECONSULTATION, Amendment, Facility, MinutesData, Patient, Person,
                   Pseudonym, Signature)
from .render import render_minutes

__all__ = ["CHAIR", "SECRETARY", "TELECONSULTATION", "Amendment", "Facility", "Issue", "MinutesData", "Patient",
           "Person", "Pseudonym", "Signature", "render_minutes"]
