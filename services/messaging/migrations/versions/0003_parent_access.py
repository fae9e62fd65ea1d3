"""Parents' access projection (ADR 0013): per guardian link the date identity says the parent's
access to the student's data ends, and whether the projection caught up from identity's snapshot.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ids and a date only: no birth dates, no consents.
    op.create_table(
        "parent_access",
        sa.Column("student_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=True), primary_key=True),
        # The first day the parent no longer reads the student's data; NULL: no end known.
        sa.Column("access_until", sa.Date(), nullable=True),
        # occurred_at of the fact applied (or the snapshot's time): a fact older than it is ignored.
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "projection_catch_ups",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("projection_catch_ups")
    op.drop_table("parent_access")
