"""imaging_studies: `deidentified` (every instance the hub took for the study under the consultation was
checked to name no one, the consultation being marked for an expert abroad when they came)

A foreign expert is served only such studies; those stored before this column existed, or before
their consultation was marked for abroad, are not (false).

Revision ID: 0008
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('imaging_studies') as batch:
        batch.add_column(sa.Column('deidentified', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('imaging_studies') as batch:
        batch.drop_column('deidentified')
