"""live consultations: live_sessions (a Janus room per session on a case), live_invitations, live_tickets (one
per join: the room token Janus lets in and the handle's opaque id), live_attendance (from Janus's events)

Revision ID: 0009
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('live_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('facility', sa.String(length=16), nullable=False),
    sa.Column('room', sa.String(length=64), nullable=False),
    sa.Column('room_secret', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('started_by', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('room')
    )
    op.create_index('ix_live_sessions_request_id', 'live_sessions', ['request_id'])
    op.create_table('live_invitations',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('facility', sa.String(length=16), nullable=False),
    sa.Column('person', sa.String(length=80), nullable=False),
    sa.Column('invited_by', sa.String(length=80), nullable=False),
    sa.Column('from_site', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_live_invitations_session_id', 'live_invitations', ['session_id'])
    op.create_table('live_tickets',
    sa.Column('opaque_id', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('room_token', sa.String(length=64), nullable=False),
    sa.Column('who', sa.String(length=80), nullable=False),
    sa.Column('site', sa.Text(), nullable=False),
    sa.Column('display', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('opaque_id')
    )
    op.create_index('ix_live_tickets_session_id', 'live_tickets', ['session_id'])
    op.create_table('live_attendance',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('participant', sa.String(length=64), nullable=False),
    sa.Column('janus_session', sa.BigInteger(), nullable=True),
    sa.Column('opaque_id', sa.String(length=64), nullable=False),
    sa.Column('who', sa.String(length=80), nullable=False),
    sa.Column('site', sa.Text(), nullable=False),
    sa.Column('display', sa.Text(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_live_attendance_session', 'live_attendance', ['session_id', 'participant'])


def downgrade() -> None:
    op.drop_index('ix_live_attendance_session', table_name='live_attendance')
    op.drop_table('live_attendance')
    op.drop_index('ix_live_tickets_session_id', table_name='live_tickets')
    op.drop_table('live_tickets')
    op.drop_index('ix_live_invitations_session_id', table_name='live_invitations')
    op.drop_table('live_invitations')
    op.drop_index('ix_live_sessions_request_id', table_name='live_sessions')
    op.drop_table('live_sessions')
