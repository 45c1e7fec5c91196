"""FHIR errors: every failure leaves the hub as an OperationOutcome with a status code."""

from starlette.responses import Response

FHIR_JSON = "application/fhir+json; charset=utf-8"


class Found(Response):
    """Carries a value out of the API's `run` (which expects a response for its audit record)."""

    def __init__(self, value):
        super().__init__(status_code=200)
        self.value = value


class FhirError(Exception):
    """`code` is from the FHIR issue-type value set (invalid, not-found, conflict, security, ...)."""

    def __init__(self, status: int, code: str, diagnostics: str, expression: list[str] | None = None,
                 headers: dict | None = None):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression or []
        self.headers = headers or {}

    def outcome(self) -> dict:
        return operation_outcome(self.code, self.diagnostics, self.expression,
                                 severity="error" if self.status < 500 else "fatal")


def operation_outcome(code: str, diagnostics: str, expression: list[str] | None = None,
                      severity: str = "error") -> dict:
    issue = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = expression
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def not_found(kind: str, resource_id: str) -> FhirError:
    # The same answer whether the resource does not exist or belongs to another facility:
    # a station must not learn which ids exist elsewhere.
    return FhirError(404, "not-found", f"{kind}/{resource_id} is not known")


def unauthorized(why: str) -> FhirError:
    return FhirError(401, "login", why, headers={"WWW-Authenticate": 'Bearer realm="diemcau-hub"'})


def forbidden(why: str) -> FhirError:
    return FhirError(403, "forbidden", why)
