"""The expert's conclusion: drafts, the signature, amendments, and checking a signature later.

A draft is a `preliminary` Composition only its author edits (a new version each save); signing
makes it `final` (attester legal: the person, the time) and records a Provenance whose signature
is a JWS (HS256, the hub's secret) over the SHA-256 of the Composition's canonical JSON. A signed
conclusion never changes: an amendment is a new draft that `replaces` it, signed in its turn.
"""

import base64
import hashlib
import json
import uuid

import jwt
from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.wire import consultation as wire

from ..access import Principal
from ..outcome import forbidden
from ..tables import resources
from ..uploads import FileStore
from .common import (InvalidInput, author_key, check_may_conclude, conflict, instant, now, patient_ref, person_key,
                     request_row, store, task_of, version_of)
from .minutes_hook import make_minutes

SIGNING_ALGORITHM = "HS256"
JOSE = "application/jose"
AUTHOR_PARTICIPANT = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                  "code": "author"}]}
MAX_TEXT = 20000


def save_draft(conn: Connection, who: Principal, request_id: str, issues: list[wire.Issue], treatment: str,
               follow_up: str, draft_id: str | None = None) -> dict:
    """Create or update the caller's draft conclusion; the stored Composition (its version goes up each save)."""
    row = request_row(conn, who, request_id)
    check_may_conclude(who, row, task_of(conn, who, request_id))
    issues, treatment, follow_up = _checked_text(issues, treatment, follow_up)
    replaces, version = "", None
    if draft_id:
        draft = _own_draft(conn, who, draft_id)
        if wire.read_conclusion(draft).case_id != request_id:
            raise conflict(f"Composition/{draft_id} is the conclusion of another consultation")
        replaces, version = wire.read_conclusion(draft).replaces, version_of(draft)
    resource = wire.conclusion(draft_id or str(uuid.uuid4()), request_id, patient_ref(row.content), issues,
                               treatment, follow_up, date_=instant(now()), replaces=replaces)
    return store.put(conn, who, resource, if_match=version, service=True).resource


def sign(conn: Connection, who: Principal, draft_id: str, secret: bytes, *, files: FileStore | None = None
         ) -> tuple[dict, dict]:
    """Sign the caller's draft: (the final Composition, its Provenance). The password is the console's to ask.

    With `files` (the hub's FileStore) the minutes PDF is made and stored as a DocumentReference.
    """
    draft = _own_draft(conn, who, draft_id)
    content = wire.read_conclusion(draft)
    row = request_row(conn, who, content.case_id)
    check_may_conclude(who, row, task_of(conn, who, content.case_id))
    _check_signable(content)
    moment = instant(now())
    final = {k: v for k, v in draft.items() if k != "meta"}
    final.update(status="final", date=moment,
                 attester=[{"mode": "legal", "time": moment, "party": {"reference": wire.AUTHOR_REF}}])
    composition = store.put(conn, who, final, if_match=version_of(draft), service=True).resource
    target = f"Composition/{composition['id']}/_history/{version_of(composition)}"
    stored = conn.execute(select(resources.c.content).where(  # as kept, not as shown (de-identified abroad)
        resources.c.type == "Composition", resources.c.id == composition["id"])).scalar_one()
    token = jwt.encode({"sha256": content_hash(stored), "target": target, "signer": ":".join(person_key(who)),
                        "name": who.name, "time": moment}, secret, algorithm=SIGNING_ALGORITHM)
    provenance = {
        "resourceType": "Provenance", "id": signature_id(target), "target": [{"reference": target}],
        "recorded": moment,
        "extension": [{"url": wire.CONSULTATION_EXTENSION,
                       "valueReference": {"reference": f"ServiceRequest/{content.case_id}"}}],
        "agent": [{"type": AUTHOR_PARTICIPANT}],
        "signature": [{"type": [wire.SIGNATURE_TYPE], "when": moment, "sigFormat": JOSE,
                       "data": base64.b64encode(token.encode()).decode()}],
    }
    provenance = store.put(conn, who, provenance, service=True).resource
    if files is not None:
        make_minutes_of(conn, who, composition["id"], files)
    return composition, provenance


def make_minutes_of(conn: Connection, who: Principal, composition_id: str, files: FileStore) -> int:
    """The minutes PDF(s) of the signed `composition_id`, made by its signer `who` unless made already: how
    many were made now.

    The console signs in one transaction and makes the minutes in the next, so the station and the
    experts have the conclusion without waiting for the PDF; should that second step fail, the
    signer's next look at the conclusion makes them (the ids are fixed, so nothing is made twice).
    """
    stored = conn.execute(select(resources).where(resources.c.type == "Composition",
                                                  resources.c.id == composition_id)).first()
    if stored is None or stored.content.get("status") != "final" or author_key(stored.content) != person_key(who):
        return 0
    row = request_row(conn, who, wire.read_conclusion(stored.content).case_id)
    made = 0
    for pseudonymous in (False, True) if row.abroad else (False,):  # abroad: a copy without the identity too
        document_id = minutes_id(composition_id, pseudonymous)
        present = conn.execute(select(resources.c.id).where(resources.c.type == "DocumentReference",
                                                            resources.c.id == document_id)).first()
        if present is None:
            made += _store_minutes(conn, who, row, stored.content, content_hash(stored.content), files,
                                   pseudonymous=pseudonymous) is not None
    return made


def minutes_id(composition_id: str, pseudonymous: bool) -> str:
    """The DocumentReference id of a signed conclusion's minutes (one identified, one pseudonymous)."""
    variant = "pseudonymous" if pseudonymous else "identified"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:diemcau:minutes:{composition_id}:{variant}"))


