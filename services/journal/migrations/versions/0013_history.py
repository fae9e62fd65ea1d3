"""History of absences and students' correction requests (issue 7 item 6; R3.3).

`attendance_changes` keeps every change of a student's attendance of a lesson once the lesson's
attendance was recorded: a later RecordAttendance that changes, adds or drops an entry, and the class
teacher's CorrectAbsenceReasons — who, when, old status/reason → new (new empty for a removal) and the
source. `correction_requests` keeps a student's request about one of their marks and the teacher's
answer (changed, with the `mark_changes` row it made, or explained); one open request per mark.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_STATUSES = "'present', 'absent', 'late'"
_REASONS = "'unspecified', 'illness', 'documented', 'unexcused', 'college_business'"


def upgrade() -> None:
    op.create_table(
        "attendance_changes",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("lesson_id", UUID(as_uuid=True), sa.ForeignKey("lessons.id"), nullable=False),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("changed_by", UUID(as_uuid=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("old_status", sa.String(24), nullable=True),
        sa.Column("old_reason", sa.String(24), nullable=True),
        sa.Column("new_status", sa.String(24), nullable=True),
        sa.Column("new_reason", sa.String(24), nullable=True),
        sa.CheckConstraint(
            "source IN ('attendance', 'reason_correction')", name="ck_attendance_changes_source"
        ),
        sa.CheckConstraint(f"old_status IN ({_STATUSES})", name="ck_attendance_changes_old_status"),
        sa.CheckConstraint(f"new_status IN ({_STATUSES})", name="ck_attendance_changes_new_status"),
        sa.CheckConstraint(f"old_reason IN ({_REASONS})", name="ck_attendance_changes_old_reason"),
        sa.CheckConstraint(f"new_reason IN ({_REASONS})", name="ck_attendance_changes_new_reason"),
        sa.CheckConstraint("(old_status IS NULL) = (old_reason IS NULL)", name="ck_attendance_changes_old"),
        sa.CheckConstraint("(new_status IS NULL) = (new_reason IS NULL)", name="ck_attendance_changes_new"),
        sa.CheckConstraint(
            "old_status IS NOT NULL OR new_status IS NOT NULL", name="ck_attendance_changes_something"
        ),
    )
    op.create_index(
        "ix_attendance_changes_entry", "attendance_changes", ["lesson_id", "student_id", "changed_at"]
    )
    op.create_table(
        "correction_requests",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("mark_id", UUID(as_uuid=True), sa.ForeignKey("marks.id"), nullable=False),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("mark_value", sa.String(16), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("answer_text", sa.String(1000), nullable=True),
        sa.Column("answered_by", UUID(as_uuid=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("change_id", UUID(as_uuid=True), sa.ForeignKey("mark_changes.id"), nullable=True),
        sa.Column("new_value", sa.String(16), nullable=True),
        sa.CheckConstraint("status IN ('open', 'answered')", name="ck_correction_requests_status"),
        sa.CheckConstraint("decision IN ('changed', 'explained')", name="ck_correction_requests_decision"),
        sa.CheckConstraint(
            "(status = 'open') = (decision IS NULL AND answer_text IS NULL AND answered_by IS NULL"
            " AND answered_at IS NULL)",
            name="ck_correction_requests_answer",
        ),
        sa.CheckConstraint(
            "(decision = 'changed') = (change_id IS NOT NULL AND new_value IS NOT NULL)",
            name="ck_correction_requests_change",
        ),
        sa.CheckConstraint("length(text) BETWEEN 1 AND 1000", name="ck_correction_requests_text"),
    )
    op.create_index(
        "ux_correction_requests_open_mark",
        "correction_requests",
        ["mark_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("ix_correction_requests_mark", "correction_requests", ["mark_id", "filed_at"])
    op.create_index("ix_correction_requests_student", "correction_requests", ["student_id", "filed_at"])
    op.create_index(
        "ix_correction_requests_load", "correction_requests", ["group_id", "discipline_id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_correction_requests_load", table_name="correction_requests")
    op.drop_index("ix_correction_requests_student", table_name="correction_requests")
    op.drop_index("ix_correction_requests_mark", table_name="correction_requests")
    op.drop_index("ux_correction_requests_open_mark", table_name="correction_requests")
    op.drop_table("correction_requests")
    op.drop_index("ix_attendance_changes_entry", table_name="attendance_changes")
    op.drop_table("attendance_changes")
