"""people.totp_step: the time-step of the last TOTP code accepted from the person, so a code works once

A code whose step is not newer than this one is refused (it was seen already, perhaps over a shoulder
or by a proxy); None: no code accepted yet.

Revision ID: 0006a
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0006a'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.add_column(sa.Column('totp_step', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.drop_column('totp_step')
