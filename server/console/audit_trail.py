"""Every console request by a signed-in person goes into the hub's audit trail as that person.

A pure ASGI middleware (it never buffers a body): after the answer, the method and path (ids of
records, never a query string or form value: those may carry patient data), the record the path
names and the status are written under the client id person:<id>.
"""

from starlette.concurrency import run_in_threadpool

from .. import audit

PREFIX = "/console"
_UNAUDITED = ("/console/static/",)


def action_of(method: str) -> str:
    return "page" if method in ("GET", "HEAD") else "action"


class ConsoleAudit:
    def __init__(self, app, engine_of):
        self.app = app
        self.engine_of = engine_of  # the engine is made after the middleware stack is declared

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX) or path.startswith(_UNAUDITED):
            return await self.app(scope, receive, send)
        recorded = []

        async def send_after_audit(message):
            # Written before the answer leaves: whoever sees the answer finds it in the trail.
            if message["type"] == "http.response.start" and not recorded:
                recorded.append(message["status"])
                await self._maybe_record(scope, message["status"])
            await send(message)
        try:
            await self.app(scope, receive, send_after_audit)
        except Exception:
            if not recorded:
                await self._maybe_record(scope, 500)
            raise

    async def _maybe_record(self, scope, status: int) -> None:
        person = scope.get("state", {}).get("console_person")
        if person is not None:
            await run_in_threadpool(self._record, scope, person, status)

    def _record(self, scope, person, status: int) -> None:
        params = scope.get("path_params") or {}
        record_id = next((str(v) for k, v in params.items() if k.endswith("id")), "")
        with self.engine_of().begin() as conn:
            audit.record(conn, person.client_id, action_of(scope["method"]), status, "console", record_id[:64],
                         f"{scope['method']} {scope.get('path', '')[:300]}")
