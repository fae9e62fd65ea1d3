"""Tables of the journal database and their imperative mapping onto the domain classes."""

from __future__ import annotations

import enum

from chassis.db import ImperativeMapping
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import registry

from journal_service.domain import curriculum as curriculum_model
from journal_service.domain import final_rules as final_rules_model
from journal_service.domain import finals as finals_model
from journal_service.domain import lessons as lessons_model
from journal_service.domain import model, movement, timetable, year
from journal_service.domain import substitutions as substitutions_model

metadata = MetaData()


def _text_enum(kind: type[enum.StrEnum], name: str) -> Enum:
    """A domain enum stored as its value in a checked VARCHAR (a new value needs no ALTER TYPE)."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
    )


groups = Table(
    "groups",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(32), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Attributes of R2.1 (migration 0003): optional, so groups created before them stay valid.
    Column("course_year", SmallInteger, nullable=True),
    Column("specialty_code", String(8), nullable=False, server_default=""),
    Column("specialty_name", String(200), nullable=False, server_default=""),
    Column("study_form", _text_enum(year.StudyForm, "study_form"), nullable=True),
    Column("class_teacher_id", UUID(as_uuid=True), nullable=True, index=True),
)

enrollments = Table(
    "enrollments",
    metadata,
    # Student movement (migration 0008): a row per stay in a group, from enrolled_on up to left_on.
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_enrollments_student", "student_id"),
    Index("ix_enrollments_group_dates", "group_id", "enrolled_on"),
    Index(
        "ux_enrollments_open", "group_id", "student_id", unique=True, postgresql_where=text("left_on IS NULL")
    ),
    CheckConstraint("left_on IS NULL OR left_on > enrolled_on", name="ck_enrollments_dates"),
)

student_movements = Table(
    "student_movements",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("kind", _text_enum(movement.MovementKind, "movement_kind"), nullable=False),
    Column("from_group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=True),
    Column("to_group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=True),
    Column("on_date", Date, nullable=False),
    Column("order_number", String(32), nullable=False),
    Column("recorded_by", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_student_movements_student", "student_id", "on_date"),
    # Migration 0015: one movement a day per student; a group's movements by either side.
    Index("ux_student_movements_student_day", "student_id", "on_date", unique=True),
    Index("ix_student_movements_from_group", "from_group_id", "on_date"),
    Index("ix_student_movements_to_group", "to_group_id", "on_date"),
)

disciplines = Table(
    "disciplines",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("code", String(32), nullable=False, server_default=""),
    Column("name", String(200), nullable=False),
    Column(
        "kind",
        Enum(model.DisciplineKind, name="discipline_kind", values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

teaching_loads = Table(
    "teaching_loads",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Migration 0007: a load may be for one subgroup (none: the whole group).
    Column("subgroup_id", UUID(as_uuid=True), ForeignKey("subgroups.id"), nullable=True),
    UniqueConstraint(
        "teacher_id",
        "group_id",
        "discipline_id",
        "subgroup_id",
        name="uq_teaching_load",
        postgresql_nulls_not_distinct=True,
    ),
)

mark_kinds = Table(
    "mark_kinds",
    metadata,
    Column("value", String(16), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("counts_in_average", Boolean, nullable=False),
    Column("is_absence", Boolean, nullable=False),
    Column("allowed_as_final", Boolean, nullable=False),
    Column("sort_order", Integer, nullable=False),
)

marks = Table(
    "marks",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("lesson_date", Date, nullable=False),
    Column("value", String(16), ForeignKey("mark_kinds.value"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Migration 0005: a mark may be on a lesson (several per student per lesson), of a kind, weighted.
    Column("lesson_id", UUID(as_uuid=True), ForeignKey("lessons.id"), nullable=True),
    Column(
        "kind_of_work",
        _text_enum(model.KindOfWork, "kind_of_work"),
        nullable=False,
        server_default=model.KindOfWork.ANSWER.value,
    ),
    Column("weight", SmallInteger, nullable=False, server_default="1"),
    Index("ix_marks_student_date", "student_id", "lesson_date"),
    Index("ix_marks_group_discipline", "group_id", "discipline_id"),
    Index("ix_marks_lesson", "lesson_id", postgresql_where=text("lesson_id IS NOT NULL")),
    CheckConstraint("weight BETWEEN 1 AND 5", name="ck_marks_weight"),
    # Migration 0010: a removed mark keeps its row, hidden from every read model (mark_changes).
    Column("removed_at", DateTime(timezone=True), nullable=True),
    Column("removed_by", UUID(as_uuid=True), nullable=True),
)

# Migration 0010: every change and removal of a mark, old → new, who, when and why (R3.3).
mark_changes = Table(
    "mark_changes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("mark_id", UUID(as_uuid=True), ForeignKey("marks.id"), nullable=False),
    Column("action", String(16), nullable=False),
    Column("changed_by", UUID(as_uuid=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("old_value", String(16), nullable=False),
    Column("old_kind_of_work", String(32), nullable=False),
    Column("old_weight", SmallInteger, nullable=False),
    Column("new_value", String(16), ForeignKey("mark_kinds.value"), nullable=True),
    Column("new_kind_of_work", String(32), nullable=True),
    Column("new_weight", SmallInteger, nullable=True),
    Column("reason", String(500), nullable=False, server_default=""),
    Index("ix_mark_changes_mark", "mark_id", "changed_at"),
)

# Migration 0013 (R3.3): every change of a student's attendance of a lesson after it was recorded, and
# students' correction requests about their marks with the teacher's answers.
attendance_changes = Table(
    "attendance_changes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("lesson_id", UUID(as_uuid=True), ForeignKey("lessons.id"), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("changed_by", UUID(as_uuid=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("source", String(24), nullable=False),
    Column("old_status", String(24), nullable=True),
    Column("old_reason", String(24), nullable=True),
    Column("new_status", String(24), nullable=True),
    Column("new_reason", String(24), nullable=True),
    Index("ix_attendance_changes_entry", "lesson_id", "student_id", "changed_at"),
)
correction_requests = Table(
    "correction_requests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("mark_id", UUID(as_uuid=True), ForeignKey("marks.id"), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("mark_value", String(16), nullable=False),
    Column("text", String(1000), nullable=False),
    Column("filed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("decision", String(16), nullable=True),
    Column("answer_text", String(1000), nullable=True),
    Column("answered_by", UUID(as_uuid=True), nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("change_id", UUID(as_uuid=True), ForeignKey("mark_changes.id"), nullable=True),
    Column("new_value", String(16), nullable=True),
    Index(
        "ux_correction_requests_open_mark", "mark_id", unique=True, postgresql_where=text("status = 'open'")
    ),
    Index("ix_correction_requests_mark", "mark_id", "filed_at"),
    Index("ix_correction_requests_student", "student_id", "filed_at"),
    Index("ix_correction_requests_load", "group_id", "discipline_id", "status"),
)

# identity's people and roles as the journal knows them (ids and roles only; see migration 0002).
people = Table(
    "people",
    metadata,
    Column("person_id", UUID(as_uuid=True), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The academic year's structure (R2.1, migration 0003).
academic_years = Table(
    "academic_years",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(9), nullable=False, unique=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

academic_periods = Table(
    "academic_periods",
    metadata,
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("number", SmallInteger, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    PrimaryKeyConstraint("year_id", "number"),
    CheckConstraint("number IN (1, 2)", name="ck_academic_periods_number"),
)

calendar_spans = Table(
    "calendar_spans",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("kind", _text_enum(year.CalendarSpanKind, "calendar_span_kind"), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Index("ix_calendar_spans_group_year", "group_id", "year_id", "starts_on"),
    CheckConstraint("starts_on <= ends_on", name="ck_calendar_spans_dates"),
)

bell_pairs = Table(
    "bell_pairs",
    metadata,
    Column("number", SmallInteger, primary_key=True),
    Column("starts_at_minute", SmallInteger, nullable=False),
    Column("ends_at_minute", SmallInteger, nullable=False),
    CheckConstraint("number BETWEEN 1 AND 8", name="ck_bell_pairs_number"),
    CheckConstraint(
        "0 <= starts_at_minute AND starts_at_minute < ends_at_minute AND ends_at_minute <= 1440",
        name="ck_bell_pairs_times",
    ),
)

subgroups = Table(
    "subgroups",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("group_id", "discipline_id", "name", name="uq_subgroup_name"),
)

# group_id and discipline_id repeat the subgroup's so the database itself keeps a student in at most
# one subgroup of a group for a discipline.
subgroup_members = Table(
    "subgroup_members",
    metadata,
    Column("subgroup_id", UUID(as_uuid=True), ForeignKey("subgroups.id"), nullable=False),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    # Slice J (migration 0019): dated membership, from from_date up to to_date (NULL while it lasts);
    # one row in force per student of a group's discipline (ux_subgroup_members_open).
    Column("from_date", Date, nullable=False),
    Column("to_date", Date, nullable=True),
    PrimaryKeyConstraint("subgroup_id", "student_id", "from_date"),
    CheckConstraint("to_date IS NULL OR to_date > from_date", name="ck_subgroup_members_dates"),
    Index(
        "ux_subgroup_members_open",
        "group_id",
        "discipline_id",
        "student_id",
        unique=True,
        postgresql_where=text("to_date IS NULL"),
    ),
    Index("ix_subgroup_members_student", "student_id"),
)


lessons = Table(
    "lessons",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("subgroup_id", UUID(as_uuid=True), ForeignKey("subgroups.id"), nullable=True),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("lesson_date", Date, nullable=False),
    Column("pair_number", SmallInteger, nullable=False),
    Column("topic", String(500), nullable=False),
    Column("kind", _text_enum(lessons_model.LessonKind, "lesson_kind"), nullable=False),
    Column("homework", String(2000), nullable=False, server_default=""),
    Column("homework_deadline", Date, nullable=True),
    # Curriculum and KTP (migration 0006): the KTP topic followed and the kind of the homework.
    Column("ktp_topic_id", UUID(as_uuid=True), ForeignKey("ktp_topics.id"), nullable=True),
    Column(
        "homework_kind",
        _text_enum(lessons_model.HomeworkKind, "homework_kind"),
        nullable=False,
        server_default="homework",
    ),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_lessons_group_discipline_date", "group_id", "discipline_id", "lesson_date"),
    CheckConstraint("pair_number BETWEEN 1 AND 8", name="ck_lessons_pair"),
)

# Whole pair or lateness per student per lesson; the reason is a category, never a diagnosis.
attendance = Table(
    "attendance",
    metadata,
    Column("lesson_id", UUID(as_uuid=True), ForeignKey("lessons.id"), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("status", _text_enum(lessons_model.AttendanceStatus, "attendance_status"), nullable=False),
    Column("reason", _text_enum(lessons_model.AbsenceReason, "absence_reason"), nullable=False),
    PrimaryKeyConstraint("lesson_id", "student_id"),
)

# The groups' timetables (migration 0007): a pair on a weekday for a group or subgroup, per semester.
timetable_entries = Table(
    "timetable_entries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("semester", SmallInteger, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("pair_number", SmallInteger, nullable=False),
    Column("parity", _text_enum(timetable.WeekParity, "week_parity"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("subgroup_id", UUID(as_uuid=True), ForeignKey("subgroups.id"), nullable=True),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("room", String(32), nullable=False, server_default=""),
    Index("ix_timetable_group", "group_id", "year_id", "semester", "weekday", "pair_number"),
    Index("ix_timetable_teacher", "teacher_id", "year_id", "semester", "weekday"),
    CheckConstraint("semester IN (1, 2)", name="ck_timetable_semester"),
    CheckConstraint("weekday BETWEEN 1 AND 6", name="ck_timetable_weekday"),
    CheckConstraint("pair_number BETWEEN 1 AND 8", name="ck_timetable_pair"),
)


# Curriculum and KTP (migration 0006): the group's plan per year, its KTPs, and homework recipients.
curriculum_items = Table(
    "curriculum_items",
    metadata,
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("semester", SmallInteger, nullable=False),
    Column("total_hours", SmallInteger, nullable=False),
    Column("weekly_hours", SmallInteger, nullable=False),
    Column("control_form", _text_enum(curriculum_model.ControlForm, "control_form"), nullable=False),
    PrimaryKeyConstraint("group_id", "year_id", "discipline_id", "semester"),
    CheckConstraint("semester IN (1, 2)", name="ck_curriculum_semester"),
)
ktps = Table(
    "ktps",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("subgroup_id", UUID(as_uuid=True), ForeignKey("subgroups.id"), nullable=True),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_on", Date, nullable=False, server_default=func.current_date()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
ktp_topics = Table(
    "ktp_topics",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ktp_id", UUID(as_uuid=True), ForeignKey("ktps.id"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("title", String(500), nullable=False),
    Column("hours", SmallInteger, nullable=False),
    Column("kind", _text_enum(lessons_model.LessonKind, "lesson_kind"), nullable=False),
)
# The students a lesson's homework is for when not the whole group or subgroup (read by the diary).
homework_recipients = Table(
    "homework_recipients",
    metadata,
    Column("lesson_id", UUID(as_uuid=True), ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    PrimaryKeyConstraint("lesson_id", "student_id"),
    Index("ix_homework_recipients_student", "student_id"),
)
# Substitutions (migration 0014, slice D): a pair of the timetable on a date taught by another teacher.
substitutions = Table(
    "substitutions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("subgroup_id", UUID(as_uuid=True), ForeignKey("subgroups.id"), nullable=True),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("lesson_date", Date, nullable=False),
    Column("pair_number", SmallInteger, nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("substitute_id", UUID(as_uuid=True), nullable=False),
    Column(
        "reason", _text_enum(substitutions_model.SubstitutionReason, "substitution_reason"), nullable=False
    ),
    Column("recorded_by", UUID(as_uuid=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_by", UUID(as_uuid=True), nullable=True),
    Index(
        "ux_substitutions_slot",
        "group_id",
        "subgroup_id",
        "lesson_date",
        "pair_number",
        unique=True,
        postgresql_nulls_not_distinct=True,
        postgresql_where=text("cancelled_at IS NULL"),
    ),
    Index("ix_substitutions_substitute", "substitute_id", "lesson_date"),
    Index("ix_substitutions_teacher", "teacher_id", "lesson_date"),
    Index("ix_substitutions_date", "lesson_date"),
    CheckConstraint("(cancelled_at IS NULL) = (cancelled_by IS NULL)", name="ck_substitutions_cancelled_by"),
)


# Finals (migration 0011, slice A): the college's versioned final rule, finals per student × group ×
# discipline × year × semester (0 = the year) × kind, and every change of a final (old → new, who, why).
final_rules = Table(
    "final_rules",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("kind", _text_enum(final_rules_model.FinalRuleKind, "final_rule_kind"), nullable=False),
    Column("rounding", _text_enum(final_rules_model.FinalRounding, "final_rounding"), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("author_id", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
finals = Table(
    "finals",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("semester", SmallInteger, nullable=False),
    Column("kind", _text_enum(finals_model.FinalKind, "final_kind"), nullable=False),
    Column("value", String(16), ForeignKey("mark_kinds.value"), nullable=False),
    Column("proposed_value", String(16), nullable=True),
    Column("rule_version", Integer, ForeignKey("final_rules.version"), nullable=False),
    Column("set_by", UUID(as_uuid=True), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("reason", String(500), nullable=False, server_default=""),
    Column("marks_count", SmallInteger, nullable=False),
    Column("required_marks", SmallInteger, nullable=False),
    Column("not_enough_marks_confirmed", Boolean, nullable=False, server_default=text("false")),
    UniqueConstraint(
        "student_id", "group_id", "discipline_id", "year_id", "semester", "kind", name="uq_finals_period"
    ),
    Index("ix_finals_group_year", "group_id", "year_id", "semester", "discipline_id"),
    Index("ix_finals_student_year", "student_id", "year_id"),
)
final_changes = Table(
    "final_changes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("final_id", UUID(as_uuid=True), ForeignKey("finals.id"), nullable=False),
    Column("changed_by", UUID(as_uuid=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("old_value", String(16), nullable=False),
    Column("new_value", String(16), ForeignKey("mark_kinds.value"), nullable=False),
    Column("proposed_value", String(16), nullable=True),
    Column("rule_version", Integer, ForeignKey("final_rules.version"), nullable=False),
    Column("reason", String(500), nullable=False, server_default=""),
    Index("ix_final_changes_final", "final_id", "changed_at"),
)


# The demonstration exam (issue 7 item 4, migration 0017): versioned conversion tables and the results.
demo_exam_scales = Table(
    "demo_exam_scales",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("effective_from", Date, nullable=False),
    Column("author_id", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
demo_exam_scale_bands = Table(
    "demo_exam_scale_bands",
    metadata,
    Column("version", Integer, ForeignKey("demo_exam_scales.version"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("from_percent", Numeric(5, 2), nullable=False),
    Column("to_percent", Numeric(5, 2), nullable=False),
    Column("mark", String(16), ForeignKey("mark_kinds.value"), nullable=False),
    PrimaryKeyConstraint("version", "position"),
)
demo_exam_results = Table(
    "demo_exam_results",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("student_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("semester", SmallInteger, nullable=False),
    Column("exam_date", Date, nullable=False),
    Column("points", Numeric(7, 2), nullable=False),
    Column("maximum", Numeric(7, 2), nullable=False),
    Column("percent", Numeric(5, 2), nullable=False),
    Column("scale_version", Integer, ForeignKey("demo_exam_scales.version"), nullable=False),
    Column("mark", String(16), ForeignKey("mark_kinds.value"), nullable=False),
    Column("recorded_by", UUID(as_uuid=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("final_id", UUID(as_uuid=True), nullable=True),
    UniqueConstraint(
        "student_id", "discipline_id", "year_id", "semester", name="uq_demo_exam_results_student"
    ),
    Index("ix_demo_exam_results_group", "group_id", "discipline_id", "year_id", "semester"),
)


# Migration 0012 (slice B, R1.5): closed periods of a group × discipline, each close and reopen, and the
# teachers' reopen requests with the deputies' decisions.
period_locks = Table(
    "period_locks",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), nullable=False),
    Column("discipline_id", UUID(as_uuid=True), ForeignKey("disciplines.id"), nullable=False),
    Column("year_id", UUID(as_uuid=True), ForeignKey("academic_years.id"), nullable=False),
    Column("semester", SmallInteger, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", UUID(as_uuid=True), nullable=True),
    Column("cause", String(24), nullable=False),
    Column("reopened_until", DateTime(timezone=True), nullable=True),
    Column("reopen_request_id", UUID(as_uuid=True), nullable=True),
    UniqueConstraint("group_id", "discipline_id", "year_id", "semester", name="uq_period_locks"),
    Index("ix_period_locks_days", "group_id", "discipline_id", "starts_on"),
)
period_lock_history = Table(
    "period_lock_history",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("lock_id", UUID(as_uuid=True), ForeignKey("period_locks.id"), nullable=False),
    Column("action", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", UUID(as_uuid=True), nullable=True),
    Column("cause", String(24), nullable=True),
    Column("reopened_until", DateTime(timezone=True), nullable=True),
    Column("request_id", UUID(as_uuid=True), nullable=True),
    Index("ix_period_lock_history_lock", "lock_id", "at"),
)
reopen_requests = Table(
    "reopen_requests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("lock_id", UUID(as_uuid=True), ForeignKey("period_locks.id"), nullable=False),
    Column("requested_by", UUID(as_uuid=True), nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_by", UUID(as_uuid=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_reason", String(1000), nullable=False, server_default=""),
    Column("reopened_until", DateTime(timezone=True), nullable=True),
    Index("ux_reopen_requests_pending", "lock_id", unique=True, postgresql_where=text("status = 'pending'")),
    Index("ix_reopen_requests_teacher", "requested_by", "requested_at"),
    Index("ix_reopen_requests_status", "status", "requested_at"),
)


# Retakes of academic debts (issue 7 item 3, migration 0016); a debt itself is a failing final of record.
retakes = Table(
    "retakes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("final_id", UUID(as_uuid=True), ForeignKey("finals.id"), nullable=False),
    Column("attempt", SmallInteger, nullable=False),
    Column("retake_date", Date, nullable=False),
    Column("value", String(16), ForeignKey("mark_kinds.value"), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("commission_chairman_id", UUID(as_uuid=True), nullable=True),
    Column("commission_member_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("recorded_by", UUID(as_uuid=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("final_id", "attempt", name="uq_retakes_attempt"),
)


def _map(mapper: registry) -> None:
    mapper.map_imperatively(model.Group, groups)
    mapper.map_imperatively(model.Enrollment, enrollments)
    mapper.map_imperatively(model.Discipline, disciplines)
    mapper.map_imperatively(model.TeachingLoad, teaching_loads)
    mapper.map_imperatively(
        model.Mark, marks, properties={"recorded_at": marks.c.recorded_at}, eager_defaults=True
    )


start_mappers = ImperativeMapping(metadata, _map).start
"""Map the domain classes onto the tables, once per process."""
