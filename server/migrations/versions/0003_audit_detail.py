"""audit events say what exactly was fetched; routing lives on the ServiceRequest alone

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('detail', sa.Text(), nullable=False, server_default=''))
    # Children carried a copy of their consultation's routing that re-routing left stale; access is
    # now decided from the ServiceRequest, so the copies go.
    op.execute("UPDATE resources SET hospital = '', specialty = '' WHERE type <> 'ServiceRequest'")


def downgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_column('detail')
