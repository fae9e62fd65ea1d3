"""The groups' timetables and the lessons a teacher's day points at: every query of them. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import timetable

_t = orm.timetable_entries.c
_COLUMNS = (
    _t.id,
    _t.group_id,
    _t.year_id,
    _t.semester,
    _t.weekday,
    _t.pair_number,
    _t.parity,
    _t.discipline_id,
    _t.subgroup_id,
    _t.teacher_id,
    _t.room,
)


def _entry(row: Any) -> timetable.TimetableEntry:
    return timetable.TimetableEntry(*row)


class TimetableRepository:
    """The groups' timetables per year and semester."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_year(self, year_id: uuid.UUID) -> bool:
        """Lock the year's row (FOR NO KEY UPDATE: inserts referring to the year are not held up)."""
        y = orm.academic_years.c
        found = await self._session.scalar(
            select(y.id).where(y.id == year_id).with_for_update(key_share=True)
        )
        return found is not None

    async def _read(self, *where: Any) -> list[timetable.TimetableEntry]:
        rows = await self._session.execute(select(*_COLUMNS).where(*where))
        return sorted((_entry(row) for row in rows), key=timetable.sort_key)

    async def of_group(
        self, group_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> list[timetable.TimetableEntry]:
        """Return a group's entries for the semester by weekday, pair and parity."""
        return await self._read(_t.group_id == group_id, _t.year_id == year_id, _t.semester == semester)

    async def of_teachers(
        self,
        teacher_ids: Collection[uuid.UUID],
        year_id: uuid.UUID,
        semester: int,
        *,
        exclude_group: uuid.UUID,
    ) -> list[timetable.TimetableEntry]:
        """Return the entries of these teachers in the semester in every group but `exclude_group`."""
        if not teacher_ids:
            return []
        return await self._read(
            _t.teacher_id.in_(list(teacher_ids)),
            _t.year_id == year_id,
            _t.semester == semester,
            _t.group_id != exclude_group,
        )

    async def of_teacher(
        self, teacher_id: uuid.UUID, year_id: uuid.UUID, semester: int, *, weekday: int
    ) -> list[timetable.TimetableEntry]:
        """Return a teacher's entries on a weekday of the semester."""
        return await self._read(
            _t.teacher_id == teacher_id, _t.year_id == year_id, _t.semester == semester, _t.weekday == weekday
        )

    async def replace(
        self,
        group_id: uuid.UUID,
        year_id: uuid.UUID,
        semester: int,
        entries: Sequence[timetable.TimetableEntry],
    ) -> None:
        """Replace a group's entries for the semester (one DELETE, one multi-row INSERT)."""
        await self._session.execute(
            delete(orm.timetable_entries).where(
                _t.group_id == group_id, _t.year_id == year_id, _t.semester == semester
            )
        )
        if entries:
            await self._session.execute(
                insert(orm.timetable_entries),
                [
                    {
                        "id": e.id,
                        "group_id": group_id,
                        "year_id": year_id,
                        "semester": semester,
                        "weekday": e.weekday,
                        "pair_number": e.pair_number,
                        "parity": e.parity,
                        "discipline_id": e.discipline_id,
                        "subgroup_id": e.subgroup_id,
                        "teacher_id": e.teacher_id,
                        "room": e.room,
                    }
                    for e in entries
                ],
            )

    async def lessons_on(
        self, day: date, group_ids: Collection[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, int], uuid.UUID]:
        """Return the lessons of these groups on the day: (group, subgroup, discipline, pair) → lesson id."""
        if not group_ids:
            return {}
        lesson = orm.lessons.c
        query = select(
            lesson.group_id, lesson.subgroup_id, lesson.discipline_id, lesson.pair_number, lesson.id
        ).where(lesson.lesson_date == day, lesson.group_id.in_(list(group_ids)))
        rows = await self._session.execute(query)
        return {(g, s, d, p): i for g, s, d, p, i in rows}
