"""Resources with versions: upsert by client id, If-Match, history, searches by _lastUpdated.

Every method takes the caller's connection: one request is one database transaction.
"""

import base64
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, insert, or_, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.wire import consultation as wire
from app.wire import mapping, systems

from . import abroad_imaging, redaction
from .access import SHARED_TYPES, SIGNED_TYPES, Principal
from .events.record import publish as publish_events
from .outcome import FhirError, forbidden, not_found
from .references import references_of
from .tables import history, resources

MAX_COUNT = 500
DEFAULT_COUNT = 100


def utcnow() -> datetime:
    # Millisecond precision: what FHIR instants carry, so a cursor read back compares equal.
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def fhir_instant(moment: datetime) -> str:
    return mapping.instant(aware(moment))


def etag(version: int) -> str:
    return f'W/"{version}"'


@dataclass(frozen=True)
class Written:
    resource: dict
    version: int
    last_updated: datetime
    created: bool


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    next_token: str | None


class ResourceStore:
    def read(self, conn: Connection, who: Principal, kind: str, resource_id: str) -> dict:
        row = conn.execute(select(resources.c.content).where(
            resources.c.type == kind, resources.c.id == resource_id, who.read_filter(kind))).first()
        if row is None:
            raise not_found(kind, resource_id)
        return self.shown(conn, who, [row.content])[0]

    def history(self, conn: Connection, who: Principal, kind: str, resource_id: str,
                version: int | None = None) -> list[dict]:
        self.read(conn, who, kind, resource_id)  # the same access rule as the current version
        query = select(history.c.content).where(history.c.type == kind, history.c.id == resource_id)
        if version is not None:
            query = query.where(history.c.version == version)
        rows = conn.execute(query.order_by(history.c.version.desc())).all()
        if who.is_station and kind in SIGNED_TYPES:  # a signed conclusion's drafts stay with the experts
            rows = [r for r in rows if r.content.get("status") != "preliminary"]
        if not rows:
            raise FhirError(404, "not-found", f"{kind}/{resource_id} has no version {version}")
        return self.shown(conn, who, [r.content for r in rows])

    def select(self, conn: Connection, who: Principal, kind: str, *where, order_by=(), limit: int | None = None
               ) -> list[dict]:
        """The current `kind` resources matching `where` (clauses on `resources`) that `who` may read.

        For the hub's own services (the consultation thread, the inbox): the same access rules and
        de-identification as read and search.
        """
        query = select(resources.c.content).where(resources.c.type == kind, who.read_filter(kind), *where)
        query = query.order_by(*order_by, resources.c.id)
        if limit is not None:
            query = query.limit(limit)
        return self.shown(conn, who, [r.content for r in conn.execute(query)])

    @staticmethod
    def shown(conn: Connection, who: Principal, contents: list[dict]) -> list[dict]:
        """What `who` is handed of resources it may read: a foreign expert gets them de-identified."""
        if not who.foreign or not contents:
            return contents
        patient_ids = sorted({p for p in (mapping.patient_id_of(c) for c in contents) if p})
        patients = {row.id: row.content for row in conn.execute(select(resources.c.id, resources.c.content).where(
            resources.c.type == "Patient", resources.c.id.in_(patient_ids)))} if patient_ids else {}
        # No UID of the cases' imaging not checked clean, whatever quotes it (server/abroad_imaging.py).
        withheld = abroad_imaging.withheld_in(conn, contents)
        return [redaction.redact(c, replace(redaction.identity_of(patients.get(mapping.patient_id_of(c) or "")),
                                            uids=withheld)) for c in contents]

    def put(self, conn: Connection, who: Principal, resource: dict, if_match: int | None = None,
            method: str = "PUT", if_none_match: bool = False, service: bool = False) -> Written:
        """Create or update the resource under its own id (the client's).

        `if_none_match` (If-None-Match: *) creates only: an existing resource answers 412.
        `service`: written by the hub's consultation services (conclusions, signatures, minutes).
        """
        return self.put_many(conn, who, [(resource, if_match)], method, if_none_match, service)[0]

    def put_many(self, conn: Connection, who: Principal, entries: list[tuple[dict, int | None]],
                 method: str = "PUT", if_none_match: bool = False, service: bool = False) -> list[Written]:
        """`put` for several resources in order, in the caller's transaction, with a few statements for all.

        A FhirError carries `entry`, the index of the resource it is about.
        """
        try:
            with conn.begin_nested():
                return self._put_many(conn, who, entries, method, if_none_match, service)
        except IntegrityError:
            # Another client created one of these ids between our read and our insert: read again,
            # and the late one becomes an update.
            return self._put_many(conn, who, entries, method, if_none_match, service)

    def _put_many(self, conn: Connection, who: Principal, entries, method: str, if_none_match: bool,
                  service: bool = False) -> list[Written]:
        entries = [(authored(who, r), m) for r, m in entries]
        current = self._current_many(conn, [(r["resourceType"], r["id"]) for r, _ in entries], lock=True)
        refs = [list(references_of(r)) for r, _ in entries]
        wanted = {(t, i) for entry_refs in refs for _, t, i in entry_refs if t not in SHARED_TYPES}
        targets = self._current_many(conn, list(wanted - set(current)))
        targets.update(current)
        requests = {key[1]: row for key, row in targets.items() if key[0] == "ServiceRequest"}
        authors = self._first_authors(conn, [i for entry_refs in refs for w, t, i in entry_refs
                                             if t == "Communication" and w.endswith(".valueReference")])
        out, new, changed, versions, made = [], [], [], [], []
        now = utcnow()
        for n, (resource, if_match) in enumerate(entries):
            kind, resource_id = resource["resourceType"], resource["id"]
            existing = current.get((kind, resource_id))
            try:
                request = self._check(who, resource, existing, requests, if_match, if_none_match, service)
                _check_references(who, resource, refs[n], targets, request, authors)
            except FhirError as error:
                error.entry = n
                raise
            if existing is not None and _same_content(existing.content, resource):
                out.append(Written(self.shown(conn, who, [existing.content])[0], existing.version,
                                   aware(existing.last_updated), False))
                continue
            if kind == "Communication" and existing is not None:
                error = FhirError(409, "business-rule", f"Communication/{resource_id} was sent already and messages "
                                  "are never changed: send a correction as a new Communication naming this one "
                                  f"(extension {systems.CORRECTS_EXTENSION})", ["Communication"])
                error.entry = n
                raise error
            values = self._row(who, resource, existing, request, now)
            made.append((values, existing))
            (changed if existing is not None else new).append(values)
            versions.append(dict(type=kind, id=resource_id, version=values["version"], method=method,
                                 last_updated=values["last_updated"], client_id=who.client_id,
                                 content=values["content"]))
            out.append(Written(self.shown(conn, who, [values["content"]])[0], values["version"],
                               values["last_updated"], existing is None))
            current[(kind, resource_id)] = targets[(kind, resource_id)] = _Pending(**values)  # later entries see it
            if kind == "ServiceRequest":
                requests[resource_id] = current[(kind, resource_id)]
            if kind == "Communication":
                authors[resource_id] = who.client_id
        if new:
            conn.execute(insert(resources), new)
        for values in changed:
            conn.execute(update(resources).where(resources.c.type == values["type"], resources.c.id == values["id"])
                         .values(**values))
        if versions:
            conn.execute(insert(history), versions)
            publish_events(conn, who.client_id, made, requests)  # in this transaction: no event without its record
        return out

    @staticmethod
    def _check(who: Principal, resource: dict, existing, requests: dict, if_match, if_none_match: bool,
               service: bool = False):
        """The consultation `resource` belongs to (a row, or None); FhirError when it may not be written.

        Access first: a client learns nothing (existence, version) of what it may not read.
        """
        kind, resource_id = resource["resourceType"], resource["id"]
        request_id = mapping.request_id_of(resource)
        request = None
        if request_id and kind != "ServiceRequest":
            request = requests.get(request_id)
            if request is None:  # as for another facility's: nothing tells "elsewhere" from "nowhere"
                raise not_found("ServiceRequest", request_id)
        who.check_write(kind, existing, request, service)
        _check_clinical_rules(who, resource, existing, service)
        if if_none_match and existing is not None:
            raise FhirError(412, "duplicate", f"{kind}/{resource_id} exists already (If-None-Match: *)")
        if if_match is not None:
            if existing is None:
                raise not_found(kind, resource_id)  # as for another facility's record
            if existing.version != if_match:
                raise FhirError(412, "conflict", f"{kind}/{resource_id} is at version {existing.version}, "
                                f"not {if_match}: someone changed it; read it again")
        return request

    @staticmethod
    def _first_authors(conn: Connection, message_ids: list[str]) -> dict[str, str]:
        """Communication id -> the client that wrote it (its first version)."""
        if not message_ids:
            return {}
        rows = conn.execute(select(history.c.id, history.c.client_id).where(
            history.c.type == "Communication", history.c.id.in_(sorted(set(message_ids))), history.c.version == 1))
        return {row.id: row.client_id for row in rows}

    def search(self, conn: Connection, who: Principal, kind: str, params: "SearchParams") -> Page:
        query = select(resources.c.content, resources.c.last_updated, resources.c.id).where(
            resources.c.type == kind, who.read_filter(kind))
        column = resources.c.last_updated
        for op, moment in params.last_updated:
            query = query.where(_compare(column, op, moment))
        if params.ids:
            query = query.where(resources.c.id.in_(params.ids))
        if params.patient:
            query = query.where(resources.c.patient_id == params.patient)
        if params.request:
            query = query.where(resources.c.request_id == params.request)
        descending = params.sort == "-_lastUpdated"
        if params.after is not None:
            stamp, last_id = params.after
            if descending:
                query = query.where(or_(column < stamp, and_(column == stamp, resources.c.id < last_id)))
            else:
                query = query.where(or_(column > stamp, and_(column == stamp, resources.c.id > last_id)))
        order = (column.desc(), resources.c.id.desc()) if descending else (column, resources.c.id)
        rows = conn.execute(query.order_by(*order).limit(params.count + 1)).all()
        token = None
        if len(rows) > params.count:
            rows = rows[:params.count]
            token = encode_page_token(aware(rows[-1].last_updated), rows[-1].id)
        return Page(self.shown(conn, who, [r.content for r in rows]), token)

    # -- internals ---------------------------------------------------------------------------

    def _current_many(self, conn: Connection, keys: list[tuple[str, str]], lock: bool = False) -> dict:
        """(type, id) -> the current row, for those of `keys` that exist."""
        if not keys:
            return {}
        query = select(resources).where(tuple_(resources.c.type, resources.c.id).in_(sorted(set(keys))))
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return {(row.type, row.id): row for row in conn.execute(query)}

    @staticmethod
    def _row(who: Principal, resource: dict, existing, request, now: datetime) -> dict:
        """The `resources` row of a new version of `resource`."""
        kind, resource_id = resource["resourceType"], resource["id"]
        if existing is not None and aware(existing.last_updated) >= now:
            now = aware(existing.last_updated) + timedelta(milliseconds=1)  # versions stay in time order
        version = 1 if existing is None else existing.version + 1
        stored = dict(resource)
        stored["meta"] = {**resource.get("meta", {}), "versionId": str(version), "lastUpdated": fhir_instant(now)}
        # Routing lives on the ServiceRequest alone: access to its children is decided from it.
        hospital, specialty = mapping.routing_of(resource) if kind == "ServiceRequest" else ("", "")
        facility = existing.facility if existing is not None else who.owner_facility(request)
        return dict(type=kind, id=resource_id, version=version, last_updated=now, facility=facility,
                    request_id=mapping.request_id_of(resource), patient_id=mapping.patient_id_of(resource),
                    hospital=hospital, specialty=specialty, content=stored,
                    abroad=_for_abroad(resource),
                    draft=kind == "Composition" and resource.get("status") != "final",
                    # A live recording shows faces and voices: never to an expert abroad either.
                    identified=(wire.is_minutes(resource) and not wire.is_pseudonymous(resource))
                    or wire.is_recording(resource))


