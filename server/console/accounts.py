"""People who use the console: experts, coordinators (who triage) and administrators.

Passwords are argon2id hashes (argon2-cffi), rehashed when the parameters change; five failed
sign-ins in a row lock the account for 15 minutes; TOTP is the second factor (required for
administrators), each code accepted once (its time-step is kept: people.totp_step). Accounts are
disabled, never deleted: the audit trail and signed minutes name them.
"""

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pyotp
from pyotp.utils import strings_equal
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from ..access import Principal
from .tables import people

ROLES = ("expert", "coordinator", "admin")
LANGUAGES = ("vi", "en", "fr")
MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
MIN_PASSWORD = 10
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_CODE = re.compile(r"[a-z0-9-]{1,40}")  # hospital and specialty codes, as routing writes them

_hasher = PasswordHasher()
# Verified against when the login is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def N_(message: str) -> str:
    """Marks a message for the catalogues; translated where it is shown."""
    return message


@dataclass(frozen=True)
class Person:
    id: str
    login: str
    name: str
    title: str
    role: str
    hospital: str
    specialty: str
    foreign: bool
    language: str
    has_totp: bool = False
    disabled: bool = False

    @property
    def client_id(self) -> str:
        return f"person:{self.id}"

    @property
    def principal(self) -> Principal:
        """The person as the hub's access rules know them: an expert of their hospital and specialty."""
        return Principal(client_id=self.client_id, kind="expert", hospital=self.hospital, specialty=self.specialty,
                         name=self.name, person_id=self.id, role=self.role, title=self.title, foreign=self.foreign)


def _person(row) -> Person:
    return Person(id=row.id, login=row.login, name=row.name, title=row.title, role=row.role, hospital=row.hospital,
                  specialty=row.specialty, foreign=row.foreign, language=row.language,
                  has_totp=row.totp_secret is not None, disabled=row.disabled_at is not None)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives datetimes back without their zone; they were written in UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


