"""The console's tables: people who sign in, and their sessions (migrations 0006, 0006a)."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from ..tables import metadata

people = Table(
    "people", metadata,
    Column("id", String(64), primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("title", String(64), nullable=False, default=""),      # PGS.TS, BSCKII, ... as on the minutes
    Column("role", String(16), nullable=False),                    # expert | coordinator | admin
    Column("hospital", String(40), nullable=False, default=""),
    Column("specialty", String(40), nullable=False, default=""),
    Column("foreign", Boolean, nullable=False, default=False),     # abroad: sees de-identified cases only
    Column("language", String(2), nullable=False, default="vi"),   # vi | en | fr
    Column("password_hash", Text, nullable=False),                 # argon2id
    Column("totp_secret", String(64), nullable=True),              # base32; None: no second factor yet
    Column("totp_step", BigInteger, nullable=True),                # the last code's time-step (migration 0006a)
    Column("failed_count", Integer, nullable=False, default=0),    # failed sign-ins in a row
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_people_routing", "hospital", "specialty"),
)

# Only a hash of the cookie's token is kept: a copy of the database opens no session.
console_sessions = Table(
    "console_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(64), ForeignKey("people.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Index("ix_console_sessions_person", "person_id"),
)
