"""which study every series and instance UID the hub passed to the PACS belongs to

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('imaging_uids',
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('study_uid', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('uid')
    )


def downgrade() -> None:
    op.drop_table('imaging_uids')
