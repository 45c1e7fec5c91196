"""The authorization matrix: every route × every actor × the expected outcome, on SQLite and PostgreSQL.

One consultation of facility 0100A, with a record of every kind, a file and a DICOM study in a
real Orthanc, first routed to Bạch Mai cardiology (whose expert answered), then re-routed to K
oncology. Each row of MATRIX is a route; each column an actor; each cell what the hub must answer:
a status, "found" (a search that returns the record) or "hidden" (a search that returns nothing).
"""

import hashlib
import io
import json
from dataclasses import dataclass

import httpx
import pydicom
import pytest

from app.sync.hub_client import DicomPart, HubClient, enroll
from app.wire import consultation as wire
from app.wire import systems
from server import consultation as services
from server.access import Principal
from server.local_pacs import LocalOrthanc
from tests.support.dicom_series import ct_series
from tests.support.hub import RunningHub

from .console.support import PASSWORD
from .console_client import Console
from .test_access import consultation

ACTORS = ("own", "same_facility", "other_facility", "routed_expert", "unrouted_expert", "rerouted_away", "revoked",
          "no_token", "foreign_expert")
CASE, PATIENT, TASK = "case-m", "pat-m", "task-case-m"
FILE_BYTES = "Kết quả xét nghiệm".encode() * 100


def row(own, same, other, routed, unrouted, away, revoked=401, no_token=401, foreign=None) -> dict:
    """`foreign`: an expert abroad of the routed hospital and specialty; this case is not marked for abroad,
    so by default they get what an unrouted expert gets."""
    return dict(zip(ACTORS, (own, same, other, routed, unrouted, away, revoked, no_token,
                             unrouted if foreign is None else foreign)))


READ = row(200, 200, 404, 200, 404, 404)
SEARCH = row("found", "found", "hidden", "found", "hidden", "hidden")
EXPERTS_ONLY = row(404, 404, 404, 200, 404, 404)          # a draft conclusion: never to a station
EXPERTS_ONLY_SEARCH = row("hidden", "hidden", "hidden", "found", "hidden", "hidden")
CONSOLE_ONLY = row(403, 403, 403, 403, 403, 403)          # conclusions are written in the console, not the API
STATION_WRITE = row(200, 200, 404, 403, 403, 403)
MESSAGE = row(201, 201, 404, 201, 404, 404)

RECORDS = {  # kind -> (id, the search parameters that find it)
    "Patient": (PATIENT, {"_id": PATIENT}),
    "ServiceRequest": (CASE, {"_id": CASE, "patient": PATIENT, "subject": f"Patient/{PATIENT}"}),
    "Task": (TASK, {"_id": TASK, "based-on": f"ServiceRequest/{CASE}", "patient": PATIENT}),
    "Observation": ("obs-m", {"_id": "obs-m", "based-on": f"ServiceRequest/{CASE}", "subject": PATIENT}),
    "Condition": ("cond-m", {"_id": "cond-m", "patient": PATIENT}),
    "Communication": ("msg-m", {"_id": "msg-m", "based-on": CASE}),
    "DocumentReference": ("doc-m", {"_id": "doc-m", "patient": PATIENT}),
    "ImagingStudy": ("img-m", {"_id": "img-m", "based-on": f"ServiceRequest/{CASE}"}),
}


CONCLUSION, DRAFT = "concl-m", "draft-m"  # a signed conclusion (version 1 its draft, 2 signed) and a draft
SIGNATURE = services.signature_id(f"Composition/{CONCLUSION}/_history/2")


@dataclass
class Route:
    name: str
    method: str
    path: str          # may name {upload}, {study}, {series}, {sop}, {actor}
    expected: dict
    body: object = None  # a dict (JSON), bytes, or a callable(world, actor) -> (content, headers)
    headers: dict | None = None
    record: str = ""   # the id a search must find or not (else the one of RECORDS)
    console: bool = False  # a console route: each actor with its console session (the stations have none)


