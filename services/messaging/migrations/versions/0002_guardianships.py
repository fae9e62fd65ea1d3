"""Projection of identity's parent↔student links (ids only) and the students whose links were fetched.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guardianships",
        sa.Column("student_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=True), primary_key=True),
    )
    op.create_table(
        "guardianship_students",
        sa.Column("student_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("guardianship_students")
    op.drop_table("guardianships")
