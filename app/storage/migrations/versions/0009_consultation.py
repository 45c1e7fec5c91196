"""The written consultation: what each thread message carries, signed conclusions, minutes.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("messages") as table:
        for name in ("author_detail", "attachments", "change", "assignee", "outcome"):
            table.add_column(_text(name))
    op.create_table(
        "conclusions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        _text("replaces"),
        _text("signed_at"),
        _text("content"),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "minutes",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False, index=True),
        _text("composition_id"),
        _text("url"),
        _text("title"),
        _text("sha256"),
        _text("created"),
        _text("blob"),
        _text("last_error"),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("minutes")
    op.drop_table("conclusions")
    with op.batch_alter_table("messages") as table:
        for name in ("author_detail", "attachments", "change", "assignee", "outcome"):
            table.drop_column(name)
