"""The hub's OpenAPI description (GET /openapi.json), kept by hand beside the routes.

FastAPI cannot describe these routes by itself: they read FHIR JSON, tus headers and DICOMweb
paths from the raw request. This says what they take and answer, precisely enough for a client
generator or a schema fuzzer (tests/integration/hub/test_fuzz.py); a test checks that every
route of the app is described here and every path described here is a route of the app.
"""

from .capability import _BY_TYPE
from .dicomweb_paths import QUERY_KEYS
from .validation import ID_PATTERN, SUPPORTED_TYPES

FHIR_JSON = "application/fhir+json"
DICOM_JSON = "application/dicom+json"
READ_ONLY_TYPES = ("Organization", "Practitioner", "PractitionerRole")  # the directory: the hub's administrators
UID = {"type": "string", "pattern": r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$", "maxLength": 64}
FHIR_ID = {"type": "string", "pattern": f"^{ID_PATTERN}$", "maxLength": 64}
# FHIR strings: at least one character that is not white space, and no control characters but tab, CR, LF.
TEXT = {"type": "string", "minLength": 1,
        "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"}
CODE = {"type": "string", "pattern": r"^[!-~]+( [!-~]+)*$", "maxLength": 64}  # FHIR codes; ASCII ones here
MOMENT = {"type": "string", "pattern": r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:"
                                       r"[0-5][0-9](\.[0-9]{1,3})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$"}

_OUTCOME = {"$ref": "#/components/schemas/OperationOutcome"}
_ERRORS = {"4XX": {"description": "Refused: an OperationOutcome says why and names the field",
                   "content": {FHIR_JSON: {"schema": _OUTCOME}}},
           "5XX": {"description": "The hub failed (audited and logged); an OperationOutcome",
                   "content": {FHIR_JSON: {"schema": _OUTCOME}}}}
_BEARER = [{"bearer": []}]


def openapi_document() -> dict:
    paths: dict = {
        "/metadata": {"get": _operation("metadata", "The CapabilityStatement: what this hub supports", auth=False,
                                        ok={"200": _fhir("CapabilityStatement")})},
        "/": {"post": _operation("transaction", "A transaction Bundle of PUT entries, all or nothing",
                                 body=_fhir_body({"$ref": "#/components/schemas/Bundle"}),
                                 ok={"200": _fhir("Bundle (transaction-response)")})},
        "/enroll": {"post": _operation(
            "enroll", "Exchange a one-time enrollment code for this client's registration (its public key)",
            auth=False, body={"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["code", "jwk"],
                "properties": {"code": TEXT, "jwk": {"$ref": "#/components/schemas/PublicJwk"}}}}}},
            ok={"200": {"description": "The client's id, kind, facility and token endpoint",
                        "content": {"application/json": {"schema": {"type": "object"}}}}})},
        "/auth/token": {"post": {
            "operationId": "token", "summary": "SMART Backend Services: a signed client assertion for a bearer token",
            "security": [],
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["grant_type", "client_assertion_type", "client_assertion"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                    "client_assertion_type": {"type": "string",
                                              "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]},
                    "client_assertion": {"type": "string"}}}}}},
            "responses": {
                "200": {"description": "An access token", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["access_token", "token_type", "expires_in"]}}}},
                "4XX": {"description": "An OAuth 2.0 error (invalid_client, unsupported_grant_type)",
                        "content": {"application/json": {"schema": {"type": "object", "required": ["error"]}}}}}}},
    }
    paths.update(_tus_paths())
    paths.update(_events_paths())
    paths.update(_dicomweb_paths())
    paths.update(_live_paths())
    paths.update(_live_recording_paths())
    for kind in SUPPORTED_TYPES:
        paths.update(_fhir_paths(kind))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Điểm Cầu hub", "version": "1",
                 "description": "HL7 FHIR R4 (JSON) for consultations, tus 1.0 resumable uploads, DICOMweb to the "
                                "hub's PACS, enrollment and SMART Backend Services tokens. Every error is an "
                                "OperationOutcome but /auth/token's, which are OAuth 2.0 errors."},
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
                       "schemas": _schemas()},
        "security": _BEARER,
    }


# -- FHIR ------------------------------------------------------------------------------------------

