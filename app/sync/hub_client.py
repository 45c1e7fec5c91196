"""Talking to the hub: enrollment, tokens, FHIR reads and writes, resumable uploads, DICOMweb.

Errors come in four kinds the sync engine treats differently: the link (HubUnreachable: try
again later), the hub failing on a request although the link works (HubFailed: a 500; try again,
and when it repeats it is a refusal), a refusal (HubRejected: this record needs a person), and a
conflict (HubConflict: someone else changed it; show it, never overwrite).
"""

import base64
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.wire.imaging import dicom_value

log = logging.getLogger(__name__)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FHIR_JSON = "application/fhir+json"
TUS_VERSION = "1.0.0"
DICOM_JSON = "application/dicom+json"
# Series-level attributes an ImagingStudy needs, asked for explicitly (not every PACS returns them).
QIDO_FIELDS = ("00080060", "0020000E", "00200011", "0008103E", "00080016", "00200013", "00080020", "00080030")


class HubError(Exception):
    pass


class HubUnreachable(HubError):
    """No answer, a cut, a stall, or a 502/503/504 from what stands between: the record waits for the next try."""


class HubFailed(HubUnreachable):
    """The hub answered, and failed on this request (500 and the other 5xx of the hub itself).

    Waits like the link at first (a restart, a database briefly gone); the sync engine reports it as
    the hub refusing the record, with the hub's diagnostics, once it repeats.
    """

    def __init__(self, status: int, diagnostics: str):
        super().__init__(f"the hub failed ({status}): {diagnostics}")
        self.status = status
        self.diagnostics = diagnostics


class HubRejected(HubError):
    def __init__(self, status: int, diagnostics: str):
        super().__init__(f"{status}: {diagnostics}")
        self.status = status
        self.diagnostics = diagnostics


class LiveUnavailable(HubUnreachable):
    """503 {"code": "sfu-unavailable"}: the hub answered, its video server (Janus) did not. Live consultation
    waits; the rest of the case work goes on."""
    code = "sfu-unavailable"


class LiveRefused(HubRejected):
    """The hub refused a live request; `code` is its machine code (not-invited, ended, not-host, ...)."""

    def __init__(self, status: int, diagnostics: str, code: str = ""):
        super().__init__(status, diagnostics)
        self.code = code


class HubBusy(HubError):
    """The hub is busy with this very record (tus 409: another PATCH of the upload is still arriving):
    ask again in a little while; nobody needs to decide anything."""


class HubConflict(HubRejected):
    """412: the record changed on the hub since we read it."""


