"""`diemcau-hub`: run the central hub and administer its clients.

    diemcau-hub serve --data /var/lib/diemcau-hub --database postgresql://... --pacs http://...:8042/dicom-web \
        --public-url https://hub.diemcau.vn
    diemcau-hub add-station --facility 01234 --name "TTYT huyện Mèo Vạc"
    diemcau-hub add-expert --hospital bachmai --specialty cardiology --name "Bs. Trần"
    diemcau-hub revoke CLIENT_ID
    diemcau-hub clients
    diemcau-hub user add --login bs.lan --name "..." --role expert|coordinator|admin ...   (server/console/cli.py)
    diemcau-hub backup --to /backup/2026-11-29          (server/backup.py, docs/retention.md)
    diemcau-hub restore --from /backup/2026-11-29       (into an empty database and data folder)
"""

import argparse
import json
import os
import sys
from pathlib import Path

# On stopping, requests in flight get this long to finish; open event streams (GET /events) never
# finish by themselves, and their clients reconnect to another worker or the restarted hub.
GRACE_S = 5


def _config(args):
    from dataclasses import replace

    from .config import HubConfig

    config = HubConfig.in_folder(Path(args.data), args.database or os.environ.get("DIEMCAU_HUB_DATABASE"),
                                 getattr(args, "pacs", None), getattr(args, "public_url", None))
    if getattr(args, "command", "") != "serve":
        return config
    from .live.config import from_environment, janus_from, turn_from

    try:
        janus, janus_public, turn = from_environment()
        if args.janus_url:
            janus, janus_public = janus_from(args.janus_url), args.janus_public_url or ""
        turn = turn_from(args.turn_url, args.turn_secret) or turn
    except ValueError as error:
        raise SystemExit(f"diemcau-hub: {error}") from None
    return replace(config, janus=janus, janus_public_url=janus_public, turn=turn)


def _engine(args):
    from .db import make_engine, migrate

    engine = make_engine(_config(args).database_url)
    migrate(engine)
    return engine


def serve(args) -> int:
    import uvicorn

    from .api import create_app

    if args.workers > 1:
        return serve_workers(args)
    config, pacs, sfu = _config(args), None, None
    if not config.public_url and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"diemcau-hub: listening on {args.host} without --public-url: only clients on this machine "
              "(127.0.0.1) will get tokens; give the address stations use", file=sys.stderr)
    if args.local_pacs:
        config, pacs = with_local_pacs(config, Path(args.data))
    if args.local_sfu and config.janus is None:
        if not args.port:  # Janus must be told where to post its events before the hub listens
            from .live.janus_process import free_port

            args.port = free_port()
        scheme = "https" if args.tls_cert else "http"
        config, sfu = with_local_sfu(config, Path(args.data), f"{scheme}://127.0.0.1:{args.port}/live/janus-events")
    app = create_app(config)
    ready = Path(args.ready_file) if args.ready_file else None

    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                            workers=1, ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key,
                            timeout_graceful_shutdown=GRACE_S)
    server = uvicorn.Server(config)
    if args.exit_with:
        import threading
        import time

        def watch_parent():
            # The embedded hub must not outlive its station, even one killed with -9.
            while True:
                try:
                    os.kill(args.exit_with, 0)
                except ProcessLookupError:
                    server.should_exit = True
                    return
                time.sleep(1)
        threading.Thread(target=watch_parent, daemon=True).start()
    if ready:
        import threading
        import time

        def announce():
            while not server.started:
                time.sleep(0.02)
            port = server.servers[0].sockets[0].getsockname()[1]
            ready.write_text(str(port))
        threading.Thread(target=announce, daemon=True).start()
    if pacs is not None or sfu is not None:
        import signal

        # uvicorn ends on SIGTERM by raising it again once it has shut down: turn that into an
        # exit that runs the `finally` below, so the PACS and Janus are closed before the hub is gone.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    finally:
        if pacs is not None:
            pacs.stop()
        if sfu is not None:
            sfu.stop()
    return 0


