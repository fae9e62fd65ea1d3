"""Academic debts and retakes (issue 7 item 3; 273-ФЗ ст.58).

A debt is not stored: it is a failing final of record (`finals`, migration 0011) without a passing
retake. `retakes` keeps each retake of such a final — its number (1 or 2, each once), date, mark,
whether it passed, the commission (members' person ids with the chairman among them; required for the
second) and who recorded it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retakes",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("final_id", UUID(as_uuid=True), sa.ForeignKey("finals.id"), nullable=False),
        sa.Column("attempt", sa.SmallInteger, nullable=False),
        sa.Column("retake_date", sa.Date, nullable=False),
        sa.Column("value", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("commission_chairman_id", UUID(as_uuid=True), nullable=True),
        sa.Column("commission_member_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
        sa.Column("recorded_by", UUID(as_uuid=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("final_id", "attempt", name="uq_retakes_attempt"),
        sa.CheckConstraint("attempt IN (1, 2)", name="ck_retakes_attempt"),
        sa.CheckConstraint(
            "attempt = 1 OR commission_chairman_id IS NOT NULL", name="ck_retakes_second_before_commission"
        ),
        sa.CheckConstraint(
            "(commission_chairman_id IS NULL) = (cardinality(commission_member_ids) = 0)",
            name="ck_retakes_commission",
        ),
    )


def downgrade() -> None:
    op.drop_table("retakes")
