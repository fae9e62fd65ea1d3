"""Initial identity schema: people, parent↔student links, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from chassis.outbox import create_outbox_tables, drop_outbox_tables
from sqlalchemy.dialects.postgresql import UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROLES = ("admin", "director", "deputy", "curator", "class_teacher", "teacher", "student", "parent")


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.Enum(*ROLES, name="person_role"), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("middle_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("email", sa.String(254)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "guardianships",
        sa.Column("parent_id", UUID(as_uuid=True), sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_guardianships_student", "guardianships", ["student_id"])
    create_outbox_tables(op.get_bind())


def downgrade() -> None:
    drop_outbox_tables(op.get_bind())
    op.drop_table("guardianships")
    op.drop_table("people")
    op.execute("DROP TYPE person_role")
