"""live_sessions.state indexed: every hub worker looks every few seconds for revoked clients or disabled
accounts still sitting in an open session's room (server/live/sweep.py); the open sessions are few, the ended
ones pile up

Revision ID: 0009c
Revises: 0009
"""

from alembic import op

revision = '0009c'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_live_sessions_state', 'live_sessions', ['state'])


def downgrade() -> None:
    op.drop_index('ix_live_sessions_state', table_name='live_sessions')
