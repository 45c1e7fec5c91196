"""DICOM instances: what each imaging attachment is, for grouping by study and series.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dicom_instances",
        sa.Column("attachment_id", sa.String(36), sa.ForeignKey("attachments.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("study_uid", sa.String(64), nullable=False),
        sa.Column("series_uid", sa.String(64), nullable=False),
        sa.Column("sop_uid", sa.String(64), nullable=False),
        sa.Column("modality", sa.String(16), nullable=False, server_default=""),
        sa.Column("series_number", sa.Integer(), nullable=True),
        sa.Column("instance_number", sa.Integer(), nullable=True),
        sa.Column("slice_position", sa.Float(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("info", sa.Text(), nullable=False),
    )
    op.create_index("ix_dicom_instances_case_series", "dicom_instances", ["case_id", "series_uid"])
    op.create_index("ix_dicom_instances_case_sop", "dicom_instances", ["case_id", "sop_uid"], unique=True)


def downgrade() -> None:
    op.drop_table("dicom_instances")