def routes() -> list[Route]:
    out = []
    for kind, (rid, params) in RECORDS.items():
        out += [Route(f"read {kind}", "GET", f"/{kind}/{rid}", READ),
                Route(f"vread {kind}", "GET", f"/{kind}/{rid}/_history/1", READ),
                Route(f"history {kind}", "GET", f"/{kind}/{rid}/_history", READ),
                Route(f"search {kind} _lastUpdated", "GET", f"/{kind}?_lastUpdated=gt2000-01-01T00:00:00Z", SEARCH)]
        out += [Route(f"search {kind} {key}", "GET", f"/{kind}?{key}={value}", SEARCH) for key, value in params.items()]
    observation = {"resourceType": "Observation", "id": "obs-m", "status": "final", "code": {"text": "Mạch"},
                   "subject": {"reference": f"Patient/{PATIENT}"}, "basedOn": [{"reference": f"ServiceRequest/{CASE}"}],
                   "valueQuantity": {"value": 90, "unit": "/min"}}
    new_observation = {k: v for k, v in observation.items() if k != "id"}
    message = {"resourceType": "Communication", "status": "completed",
               "basedOn": [{"reference": f"ServiceRequest/{CASE}"}], "subject": {"reference": f"Patient/{PATIENT}"},
               "payload": [{"contentString": "Xin thêm phim nghiêng"}]}
    task = {"resourceType": "Task", "id": TASK, "status": "in-progress", "intent": "order",
            "basedOn": [{"reference": f"ServiceRequest/{CASE}"}], "for": {"reference": f"Patient/{PATIENT}"}}
    out += [
        Route("update Patient", "PUT", f"/Patient/{PATIENT}", STATION_WRITE,
              {"resourceType": "Patient", "id": PATIENT, "name": [{"text": "Phạm Văn C"}]}),
        Route("update Observation", "PUT", "/Observation/obs-m", STATION_WRITE, observation),
        Route("update ServiceRequest unchanged", "PUT", f"/ServiceRequest/{CASE}", STATION_WRITE,
              lambda world, actor: (json.dumps(world.request), {})),
        Route("create Observation", "POST", "/Observation", row(201, 201, 404, 403, 403, 403), new_observation),
        Route("transaction", "POST", "/", STATION_WRITE, {"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": observation, "request": {"method": "PUT", "url": "Observation/obs-m"}}]}),
        Route("new message", "PUT", "/Communication/new-{actor}", MESSAGE, lambda world, actor: (
            json.dumps({**message, "id": f"new-{actor.replace('_', '-')}"}), {})),
        Route("rewrite message", "PUT", "/Communication/msg-m", row(409, 409, 404, 409, 404, 404),
              {**message, "id": "msg-m"}),
        Route("update Task", "PUT", f"/Task/{TASK}", row(200, 200, 404, 200, 404, 404), task),
        Route("update Task stale", "PUT", f"/Task/{TASK}", row(412, 412, 404, 412, 404, 404), task,
              {"If-Match": 'W/"999"'}),
        Route("download file", "GET", "/files/{upload}", row(200, 200, 404, 200, 404, 404)),
        Route("upload offset", "HEAD", "/files/{upload}", row(200, 404, 404, 404, 404, 404),
              headers={"Tus-Resumable": "1.0.0"}),
        Route("upload chunk", "PATCH", "/files/{upload}", row(204, 404, 404, 404, 404, 404), b"x",
              {"Tus-Resumable": "1.0.0", "Upload-Offset": str(len(FILE_BYTES)),
               "Content-Type": "application/offset+octet-stream"}),
        Route("QIDO instances", "GET", "/dicomweb/studies/{study}/instances", READ),
        Route("QIDO series", "GET", "/dicomweb/studies/{study}/series", READ),
        Route("WADO metadata", "GET", "/dicomweb/studies/{study}/metadata", READ),
        Route("WADO instance", "GET", "/dicomweb/studies/{study}/series/{series}/instances/{sop}", READ,
              headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'}),
        Route("WADO bulk data", "GET", "/dicomweb/studies/{study}/series/{series}/instances/{sop}/bulk/7fe00010",
              READ, headers={"Accept": 'multipart/related; type="application/octet-stream"'}),
        Route("STOW", "POST", "/dicomweb/studies/{study}?request=" + CASE, row(200, 200, 404, 403, 403, 403),
              lambda world, actor: (world.stow_body, {"Content-Type": world.stow_type})),
    ]
    return out + conclusion_routes() + live_routes() + console_live_routes()


