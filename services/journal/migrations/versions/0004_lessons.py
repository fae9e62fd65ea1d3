"""Lessons and attendance (R2.3): a lesson per group (or subgroup), date and pair, and each student's
attendance of it (present, absent, late) with a reason category — never a diagnosis.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LESSON_KINDS = (
    "lecture",
    "practical",
    "laboratory",
    "test",
    "seminar",
    "independent_work",
    "combined",
    "consultation",
)
STATUSES = ("present", "absent", "late")
REASONS = ("unspecified", "illness", "documented", "unexcused", "college_business")
# A whole-group lesson has no subgroup; the slot's unique index treats it as this id.
NO_SUBGROUP = "00000000-0000-0000-0000-000000000000"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "lessons",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("subgroup_id", UUID(as_uuid=True), sa.ForeignKey("subgroups.id"), nullable=True),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lesson_date", sa.Date, nullable=False),
        sa.Column("pair_number", sa.SmallInteger, nullable=False),
        sa.Column("topic", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("homework", sa.String(2000), nullable=False, server_default=""),
        sa.Column("homework_deadline", sa.Date, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("pair_number BETWEEN 1 AND 8", name="ck_lessons_pair"),
        sa.CheckConstraint(_one_of("kind", LESSON_KINDS), name="lesson_kind"),
    )
    op.create_index(
        "ix_lessons_group_discipline_date", "lessons", ["group_id", "discipline_id", "lesson_date"]
    )
    # One lesson per group (or subgroup), date and pair, kept by the database too.
    op.execute(
        "CREATE UNIQUE INDEX uq_lesson_slot ON lessons "
        f"(group_id, COALESCE(subgroup_id, '{NO_SUBGROUP}'::uuid), lesson_date, pair_number)"
    )
    op.create_table(
        "attendance",
        sa.Column(
            "lesson_id", UUID(as_uuid=True), sa.ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.PrimaryKeyConstraint("lesson_id", "student_id"),
        sa.CheckConstraint(_one_of("status", STATUSES), name="attendance_status"),
        sa.CheckConstraint(_one_of("reason", REASONS), name="absence_reason"),
    )


def downgrade() -> None:
    op.drop_table("attendance")
    op.execute("DROP INDEX uq_lesson_slot")
    op.drop_index("ix_lessons_group_discipline_date", table_name="lessons")
    op.drop_table("lessons")
