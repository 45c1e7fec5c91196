"""FHIR R4 REST: transaction Bundles, search, create, read, update, history (the catch-all routes: wired last)."""

import re
import uuid
from collections import Counter
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..outcome import FhirError
from ..store import DEFAULT_COUNT, MAX_COUNT, SearchParams, decode_page_token, etag, fhir_instant, parse_instant
from ..validation import SUPPORTED_TYPES, check_id, check_type, is_id, parse_version_tag, validate
from .common import Hub, fhir_response

_VERSION_ID = re.compile(r"[0-9]{1,9}")  # versions are counted from 1; more than 9 digits cannot exist
_COUNT = re.compile(r"[0-9]{1,9}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?")

SEARCH_CONTROL = {"_count", "_sort", "_page_token", "_format", "_pretty"}
SEARCH_PARAMS = {"_lastUpdated", "_id", "patient", "subject", "based-on"}
# How often one search may repeat a parameter, and all of them together: each becomes a condition
# in one SQL statement (a thousand made SQLite's expression tree too deep: a 500).
SEARCH_REPEATS = {"_lastUpdated": 4, "_id": 100}
SEARCH_REPEATS_OTHER = 10
SEARCH_ITEMS = 100
SEARCH_IDS = 100


def fhir_router(hub: Hub) -> APIRouter:
    router = APIRouter()
    store = hub.store

    @router.post("/")
    async def transaction(request: Request):
        bundle = await hub.json_body(request, "the Bundle")
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise FhirError(400, "invalid", "POST to the base URL takes a Bundle")
        if bundle.get("type") != "transaction":
            raise FhirError(400, "not-supported", "only Bundle.type 'transaction' is supported")
        entries = bundle.get("entry", [])
        if not isinstance(entries, list) or len(entries) > 1000:
            raise FhirError(400, "invalid", "Bundle.entry must be a list of at most 1000 entries", ["Bundle.entry"])
        checked = [_transaction_entry(n, entry) for n, entry in enumerate(entries)]

        def work(conn, who):
            try:
                written = store.put_many(conn, who, checked)
            except FhirError as error:
                if getattr(error, "entry", None) is not None:
                    error.diagnostics = f"Bundle.entry[{error.entry}]: {error.diagnostics}"
                raise
            out = [{"response": {
                "status": "201 Created" if w.created else "200 OK",
                "location": f"{w.resource['resourceType']}/{w.resource['id']}/_history/{w.version}",
                "etag": etag(w.version), "lastModified": fhir_instant(w.last_updated)}} for w in written]
            return fhir_response({"resourceType": "Bundle", "type": "transaction-response", "entry": out})
        return await hub.run(request, "transaction", "Bundle", "", work)

    @router.get("/{kind}")
    async def search(kind: str, request: Request):
        check_type(kind)
        params = _search_params(request)

        def work(conn, who):
            page = store.search(conn, who, kind, params)
            base = hub.public_base(request)
            links = [{"relation": "self", "url": f"{base}/{kind}" + (f"?{request.url.query}" if request.url.query
                                                                      else "")}]
            if page.next_token:
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "_page_token"]
                links.append({"relation": "next",
                              "url": f"{base}/{kind}?{urlencode(query + [('_page_token', page.next_token)])}"})
            return fhir_response({
                "resourceType": "Bundle", "type": "searchset", "link": links,
                "entry": [{"fullUrl": f"{base}/{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                          for r in page.rows]})
        return await hub.run(request, "search", kind, "", work)

    @router.post("/{kind}")
    async def create(kind: str, request: Request):
        check_type(kind)
        resource = await hub.json_body(request, f"the {kind}")
        if isinstance(resource, dict):
            resource = {**resource, "id": str(uuid.uuid4())}  # create: the server names it
        validate(resource, kind)

        def work(conn, who):
            written = store.put(conn, who, resource, method="POST")
            return _written_response(written, 201)
        return await hub.run(request, "create", kind, resource["id"], work)

    @router.get("/{kind}/{resource_id}")
    async def read(kind: str, resource_id: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")

        def work(conn, who):
            resource = store.read(conn, who, kind, resource_id)
            return fhir_response(resource, headers={"ETag": etag(int(resource["meta"]["versionId"])),
                                                    "Last-Modified": resource["meta"]["lastUpdated"]})
        return await hub.run(request, "read", kind, resource_id, work)

    @router.put("/{kind}/{resource_id}")
    async def put(kind: str, resource_id: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")
        resource = validate(await hub.json_body(request, f"the {kind}"), kind, resource_id)
        if_match = request.headers.get("if-match")
        version = parse_version_tag(if_match, "If-Match") if if_match else None
        if_none_match = request.headers.get("if-none-match")
        if if_none_match not in (None, "*"):
            raise FhirError(400, "not-supported", "If-None-Match supports '*' only (create if absent)")

        def work(conn, who):
            written = store.put(conn, who, resource, version, if_none_match=if_none_match == "*")
            return _written_response(written, 201 if written.created else 200)
        return await hub.run(request, "update", kind, resource_id, work)

    @router.get("/{kind}/{resource_id}/_history")
    async def instance_history(kind: str, resource_id: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")

        def work(conn, who):
            versions = store.history(conn, who, kind, resource_id)
            base = hub.public_base(request)
            return fhir_response({"resourceType": "Bundle", "type": "history", "entry": [
                {"fullUrl": f"{base}/{kind}/{resource_id}", "resource": v,
                 "request": {"method": "PUT", "url": f"{kind}/{resource_id}"},
                 "response": {"status": "200", "etag": etag(int(v["meta"]["versionId"]))}} for v in versions]})
        return await hub.run(request, "history", kind, resource_id, work)

    @router.get("/{kind}/{resource_id}/_history/{version}")
    async def vread(kind: str, resource_id: str, version: str, request: Request):
        check_type(kind)
        check_id(resource_id, f"{kind}.id")
        if not _VERSION_ID.fullmatch(version):
            raise FhirError(404, "not-found", f"version '{version[:20]}' is not a version number of this hub")

        def work(conn, who):
            resource = store.history(conn, who, kind, resource_id, int(version))[0]
            return fhir_response(resource, headers={"ETag": etag(int(version))})
        return await hub.run(request, "vread", kind, resource_id, work)

    return router


def _written_response(written, status: int) -> Response:
    resource = written.resource
    return fhir_response(resource, status, {
        "ETag": etag(written.version), "Last-Modified": fhir_instant(written.last_updated),
        "Location": f"{resource['resourceType']}/{resource['id']}/_history/{written.version}"})


def _transaction_entry(n: int, entry) -> tuple[dict, int | None]:
    where, field = f"Bundle.entry[{n}]: ", f"Bundle.entry[{n}]"
    if not isinstance(entry, dict):
        raise FhirError(400, "structure", f"{field} is not an object", [field])
    request, resource = entry.get("request"), entry.get("resource")
    if not isinstance(request, dict):
        raise FhirError(400, "structure", f"{field}.request must be an object with method and url",
                        [f"{field}.request"])
    if request.get("method") != "PUT":
        raise FhirError(400, "not-supported", f"{field}.request.method: only PUT entries (create-or-update by id) "
                        "are supported", [f"{field}.request.method"])
    url, if_match = request.get("url"), request.get("ifMatch")
    if not isinstance(url, str):
        raise FhirError(400, "structure", f"{field}.request.url must be 'Type/id'", [f"{field}.request.url"])
    kind, _, resource_id = url.partition("/")
    if kind not in SUPPORTED_TYPES:
        raise FhirError(400, "not-supported", f"{field}.request.url: resource type '{kind[:40]}' is not supported "
                        "by this server", [f"{field}.request.url"])
    validate(resource, kind, resource_id, where)
    if if_match is None:
        return resource, None
    return resource, parse_version_tag(if_match, f"{field}.request.ifMatch")


def _search_params(request: Request) -> SearchParams:
    items = request.query_params.multi_items()
    keys = Counter(k for k, _ in items)
    unknown = sorted(set(keys) - SEARCH_CONTROL - SEARCH_PARAMS)
    if unknown:
        shown = ", ".join(k[:40] for k in unknown[:10])
        raise FhirError(400, "not-supported", f"search parameter(s) not supported: {shown} (see /metadata)")
    for key, times in keys.items():
        limit = SEARCH_REPEATS.get(key, SEARCH_REPEATS_OTHER)
        if times > limit:
            raise FhirError(400, "too-costly", f"too many search parameters: '{key}' {times} times (at most {limit})",
                            [key])
    if len(items) > SEARCH_ITEMS:
        raise FhirError(400, "too-costly", f"too many search parameters: {len(items)} (at most {SEARCH_ITEMS})")
    values: dict = {"last_updated": [], "ids": []}
    for key, value in items:
        if key == "_lastUpdated":
            op, moment = (value[:2], value[2:]) if value[:2] in ("gt", "ge", "lt", "le", "eq") else ("eq", value)
            try:
                if _DATE_TIME.fullmatch(moment) is None:
                    raise ValueError(moment)
                values["last_updated"].append((op, parse_instant(moment)))
            except ValueError:
                raise FhirError(400, "invalid", f"_lastUpdated '{value[:40]}' is not a date-time",
                                ["_lastUpdated"]) from None
            except OverflowError:  # 0001-01-01T00:00+05:00 is before the first instant a UTC clock can show
                raise FhirError(400, "invalid", f"_lastUpdated '{value[:40]}' is out of range once in UTC",
                                ["_lastUpdated"]) from None
        elif key == "_id":
            values["ids"] += [check_id(v, "_id") for v in value.split(",") if v]
            if len(values["ids"]) > SEARCH_IDS:
                raise FhirError(400, "too-costly", f"_id: at most {SEARCH_IDS} ids in one search", ["_id"])
        elif key in ("patient", "subject"):
            values["patient"] = check_id(value.removeprefix("Patient/"), key)
        elif key == "based-on":
            values["request"] = check_id(value.removeprefix("ServiceRequest/"), key)
        elif key == "_sort":
            if value not in ("_lastUpdated", "-_lastUpdated"):
                raise FhirError(400, "not-supported", "_sort supports _lastUpdated and -_lastUpdated", ["_sort"])
            values["sort"] = value
        elif key == "_count":
            if _COUNT.fullmatch(value) is None:
                raise FhirError(400, "invalid", "_count must be a whole number (0-9)", ["_count"])
            values["count"] = max(1, min(int(value), MAX_COUNT))
        elif key == "_page_token":
            values["after"] = decode_page_token(value)
            if not is_id(values["after"][1]):
                raise FhirError(400, "invalid", "the paging token '_page_token' is damaged; start the search again",
                                ["_page_token"])
    return SearchParams(last_updated=tuple(values.pop("last_updated")), ids=tuple(values.pop("ids")),
                        **{"count": DEFAULT_COUNT, **values})
