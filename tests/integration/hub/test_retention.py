"""Retention (TT 49/2017: at least 10 years): nothing of a sent consultation can be deleted through the hub.

No route takes DELETE; asking anyway answers 405 and every row, version and file stays. Messages
and signed conclusions are append-only (changing them answers 409).
"""

import hashlib

import httpx
from sqlalchemy import func, select

from app.wire import consultation as wire
from server import consultation
from server.tables import audit, history, resources, uploads
from server.uploads import FileStore

from .conftest import Raw
from .test_consultation import EXPERT, ISSUES, reply, services, submit

FILE = "Kết quả xét nghiệm máu".encode() * 50


def counts(hub) -> dict:
    with hub.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("resources", resources), ("history", history), ("uploads", uploads))}


def test_no_route_of_the_hub_deletes(hub):
    deleting = sorted(f"{route.path}" for route in hub.app.routes if "DELETE" in getattr(route, "methods", ()))
    assert deleting == [], "TT 49/2017: consultation records are kept at least 10 years; nothing is deleted"


def test_delete_answers_405_and_every_record_version_and_file_stays(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    expert = enrolled(hub, "expert", hospital="k", specialty="oncology")
    case = submit(station, "0100A")
    digest = hashlib.sha256(FILE).hexdigest()
    url = station.create_upload(len(FILE), digest, {"documentreference": "doc-r", "filename": "xn.txt"})
    station.upload_chunk(url, 0, FILE)
    station.put({"resourceType": "DocumentReference", "id": "doc-r", "status": "current",
                 "subject": {"reference": f"Patient/{case.patient.id}"},
                 "context": {"related": [{"reference": f"ServiceRequest/{case.id}"}]},
                 "content": [{"attachment": {"contentType": "text/plain", "url": url}}]})
    message = reply(station, case)
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "")
        final, provenance = consultation.sign(conn, EXPERT, draft["id"], hub.config.secret,
                                              files=FileStore(hub.config.files_dir))
        consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Bản nháp khác", "")
    minutes = next(d for d in station.search("DocumentReference", {"based-on": case.id}) if wire.is_minutes(d))
    records = {"Patient": case.patient.id, "ServiceRequest": case.id, "Communication": message["id"],
               "DocumentReference": "doc-r", "Composition": final["id"], "Provenance": provenance["id"],
               "Task": next(iter(station.search("Task", {"based-on": case.id})))["id"],
               "Condition": next(iter(station.search("Condition", {"patient": case.patient.id})))["id"]}
    before = counts(hub)
    with hub.engine.connect() as conn:
        audited = conn.execute(select(func.count()).select_from(audit)).scalar_one()
    for client in (station, expert, None):
        raw = Raw(hub, client)
        for kind, record_id in records.items():
            for path in (f"/{kind}/{record_id}", f"/{kind}/{record_id}/_history/1", f"/{kind}"):
                answer = raw("DELETE", path)
                assert answer.status_code == 405, (path, answer.status_code)
        for path in (url.removeprefix(hub.url), minutes["content"][0]["attachment"]["url"]):
            assert raw("DELETE", path).status_code == 405
    assert counts(hub) == before
    with hub.engine.connect() as conn:  # the audit trail only grows
        assert conn.execute(select(func.count()).select_from(audit)).scalar_one() >= audited
    assert station.read("Composition", final["id"]) == final
    pdf = httpx.get(hub.url + minutes["content"][0]["attachment"]["url"], headers=Raw(hub, station).headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert httpx.get(url, headers=Raw(hub, station).headers).content == FILE


def test_messages_and_signed_conclusions_are_append_only(hub, enrolled):
    station = enrolled(hub, facility="0100A")
    case = submit(station, "0100A")
    message = reply(station, case)
    changed = {k: v for k, v in message.items() if k != "meta"} | {"payload": [{"contentString": "sửa lại"}]}
    assert Raw(hub, station)("PUT", f"/Communication/{message['id']}", json=changed).status_code == 409
    with services(hub) as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Hóa trị", "")
        final, provenance = consultation.sign(conn, EXPERT, draft["id"], hub.config.secret)
        store = consultation.common.store
        for resource in (final, provenance):
            body = {k: v for k, v in resource.items() if k != "meta"} | {"language": "vi"}
            try:
                store.put(conn, EXPERT, body, service=True)
            except Exception as error:  # noqa: BLE001 - the status is what is checked
                assert getattr(error, "status", None) == 409, error
            else:
                raise AssertionError(f"{resource['resourceType']} was changed")
    with hub.engine.connect() as conn:
        versions = conn.execute(select(history.c.version).where(history.c.type == "Composition",
                                                                history.c.id == draft["id"])).scalars().all()
    assert sorted(versions) == [1, 2]  # the draft and its signed version, both kept