def _fhir_paths(kind: str) -> dict:
    rid = _path_param("id", FHIR_ID, "The resource's logical id")
    search_params = [
        _query("_id", {"type": "string", "pattern": f"^{ID_PATTERN}(,{ID_PATTERN})*$"}, "Logical id(s)"),
        {"name": "_lastUpdated", "in": "query", "style": "form", "explode": True,
         "description": "When it last changed, with a prefix gt, ge, lt, le or eq; repeat for a range",
         "schema": {"type": "array", "maxItems": 4, "items": {"type": "string", "pattern": (
             r"^(gt|ge|lt|le|eq)?[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
             r"(Z|[+-][0-9]{2}:[0-9]{2})?)?$")}}},
        _query("_count", {"type": "integer", "minimum": 0, "maximum": 100000}, "Page size (at most 500)"),
        _query("_sort", {"type": "string", "enum": ["_lastUpdated", "-_lastUpdated"]}, "Order"),
        _query("_page_token", {"type": "string"}, "The next page, from Bundle.link 'next'"),
    ]
    for name, (_, text, kinds) in _BY_TYPE.items():
        if kind in kinds:
            search_params.append(_query(name, {"type": "string"}, text))
            if name == "patient":
                search_params.append(_query("subject", {"type": "string"}, "The same as patient"))
    writable = kind not in READ_ONLY_TYPES
    resource_body = _fhir_body({"$ref": f"#/components/schemas/{kind}"})
    collection = {"get": _operation(f"search-{kind}", f"Search {kind}", params=search_params,
                                    ok={"200": _fhir("Bundle (searchset)")})}
    collection["post"] = _operation(f"create-{kind}", f"Create a {kind} (the hub names it)", body=resource_body,
                                    ok={"201": _fhir(kind)}, refused="403" if not writable else None)
    put_headers = [_header("If-Match", {"type": "string", "pattern": r'^(W/)?"[0-9]+"$'},
                           "Update only this version (ETag)"),
                   _header("If-None-Match", {"type": "string", "enum": ["*"]}, "Create only")]
    return {
        f"/{kind}": collection,
        f"/{kind}/{{id}}": {
            "get": _operation(f"read-{kind}", f"Read a {kind}", params=[rid], ok={"200": _fhir(kind)}),
            "put": _operation(f"update-{kind}", f"Create or update a {kind} under its own id",
                              params=[rid, *put_headers], body=resource_body,
                              ok={"200": _fhir(kind), "201": _fhir(kind)}, refused="403" if not writable else None)},
        f"/{kind}/{{id}}/_history": {
            "get": _operation(f"history-{kind}", f"Every version of a {kind}", params=[rid],
                              ok={"200": _fhir("Bundle (history)")})},
        f"/{kind}/{{id}}/_history/{{vid}}": {
            "get": _operation(f"vread-{kind}", f"One version of a {kind}",
                              params=[rid, _path_param("vid", {"type": "string", "pattern": "^[0-9]{1,9}$"},
                                                       "The version number")],
                              ok={"200": _fhir(kind)})},
    }


