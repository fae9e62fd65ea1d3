"""Teaching load: every query of it. Repositories never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, bindparam, exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model


class TeachingLoadRepository:
    """Teaching load: who teaches what to whom."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(
        self, teacher_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID
    ) -> model.TeachingLoad | None:
        """Return a load of this teacher, group and discipline (the whole group's first), or None."""
        return await self._session.scalar(
            select(model.TeachingLoad)
            .where(
                orm.teaching_loads.c.teacher_id == teacher_id,
                orm.teaching_loads.c.group_id == group_id,
                orm.teaching_loads.c.discipline_id == discipline_id,
            )
            .order_by(orm.teaching_loads.c.subgroup_id.is_not(None))
            .limit(1)
        )

    async def of_teacher(self, teacher_id: uuid.UUID) -> list[model.TeachingLoad]:
        """Return every load of a teacher (read as plain rows: every mark asks, and none of them is
        changed through the unit of work)."""
        rows = await self._session.execute(_OF_TEACHER, {"teacher_id": teacher_id})
        return [model.TeachingLoad(*row) for row in rows]

    def add(self, load: model.TeachingLoad) -> None:
        """Stage a new load."""
        self._session.add(load)

    async def teaches_student(self, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the teacher has a load in any group the student is enrolled in."""
        loads, enrollments = orm.teaching_loads.c, orm.enrollments.c
        query = select(
            exists().where(
                loads.teacher_id == teacher_id,
                enrollments.group_id == loads.group_id,
                enrollments.student_id == student_id,
            )
        )
        return bool(await self._session.scalar(query))

    async def of_group(self, group_id: uuid.UUID) -> list[model.TeachingLoad]:
        """Return every load in a group (the whole group's and its subgroups')."""
        rows = await self._session.scalars(
            select(model.TeachingLoad).where(orm.teaching_loads.c.group_id == group_id)
        )
        return list(rows)

    async def get_for_update(self, load_id: uuid.UUID) -> model.TeachingLoad | None:
        """Return the load, its row locked until commit, or None."""
        return await self._session.scalar(
            select(model.TeachingLoad).where(orm.teaching_loads.c.id == load_id).with_for_update()
        )

    async def has_history(self, load: model.TeachingLoad) -> bool:
        """Return True when lessons or marks (removed ones too) of the load's teacher are under it."""
        lessons, marks = orm.lessons.c, orm.marks.c
        whole_group = load.subgroup_id is None
        lesson_of_load: ColumnElement[bool] = (
            true() if whole_group else lessons.subgroup_id == load.subgroup_id
        )
        # A subgroup's marks on lessons are found by their lessons; those without a lesson count too.
        mark_of_load: ColumnElement[bool] = true() if whole_group else marks.lesson_id.is_(None)
        query = select(
            exists().where(
                lessons.teacher_id == load.teacher_id,
                lessons.group_id == load.group_id,
                lessons.discipline_id == load.discipline_id,
                lesson_of_load,
            )
            | exists().where(
                marks.teacher_id == load.teacher_id,
                marks.group_id == load.group_id,
                marks.discipline_id == load.discipline_id,
                mark_of_load,
            )
        )
        return bool(await self._session.scalar(query))

    async def in_timetable(self, load: model.TeachingLoad) -> bool:
        """Return True when timetable entries of the load's teacher, group and discipline exist."""
        entries = orm.timetable_entries.c
        of_load: ColumnElement[bool] = (
            true() if load.subgroup_id is None else entries.subgroup_id == load.subgroup_id
        )
        query = select(
            exists().where(
                entries.teacher_id == load.teacher_id,
                entries.group_id == load.group_id,
                entries.discipline_id == load.discipline_id,
                of_load,
            )
        )
        return bool(await self._session.scalar(query))

    async def remove(self, load: model.TeachingLoad) -> None:
        """Delete the load's row."""
        await self._session.delete(load)
        await self._session.flush()


_t = orm.teaching_loads.c
# Built once: every write asks for the writer's loads.
_OF_TEACHER = select(_t.id, _t.teacher_id, _t.group_id, _t.discipline_id, _t.subgroup_id).where(
    _t.teacher_id == bindparam("teacher_id")
)
