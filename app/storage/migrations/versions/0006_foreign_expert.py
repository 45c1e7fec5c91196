"""A case may be for an expert abroad: its imaging then leaves de-identified.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch (copy-and-rename) migration would DROP the cases table, which
    # SQLite refuses while other tables refer to it with foreign keys on.
    op.add_column("cases", sa.Column("foreign_expert", sa.Boolean(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    op.drop_column("cases", "foreign_expert")
