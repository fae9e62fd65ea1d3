"""Reserved: demonstration exam conversion tables (issue 7 item 4).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
