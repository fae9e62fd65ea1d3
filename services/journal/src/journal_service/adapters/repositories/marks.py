"""Marks and the mark dictionary: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model


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
                m.lesson_id,
                m.kind_of_work,
                m.weight,
            )
            .where(m.student_id == student_id)
            .order_by(m.lesson_date.desc(), m.recorded_at.desc())
            .limit(limit)
        )
        return [model.MarkView(*row) for row in rows]
