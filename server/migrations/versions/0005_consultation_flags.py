"""resources: `abroad` (a request the station marked for an expert abroad) and `draft` (a conclusion not yet signed);
clients: `foreign` (an expert API client abroad)

The access rules filter on both in SQL: a foreign expert reads only requests marked abroad, a
station never reads a draft conclusion.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resources') as batch:
        batch.add_column(sa.Column('abroad', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('draft', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('clients') as batch:
        batch.add_column(sa.Column('foreign', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('clients') as batch:
        batch.drop_column('foreign')
    with op.batch_alter_table('resources') as batch:
        batch.drop_column('draft')
        batch.drop_column('abroad')
