"""The console's DICOM viewer: dwv (npm) in a page of our own, reading the hub's access-checked DICOMweb.

The page names only the study's UID; every pixel and header comes through /dicomweb on the same
origin with the person's session cookie, where the same access rules as for an expert's API client
decide (server/dicomweb.py). Nothing is fetched from another origin: the libraries are served from
node_modules (installed by `npm ci` from package-lock.json), under an allow-list of files.

Why dwv and not OHIF's built viewer: @ohif/app 3.13.2 does not install from npm (its dependencies
@ohif/i18n and @ohif/ui 3.13.2 were never published, so `npm ci` fails), and its dist/ is 204 MB;
dwv is one 600 KB module plus Konva, installs in seconds, and leaves the page small enough for a
district-to-centre link.
"""

import gzip
import json
import re
import secrets
from functools import lru_cache
from html import escape
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ..access import Principal
from ..dicomweb_paths import UID
from ..outcome import unauthorized
from .accounts import N_
from .sessions import COOKIE, current_person, lookup
from .templating import language_of, translations

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
OWN_FILES = Path(__file__).resolve().parent / "static" / "viewer"
MOUNT = "/console/viewer"
# The library files the page may load, by the name it asks for them (nothing else of node_modules).
LIBRARIES = {
    "dwv/dwv.min.js": NODE_MODULES / "dwv" / "dist" / "dwv.min.js",
    "konva.min.js": NODE_MODULES / "konva" / "konva.min.js",
    "magic-wand.min.js": NODE_MODULES / "magic-wand-tool" / "dist" / "magic-wand.min.js",
}
# dwv's decoders (JPEG, JPEG 2000, RLE) run in workers it loads relative to dwv.min.js.
WORKER = re.compile(r"dwv/assets/workers/([a-z0-9]+)\.worker\.min\.js")
OWN = ("viewer.js", "viewer.css", "konva.js", "jszip.js", "magic-wand.js")
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}

# The page's words, as msgids of the console's gettext catalogues (locales/<lang>/LC_MESSAGES/console.po).
MESSAGES = {
    "title": N_("DICOM viewer"), "series": N_("Series"), "tools": N_("Tools"), "presets_title": N_("Window"),
    "scroll": N_("Scroll slices"), "windowlevel": N_("Window / level"), "zoompan": N_("Zoom / pan"),
    "reset": N_("Reset"), "key": N_("Next key image ★"), "slice": N_("Slice"), "window": N_("Window"),
    "loading": N_("Loading images…"), "unavailable": N_("There are no images of this study you may see."),
    "empty": N_("This study has no images yet."), "back": N_("← Inbox"),
    "help": N_("Mouse wheel or ↑↓ keys change the slice; drag to use the selected tool."),
}
# Window/level presets, as radiologists name them (the centre and width are in viewer.js).
PRESETS = {"lung": N_("Lung"), "mediastinum": N_("Mediastinum"), "bone": N_("Bone"), "brain": N_("Brain"),
           "abdomen": N_("Abdomen")}


def labels_of(language: str) -> dict:
    gettext = translations(language).gettext
    return {**{key: gettext(text) for key, text in MESSAGES.items()},
            "presets": {key: gettext(text) for key, text in PRESETS.items()}}


def session_principal(conn, request: Request) -> Principal:
    """The Principal of the person whose console session `request` carries, for a DICOMweb read.

    The same person and rules as the console's pages (sessions.lookup in the read's own transaction);
    401 without a live session, and for an administrator still without a second factor.
    """
    session = lookup(conn, request.cookies.get(COOKIE))
    if session is None or (session.person.role == "admin" and not session.person.has_totp):
        raise unauthorized("this request needs a bearer token (POST /auth/token) or a console session")
    return session.person.principal