def with_local_pacs(config, folder: Path):
    """(config with an Orthanc of its own under `folder`/pacs, the running Orthanc) when Orthanc is
    installed; otherwise (config, None) and DICOM is kept as plain files."""
    from dataclasses import replace

    from . import local_pacs

    if not local_pacs.available():
        print("diemcau-hub: Orthanc with DICOMweb is not installed; DICOM will be kept as plain files",
              file=sys.stderr)
        return config, None
    pacs = local_pacs.LocalOrthanc(folder / "pacs").start()
    return replace(config, pacs_url=pacs.dicomweb_url), pacs


def with_local_sfu(config, folder: Path, events_url: str):
    """(config with a Janus of its own under `folder`/sfu posting its events to `events_url`, the running
    Janus) when Janus is installed; otherwise (config, None) and live consultations answer 503."""
    from dataclasses import replace

    from .live.janus_process import JanusNotAvailable, JanusProcess

    try:
        sfu = JanusProcess(folder / "sfu", events_url=events_url, die_with_parent=True).start()
    except JanusNotAvailable as error:
        print(f"diemcau-hub: no local video server ({error}); live consultations are unavailable",
              file=sys.stderr)
        return config, None
    return replace(config, janus=sfu.settings), sfu


def serve_workers(args) -> int:
    """Several processes on one port (uvicorn's supervisor): the hub keeps no state outside the database."""
    import uvicorn

    _engine(args).dispose()  # migrate once, before the workers start
    config = _config(args)
    from .live.config import to_environment

    os.environ.update({"DIEMCAU_HUB_DATA": str(Path(args.data).resolve()),
                       "DIEMCAU_HUB_DATABASE": config.database_url, "DIEMCAU_HUB_PACS": config.pacs_url,
                       "DIEMCAU_HUB_PUBLIC_URL": config.public_url,
                       **to_environment(config.janus, config.janus_public_url, config.turn)})
    uvicorn.run("server.api:app_from_environment", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="warning", access_log=False, timeout_graceful_shutdown=GRACE_S,
                ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key)
    return 0


