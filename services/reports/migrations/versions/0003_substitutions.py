"""The projection of substitutions (journal.substitution.recorded.v1 / cancelled.v1; slice L).

One row per substitution, ids and the slot only; a cancellation keeps the row with `cancelled` set,
so that a SubstitutionRecorded delivered after it does not bring the substitution back.

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
    op.create_table(
        "substitution_facts",
        sa.Column("substitution_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lesson_date", sa.Date, nullable=False),
        sa.Column("pair_number", sa.Integer, nullable=False),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("substitute_teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_substitution_facts_date", "substitution_facts", ["lesson_date"])


def downgrade() -> None:
    op.drop_index("ix_substitution_facts_date", table_name="substitution_facts")
    op.drop_table("substitution_facts")
