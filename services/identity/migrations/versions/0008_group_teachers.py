"""Who teaches in which group: identity's projection of the journal's teaching loads (issue 8 item 11).

A teacher reads the profile (login, e-mail) of a student only in a group they teach or lead, and of
that student's parents; `group_teachers` holds one row per load heard of in `journal.load.assigned.v1`,
dropped by `journal.load.removed.v1`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_teachers",
        sa.Column("load_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("group_teachers")
