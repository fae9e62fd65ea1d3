"""Dated subgroup membership (slice J, issue 7 item 8): `subgroup_members` gets `from_date` (the first
day in the subgroup, NOT NULL) and `to_date` (the first day no longer in it; NULL while it lasts), so a
transfer between subgroups of a group's discipline ends one row and starts another on its date and the
history stays.

Existing rows start on the student's first enrolment day in the group, or — with no enrolment row —
on 1 September of the academic year the subgroup was created in. The primary key becomes
(subgroup_id, student_id, from_date) (a student may come back to a subgroup later); «one subgroup of a
group's discipline at a time» is now the partial unique index `ux_subgroup_members_open` on the rows
still in force, and the order of dated rows is kept by the journal (transfers in date order under the
student's advisory lock, `movement_overlaps`). Downgrade keeps only the rows in force (the ended ones
are history the old schema cannot hold).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subgroup_members", sa.Column("from_date", sa.Date(), nullable=True))
    op.add_column("subgroup_members", sa.Column("to_date", sa.Date(), nullable=True))
    op.execute(
        """
        UPDATE subgroup_members AS m SET from_date = COALESCE(
            (SELECT min(e.enrolled_on) FROM enrollments AS e
              WHERE e.group_id = m.group_id AND e.student_id = m.student_id),
            (SELECT make_date(
                CAST(extract(year FROM s.created_at - interval '8 months') AS integer), 9, 1)
               FROM subgroups AS s WHERE s.id = m.subgroup_id)
        )
        """
    )
    op.alter_column("subgroup_members", "from_date", nullable=False)
    op.create_check_constraint(
        "ck_subgroup_members_dates", "subgroup_members", "to_date IS NULL OR to_date > from_date"
    )
    op.drop_constraint("subgroup_members_pkey", "subgroup_members", type_="primary")
    op.create_primary_key(
        "subgroup_members_pkey", "subgroup_members", ["subgroup_id", "student_id", "from_date"]
    )
    op.drop_constraint("uq_subgroup_member", "subgroup_members", type_="unique")
    op.create_index(
        "ux_subgroup_members_open",
        "subgroup_members",
        ["group_id", "discipline_id", "student_id"],
        unique=True,
        postgresql_where=sa.text("to_date IS NULL"),
    )
    op.create_index("ix_subgroup_members_student", "subgroup_members", ["student_id"])


def downgrade() -> None:
    op.execute("DELETE FROM subgroup_members WHERE to_date IS NOT NULL")
    op.drop_index("ix_subgroup_members_student", table_name="subgroup_members")
    op.drop_index("ux_subgroup_members_open", table_name="subgroup_members")
    op.create_unique_constraint(
        "uq_subgroup_member", "subgroup_members", ["group_id", "discipline_id", "student_id"]
    )
    op.drop_constraint("subgroup_members_pkey", "subgroup_members", type_="primary")
    op.create_primary_key("subgroup_members_pkey", "subgroup_members", ["subgroup_id", "student_id"])
    op.drop_constraint("ck_subgroup_members_dates", "subgroup_members", type_="check")
    op.drop_column("subgroup_members", "to_date")
    op.drop_column("subgroup_members", "from_date")
