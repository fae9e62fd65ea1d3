"""People the journal refers to: a local projection of identity's people and their roles.

Fed by identity.person.created.v1 (durable journal-people) and caught up from identity's
ListPersonRoles on start and on a miss. Ids and roles only: no names, so no personal data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("person_id", UUID(as_uuid=True), primary_key=True),
        # The role's name as the domain spells it: admin, director, …, student, parent.
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("people")
