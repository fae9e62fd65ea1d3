"""Groups and enrolment: create a group, enrol a student (the administrator)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.academic_year import may_see_group
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, errors, model, year
from journal_service.domain.people import require_student, require_teacher


@dataclass(frozen=True)
class CreateGroup:
    """Create a study group, optionally with its attributes."""

    name: str
    attributes: year.GroupAttributes = field(default_factory=year.GroupAttributes)


@dataclass(frozen=True)
class UpdateGroup:
    """Set a group's attributes: course, specialty, form of study, class teacher."""

    group_id: uuid.UUID
    attributes: year.GroupAttributes


@dataclass(frozen=True)
class EnrollStudent:
    """Enrol a student into a group."""

    group_id: uuid.UUID
    student_id: uuid.UUID


@dataclass(frozen=True)
class ListGroupStudents:
    """Read who is enrolled in a group."""

    group_id: uuid.UUID


@dataclass(frozen=True)
class ListGroups:
    """Find groups by the start of their name."""

    name_prefix: str
    page_size: int


@dataclass(frozen=True)
class GetGroup:
    """Read one group with its attributes."""

    group_id: uuid.UUID


class GroupHandlers:
    """Use cases of groups and enrolment."""

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers) -> None:
        self._uow = uow
        self._people = people

    async def create(self, cmd: CreateGroup, actor: Principal) -> model.Group:
        """Create a group with a unique name (admin)."""
        access.require_admin(actor, "группы создаёт администратор")
        attributes = year.check_group_attributes(cmd.attributes)
        await self._require_class_teacher(attributes)
        async with self._uow() as uow:
            if await uow.groups.name_taken(cmd.name):
                raise errors.GroupNameTaken(cmd.name)
            group = model.Group(id=uuid.uuid4(), name=cmd.name)
            group.apply(attributes)
            uow.groups.add(group)
            await uow.emit(events.GroupCreated(group_id=str(group.id)))
            await uow.commit()
            return group

    async def enroll_student(self, cmd: EnrollStudent, actor: Principal) -> bool:
        """Enrol a student into a group (admin); idempotent, True when enrolled now.

        The person must be known to identity with the role student (asked once when the journal's
        projection does not hold them yet).
        """
        access.require_admin(actor, "зачисление выполняет администратор")
        role = await self._people.role_of(cmd.student_id)
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            require_student(role)
            created = await uow.groups.enroll(cmd.group_id, cmd.student_id)
            if created:
                await uow.emit(
                    events.StudentEnrolled(group_id=str(cmd.group_id), student_id=str(cmd.student_id))
                )
            await uow.commit()
            return created

    async def students(self, query: ListGroupStudents, actor: Principal) -> list[uuid.UUID]:
        """Return a group's students to the administration or a teacher with a load in the group."""
        async with self._uow() as uow:
            if not actor.has_any(*access.READ_ALL_ROLES) and not (
                actor.has_any(access.TEACHER)
                and any(
                    load.group_id == query.group_id
                    for load in await uow.loads.of_teacher(access.person_id(actor))
                )
            ):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            return await uow.groups.students_of(query.group_id)

    async def list_groups(self, query: ListGroups, actor: Principal) -> list[model.Group]:
        """Return groups by name: all to the administration, a teacher's or class teacher's own.

        A teacher sees the groups they have a load in, a class teacher also the groups they lead;
        anyone else is refused.
        """
        async with self._uow() as uow:
            if actor.has_any(*access.READ_ALL_ROLES):
                return await uow.groups.search(query.name_prefix, query.page_size)
            if not actor.has_any(access.TEACHER, access.CLASS_TEACHER):
                raise errors.RoleRequired("список групп доступен администрации и преподавателям")
            return await uow.groups.search(
                query.name_prefix, query.page_size, person_id=access.person_id(actor)
            )

    async def get_group(self, query: GetGroup, actor: Principal) -> model.Group:
        """Return one group to the readers of `list_groups`; NOT_FOUND to anyone else."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            group = await uow.groups.get(query.group_id)
            if group is None:
                raise errors.GroupNotFound()
            return group

    async def update(self, cmd: UpdateGroup, actor: Principal) -> model.Group:
        """Set the attributes given (admin); the others stay as they are."""
        access.require_admin(actor, "данные группы меняет администратор")
        attributes = year.check_group_attributes(cmd.attributes)
        await self._require_class_teacher(attributes)
        async with self._uow() as uow:
            group = await uow.groups.get(cmd.group_id)
            if group is None:
                raise errors.GroupNotFound()
            group.apply(attributes)
            await uow.emit(
                events.GroupUpdated(
                    group_id=str(group.id),
                    course_year=group.course_year or 0,
                    specialty_code=group.specialty_code,
                    study_form=jpb.StudyForm.Value(f"STUDY_FORM_{group.study_form.name}")
                    if group.study_form
                    else jpb.STUDY_FORM_UNSPECIFIED,
                    class_teacher_id=str(group.class_teacher_id or ""),
                )
            )
            await uow.commit()
            return group

    async def _require_class_teacher(self, attributes: year.GroupAttributes) -> None:
        """A class teacher named must be a teacher or class teacher identity knows."""
        if attributes.class_teacher_id is not None:
            require_teacher(await self._people.role_of(attributes.class_teacher_id))
