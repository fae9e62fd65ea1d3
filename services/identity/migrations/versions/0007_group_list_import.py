"""Group-list import (issue 8 item 2 bulk): the imports and the accounts an import is creating.

`group_list_imports` holds each import of a group list: its group, a fingerprint of the people in it
(the same list loaded again is refused while an earlier import of it stands), who ran it and how it
ended (`creating`, `imported`, `failed`). `pending_account_creations` names, before Keycloak is
called, every login an import is about to create; the rows go in the import's final transaction.
Rows left behind (an import whose clean-up failed because Keycloak was down, or a process killed
midway) tell the sweeper which Keycloak users belong to no person and are to be deleted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_list_imports",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("students", sa.Integer, nullable=False),
        sa.Column("parents", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('creating', 'imported', 'failed')", name="ck_group_list_imports_status"
        ),
    )
    # One standing import of the same list into the same group (a failed one may be tried again).
    op.create_index(
        "uq_group_list_imports_standing",
        "group_list_imports",
        ["group_id", "digest"],
        unique=True,
        postgresql_where=sa.text("status <> 'failed'"),
    )
    op.create_table(
        "pending_account_creations",
        sa.Column(
            "import_id",
            UUID(as_uuid=True),
            sa.ForeignKey("group_list_imports.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("pending_account_creations")
    op.drop_index("uq_group_list_imports_standing", table_name="group_list_imports")
    op.drop_table("group_list_imports")
