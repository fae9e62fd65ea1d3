"""The academic year's structure (R2.1): academic years and their semesters, the groups' calendars
(«календарный учебный график»), the bell schedule (seeded with the usual six pairs), the groups'
attributes (course, specialty, form of study, class teacher) and subgroups per discipline.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SPAN_KINDS = ("theory", "study_practice", "industrial_practice", "session", "gia", "holidays")
STUDY_FORMS = ("full_time", "part_time", "extramural")
# The college's usual bells: a pair is two academic hours of 45 minutes; a long break after the third.
DEFAULT_PAIRS = [
    (1, "08:30", "10:00"),
    (2, "10:10", "11:40"),
    (3, "12:20", "13:50"),
    (4, "14:00", "15:30"),
    (5, "15:40", "17:10"),
    (6, "17:20", "18:50"),
]


def _minute(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.add_column("groups", sa.Column("course_year", sa.SmallInteger, nullable=True))
    op.add_column("groups", sa.Column("specialty_code", sa.String(8), nullable=False, server_default=""))
    op.add_column("groups", sa.Column("specialty_name", sa.String(200), nullable=False, server_default=""))
    op.add_column("groups", sa.Column("study_form", sa.String(24), nullable=True))
    op.add_column("groups", sa.Column("class_teacher_id", UUID(as_uuid=True), nullable=True))
    op.create_check_constraint("ck_groups_course_year", "groups", "course_year BETWEEN 1 AND 5")
    op.create_check_constraint("study_form", "groups", _one_of("study_form", STUDY_FORMS))
    op.create_index("ix_groups_class_teacher_id", "groups", ["class_teacher_id"])

    op.create_table(
        "academic_years",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(9), nullable=False, unique=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("starts_on <= ends_on", name="ck_academic_years_dates"),
    )
    op.create_table(
        "academic_periods",
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("number", sa.SmallInteger, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("year_id", "number"),
        sa.CheckConstraint("number IN (1, 2)", name="ck_academic_periods_number"),
    )
    op.create_table(
        "calendar_spans",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.CheckConstraint(_one_of("kind", SPAN_KINDS), name="calendar_span_kind"),
        sa.CheckConstraint("starts_on <= ends_on", name="ck_calendar_spans_dates"),
    )
    op.create_index("ix_calendar_spans_group_year", "calendar_spans", ["group_id", "year_id", "starts_on"])
    bell_pairs = op.create_table(
        "bell_pairs",
        sa.Column("number", sa.SmallInteger, primary_key=True),
        sa.Column("starts_at_minute", sa.SmallInteger, nullable=False),
        sa.Column("ends_at_minute", sa.SmallInteger, nullable=False),
        sa.CheckConstraint("number BETWEEN 1 AND 8", name="ck_bell_pairs_number"),
        sa.CheckConstraint(
            "0 <= starts_at_minute AND starts_at_minute < ends_at_minute AND ends_at_minute <= 1440",
            name="ck_bell_pairs_times",
        ),
    )
    op.bulk_insert(
        bell_pairs,
        [
            {"number": n, "starts_at_minute": _minute(start), "ends_at_minute": _minute(end)}
            for n, start, end in DEFAULT_PAIRS
        ],
    )
    op.create_table(
        "subgroups",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("group_id", "discipline_id", "name", name="uq_subgroup_name"),
    )
    op.create_table(
        "subgroup_members",
        sa.Column("subgroup_id", UUID(as_uuid=True), sa.ForeignKey("subgroups.id"), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), nullable=False),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("subgroup_id", "student_id"),
        sa.UniqueConstraint("group_id", "discipline_id", "student_id", name="uq_subgroup_member"),
    )


def downgrade() -> None:
    op.drop_table("subgroup_members")
    op.drop_table("subgroups")
    op.drop_table("bell_pairs")
    op.drop_index("ix_calendar_spans_group_year", table_name="calendar_spans")
    op.drop_table("calendar_spans")
    op.drop_table("academic_periods")
    op.drop_table("academic_years")
    op.drop_index("ix_groups_class_teacher_id", table_name="groups")
    op.drop_constraint("study_form", "groups", type_="check")
    op.drop_constraint("ck_groups_course_year", "groups", type_="check")
    for column in ("class_teacher_id", "study_form", "specialty_name", "specialty_code", "course_year"):
        op.drop_column("groups", column)
