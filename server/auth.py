"""Enrollment, client credentials and bearer tokens.

An administrator registers a station (or an expert console) and hands over a one-time enrollment
code. The client makes its own key pair and sends the public half with the code; from then on it
proves itself with a signed JWT client assertion (SMART Backend Services: private_key_jwt, ES384
or RS384) and gets a short-lived bearer token. Revoking a client stops its very next request.
"""

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone

import jwt
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .access import Principal
from .outcome import FhirError, unauthorized
from .store import aware
from .tables import clients, used_assertions
from .validation import is_id

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLIENT_ALGORITHMS = ["ES384", "RS384"]
TOKEN_ALGORITHM = "HS256"
ENROLLMENT_LIFETIME = timedelta(days=7)
MAX_ASSERTION_LIFETIME = timedelta(minutes=5)
# Alphabet without look-alikes (0/O, 1/I/L): the code is read aloud over the phone.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def register_client(conn: Connection, kind: str, name: str, facility: str = "", hospital: str = "",
                    specialty: str = "", foreign: bool = False) -> tuple[str, str]:
    """A new client waiting to enroll: (client id, one-time enrollment code)."""
    if kind not in ("station", "expert"):
        raise ValueError("kind must be 'station' or 'expert'")
    if kind == "station" and not (len(facility) == 5 and facility.isalnum()):
        raise ValueError("a station needs its 5-character facility code (mã cơ sở KCB)")
    if kind == "expert" and not (hospital and specialty):
        raise ValueError("an expert needs a central hospital and a specialty")
    if foreign and kind != "expert":
        raise ValueError("only an expert is abroad (foreign)")
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    client_id = str(uuid.uuid4())
    conn.execute(insert(clients).values(
        id=client_id, kind=kind, name=name, facility=facility, hospital=hospital, specialty=specialty, foreign=foreign,
        enrollment_hash=_code_hash(code), enrollment_expires=_now() + ENROLLMENT_LIFETIME, created_at=_now()))
    return client_id, "-".join(code[i:i + 4] for i in range(0, 12, 4))


def enroll(conn: Connection, code: str, public_jwk: dict) -> dict:
    """Bind the client's public key to the client the code was made for; the code is then spent."""
    row = conn.execute(select(clients).where(clients.c.enrollment_hash == _code_hash(code))).first()
    if row is None or row.revoked_at is not None:
        raise unauthorized("this enrollment code is not valid (mistyped, already used or withdrawn)")
    if aware(row.enrollment_expires) < _now():
        raise unauthorized("this enrollment code has expired: ask the hub administrator for a new one")
    _check_public_key(public_jwk)
    conn.execute(update(clients).where(clients.c.id == row.id).values(
        public_jwk=public_jwk, enrolled_at=_now(), enrollment_hash=None, enrollment_expires=None))
    return {"client_id": row.id, "kind": row.kind, "facility": row.facility, "hospital": row.hospital,
            "specialty": row.specialty, "name": row.name}


def revoke(conn: Connection, client_id: str) -> bool:
    result = conn.execute(update(clients).where(clients.c.id == client_id, clients.c.revoked_at.is_(None))
                          .values(revoked_at=_now()))
    return result.rowcount > 0