def _schemas() -> dict:
    def obj(properties: dict, required: tuple = (), **more) -> dict:
        """A FHIR element: only the properties named (FHIR allows no others), none empty."""
        out = {"type": "object", "properties": properties, "additionalProperties": False, "minProperties": 1, **more}
        if required:
            out["required"] = list(required)
        return out

    def many(item: dict, most: int = 3) -> dict:
        return {"type": "array", "minItems": 1, "maxItems": most, "items": item}

    ref = {"$ref": "#/components/schemas/Reference"}
    concept = {"$ref": "#/components/schemas/CodeableConcept"}
    coding = {"$ref": "#/components/schemas/Coding"}
    quantity = {"$ref": "#/components/schemas/Quantity"}
    identifier = obj({"system": TEXT, "value": TEXT})
    moment = MOMENT
    note = many(obj({"text": TEXT}, ("text",)))
    element = {  # what every resource may carry
        "id": FHIR_ID,
        "meta": obj({"tag": many(coding), "security": many(coding)}),
        "extension": many({"$ref": "#/components/schemas/Extension"}),
        "identifier": many(identifier),
    }
    status = {"type": "string", "pattern": "^[a-z]+(-[a-z]+)*$", "maxLength": 32}
    by_type = {
        "Patient": ({"active": {"type": "boolean"}, "name": many(obj({"text": TEXT, "family": TEXT})),
                     "gender": {"type": "string", "enum": ["male", "female", "other", "unknown"]},
                     "birthDate": {"type": "string",
                                   "pattern": r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8]))?)?$"},
                     "managingOrganization": ref, "generalPractitioner": many(ref)}, ()),
        "Observation": ({"basedOn": many(ref), "status": status, "category": many(concept), "code": concept,
                         "subject": ref, "effectiveDateTime": moment, "valueQuantity": quantity, "note": note,
                         "component": many(obj({"code": concept, "valueQuantity": quantity}, ("code",)))},
                        ("status", "code")),
        "ServiceRequest": ({"basedOn": many(ref), "replaces": many(ref), "status": status,
                            "intent": {"type": "string", "enum": ["proposal", "plan", "order"]},
                            "category": many(concept), "code": concept,
                            "priority": {"type": "string", "enum": ["routine", "urgent", "asap", "stat"]},
                            "subject": ref, "authoredOn": moment, "requester": ref, "performer": many(ref),
                            "reasonCode": many(concept), "note": note}, ("status", "intent", "subject")),
        "Task": ({"basedOn": many(ref), "status": status, "intent": {"type": "string", "enum": ["order", "plan"]},
                  "priority": {"type": "string", "enum": ["routine", "urgent", "asap", "stat"]},
                  "focus": ref, "for": ref, "authoredOn": moment, "requester": ref, "owner": ref, "note": note},
                 ("status", "intent")),
        "Communication": ({"basedOn": many(ref), "status": status, "category": many(concept), "subject": ref,
                           "sent": moment, "sender": ref, "payload": many(obj({"contentString": TEXT},
                                                                              ("contentString",))),
                           "note": note}, ("status",)),
        "DocumentReference": ({"status": {"type": "string", "enum": ["current", "superseded", "entered-in-error"]},
                               "type": concept, "category": many(concept), "subject": ref,
                               "content": many(obj({"attachment": obj({"url": TEXT, "contentType": CODE,
                                                                       "title": TEXT})}, ("attachment",))),
                               "context": obj({"related": many(ref)})}, ("status", "content")),
        "ImagingStudy": ({"status": status, "subject": ref, "basedOn": many(ref), "note": note,
                          "series": many(obj({"uid": UID, "modality": coding}, ("uid", "modality")))},
                         ("status", "subject")),
        "Appointment": ({"status": status, "basedOn": many(ref), "start": moment, "end": moment,
                         "participant": many(obj({"actor": ref, "status": {
                             "type": "string", "enum": ["accepted", "declined", "tentative", "needs-action"]}},
                             ("status",)))}, ("status", "participant")),
        "Condition": ({"category": many(concept), "code": concept, "subject": ref, "note": note}, ("subject",)),
        "Organization": ({"active": {"type": "boolean"}, "name": TEXT}, ()),
        "Practitioner": ({"active": {"type": "boolean"}, "name": many(obj({"text": TEXT, "family": TEXT}))}, ()),
        "PractitionerRole": ({"active": {"type": "boolean"}, "practitioner": ref, "organization": ref}, ()),
    }
    schemas = {
        "OperationOutcome": {"type": "object", "required": ["resourceType", "issue"], "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["severity", "code"], "properties": {
                    "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                    "code": {"type": "string"}, "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}}}}}}},
        "Reference": obj({"reference": {"type": "string", "pattern": f"^({'|'.join(SUPPORTED_TYPES)})/{ID_PATTERN}$"},
                          "identifier": identifier, "display": TEXT}),
        "Coding": obj({"system": TEXT, "code": CODE, "display": TEXT}),
        "CodeableConcept": obj({"coding": many(coding), "text": TEXT}),
        "Quantity": obj({"value": {"type": "number"}, "unit": TEXT, "system": TEXT, "code": CODE}),
        "Extension": obj({"url": TEXT, "valueString": TEXT, "valueDecimal": {"type": "number"},
                          "valueInteger": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
                          "valueReference": ref}, ("url",), maxProperties=2),
        "PublicJwk": {"type": "object", "required": ["kty"], "properties": {
            "kty": {"type": "string", "enum": ["EC", "RSA"]}, "crv": {"type": "string", "enum": ["P-384"]},
            "x": {"type": "string"}, "y": {"type": "string"}, "n": {"type": "string"}, "e": {"type": "string"}}},
        "Resource": {"oneOf": [{"$ref": f"#/components/schemas/{kind}"} for kind in SUPPORTED_TYPES]},
        "Bundle": obj({"resourceType": {"type": "string", "enum": ["Bundle"]},
                       "type": {"type": "string", "enum": ["transaction"]},
                       "entry": many(obj({"resource": {"$ref": "#/components/schemas/Resource"}, "request": obj({
                           "method": {"type": "string", "enum": ["PUT"]},
                           "url": {"type": "string", "pattern": f"^({'|'.join(SUPPORTED_TYPES)})/{ID_PATTERN}$"},
                           "ifMatch": {"type": "string", "pattern": r'^(W/)?"[0-9]+"$'}}, ("method", "url"))},
                           ("resource", "request")), most=4)}, ("resourceType", "type")),
    }
    for kind, (own, required) in by_type.items():
        schemas[kind] = obj({"resourceType": {"type": "string", "enum": [kind]}, **element, **own},
                            ("resourceType", "id", *required))
    return schemas


