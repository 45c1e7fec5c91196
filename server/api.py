"""The hub's HTTP app: FHIR R4 REST, enrollment and tokens, resumable uploads, DICOMweb, wired in order.

Each area is an APIRouter of its own (server/routes/, server/dicomweb.py); this module only builds
the hub's parts and includes them. Order matters: the FHIR routes take any /{kind}, so every other
area is included before them.
"""

import os
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI

from .config import HubConfig
from .console import install_console
from .db import make_engine, migrate
from .dicomweb import add_dicomweb_routes
from .events.stream import events_router
from .live import sweep as live_sweep
from .openapi import openapi_document
from .routes.common import Hub, add_error_handlers, error_response, fhir_response  # noqa: F401  (re-exported)
from .routes.enroll import enroll_router
from .routes.fhir import fhir_router
from .routes.files import files_router
from .routes.live import live_router
from .routes.live_directory import live_directory_router
from .routes.live_recording import live_recording_router
from .store import ResourceStore
from .uploads import FileStore


def create_app(config: HubConfig, engine=None) -> FastAPI:
    engine = engine or make_engine(config.database_url)
    migrate(engine)
    hub = Hub(engine=engine, config=config, store=ResourceStore(), files=FileStore(config.files_dir))
    app = FastAPI(title="Điểm Cầu hub", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  lifespan=_lifespan)
    description = openapi_document()  # by hand: these routes read the raw request, FastAPI cannot see what
    app.openapi = lambda: description
    app.state.engine = engine
    app.state.config = config
    app.state.hub = hub
    app.state.on_shutdown = []

    add_error_handlers(app, hub)
    app.include_router(enroll_router(hub))
    app.include_router(files_router(hub))
    app.include_router(events_router(hub, app.state.on_shutdown))  # push: GET /events
    app.include_router(live_router(hub))  # live consultations on Janus: /live...
    app.include_router(live_recording_router(hub, app.state.on_shutdown))  # consent and recording: /live/{id}/...
    app.include_router(live_directory_router(hub))  # whom to invite, by words: /live/{id}/invitable (+ console's)
    # Imaging: DICOMweb to the PACS (before the FHIR routes, which would take /dicomweb as a type).
    add_dicomweb_routes(app, hub.run, config, hub.store)
    install_console(app)  # the experts' web console and its DICOM viewer, /console (an HTML 404 for the rest)
    app.include_router(fhir_router(hub))  # last: its /{kind} routes match any path
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # Few threads: the work is mostly Python holding the GIL; forty threads fighting for it
    # (the default) served fewer requests per second than eight, each waiting longer.
    to_thread.current_default_thread_limiter().total_tokens = app.state.config.threads
    live_sweep.start(app)  # revoked clients and disabled accounts still in a live room are taken out
    yield
    for close in app.state.on_shutdown:
        await close()


def app_from_environment() -> FastAPI:
    """For uvicorn's worker processes: the hub `diemcau-hub serve --workers N` described in the environment."""
    from dataclasses import replace
    from pathlib import Path

    from .live.config import from_environment

    janus, janus_public_url, turn = from_environment()
    return create_app(replace(HubConfig.in_folder(Path(os.environ["DIEMCAU_HUB_DATA"]),
                                                  os.environ.get("DIEMCAU_HUB_DATABASE") or None),
                              janus=janus, janus_public_url=janus_public_url, turn=turn))
