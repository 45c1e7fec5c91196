"""Patients, consultation cases, status history and the case search index.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.String(36), primary_key=True),
        *(_text(n) for n in ("full_name", "birth", "age", "sex", "cccd", "bhyt", "phone",
                             "province_code", "commune_code", "address_line")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("parent_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        *(_text(n) for n in ("specialty", "hospital", "reason", "question", "history", "examination",
                             "treatment", "diagnosis_code", "diagnosis_text", "pulse", "blood_pressure",
                             "resp_rate", "spo2", "temperature", "weight")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_urgency", "cases", ["urgency"])
    op.create_index("ix_cases_patient", "cases", ["patient_id"])
    op.create_table(
        "case_status_changes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_case_status_changes_case_id", "case_status_changes", ["case_id"])
    # Words are folded (no accents) by the station before indexing; rowid = cases.seq.
    op.execute("CREATE VIRTUAL TABLE case_search USING fts5(words, tokenize='unicode61')")


def downgrade() -> None:
    op.execute("DROP TABLE case_search")
    op.drop_table("case_status_changes")
    op.drop_table("cases")
    op.drop_table("patients")
