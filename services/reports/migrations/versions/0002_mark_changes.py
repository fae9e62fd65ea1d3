"""Changed and removed marks in the projection (journal.mark.changed.v1 / removed.v1; R3.3).

A removed mark stays as a row with `removed` set, so that a MarkRecorded delivered after its removal
(another consumer, another pace) does not bring it back; summaries count the rows not removed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mark_facts", sa.Column("removed", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.execute("DELETE FROM mark_facts WHERE removed")
    op.drop_column("mark_facts", "removed")
