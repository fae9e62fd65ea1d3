"""Lessons and their attendance: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import lessons, year

_l = orm.lessons.c
_COLUMNS = (
    _l.id,
    _l.group_id,
    _l.subgroup_id,
    _l.discipline_id,
    _l.teacher_id,
    _l.lesson_date,
    _l.pair_number,
    _l.topic,
    _l.kind,
    _l.homework,
    _l.homework_deadline,
    _l.ktp_topic_id,
    _l.homework_kind,
)
_r = orm.homework_recipients.c


def _lesson(row: Any) -> lessons.Lesson:
    return lessons.Lesson(*row)


class LessonRepository:
    """Lessons and their attendance."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def in_slot(
        self, group_id: uuid.UUID, subgroup_id: uuid.UUID | None, lesson_date: date, pair_number: int
    ) -> lessons.Lesson | None:
        """Return a lesson holding the slot (for a subgroup: the whole group's or its own), or None; the
        group row is locked first (one writer at a time)."""
        g = orm.groups.c
        await self._session.execute(select(g.id).where(g.id == group_id).with_for_update())
        query = select(*_COLUMNS).where(
            _l.group_id == group_id, _l.lesson_date == lesson_date, _l.pair_number == pair_number
        )
        if subgroup_id is not None:
            query = query.where(or_(_l.subgroup_id.is_(None), _l.subgroup_id == subgroup_id))
        # The same subgroup's lesson first, so an idempotent repeat finds itself.
        query = query.order_by(_l.subgroup_id.is_distinct_from(subgroup_id), _l.id).limit(1)
        row = (await self._session.execute(query)).first()
        return None if row is None else (await self._with_recipients([_lesson(row)]))[0]

    async def add(self, lesson: lessons.Lesson) -> None:
        """Stage a new lesson."""
        await self._session.execute(
            insert(orm.lessons).values(
                id=lesson.id,
                group_id=lesson.group_id,
                subgroup_id=lesson.subgroup_id,
                discipline_id=lesson.discipline_id,
                teacher_id=lesson.teacher_id,
                lesson_date=lesson.lesson_date,
                pair_number=lesson.pair_number,
                topic=lesson.topic,
                kind=lesson.kind,
                homework=lesson.homework,
                homework_deadline=lesson.homework_deadline,
                ktp_topic_id=lesson.ktp_topic_id,
                homework_kind=lesson.homework_kind,
            )
        )
        if lesson.homework_student_ids:
            await self._session.execute(
                insert(orm.homework_recipients),
                [{"lesson_id": lesson.id, "student_id": s} for s in lesson.homework_student_ids],
            )

    async def get(
        self, lesson_id: uuid.UUID, *, for_update: bool = False, recipients: bool = True
    ) -> lessons.Lesson | None:
        """Return the lesson or None; `for_update` locks its row; without `recipients` the homework's
        chosen students are not read (one query instead of two)."""
        query = _GET_FOR_UPDATE if for_update else _GET
        row = (await self._session.execute(query, {"id": lesson_id})).first()
        if row is None:
            return None
        return (await self._with_recipients([_lesson(row)]))[0] if recipients else _lesson(row)

    async def of_group(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[lessons.Lesson]:
        """Return a group's lessons of a discipline (its subgroups' too) in the span, by date and pair."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(
                _l.group_id == group_id,
                _l.discipline_id == discipline_id,
                _l.lesson_date.between(span.starts_on, span.ends_on),
            )
            .order_by(_l.lesson_date, _l.pair_number, _l.subgroup_id.nulls_first(), _l.id)
        )
        return await self._with_recipients([_lesson(row) for row in rows])

    async def _with_recipients(self, found: list[lessons.Lesson]) -> list[lessons.Lesson]:
        """Return the lessons with their homework's students (one query for those with homework)."""
        with_homework = [lesson.id for lesson in found if lesson.homework]
        if not with_homework:
            return found
        recipients: dict[uuid.UUID, list[uuid.UUID]] = {}
        rows = await self._session.execute(
            select(_r.lesson_id, _r.student_id)
            .where(_r.lesson_id.in_(with_homework))
            .order_by(_r.lesson_id, _r.student_id)
        )
        for lesson_id, student_id in rows:
            recipients.setdefault(lesson_id, []).append(student_id)
        return [
            replace(lesson, homework_student_ids=tuple(recipients[lesson.id]))
            if lesson.id in recipients
            else lesson
            for lesson in found
        ]

    async def attendance_of(self, lesson_id: uuid.UUID) -> list[lessons.AttendanceEntry]:
        """Return a lesson's attendance by student id."""
        a = orm.attendance.c
        rows = await self._session.execute(
            select(a.student_id, a.status, a.reason).where(a.lesson_id == lesson_id).order_by(a.student_id)
        )
        return [lessons.AttendanceEntry(*row) for row in rows]

    async def replace_attendance(
        self, lesson_id: uuid.UUID, entries: Sequence[lessons.AttendanceEntry]
    ) -> None:
        """Replace a lesson's attendance with these entries (one DELETE, one multi-row INSERT)."""
        await self._session.execute(delete(orm.attendance).where(orm.attendance.c.lesson_id == lesson_id))
        if entries:
            await self._session.execute(
                insert(orm.attendance),
                [
                    {
                        "lesson_id": lesson_id,
                        "student_id": e.student_id,
                        "status": e.status,
                        "reason": e.reason,
                    }
                    for e in entries
                ],
            )


# Built once (a mark reads its lesson first).
_GET = select(*_COLUMNS).where(_l.id == bindparam("id"))
_GET_FOR_UPDATE = _GET.with_for_update()