def live_routes() -> list[Route]:
    """The live session on the case (server/live): those who may read the case may join it; nobody was invited.
    Starting again answers the open session (200); whoever may not read the case learns nothing of it (404)."""
    joinable = row(200, 200, 403, 200, 403, 403)
    return [
        Route("live start", "POST", "/live", row(200, 200, 404, 200, 404, 404), {"request": CASE}),
        Route("live read", "GET", "/live/{live}", joinable),
        Route("live join", "POST", "/live/{live}/join", joinable),
        Route("live attendance", "GET", "/live/{live}/attendance", joinable),
        Route("live invitable", "GET", "/live/{live}/invitable?q=ba", joinable),
    ]


def console_live_routes() -> list[Route]:
    """The console's live session routes (server/console/views/live.py), each actor signed in to the console:
    the experts (routed, unrouted, re-routed away, abroad), a person disabled after signing in ("revoked");
    the stations have no console session and send their bearer token, which the console does not take. Without
    a session a page redirects to sign in (303) and a POST is refused for its missing CSRF token (403). Nobody
    was invited: only the routed expert is let in, and it may neither end the session nor ask for the recording
    (only the starter, the own station, or a coordinator may)."""
    def console(own, routed, unrouted, away, foreign, none=403) -> dict:
        return row(none, none, none, routed, unrouted, away, none, none, foreign)
    page = console(303, 200, 403, 403, 403, none=303)
    joinable = console(403, 200, 403, 403, 403)
    nobody = console(403, 403, 403, 403, 403)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        Route("console live page", "GET", "/console/live/{live}", page, console=True),
        Route("console live state", "GET", "/console/live/{live}/state", page, console=True),
        Route("console live invitable", "GET", "/console/live/{live}/invitable?q=ba", page, console=True),
        Route("console live invite search", "GET", "/console/live/{live}/invite-search?q=ba", page, console=True),
        Route("console live banners", "GET", "/console/live/banners",
              console(303, "found", "hidden", "hidden", "hidden", none=303), console=True),
        Route("console live start", "POST", f"/console/cases/{CASE}/live", console(403, 303, 404, 404, 404), b"",
              form, console=True),
        Route("console live join", "POST", "/console/live/{live}/join", joinable, console=True),
        Route("console live consent", "POST", "/console/live/{live}/consent", joinable, {"recording": False},
              console=True),
        Route("console live recording", "POST", "/console/live/{live}/recording", nobody, {"on": False},
              console=True),
        Route("console live invitations", "POST", "/console/live/{live}/invitations", joinable, b"facilities=0300C",
              form, console=True),
        Route("console live end", "POST", "/console/live/{live}/end", nobody, b"", form, console=True),
        Route("console live leave", "POST", "/console/live/{live}/leave", joinable, console=True),
    ]


