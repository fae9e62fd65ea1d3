"""Substitutions (issue 7 item 7, R2.4): a pair of a group's timetable on a date taught by another
teacher. Curriculum execution (item 9) reads existing tables only.

One substitution in force per slot (group, subgroup or none, date, pair); a cancelled one keeps its row
with `cancelled_at`/`cancelled_by`. The reason is a category, never free text.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "substitutions",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("subgroup_id", UUID(as_uuid=True), sa.ForeignKey("subgroups.id"), nullable=True),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("lesson_date", sa.Date, nullable=False),
        sa.Column("pair_number", sa.SmallInteger, nullable=False),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("substitute_id", UUID(as_uuid=True), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("recorded_by", UUID(as_uuid=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", UUID(as_uuid=True), nullable=True),
        sa.CheckConstraint(
            "reason IN ('sick_leave', 'business_trip', 'vacation', 'training', 'other')",
            name="substitution_reason",
        ),
        sa.CheckConstraint(
            "(cancelled_at IS NULL) = (cancelled_by IS NULL)", name="ck_substitutions_cancelled_by"
        ),
    )
    op.create_index(
        "ux_substitutions_slot",
        "substitutions",
        ["group_id", "subgroup_id", "lesson_date", "pair_number"],
        unique=True,
        postgresql_nulls_not_distinct=True,
        postgresql_where=sa.text("cancelled_at IS NULL"),
    )
    op.create_index("ix_substitutions_substitute", "substitutions", ["substitute_id", "lesson_date"])
    op.create_index("ix_substitutions_teacher", "substitutions", ["teacher_id", "lesson_date"])
    op.create_index("ix_substitutions_date", "substitutions", ["lesson_date"])


def downgrade() -> None:
    op.drop_index("ix_substitutions_date", table_name="substitutions")
    op.drop_index("ix_substitutions_teacher", table_name="substitutions")
    op.drop_index("ix_substitutions_substitute", table_name="substitutions")
    op.drop_index("ux_substitutions_slot", table_name="substitutions")
    op.drop_table("substitutions")
