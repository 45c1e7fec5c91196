"""The hub's tables (SQLAlchemy Core). Changing them needs an Alembic migration in migrations/."""

from sqlalchemy import (JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# JSONB on PostgreSQL (indexable, compact); JSON text on SQLite.
Document = JSON().with_variant(JSONB(), "postgresql")

# The current version of every resource, with the columns searches and access rules need.
resources = Table(
    "resources", metadata,
    Column("type", String(40), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("last_updated", DateTime(timezone=True), nullable=False),
    Column("facility", String(16), nullable=False),        # the station's facility that owns it
    Column("request_id", String(64), nullable=True),       # the consultation (ServiceRequest) it belongs to
    Column("patient_id", String(64), nullable=True),
    Column("hospital", String(40), nullable=False, default=""),   # routing: central hospital asked
    Column("specialty", String(40), nullable=False, default=""),  # routing: specialty asked
    Column("content", Document, nullable=False),
    Column("abroad", Boolean, nullable=False, default=False),  # a request marked for an expert abroad
    Column("draft", Boolean, nullable=False, default=False),   # a conclusion not signed yet: never to a station
    Column("identified", Boolean, nullable=False, default=False),  # hub-made minutes naming the patient: not abroad
    Index("ix_resources_sync", "facility", "type", "last_updated", "id"),
    Index("ix_resources_routing", "hospital", "specialty", "type", "last_updated"),
    Index("ix_resources_request", "request_id"),
    Index("ix_resources_patient", "type", "patient_id"),
)

# Every version ever written, current one included (for _history and audit).
history = Table(
    "resource_history", metadata,
    Column("type", String(40), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("last_updated", DateTime(timezone=True), nullable=False),
    Column("method", String(8), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("content", Document, nullable=False),
)

# Stations and expert consoles that may call the API.
clients = Table(
    "clients", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),           # station | expert
    Column("name", Text, nullable=False, default=""),
    Column("facility", String(16), nullable=False, default=""),
    Column("hospital", String(40), nullable=False, default=""),
    Column("specialty", String(40), nullable=False, default=""),
    Column("foreign", Boolean, nullable=False, default=False),  # an expert abroad: the de-identified case only
    Column("enrollment_hash", String(64), nullable=True, unique=True),  # sha256 of the one-time code
    Column("enrollment_expires", DateTime(timezone=True), nullable=True),
    Column("public_jwk", JSON, nullable=True),            # set when the station enrolls
    Column("enrolled_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Client-assertion ids already used, so a captured assertion cannot be replayed.
used_assertions = Table(
    "used_assertions", metadata,
    Column("jti", String(128), primary_key=True),
    Column("expires", DateTime(timezone=True), nullable=False, index=True),
)

# Resumable uploads (tus 1.0); the bytes live in the hub's file store.
uploads = Table(
    "uploads", metadata,
    Column("id", String(64), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("facility", String(16), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("offset", BigInteger, nullable=False, default=0),
    Column("sha256", String(64), nullable=False),
    Column("metadata", JSON, nullable=False),
    Column("complete", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client_id", "sha256", "length", name="uq_uploads_content"),
)

# Which facility sent a DICOM study to the PACS, and for which consultation: the PACS itself
# knows no owners, so the hub decides who may read a study from these rows.
imaging_studies = Table(
    "imaging_studies", metadata,
    Column("study_uid", String(64), primary_key=True),
    Column("request_id", String(64), primary_key=True),
    Column("facility", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Every instance taken for it under this consultation was checked to name no one (the consultation was
    # marked for abroad when they came): only such a study is served to an expert abroad.
    Column("deidentified", Boolean, nullable=False, default=False),
)

# Which study each series and instance UID sent through the hub belongs to: the PACS finds them
# by UID alone, so a UID may never be reused under another study (another facility's).
imaging_uids = Table(
    "imaging_uids", metadata,
    Column("uid", String(64), primary_key=True),
    Column("level", String(8), nullable=False),      # series | instance
    Column("study_uid", String(64), nullable=False),
)

# Who read or wrote what, when (no patient data, no tokens).
audit = Table(
    "audit_events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("client_id", String(64), nullable=False),
    Column("action", String(16), nullable=False),    # read, search, create, update, upload, enroll, token, ...
    Column("resource_type", String(40), nullable=False, default=""),
    Column("resource_id", String(64), nullable=False, default=""),
    Column("outcome", Integer, nullable=False),      # HTTP status
    Column("detail", Text, nullable=False, default=""),  # e.g. the DICOMweb path actually fetched
)
