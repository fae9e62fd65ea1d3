"""Commands and queries of the journal: small immutable requests to the application layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from journal_service.domain.model import DisciplineKind, DisciplineView, MarkView


@dataclass(frozen=True)
class CreateGroup:
    """Create a study group."""

    name: str


@dataclass(frozen=True)
class EnrollStudent:
    """Enrol a student into a group."""

    group_id: uuid.UUID
    student_id: uuid.UUID


@dataclass(frozen=True)
class CreateDiscipline:
    """Create a discipline."""

    code: str
    name: str
    kind: DisciplineKind


@dataclass(frozen=True)
class AssignTeachingLoad:
    """Assign a teacher to a discipline in a group."""

    teacher_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID


@dataclass(frozen=True)
class RecordMark:
    """Record a mark for a student on a lesson."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    lesson_date: date
    value: str


@dataclass(frozen=True)
class ListStudentMarks:
    """Read a student's diary."""

    student_id: uuid.UUID


@dataclass(frozen=True)
class StudentDiary:
    """A diary as read: the marks, newest lesson first, and the disciplines they refer to."""

    marks: list[MarkView]
    disciplines: list[DisciplineView]


@dataclass(frozen=True)
class ListDisciplines:
    """Look disciplines up by id."""

    discipline_ids: tuple[uuid.UUID, ...]