def viewer_page(study: str, language: str) -> Response:
    if len(study) > 64 or not UID.fullmatch(study):
        return HTMLResponse("<!doctype html><title>400</title><p>study=&lt;StudyInstanceUID&gt;</p>", 400)
    if not LIBRARIES["dwv/dwv.min.js"].is_file():
        return HTMLResponse("<!doctype html><title>503</title><p>The viewer's files are not installed: run "
                            "<code>npm ci</code> in the hub's folder.</p>", 503)
    labels = labels_of(language)
    nonce = secrets.token_urlsafe(16)
    imports = {"dwv": f"{MOUNT}/lib/dwv/dwv.min.js", "konva": f"{MOUNT}/static/konva.js",
               "jszip": f"{MOUNT}/static/jszip.js", "magic-wand-tool": f"{MOUNT}/static/magic-wand.js"}
    # JSON inside <script>: "</" must not close the element.
    config = json.dumps({"study": study, "labels": labels}, ensure_ascii=False).replace("</", "<\\/")
    t = {k: escape(v) for k, v in labels.items() if isinstance(v, str)}
    html = f"""<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<!-- dwv starts its decoder workers at ./assets/workers/ of the document's base: make that its own folder
     (every other address in this page is absolute). -->
<link rel="icon" href="data:,">
<base href="{MOUNT}/lib/dwv/">
<title>{t['title']}</title>
<link rel="stylesheet" href="{MOUNT}/static/viewer.css">
<script type="importmap" nonce="{nonce}">{json.dumps({"imports": imports})}</script>
<script id="viewer-config" type="application/json">{config}</script>
<script src="{MOUNT}/lib/konva.min.js"></script>
<script src="{MOUNT}/lib/magic-wand.min.js"></script>
<script type="module" src="{MOUNT}/static/viewer.js"></script>
</head>
<body>
<div id="viewer" data-state="starting">
<header><a href="/console/inbox" id="back">{t['back']}</a><strong>{t['title']}</strong>
<span id="status" role="status"></span></header>
<aside>
<h2>{t['series']}</h2><ul id="series"></ul>
<h2>{t['tools']}</h2>
<button type="button" data-tool="Scroll" aria-pressed="true">{t['scroll']}</button>
<button type="button" data-tool="WindowLevel" aria-pressed="false">{t['windowlevel']}</button>
<button type="button" data-tool="ZoomAndPan" aria-pressed="false">{t['zoompan']}</button>
<button type="button" id="reset">{t['reset']}</button>
<button type="button" id="key" hidden>{t['key']}</button>
<h2>{t['presets_title']}</h2><div id="presets"></div>
<p>{t['help']}</p>
</aside>
<div id="layerGroup0"></div>
<footer><span id="position"></span><input type="range" id="slice" min="0" max="0" value="0"
 aria-label="{t['slice']}"><span id="window"></span></footer>
</div>
</body>
</html>"""
    return HTMLResponse(html, headers={
        # Same origin only: DICOMweb, scripts, dwv's decoder workers; Konva draws into canvases; a
        # series fetched while its key image shows is handed to dwv as a blob: URL.
        "Content-Security-Policy": f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; "
                                   "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                                   "connect-src 'self' blob:; worker-src 'self' blob:; base-uri 'self'; "
                                   "form-action 'none'; frame-ancestors 'self'",
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"})


def _file(path: Path, request: Request) -> Response:
    if not path.is_file():
        return Response(status_code=404)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
    media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    if "gzip" in request.headers.get("accept-encoding", ""):
        # Compressed once per file version: dwv and Konva shrink from 800 KB to about 230 KB, the
        # difference between 7 s and 2 s on a 1 Mbit/s link.
        return Response(_gzipped(path, path.stat().st_mtime_ns), media_type=media_type,
                        headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(path, media_type=media_type, headers=headers)


@lru_cache(maxsize=32)
def _gzipped(path: Path, _version: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def viewer_router() -> APIRouter:
    router = APIRouter(prefix=MOUNT, include_in_schema=False)  # a console page, not part of the API

    @router.get("")
    def viewer(request: Request, study: str = "", person=Depends(current_person)):
        return viewer_page(study, language_of(request, person))

    @router.get("/static/{name}")
    def own_file(name: str, request: Request):
        return _file(OWN_FILES / name, request) if name in OWN else Response(status_code=404)

    @router.get("/lib/{name:path}")
    def library(name: str, request: Request):
        if name in LIBRARIES:
            return _file(LIBRARIES[name], request)
        if match := WORKER.fullmatch(name):
            return _file(NODE_MODULES / "dwv" / "dist" / "assets" / "workers" / f"{match[1]}.worker.min.js", request)
        return Response(status_code=404)

    return router
