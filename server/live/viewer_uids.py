"""The synced viewer's UIDs for a browser participant that holds the case's original images.

The live data channel names a study, series and slice only by their UIDs in the case's de-identified
copy (app/wire/live.py: `deidentified_uid(case id, original)`), since every participant hears it, an
expert abroad too. A station maps them over its own files; the console's page cannot compute them
everywhere (no SHA-256 in a browser outside a secure context), so the hub hands it the mapping with the
join details: de-identified UID -> original, for the studies this participant may open. An expert abroad
gets none: it holds only the de-identified copy, whose UIDs are the channel's as they are; so is a study the
hub holds as that copy (a case marked for abroad sends only it), for everyone.
"""

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.imaging.deid import deidentified_uid
from app.wire import systems

from ..access import Principal
from ..store import ResourceStore
from ..tables import imaging_studies, resources


def originals(conn: Connection, who: Principal, request, studies: list[str]) -> dict[str, str]:
    """De-identified UID -> original UID for every study, series and instance of `studies` (the StudyInstanceUIDs
    `who` may open in the session: join details' `studies`), as the case's ImagingStudy resources list them.
    Empty for an expert abroad, and for a station (it maps over its own files); a de-identified study is left
    out (its UIDs are the channel's)."""
    if who.foreign or who.is_station or not studies:
        return {}
    copies = set(conn.execute(select(imaging_studies.c.study_uid).where(
        imaging_studies.c.request_id == request.id, imaging_studies.c.deidentified.is_(True))).scalars())
    wanted, found = set(studies) - copies, {}
    for study in ResourceStore().select(conn, who, "ImagingStudy", resources.c.request_id == request.id):
        uid = next((i.get("value", "").removeprefix("urn:oid:") for i in study.get("identifier", [])
                    if i.get("system") == systems.DICOM_UID), "")
        if uid not in wanted:
            continue
        uids = [uid]
        for series in study.get("series") or []:
            uids.append(series.get("uid", ""))
            uids += [instance.get("uid", "") for instance in series.get("instance") or []]
        found.update({deidentified_uid(request.id, u): u for u in uids if isinstance(u, str) and u})
    return found
