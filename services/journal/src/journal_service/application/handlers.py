"""Use cases of the journal: open a unit of work, apply the domain, stage events, commit."""

from __future__ import annotations

import uuid
from datetime import date

from chassis.auth import Principal
from chassis.context import new_id
from chassis.timestamps import now_timestamp
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import events_pb2 as events

from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.application import commands
from journal_service.application.ports import GuardianDirectory, Today, UnitOfWorkFactory
from journal_service.domain import access, errors, model
from journal_service.domain.subjects import (
    GROUP_CREATED,
    LOAD_ASSIGNED,
    MARK_RECORDED,
    STUDENT_ENROLLED,
)


def local_date(value: date) -> common_pb2.LocalDate:
    """Return the protobuf form of a lesson date."""
    return common_pb2.LocalDate(year=value.year, month=value.month, day=value.day)


class JournalHandlers:
    """The journal's use cases, wired with their ports in the composition root."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory, today: Today) -> None:
        self._uow = uow
        self._guardians = guardians
        self._today = today

    async def create_group(self, cmd: commands.CreateGroup, actor: Principal) -> model.Group:
        """Create a group with a unique name (admin)."""
        access.require_admin(actor, "группы создаёт администратор")
        async with self._uow() as uow:
            if await uow.groups.name_taken(cmd.name):
                raise errors.GroupNameTaken(cmd.name)
            group = model.Group(id=uuid.uuid4(), name=cmd.name)
            uow.groups.add(group)
            event_id = new_id()
            await uow.publish(
                GROUP_CREATED,
                events.GroupCreated(event_id=event_id, occurred_at=now_timestamp(), group_id=str(group.id)),
                event_id=event_id,
            )
            await uow.commit()
            return group

    async def enroll_student(self, cmd: commands.EnrollStudent, actor: Principal) -> bool:
        """Enrol a student into a group (admin); idempotent."""
        access.require_admin(actor, "зачисление выполняет администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            created = await uow.groups.enroll(cmd.group_id, cmd.student_id)
            if created:
                event_id = new_id()
                await uow.publish(
                    STUDENT_ENROLLED,
                    events.StudentEnrolled(
                        event_id=event_id,
                        occurred_at=now_timestamp(),
                        group_id=str(cmd.group_id),
                        student_id=str(cmd.student_id),
                    ),
                    event_id=event_id,
                )
            await uow.commit()
            return created

    async def create_discipline(self, cmd: commands.CreateDiscipline, actor: Principal) -> model.Discipline:
        """Create a discipline (admin)."""
        access.require_admin(actor, "дисциплины создаёт администратор")
        async with self._uow() as uow:
            discipline = model.Discipline(id=uuid.uuid4(), code=cmd.code, name=cmd.name, kind=cmd.kind)
            uow.disciplines.add(discipline)
            await uow.commit()
            return discipline

    async def assign_teaching_load(
        self, cmd: commands.AssignTeachingLoad, actor: Principal
    ) -> model.TeachingLoad:
        """Assign a teacher to a discipline in a group (admin); idempotent."""
        access.require_admin(actor, "нагрузку распределяет администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
            existing = await uow.loads.find(cmd.teacher_id, cmd.group_id, cmd.discipline_id)
            if existing is not None:
                return existing
            load = model.TeachingLoad(
                id=uuid.uuid4(),
                teacher_id=cmd.teacher_id,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
            )
            uow.loads.add(load)
            event_id = new_id()
            await uow.publish(
                LOAD_ASSIGNED,
                events.TeachingLoadAssigned(
                    event_id=event_id,
                    occurred_at=now_timestamp(),
                    load_id=str(load.id),
                    teacher_id=str(load.teacher_id),
                    group_id=str(load.group_id),
                    discipline_id=str(load.discipline_id),
                ),
                event_id=event_id,
            )
            await uow.commit()
            return load

    async def record_mark(self, cmd: commands.RecordMark, actor: Principal) -> model.Mark:
        """Record a mark (the teacher with the load); writes the mark, its event and its audit at once."""
        access.require_teacher(actor)
        teacher_id = access.person_id(actor)
        async with self._uow() as uow:
            mark = model.new_mark(
                dictionary=await uow.marks.dictionary(),
                today=self._today(),
                teacher_loads=await uow.loads.of_teacher(teacher_id),
                enrolled=await uow.groups.is_enrolled(cmd.group_id, cmd.student_id),
                student_id=cmd.student_id,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                teacher_id=teacher_id,
                lesson_date=cmd.lesson_date,
                value=cmd.value,
            )
            await uow.marks.add(mark)
            event_id = new_id()
            await uow.publish(
                MARK_RECORDED,
                events.MarkRecorded(
                    event_id=event_id,
                    occurred_at=now_timestamp(),
                    mark_id=str(mark.id),
                    student_id=str(mark.student_id),
                    group_id=str(mark.group_id),
                    discipline_id=str(mark.discipline_id),
                    teacher_id=str(mark.teacher_id),
                    lesson_date=local_date(mark.lesson_date),
                    value=mark.value,
                ),
                event_id=event_id,
            )
            await uow.audit(
                "mark.recorded",
                resource_type="mark",
                resource_id=str(mark.id),
                subject_person_id=str(mark.student_id),
            )
            await uow.commit()
            return mark

    async def list_student_marks(
        self, query: commands.ListStudentMarks, actor: Principal
    ) -> commands.StudentDiary:
        """Return a student's marks and their disciplines to whoever may see them; audit others' reads."""
        student = str(query.student_id)
        async with self._uow() as uow:
            if actor.subject == student and actor.has_any(access.STUDENT):
                return await self._diary(uow, query.student_id)
            if not await self._may_read(uow, actor, query.student_id):
                raise errors.StudentNotVisible()
            diary = await self._diary(uow, query.student_id)
            await uow.audit(
                "diary.read", resource_type="student", resource_id=student, subject_person_id=student
            )
            await uow.commit()
            return diary

    async def list_disciplines(self, query: commands.ListDisciplines) -> list[model.DisciplineView]:
        """Return the disciplines with these ids (any authenticated caller: not personal data)."""
        async with self._uow() as uow:
            return await uow.disciplines.views(query.discipline_ids)

    async def _diary(self, uow: JournalUnitOfWork, student_id: uuid.UUID) -> commands.StudentDiary:
        marks = await uow.marks.of_student(student_id)
        disciplines = await uow.disciplines.views({m.discipline_id for m in marks})
        return commands.StudentDiary(marks=marks, disciplines=disciplines)

    async def _may_read(self, uow: JournalUnitOfWork, actor: Principal, student_id: uuid.UUID) -> bool:
        if actor.has_any(*access.READ_ALL_ROLES):
            return True
        if actor.has_any(access.PARENT) and await self._guardians.is_guardian(
            token=actor.token, parent_id=actor.subject, student_id=str(student_id)
        ):
            return True
        if actor.has_any(access.TEACHER):
            return await uow.loads.teaches_student(access.person_id(actor), student_id)
        return False
