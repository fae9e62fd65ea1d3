"""Reserved: history of absences and finals, correction requests (issue 7 item 6).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
