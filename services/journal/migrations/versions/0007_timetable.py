"""Timetable (issue 6, items 1 and 6): timetable entries, teaching load for a subgroup.

Reserved (no-op) until its slice lands; the owner of the slice fills in upgrade() and downgrade().

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
