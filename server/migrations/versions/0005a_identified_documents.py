"""resources: `identified` (a document the hub made that names the patient: never to an expert abroad)

The minutes PDF of a case marked for abroad is made twice on signing: with the patient's identity
(for the station and the experts at home) and pseudonymous (for the experts abroad). The hub cannot
de-identify a PDF when it is read, so the first is kept from foreign experts by this flag.

Revision ID: 0005a
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0005a'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resources') as batch:
        batch.add_column(sa.Column('identified', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('resources') as batch:
        batch.drop_column('identified')
