"""`diemcau-hub user ...`: console accounts from the command line (the first administrator, resets).

    diemcau-hub user add --login bs.lan --name "Nguyễn Thị Lan" --role expert --hospital bachmai \
        --specialty cardiology --title BSCKII [--foreign] [--language vi|en|fr] [--password-stdin]
    diemcau-hub user disable --login bs.lan
    diemcau-hub user reset-password --login bs.lan [--password-stdin]
    diemcau-hub user reset-totp --login bs.lan
    diemcau-hub user list
"""

import sys

from . import accounts, sessions


def add_user_commands(commands) -> None:
    user = commands.add_parser("user", help="console accounts: add, disable, reset-password, list")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="create a console account; prints its first password")
    add.add_argument("--login", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--hospital", default="")
    add.add_argument("--specialty", default="")
    add.add_argument("--title", default="", help="as printed on the minutes, e.g. PGS.TS, BSCKII")
    add.add_argument("--foreign", action="store_true", help="an expert abroad: sees de-identified cases only")
    add.add_argument("--language", default="vi", choices=accounts.LANGUAGES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead")
    gone = actions.add_parser("disable", help="disable an account (never deleted); its sessions end")
    gone.add_argument("--login", required=True)
    reset = actions.add_parser("reset-password", help="a new password (printed); the person's sessions end")
    reset.add_argument("--login", required=True)
    reset.add_argument("--password-stdin", action="store_true")
    lost = actions.add_parser("reset-totp", help="remove the second factor (a lost phone); enrolled again at sign-in")
    lost.add_argument("--login", required=True)
    actions.add_parser("list", help="list console accounts")


def _password(args) -> str | None:
    return sys.stdin.readline().rstrip("\n") if args.password_stdin else None


def run_user_command(args, engine) -> int:
    with engine.begin() as conn:
        if args.user_command == "list":
            for p in accounts.everyone(conn):
                state = "disabled" if p.disabled else ("totp" if p.has_totp else "")
                print(f"{p.login:24} {p.role:12} {p.hospital or '-':12} {p.specialty or '-':16} {p.language} "
                      f"{state:8} {p.title} {p.name}")
            return 0
        if args.user_command == "add":
            password = _password(args) or accounts.new_password()
            try:
                accounts.create_person(conn, args.login, args.name, args.role, password, hospital=args.hospital,
                                       specialty=args.specialty, title=args.title, foreign=args.foreign,
                                       language=args.language)
            except accounts.InvalidFields as invalid:
                for field, message in invalid.errors.items():
                    print(f"diemcau-hub: --{field}: {message}", file=sys.stderr)
                return 2
            if not args.password_stdin:
                print(f"Account {args.login.strip().lower()} created. First password (hand it over in person): "
                      f"{password}")
            return 0
        person = accounts.by_login(conn, args.login)
        if person is None:
            print(f"diemcau-hub: no account {args.login!r}", file=sys.stderr)
            return 1
        if args.user_command == "disable":
            accounts.disable(conn, person.id)
            print(f"{person.login} disabled; their sessions are closed")
            return 0
        if args.user_command == "reset-totp":
            accounts.reset_totp(conn, person.id)
            print(f"{person.login}: two-step sign-in removed; set up again at the next sign-in")
            return 0
        given = _password(args)
        try:
            if given:
                accounts.set_password(conn, person.id, given)
                sessions.end_all(conn, person.id)
            else:
                print(f"New password for {person.login}: {accounts.reset_password(conn, person.id)}")
        except accounts.InvalidFields as invalid:
            print(f"diemcau-hub: {invalid.errors['password']}", file=sys.stderr)
            return 2
        return 0