class InvalidFields(ValueError):
    """Field name -> message id (N_), shown on the field in the person's language."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def check_fields(login: str, name: str, role: str, hospital: str = "", specialty: str = "", title: str = "",
                 language: str = "vi") -> dict[str, str]:
    errors = {}
    if not _LOGIN.fullmatch(login or ""):
        errors["login"] = N_("A login is 2 to 64 lower-case letters, digits, dots, dashes or underscores.")
    if not (name or "").strip() or len(name) > 200:
        errors["name"] = N_("Enter the person's full name (at most 200 characters).")
    if role not in ROLES:
        errors["role"] = N_("Choose a role: expert, coordinator or administrator.")
    if role in ("expert", "coordinator") and not _CODE.fullmatch(hospital or ""):
        errors["hospital"] = N_("Experts and coordinators belong to a hospital (its code: letters, digits, dashes).")
    if hospital and not _CODE.fullmatch(hospital):
        errors["hospital"] = N_("A hospital code is letters, digits and dashes.")
    if role == "expert" and not _CODE.fullmatch(specialty or ""):
        errors["specialty"] = N_("An expert has a specialty (its code: letters, digits, dashes).")
    if specialty and not _CODE.fullmatch(specialty):
        errors["specialty"] = N_("A specialty code is letters, digits and dashes.")
    if len(title or "") > 64:
        errors["title"] = N_("A title has at most 64 characters.")
    if language not in LANGUAGES:
        errors["language"] = N_("Choose Vietnamese, English or French.")
    return errors


def check_password_strength(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD:
        return N_("A password has at least 10 characters.")
    if len(password) > 200:
        return N_("A password has at most 200 characters.")
    return None


def new_password() -> str:
    """A first password to hand over (the person changes it after signing in)."""
    return secrets.token_urlsafe(12)


def create_person(conn: Connection, login: str, name: str, role: str, password: str, *, hospital: str = "",
                  specialty: str = "", title: str = "", foreign: bool = False, language: str = "vi") -> Person:
    login = (login or "").strip().lower()
    errors = check_fields(login, name, role, hospital, specialty, title, language)
    weak = check_password_strength(password)
    if weak:
        errors["password"] = weak
    if not errors and conn.execute(select(people.c.id).where(people.c.login == login)).first():
        errors["login"] = N_("This login is taken.")
    if errors:
        raise InvalidFields(errors)
    values = dict(id=str(uuid.uuid4()), login=login, name=name.strip(), title=(title or "").strip(), role=role,
                  hospital=hospital or "", specialty=specialty or "", foreign=bool(foreign), language=language,
                  password_hash=_hasher.hash(password), totp_secret=None, failed_count=0, locked_until=None,
                  disabled_at=None, created_at=_now())
    conn.execute(insert(people).values(**values))
    return by_id(conn, values["id"])


def ensure_person(engine: Engine, login: str, *, name: str, role: str = "expert", password: str | None = None,
                  hospital: str = "", specialty: str = "", title: str = "", foreign: bool = False,
                  language: str = "vi") -> tuple[Person, str | None]:
    """The person with this login, created when absent: (person, the first password if it was made here, else None).

    For a local hub's first expert (`make run`) and for tests; an existing account is left as it is.
    """
    with engine.begin() as conn:
        found = by_login(conn, login)
        if found:
            return found, None
        password = password or new_password()
        return create_person(conn, login, name, role, password, hospital=hospital, specialty=specialty, title=title,
                             foreign=foreign, language=language), password


def by_id(conn: Connection, person_id: str) -> Person | None:
    row = conn.execute(select(people).where(people.c.id == person_id)).first()
    return _person(row) if row else None


def by_login(conn: Connection, login: str) -> Person | None:
    row = conn.execute(select(people).where(people.c.login == (login or "").strip().lower())).first()
    return _person(row) if row else None


def everyone(conn: Connection) -> list[Person]:
    return [_person(r) for r in conn.execute(select(people).order_by(people.c.role, people.c.login))]


def experts_for(conn: Connection, hospital: str, specialty: str | None = None) -> list[Person]:
    """Active experts of a hospital (and specialty): whom a coordinator may assign a case to."""
    query = select(people).where(people.c.hospital == hospital, people.c.role == "expert",
                                 people.c.disabled_at.is_(None))
    if specialty is not None:
        query = query.where(people.c.specialty == specialty)
    return [_person(r) for r in conn.execute(query.order_by(people.c.name))]


@dataclass(frozen=True)
class SignIn:
    """How a sign-in attempt ended: `person` when it succeeded, else why not."""
    person: Person | None = None
    locked_until: datetime | None = None  # locked: say so plainly, and until when
    needs_code: bool = False              # the password was right; the account wants its TOTP code
    account_id: str = ""                  # the account tried, if the login exists (for the audit, never shown)


def sign_in(conn: Connection, login: str, password: str, code: str = "", now: datetime | None = None) -> SignIn:
    """Checks a password (and TOTP code); counts failures and locks after MAX_FAILURES in a row."""
    now = now or _now()
    row = conn.execute(select(people).where(people.c.login == (login or "").strip().lower())).first()
    if row is None or row.disabled_at is not None:
        _verify(_DUMMY_HASH, password)  # the same work as a known login: logins cannot be probed by timing
        return SignIn()
    locked = _aware(row.locked_until)
    if locked and locked > now:
        _verify(_DUMMY_HASH, password)
        return SignIn(locked_until=locked, account_id=row.id)
    if not _verify(row.password_hash, password):
        return _failed(conn, row, now)
    if row.totp_secret:
        if not code:
            return SignIn(needs_code=True, account_id=row.id)
        if not _take_code(conn, row.id, row.totp_secret, code, now):  # wrong, or seen already: the same answer
            return _failed(conn, row, now)
    changes = {"failed_count": 0, "locked_until": None}
    if _hasher.check_needs_rehash(row.password_hash):
        changes["password_hash"] = _hasher.hash(password)
    conn.execute(update(people).where(people.c.id == row.id).values(**changes))
    return SignIn(person=_person(row))


def _failed(conn: Connection, row, now: datetime) -> SignIn:
    failures = row.failed_count + 1
    locked = now + LOCK_TIME if failures >= MAX_FAILURES else None
    conn.execute(update(people).where(people.c.id == row.id).values(
        failed_count=0 if locked else failures, locked_until=locked))
    return SignIn(locked_until=locked, account_id=row.id)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_password(engine_or_conn, login: str, password: str) -> bool:
    """The password of an active account, checked again (e.g. to sign a conclusion); no lock-out counting."""
    def check(conn):
        row = conn.execute(select(people.c.password_hash, people.c.disabled_at)
                           .where(people.c.login == (login or "").strip().lower())).first()
        if row is None or row.disabled_at is not None:
            _verify(_DUMMY_HASH, password)
            return False
        return _verify(row.password_hash, password)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            return check(conn)
    return check(engine_or_conn)


def set_password(conn: Connection, person_id: str, password: str) -> None:
    weak = check_password_strength(password)
    if weak:
        raise InvalidFields({"password": weak})
    conn.execute(update(people).where(people.c.id == person_id).values(
        password_hash=_hasher.hash(password), failed_count=0, locked_until=None))


def change_password(conn: Connection, person: Person, current: str, new: str) -> None:
    if not verify_password(conn, person.login, current):
        raise InvalidFields({"current": N_("This is not your current password.")})
    set_password(conn, person.id, new)


def reset_password(conn: Connection, person_id: str) -> str:
    """A new password made by the hub, to hand over; the person's sessions end (server-side)."""
    from .sessions import end_all

    password = new_password()
    set_password(conn, person_id, password)
    end_all(conn, person_id)
    return password


