"""Scoped role assignments (slice H4, issue 8 item 1, ADR 0012).

`role_assignments`: a role a person holds in a scope — `college` (no id), `department` (`scope_id`),
`group` (`scope_id`), `discipline_in_group` (`scope_id` the group, `discipline_id`) — with who
assigned it and when, and once revoked who revoked it and when (kept, never deleted). At most one
assignment in force per person, role and scope. The roles `head_of_commission` («руководитель ПЦК»)
and `master` («мастер производственного обучения») join `person_role`.

Backfill: every person gets a `college` assignment of their `people.role`, assigned at their
creation by "" (the system), so the table is the whole truth for new code.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ENUM, UUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCOPE_KINDS = ("college", "department", "group", "discipline_in_group")
NO_ID = "'00000000-0000-0000-0000-000000000000'::uuid"


def upgrade() -> None:
    # New enum values cannot be used in the transaction that adds them; nothing here uses them.
    op.execute("ALTER TYPE person_role ADD VALUE IF NOT EXISTS 'head_of_commission'")
    op.execute("ALTER TYPE person_role ADD VALUE IF NOT EXISTS 'master'")
    op.create_table(
        "role_assignments",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("role", ENUM(name="person_role", create_type=False), nullable=False),
        sa.Column("scope_kind", sa.String(24), nullable=False),
        sa.Column("scope_id", UUID(as_uuid=True), nullable=True),
        sa.Column("discipline_id", UUID(as_uuid=True), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=True),
        sa.CheckConstraint(
            "scope_kind IN ('college', 'department', 'group', 'discipline_in_group')",
            name="ck_role_assignments_scope_kind",
        ),
        sa.CheckConstraint(
            "(scope_kind = 'college') = (scope_id IS NULL)"
            " AND (scope_kind = 'discipline_in_group') = (discipline_id IS NOT NULL)",
            name="ck_role_assignments_scope_ids",
        ),
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by IS NULL)", name="ck_role_assignments_revoked"),
    )
    op.create_index("ix_role_assignments_person", "role_assignments", ["person_id"])
    op.execute(
        "CREATE UNIQUE INDEX ux_role_assignments_in_force ON role_assignments "
        f"(person_id, role, scope_kind, COALESCE(scope_id, {NO_ID}), COALESCE(discipline_id, {NO_ID})) "
        "WHERE revoked_at IS NULL"
    )
    op.execute(
        "INSERT INTO role_assignments (id, person_id, role, scope_kind, assigned_at, assigned_by) "
        "SELECT gen_random_uuid(), id, role, 'college', created_at, '' FROM people"
    )


def downgrade() -> None:
    # PostgreSQL cannot drop enum values; `head_of_commission` and `master` stay in person_role.
    op.drop_table("role_assignments")
