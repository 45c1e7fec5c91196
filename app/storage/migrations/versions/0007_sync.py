"""Sync with the hub: the outbox, messages to and from experts, sync state.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.String(80), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        _text("last_error"),
        _text("upload_url"),
        sa.Column("done_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_outbox_pending", "outbox", ["done_at", "case_id", "seq"])
    op.create_table(
        "messages",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _text("author"),
        _text("text"),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_messages_case_id", "messages", ["case_id"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(40), primary_key=True),
        _text("value"),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_index("ix_messages_case_id", "messages")
    op.drop_table("messages")
    op.drop_index("ix_outbox_pending", "outbox")
    op.drop_table("outbox")
