"""Initial messaging schema: in-app notifications, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from chassis.outbox import create_outbox_tables, drop_outbox_tables
from sqlalchemy.dialects.postgresql import UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("recipient_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True)),
        sa.Column("mark_value", sa.String(16)),
        sa.Column("lesson_date", sa.Date),
        sa.Column("source_event_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("source_event_id", "recipient_id", name="uq_notifications_source_recipient"),
    )
    op.create_index("ix_notifications_recipient_created", "notifications", ["recipient_id", "created_at"])
    create_outbox_tables(op.get_bind())


def downgrade() -> None:
    drop_outbox_tables(op.get_bind())
    op.drop_table("notifications")
