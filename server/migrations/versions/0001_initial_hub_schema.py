"""initial hub schema

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index(op.f('ix_audit_events_at'), 'audit_events', ['at'], unique=False)
    op.create_table('clients',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('facility', sa.String(length=16), nullable=False),
    sa.Column('hospital', sa.String(length=40), nullable=False),
    sa.Column('specialty', sa.String(length=40), nullable=False),
    sa.Column('enrollment_hash', sa.String(length=64), nullable=True),
    sa.Column('enrollment_expires', sa.DateTime(timezone=True), nullable=True),
    sa.Column('public_jwk', sa.JSON(), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrollment_hash')
    )
    op.create_table('resource_history',
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('last_updated', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('type', 'id', 'version')
    )
    op.create_table('resources',
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('last_updated', sa.DateTime(timezone=True), nullable=False),
    sa.Column('facility', sa.String(length=16), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('patient_id', sa.String(length=64), nullable=True),
    sa.Column('hospital', sa.String(length=40), nullable=False),
    sa.Column('specialty', sa.String(length=40), nullable=False),
    sa.Column('content', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('type', 'id')
    )
    op.create_index('ix_resources_patient', 'resources', ['type', 'patient_id'], unique=False)
    op.create_index('ix_resources_request', 'resources', ['request_id'], unique=False)
    op.create_index('ix_resources_routing', 'resources', ['hospital', 'specialty', 'type', 'last_updated'], unique=False)
    op.create_index('ix_resources_sync', 'resources', ['facility', 'type', 'last_updated', 'id'], unique=False)
    op.create_table('uploads',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('facility', sa.String(length=16), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'sha256', 'length', name='uq_uploads_content')
    )
    op.create_table('used_assertions',
    sa.Column('jti', sa.String(length=128), nullable=False),
    sa.Column('expires', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti')
    )
    op.create_index(op.f('ix_used_assertions_expires'), 'used_assertions', ['expires'], unique=False)



def downgrade() -> None:

    op.drop_index(op.f('ix_used_assertions_expires'), table_name='used_assertions')
    op.drop_table('used_assertions')
    op.drop_table('uploads')
    op.drop_index('ix_resources_sync', table_name='resources')
    op.drop_index('ix_resources_routing', table_name='resources')
    op.drop_index('ix_resources_request', table_name='resources')
    op.drop_index('ix_resources_patient', table_name='resources')
    op.drop_table('resources')
    op.drop_table('resource_history')
    op.drop_table('clients')
    op.drop_index(op.f('ix_audit_events_at'), table_name='audit_events')
    op.drop_table('audit_events')

