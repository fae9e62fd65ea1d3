"""Marks: record one (the teacher with the load), read a student's diary (whoever may see it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.period_locks import ensure_open
from journal_service.application.ports import (
    GuardianDirectory,
    JournalUnitOfWork,
    Today,
    UnitOfWorkFactory,
)
from journal_service.application.read_models import may_read_student
from journal_service.application.refused_writes import refusal_audited
from journal_service.application.subgroup_members import subgroup_members_on
from journal_service.application.substitution_rights import loads_for_writing
from journal_service.domain import access, averages, errors, lesson_errors, model
from journal_service.domain.substitutions import Slot


@dataclass(frozen=True)
class RecordMark:
    """Record a mark for a student on a lesson."""

    student_id: uuid.UUID
    group_id: uuid.UUID | None
    discipline_id: uuid.UUID | None
    lesson_date: date | None
    value: str
    # On a lesson: group, discipline and date are the lesson's (None, or equal to them).
    lesson_id: uuid.UUID | None = None
    kind_of_work: model.KindOfWork = model.KindOfWork.ANSWER
    weight: int = 1


@dataclass(frozen=True)
class _Where:
    """Where a mark goes: the group, discipline and date, and the lesson with its subgroup if any."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    lesson_date: date
    lesson_id: uuid.UUID | None = None
    subgroup_id: uuid.UUID | None = None
    slot: Slot | None = None  # the lesson's pair (a substitute writes on it)


@dataclass(frozen=True)
class ListStudentMarks:
    """Read a student's diary."""

    student_id: uuid.UUID


@dataclass(frozen=True)
class StudentDiary:
    """A diary as read: the marks, newest lesson first, the disciplines they refer to and their averages."""

    marks: list[model.MarkView]
    disciplines: list[model.DisciplineView]
    averages: list[averages.DisciplineAverages]


def local_date(value: date) -> common_pb2.LocalDate:
    """Return the protobuf form of a lesson date."""
    return common_pb2.LocalDate(year=value.year, month=value.month, day=value.day)


class MarkHandlers:
    """Use cases of marks and the diary."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory, today: Today) -> None:
        self._uow = uow
        self._guardians = guardians
        self._today = today

    async def record(self, cmd: RecordMark, actor: Principal) -> model.Mark:
        """Record a mark (the teacher with the load); writes the mark, its event and its audit at once."""
        access.require_teacher(actor)
        teacher_id = access.person_id(actor)
        refused = (
            {"resource_type": "lesson", "resource_id": str(cmd.lesson_id)}
            if cmd.lesson_id is not None
            else {"resource_type": "group", "resource_id": str(cmd.group_id)}
        )
        async with (
            refusal_audited(self._uow, actor, action="mark.record", **refused),
            self._uow() as uow,
        ):
            where = await self._where(uow, cmd)
            loads = await loads_for_writing(uow, teacher_id, slot=where.slot)  # the lesson read once
            mark = model.new_mark(
                dictionary=await uow.marks.dictionary(knowing=cmd.value),
                today=self._today(),
                teacher_loads=loads,
                enrolled=await uow.groups.is_enrolled(where.group_id, cmd.student_id, on=where.lesson_date),
                student_id=cmd.student_id,
                group_id=where.group_id,
                discipline_id=where.discipline_id,
                teacher_id=teacher_id,
                lesson_date=where.lesson_date,
                value=cmd.value,
                lesson_id=where.lesson_id,
                kind_of_work=cmd.kind_of_work,
                weight=cmd.weight,
            )
            # A subgroup's load covers marks on that subgroup's lessons only (TeachingLoad.covers).
            if not any(
                load.covers(teacher_id, where.group_id, where.discipline_id, where.subgroup_id)
                for load in loads
            ):
                raise errors.NotTeachingThisGroup()
            # Slice J: in the subgroup on the lesson's date (dated membership).
            if where.subgroup_id is not None and cmd.student_id not in await subgroup_members_on(
                uow, where.subgroup_id, where.lesson_date
            ):
                raise lesson_errors.StudentNotInSubgroup()
            # R1.5: no mark on a day of a closed period (slice B).
            await ensure_open(
                uow,
                group_id=where.group_id,
                discipline_id=where.discipline_id,
                on_date=where.lesson_date,
                actor=actor,
            )
            await uow.marks.add(mark)
            await uow.emit(
                events.MarkRecorded(
                    mark_id=str(mark.id),
                    student_id=str(mark.student_id),
                    group_id=str(mark.group_id),
                    discipline_id=str(mark.discipline_id),
                    teacher_id=str(mark.teacher_id),
                    lesson_date=local_date(mark.lesson_date),
                    value=mark.value,
                    lesson_id=str(mark.lesson_id or ""),
                    kind_of_work=jpb.KindOfWork.Value(f"KIND_OF_WORK_{mark.kind_of_work.name}"),
                    weight=mark.weight,
                )
            )
            await uow.audit(
                "mark.recorded",
                actor=actor,
                resource_type="mark",
                resource_id=str(mark.id),
                subject_person_id=str(mark.student_id),
            )
            await uow.commit()
            return mark

    async def _where(self, uow: JournalUnitOfWork, cmd: RecordMark) -> _Where:
        if cmd.lesson_id is None:
            if cmd.group_id is None or cmd.discipline_id is None or cmd.lesson_date is None:
                raise errors.MarkLessonMismatch()
            return _Where(cmd.group_id, cmd.discipline_id, cmd.lesson_date)
        lesson = await uow.lessons.get(cmd.lesson_id, recipients=False)
        if lesson is None:
            raise lesson_errors.LessonNotFound()
        given = (cmd.group_id, cmd.discipline_id, cmd.lesson_date)
        actual = (lesson.group_id, lesson.discipline_id, lesson.lesson_date)
        if any(g is not None and g != a for g, a in zip(given, actual, strict=True)):
            raise errors.MarkLessonMismatch()
        return _Where(
            lesson.group_id,
            lesson.discipline_id,
            lesson.lesson_date,
            lesson.id,
            lesson.subgroup_id,
            Slot.of_lesson(lesson),
        )

    async def diary(self, query: ListStudentMarks, actor: Principal) -> StudentDiary:
        """Return a student's marks and their disciplines to whoever may see them; audit others' reads."""
        student = str(query.student_id)
        async with self._uow() as uow:
            if actor.subject == student and actor.has_any(access.STUDENT):
                return await self._diary(uow, query.student_id)
            if not await may_read_student(uow, self._guardians, actor, query.student_id):
                raise errors.StudentNotVisible()
            diary = await self._diary(uow, query.student_id)
            await uow.audit(
                "diary.read",
                actor=actor,
                resource_type="student",
                resource_id=student,
                subject_person_id=student,
            )
            await uow.commit()
            return diary

    async def _diary(self, uow: JournalUnitOfWork, student_id: uuid.UUID) -> StudentDiary:
        marks = await uow.marks.of_student(student_id)
        disciplines = await uow.disciplines.views({m.discipline_id for m in marks})
        dictionary = await uow.marks.dictionary()
        return StudentDiary(
            marks=marks, disciplines=disciplines, averages=averages.by_discipline(marks, dictionary)
        )
