"""The DICOMweb reads the hub passes on to the PACS: an allow-list of path shapes and query keys.

The path the PACS gets is rebuilt from the UIDs parsed here, never copied from the request, so
dot segments, encoded slashes or the PACS's own REST API cannot ride along. Every segment is a
keyword of the shape or a syntactically valid UID; anything else is refused before the PACS is
asked.
"""

import re
from dataclasses import dataclass

from .outcome import FhirError

UID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*")
FRAMES = re.compile(r"[1-9][0-9]{0,5}(,[1-9][0-9]{0,5}){0,99}")
# A BulkDataURI below an instance (as the PACS writes them in metadata): tags, and item numbers
# inside sequences, e.g. bulk/7fe00010 or bulk/00540016/0/00181072.
BULK = re.compile(r"[0-9a-fA-F]{8}(/[0-9]{1,5}/[0-9a-fA-F]{8}){0,4}")
# Query keys a station or a viewer needs (QIDO-RS paging and filters below the study, rendering).
# Never StudyInstanceUID: the study is the one in the path, and only that one.
QUERY_KEYS = {"includefield", "limit", "offset", "fuzzymatching", "window", "viewport", "quality",
              "Modality", "00080060", "SeriesInstanceUID", "0020000E", "SOPInstanceUID", "00080018",
              "SeriesNumber", "00200011", "InstanceNumber", "00200013", "SeriesDescription", "0008103E"}
UID_KEYS = {"SeriesInstanceUID", "0020000E", "SOPInstanceUID", "00080018"}
LEAVES = ("metadata", "rendered")
MAX_QUERY_ITEMS = 64


@dataclass(frozen=True)
class DicomwebTarget:
    study: str
    series: str | None = None
    instance: str | None = None
    frames: str | None = None
    bulk: str | None = None
    query: str | None = None  # "series" or "instances": a QIDO-RS search below the study
    leaf: str | None = None   # "metadata", "rendered", or None for the object itself

    @property
    def path(self) -> str:
        """The PACS-relative path, rebuilt from the parsed parts."""
        parts = ["studies", self.study]
        if self.series:
            parts += ["series", self.series]
        if self.instance:
            parts += ["instances", self.instance]
        if self.frames:
            parts += ["frames", self.frames]
        if self.bulk:
            parts += ["bulk", self.bulk]
        if self.query:
            parts.append(self.query)
        if self.leaf:
            parts.append(self.leaf)
        return "/".join(parts)

    @property
    def level(self) -> tuple[str, str]:
        """(what was fetched, its UID), for the audit trail."""
        if self.instance:
            return "instance", self.instance
        if self.series:
            return "series", self.series
        return "study", self.study


def refused(why: str) -> FhirError:
    return FhirError(400, "not-supported", f"DICOMweb: {why}")


def uid(text: str, what: str) -> str:
    if len(text) > 64 or not UID.fullmatch(text):
        raise FhirError(400, "invalid", f"{what} '{text[:80]}' is not a DICOM UID (digits and dots, at most 64)")
    return text


def parse_path(raw_path: str) -> DicomwebTarget:
    """`raw_path`: the request's path as sent (still percent-encoded), starting at /dicomweb/.

    Raises FhirError(400) for anything outside the allow-list.
    """
    if "%" in raw_path or "\\" in raw_path:
        raise refused("encoded or back-slashed characters are not allowed in the path")
    if not raw_path.startswith("/dicomweb/studies/"):
        raise refused("only /dicomweb/studies/{StudyInstanceUID}/... is served")
    segments = raw_path[len("/dicomweb/"):].split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise refused("empty or dot segments are not allowed in the path")
    it = iter(segments[1:])
    study = uid(next(it), "StudyInstanceUID")
    fields: dict = {"study": study}
    for keyword in it:
        if keyword == "series" and "series" not in fields and "query" not in fields:
            value = next(it, None)
            if value is None:
                fields["query"] = "series"
                continue
            fields["series"] = uid(value, "SeriesInstanceUID")
        elif keyword == "instances" and "instance" not in fields and "query" not in fields:
            value = next(it, None)
            if value is None:
                fields["query"] = "instances"
                continue
            if "series" not in fields:
                raise refused("an instance is read as studies/{study}/series/{series}/instances/{instance}")
            fields["instance"] = uid(value, "SOPInstanceUID")
        elif keyword == "frames" and "instance" in fields and "frames" not in fields:
            value = next(it, "")
            if not FRAMES.fullmatch(value):
                raise FhirError(400, "invalid", f"frame list '{value[:80]}' is not 1,2,3...")
            fields["frames"] = value
        elif keyword == "bulk" and "instance" in fields and "frames" not in fields:
            value = "/".join(it)
            if not BULK.fullmatch(value):
                raise FhirError(400, "invalid", f"bulk data path '{value[:80]}' is not tag[/item/tag...]")
            fields["bulk"] = value
        elif keyword in LEAVES and "query" not in fields and "bulk" not in fields:
            if next(it, None) is not None:
                raise refused(f"nothing may follow /{keyword}")
            if keyword == "metadata" and "frames" in fields:
                raise refused("frames have no metadata")
            fields["leaf"] = keyword
        else:
            raise refused(f"'{keyword[:40]}' is not a DICOMweb path segment the hub serves here")
    if "frames" in fields and fields.get("leaf") not in (None, "rendered"):
        raise refused("frames are read whole or rendered")
    return DicomwebTarget(**fields)


def check_query(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The query parameters passed on to the PACS: known keys only, UIDs checked."""
    if len(items) > MAX_QUERY_ITEMS:
        raise refused(f"at most {MAX_QUERY_ITEMS} query parameters")
    for key, value in items:
        if key not in QUERY_KEYS:
            raise FhirError(400, "not-supported", f"DICOMweb query parameter '{key[:40]}' is not passed on "
                            f"(allowed: {', '.join(sorted(QUERY_KEYS))})", [key[:40]])
        if key in UID_KEYS:
            for part in value.split(","):
                uid(part, key)
        elif len(value) > 256 or "\x00" in value:
            raise FhirError(400, "invalid", f"DICOMweb query parameter '{key}' is too long", [key])
    return items
