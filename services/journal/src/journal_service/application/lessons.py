"""Lessons and attendance (R2.3): the teacher with the load records a lesson and the whole group's
attendance of it; the teacher of the load, the group's class teacher and the administration read them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from chassis.errors import InvalidArgument
from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.history import keep_attendance_changes
from journal_service.application.marks import local_date
from journal_service.application.period_locks import ensure_open
from journal_service.application.ports import JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.application.refused_writes import refusal_audited
from journal_service.application.subgroup_members import subgroup_members_on
from journal_service.application.substitution_rights import loads_for_writing
from journal_service.domain import access, errors, ktp, lesson_errors, lessons, year
from journal_service.domain.substitutions import Slot


@dataclass(frozen=True)
class RecordLesson:
    """Record a lesson on a date and pair for a group or one of its subgroups."""

    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    discipline_id: uuid.UUID
    lesson_date: date
    pair_number: int
    topic: str
    kind: lessons.LessonKind
    homework: str = ""
    homework_deadline: date | None = None
    # A topic of the group's KTP for the discipline; an empty `topic` then takes the topic's title.
    ktp_topic_id: uuid.UUID | None = None
    homework_kind: lessons.HomeworkKind = lessons.HomeworkKind.HOMEWORK
    # The students the homework is for; empty = the whole group or subgroup.
    homework_student_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class RecordedLesson:
    """The lesson and whether this call created it (False on an idempotent repeat)."""

    lesson: lessons.Lesson
    created: bool


@dataclass(frozen=True)
class ListLessons:
    """Read a group's lessons of a discipline between two dates."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    span: year.DateSpan


@dataclass(frozen=True)
class RecordAttendance:
    """Replace a lesson's attendance with these entries."""

    lesson_id: uuid.UUID
    entries: tuple[lessons.AttendanceEntry, ...]


@dataclass(frozen=True)
class GetAttendance:
    """Read a lesson's attendance."""

    lesson_id: uuid.UUID


@dataclass(frozen=True)
class LessonAttendance:
    """A lesson and its attendance by student id."""

    lesson: lessons.Lesson
    entries: list[lessons.AttendanceEntry]


def _require_teacher(actor: Principal) -> uuid.UUID:
    if not actor.has_any(access.TEACHER):
        raise errors.RoleRequired("занятия и посещаемость записывает преподаватель")
    return access.person_id(actor)


async def _has_load(
    uow: JournalUnitOfWork, teacher_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID
) -> bool:
    return await uow.loads.find(teacher_id, group_id, discipline_id) is not None


async def may_read_lessons(
    uow: JournalUnitOfWork, actor: Principal, group_id: uuid.UUID, discipline_id: uuid.UUID
) -> bool:
    """Return True for the administration, the teacher of the load and the group's class teacher."""
    if actor.has_any(*access.READ_ALL_ROLES):
        return True
    if not actor.has_any(access.TEACHER, access.CLASS_TEACHER):
        return False
    person = access.person_id(actor)
    if actor.has_any(access.TEACHER) and await _has_load(uow, person, group_id, discipline_id):
        return True
    group = await uow.groups.get(group_id)
    return group is not None and group.class_teacher_id == person


def _kind_pb(kind: lessons.LessonKind) -> jpb.LessonKind.ValueType:
    return jpb.LessonKind.Value(f"LESSON_KIND_{kind.name}")


def _homework_kind_pb(lesson: lessons.Lesson) -> jpb.HomeworkKind.ValueType:
    """The kind of the lesson's homework, unspecified when it has none."""
    if not lesson.homework:
        return jpb.HOMEWORK_KIND_UNSPECIFIED
    return jpb.HomeworkKind.Value(f"HOMEWORK_KIND_{lesson.homework_kind.name}")


def _entry_pb(entry: lessons.AttendanceEntry) -> jpb.AttendanceEntry:
    return jpb.AttendanceEntry(
        student_id=str(entry.student_id),
        status=jpb.AttendanceStatus.Value(f"ATTENDANCE_STATUS_{entry.status.name}"),
        reason=jpb.AbsenceReason.Value(f"ABSENCE_REASON_{entry.reason.name}"),
    )