def conclusion_routes() -> list[Route]:
    """The signed conclusion, its draft versions, a draft, the signature and the minutes."""
    composition = wire.conclusion(CONCLUSION, CASE, PATIENT, [wire.Issue("Chẩn đoán", "Viêm phổi")], "Kháng sinh",
                                  "", status="final", date_="2026-01-01T00:00:00Z") | {"author": [{"display": "X"}]}
    provenance = {"resourceType": "Provenance", "id": SIGNATURE, "recorded": "2026-01-01T00:00:00Z",
                  "target": [{"reference": f"Composition/{CONCLUSION}"}], "agent": [{"who": {"display": "X"}}]}
    minutes = wire.minutes_reference("minutes-m", CASE, PATIENT, CONCLUSION, "/files/x", 1, "AA==", "0" * 64,
                                     "2026-01-01T00:00:00Z", "Biên bản")
    return [
        Route("read Composition signed", "GET", f"/Composition/{CONCLUSION}", READ),
        Route("vread Composition signed", "GET", f"/Composition/{CONCLUSION}/_history/2", READ),
        Route("vread Composition its draft", "GET", f"/Composition/{CONCLUSION}/_history/1", EXPERTS_ONLY),
        Route("history Composition signed", "GET", f"/Composition/{CONCLUSION}/_history", READ),
        Route("search Composition signed", "GET", f"/Composition?_id={CONCLUSION}", SEARCH, record=CONCLUSION),
        Route("search Composition based-on", "GET", f"/Composition?based-on={CASE}", SEARCH, record=CONCLUSION),
        Route("read Composition draft", "GET", f"/Composition/{DRAFT}", EXPERTS_ONLY),
        Route("vread Composition draft", "GET", f"/Composition/{DRAFT}/_history/1", EXPERTS_ONLY),
        Route("history Composition draft", "GET", f"/Composition/{DRAFT}/_history", EXPERTS_ONLY),
        Route("search Composition draft", "GET", f"/Composition?_id={DRAFT}", EXPERTS_ONLY_SEARCH, record=DRAFT),
        Route("search Composition draft by case", "GET", f"/Composition?based-on={CASE}&patient={PATIENT}",
              EXPERTS_ONLY_SEARCH, record=DRAFT),
        Route("read Provenance", "GET", f"/Provenance/{SIGNATURE}", READ),
        Route("search Provenance", "GET", f"/Provenance?_id={SIGNATURE}", SEARCH, record=SIGNATURE),
        Route("update Composition signed", "PUT", f"/Composition/{CONCLUSION}", CONSOLE_ONLY, composition),
        Route("update Composition draft", "PUT", f"/Composition/{DRAFT}", CONSOLE_ONLY,
              {**composition, "id": DRAFT, "status": "preliminary"}),
        Route("create Composition", "POST", "/Composition", CONSOLE_ONLY,
              {k: v for k, v in composition.items() if k != "id"}),
        Route("update Provenance", "PUT", f"/Provenance/{SIGNATURE}", CONSOLE_ONLY, provenance),
        Route("write minutes", "PUT", "/DocumentReference/minutes-m", row(403, 403, 404, 403, 403, 403), minutes),
        Route("delete Composition", "DELETE", f"/Composition/{CONCLUSION}", row(405, 405, 405, 405, 405, 405,
                                                                               405, 405, 405)),
    ]


