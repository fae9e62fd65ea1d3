"""Timetable (issue 6, items 1 and 6): a teaching load may be for one subgroup, and each group has a
timetable («расписание») per academic year and semester.

`teaching_loads.subgroup_id` (nullable FK): a load of the whole group has none. The unique constraint
becomes teacher × group × discipline × subgroup with NULLS NOT DISTINCT (PostgreSQL 15), so a teacher
holds the whole group's load once and each subgroup's load once.

`timetable_entries`: group × year × semester × weekday (1 = Monday … 6 = Saturday) × pair × week parity
(every, odd, even — weeks counted from the week of semester 1's first day) × discipline × subgroup or
none × teacher × room. The clash rules (a group's slot, a teacher's slot across groups) are decided by
the handler under a lock of the year row; the table keeps only what one row can check.

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
    op.add_column(
        "teaching_loads",
        sa.Column("subgroup_id", UUID(as_uuid=True), sa.ForeignKey("subgroups.id"), nullable=True),
    )
    op.drop_constraint("uq_teaching_load", "teaching_loads", type_="unique")
    op.create_unique_constraint(
        "uq_teaching_load",
        "teaching_loads",
        ["teacher_id", "group_id", "discipline_id", "subgroup_id"],
        postgresql_nulls_not_distinct=True,
    )
    op.create_table(
        "timetable_entries",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("semester", sa.SmallInteger, nullable=False),
        sa.Column("weekday", sa.SmallInteger, nullable=False),
        sa.Column("pair_number", sa.SmallInteger, nullable=False),
        sa.Column("parity", sa.String(24), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("subgroup_id", UUID(as_uuid=True), sa.ForeignKey("subgroups.id"), nullable=True),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False),
        sa.Column("room", sa.String(32), nullable=False, server_default=""),
        sa.CheckConstraint("semester IN (1, 2)", name="ck_timetable_semester"),
        sa.CheckConstraint("weekday BETWEEN 1 AND 6", name="ck_timetable_weekday"),
        sa.CheckConstraint("pair_number BETWEEN 1 AND 8", name="ck_timetable_pair"),
        sa.CheckConstraint("parity IN ('every', 'odd', 'even')", name="week_parity"),
    )
    op.create_index(
        "ix_timetable_group",
        "timetable_entries",
        ["group_id", "year_id", "semester", "weekday", "pair_number"],
    )
    op.create_index(
        "ix_timetable_teacher", "timetable_entries", ["teacher_id", "year_id", "semester", "weekday"]
    )


def downgrade() -> None:
    op.drop_index("ix_timetable_teacher", table_name="timetable_entries")
    op.drop_index("ix_timetable_group", table_name="timetable_entries")
    op.drop_table("timetable_entries")
    op.drop_constraint("uq_teaching_load", "teaching_loads", type_="unique")
    op.execute("DELETE FROM teaching_loads WHERE subgroup_id IS NOT NULL")
    op.create_unique_constraint(
        "uq_teaching_load", "teaching_loads", ["teacher_id", "group_id", "discipline_id"]
    )
    op.drop_column("teaching_loads", "subgroup_id")