def amend(conn: Connection, who: Principal, conclusion_id: str, issues: list[wire.Issue] | None = None,
          treatment: str | None = None, follow_up: str | None = None) -> dict:
    """A new draft replacing the signed conclusion `conclusion_id` (which stays as it is); the draft."""
    signed = store.read(conn, who, "Composition", conclusion_id)
    old = wire.read_conclusion(signed)
    if old is None or old.status != "final":
        raise conflict("only a signed conclusion is amended; a draft is edited")
    row = request_row(conn, who, old.case_id)
    check_may_conclude(who, row, task_of(conn, who, old.case_id))
    issues, treatment, follow_up = _checked_text(
        list(old.issues) if issues is None else issues, old.treatment if treatment is None else treatment,
        old.follow_up if follow_up is None else follow_up)
    resource = wire.conclusion(str(uuid.uuid4()), old.case_id, patient_ref(row.content), issues, treatment,
                               follow_up, date_=instant(now()), replaces=conclusion_id)
    return store.put(conn, who, resource, service=True).resource


def verify(conn: Connection, composition_id: str, secret: bytes) -> bool:
    """Whether the stored conclusion is final and is exactly what its Provenance's signature covers."""
    row = conn.execute(select(resources).where(resources.c.type == "Composition",
                                               resources.c.id == composition_id)).first()
    if row is None or row.content.get("status") != "final":
        return False
    target = f"Composition/{composition_id}/_history/{row.version}"
    signatures = conn.execute(select(resources.c.content).where(
        resources.c.type == "Provenance", resources.c.request_id == row.request_id)).all()
    for (provenance,) in signatures:
        if not any(t.get("reference") == target for t in provenance.get("target", [])):
            continue
        for signature in provenance.get("signature", []):
            try:
                token = base64.b64decode(signature.get("data", ""), validate=True).decode()
                claims = jwt.decode(token, secret, algorithms=[SIGNING_ALGORITHM])
            except (ValueError, jwt.PyJWTError):
                continue
            if claims.get("target") == target and claims.get("sha256") == content_hash(row.content):
                return True
    return False


def signature_id(target: str) -> str:
    """The Provenance id of the signature of `target` (Composition/<id>/_history/<v>): one per signed version."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:diemcau:signature:{target}"))


def content_hash(composition: dict) -> str:
    """SHA-256 (hex) of the Composition's canonical JSON: sorted keys, no meta, no attester (the signing act)."""
    body = {k: v for k, v in composition.items() if k not in ("meta", "attester")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# -- helpers -------------------------------------------------------------------------------------

def _own_draft(conn: Connection, who: Principal, draft_id: str) -> dict:
    draft = store.read(conn, who, "Composition", draft_id)
    if draft.get("status") != "preliminary":
        raise conflict("this conclusion is signed and never changes: amend it (kết luận đã ký không sửa được, "
                       "chỉ có thể đính chính bằng bản mới)")
    if author_key(draft) != person_key(who):
        raise forbidden("only its author edits or signs a draft conclusion (chỉ người viết mới sửa hoặc ký bản "
                        "nháp)")
    return draft


def _checked_text(issues, treatment: str, follow_up: str):
    issues = [wire.Issue((i.title or "").strip(), (i.conclusion or "").strip()) for i in issues]
    for n, issue in enumerate(issues):
        if len(issue.title) > MAX_TEXT or len(issue.conclusion) > MAX_TEXT:
            raise InvalidInput(f"issues.{n}", f"Nội dung quá dài (tối đa {MAX_TEXT} ký tự).")
    for field, value in (("treatment", treatment), ("follow_up", follow_up)):
        if len(value or "") > MAX_TEXT:
            raise InvalidInput(field, f"Nội dung quá dài (tối đa {MAX_TEXT} ký tự).")
    return issues, (treatment or "").strip(), (follow_up or "").strip()


def _check_signable(content: wire.Conclusion) -> None:
    """TT 49/2017: a clear conclusion on each issue raised, and the treatment direction."""
    if not content.issues:
        raise InvalidInput("issues", "Cần ít nhất một vấn đề có kết luận trước khi ký.")
    for n, issue in enumerate(content.issues):
        if not issue.title.strip():
            raise InvalidInput(f"issues.{n}.title", "Cần ghi tên vấn đề.")
        if not issue.conclusion.strip():
            raise InvalidInput(f"issues.{n}.conclusion", "Cần ghi kết luận cho vấn đề này trước khi ký.")
    if not content.treatment.strip():
        raise InvalidInput("treatment", "Cần ghi hướng điều trị trước khi ký.")


def _store_minutes(conn: Connection, who: Principal, row, composition: dict, digest: str, files: FileStore, *,
                   pseudonymous: bool) -> dict | None:
    pdf = make_minutes(conn, who, row, composition, digest, pseudonymous=pseudonymous,
                       language="fr" if pseudonymous else "vi")
    if pdf is None:
        return None
    document_id = minutes_id(composition["id"], pseudonymous)
    upload = files.keep(conn, who.client_id, row.facility, pdf,
                        {"documentreference": document_id, "filename": f"bien-ban-hoi-chan-{row.id}.pdf"})
    sha1 = base64.b64encode(hashlib.sha1(pdf).digest()).decode()
    reference = wire.minutes_reference(document_id, row.id, patient_ref(row.content), composition["id"],
                                       f"/files/{upload.id}", len(pdf), sha1, upload.sha256, instant(now()),
                                       "Biên bản hội chẩn từ xa (ẩn danh)" if pseudonymous else "Biên bản hội chẩn từ xa")
    if pseudonymous:
        reference = wire.pseudonymous(reference)
    return store.put(conn, who, reference, service=True).resource