# -- tus -------------------------------------------------------------------------------------------

def _tus_paths() -> dict:
    tus = _header("Tus-Resumable", {"type": "string", "enum": ["1.0.0"]}, "The tus version", required=True)
    upload_id = _path_param("upload_id", {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "The hub's upload id")
    return {
        "/files": {
            "options": _operation("tus-options", "What the tus server supports (versions, extensions, limits)",
                                  auth=False, ok={"204": {"description": "Tus-Version, Tus-Extension, Tus-Max-Size"}}),
            "post": _operation("tus-create", "Start an upload (creation extension)", params=[
                tus, _header("Upload-Length", {"type": "string", "pattern": "^[0-9]{1,19}$"}, "The file's size",
                             required=True),
                _header("Upload-Metadata", {"type": "string", "pattern": (
                    r"^[A-Za-z0-9_.-]{1,64}( [A-Za-z0-9+/]*={0,2})?(,[A-Za-z0-9_.-]{1,64}( [A-Za-z0-9+/]*={0,2})?)*$")},
                        "key base64(value) pairs; sha256 (the whole file's, hex) is required")],
                ok={"201": {"description": "Location: the upload's URL"}})},
        "/files/{upload_id}": {
            "head": _operation("tus-offset", "Where the upload stands (Upload-Offset)", params=[upload_id, tus],
                               ok={"200": {"description": "Upload-Offset and Upload-Length headers"}}),
            "patch": _operation("tus-append", "Append a chunk at Upload-Offset", params=[
                upload_id, tus,
                _header("Upload-Offset", {"type": "string", "pattern": "^[0-9]{1,19}$"}, "Where the chunk goes",
                        required=True),
                _header("Upload-Checksum", {"type": "string"}, "sha1|sha256 base64(digest) of the chunk")],
                body={"required": True, "content": {"application/offset+octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}},
                ok={"204": {"description": "The new Upload-Offset"}}),
            "get": _operation("download", "A finished upload's bytes", params=[upload_id], ok={"200": {
                "description": "The file", "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}}})},
    }


# -- DICOMweb --------------------------------------------------------------------------------------

def _dicomweb_paths() -> dict:
    study = _path_param("study", UID, "StudyInstanceUID")
    series = _path_param("series", UID, "SeriesInstanceUID")
    instance = _path_param("instance", UID, "SOPInstanceUID")
    frames = _path_param("frames", {"type": "string", "pattern": r"^[1-9][0-9]{0,5}(,[1-9][0-9]{0,5}){0,99}$"},
                         "Frame numbers, comma-separated")
    query = [_query(key, {"type": "string", "maxLength": 256}, "Passed on to the PACS")
             for key in sorted({"includefield", "limit", "offset"} & QUERY_KEYS)]
    dicom = {"description": "DICOM JSON, or the DICOM objects (multipart/related)",
             "content": {DICOM_JSON: {"schema": {"type": "array", "items": {"type": "object"}}}}}
    shapes = {
        "/dicomweb/studies/{study}": [study],
        "/dicomweb/studies/{study}/metadata": [study],
        "/dicomweb/studies/{study}/series": [study],
        "/dicomweb/studies/{study}/instances": [study],
        "/dicomweb/studies/{study}/series/{series}": [study, series],
        "/dicomweb/studies/{study}/series/{series}/metadata": [study, series],
        "/dicomweb/studies/{study}/series/{series}/instances": [study, series],
        "/dicomweb/studies/{study}/series/{series}/instances/{instance}": [study, series, instance],
        "/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata": [study, series, instance],
        "/dicomweb/studies/{study}/series/{series}/instances/{instance}/rendered": [study, series, instance],
        "/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}":
            [study, series, instance, frames],
    }
    paths: dict = {"/dicomweb": {"get": _operation("dicomweb", "Whether this hub has a PACS, and where STOW goes",
                                                   ok={"200": {"description": "JSON"}})}}
    for path, params in shapes.items():
        name = "wado-" + path.removeprefix("/dicomweb/").replace("/", "-").replace("{", "").replace("}", "")
        paths[path] = {"get": _operation(name, "QIDO-RS / WADO-RS, for a study the caller may read",
                                         params=[*params, *query], ok={"200": dicom})}
    paths["/dicomweb/studies/{study}"]["post"] = _operation(
        "stow", "STOW-RS: store DICOM instances in the PACS, for a consultation of the calling station",
        params=[study, _query("request", FHIR_ID, "The ServiceRequest (consultation) id", required=True)],
        body={"required": True, "content": {"multipart/related": {"schema": {"type": "string", "format": "binary"}}}},
        ok={"200": dicom, "202": dicom})
    return paths


# -- push --------------------------------------------------------------------------------------------

def _events_paths() -> dict:
    cursor = {"type": "string", "pattern": "^[0-9]{1,18}$"}
    stream = {"description": "A Server-Sent Events stream that stays open: `id:` the cursor, `event:` the kind "
                             "(request, question, note, reply, status, conclusion, minutes, outcome, task), `data:` "
                             "JSON {cursor, kind, type, id, request}; a comment every 15 s. Only events about "
                             "records this client may read, and never their content: read them through the API",
              "content": {"text/event-stream": {"schema": {"type": "string"}}}}
    return {"/events": {"get": _operation(
        "events", "Push: what happened to the records this client may read, from a cursor on", params=[
            _query("after", cursor, "resume after this cursor (default: from now)"),
            _header("Last-Event-ID", cursor, "as `after`, sent by an EventSource reconnecting")],
        ok={"200": stream, "429": {"description": "This client has as many streams open as it may",
                                   "content": {FHIR_JSON: {"schema": _OUTCOME}}}})}}


# -- live sessions ---------------------------------------------------------------------------------

def _live_paths() -> dict:
    """server/routes/live.py; /live/janus-events is Janus's (basic auth), not the clients': not described."""
    def json_answer(what: str, required: tuple = ()) -> dict:
        schema = {"type": "object", **({"required": list(required)} if required else {})}
        return {"description": what, "content": {"application/json": {"schema": schema}}}
    ids = {"type": "array", "maxItems": 200, "items": FHIR_ID}
    invitees = {"type": "object", "properties": {"facilities": {"type": "array", "maxItems": 200, "items": {
        "type": "string", "pattern": "^[A-Za-z0-9]{5}$"}}, "people": ids}}
    session = json_answer("The live session: {id, request, state: open|ended, title, started_by, started_at, "
                          "ended_at, invited: {facilities, people}, present: [...], recording: {...}}",
                          ("id", "request", "state", "invited", "present", "recording"))
    live_id = _path_param("live_id", FHIR_ID, "the live session")
    unavailable = {"503": {"description": "No video server (Janus) configured or reachable: code sfu-unavailable",
                           "content": {FHIR_JSON: {"schema": _OUTCOME}}}}

    def post(operation_id: str, summary: str, ok: dict, body: dict | None = None) -> dict:
        return {"post": _operation(operation_id, summary, params=[live_id], ok={**ok, **unavailable}, body=body)}
    return {
        "/live": {
            "post": _operation("live-start", "Start a live consultation on a case (the case's station or an expert "
                               "it is routed to); the open one if there is one (200)", body={
                                   "required": True, "content": {"application/json": {"schema": {
                                       "type": "object", "required": ["request"], "properties": {
                                           "request": FHIR_ID, "title": {"type": "string", "maxLength": 200},
                                           "invite": invitees}}}}},
                               ok={"201": session, "200": session, **unavailable}),
            "get": _operation("live-list", "The open live sessions the caller may join",
                              ok={"200": json_answer("{sessions: [...]}", ("sessions",)), **unavailable})},
        "/live/{live_id}": {"get": _operation("live-read", "A live session the caller may join", params=[live_id],
                                              ok={"200": session, **unavailable})},
        "/live/{live_id}/invitations": post("live-invite", "Invite facilities and people (pushed to them as an "
                                            "`invitation` event)", {"200": session}, body={
                                                "required": True, "content": {"application/json": {
                                                    "schema": invitees}}}),
        "/live/{live_id}/join": post("live-join", "A ticket to join: Janus's address, token, room, room token, "
                                     "opaque id and ICE servers; the display name; the case's code, initials, age, "
                                     "sex; its studies (403 not invited, 409 ended)",
                                     {"200": json_answer("The joining details", ("id", "janus", "display", "case"))}),
        "/live/{live_id}/leave": post("live-leave", "Leave: the caller's tickets no longer let anyone in",
                                      {"200": session}),
        "/live/{live_id}/end": post("live-end", "End the session (its starter or a coordinator of the case's "
                                    "routing): the room is destroyed", {"200": session}),
        "/live/{live_id}/attendance": {"get": _operation(
            "live-attendance", "Who joined from which site, when, and for how long (from Janus's events)",
            params=[live_id], ok={"200": json_answer("{id, attendance: [...]}", ("attendance",)), **unavailable})},
        "/live/{live_id}/invitable": {"get": _operation(  # server/routes/live_directory.py
            "live-directory", "Sites and experts the caller may invite, found by words (accents and case ignored; "
            "at most 20; only to those who may invite in this session)",
            params=[live_id, _query("q", {"type": "string", "maxLength": 200}, "words of a name, place, hospital "
                                    "or specialty, or the start of a facility code")],
            ok={"200": json_answer("{sites: [{facility, name, stations, hospital, invited}], experts: [{id, name, "
                                   "title, hospital, specialty, invited}], more}", ("sites", "experts"))})},
    }


# -- live sessions: consent to recording ------------------------------------------------------------

def _live_recording_paths() -> dict:
    session = {"description": "The live session (server/live/service.py); its `recording` says what runs: "
                              "{state: off|waiting|on|paused, agreed, missing, declined, documents, processing}",
               "content": {"application/json": {"schema": {"type": "object", "required": ["id", "recording"]}}}}
    live_id = _path_param("live_id", FHIR_ID, "the live session")

    def flag(name: str) -> dict:
        return {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": [name], "properties": {name: {"type": "boolean"}}}}}}
    return {
        "/live/{live_id}/consent": {"post": _operation(
            "live-consent", "The caller agrees to the session being recorded, or refuses, or withdraws "
            "(append-only: the latest answer counts)", params=[live_id], body=flag("recording"), ok={"200": session})},
        "/live/{live_id}/recording": {"post": _operation(
            "live-recording", "The starter or a coordinator asks for the recording (it runs only while everyone "
            "present has agreed) or stops it", params=[live_id], body=flag("on"), ok={"200": session})},
        "/live/{live_id}/consents": {"get": _operation(
            "live-consents", "Every answer given on recording the session, oldest first (the consent record)",
            params=[live_id], ok={"200": {"description": "{id, consents: [{participant, site, display, recording, at}]}",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}})},
    }


# -- pieces ----------------------------------------------------------------------------------------

def _operation(operation_id: str, summary: str, params: list | None = None, body: dict | None = None,
               ok: dict | None = None, auth: bool = True, refused: str | None = None) -> dict:
    responses = {**(ok or {}), **_ERRORS}
    if refused:
        responses[refused] = {"description": "Not for clients (the hub's administrators keep these)",
                              "content": {FHIR_JSON: {"schema": _OUTCOME}}}
    operation = {"operationId": operation_id, "summary": summary, "responses": responses}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    if not auth:
        operation["security"] = []
    return operation


def _fhir(what: str) -> dict:
    return {"description": what, "content": {FHIR_JSON: {"schema": {"type": "object"}}}}


def _fhir_body(schema: dict) -> dict:
    return {"required": True, "content": {FHIR_JSON: {"schema": schema}}}


def _path_param(name: str, schema: dict, text: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": text}


def _query(name: str, schema: dict, text: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": text}


def _header(name: str, schema: dict, text: str, required: bool = False) -> dict:
    return {"name": name, "in": "header", "required": required, "schema": schema, "description": text}
