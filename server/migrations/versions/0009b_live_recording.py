"""live_consents, live_recordings: who agreed to a live session being recorded (append-only, a withdrawal
is a new row), and each session's recording (asked for, running, paused, stopped, its stored files)

Revision ID: 0009b
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0009b'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('live_consents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('live_id', sa.String(length=64), nullable=False),
    sa.Column('participant', sa.String(length=128), nullable=False),
    sa.Column('site', sa.Text(), nullable=False),
    sa.Column('display', sa.Text(), nullable=False),
    sa.Column('recording', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_live_consents_session', 'live_consents', ['live_id', 'participant', 'id'])
    op.create_table('live_recordings',
    sa.Column('live_id', sa.String(length=64), nullable=False),
    sa.Column('requested', sa.Boolean(), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('running', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('takes', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('live_id')
    )
    op.create_index('ix_live_recordings_pending', 'live_recordings', ['pending'])


def downgrade() -> None:
    op.drop_index('ix_live_recordings_pending', table_name='live_recordings')
    op.drop_table('live_recordings')
    op.drop_index('ix_live_consents_session', table_name='live_consents')
    op.drop_table('live_consents')
