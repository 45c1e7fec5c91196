"""The references a resource makes, every one of them, for the hub to check before it stores it.

A facility's record may point only at records of the same facility (or at the shared directory):
otherwise a station could file another hospital's patient under its own consultation and hand
that patient to the experts it asks.
"""

import re
from collections.abc import Iterator

from .outcome import FhirError
from .validation import SUPPORTED_TYPES

RELATIVE = re.compile(r"(?P<type>[A-Z][A-Za-z]{1,39})/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/[0-9]{1,9})?")


def references_of(resource: dict) -> Iterator[tuple[str, str, str]]:
    """(FHIRPath-like field, type, id) for every literal reference in `resource`, contained ones included.

    A contained reference ("#x") is local and skipped; any other form (absolute URL, urn:) is refused:
    the hub could not say whose record it is.
    """
    kind = resource.get("resourceType", "Resource")
    for where, value in _walk(resource, kind):
        if value.startswith("#"):
            continue
        match = RELATIVE.fullmatch(value)
        if match is None or match["type"] not in SUPPORTED_TYPES:
            raise FhirError(422, "invalid", f"{where} '{value[:100]}' is not a reference to a record this hub keeps "
                            "(write Type/id, or #id for a contained resource)", [where])
        yield where, match["type"], match["id"]


def _walk(node, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield where, value
            elif isinstance(value, (dict, list)):
                yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, where)
