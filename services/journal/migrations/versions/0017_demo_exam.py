"""The demonstration exam (issue 7 item 4): versioned conversion tables and the results.

`demo_exam_scales` keeps every version of the table (in force from a day, who set it; version 1 is
the default: under 20 % → 2, 20–39.99 → 3, 40–69.99 → 4, 70 and over → 5) and
`demo_exam_scale_bands` its bands; `demo_exam_results` keeps each student's points, maximum, percent,
the version used and the mark — a new version never touches them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demo_exam_scales",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("author_id", UUID(as_uuid=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("version >= 1", name="ck_demo_exam_scales_version"),
    )
    op.create_table(
        "demo_exam_scale_bands",
        sa.Column("version", sa.Integer, sa.ForeignKey("demo_exam_scales.version"), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("from_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("to_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("mark", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=False),
        sa.PrimaryKeyConstraint("version", "position"),
        sa.CheckConstraint(
            "0 <= from_percent AND from_percent <= to_percent AND to_percent <= 100",
            name="ck_demo_exam_scale_bands_percent",
        ),
    )
    op.create_table(
        "demo_exam_results",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("semester", sa.SmallInteger, nullable=False),
        sa.Column("exam_date", sa.Date, nullable=False),
        sa.Column("points", sa.Numeric(7, 2), nullable=False),
        sa.Column("maximum", sa.Numeric(7, 2), nullable=False),
        sa.Column("percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("scale_version", sa.Integer, sa.ForeignKey("demo_exam_scales.version"), nullable=False),
        sa.Column("mark", sa.String(16), sa.ForeignKey("mark_kinds.value"), nullable=False),
        sa.Column("recorded_by", UUID(as_uuid=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("final_id", UUID(as_uuid=True), nullable=True),
        sa.UniqueConstraint(
            "student_id", "discipline_id", "year_id", "semester", name="uq_demo_exam_results_student"
        ),
        sa.CheckConstraint("semester IN (1, 2)", name="ck_demo_exam_results_semester"),
        sa.CheckConstraint(
            "maximum > 0 AND points >= 0 AND points <= maximum", name="ck_demo_exam_results_points"
        ),
    )
    op.create_index(
        "ix_demo_exam_results_group",
        "demo_exam_results",
        ["group_id", "discipline_id", "year_id", "semester"],
    )
    op.execute("INSERT INTO demo_exam_scales (version, effective_from) VALUES (1, DATE '2000-01-01')")
    op.execute(
        "INSERT INTO demo_exam_scale_bands (version, position, from_percent, to_percent, mark) VALUES "
        "(1, 0, 0, 19.99, '2'), (1, 1, 20, 39.99, '3'), (1, 2, 40, 69.99, '4'), (1, 3, 70, 100, '5')"
    )


def downgrade() -> None:
    op.drop_index("ix_demo_exam_results_group", table_name="demo_exam_results")
    op.drop_table("demo_exam_results")
    op.drop_table("demo_exam_scale_bands")
    op.drop_table("demo_exam_scales")