@dataclass(frozen=True)
class Credential:
    """What an enrolled station keeps: its id on the hub and its private key (never sent)."""
    hub_url: str
    client_id: str
    facility: str
    private_key_pem: str
    token_endpoint: str
    embedded: bool = False  # enrolled with the local hub `make run` starts, not a real one

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.touch(mode=0o600)
        temp.write_text(json.dumps(self.__dict__, indent=1))
        temp.replace(path)

    @staticmethod
    def load(path: Path) -> "Credential | None":
        try:
            return Credential(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None


def new_key_pair() -> tuple[str, dict]:
    """A P-384 key: (private key PEM, public JWK) for ES384 client assertions."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP384R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"alg": "ES384", "use": "sig", "kid": hashlib.sha256(pem.encode()).hexdigest()[:16]})
    return pem, jwk


def enroll(hub_url: str, code: str, timeout: float = 20.0, embedded: bool = False) -> Credential:
    """Exchange a one-time enrollment code for this station's own credential."""
    pem, jwk = new_key_pair()
    try:
        reply = httpx.post(f"{hub_url.rstrip('/')}/enroll", json={"code": code, "jwk": jwk}, timeout=timeout)
    except httpx.HTTPError as error:
        raise HubUnreachable(str(error)) from error
    if reply.status_code != 200:
        raise HubRejected(reply.status_code, _diagnostics(reply))
    body = reply.json()
    return Credential(hub_url.rstrip("/"), body["client_id"], body.get("facility", ""), pem, body["token_endpoint"],
                      embedded)


class HubClient:
    def __init__(self, credential: Credential, timeout: float = 30.0, transport=None):
        self.credential = credential
        self.base = credential.hub_url.rstrip("/")
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), transport=transport)
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self._http.close()

    # -- tokens ------------------------------------------------------------------------------

    def _assertion(self) -> str:
        import jwt

        now = int(time.time())
        claims = {"iss": self.credential.client_id, "sub": self.credential.client_id,
                  "aud": self.credential.token_endpoint, "iat": now, "exp": now + 240, "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self.credential.private_key_pem, algorithm="ES384")

    def forget_token(self) -> None:
        """The hub refused the token (expired, or the client revoked): ask for a new one next time."""
        self._token = None

    def token(self) -> str:
        if self._token and time.monotonic() < self._token_expires - 30:
            return self._token
        # A fresh assertion for a second try: the hub takes each assertion (its jti) once.
        reply = self._send("POST", self.credential.token_endpoint, auth=False, fresh=lambda: {"data": {
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self._assertion()}})
        body = reply.json()
        self._token = body["access_token"]
        self._token_expires = time.monotonic() + float(body.get("expires_in", 300))
        return self._token

    # -- FHIR --------------------------------------------------------------------------------

    def put(self, resource: dict, if_match: str | None = None, create_only: bool = False) -> dict:
        headers = {"Content-Type": FHIR_JSON}
        if if_match:
            headers["If-Match"] = if_match
        if create_only:
            headers["If-None-Match"] = "*"
        reply = self._send("PUT", f"{self.base}/{resource['resourceType']}/{resource['id']}",
                           content=json.dumps(resource, ensure_ascii=False).encode(), headers=headers)
        return reply.json()

    def read(self, kind: str, resource_id: str) -> dict:
        return self._send("GET", f"{self.base}/{kind}/{resource_id}").json()

    def transaction(self, resources: list[dict]) -> dict:
        bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
            for r in resources]}
        # Each entry a PUT by the station's own id: sent twice, the hub holds it once (replayable).
        return self._send("POST", f"{self.base}/", content=json.dumps(bundle, ensure_ascii=False).encode(),
                          headers={"Content-Type": FHIR_JSON}, replayable=True).json()

    def search(self, kind: str, params: dict):
        """Every matching resource, page after page (Bundle.link next)."""
        url, query = f"{self.base}/{kind}", params
        while url:
            bundle = self._send("GET", url, params=query).json()
            for entry in bundle.get("entry", []):
                yield entry["resource"]
            url = next((link["url"] for link in bundle.get("link", []) if link["relation"] == "next"), None)
            query = None

    # -- files (tus) -------------------------------------------------------------------------

    def create_upload(self, size: int, sha256: str, metadata: dict) -> str:
        meta = {**metadata, "sha256": sha256}
        header = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items())
        reply = self._send("POST", f"{self.base}/files", headers={
            "Tus-Resumable": TUS_VERSION, "Upload-Length": str(size), "Upload-Metadata": header})
        return self._absolute(reply.headers["Location"])

    def upload_offset(self, url: str) -> int:
        reply = self._send("HEAD", url, headers={"Tus-Resumable": TUS_VERSION})
        return int(reply.headers["Upload-Offset"])

    def upload_chunk(self, url: str, offset: int, chunk: bytes, checksum: bool = False) -> int:
        """Send one chunk; the hub's new offset.

        Without a per-chunk checksum the hub keeps whatever arrived before a cut, so a cut costs
        almost nothing; the whole file's SHA-256, checked by the hub at the end, still guards
        against damage. With `checksum`, a cut loses the chunk in flight.
        """
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Offset": str(offset),
                   "Content-Type": "application/offset+octet-stream"}
        if checksum:
            headers["Upload-Checksum"] = "sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode()
        reply = self._send("PATCH", url, content=chunk, headers=headers)
        return int(reply.headers["Upload-Offset"])

    def download(self, url: str, target: Path) -> None:
        def attempt(exchange):
            with self._http.stream("GET", self._absolute(url), headers=self._auth_headers(),
                                   extensions={"trace": exchange}) as reply:
                if reply.status_code != 200:
                    reply.read()
                    raise _error(reply)
                with target.open("wb") as f:
                    for block in reply.iter_bytes():
                        f.write(block)
        self._twice_if_dead(f"GET {url}", True, attempt)

    # -- imaging: DICOMweb through the hub to the PACS ------------------------------------------

    def has_pacs(self) -> bool:
        try:
            self._send("GET", f"{self.base}/dicomweb")
        except HubRejected as error:
            if error.status == 404:
                return False  # this hub keeps DICOM as plain files
            raise
        return True

    def stow(self, study_uid: str, request_id: str, instances: list["DicomPart"]) -> "StowResult":
        """Store DICOM Part 10 files in the PACS: STOW-RS, one multipart body streamed from the files."""
        body = MultipartDicom(instances)
        reply = self._send("POST", f"{self.base}/dicomweb/studies/{study_uid}", params={"request": request_id},
                           content=body, headers={
                               "Content-Type": f'multipart/related; type="application/dicom"; boundary={body.boundary}',
                               "Content-Length": str(body.length), "Accept": DICOM_JSON}, allow=(409,),
                           replayable=True)  # the PACS keeps an instance once, by its SOP Instance UID
        answer = reply.json()
        stored = {dicom_value(item, "00081155") for item in _dicom_sequence(answer, "00081199")}
        failed = {dicom_value(item, "00081155"): f"PACS failure reason {dicom_value(item, '00081197')}"
                  for item in _dicom_sequence(answer, "00081198")}
        return StowResult(stored - {None}, failed)

    def study_instances(self, study_uid: str, page: int = 500) -> list[dict]:
        """QIDO-RS: every instance the PACS holds for the study, with its series' attributes."""
        found, offset = [], 0
        while True:
            batch = self._send("GET", f"{self.base}/dicomweb/studies/{study_uid}/instances", params=[
                ("limit", str(page)), ("offset", str(offset)),
                *[("includefield", tag) for tag in QIDO_FIELDS]], headers={"Accept": DICOM_JSON}).json()
            found += batch
            if len(batch) < page:
                return found
            offset += page

    # -- live consultation (the hub's /live routes, plain JSON) ----------------------------------

    def start_live(self, request_id: str, facilities=(), people=()) -> dict:
        """A live session on the consultation `request_id` (or the one already open on it), inviting these
        facilities (codes) and people (ids); the session JSON."""
        return self._live("POST", "/live", {"request": request_id,
                                            "invite": {"facilities": list(facilities), "people": list(people)}})

    def live_sessions(self) -> dict:
        """{"sessions": [...]}: the open sessions this station is invited to or may join."""
        return self._live("GET", "/live")

    def live_session(self, live_id: str) -> dict:
        return self._live("GET", f"/live/{live_id}")

    def invite_live(self, live_id: str, facilities=(), people=()) -> dict:
        return self._live("POST", f"/live/{live_id}/invitations",
                          {"facilities": list(facilities), "people": list(people)})

    def live_invitable(self, live_id: str, query: str) -> dict:
        """{"sites": [...], "experts": [...], "more"}: whom this station may invite to the session, found by
        words of a name, place, hospital or specialty (the hub folds accents and case)."""
        from urllib.parse import urlencode

        return self._live("GET", f"/live/{live_id}/invitable?{urlencode({'q': query})}")

    def join_live(self, live_id: str) -> dict:
        """A fresh ticket (app.live.details.JoinDetails.parse reads it): one per join, reconnections included."""
        return self._live("POST", f"/live/{live_id}/join", {})

    def leave_live(self, live_id: str) -> dict:
        return self._live("POST", f"/live/{live_id}/leave", {})

    def end_live(self, live_id: str) -> dict:
        return self._live("POST", f"/live/{live_id}/end", {})

    def live_consent(self, live_id: str, agree: bool) -> dict:
        """This site's answer to recording the session."""
        return self._live("POST", f"/live/{live_id}/consent", {"recording": bool(agree)})

    def live_attendance(self, live_id: str) -> dict:
        return self._live("GET", f"/live/{live_id}/attendance")

    def _live(self, method: str, path: str, body: dict | None = None) -> dict:
        reply = self._send(method, f"{self.base}{path}", headers={"Accept": "application/json"},
                           allow=tuple(range(400, 500)) + (503,), **({"json": body} if body is not None else {}))
        if reply.status_code < 400:
            return reply.json() if reply.content else {}
        try:
            answer = reply.json()
        except ValueError:
            answer = {}
        code = answer.get("code", "") if isinstance(answer, dict) else ""
        words = _diagnostics(reply)
        if reply.status_code == 503:
            if code == LiveUnavailable.code:
                raise LiveUnavailable(f"{code}: {words}")
            raise HubUnreachable("hub answered 503")
        raise LiveRefused(reply.status_code, words, code)

    # -- plumbing ----------------------------------------------------------------------------

    def _absolute(self, url: str) -> str:
        return url if url.startswith("http") else f"{self.base}{url}"

    def _auth_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token()}", "Accept": FHIR_JSON}

    def _send(self, method: str, url: str, auth: bool = True, headers: dict | None = None,
              allow: tuple[int, ...] = (), replayable: bool | None = None, fresh=None, **kwargs):
        """One request, its answer checked. `replayable`: sending it twice does no harm (by default, the
        methods that are: GET, HEAD, PUT, and PATCH, whose Upload-Offset makes it conditional); `fresh()`
        gives the keyword arguments of each try (the token request: a new assertion each time)."""
        all_headers = {**(self._auth_headers() if auth else {}), **(headers or {})}
        replayable = (method in REPLAYABLE or fresh is not None) if replayable is None else replayable
        # A large body that fails midway more likely met a cut than a connection dead before it: the next
        # pass resumes it from what the hub holds, rather than sending it again at once into a failing link.
        replayable = replayable and _body_size(kwargs) <= REPLAY_LIMIT
        reply = self._request(method, url, all_headers, replayable, fresh, kwargs)
        if reply.status_code == 401 and auth:
            self._token = None  # expired or revoked: one fresh token, then give up
            all_headers.update(self._auth_headers())
            reply = self._request(method, url, all_headers, replayable, fresh, kwargs)
        if reply.status_code >= 400 and reply.status_code not in allow:
            raise _error(reply)
        return reply

    def _request(self, method: str, url: str, headers: dict, replayable: bool, fresh, kwargs: dict):
        """The request; once more on a new connection when a kept-alive one turns out dead.

        A connection kept from an earlier request can have died unseen: the link dropped (the hub's end
        forgot it; what is sent on it is answered with a reset), the hub closed it on its keep-alive
        timeout or after a 500 and its FIN is still on the way. The request then fails before any answer,
        and, if nothing else tried again, the whole pass would wait for the next one as if the link were
        still down. Only a request that may be sent twice is tried again, and only once.
        """
        def attempt(exchange):
            reply = self._http.request(method, url, headers=headers, extensions={"trace": exchange},
                                       **(fresh() if fresh is not None else {}), **kwargs)
            if reply.status_code >= 500:
                # The hub (uvicorn) closes the connection after a request its code failed on, without saying
                # so in the answer: the next request is not to be sent on it.
                self._drop_idle_connections()
            return reply
        return self._twice_if_dead(f"{method} {url}", replayable, attempt)

    def _twice_if_dead(self, what: str, replayable: bool, attempt):
        """`attempt(trace)`, and once more (replayable) when it failed before any answer on a kept-alive
        connection; an error of the link as HubUnreachable."""
        for second in (False, True):
            exchange = _Exchange()
            try:
                return attempt(exchange)
            except httpx.TransportError as error:
                self._drop_idle_connections()  # they went the way this one did
                # A timeout is a slow or stalled link, not a dead connection: waiting twice as long helps nothing.
                if (second or not replayable or exchange.new_connection or exchange.answered
                        or isinstance(error, httpx.TimeoutException)):
                    raise HubUnreachable(f"{type(error).__name__}: {error}") from error
                log.info("%s: a kept-alive connection was dead (%s: %s); once more on a new one",
                         what, type(error).__name__, error)
            except httpx.HTTPError as error:
                raise HubUnreachable(f"{type(error).__name__}: {error}") from error
        raise AssertionError("unreachable")

    def _drop_idle_connections(self) -> None:
        pool = getattr(getattr(self._http, "_transport", None), "_pool", None)  # httpx keeps it private
        for connection in list(getattr(pool, "connections", ())):
            if connection.is_idle():
                connection.close()


