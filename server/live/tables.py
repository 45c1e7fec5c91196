"""The live consultations' tables (migration 0009_live), on the hub's metadata."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from ..tables import metadata

# One live consultation on a case: its Janus room and the room's secret (the hub's alone).
live_sessions = Table(
    "live_sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("request_id", String(64), nullable=False, index=True),  # the consultation (ServiceRequest)
    Column("facility", String(16), nullable=False),      # the case's own facility (the asking station's)
    Column("room", String(64), nullable=False, unique=True),
    Column("room_secret", String(64), nullable=False),
    Column("state", String(8), nullable=False, index=True),  # open | ended (open ones looked up often)
    Column("title", Text, nullable=False, default=""),
    Column("started_by", String(80), nullable=False),    # a client id, or person:<id>
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)

# Who was invited: a facility (its stations) or one person (console person id or expert client id).
live_invitations = Table(
    "live_invitations", metadata,
    Column("id", String(64), primary_key=True),          # an invitation event names it
    Column("session_id", String(64), nullable=False, index=True),
    Column("facility", String(16), nullable=False, default=""),
    Column("person", String(80), nullable=False, default=""),
    Column("invited_by", String(80), nullable=False),
    Column("from_site", Text, nullable=False, default=""),  # the inviter's site, as the invitation says it
    Column("at", DateTime(timezone=True), nullable=False),
)

# One per join: the room token Janus lets in, the handle's opaque id that ties Janus's events to it.
live_tickets = Table(
    "live_tickets", metadata,
    Column("opaque_id", String(64), primary_key=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("room_token", String(64), nullable=False),
    Column("who", String(80), nullable=False),           # client id, or person:<id>
    Column("site", Text, nullable=False, default=""),
    Column("display", Text, nullable=False, default=""),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)

# Who was in the room, from Janus's own events: joined and left.
live_attendance = Table(
    "live_attendance", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False),
    Column("participant", String(64), nullable=False),   # Janus's participant id in the room
    Column("janus_session", BigInteger, nullable=True),  # closes the row when Janus ends that session
    Column("opaque_id", String(64), nullable=False, default=""),
    Column("who", String(80), nullable=False),
    Column("site", Text, nullable=False, default=""),
    Column("display", Text, nullable=False, default=""),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True), nullable=True),
    Index("ix_live_attendance_session", "session_id", "participant"),
)
