"""Student movement by date (issue 6): enrolment from/to dates, transfers between groups.

An enrolment gets its own id (a student may leave a group and come back: several rows of the same
group and student), `enrolled_on` (the first day in the group) and `left_on` (the first day no longer
in it; NULL while it lasts); at most one open enrolment per group and student. Existing rows start on
the first day of the academic year their `created_at` falls in (the `academic_years` row holding it,
else 1 September), so nothing recorded so far falls outside them. New rows without a date (the demo
college's COPY) start on 1 September of the current academic year. `student_movements` keeps every
movement with its order number; nothing is ever deleted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# 1 September of the academic year a day falls in (September starts the year): a day 8 months
# earlier is in the calendar year the academic year started in.
KINDS = ("transfer", "academic_leave", "expulsion", "return")


def upgrade() -> None:
    op.add_column(
        "enrollments",
        sa.Column("id", UUID(as_uuid=True), nullable=False, server_default=sa.text("gen_random_uuid()")),
    )
    op.add_column("enrollments", sa.Column("enrolled_on", sa.Date))
    op.add_column("enrollments", sa.Column("left_on", sa.Date))
    op.execute(
        "UPDATE enrollments e SET enrolled_on = COALESCE("
        "(SELECT max(y.starts_on) FROM academic_years y"
        " WHERE e.created_at::date BETWEEN y.starts_on AND y.ends_on), "
        "make_date(extract(year FROM e.created_at::date - interval '8 months')::int, 9, 1))"
    )
    op.alter_column(
        "enrollments",
        "enrolled_on",
        nullable=False,
        server_default=sa.text("make_date(extract(year FROM current_date - interval '8 months')::int, 9, 1)"),
    )
    op.drop_constraint("enrollments_pkey", "enrollments", type_="primary")
    op.create_primary_key("enrollments_pkey", "enrollments", ["id"])
    op.create_check_constraint(
        "ck_enrollments_dates", "enrollments", "left_on IS NULL OR left_on > enrolled_on"
    )
    op.create_index(
        "ux_enrollments_open",
        "enrollments",
        ["group_id", "student_id"],
        unique=True,
        postgresql_where=sa.text("left_on IS NULL"),
    )
    op.create_index("ix_enrollments_group_dates", "enrollments", ["group_id", "enrolled_on"])
    op.create_table(
        "student_movements",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="movement_kind", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("from_group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id")),
        sa.Column("to_group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id")),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("order_number", sa.String(32), nullable=False),
        sa.Column("recorded_by", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_student_movements_student", "student_movements", ["student_id", "on_date"])


def downgrade() -> None:
    op.drop_index("ix_student_movements_student", "student_movements")
    op.drop_table("student_movements")
    op.drop_index("ix_enrollments_group_dates", "enrollments")
    op.drop_index("ux_enrollments_open", "enrollments")
    op.drop_constraint("ck_enrollments_dates", "enrollments", type_="check")
    # Back to one row per group and student: the open enrolment, else the latest.
    op.execute(
        "DELETE FROM enrollments e USING enrollments newer WHERE e.group_id = newer.group_id"
        " AND e.student_id = newer.student_id AND e.id <> newer.id"
        " AND (e.left_on IS NOT NULL AND (newer.left_on IS NULL OR newer.enrolled_on > e.enrolled_on))"
    )
    op.drop_constraint("enrollments_pkey", "enrollments", type_="primary")
    op.create_primary_key("enrollments_pkey", "enrollments", ["group_id", "student_id"])
    op.drop_column("enrollments", "left_on")
    op.drop_column("enrollments", "enrolled_on")
    op.drop_column("enrollments", "id")
