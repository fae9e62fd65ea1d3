"""The academic year (R2.1): open a year with its semesters, set and read a group's calendar."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.marks import local_date
from journal_service.application.ports import JournalUnitOfWork, UnitOfWorkFactory
from journal_service.application.substitution_rights import substitutes_in
from journal_service.domain import access, errors, year, year_errors


@dataclass(frozen=True)
class OpenAcademicYear:
    """Open an academic year with its two semesters."""

    name: str
    span: year.DateSpan
    semester1: year.DateSpan
    semester2: year.DateSpan


@dataclass(frozen=True)
class SetGroupCalendar:
    """Replace a group's «календарный учебный график» for a year."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    spans: tuple[year.CalendarSpan, ...]


@dataclass(frozen=True)
class GetGroupCalendar:
    """Read a group's calendar for a year."""

    group_id: uuid.UUID
    year_id: uuid.UUID


@dataclass(frozen=True)
class GroupCalendar:
    """A group's calendar as read: the year and the spans by start date."""

    academic_year: year.AcademicYear
    spans: list[year.CalendarSpan]


async def may_see_group(uow: JournalUnitOfWork, actor: Principal, group_id: uuid.UUID) -> bool:
    """Return True for the administration, a teacher with a load in the group, or its class teacher."""
    if actor.has_any(*access.READ_ALL_ROLES):
        return True
    if not actor.has_any(access.TEACHER, access.CLASS_TEACHER):
        return False
    person = access.person_id(actor)
    if any(load.group_id == group_id for load in await uow.loads.of_teacher(person)):
        return True
    group = await uow.groups.get(group_id)
    if group is not None and group.class_teacher_id == person:
        return True
    # R2.4 (slice D): a substitute sees the group's plan (name, subgroups, KTP) to fill the lesson taken.
    return actor.has_any(access.TEACHER) and await substitutes_in(uow, person, group_id)


class AcademicYearHandlers:
    """Use cases of academic years and the groups' calendars."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def open(self, cmd: OpenAcademicYear, actor: Principal) -> year.AcademicYear:
        """Open a year (admin): name «YYYY/YYYY», unique; semesters inside it and in order."""
        access.require_admin(actor, "учебный год открывает администратор")
        opened = year.new_academic_year(cmd.name, cmd.span, cmd.semester1, cmd.semester2)
        async with self._uow() as uow:
            if not await uow.years.add(opened):
                raise year_errors.AcademicYearExists(opened.name)
            await uow.emit(
                events.AcademicYearOpened(
                    year_id=str(opened.id),
                    starts_on=local_date(opened.span.starts_on),
                    ends_on=local_date(opened.span.ends_on),
                )
            )
            await uow.commit()
            return opened

    async def all(self, actor: Principal) -> list[year.AcademicYear]:
        """Return the years, newest first, to the administration and teachers."""
        if not actor.has_any(*access.READ_ALL_ROLES, access.TEACHER, access.CLASS_TEACHER):
            raise errors.RoleRequired("учебные годы видят администрация и преподаватели")
        async with self._uow() as uow:
            return await uow.years.all()

    async def set_calendar(self, cmd: SetGroupCalendar, actor: Principal) -> list[year.CalendarSpan]:
        """Replace a group's spans in a year at once (admin); spans inside the year, none overlapping."""
        access.require_admin(actor, "график учебного процесса задаёт администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            academic_year = await uow.years.get(cmd.year_id)
            if academic_year is None:
                raise year_errors.AcademicYearNotFound()
            spans = year.check_calendar(academic_year, cmd.spans)
            await uow.years.replace_calendar(cmd.group_id, cmd.year_id, spans)
            await uow.emit(
                events.GroupCalendarSet(
                    group_id=str(cmd.group_id), year_id=str(cmd.year_id), span_count=len(spans)
                )
            )
            await uow.commit()
            return spans

    async def calendar(self, query: GetGroupCalendar, actor: Principal) -> GroupCalendar:
        """Return a group's calendar to the administration, its teachers and its class teacher."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            academic_year = await uow.years.get(query.year_id)
            if academic_year is None:
                raise year_errors.AcademicYearNotFound()
            return GroupCalendar(academic_year, await uow.years.calendar_of(query.group_id, query.year_id))
