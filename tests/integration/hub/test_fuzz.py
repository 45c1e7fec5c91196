"""Schema fuzzing: schemathesis drives every operation of the hub's /openapi.json, as an enrolled station.

A few examples per operation, schema-conforming and not, on SQLite and on PostgreSQL, within a
time budget: no answer may be a 5xx, and every error but /auth/token's (OAuth 2.0 errors) must be
an OperationOutcome. The figures are printed for the record (pytest -s, or -rP).
"""

import re
import time

import pytest
import requests
import schemathesis
from fastapi.routing import iter_route_contexts
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app.wire import systems
from server.api import create_app
from server.config import HubConfig
from server.openapi import openapi_document

# Examples per operation: inside the schema, and outside it (where the bugs were: nulls, wrong types).
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 10}
BUDGET_S = 45      # per database: fewer examples per operation when the machine is slow, never fewer operations
STREAMS = ("/events",)  # not fuzzed: a stream stays open
KNOWN_ID = "p-1"   # a record that exists, so reads and updates also reach it and not only 404

# tus chunks and STOW bodies are bytes as they are.
schemathesis.serializer.alias(["application/offset+octet-stream", "multipart/related"], "application/octet-stream")


@pytest.fixture
def hub(hub_with_sfu):
    """With a Janus of its own: the live routes answer as in use (without one they answer 503 by design)."""
    return hub_with_sfu


def seed(station):
    station.transaction([
        {"resourceType": "Patient", "id": KNOWN_ID, "name": [{"text": "Lê Thị Hoa"}]},
        {"resourceType": "ServiceRequest", "id": KNOWN_ID, "status": "active", "intent": "order",
         "subject": {"reference": f"Patient/{KNOWN_ID}"},
         "category": [{"coding": [{"system": systems.SPECIALTY, "code": "cardiology"}]}],
         "performer": [{"identifier": {"system": systems.CENTRAL_HOSPITAL, "value": "bachmai"}}]},
        {"resourceType": "Observation", "id": KNOWN_ID, "status": "final", "code": {"text": "Mạch"},
         "subject": {"reference": f"Patient/{KNOWN_ID}"}, "basedOn": [{"reference": f"ServiceRequest/{KNOWN_ID}"}],
         "valueQuantity": {"value": 1.50, "unit": "/min"}},
    ])


class Findings:
    def __init__(self):
        self.operations = self.cases = self.unsent = 0
        self.statuses: dict[int, int] = {}
        self.wrong: list[str] = []

    def check(self, case, response) -> None:
        self.cases += 1
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        label = f"{case.method} {case.formatted_path} -> {status}"
        if status >= 500:
            self.wrong.append(f"5xx: {label}: {response.text[:200]}\n  {case.as_curl_command()}")
        elif status >= 400 and case.method != "HEAD":
            try:
                body = response.json()
            except ValueError:
                body = None
            if case.path == "/auth/token":
                ok = isinstance(body, dict) and "error" in body
            else:
                ok = isinstance(body, dict) and body.get("resourceType") == "OperationOutcome" and body.get("issue")
            if not ok:
                self.wrong.append(f"not an OperationOutcome: {label}: {response.text[:200]}\n  {case.as_curl_command()}")

    def figures(self) -> str:
        fives = sum(n for status, n in self.statuses.items() if status >= 500)
        shown = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return (f"{self.operations} operations, {self.cases} cases, {fives} 5xx, "
                f"{len(self.wrong)} wrong answers ({shown}; {self.unsent} not sendable)")


def _flat_routes(app):
    """Every route, those of included APIRouters too (FastAPI keeps an included router as one entry), as served:
    with its router's prefix and include_in_schema."""
    return list(iter_route_contexts(app.routes))


def test_the_openapi_description_covers_every_route_and_no_other(tmp_path):
    app = create_app(HubConfig.in_folder(tmp_path / "hub"))
    document = openapi_document()
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    routes = [(method, route) for route in _flat_routes(app) if getattr(route, "include_in_schema", False)
              for method in route.methods]

    def concrete(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "1.2", path)

    def served_by(method: str, path: str):
        return [route for m, route in routes if m == method and route.path_regex.fullmatch(concrete(path))]

    assert not [(m, p) for m, p in described if not served_by(m, p)], "described, but no route serves it"
    used = {id(route) for m, p in described for route in served_by(m, p)[:1]}
    assert not [(m, r.path) for m, r in routes if id(r) not in used], "a route the description leaves out"


def test_fuzzing_the_api_finds_no_5xx_and_only_operation_outcomes(hub, enrolled):
    station = enrolled(hub, facility="01001")
    seed(station)
    schema = schemathesis.openapi.from_url(f"{hub.url}/openapi.json", timeout=30)
    # GET /events answers a stream that never ends (tests/integration/hub/test_events.py covers it).
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path not in STREAMS]
    session = requests.Session()
    auth = {"Authorization": f"Bearer {station.token()}"}  # fixed: never a made-up token (a 401 tests nothing)
    found = Findings()
    started = time.monotonic()

    def send(case) -> None:
        try:
            response = case.call(base_url=hub.url, session=session, timeout=30)
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL, UnicodeError, ValueError):
            found.unsent += 1  # the client library will not put it on the wire: nothing reached the hub
            return
        found.check(case, response)

    per_case = 0.05  # seconds to make and send one case: measured as it goes, to spread the budget
    for n, operation in enumerate(operations):
        found.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            left = BUDGET_S - (time.monotonic() - started)
            share = left / (len(operations) - n) * EXAMPLES[mode] / sum(EXAMPLES.values())
            examples = max(1, min(EXAMPLES[mode], int(share / per_case)))  # every operation gets at least one
            strategy = operation.as_strategy(generation_mode=mode, headers=auth)
            if mode == GenerationMode.POSITIVE and any(p.name == "id" for p in operation.path_parameters):
                strategy = st.one_of(strategy, operation.as_strategy(headers=auth, path_parameters={"id": KNOWN_ID}))
            made = [0]

            @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def run(case):
                made[0] += 1
                send(case)
            began = time.monotonic()
            try:
                run()
            except Unsatisfiable:
                pass  # nothing to make in this mode (no input outside the schema: no parameters, no body)
            if made[0]:
                per_case = 0.7 * per_case + 0.3 * (time.monotonic() - began) / made[0]
    elapsed = time.monotonic() - started
    session.close()
    figures = f"schema fuzzing ({hub.engine.dialect.name}): {found.figures()} in {elapsed:.0f} s"
    print(figures)
    assert found.operations == len(operations) > 90, figures
    assert not found.wrong, figures + "\n" + "\n".join(found.wrong[:20])