def disable(conn: Connection, person_id: str, now: datetime | None = None) -> None:
    """Disabled, never deleted (the audit and signed records name the person); their sessions end."""
    from .sessions import end_all

    conn.execute(update(people).where(people.c.id == person_id, people.c.disabled_at.is_(None))
                 .values(disabled_at=now or _now()))
    end_all(conn, person_id)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(person: Person, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=person.login, issuer_name="Điểm Cầu")


def code_step(secret: str, code: str, now: datetime) -> int | None:
    """The time-step (30 s) whose code `code` is, within one step of `now` (a phone's clock drifts); else None."""
    code = (code or "").strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    if not code.isdigit() or len(code) != totp.digits:
        return None
    step = totp.timecode(now)
    found = None
    for candidate in (step - 1, step, step + 1):  # all three compared: no answer sooner for an early match
        if strings_equal(code, totp.generate_otp(candidate)):
            found = candidate
    return found


def _take_code(conn: Connection, person_id: str, secret: str, code: str, now: datetime) -> bool:
    """True once per code: its step must be newer than the last accepted, and is kept in the same statement
    (two sign-ins racing with one code: only one row is updated)."""
    step = code_step(secret, code, now)
    if step is None:
        return False
    taken = conn.execute(update(people).where(
        people.c.id == person_id, or_(people.c.totp_step.is_(None), people.c.totp_step < step))
        .values(totp_step=step))
    return taken.rowcount == 1


def enable_totp(conn: Connection, person_id: str, secret: str, code: str, now: datetime | None = None) -> bool:
    """Keeps `secret` as the person's second factor once `code` proves their authenticator has it; that code is
    used up (it cannot then sign in)."""
    step = code_step(secret, code, now or _now())
    if step is None:
        return False
    conn.execute(update(people).where(people.c.id == person_id).values(totp_secret=secret, totp_step=step))
    return True


def reset_totp(conn: Connection, person_id: str) -> None:
    """For a lost phone: the second factor is removed (enrolled again at the next sign-in); sessions end."""
    from .sessions import end_all

    conn.execute(update(people).where(people.c.id == person_id).values(totp_secret=None, totp_step=None))
    end_all(conn, person_id)


def set_language(conn: Connection, person_id: str, language: str) -> None:
    if language in LANGUAGES:
        conn.execute(update(people).where(people.c.id == person_id).values(language=language))
