"""Tables of the journal database and their imperative mapping onto the domain classes."""

from __future__ import annotations

from chassis.db import ImperativeMapping
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry

from journal_service.domain import model

metadata = MetaData()

groups = Table(
    "groups",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(32), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id"), primary_key=True),
    Column("student_id", UUID(as_uuid=True), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_enrollments_student", "student_id"),
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
    UniqueConstraint("teacher_id", "group_id", "discipline_id", name="uq_teaching_load"),
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
    Index("ix_marks_student_date", "student_id", "lesson_date"),
    Index("ix_marks_group_discipline", "group_id", "discipline_id"),
)

# identity's people and roles as the journal knows them (ids and roles only; see migration 0002).
people = Table(
    "people",
    metadata,
    Column("person_id", UUID(as_uuid=True), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