# Methods a client may send twice (RFC 9110 9.2.2), and tus's PATCH (made conditional by Upload-Offset).
REPLAYABLE = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"})
REPLAY_LIMIT = 64 * 1024  # bytes of body


def _body_size(kwargs: dict) -> int:
    content = kwargs.get("content")
    if content is None:
        return 0  # none, or a form or JSON of a few fields
    return len(content) if isinstance(content, bytes) else getattr(content, "length", REPLAY_LIMIT + 1)


class _Exchange:
    """What httpcore's trace says of one request: did it open a connection of its own, did any answer come."""

    def __init__(self):
        self.new_connection = False
        self.answered = False

    def __call__(self, event: str, info: dict) -> None:
        if event == "connection.connect_tcp.started":
            self.new_connection = True
        elif event.endswith(".receive_response_headers.complete"):
            self.answered = True


@dataclass(frozen=True)
class DicomPart:
    """One instance of a STOW body: a file as it is, or bytes already prepared (given a preamble)."""
    path: Path | None = None
    data: bytes = b""

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.data)

    def blocks(self):
        if self.path is None:
            yield self.data
            return
        with self.path.open("rb") as f:
            while block := f.read(1 << 20):
                yield block


class MultipartDicom:
    """A multipart/related body read from the files as it is sent (never whole in memory).

    Iterable again from the start, so a request retried after a fresh token sends it all.
    """

    def __init__(self, parts: list[DicomPart]):
        self.parts = parts
        self.boundary = uuid.uuid4().hex
        self._heads = [f"--{self.boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() for _ in parts]
        self._tail = f"--{self.boundary}--\r\n".encode()
        self.length = sum(len(h) + p.size + 2 for h, p in zip(self._heads, parts)) + len(self._tail)

    def __iter__(self):
        for head, part in zip(self._heads, self.parts):
            yield head
            yield from part.blocks()
            yield b"\r\n"
        yield self._tail


@dataclass(frozen=True)
class StowResult:
    stored: set[str]          # SOP Instance UIDs the PACS took
    failed: dict[str, str]    # SOP Instance UID -> why it was refused


def _dicom_sequence(answer: dict, tag: str) -> list[dict]:
    return (answer.get(tag) or {}).get("Value") or []


# Answers from a proxy or load balancer in front of the hub, or a hub not ready: the link, not the record.
TRANSIENT_STATUSES = (408, 429, 502, 503, 504)


def _error(reply: httpx.Response) -> HubError:
    if reply.status_code in TRANSIENT_STATUSES:
        return HubUnreachable(f"hub answered {reply.status_code}")
    if reply.status_code >= 500:
        return HubFailed(reply.status_code, _diagnostics(reply))
    if reply.status_code == 412:
        return HubConflict(412, _diagnostics(reply))
    return HubRejected(reply.status_code, _diagnostics(reply))


def _diagnostics(reply: httpx.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:200]
    if body.get("resourceType") == "OperationOutcome":
        return "; ".join(i.get("diagnostics", "") for i in body.get("issue", []))
    return body.get("error_description") or body.get("error") or str(body)[:200]
