"""Adult students and their parents' access (issue 8 item 5, 152-ФЗ).

`people.birth_date` (optional; none recorded → the student is treated as a minor) and
`parent_access_consents`: one row per guardian link whose student ever consented — `granted_at` of
the last grant, `withdrawn_at` set when withdrawn (NULL while the consent is in force).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("birth_date", sa.Date, nullable=True))
    op.create_table(
        "parent_access_consents",
        sa.Column("student_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id", "student_id"],
            ["guardianships.parent_id", "guardianships.student_id"],
            name="fk_parent_access_consents_guardianship",
        ),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at >= granted_at", name="ck_parent_access_consents_order"
        ),
    )


def downgrade() -> None:
    op.drop_table("parent_access_consents")
    op.drop_column("people", "birth_date")
