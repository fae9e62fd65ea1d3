"""The history of a mark and of a student's attendance of a lesson (R3.3): who, when, old → new, why,
and the correction requests with their answers. Readers: the student, their parents, the teacher of
the load, the group's class teacher and the administration; to anyone else the mark or lesson is not
found. A read by anyone but the student is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal

from journal_service.application.ports import GuardianDirectory, JournalUnitOfWork, UnitOfWorkFactory
from journal_service.domain import access, history, lesson_errors, lessons, mark_changes


@dataclass(frozen=True)
class GetMarkHistory:
    """Read a mark's trail."""

    mark_id: uuid.UUID


@dataclass(frozen=True)
class GetAttendanceHistory:
    """Read a student's attendance of one lesson and its changes."""

    lesson_id: uuid.UUID
    student_id: uuid.UUID


@dataclass(frozen=True)
class AttendanceHistory:
    """A student's entry at a lesson as it is now (None: none) and its changes, oldest first."""

    lesson: lessons.Lesson
    current: lessons.AttendanceEntry | None
    changes: list[history.AttendanceChange]


@dataclass(frozen=True)
class Scope:
    """Whose data a history is and where it was recorded."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None


def is_own(actor: Principal, student_id: uuid.UUID) -> bool:
    """Return True when the caller is that student."""
    return actor.has_any(access.STUDENT) and actor.subject == str(student_id)


async def may_read_history(
    uow: JournalUnitOfWork, guardians: GuardianDirectory, actor: Principal, scope: Scope
) -> bool:
    """Return True for the readers of a history other than the student: the administration, the teacher
    whose load covers it (TeachingLoad.covers, as the writes decide), the group's class teacher and a
    parent with guardianship of the student (identity's rule, as the diary asks it). A teacher of
    another discipline of the group is not a reader here."""
    if actor.has_any(*access.READ_ALL_ROLES):
        return True
    if actor.has_any(access.TEACHER, access.CLASS_TEACHER):
        person = access.person_id(actor)
        if actor.has_any(access.TEACHER) and any(
            load.covers(person, scope.group_id, scope.discipline_id, scope.subgroup_id)
            for load in await uow.loads.of_teacher(person)
        ):
            return True
        group = await uow.groups.get(scope.group_id)
        if group is not None and group.class_teacher_id == person:
            return True
    return actor.has_any(access.PARENT) and await guardians.is_guardian(
        token=actor.token, parent_id=actor.subject, student_id=str(scope.student_id)
    )


async def _readable(
    uow: JournalUnitOfWork, guardians: GuardianDirectory, actor: Principal, scope: Scope
) -> bool:
    """Return True when the caller reads this history; False for the student's own (no audit)."""
    if is_own(actor, scope.student_id):
        return False
    return await may_read_history(uow, guardians, actor, scope)


async def mark_scope(
    uow: JournalUnitOfWork,
    mark_student: uuid.UUID,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    lesson_id: uuid.UUID | None,
) -> Scope:
    """Return a mark's scope (its lesson's subgroup, when it has a lesson)."""
    subgroup_id = None
    if lesson_id is not None:
        lesson = await uow.lessons.get(lesson_id)
        subgroup_id = lesson.subgroup_id if lesson is not None else None
    return Scope(mark_student, group_id, discipline_id, subgroup_id)


class HistoryHandlers:
    """Use cases of the history."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory) -> None:
        self._uow = uow
        self._guardians = guardians

    async def mark(self, query: GetMarkHistory, actor: Principal) -> history.MarkHistory:
        """Return a mark's trail (removed marks too) to its readers; audited unless the student's own."""
        async with self._uow() as uow:
            found = await uow.history.mark(query.mark_id)
            if found is None:
                raise mark_changes.MarkNotFound()
            mark, removed = found
            scope = await mark_scope(uow, mark.student_id, mark.group_id, mark.discipline_id, mark.lesson_id)
            other = await _readable(uow, self._guardians, actor, scope)
            if not other and not is_own(actor, mark.student_id):
                raise mark_changes.MarkNotFound()
            trail = history.mark_trail(
                mark,
                await uow.mark_changes.history(mark.id),
                await uow.correction_requests.of_mark(mark.id),
            )
            if other:
                await uow.audit(
                    "mark_history.read",
                    actor=actor,
                    resource_type="mark",
                    resource_id=str(mark.id),
                    subject_person_id=str(mark.student_id),
                )
                await uow.commit()
            return history.MarkHistory(mark, removed, trail)

    async def attendance(self, query: GetAttendanceHistory, actor: Principal) -> AttendanceHistory:
        """Return a student's attendance of a lesson and its changes to the readers; audited unless
        the student's own. A student who was not in the lesson's group is not found there."""
        async with self._uow() as uow:
            lesson = await uow.lessons.get(query.lesson_id)
            if lesson is None:
                raise lesson_errors.LessonNotFound()
            scope = Scope(query.student_id, lesson.group_id, lesson.discipline_id, lesson.subgroup_id)
            other = await _readable(uow, self._guardians, actor, scope)
            if not other and not is_own(actor, query.student_id):
                raise lesson_errors.LessonNotFound()
            current = next(
                (e for e in await uow.lessons.attendance_of(lesson.id) if e.student_id == query.student_id),
                None,
            )
            changes = await uow.history.attendance_changes(lesson.id, query.student_id)
            if current is None and not changes and not await _enrolled(uow, lesson, query.student_id):
                raise lesson_errors.LessonNotFound()
            if other:
                await uow.audit(
                    "attendance_history.read",
                    actor=actor,
                    resource_type="lesson",
                    resource_id=str(lesson.id),
                    subject_person_id=str(query.student_id),
                )
                await uow.commit()
            return AttendanceHistory(lesson, current, history.attendance_trail(changes))


async def _enrolled(uow: JournalUnitOfWork, lesson: lessons.Lesson, student_id: uuid.UUID) -> bool:
    on: date = lesson.lesson_date
    return student_id in set(await uow.groups.students_of(lesson.group_id, on=on))


async def keep_attendance_changes(
    uow: JournalUnitOfWork,
    lesson_id: uuid.UUID,
    before: list[lessons.AttendanceEntry],
    after: list[lessons.AttendanceEntry],
    changed_by: uuid.UUID,
) -> None:
    """Stage the changes a new attendance list makes to the recorded one (RecordAttendance)."""
    await uow.history.keep_attendance_changes(
        history.attendance_changes(lesson_id, before, after, changed_by=changed_by)
    )
