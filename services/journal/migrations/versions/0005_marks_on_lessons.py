"""Marks on lessons (issue 6, item 4): a mark may belong to a lesson (several per student per lesson),
and has a kind of work and a weight 1..5. Existing rows, and writers naming only the old columns (the
demo college's COPY), get «ответ на занятии» and weight 1 from the defaults.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KINDS = (
    "answer",
    "control_work",
    "independent_work",
    "laboratory_work",
    "practical_work",
    "homework",
    "test",
    "essay",
)


def upgrade() -> None:
    op.add_column(
        "marks",
        sa.Column("lesson_id", UUID(as_uuid=True), sa.ForeignKey("lessons.id"), nullable=True),
    )
    op.add_column(
        "marks",
        sa.Column("kind_of_work", sa.String(24), nullable=False, server_default="answer"),
    )
    op.add_column("marks", sa.Column("weight", sa.SmallInteger, nullable=False, server_default="1"))
    op.create_check_constraint(
        "kind_of_work", "marks", f"kind_of_work IN ({', '.join(repr(k) for k in KINDS)})"
    )
    op.create_check_constraint("ck_marks_weight", "marks", "weight BETWEEN 1 AND 5")
    op.create_index(
        "ix_marks_lesson", "marks", ["lesson_id"], postgresql_where=sa.text("lesson_id IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_marks_lesson", table_name="marks")
    op.drop_constraint("ck_marks_weight", "marks", type_="check")
    op.drop_constraint("kind_of_work", "marks", type_="check")
    op.drop_column("marks", "weight")
    op.drop_column("marks", "kind_of_work")
    op.drop_column("marks", "lesson_id")
