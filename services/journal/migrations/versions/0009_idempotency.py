"""Idempotency keys on writes (issue 6, bad input): the answer to each key, kept for a day.

Reserved (no-op) until its slice lands; the owner of the slice fills in upgrade() and downgrade().

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
