"""Period locks and reopen requests (issue 7 item 5; R1.5, §4.5.1).

`period_locks`: a closed period (semester 1, 2 or the year: 0) of a group × discipline, with the days
it covers (copied from the academic year when closed), who closed it and why, and — after an approved
reopen request — the instant it closes again by itself (`reopened_until`); at most one per group,
discipline, year and period. `period_lock_history`: every close and reopen, kept for good.
`reopen_requests`: the teacher's request with its reason and the deputy's decision; at most one
pending per lock.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_CAUSES = "'finals_set', 'by_administration'"


def upgrade() -> None:
    op.create_table(
        "period_locks",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("semester", sa.SmallInteger, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", UUID(as_uuid=True), nullable=True),
        sa.Column("cause", sa.String(24), nullable=False),
        sa.Column("reopened_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_request_id", UUID(as_uuid=True), nullable=True),
        sa.CheckConstraint("semester IN (0, 1, 2)", name="ck_period_locks_semester"),
        sa.CheckConstraint("starts_on <= ends_on", name="ck_period_locks_span"),
        sa.CheckConstraint(f"cause IN ({_CAUSES})", name="ck_period_locks_cause"),
        sa.UniqueConstraint("group_id", "discipline_id", "year_id", "semester", name="uq_period_locks"),
    )
    op.create_index("ix_period_locks_days", "period_locks", ["group_id", "discipline_id", "starts_on"])
    op.create_table(
        "period_lock_history",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("lock_id", UUID(as_uuid=True), sa.ForeignKey("period_locks.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", UUID(as_uuid=True), nullable=True),
        sa.Column("cause", sa.String(24), nullable=True),
        sa.Column("reopened_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_id", UUID(as_uuid=True), nullable=True),
        sa.CheckConstraint("action IN ('closed', 'reopened')", name="ck_period_lock_history_action"),
    )
    op.create_index("ix_period_lock_history_lock", "period_lock_history", ["lock_id", "at"])
    op.create_table(
        "reopen_requests",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("lock_id", UUID(as_uuid=True), sa.ForeignKey("period_locks.id"), nullable=False),
        sa.Column("requested_by", UUID(as_uuid=True), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", UUID(as_uuid=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(1000), nullable=False, server_default=""),
        sa.Column("reopened_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="ck_reopen_requests_status"),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)",
            name="ck_reopen_requests_decided",
        ),
    )
    op.create_index(
        "ux_reopen_requests_pending",
        "reopen_requests",
        ["lock_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_reopen_requests_teacher", "reopen_requests", ["requested_by", "requested_at"])
    op.create_index("ix_reopen_requests_status", "reopen_requests", ["status", "requested_at"])


def downgrade() -> None:
    op.drop_table("reopen_requests")
    op.drop_table("period_lock_history")
    op.drop_table("period_locks")
