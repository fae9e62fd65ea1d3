"""Lessons and attendance (R2.3, «The daily journal»): the rules of recording them, pure."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from journal_service.domain import errors, lesson_errors, model, year

MAX_ATTENDANCE_ENTRIES = 200
MAX_LESSON_RANGE_DAYS = 366
MAX_HOMEWORK_STUDENTS = 200


class LessonKind(enum.StrEnum):
    """Kind of a lesson (mirrors the proto by name; stored as checked text)."""

    LECTURE = "lecture"
    PRACTICAL = "practical"
    LABORATORY = "laboratory"
    TEST = "test"
    SEMINAR = "seminar"
    INDEPENDENT_WORK = "independent_work"
    COMBINED = "combined"
    CONSULTATION = "consultation"


class HomeworkKind(enum.StrEnum):
    """Kind of a lesson's task: homework or independent work (mirrors the proto by name)."""

    HOMEWORK = "homework"
    INDEPENDENT_WORK = "independent_work"


class AttendanceStatus(enum.StrEnum):
    """Whether a student was at the lesson (mirrors the proto by name)."""

    PRESENT = "present"
    ABSENT = "absent"
    LATE = "late"


class AbsenceReason(enum.StrEnum):
    """The category of a reason, never a diagnosis (mirrors the proto by name; UNSPECIFIED = «не указана»)."""

    UNSPECIFIED = "unspecified"
    ILLNESS = "illness"
    DOCUMENTED = "documented"
    UNEXCUSED = "unexcused"
    COLLEGE_BUSINESS = "college_business"


@dataclass(frozen=True)
class Lesson:
    """A lesson on a date and pair for a group or one of its subgroups."""

    id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    discipline_id: uuid.UUID
    teacher_id: uuid.UUID
    lesson_date: date
    pair_number: int
    topic: str
    kind: LessonKind
    homework: str = ""
    homework_deadline: date | None = None
    ktp_topic_id: uuid.UUID | None = None
    homework_kind: HomeworkKind = HomeworkKind.HOMEWORK
    # The students the homework is for, by id; empty = the whole group or subgroup.
    homework_student_ids: tuple[uuid.UUID, ...] = ()

    def same_content(self, other: Lesson) -> bool:
        """Return True when the other lesson records the same thing (an idempotent repeat)."""
        return (
            self.teacher_id,
            self.discipline_id,
            self.topic,
            self.kind,
            self.homework,
            self.homework_deadline,
            self.ktp_topic_id,
            self.homework_kind,
            self.homework_student_ids,
        ) == (
            other.teacher_id,
            other.discipline_id,
            other.topic,
            other.kind,
            other.homework,
            other.homework_deadline,
            other.ktp_topic_id,
            other.homework_kind,
            other.homework_student_ids,
        )


@dataclass(frozen=True)
class AttendanceEntry:
    """One student's attendance of one lesson."""

    student_id: uuid.UUID
    status: AttendanceStatus
    reason: AbsenceReason = AbsenceReason.UNSPECIFIED


def teaching_day_allowed(
    years: Iterable[year.AcademicYear],
    calendar_of: dict[uuid.UUID, list[year.CalendarSpan]],
    day: date,
) -> bool:
    """Return True when the day is a teaching day of the group's calendar of the year containing it,
    or when that year (or the group's calendar in it) is not set yet."""
    for academic_year in years:
        if academic_year.span.contains(day):
            calendar = calendar_of.get(academic_year.id, [])
            return not calendar or year.is_teaching_day(calendar, day)
    return True


def new_lesson(
    *,
    today: date,
    teacher_loads: Sequence[model.TeachingLoad],
    subgroup: year.Subgroup | None,
    subgroup_id: uuid.UUID | None,
    pairs: Collection[int],
    teaching_day: bool,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    teacher_id: uuid.UUID,
    lesson_date: date,
    pair_number: int,
    topic: str,
    kind: LessonKind,
    homework: str,
    homework_deadline: date | None,
    ktp_topic_id: uuid.UUID | None = None,
    homework_kind: HomeworkKind = HomeworkKind.HOMEWORK,
    homework_student_ids: tuple[uuid.UUID, ...] = (),
    enrolled: Collection[uuid.UUID] = (),
    subgroup_members: Collection[uuid.UUID] | None = None,
) -> Lesson:
    """Create a lesson after checking every rule of recording one (nothing about its slot yet); the
    homework's students must be `enrolled` in the group (and in `subgroup_members` for a subgroup)."""
    if not any(load.covers(teacher_id, group_id, discipline_id, subgroup_id) for load in teacher_loads):
        raise errors.NotTeachingThisGroup()
    if subgroup_id is not None and (
        subgroup is None or (subgroup.group_id, subgroup.discipline_id) != (group_id, discipline_id)
    ):
        raise lesson_errors.SubgroupNotFound()
    if lesson_date > today:
        raise errors.LessonDateInFuture(lesson_date)
    if pair_number not in pairs:
        raise lesson_errors.PairNotInSchedule(pair_number)
    if not teaching_day:
        raise lesson_errors.NotATeachingDay(lesson_date)
    if homework_deadline is not None and (not homework or homework_deadline < lesson_date):
        raise lesson_errors.HomeworkDeadlineInvalid()
    if not homework and (homework_kind is not HomeworkKind.HOMEWORK or homework_student_ids):
        raise lesson_errors.HomeworkDetailsWithoutHomework()
    if len(homework_student_ids) > MAX_HOMEWORK_STUDENTS:
        raise lesson_errors.TooManyHomeworkStudents(MAX_HOMEWORK_STUDENTS)
    for student_id in homework_student_ids:
        if student_id not in enrolled:
            raise errors.StudentNotInGroup()
        if subgroup_members is not None and student_id not in subgroup_members:
            raise lesson_errors.StudentNotInSubgroup()
    return Lesson(
        id=uuid.uuid4(),
        group_id=group_id,
        subgroup_id=subgroup_id,
        discipline_id=discipline_id,
        teacher_id=teacher_id,
        lesson_date=lesson_date,
        pair_number=pair_number,
        topic=topic,
        kind=kind,
        homework=homework,
        homework_deadline=homework_deadline,
        ktp_topic_id=ktp_topic_id,
        homework_kind=homework_kind,
        homework_student_ids=tuple(sorted(set(homework_student_ids), key=str)),
    )


def check_attendance(
    entries: Sequence[AttendanceEntry],
    *,
    enrolled: Collection[uuid.UUID],
    subgroup_members: Collection[uuid.UUID] | None,
) -> list[AttendanceEntry]:
    """Return the entries by student id after checking each student once, enrolled (and in the
    lesson's subgroup), and a reason only for an absence or lateness."""
    if len(entries) > MAX_ATTENDANCE_ENTRIES:
        raise lesson_errors.TooManyAttendanceEntries(MAX_ATTENDANCE_ENTRIES)
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(entries):
        if entry.student_id in seen:
            raise lesson_errors.DuplicateAttendanceStudent(index)
        seen.add(entry.student_id)
        if entry.status is AttendanceStatus.PRESENT and entry.reason is not AbsenceReason.UNSPECIFIED:
            raise lesson_errors.ReasonWithoutAbsence(index)
        if entry.student_id not in enrolled:
            raise errors.StudentNotInGroup()
        if subgroup_members is not None and entry.student_id not in subgroup_members:
            raise lesson_errors.StudentNotInSubgroup()
    return sorted(entries, key=lambda e: str(e.student_id))
