"""The read models' queries (journal page, group view, diary, «Пропуски»): a few queries each, no N+1,
no ORM identity map; the journal page's three on the driver itself. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.adapters.repositories import driver
from journal_service.domain import lessons, model, read_models, year

_l, _m, _a = orm.lessons.c, orm.marks.c, orm.attendance.c
_r = orm.homework_recipients.c
# The kind of a lesson's homework, empty when there is none.
_kind_of_homework = case((_l.homework != "", type_coerce(_l.homework_kind, String)), else_="")
# The group's readers and students (the page, the group view, «Пропуски») and the journal page's three
# data queries run on the driver (see ReadModelRepository._fetch). $2 may be NULL (no person: false).
# The page's statements are public: the page benchmark's bare-SQL floor runs these very statements.
_GROUP_READERS = """
SELECT g.class_teacher_id,
       EXISTS (SELECT 1 FROM teaching_loads t WHERE t.group_id = g.id AND t.teacher_id = $2),
       ARRAY(SELECT DISTINCT e.student_id FROM enrollments e WHERE e.group_id = g.id AND {stay}
             ORDER BY e.student_id)
FROM groups g
WHERE g.id = $1
"""
_GROUP_READERS_NOW = _GROUP_READERS.format(stay="e.left_on IS NULL")
GROUP_READERS_IN = _GROUP_READERS.format(stay="e.enrolled_on <= $4 AND (e.left_on IS NULL OR e.left_on > $3)")
PAGE_LESSONS = """
SELECT l.id, l.group_id, l.subgroup_id, l.discipline_id, l.teacher_id, l.lesson_date, l.pair_number,
       l.topic, l.kind, l.homework, l.homework_deadline, l.ktp_topic_id,
       CASE WHEN l.homework <> '' THEN l.homework_kind ELSE '' END,
       ARRAY(SELECT r.student_id FROM homework_recipients r WHERE r.lesson_id = l.id ORDER BY r.student_id)
FROM lessons l
WHERE l.group_id = $1 AND l.discipline_id = $2 AND l.lesson_date BETWEEN $3 AND $4
  AND ($5::uuid IS NULL OR l.subgroup_id IS NULL OR l.subgroup_id = $5)
ORDER BY l.lesson_date, l.pair_number, l.subgroup_id NULLS FIRST, l.id
"""
_PAGE_MARKS = """
SELECT m.id::text, m.student_id{t}, m.discipline_id{t}, m.lesson_id{t}, m.lesson_date, m.value,
       m.kind_of_work, m.weight
FROM marks m
WHERE m.group_id = $1 AND m.discipline_id = $2 AND m.lesson_date BETWEEN $3 AND $4
  AND m.removed_at IS NULL
ORDER BY m.recorded_at, m.id
"""
_PAGE_MARKS_UUID, PAGE_MARKS_TEXT = _PAGE_MARKS.format(t=""), _PAGE_MARKS.format(t="::text")
PAGE_ATTENDANCE = """
SELECT a.lesson_id,
       array_agg(a.student_id) FILTER (WHERE a.status <> 'present'),
       array_agg(a.status) FILTER (WHERE a.status <> 'present'),
       array_agg(a.reason) FILTER (WHERE a.status <> 'present')
