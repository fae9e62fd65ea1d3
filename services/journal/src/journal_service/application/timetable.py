"""The timetable («расписание», R2.1) and the teacher's day («Сегодня», issue 6 item 6): the admin
replaces a group's timetable for a semester; the group's people read it; a teacher reads their day."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.academic_year import may_see_group
from journal_service.application.ports import GuardianDirectory, JournalUnitOfWork, UnitOfWorkFactory
from journal_service.domain import access, errors, substitutions, timetable, year, year_errors

# A parent's right to a group's timetable is asked of identity one student at a time, this many at once.
_GUARDIAN_FAN_OUT = 8


@dataclass(frozen=True)
class SetGroupTimetable:
    """Replace a group's timetable for a semester of a year."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    entries: tuple[timetable.TimetableEntry, ...]


@dataclass(frozen=True)
class GetGroupTimetable:
    """Read a group's timetable for a semester of a year."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int


@dataclass(frozen=True)
class GetTeacherDay:
    """Read a teacher's pairs on a date."""

    teacher_id: uuid.UUID
    day: date


@dataclass(frozen=True)
class DayPair:
    """One pair of a teacher's day: the entry, its bell times and the lesson already recorded, if any."""

    entry: timetable.TimetableEntry
    starts_at: int
    ends_at: int
    lesson_id: uuid.UUID | None
    # Substitutions (slice D): the substitution this pair is under, and the other teacher.
    substitution: substitutions.Substitution | None = None


@dataclass(frozen=True)
class TeacherDay:
    """A teacher's day: where the date falls (None outside every semester) and the pairs by number."""

    day: date
    placement: timetable.Placement | None
    pairs: list[DayPair]