@dataclass(frozen=True)
class _Pending:
    """A row written earlier in the same batch, looked at as the stored one."""
    type: str
    id: str
    version: int
    last_updated: datetime
    facility: str
    request_id: str | None
    patient_id: str | None
    hospital: str
    specialty: str
    content: dict
    abroad: bool = False
    draft: bool = False
    identified: bool = False


@dataclass(frozen=True)
class SearchParams:
    last_updated: tuple[tuple[str, datetime], ...] = ()
    sort: str = "_lastUpdated"
    count: int = DEFAULT_COUNT
    ids: tuple[str, ...] = ()
    patient: str | None = None
    request: str | None = None
    after: tuple[datetime, str] | None = None


def encode_page_token(stamp: datetime, last_id: str) -> str:
    raw = json.dumps([fhir_instant(stamp), last_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        stamp, last_id = json.loads(raw)
        return parse_instant(stamp), str(last_id)
    except Exception:
        raise FhirError(400, "invalid", "the paging token '_page_token' is damaged; start the search again") \
            from None


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    # UTC always: SQLite stores the wall-clock digits and compares them as text.
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _compare(column, op: str, moment: datetime):
    return {"gt": column > moment, "ge": column >= moment, "lt": column < moment, "le": column <= moment,
            "eq": column == moment}[op]


def _same_content(stored: dict, sent: dict) -> bool:
    """A re-sent resource identical to the stored one makes no new version (a retried PUT).

    Only the hub's own meta (versionId, lastUpdated) is ignored: tags and security labels count.
    """
    def strip(resource: dict) -> dict:
        meta = {k: v for k, v in resource.get("meta", {}).items() if k not in ("versionId", "lastUpdated")}
        return {**{k: v for k, v in resource.items() if k != "meta"}, **({"meta": meta} if meta else {})}
    return strip(stored) == strip(sent)


def _check_references(who: Principal, resource: dict, refs, targets: dict, request, authors: dict) -> None:
    """Every reference resolves to a record of the facility that owns `resource`; corrections by their author.

    A missing record and another facility's answer alike, so nothing is learnt about other facilities.
    """
    owner = who.owner_facility(request)
    for where, kind, target_id in refs:
        if kind in SHARED_TYPES:
            continue
        row = targets.get((kind, target_id))
        if row is None or row.facility != owner:
            raise FhirError(422, "processing", f"{where} refers to {kind}/{target_id}, which is not a record of "
                            "this consultation's facility on the hub (send it first)", [where])
    for extension in resource.get("extension", []):
        if isinstance(extension, dict) and extension.get("url") == systems.CORRECTS_EXTENSION:
            corrected = str(extension.get("valueReference", {}).get("reference", "")).removeprefix("Communication/")
            if resource["resourceType"] != "Communication" or authors.get(corrected) != who.client_id:
                raise forbidden("only the author of a message may correct it, with a new Communication")


def _for_abroad(resource: dict) -> bool:
    """A request marked for an expert abroad, or the pseudonymous minutes made for them."""
    kind = resource["resourceType"]
    if kind == "ServiceRequest":
        return mapping.for_expert_abroad(resource)
    return kind == "DocumentReference" and wire.is_minutes(resource) and wire.is_pseudonymous(resource)


def _check_clinical_rules(who: Principal, resource: dict, existing, service: bool) -> None:
    """What stays true of a consultation's clinical record whoever writes it (TT 49/2017)."""
    kind = resource["resourceType"]
    if existing is not None and kind == "Composition" and existing.content.get("status") == "final":
        raise FhirError(409, "business-rule", f"Composition/{resource['id']} is a signed conclusion and is never "
                        "changed: amend it (a new conclusion that replaces it)", ["Composition"])
    if existing is not None and kind == "Provenance":
        raise FhirError(409, "business-rule", "a signature is never changed", ["Provenance"])
    if kind == "DocumentReference" and not service and (
            wire.is_minutes(resource) or (existing is not None and wire.is_minutes(existing.content))):
        raise forbidden("the minutes (biên bản hội chẩn) are made by the hub when a conclusion is signed")
    if kind == "DocumentReference" and not service and (
            wire.is_recording(resource) or (existing is not None and wire.is_recording(existing.content))):
        raise forbidden("a live session's recording (ghi hình hội chẩn) is made by the hub, with consent")
    if kind == "Communication":
        message_kind = mapping.message_kind(resource)
        if who.is_station and message_kind in (wire.STATUS, wire.QUESTION, wire.NOTE):
            raise forbidden(f"a station does not send '{message_kind}' messages (the experts' and coordinators')")
        if not who.is_station and message_kind in wire.STATION_KINDS:
            raise forbidden(f"'{message_kind}' messages are the requesting station's")
        if message_kind == wire.OUTCOME:
            _check_outcome(resource)


def _check_outcome(resource: dict) -> None:
    message = wire.read_message(resource)
    outcome = message.outcome if message else None
    where = ["Communication.extension"]
    if outcome is None:
        raise FhirError(422, "required", f"an outcome message carries its outcome ({wire.OUTCOME_EXTENSION}: "
                        f"code one of {', '.join(wire.OUTCOMES)}, and a date)", where)
    if outcome.code not in wire.OUTCOMES:
        raise FhirError(422, "code-invalid", f"outcome '{outcome.code[:40]}' is not one of "
                        f"{', '.join(wire.OUTCOMES)}", where)
    # A day of slack: the station's date is Vietnam's (UTC+7), the hub's clock UTC.
    if outcome.on > date.today() + timedelta(days=1):
        raise FhirError(422, "invalid", "the outcome's date is in the future", where)


def author_role(who: Principal) -> dict:
    """The contained PractitionerRole "#author" the hub writes for a person or expert client."""
    identifier = [{"system": systems.HUB_CLIENT, "value": who.client_id}]
    if who.person_id:
        identifier.insert(0, {"system": systems.HUB_PERSON, "value": who.person_id})
    role = {"resourceType": "PractitionerRole", "id": "author", "identifier": identifier,
            "organization": {"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": who.hospital}},
            "specialty": [{"coding": [{"system": systems.SPECIALTY, "code": who.specialty}]}]}
    if who.title:
        role["code"] = [{"text": who.title}]
    if who.name:
        role["practitioner"] = {"display": who.name}
    return role


def authored(who: Principal, resource: dict) -> dict:
    """`resource` with its author set by the hub from the token or session: what a client claims is ignored."""
    kind = resource.get("resourceType")
    if kind not in ("Communication", "Composition", "Provenance"):
        return resource
    contained = [c for c in resource.get("contained", []) if not (isinstance(c, dict) and c.get("id") == "author")]
    if who.is_station:
        if kind != "Communication":
            return resource  # refused by the access rules
        sender = {"type": "Organization", "identifier": mapping.facility_identifier(who.facility)}
        if who.name:
            sender["display"] = who.name
    else:
        contained.append(author_role(who))
        sender = {"reference": "#author", "type": "PractitionerRole",
                  "display": who.name or f"{who.hospital} / {who.specialty}"}
    out = {**resource}
    if kind == "Communication":
        out["sender"] = sender
    elif kind == "Composition":
        out["author"] = [sender]
    else:
        out["agent"] = [{**agent, "who": sender} for agent in resource.get("agent", [{}])]
        out["signature"] = [{**signature, "who": sender} for signature in resource.get("signature", [])]
    if contained:
        out["contained"] = contained
    return out
