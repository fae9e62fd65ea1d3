"""Changing and removing a mark (issue 6, item 8; R3.3): every change is kept, nothing is erased.

A removed mark keeps its row with `removed_at`/`removed_by` (every read model skips it);
`mark_changes` keeps each change and removal: who, when, the old value, kind of work and weight, the
new ones (empty for a removal) and why.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_KINDS = (
    "'answer', 'control_work', 'independent_work', 'laboratory_work', 'practical_work', "
    "'homework', 'test', 'essay'"
)


def upgrade() -> None:
    op.add_column("marks", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("marks", sa.Column("removed_by", UUID(as_uuid=True), nullable=True))
    op.create_check_constraint("ck_marks_removed_by", "marks", "(removed_at IS NULL) = (removed_by IS NULL)")
    op.create_table(
        "mark_changes",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("mark_id", UUID(as_uuid=True), sa.ForeignKey("marks.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("changed_by", UUID(as_uuid=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("old_value", sa.String(16), nullable=False),
        sa.Column("old_kind_of_work", sa.String(32), nullable=False),
        sa.Column("old_weight", sa.SmallInteger, nullable=False),
        sa.Column("new_value", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=True),
        sa.Column("new_kind_of_work", sa.String(32), nullable=True),
        sa.Column("new_weight", sa.SmallInteger, nullable=True),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
        sa.CheckConstraint("action IN ('changed', 'removed')", name="ck_mark_changes_action"),
        sa.CheckConstraint(f"old_kind_of_work IN ({_KINDS})", name="ck_mark_changes_old_kind"),
        sa.CheckConstraint(f"new_kind_of_work IN ({_KINDS})", name="ck_mark_changes_new_kind"),
        sa.CheckConstraint(
            "(action = 'removed') = (new_value IS NULL AND new_kind_of_work IS NULL AND new_weight IS NULL)",
            name="ck_mark_changes_new",
        ),
    )
    op.create_index("ix_mark_changes_mark", "mark_changes", ["mark_id", "changed_at"])


def downgrade() -> None:
    op.drop_index("ix_mark_changes_mark", table_name="mark_changes")
    op.drop_table("mark_changes")
    op.drop_constraint("ck_marks_removed_by", "marks", type_="check")
    op.drop_column("marks", "removed_by")
    op.drop_column("marks", "removed_at")