class LessonHandlers:
    """Use cases of lessons and attendance."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today) -> None:
        self._uow = uow
        self._today = today

    async def record(self, cmd: RecordLesson, actor: Principal) -> RecordedLesson:
        """Record a lesson (the teacher with the load); a repeat with the same content is the same lesson."""
        teacher_id = _require_teacher(actor)
        refused = {"resource_type": "group", "resource_id": str(cmd.group_id)}
        async with (
            refusal_audited(self._uow, actor, action="lesson.record", **refused),
            self._uow() as uow,
        ):
            subgroup = None if cmd.subgroup_id is None else await uow.subgroups.get(cmd.subgroup_id)
            years = await uow.years.all()
            containing = [y for y in years if y.span.contains(cmd.lesson_date)]
            calendars = {y.id: await uow.years.calendar_of(cmd.group_id, y.id) for y in containing}
            # The group row is locked from here on: the KTP's topics and the slot hold still.
            existing = await uow.lessons.in_slot(
                cmd.group_id, cmd.subgroup_id, cmd.lesson_date, cmd.pair_number
            )
            enrolled: set[uuid.UUID] = set()
            members: set[uuid.UUID] | None = None
            if cmd.homework_student_ids:
                enrolled = set(await uow.groups.students_of(cmd.group_id, on=cmd.lesson_date))
                if subgroup is not None:  # slice J: the subgroup's members on the lesson's date
                    members = await subgroup_members_on(uow, subgroup.id, cmd.lesson_date)
            lesson = lessons.new_lesson(
                today=self._today(),
                teacher_loads=await loads_for_writing(
                    uow,
                    teacher_id,
                    slot=Slot(
                        cmd.group_id, cmd.subgroup_id, cmd.discipline_id, cmd.lesson_date, cmd.pair_number
                    ),
                ),
                subgroup=subgroup,
                subgroup_id=cmd.subgroup_id,
                pairs={p.number for p in await uow.bells.pairs()},
                teaching_day=lessons.teaching_day_allowed(containing, calendars, cmd.lesson_date),
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                teacher_id=teacher_id,
                lesson_date=cmd.lesson_date,
                pair_number=cmd.pair_number,
                topic=cmd.topic,
                kind=cmd.kind,
                homework=cmd.homework,
                homework_deadline=cmd.homework_deadline,
                ktp_topic_id=cmd.ktp_topic_id,
                homework_kind=cmd.homework_kind,
                homework_student_ids=cmd.homework_student_ids,
                enrolled=enrolled,
                subgroup_members=members,
            )
            if cmd.ktp_topic_id is not None:
                found = await uow.ktps.topic(cmd.ktp_topic_id)
                if found is None:
                    raise ktp.KtpTopicNotFound()
                if not ktp.topic_fits_lesson(
                    found, group_id=cmd.group_id, subgroup_id=cmd.subgroup_id, discipline_id=cmd.discipline_id
                ):
                    raise ktp.KtpTopicOfOtherDiscipline()
                lesson = replace(lesson, topic=lesson.topic or found.topic.title)
            if not lesson.topic:
                raise InvalidArgument("Поле «topic» обязательно", code="missing_topic")
            if existing is not None:
                if existing.subgroup_id == lesson.subgroup_id and existing.same_content(lesson):
                    return RecordedLesson(existing, created=False)
                raise lesson_errors.LessonSlotTaken(cmd.lesson_date, cmd.pair_number)
            # R1.5 (slice J): no new lesson on a day of a closed period (a repeat above writes nothing).
            await ensure_open(
                uow,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                on_date=cmd.lesson_date,
                actor=actor,
            )
            await uow.lessons.add(lesson)
            await uow.emit(
                events.LessonRecorded(
                    lesson_id=str(lesson.id),
                    group_id=str(lesson.group_id),
                    subgroup_id=str(lesson.subgroup_id or ""),
                    discipline_id=str(lesson.discipline_id),
                    teacher_id=str(lesson.teacher_id),
                    lesson_date=local_date(lesson.lesson_date),
                    pair_number=lesson.pair_number,
                    kind=_kind_pb(lesson.kind),
                    has_homework=bool(lesson.homework),
                    ktp_topic_id=str(lesson.ktp_topic_id or ""),
                    homework_kind=_homework_kind_pb(lesson),
                    homework_student_ids=[str(s) for s in lesson.homework_student_ids],
                )
            )
            await uow.commit()
            return RecordedLesson(lesson, created=True)

    async def of_group(self, query: ListLessons, actor: Principal) -> list[lessons.Lesson]:
        """Return a group's lessons of a discipline to the teacher of the load, the class teacher and
        the administration; anyone else is told the group is not found."""
        span = query.span
        if (
            span.ends_on < span.starts_on
            or (span.ends_on - span.starts_on).days > lessons.MAX_LESSON_RANGE_DAYS
        ):
            raise lesson_errors.InvalidLessonRange()
        async with self._uow() as uow:
            if not await may_read_lessons(uow, actor, query.group_id, query.discipline_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            found = await uow.lessons.of_group(query.group_id, query.discipline_id, span)
            if any(lesson.homework_student_ids for lesson in found):
                # Which students got an individual task is about them: the read is audited.
                await uow.audit(
                    "homework.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
                )
                await uow.commit()
            return found

    async def record_attendance(
        self, cmd: RecordAttendance, actor: Principal
    ) -> list[lessons.AttendanceEntry]:
        """Replace a lesson's attendance (the teacher of its load), the whole group at once; audited."""
        teacher_id = _require_teacher(actor)
        refused = {"resource_type": "lesson", "resource_id": str(cmd.lesson_id)}
        async with (
            refusal_audited(self._uow, actor, action="attendance.record", **refused),
            self._uow() as uow,
        ):
            lesson = await uow.lessons.get(cmd.lesson_id, for_update=True)
            if lesson is None:
                raise lesson_errors.LessonNotFound()
            # A subgroup's load covers that subgroup's lessons only (TeachingLoad.covers).
            if not any(
                load.covers(teacher_id, lesson.group_id, lesson.discipline_id, lesson.subgroup_id)
                for load in await loads_for_writing(uow, teacher_id, slot=Slot.of_lesson(lesson))
            ):
                raise errors.NotTeachingThisGroup()
            members: tuple[uuid.UUID, ...] | None = None
            if lesson.subgroup_id is not None:  # slice J: the subgroup's members on the lesson's date
                members = tuple(await subgroup_members_on(uow, lesson.subgroup_id, lesson.lesson_date))
            entries = lessons.check_attendance(
                cmd.entries,
                enrolled=set(await uow.groups.students_of(lesson.group_id, on=lesson.lesson_date)),
                subgroup_members=None if members is None else set(members),
            )
            # R1.5: no attendance on a day of a closed period (slice B).
            await ensure_open(
                uow,
                group_id=lesson.group_id,
                discipline_id=lesson.discipline_id,
                on_date=lesson.lesson_date,
                actor=actor,
            )
            # R3.3: what this list changes in the one recorded before is kept (who, old → new).
            before = await uow.lessons.attendance_of(lesson.id)
            await uow.lessons.replace_attendance(lesson.id, entries)
            await keep_attendance_changes(uow, lesson.id, before, entries, teacher_id)
            await uow.emit(
                events.AttendanceRecorded(
                    lesson_id=str(lesson.id),
                    group_id=str(lesson.group_id),
                    discipline_id=str(lesson.discipline_id),
                    lesson_date=local_date(lesson.lesson_date),
                    teacher_id=str(teacher_id),
                    entries=[_entry_pb(e) for e in entries],
                )
            )
            await uow.audit(
                "attendance.recorded", actor=actor, resource_type="lesson", resource_id=str(lesson.id)
            )
            await uow.commit()
            return entries

    async def attendance(self, query: GetAttendance, actor: Principal) -> LessonAttendance:
        """Return a lesson's attendance to the readers of its lessons (audited: it is about students)."""
        async with self._uow() as uow:
            lesson = await uow.lessons.get(query.lesson_id)
            if lesson is None or not await may_read_lessons(
                uow, actor, lesson.group_id, lesson.discipline_id
            ):
                raise lesson_errors.LessonNotFound()
            entries = await uow.lessons.attendance_of(lesson.id)
            await uow.audit(
                "attendance.read", actor=actor, resource_type="lesson", resource_id=str(lesson.id)
            )
            await uow.commit()
            return LessonAttendance(lesson, entries)
