"""Who may see and write what.

A station sees and writes only its own facility's records, but never a conclusion still in draft.
An expert sees only the consultations routed to their central hospital and specialty (and the
patients of those), and writes only replies (Communication) and workflow changes (Task) on them.
A coordinator sees every specialty of their hospital. An administrator sees no clinical data
unless also given a hospital and specialty (then as an expert of that routing). A foreign expert
sees only the requests the station marked for an expert abroad, de-identified (server/redaction.py).

Conclusions (Composition), their signatures (Provenance) and the minutes are written only by the
hub's consultation services (server/consultation), never through the FHIR API.
"""

from dataclasses import dataclass

from sqlalchemy import and_, exists, false, select, true
from sqlalchemy.sql import ColumnElement

from .outcome import FhirError, forbidden, not_found
from .tables import resources

SHARED_TYPES = ("Organization", "Practitioner", "PractitionerRole")  # directory: readable by every client
EXPERT_WRITES = ("Communication", "Task")
SIGNED_TYPES = ("Composition", "Provenance")  # conclusions and their signatures: the console's services only
SERVICE_WRITES = SIGNED_TYPES + ("DocumentReference",)  # ... and the minutes they make
COORDINATOR, EXPERT, ADMIN = "coordinator", "expert", "admin"


@dataclass(frozen=True)
class Principal:
    client_id: str
    kind: str  # station | expert
    facility: str = ""
    hospital: str = ""
    specialty: str = ""
    name: str = ""  # the person or station, as the administrator registered it
    # A person signed in to the console (server/console): their account, role and title. Machines
    # (stations, expert API clients) have none of these.
    person_id: str = ""
    role: str = ""      # expert | coordinator | admin
    title: str = ""     # PGS.TS, BSCKII, ... as printed on the minutes
    foreign: bool = False  # an expert abroad: sees the de-identified case only

    @property
    def is_station(self) -> bool:
        return self.kind == "station"

    def read_filter(self, kind: str) -> ColumnElement[bool]:
        """The rows of `kind` this client may read, as a WHERE clause on `resources`.

        An expert's access is decided from the consultation's *current* routing, on its
        ServiceRequest row alone (children carry no copy of it), and only over records of the
        facility that asked.
        """
        if kind in SHARED_TYPES:
            return true()
        if self.is_station:
            own = and_(resources.c.facility == self.facility, self._own_rows(kind))
            return and_(own, resources.c.draft.is_(False)) if kind in SIGNED_TYPES else own
        if not self.sees_clinical_data:
            return false()
        if kind == "ServiceRequest":
            return self._routing(resources)
        requests = resources.alias("routed_requests")
        link = requests.c.patient_id == resources.c.id if kind == "Patient" else requests.c.id == resources.c.request_id
        return and_(self._own_rows(kind), exists(select(1).where(
            requests.c.type == "ServiceRequest",
            link,
            requests.c.facility == resources.c.facility,
            self._routing(requests),
        )))

    @property
    def sees_clinical_data(self) -> bool:
        """A coordinator needs a hospital; anyone else (experts, an admin) a hospital and a specialty."""
        return bool(self.hospital) and (self.role == COORDINATOR or bool(self.specialty))

    def _routing(self, requests) -> ColumnElement[bool]:
        """The ServiceRequest rows of `requests` routed to this person or expert client."""
        conditions = [requests.c.hospital == self.hospital]
        if self.role != COORDINATOR:
            conditions.append(requests.c.specialty == self.specialty)
        if self.foreign:
            conditions.append(requests.c.abroad.is_(True))
        return and_(*conditions)

    def _own_rows(self, kind: str) -> ColumnElement[bool]:
        """Over the rows themselves: an expert abroad never gets the minutes that name the patient; everyone
        else gets those, not the pseudonymous copy made for abroad (one minutes per conclusion for each)."""
        if self.foreign:
            return resources.c.identified.is_(False)
        return resources.c.abroad.is_(False) if kind == "DocumentReference" else true()

    def check_write(self, kind: str, existing, request, service: bool = False) -> None:
        """Raise unless this client may write `kind` over `existing`, within consultation `request`.

        `existing` and `request` are rows of `resources` (or None). What the client may not read
        answers 404 as a read does (never 403 or a version): nobody learns what exists elsewhere.
        `service`: the write comes from the hub's consultation services, not the FHIR API.
        """
        if kind in SHARED_TYPES:
            raise forbidden(f"{kind} is maintained by the hub's administrators")
        if kind in SIGNED_TYPES and not service:
            raise forbidden("conclusions are written and signed in the console (kết luận được viết và ký trong "
                            "bảng điều khiển của chuyên gia)")
        if self.is_station:
            if existing is not None and existing.facility != self.facility:
                raise not_found(kind, existing.id)
            if request is not None and request.facility != self.facility:
                raise not_found("ServiceRequest", request.id)
            return
        allowed = EXPERT_WRITES + (SERVICE_WRITES if service else ())
        if kind not in allowed:
            raise forbidden(f"an expert may write {', '.join(EXPERT_WRITES)} only, not {kind}")
        if existing is not None and (request is None or existing.request_id != request.id):
            raise not_found(kind, existing.id)  # a record moves to no other consultation
        if request is None:
            raise FhirError(422, "required", f"an expert's {kind} must name its consultation (basedOn "
                            "ServiceRequest)", [f"{kind}.basedOn"])
        if not self.routed(request):
            raise not_found("ServiceRequest", request.id)
        if kind == "Task" and existing is None:
            raise forbidden("a consultation's Task is created by the station that asks")

    def routed(self, request) -> bool:
        """`request`: a ServiceRequest row; its routing is the only one there is."""
        if self.is_station or not self.sees_clinical_data or request.hospital != self.hospital:
            return False
        if self.foreign and not request.abroad:
            return False
        return self.role == COORDINATOR or request.specialty == self.specialty

    def owner_facility(self, request) -> str:
        """The facility a new row belongs to: the station's own, or the asking station's for a reply."""
        if self.is_station:
            return self.facility
        return request.facility
