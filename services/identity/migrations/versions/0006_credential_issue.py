"""Credential issue (slice H1, issue 8 items 2, 3, 10): identity's projection of the journal's groups
and memberships — who leads which group and which students are in it — and when a password was last
issued to each person.

`group_class_teachers` and `group_members` are fed only by the journal's events (group created and
updated, student enrolled and moved); `application/group_scope.py` reads them to decide what a class
teacher may issue. `credential_issues` holds the time of the last password issued by this service.
(The group-list import of slice H2 may add its own tables here: the migration is shared.)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_class_teachers",
        sa.Column("group_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("class_teacher_id", UUID(as_uuid=True), nullable=True),
    )
    op.create_index("ix_group_class_teachers_teacher", "group_class_teachers", ["class_teacher_id"])
    op.create_table(
        "group_members",
        sa.Column("group_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("from_date", sa.Date, primary_key=True),
        sa.Column("to_date", sa.Date, nullable=True),
        sa.CheckConstraint("to_date IS NULL OR to_date >= from_date", name="ck_group_members_dates"),
    )
    op.create_index("ix_group_members_student", "group_members", ["student_id"])
    op.create_table(
        "credential_issues",
        sa.Column("person_id", UUID(as_uuid=True), sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("issued_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("credential_issues")
    op.drop_index("ix_group_members_student", table_name="group_members")
    op.drop_table("group_members")
    op.drop_index("ix_group_class_teachers_teacher", table_name="group_class_teachers")
    op.drop_table("group_class_teachers")