def issue_token(conn: Connection, assertion: str, audience: str, secret: bytes,
                lifetime: timedelta) -> tuple[str, dict]:
    """Check a client assertion: (client id, OAuth 2.0 token response with an access token)."""
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise unauthorized("the client assertion is not a JWT") from None
    client_id = unverified.get("iss")
    if not isinstance(client_id, str) or not is_id(client_id):
        raise unauthorized("unknown client: enroll the station first")
    row = conn.execute(select(clients).where(clients.c.id == client_id)).first()
    if row is None or row.public_jwk is None:
        raise unauthorized("unknown client: enroll the station first")
    if row.revoked_at is not None:
        raise unauthorized("this station's access has been revoked by the hub administrator")
    try:
        key = jwt.PyJWK(row.public_jwk).key
        claims = jwt.decode(assertion, key, algorithms=CLIENT_ALGORITHMS, audience=audience,
                            options={"require": ["iss", "sub", "aud", "exp", "jti"]}, leeway=30)
    except jwt.PyJWTError as error:
        raise unauthorized(f"the client assertion was refused: {error}") from None
    if claims["sub"] != client_id:
        raise unauthorized("the client assertion's sub must equal its iss")
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 64 or not claims["jti"].isprintable():
        raise unauthorized("the client assertion's jti must be text of 1 to 64 characters")
    try:
        expires = datetime.fromtimestamp(claims["exp"], timezone.utc)
    except (OverflowError, ValueError, OSError):
        raise unauthorized("the client assertion's exp is not a time") from None
    if expires - _now() > MAX_ASSERTION_LIFETIME:
        raise unauthorized("the client assertion must expire within 5 minutes")
    conn.execute(delete(used_assertions).where(used_assertions.c.expires < _now() - timedelta(minutes=1)))
    try:
        with conn.begin_nested():
            conn.execute(insert(used_assertions).values(jti=f"{client_id}:{claims['jti']}", expires=expires))
    except IntegrityError:
        raise unauthorized("this client assertion was used already") from None
    now = _now()
    token = jwt.encode({"sub": client_id, "iat": now, "exp": now + lifetime, "kind": row.kind,
                        "facility": row.facility, "hospital": row.hospital, "specialty": row.specialty,
                        "name": row.name, "foreign": bool(row.foreign)}, secret, algorithm=TOKEN_ALGORITHM)
    return client_id, {"access_token": token, "token_type": "bearer", "expires_in": int(lifetime.total_seconds()),
            "scope": "system/*.read system/*.write"}


def principal(conn: Connection, authorization: str | None, secret: bytes) -> Principal:
    """The client behind a request's bearer token; 401 when there is none, it expired or was revoked."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise unauthorized("this request needs a bearer token (POST /auth/token)")
    try:
        claims = jwt.decode(authorization[7:].strip(), secret, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise unauthorized("the access token has expired: ask for a new one") from None
    except jwt.PyJWTError:
        raise unauthorized("the access token is not valid") from None
    revoked = conn.execute(select(clients.c.revoked_at).where(clients.c.id == claims["sub"])).first()
    if revoked is None or revoked.revoked_at is not None:
        raise unauthorized("this client's access has been revoked")
    return Principal(claims["sub"], claims.get("kind", ""), claims.get("facility", ""),
                     claims.get("hospital", ""), claims.get("specialty", ""), str(claims.get("name", "")),
                     foreign=claims.get("foreign") is True)


def client_of(authorization: str | None, secret: bytes) -> str:
    """The client id a bearer token names, if the hub signed it ("" otherwise); no database, no checks of revocation."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return ""
    try:
        claims = jwt.decode(authorization[7:].strip(), secret, algorithms=[TOKEN_ALGORITHM],
                            options={"verify_exp": False})
    except jwt.PyJWTError:
        return ""
    subject = claims.get("sub")
    return subject if is_id(subject) else ""


def _check_public_key(jwk: dict) -> None:
    if not isinstance(jwk, dict) or "d" in jwk or "p" in jwk:
        raise FhirError(400, "invalid", "send only the public half of the key (no 'd' member)")
    try:
        key = jwt.PyJWK(jwk)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise FhirError(400, "invalid", f"the public key is not a usable JWK: {str(error)[:200] or type(error).__name__}",
                        ["jwk"]) from None
    kty = jwk.get("kty")
    if kty == "EC" and jwk.get("crv") != "P-384":
        raise FhirError(400, "invalid", "an EC key must be on curve P-384 (ES384)")
    if kty == "RSA" and key.key.key_size < 2048:
        raise FhirError(400, "invalid", "an RSA key must have at least 2048 bits")
    if kty not in ("EC", "RSA"):
        raise FhirError(400, "invalid", "the key must be EC P-384 or RSA")