FROM attendance a JOIN lessons l ON l.id = a.lesson_id
WHERE l.group_id = $1 AND l.discipline_id = $2 AND l.lesson_date BETWEEN $3 AND $4
GROUP BY a.lesson_id
"""
_MARK_COLUMNS = (
    _m.id.cast(String),
    _m.student_id,
    _m.discipline_id,
    _m.lesson_id,
    _m.lesson_date,
    _m.value,
    _m.kind_of_work,
    _m.weight,
)
_ABSENT, _LATE = lessons.AttendanceStatus.ABSENT.value, lessons.AttendanceStatus.LATE.value
_PRESENT = lessons.AttendanceStatus.PRESENT.value
_NOT_VALID = [r.value for r in lessons.AbsenceReason if r not in read_models.VALID_REASONS]


def _in_group_on_lesson_date(student_id: uuid.UUID) -> ColumnElement[bool]:
    """The lesson's group is one the student was in on the lesson's date (student movement)."""
    e = orm.enrollments.c
    return exists().where(
        e.student_id == student_id,
        e.group_id == _l.group_id,
        e.enrolled_on <= _l.lesson_date,
        or_(e.left_on.is_(None), e.left_on > _l.lesson_date),
    )


class ReadModelRepository:
    """The read models' queries."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def group_readers(
        self, group_id: uuid.UUID, person_id: uuid.UUID | None, span: year.DateSpan | None = None
    ) -> read_models.GroupReaders | None:
        """Return the group's class teacher, whether the person has a load in it and its students in a
        stable order — those in the group on some day of `span` (student movement: enrolled_on ≤ day <
        left_on), without a span those enrolled now — in one query; None: no group."""
        if span is None:
            rows = await self._fetch(_GROUP_READERS_NOW, group_id, person_id)
        else:
            rows = await self._fetch(GROUP_READERS_IN, group_id, person_id, span.starts_on, span.ends_on)
        if not rows:
            return None
        row = rows[0]
        return read_models.GroupReaders(row[0], row[1], list(row[2]))

    async def _fetch(self, sql: str, *args: object) -> list[Any]:
        """Run a hot read on the driver itself, in this unit of work's transaction (driver.fetch)."""
        return await driver.fetch(self._session, sql, *args)

    async def page_lessons(
        self,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
        span: year.DateSpan,
    ) -> list[read_models.LessonRow]:
        """Return the lessons of a page by date and pair: the whole group's and, for the whole group,
        every subgroup's; for a subgroup, its own."""
        rows = await self._fetch(
            PAGE_LESSONS, group_id, discipline_id, span.starts_on, span.ends_on, subgroup_id
        )
        return [read_models.LessonRow(*r) for r in rows]

    async def page_marks(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.MarkRow]:
        """Return the group's marks in the discipline and period, in the order recorded."""
        rows = await self._fetch(_PAGE_MARKS_UUID, group_id, discipline_id, span.starts_on, span.ends_on)
        return list(map(read_models.MarkRow._make, rows))

    async def page_cell_marks(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.PageMarkRow]:
        """Return the same marks as `page_marks`, every id as text (the journal page's cells: 663 marks
        are read in 0.58 ms of CPU rather than 1.21 with UUID objects)."""
        rows = await self._fetch(PAGE_MARKS_TEXT, group_id, discipline_id, span.starts_on, span.ends_on)
        return list(map(read_models.PageMarkRow._make, rows))

    async def page_attendance(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> read_models.PageAttendance:
        """Return the absences and lateness at the group's lessons of the discipline in the period and
        the lessons whose attendance was taken (one row per lesson)."""
        rows = await self._fetch(PAGE_ATTENDANCE, group_id, discipline_id, span.starts_on, span.ends_on)
        return read_models.PageAttendance(
            missed=[
                read_models.AttendanceRow(r[0], student, status, reason)
                for r in rows
                if r[1]
                for student, status, reason in zip(r[1], r[2], r[3], strict=True)
            ],
            taken={r[0] for r in rows},
        )

    async def group_marks(self, group_id: uuid.UUID, span: year.DateSpan) -> list[read_models.MarkRow]:
        """Return the group's marks in every discipline in the period, in the order recorded."""
        rows = await self._session.execute(
            select(*_MARK_COLUMNS)
            .where(
                _m.group_id == group_id,
                _m.lesson_date.between(span.starts_on, span.ends_on),
                _m.removed_at.is_(None),
            )
            .order_by(_m.recorded_at, _m.id)
        )
        return list(map(read_models.MarkRow._make, rows))

    async def group_absence_counts(
        self, group_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.AbsenceCount]:
        """Return per student and discipline the pairs missed, those without a valid reason and the
        lateness, counted by the database."""
        absent = _a.status == _ABSENT
        rows = await self._session.execute(
            select(
                _a.student_id,
                _l.discipline_id,
                func.count().filter(absent),
                func.count().filter(and_(absent, _a.reason.in_(_NOT_VALID))),
                func.count().filter(_a.status == _LATE),
            )
            .join(orm.lessons, _l.id == _a.lesson_id)
            .where(
                _l.group_id == group_id,
                _l.lesson_date.between(span.starts_on, span.ends_on),
                _a.status != _PRESENT,
            )
            .group_by(_a.student_id, _l.discipline_id)
        )
        return [read_models.AbsenceCount(*r) for r in rows]

    async def group_disciplines(self, group_id: uuid.UUID, span: year.DateSpan) -> list[model.DisciplineView]:
        """Return the disciplines with lessons or marks of the group in the period."""
        d = orm.disciplines.c
        taught = select(_l.discipline_id).where(
            _l.group_id == group_id, _l.lesson_date.between(span.starts_on, span.ends_on)
        )
        marked = select(_m.discipline_id).where(
            _m.group_id == group_id,
            _m.lesson_date.between(span.starts_on, span.ends_on),
            _m.removed_at.is_(None),
        )
        rows = await self._session.execute(
            select(d.id, d.code, d.name, d.kind).where(or_(d.id.in_(taught), d.id.in_(marked)))
        )
        return [model.DisciplineView(*r) for r in rows]

    async def diary_lessons(self, student_id: uuid.UUID, span: year.DateSpan) -> list[read_models.LessonRow]:
        """Return the lessons in the period of the groups the student was in on their dates (whole-group
        ones and those of the student's subgroups), the homework only when it is for the whole group or
        for this student."""
        sm = orm.subgroup_members.c
        has_recipients = exists().where(_r.lesson_id == _l.id)
        is_recipient = exists().where(_r.lesson_id == _l.id, _r.student_id == student_id)
        for_student = or_(~has_recipients, is_recipient)
        rows = await self._session.execute(
            select(
                _l.id,
                _l.group_id,
                _l.subgroup_id,
                _l.discipline_id,
                _l.teacher_id,
                _l.lesson_date,
                _l.pair_number,
                _l.topic,
                _l.kind,
                case((for_student, _l.homework), else_=""),
                case((for_student, _l.homework_deadline), else_=None),
                _l.ktp_topic_id,
                case((for_student, _kind_of_homework), else_=""),
            )
            .where(
                _in_group_on_lesson_date(student_id),
                _l.lesson_date.between(span.starts_on, span.ends_on),
                or_(
                    _l.subgroup_id.is_(None),
                    # Slice J: a subgroup's lesson when the student was in it on the lesson's date.
                    exists().where(
                        sm.subgroup_id == _l.subgroup_id,
                        sm.student_id == student_id,
                        sm.from_date <= _l.lesson_date,
                        or_(sm.to_date.is_(None), sm.to_date > _l.lesson_date),
                    ),
                ),
            )
            .order_by(_l.lesson_date, _l.pair_number, _l.id)
        )
        return [read_models.LessonRow(*r) for r in rows]

    async def diary_marks(self, student_id: uuid.UUID, span: year.DateSpan) -> list[read_models.MarkRow]:
        """Return the student's marks in the period, in the order recorded."""
        rows = await self._session.execute(
            select(*_MARK_COLUMNS)
            .where(
                _m.student_id == student_id,
                _m.lesson_date.between(span.starts_on, span.ends_on),
                _m.removed_at.is_(None),
            )
            .order_by(_m.recorded_at, _m.id)
        )
        return list(map(read_models.MarkRow._make, rows))

    async def diary_attendance(
        self, student_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.AttendanceRow]:
        """Return the student's attendance of the lessons of the groups they were in on those days."""
        rows = await self._session.execute(
            select(_a.lesson_id, _a.student_id, _a.status, _a.reason)
            .join(orm.lessons, _l.id == _a.lesson_id)
            .where(
                _a.student_id == student_id,
                _l.lesson_date.between(span.starts_on, span.ends_on),
                _in_group_on_lesson_date(student_id),
            )
        )
        return [read_models.AttendanceRow(*r) for r in rows]

    async def group_absences(self, group_id: uuid.UUID, span: year.DateSpan) -> list[read_models.AbsenceRow]:
        """Return the absences and lateness at the group's lessons in the period."""
        rows = await self._session.execute(
            select(
                _a.student_id,
                _a.lesson_id,
                _l.lesson_date,
                _l.pair_number,
                _l.discipline_id,
                _a.status,
                _a.reason,
            )
            .join(orm.lessons, _l.id == _a.lesson_id)
            .where(
                _l.group_id == group_id,
                _l.lesson_date.between(span.starts_on, span.ends_on),
                _a.status != _PRESENT,
            )
        )
        return [read_models.AbsenceRow(*r) for r in rows]

    async def lock_lessons(self, lesson_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Lock the lessons' rows in id order (as RecordAttendance does) and return each one's group."""
        rows = await self._session.execute(
            select(_l.id, _l.group_id).where(_l.id.in_(list(lesson_ids))).order_by(_l.id).with_for_update()
        )
        return {r[0]: r[1] for r in rows}

    async def attendance_entries(
        self, lesson_ids: Collection[uuid.UUID], student_ids: Collection[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], read_models.AttendanceRow]:
        """Return the attendance of those students at those lessons, by (lesson, student)."""
        rows = await self._session.execute(
            select(_a.lesson_id, _a.student_id, _a.status, _a.reason).where(
                _a.lesson_id.in_(list(lesson_ids)), _a.student_id.in_(list(student_ids))
            )
        )
        return {(r[0], r[1]): read_models.AttendanceRow(*r) for r in rows}

    async def set_reasons(self, changes: Sequence[read_models.CorrectedReason]) -> None:
        """Set the reason categories (one executemany UPDATE)."""
        if not changes:
            return
        await self._session.execute(
            update(orm.attendance)
            .where(_a.lesson_id == bindparam("l_id"), _a.student_id == bindparam("s_id"))
            .values(reason=bindparam("new_reason"))
            .execution_options(synchronize_session=False),
            [{"l_id": c.lesson_id, "s_id": c.student_id, "new_reason": c.reason} for c in changes],
        )
