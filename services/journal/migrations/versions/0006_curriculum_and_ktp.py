"""Curriculum and KTP (issue 6, items 1-3): curriculum rows, KTP topics, a lesson's KTP topic, homework for chosen students.

Reserved (no-op) until its slice lands; the owner of the slice fills in upgrade() and downgrade().

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
