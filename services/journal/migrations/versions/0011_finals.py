"""Finals and the enough-marks rule (issue 7 items 1-2; R3.1, R3.2).

`final_rules`: the college's versioned rule for proposing a final (mean or weighted mean, rounding
mode, effective from, author); version 1 (mean, half up, from 2000-01-01, no author) is created here.
`finals`: a student's final per group × discipline × year × semester (0 = the year) × kind, keeping the
value set, the value proposed, the rule version, who set it and when, the marks counted and required,
and the teacher's confirmation when set with too few marks. `final_changes`: every change of a final,
old → new, who, when and why — a final is never overwritten without a trace.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_FINAL_KINDS = (
    "'semester', 'year', 'exam', 'differentiated_credit', 'credit', 'module_exam', "
    "'demonstration_exam', 'other_attestation'"
)


def upgrade() -> None:
    final_rules = op.create_table(
        "final_rules",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("rounding", sa.String(24), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("author_id", UUID(as_uuid=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('mean', 'weighted_mean')", name="final_rule_kind"),
        sa.CheckConstraint("rounding IN ('half_up', 'in_favour_of_student', 'down')", name="final_rounding"),
        sa.CheckConstraint("version >= 1", name="ck_final_rules_version"),
    )
    op.bulk_insert(
        final_rules,
        [dict(version=1, kind="mean", rounding="half_up", effective_from=datetime.date(2000, 1, 1))],
    )
    op.create_table(
        "finals",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("semester", sa.SmallInteger, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("value", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=False),
        sa.Column("proposed_value", sa.String(16), nullable=True),
        sa.Column("rule_version", sa.Integer, sa.ForeignKey("final_rules.version"), nullable=False),
        sa.Column("set_by", UUID(as_uuid=True), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
        sa.Column("marks_count", sa.SmallInteger, nullable=False),
        sa.Column("required_marks", sa.SmallInteger, nullable=False),
        sa.Column("not_enough_marks_confirmed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint(
            "student_id", "group_id", "discipline_id", "year_id", "semester", "kind", name="uq_finals_period"
        ),
        sa.CheckConstraint(f"kind IN ({_FINAL_KINDS})", name="final_kind"),
        sa.CheckConstraint(
            "(kind = 'year' AND semester = 0) OR (kind <> 'year' AND semester IN (1, 2))",
            name="ck_finals_semester",
        ),
    )
    op.create_index("ix_finals_group_year", "finals", ["group_id", "year_id", "semester", "discipline_id"])
    op.create_index("ix_finals_student_year", "finals", ["student_id", "year_id"])
    op.create_table(
        "final_changes",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("final_id", UUID(as_uuid=True), sa.ForeignKey("finals.id"), nullable=False),
        sa.Column("changed_by", UUID(as_uuid=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("old_value", sa.String(16), nullable=False),
        sa.Column("new_value", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=False),
        sa.Column("proposed_value", sa.String(16), nullable=True),
        sa.Column("rule_version", sa.Integer, sa.ForeignKey("final_rules.version"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
    )
    op.create_index("ix_final_changes_final", "final_changes", ["final_id", "changed_at"])


def downgrade() -> None:
    op.drop_index("ix_final_changes_final", table_name="final_changes")
    op.drop_table("final_changes")
    op.drop_index("ix_finals_student_year", table_name="finals")
    op.drop_index("ix_finals_group_year", table_name="finals")
    op.drop_table("finals")
    op.drop_table("final_rules")
