"""The central hub (FHIR R4 API, enrollment, expert console): issue 6."""