class World:
    """The consultation and the actors, built once per database."""

    def __init__(self, hub: RunningHub, orthanc: LocalOrthanc, folder):
        self.hub = hub
        self.clients: list[HubClient] = []
        own = self.client("station", facility="0100A")
        same = self.client("station", facility="0100A")
        other = self.client("station", facility="0200B")
        away = self.client("expert", hospital="bachmai", specialty="cardiology")
        routed = self.client("expert", hospital="k", specialty="oncology")
        unrouted = self.client("expert", hospital="bachmai", specialty="neurology")
        revoked = self.client("station", facility="0100A")
        other.transaction(consultation("case-other", "pat-other"))
        records = consultation(CASE, PATIENT)
        records[2]["id"] = TASK
        records[2]["basedOn"] = [{"reference": f"ServiceRequest/{CASE}"}]
        link = {"basedOn": [{"reference": f"ServiceRequest/{CASE}"}]}
        subject = {"subject": {"reference": f"Patient/{PATIENT}"}}
        own.transaction(records + [
            {"resourceType": "Observation", "id": "obs-m", "status": "final", "code": {"text": "Mạch"}, **subject, **link},
            {"resourceType": "Condition", "id": "cond-m", "code": {"text": "Viêm phổi"}, **subject,
             "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/workflow-reason",
                            "valueReference": {"reference": f"ServiceRequest/{CASE}"}}]}])
        digest = hashlib.sha256(FILE_BYTES).hexdigest()
        url = own.create_upload(len(FILE_BYTES), digest, {"documentreference": "doc-m", "filename": "xn.txt"})
        own.upload_chunk(url, 0, FILE_BYTES)
        self.upload = url.rsplit("/", 1)[1]
        own.put({"resourceType": "DocumentReference", "id": "doc-m", "status": "current", **subject,
                 "context": {"related": [{"reference": f"ServiceRequest/{CASE}"}]},
                 "content": [{"attachment": {"contentType": "text/plain", "url": url}}]})
        paths = ct_series(folder / "ct", slices=2)
        first = pydicom.dcmread(paths[0])
        self.study, self.series, self.sop = (str(first.StudyInstanceUID), str(first.SeriesInstanceUID),
                                             str(first.SOPInstanceUID))
        assert len(own.stow(self.study, CASE, [DicomPart(path=p) for p in paths]).stored) == 2
        own.put({"resourceType": "ImagingStudy", "id": "img-m", "status": "available", **subject, **link})
        away.put({"resourceType": "Communication", "id": "msg-m", "status": "completed", **subject, **link,
                  "payload": [{"contentString": "Cần CT có thuốc"}]})
        self.request = dict(records[1], performer=[{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": "k"}}],
                            category=[{"coding": [{"system": systems.SPECIALTY, "code": "oncology"}]}])
        own.put(self.request)  # re-routed: Bạch Mai cardiology loses it, K oncology gains it
        self.request = own.read("ServiceRequest", CASE)
        data = io.BytesIO()
        first.save_as(data, enforce_file_format=True)
        self.stow_type = 'multipart/related; type="application/dicom"; boundary=b0undary'
        self.stow_body = (b"--b0undary\r\nContent-Type: application/dicom\r\n\r\n" + data.getvalue()
                          + b"\r\n--b0undary--\r\n")
        foreign = self.client("expert", hospital="k", specialty="oncology", foreign=True)
        self.consoles = {  # the experts as console people, each signed in; "revoked" is disabled once signed in
            "routed_expert": self.person("mx.routed", "k", "oncology"),
            "unrouted_expert": self.person("mx.unrouted", "bachmai", "neurology"),
            "rerouted_away": self.person("mx.away", "bachmai", "cardiology"),
            "foreign_expert": self.person("mx.abroad", "k", "oncology", foreign=True),
            "revoked": self.person("mx.disabled", "k", "oncology")}
        self.conclude()
        self.live = httpx.post(f"{hub.url}/live", json={"request": CASE}, timeout=30,
                               headers={"Authorization": f"Bearer {own.token()}"}).json()["id"]
        actors = dict(zip(ACTORS, (own, same, other, routed, unrouted, away, revoked, None, foreign)))
        self.tokens = {name: client.token() if client else None for name, client in actors.items()}
        hub.revoke(revoked.credential.client_id)
        from server.console import accounts

        with hub.engine.begin() as conn:
            accounts.disable(conn, accounts.by_login(conn, "mx.disabled").id)

    def conclude(self):
        """A K oncologist (a console person) signs a conclusion after one draft, and starts another."""
        oncologist = Principal("console-an", "expert", hospital="k", specialty="oncology", name="Nguyễn Văn An",
                               person_id="p-an", role="expert")
        issues = [wire.Issue("Chẩn đoán", "Viêm phổi")]
        with self.hub.engine.begin() as conn:
            services.common.store.put(conn, oncologist, wire.conclusion(
                CONCLUSION, CASE, PATIENT, issues, "Kháng sinh", "", date_="2026-01-01T00:00:00Z"), service=True)
            services.sign(conn, oncologist, CONCLUSION, self.hub.config.secret)
            services.common.store.put(conn, oncologist, wire.conclusion(
                DRAFT, CASE, PATIENT, issues, "Chưa xong", "", date_="2026-01-01T00:00:00Z"), service=True)

    def client(self, kind, **fields) -> HubClient:
        _, code = self.hub.register(kind, **fields)
        self.clients.append(HubClient(enroll(self.hub.url, code)))
        return self.clients[-1]

    def person(self, login, hospital, specialty, foreign=False) -> Console:
        from server.console import accounts

        accounts.ensure_person(self.hub.engine, login, password=PASSWORD, name=f"Bác sĩ {login}", title="BS",
                               role="expert", hospital=hospital, specialty=specialty, foreign=foreign)
        console = Console(self.hub)
        assert console.login(login, PASSWORD).status_code == 303 and console.csrf
        return console

    def close(self):
        for client in self.clients:
            client.close()
        for console in self.consoles.values():
            console.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"matrix-{request.param}")
    pacs = LocalOrthanc(folder / "orthanc").start()
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    hub = RunningHub(folder / "hub", url, local_sfu=True, pacs_url=pacs.dicomweb_url).start()
    built = World(hub, pacs, folder)
    yield built
    built.close()
    hub.stop()
    pacs.stop()


CELLS = [(route, actor) for route in routes() for actor in ACTORS]


@pytest.mark.parametrize("route,actor", CELLS, ids=[f"{r.name}-{a}" for r, a in CELLS])
def test_matrix(world, route: Route, actor: str):
    path = route.path.format(upload=world.upload, study=world.study, series=world.series, sop=world.sop,
                             actor=actor.replace("_", "-"), live=world.live)
    headers = dict(route.headers or {})
    token = world.tokens[actor]
    if token:
        headers["Authorization"] = f"Bearer {token}"
    content = None
    if callable(route.body):
        content, more = route.body(world, actor)
        headers.update(more)
    elif isinstance(route.body, dict):
        content = json.dumps(route.body)
    elif route.body is not None:
        content = route.body
    console = world.consoles.get(actor) if route.console else None
    if console is not None:
        if route.method != "GET":
            headers["X-CSRF-Token"] = console.csrf
        if isinstance(route.body, dict):
            headers["Content-Type"] = "application/json"
        reply = console.http.request(route.method, path, content=content, headers=headers, timeout=60)
    else:
        reply = httpx.request(route.method, world.hub.url + path, content=content, headers=headers, timeout=60)
    expected = route.expected[actor]
    if route.console:
        assert reply.status_code == (200 if expected in ("found", "hidden") else expected), reply.text[:300]
        if expected in ("found", "hidden"):
            assert (world.live in reply.text) == (expected == "found")
        if reply.status_code == 303:  # to the open session (a start), else to sign in
            assert reply.headers["location"] == f"/console/live/{world.live}" if route.name == "console live start" \
                else reply.headers["location"].startswith("/console/login"), reply.headers["location"]
        assert "Phạm Văn C" not in reply.text or reply.status_code == 200  # a refusal names no patient
        return
    if expected in ("found", "hidden"):
        assert reply.status_code == 200, reply.text[:300]
        found = [e["resource"]["id"] for e in reply.json().get("entry", [])]
        rid = route.record or RECORDS[route.name.split()[1]][0]
        assert (rid in found) == (expected == "found"), found
        return
    assert reply.status_code == expected, reply.text[:300]
    if reply.status_code >= 400 and route.method != "HEAD":
        assert reply.json()["resourceType"] == "OperationOutcome"
        assert "Phạm Văn C" not in reply.text and '"vr"' not in reply.text  # a refusal carries no record
