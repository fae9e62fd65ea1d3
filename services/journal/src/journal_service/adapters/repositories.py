"""Repositories: every query of the journal database lives here. They never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model


class GroupRepository:
    """Groups and enrolments."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, group_id: uuid.UUID) -> model.Group | None:
        """Return the group or None."""
        return await self._session.get(model.Group, group_id)

    async def name_taken(self, name: str) -> bool:
        """Return True when a group already has this name."""
        found = await self._session.scalar(select(orm.groups.c.id).where(orm.groups.c.name == name))
        return found is not None

    def add(self, group: model.Group) -> None:
        """Stage a new group."""
        self._session.add(group)

    async def enroll(self, group_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Enrol the student; return False when already enrolled."""
        result = await self._session.execute(
            insert(orm.enrollments)
            .values(group_id=group_id, student_id=student_id)
            .on_conflict_do_nothing()
            .returning(orm.enrollments.c.student_id)
        )
        return result.first() is not None

    async def is_enrolled(self, group_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the student is in the group."""
        found = await self._session.scalar(
            select(orm.enrollments.c.student_id).where(
                orm.enrollments.c.group_id == group_id, orm.enrollments.c.student_id == student_id
            )
        )
        return found is not None


class DisciplineRepository:
    """Disciplines of the curriculum."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, discipline_id: uuid.UUID) -> model.Discipline | None:
        """Return the discipline or None."""
        return await self._session.get(model.Discipline, discipline_id)

    def add(self, discipline: model.Discipline) -> None:
        """Stage a new discipline."""
        self._session.add(discipline)

    async def views(self, discipline_ids: Collection[uuid.UUID]) -> list[model.DisciplineView]:
        """Return the disciplines with these ids by code and name, as read models (one query)."""
        if not discipline_ids:
            return []
        d = orm.disciplines.c
        rows = await self._session.execute(
            select(d.id, d.code, d.name, d.kind)
            .where(d.id.in_(list(discipline_ids)))
            .order_by(d.code, d.name, d.id)
        )
        return [model.DisciplineView(*row) for row in rows]


class TeachingLoadRepository:
    """Teaching load: who teaches what to whom."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(
        self, teacher_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID
    ) -> model.TeachingLoad | None:
        """Return the load of exactly this teacher, group and discipline, or None."""
        return await self._session.scalar(
            select(model.TeachingLoad).where(
                orm.teaching_loads.c.teacher_id == teacher_id,
                orm.teaching_loads.c.group_id == group_id,
                orm.teaching_loads.c.discipline_id == discipline_id,
            )
        )

    async def of_teacher(self, teacher_id: uuid.UUID) -> list[model.TeachingLoad]:
        """Return every load of a teacher."""
        rows = await self._session.scalars(
            select(model.TeachingLoad).where(orm.teaching_loads.c.teacher_id == teacher_id)
        )
        return list(rows)

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


class MarkRepository:
    """Marks and the mark dictionary."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def dictionary(self) -> model.MarkDictionary:
        """Load the college's mark dictionary."""
        rows = (await self._session.execute(select(orm.mark_kinds))).mappings()
        return model.MarkDictionary(
            kinds={
                r["value"]: model.MarkKind(
                    value=r["value"],
                    title=r["title"],
                    counts_in_average=r["counts_in_average"],
                    is_absence=r["is_absence"],
                    allowed_as_final=r["allowed_as_final"],
                )
                for r in rows
            }
        )

    async def add(self, mark: model.Mark) -> None:
        """Stage a new mark and fill its server-side defaults (recorded_at)."""
        self._session.add(mark)
        await self._session.flush()

    async def of_student(self, student_id: uuid.UUID, *, limit: int = 500) -> list[model.MarkView]:
        """Return a student's marks, newest lesson first, as read models (no ORM identity map)."""
        m = orm.marks.c
        rows = await self._session.execute(
            select(
                m.id,
                m.student_id,
                m.group_id,
                m.discipline_id,
                m.teacher_id,
                m.lesson_date,
                m.value,
                m.recorded_at,
            )
            .where(m.student_id == student_id)
            .order_by(m.lesson_date.desc(), m.recorded_at.desc())
            .limit(limit)
        )
        return [model.MarkView(*row) for row in rows]
