"""Student movement by date (issue 6): enrolment from/to dates, transfers between groups.

Reserved (no-op) until its slice lands; the owner of the slice fills in upgrade() and downgrade().

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
