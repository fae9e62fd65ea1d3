"""Reserved: substitutions and curriculum execution (issue 7 items 7, 9).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