def add_client(args, kind: str) -> int:
    from . import auth

    with _engine(args).begin() as conn:
        try:
            client_id, code = auth.register_client(conn, kind, args.name, facility=getattr(args, "facility", ""),
                                                   hospital=getattr(args, "hospital", ""),
                                                   specialty=getattr(args, "specialty", ""),
                                                   foreign=getattr(args, "abroad", False))
        except ValueError as error:
            print(f"diemcau-hub: {error}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps({"client_id": client_id, "enrollment_code": code}))
    else:
        print(f"Client {client_id}\nEnrollment code (valid 7 days, once): {code}")
    return 0


def revoke(args) -> int:
    from . import auth

    with _engine(args).begin() as conn:
        done = auth.revoke(conn, args.client_id)
    print("revoked" if done else "no such client, or already revoked")
    return 0 if done else 1


def list_clients(args) -> int:
    from sqlalchemy import select

    from .tables import clients

    with _engine(args).begin() as conn:
        for row in conn.execute(select(clients).order_by(clients.c.created_at)):
            state = "revoked" if row.revoked_at else ("enrolled" if row.enrolled_at else "waiting")
            where = row.facility or f"{row.hospital}/{row.specialty}"
            print(f"{row.id}  {row.kind:7}  {where:24}  {state:8}  {row.name}")
    return 0


def backup_or_restore(args) -> int:
    from . import backup

    url = backup.default_database_url(Path(args.data), args.database)
    try:
        if args.command == "backup":
            manifest = backup.backup(Path(args.data), url, Path(args.to))
        else:
            manifest = backup.restore(Path(args.source), Path(args.data), url)
    except backup.BackupError as error:
        print(f"diemcau-hub: {error}", file=sys.stderr)
        return 1
    print(f"{args.command}: {manifest['database']} database and {len(manifest['files'])} files, checked")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="diemcau-hub", description="Điểm Cầu central hub")
    parser.add_argument("--data", default=os.environ.get("DIEMCAU_HUB_DATA", "hub-data"),
                        help="folder for files, the secret and (by default) the SQLite database")
    parser.add_argument("--database", help="SQLAlchemy URL, e.g. postgresql://user@host/diemcau "
                        "(default: SQLite in --data)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the HTTP API")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--pacs", help="the PACS's DICOMweb root, e.g. http://hub:secret@127.0.0.1:8042/dicom-web "
                     "(default: DIEMCAU_HUB_PACS; none: DICOM is kept as plain files)")
    run.add_argument("--local-pacs", action="store_true",
                     help="run an Orthanc of its own under --data/pacs (one-machine set-ups; needs orthanc)")
    run.add_argument("--janus-url", help="the Janus API root the hub makes live rooms on, e.g. "
                     "http://127.0.0.1:8088/janus; its secrets come from DIEMCAU_HUB_JANUS_ADMIN_KEY, "
                     "DIEMCAU_HUB_JANUS_TOKEN_SECRET and DIEMCAU_HUB_JANUS_EVENTS_PASSWORD (docs/live.md)")
    run.add_argument("--janus-public-url", help="the Janus address participants are given, when it is not "
                     "--janus-url (e.g. https://sfu.diemcau.vn/janus behind a reverse proxy)")
    run.add_argument("--local-sfu", action="store_true",
                     help="run a Janus of its own under --data/sfu (one-machine set-ups; needs janus)")
    run.add_argument("--turn-url", help="TURN server(s) handed to participants, comma-separated, e.g. "
                     "turns:turn.diemcau.vn:5349 (default: DIEMCAU_HUB_TURN_URL)")
    run.add_argument("--turn-secret", help="coturn's static-auth-secret (default: DIEMCAU_HUB_TURN_SECRET, "
                     "preferred: the command line is visible to other users)")
    run.add_argument("--workers", type=int, default=1, help="processes serving the API (about one per core)")
    run.add_argument("--public-url", help="the address stations use, e.g. https://hub.diemcau.vn (default: "
                     "DIEMCAU_HUB_PUBLIC_URL); client assertions must be made out to <it>/auth/token. Required "
                     "unless every station reaches the hub at 127.0.0.1/localhost")
    run.add_argument("--tls-cert")
    run.add_argument("--tls-key")
    run.add_argument("--ready-file", help="write the port here once listening (for supervisors and tests)")
    run.add_argument("--exit-with", type=int, metavar="PID", help="stop when this process ends (embedded hub)")
    station = commands.add_parser("add-station", help="register a station; prints its enrollment code")
    station.add_argument("--facility", required=True, help="5-character facility code (mã cơ sở KCB)")
    station.add_argument("--name", default="")
    station.add_argument("--json", action="store_true")
    expert = commands.add_parser("add-expert", help="register an expert console; prints its enrollment code")
    expert.add_argument("--hospital", required=True)
    expert.add_argument("--specialty", required=True)
    expert.add_argument("--name", default="")
    expert.add_argument("--abroad", action="store_true",
                        help="an expert abroad: reads only the cases marked for abroad, de-identified")
    expert.add_argument("--json", action="store_true")
    gone = commands.add_parser("revoke", help="withdraw a client's access at once")
    gone.add_argument("client_id")
    commands.add_parser("clients", help="list registered clients")
    save = commands.add_parser("backup", help="dump the database and copy the data folder into a new folder")
    save.add_argument("--to", required=True)
    back = commands.add_parser("restore", help="restore a backup into an empty database and data folder")
    back.add_argument("--from", dest="source", required=True)
    from .console.cli import add_user_commands

    add_user_commands(commands)
    args = parser.parse_args(argv)
    if args.command == "serve" and args.workers > 1 and (args.local_pacs or args.local_sfu or args.ready_file
                                                         or args.exit_with):
        parser.error("--workers cannot be combined with --local-pacs, --local-sfu, --ready-file or --exit-with "
                     "(those are for the one-machine hub, which runs one worker)")
    if args.command == "serve":
        return serve(args)
    if args.command == "add-station":
        return add_client(args, "station")
    if args.command == "add-expert":
        return add_client(args, "expert")
    if args.command == "revoke":
        return revoke(args)
    if args.command == "user":
        from .console.cli import run_user_command

        return run_user_command(args, _engine(args))
    if args.command in ("backup", "restore"):
        return backup_or_restore(args)
    return list_clients(args)


if __name__ == "__main__":
    sys.exit(main())
