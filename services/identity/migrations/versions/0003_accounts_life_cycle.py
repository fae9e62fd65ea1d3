"""Account life cycle (issue 8 item 4): whether a person's account is enabled, since when and why not.

One row per person whose account was ever disabled or enabled (no row: enabled, never changed);
`last_movement_on` is the date of the last journal movement applied, so a late, older event changes
nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_states",
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column(
            "disabled_reason",
            sa.Enum(
                "by_admin",
                "expulsion",
                "graduation",
                name="account_disabled_reason",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("last_movement_on", sa.Date, nullable=True),
        sa.CheckConstraint("enabled = (disabled_reason IS NULL)", name="ck_account_states_reason"),
    )


def downgrade() -> None:
    op.drop_table("account_states")
