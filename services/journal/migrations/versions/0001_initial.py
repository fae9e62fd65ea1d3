"""Initial journal schema: groups, enrolments, disciplines, teaching load, mark dictionary, marks.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from chassis.outbox import create_outbox_tables, drop_outbox_tables
from sqlalchemy.dialects.postgresql import UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The default dictionary of a college (Приказ №762, п.30); each college may edit its own copy.
DEFAULT_MARK_KINDS = [
    # value, title, counts_in_average, is_absence, allowed_as_final, sort_order
    ("5", "отлично", True, False, True, 10),
    ("4", "хорошо", True, False, True, 20),
    ("3", "удовлетворительно", True, False, True, 30),
    ("2", "неудовлетворительно", True, False, True, 40),
    ("зач", "зачтено", False, False, True, 50),
    ("незач", "не зачтено", False, False, True, 60),
    ("н/а", "не аттестован", False, False, True, 70),
    ("осв", "освобождён", False, False, True, 80),
    ("н", "отсутствовал", False, True, False, 90),
]


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "enrollments",
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_enrollments_student", "enrollments", ["student_id"])
    kind = sa.Enum("discipline", "mdk", "pm", "up", "pp", name="discipline_kind")
    op.create_table(
        "disciplines",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, server_default=""),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", kind, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "teaching_loads",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("teacher_id", "group_id", "discipline_id", name="uq_teaching_load"),
    )
    mark_kinds = op.create_table(
        "mark_kinds",
        sa.Column("value", sa.String(16), primary_key=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("counts_in_average", sa.Boolean, nullable=False),
        sa.Column("is_absence", sa.Boolean, nullable=False),
        sa.Column("allowed_as_final", sa.Boolean, nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        mark_kinds,
        [
            dict(value=v, title=t, counts_in_average=c, is_absence=a, allowed_as_final=f, sort_order=o)
            for v, t, c, a, f, o in DEFAULT_MARK_KINDS
        ],
    )
    op.create_table(
        "marks",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lesson_date", sa.Date, nullable=False),
        sa.Column("value", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_marks_student_date", "marks", ["student_id", "lesson_date"])
    op.create_index("ix_marks_group_discipline", "marks", ["group_id", "discipline_id"])
    create_outbox_tables(op.get_bind())


def downgrade() -> None:
    drop_outbox_tables(op.get_bind())
    op.drop_table("marks")
    op.drop_table("mark_kinds")
    op.drop_table("teaching_loads")
    op.drop_table("disciplines")
    op.execute("DROP TYPE discipline_kind")
    op.drop_table("enrollments")
    op.drop_table("groups")
