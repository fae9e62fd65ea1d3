"""Student movement «движение обучающихся» (§4.2.2, R2.6): the administrator records enrolments,
transfers, academic leaves, returns, expulsions and graduations by date and order; a student's
history and a group's list are read by the administration, the class teacher, the student and their
parents. Every movement is one transaction: enrolments closed and opened, the movement row, the event
`journal.student.moved.v1` (ids, kind, date) and the audit record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.marks import local_date
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import GuardianDirectory, JournalUnitOfWork, UnitOfWorkFactory
from journal_service.domain import access, errors, movement
from journal_service.domain.people import require_student


@dataclass(frozen=True)
class MoveStudent:
    """Move a student on a date by an order: enrolment, transfer, academic leave, expulsion, return
    or graduation."""

    student_id: uuid.UUID
    kind: movement.MovementKind
    from_group_id: uuid.UUID | None
    to_group_id: uuid.UUID | None
    on_date: date
    order_number: str


@dataclass(frozen=True)
class GraduateGroup:
    """Graduate every student of a group on a date by one order."""

    group_id: uuid.UUID
    on_date: date
    order_number: str


@dataclass(frozen=True)
class GetStudentMovements:
    """Read a student's movements."""

    student_id: uuid.UUID


@dataclass(frozen=True)
class ListGroupMovements:
    """Read the movements into or out of a group."""

    group_id: uuid.UUID


class MovementHandlers:
    """Use cases of student movement."""

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers, guardians: GuardianDirectory) -> None:
        self._uow = uow
        self._people = people
        self._guardians = guardians

    async def move_student(self, cmd: MoveStudent, actor: Principal) -> movement.Movement:
        """Move a student on a date (admin, R2.6): close the enrolment left, open the one joined, keep
        the movement with its order, emit `StudentMoved` and audit it — one transaction."""
        access.require_admin(actor, "движение обучающихся оформляет администратор")
        role = await self._people.role_of(cmd.student_id)
        async with self._uow() as uow:
            for group_id in (cmd.from_group_id, cmd.to_group_id):
                if group_id is not None and await uow.groups.get(group_id) is None:
                    raise errors.GroupNotFound()
            require_student(role)
            moved = await _apply(uow, cmd, actor)
            await uow.commit()
            return moved

    async def graduate_group(self, cmd: GraduateGroup, actor: Principal) -> list[movement.Movement]:
        """Graduate the students in the group on the day before (admin): one movement each, all in one
        transaction; refused as a whole when one of them may not graduate."""
        access.require_admin(actor, "выпуск оформляет администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            students = await uow.groups.students_of(cmd.group_id, on=cmd.on_date - timedelta(days=1))
            if not students:
                raise movement.GroupHasNoStudents()
            moved = [
                await _apply(
                    uow,
                    MoveStudent(
                        student_id=student_id,
                        kind=movement.MovementKind.GRADUATION,
                        from_group_id=cmd.group_id,
                        to_group_id=None,
                        on_date=cmd.on_date,
                        order_number=cmd.order_number,
                    ),
                    actor,
                )
                for student_id in students
            ]
            await uow.commit()
            return moved

    async def student_movements(
        self, query: GetStudentMovements, actor: Principal
    ) -> list[movement.Movement]:
        """Return a student's movements to the administration, the class teacher of a group they were
        in, the student and their parent; NOT_FOUND to anyone else. Audited unless the student reads."""
        async with self._uow() as uow:
            if not await self._may_read(uow, actor, query.student_id):
                raise movement.StudentNotFound()
            found = await uow.movements.of_student(query.student_id)
            if actor.subject != str(query.student_id):
                await uow.audit(
                    "student_movements.read",
                    actor=actor,
                    resource_type="student",
                    resource_id=str(query.student_id),
                    subject_person_id=str(query.student_id),
                )
                await uow.commit()
            return found

    async def group_movements(self, query: ListGroupMovements, actor: Principal) -> list[movement.Movement]:
        """Return the movements into or out of a group to the administration and the group's class
        teacher; NOT_FOUND to anyone else. Audited (the list names students by id)."""
        async with self._uow() as uow:
            group = await uow.groups.get(query.group_id)
            if group is None or not (
                actor.has_any(*access.READ_ALL_ROLES)
                or (actor.has_any(access.CLASS_TEACHER) and group.class_teacher_id == access.person_id(actor))
            ):
                raise errors.GroupNotFound()
            found = await uow.movements.of_group(query.group_id)
            await uow.audit(
                "group_movements.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return found

    async def _may_read(self, uow: JournalUnitOfWork, actor: Principal, student_id: uuid.UUID) -> bool:
        if actor.subject == str(student_id) or actor.has_any(*access.READ_ALL_ROLES):
            return True
        if actor.has_any(access.CLASS_TEACHER) and await uow.groups.is_class_teacher_of_student(
            access.person_id(actor), student_id
        ):
            return True
        return actor.has_any(access.PARENT) and await self._guardians.is_guardian(
            token=actor.token, parent_id=actor.subject, student_id=str(student_id)
        )


async def _apply(uow: JournalUnitOfWork, cmd: MoveStudent, actor: Principal) -> movement.Movement:
    """Check and stage one movement with its event and audit record (no commit)."""
    await uow.groups.lock_student(cmd.student_id)
    enrolments = await uow.groups.enrolments_of(cmd.student_id)
    plan = movement.plan_movement(
        cmd.kind,
        enrolments,
        from_group_id=cmd.from_group_id,
        to_group_id=cmd.to_group_id,
        on_date=cmd.on_date,
        history=await uow.movements.of_student(cmd.student_id),
    )
    if plan.close is not None:
        if cmd.kind is movement.MovementKind.TRANSFER and plan.open_group_id is not None:
            source, target = (
                await uow.groups.get(plan.close.group_id),
                await uow.groups.get(plan.open_group_id),
            )
            movement.check_transfer_year(
                source.course_year if source else None, target.course_year if target else None
            )
        left_behind = await uow.movements.first_record_from(cmd.student_id, plan.close.group_id, cmd.on_date)
        if left_behind is not None:
            raise movement.MarksAfterMovement(left_behind)
        await uow.groups.close_enrolment(plan.close.id, cmd.on_date)
    if plan.open_group_id is not None:
        await uow.groups.enroll(plan.open_group_id, cmd.student_id, cmd.on_date)
    moved = movement.Movement(
        id=uuid.uuid4(),
        student_id=cmd.student_id,
        kind=cmd.kind,
        from_group_id=plan.close.group_id if plan.close is not None else None,
        to_group_id=plan.open_group_id,
        on_date=cmd.on_date,
        order_number=cmd.order_number,
    )
    await uow.groups.add_movement(moved, access.person_id(actor))
    await uow.emit(
        events.StudentMoved(
            movement_id=str(moved.id),
            student_id=str(moved.student_id),
            kind=jpb.MovementKind.Value(f"MOVEMENT_KIND_{moved.kind.name}"),
            from_group_id=str(moved.from_group_id or ""),
            to_group_id=str(moved.to_group_id or ""),
            on_date=local_date(moved.on_date),
        )
    )
    await uow.audit(
        f"student.moved:{moved.kind.value}",
        actor=actor,
        resource_type="student_movement",
        resource_id=str(moved.id),
        subject_person_id=str(moved.student_id),
    )
    return moved
