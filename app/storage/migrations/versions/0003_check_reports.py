"""Pre-session check reports, kept per station.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("fit", sa.Boolean(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
    )
    op.create_index("ix_check_reports_at", "check_reports", ["at"])


def downgrade() -> None:
    op.drop_table("check_reports")
