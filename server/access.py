"""Who may see and write what.

A station sees and writes only its own facility's records. An expert sees only the consultations
routed to their central hospital and specialty (and the patients of those), and writes only
replies (Communication) and workflow changes (Task) on them.
"""

from dataclasses import dataclass

from sqlalchemy import and_, exists, select, true
from sqlalchemy.sql import ColumnElement

from .outcome import forbidden
from .tables import resources

SHARED_TYPES = ("Organization", "Practitioner", "PractitionerRole")  # directory: readable by every client
EXPERT_WRITES = ("Communication", "Task")


@dataclass(frozen=True)
class Principal:
    client_id: str
    kind: str  # station | expert
    facility: str = ""
    hospital: str = ""
    specialty: str = ""

    @property
    def is_station(self) -> bool:
        return self.kind == "station"

    def read_filter(self, kind: str) -> ColumnElement[bool]:
        """The rows of `kind` this client may read, as a WHERE clause on `resources`."""
        if kind in SHARED_TYPES:
            return true()
        if self.is_station:
            return resources.c.facility == self.facility
        routed = and_(resources.c.hospital == self.hospital, resources.c.specialty == self.specialty)
        if kind != "Patient":
            return routed
        requests = resources.alias("routed_requests")
        return exists(select(1).where(
            requests.c.type == "ServiceRequest",
            requests.c.patient_id == resources.c.id,
            requests.c.hospital == self.hospital,
            requests.c.specialty == self.specialty,
        ))

    def check_write(self, kind: str, existing, request) -> None:
        """Raise 403 unless this client may write `kind` over `existing`, within consultation `request`.

        `existing` and `request` are rows of `resources` (or None).
        """
        if kind in SHARED_TYPES:
            raise forbidden(f"{kind} is maintained by the hub's administrators")
        if self.is_station:
            if existing is not None and existing.facility != self.facility:
                raise forbidden(f"{kind}/{existing.id} belongs to another facility")
            if request is not None and request.facility != self.facility:
                raise forbidden(f"ServiceRequest/{request.id} belongs to another facility")
            return
        if kind not in EXPERT_WRITES:
            raise forbidden(f"an expert may write {', '.join(EXPERT_WRITES)} only, not {kind}")
        if request is None or not self.routed(request):
            raise forbidden("the consultation is not routed to your hospital and specialty")
        if existing is not None and not self.routed(existing):
            raise forbidden(f"{kind}/{existing.id} is not routed to your hospital and specialty")
        if kind == "Task" and existing is None:
            raise forbidden("a consultation's Task is created by the station that asks")

    def routed(self, row) -> bool:
        return row.hospital == self.hospital and row.specialty == self.specialty

    def owner_facility(self, request) -> str:
        """The facility a new row belongs to: the station's own, or the asking station's for a reply."""
        if self.is_station:
            return self.facility
        return request.facility
