"""Curriculum and KTP (issue 6, items 1-3): curriculum rows, KTP topics, a lesson's KTP topic, homework for chosen students.

- `curriculum_items`: the group's «учебный план» for a year, one row per discipline and semester
  (total and weekly hours, control form); replaced as a whole by SetCurriculum.
- `ktps` (one per group — or subgroup — and discipline) and `ktp_topics` (ordered topics with hours
  and the kind of lesson); a topic keeps its id while the KTP is replaced.
- `lessons.ktp_topic_id` (nullable; a topic used by a lesson cannot be deleted) and
  `lessons.homework_kind` (homework or independent work, default 'homework' so old rows and the demo
  COPY stay valid).
- `homework_recipients(lesson_id, student_id)`: the students a lesson's homework is for when it is
  not the whole group (no rows = the whole group or subgroup). Read by the diary.

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

CONTROL_FORMS = (
    "none",
    "exam",
    "differentiated_credit",
    "credit",
    "course_work",
    "module_exam",
    "demonstration_exam",
    "complex_exam",
)
LESSON_KINDS = (
    "lecture",
    "practical",
    "laboratory",
    "test",
    "seminar",
    "independent_work",
    "combined",
    "consultation",
)
HOMEWORK_KINDS = ("homework", "independent_work")
NO_SUBGROUP = "00000000-0000-0000-0000-000000000000"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "curriculum_items",
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("year_id", UUID(as_uuid=True), sa.ForeignKey("academic_years.id"), nullable=False),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        sa.Column("semester", sa.SmallInteger, nullable=False),
        sa.Column("total_hours", sa.SmallInteger, nullable=False),
        sa.Column("weekly_hours", sa.SmallInteger, nullable=False),
        sa.Column("control_form", sa.String(24), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "year_id", "discipline_id", "semester"),
        sa.CheckConstraint("semester IN (1, 2)", name="ck_curriculum_semester"),
        sa.CheckConstraint("total_hours BETWEEN 1 AND 2000", name="ck_curriculum_total_hours"),
        sa.CheckConstraint("weekly_hours BETWEEN 0 AND 54", name="ck_curriculum_weekly_hours"),
        sa.CheckConstraint(_one_of("control_form", CONTROL_FORMS), name="control_form"),
    )
    op.create_table(
        "ktps",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("subgroup_id", UUID(as_uuid=True), sa.ForeignKey("subgroups.id"), nullable=True),
        sa.Column("discipline_id", UUID(as_uuid=True), sa.ForeignKey("disciplines.id"), nullable=False),
        # The college's date the KTP was first set (ListDisciplinesWithoutKtp looks at it).
        sa.Column("created_on", sa.Date, nullable=False, server_default=sa.func.current_date()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    # One KTP per group (or subgroup) and discipline.
    op.execute(
        "CREATE UNIQUE INDEX uq_ktp ON ktps "
        f"(group_id, discipline_id, COALESCE(subgroup_id, '{NO_SUBGROUP}'::uuid))"
    )
    op.create_table(
        "ktp_topics",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("ktp_id", UUID(as_uuid=True), sa.ForeignKey("ktps.id"), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("hours", sa.SmallInteger, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.CheckConstraint("hours BETWEEN 1 AND 200", name="ck_ktp_topic_hours"),
        sa.CheckConstraint(_one_of("kind", LESSON_KINDS), name="lesson_kind"),
        sa.UniqueConstraint(
            "ktp_id", "position", name="uq_ktp_topic_position", deferrable=True, initially="DEFERRED"
        ),
    )
    op.add_column(
        "lessons",
        sa.Column("ktp_topic_id", UUID(as_uuid=True), sa.ForeignKey("ktp_topics.id"), nullable=True),
    )
    op.add_column(
        "lessons",
        sa.Column("homework_kind", sa.String(24), nullable=False, server_default="homework"),
    )
    op.create_check_constraint("homework_kind", "lessons", _one_of("homework_kind", HOMEWORK_KINDS))
    op.create_index(
        "ix_lessons_ktp_topic",
        "lessons",
        ["ktp_topic_id"],
        postgresql_where=sa.text("ktp_topic_id IS NOT NULL"),
    )
    op.create_table(
        "homework_recipients",
        sa.Column(
            "lesson_id", UUID(as_uuid=True), sa.ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("student_id", UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("lesson_id", "student_id"),
    )
    op.create_index("ix_homework_recipients_student", "homework_recipients", ["student_id"])


def downgrade() -> None:
    op.drop_index("ix_homework_recipients_student", table_name="homework_recipients")
    op.drop_table("homework_recipients")
    op.drop_index("ix_lessons_ktp_topic", table_name="lessons")
    op.drop_constraint("homework_kind", "lessons", type_="check")
    op.drop_column("lessons", "homework_kind")
    op.drop_column("lessons", "ktp_topic_id")
    op.drop_table("ktp_topics")
    op.execute("DROP INDEX uq_ktp")
    op.drop_table("ktps")
    op.drop_table("curriculum_items")