class TimetableHandlers:
    """Use cases of the timetable and the teacher's day."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory) -> None:
        self._uow = uow
        self._guardians = guardians

    async def set(self, cmd: SetGroupTimetable, actor: Principal) -> list[timetable.TimetableEntry]:
        """Replace a group's timetable for the semester at once (admin), refusing clashes of the group
        and of its teachers with their pairs in other groups; the year row is locked, so two groups'
        timetables are decided one after the other."""
        access.require_admin(actor, "расписание составляет администратор")
        timetable.check_semester(cmd.semester)
        if len(cmd.entries) > timetable.MAX_ENTRIES:
            raise timetable.TooManyTimetableEntries(timetable.MAX_ENTRIES)
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if not await uow.timetables.lock_year(cmd.year_id):
                raise year_errors.AcademicYearNotFound()
            entries = timetable.with_ids(cmd.entries)
            teachers = {e.teacher_id for e in entries}
            checked = timetable.check_timetable(
                entries,
                pairs=[p.number for p in await uow.bells.pairs()],
                disciplines=[d.id for d in await uow.disciplines.views({e.discipline_id for e in entries})],
                subgroups={s.id: s for s in await uow.subgroups.of_group(cmd.group_id)},
                loads=await uow.loads.of_group(cmd.group_id),
                teachers_elsewhere=await uow.timetables.of_teachers(
                    teachers, cmd.year_id, cmd.semester, exclude_group=cmd.group_id
                ),
            )
            await uow.timetables.replace(cmd.group_id, cmd.year_id, cmd.semester, checked)
            await uow.emit(
                events.GroupTimetableSet(
                    group_id=str(cmd.group_id),
                    year_id=str(cmd.year_id),
                    semester=cmd.semester,
                    entry_count=len(checked),
                )
            )
            await uow.commit()
            return checked

    async def of_group(self, query: GetGroupTimetable, actor: Principal) -> list[timetable.TimetableEntry]:
        """Return a group's timetable to the administration, its teachers and class teacher, its
        students and their parents; anyone else is told the group is not found."""
        timetable.check_semester(query.semester)
        async with self._uow() as uow:
            allowed = await self._may_read(uow, actor, query.group_id)
            students = [] if allowed else await self._students_for_parent(uow, actor, query.group_id)
        if not allowed and not await self._is_guardian_of_any(actor, students):
            raise errors.GroupNotFound()
        async with self._uow() as uow:
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.years.get(query.year_id) is None:
                raise year_errors.AcademicYearNotFound()
            return await uow.timetables.of_group(query.group_id, query.year_id, query.semester)

    async def _may_read(self, uow: JournalUnitOfWork, actor: Principal, group_id: uuid.UUID) -> bool:
        if await may_see_group(uow, actor, group_id):
            return True
        if actor.has_any(access.STUDENT):
            return await uow.groups.is_enrolled(group_id, access.person_id(actor))
        return False

    async def _students_for_parent(
        self, uow: JournalUnitOfWork, actor: Principal, group_id: uuid.UUID
    ) -> list[uuid.UUID]:
        if not actor.has_any(access.PARENT):
            return []
        access.person_id(actor)
        return await uow.groups.students_of(group_id)

    async def _is_guardian_of_any(self, actor: Principal, students: Sequence[uuid.UUID]) -> bool:
        """Ask identity (ADR 0002) whether the parent is linked to one of the students, a few at a time."""
        for start in range(0, len(students), _GUARDIAN_FAN_OUT):
            answers = await asyncio.gather(
                *(
                    self._guardians.is_guardian(
                        token=actor.token, parent_id=actor.subject, student_id=str(student)
                    )
                    for student in students[start : start + _GUARDIAN_FAN_OUT]
                )
            )
            if any(answers):
                return True
        return False

    async def teacher_day(self, query: GetTeacherDay, actor: Principal) -> TeacherDay:
        """Return the teacher's pairs on the date (the teacher themself; the administration, audited)."""
        teacher = actor.has_any(access.TEACHER, access.CLASS_TEACHER)
        own = teacher and access.person_id(actor) == query.teacher_id
        if not own and not actor.has_any(*access.READ_ALL_ROLES):
            raise errors.RoleRequired("расписание преподавателя видят он сам и администрация")
        async with self._uow() as uow:
            placement = timetable.place(await uow.years.all(), query.day)
            pairs: list[DayPair] = []
            if placement is not None:
                year_id, semester = placement.academic_year.id, placement.semester
                entries = await uow.timetables.of_teacher(
                    query.teacher_id, year_id, semester, weekday=query.day.isoweekday()
                )
                groups = {e.group_id for e in entries}
                calendars = {g: await uow.years.calendar_of(g, year_id) for g in groups}
                chosen = timetable.entries_on(query.day, placement, entries, calendars)
                found = await uow.substitutions.of_teacher_on(query.teacher_id, query.day)
                day_entries = substitutions.day_entries(query.teacher_id, placement, chosen, found)
                bells = {p.number: p for p in await uow.bells.pairs()}
                recorded = await uow.timetables.lessons_on(query.day, {e.group_id for e, _ in day_entries})
                pairs = [_day_pair(entry, bells, recorded, sub) for entry, sub in day_entries]
            if not own:
                await uow.audit(
                    "teacher_day.read",
                    actor=actor,
                    resource_type="teacher",
                    resource_id=str(query.teacher_id),
                    subject_person_id=str(query.teacher_id),
                )
                await uow.commit()
            return TeacherDay(query.day, placement, pairs)


def _day_pair(
    entry: timetable.TimetableEntry,
    bells: dict[int, year.BellPair],
    recorded: dict[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, int], uuid.UUID],
    substitution: substitutions.Substitution | None = None,
) -> DayPair:
    bell = bells.get(entry.pair_number)
    return DayPair(
        entry=entry,
        starts_at=bell.starts_at if bell else 0,
        ends_at=bell.ends_at if bell else 0,
        lesson_id=recorded.get((entry.group_id, entry.subgroup_id, entry.discipline_id, entry.pair_number)),
        substitution=substitution,
    )
