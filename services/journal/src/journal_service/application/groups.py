"""Groups and enrolment: create a group, enrol a student (the administrator; movements by date are in
`movement.py`); who is in a group on a date (`students_on`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.academic_year import may_see_group
from journal_service.application.marks import local_date
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.domain import access, errors, model, movement, year
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
    """Enrol a student into a group from a date (None: 1 September of the academic year of today)."""

    group_id: uuid.UUID
    student_id: uuid.UUID
    enrolled_on: date | None = None


@dataclass(frozen=True)
class ListGroupStudents:
    """Read who is in a group on a date (None: today)."""

    group_id: uuid.UUID
    on_date: date | None = None


async def students_on(
    uow: JournalUnitOfWork, group_id: uuid.UUID, on: date, subgroup_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Return the students of group G (or of its subgroup S) on date D, in a stable order: whom a
    lesson, a mark, attendance or homework on that date may concern."""
    members = await uow.groups.students_of(group_id, on=on)
    if subgroup_id is None:
        return members
    subgroup = await uow.subgroups.get(subgroup_id)
    chosen = set(subgroup.student_ids) if subgroup is not None else set()
    return [s for s in members if s in chosen]


async def enrol_in_group(
    uow: JournalUnitOfWork, group_id: uuid.UUID, student_id: uuid.UUID, enrolled_on: date
) -> bool:
    """Enrol a student (checked) into a group from a date with its event `StudentEnrolled`; False when
    an enrolment in the group is open already. EnrollStudent and the group-list import share it."""
    created = await uow.groups.enroll(group_id, student_id, enrolled_on)
    if created:
        await uow.emit(
            events.StudentEnrolled(
                group_id=str(group_id), student_id=str(student_id), enrolled_on=local_date(enrolled_on)
            )
        )
    return created


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

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers, today: Today) -> None:
        self._uow = uow
        self._people = people
        self._today = today

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
            await uow.emit(
                events.GroupCreated(
                    group_id=str(group.id), class_teacher_id=str(group.class_teacher_id or "")
                )
            )
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
            enrolled_on = cmd.enrolled_on or movement.academic_year_start(self._today())
            created = await enrol_in_group(uow, cmd.group_id, cmd.student_id, enrolled_on)
            await uow.commit()
            return created

    async def students(self, query: ListGroupStudents, actor: Principal) -> list[uuid.UUID]:
        """Return a group's students to the administration, a teacher with a load in the group or the
        group's class teacher (R1.4: their group, read-only)."""
        async with self._uow() as uow:
            group = await uow.groups.get(query.group_id)
            leads = (
                group is not None
                and actor.has_any(access.CLASS_TEACHER)
                and group.class_teacher_id == access.person_id(actor)
            )
            if (
                not actor.has_any(*access.READ_ALL_ROLES)
                and not leads
                and not (
                    actor.has_any(access.TEACHER)
                    and any(
                        load.group_id == query.group_id
                        for load in await uow.loads.of_teacher(access.person_id(actor))
                    )
                )
            ):
                raise errors.GroupNotFound()
            if group is None:
                raise errors.GroupNotFound()
            return await uow.groups.students_of(query.group_id, on=query.on_date or self._today())

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
