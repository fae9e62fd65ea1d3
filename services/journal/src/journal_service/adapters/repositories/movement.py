"""Student movements: a student's history, a group's list, the journal records a movement would
leave behind. Repositories never commit (the movement itself is staged by `GroupRepository`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import movement


def _movement(row: Any) -> movement.Movement:
    return movement.Movement(
        id=row.id,
        student_id=row.student_id,
        kind=movement.MovementKind(row.kind),
        from_group_id=row.from_group_id,
        to_group_id=row.to_group_id,
        on_date=row.on_date,
        order_number=row.order_number,
    )


class MovementRepository:
    """Reads of student movements."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_student(self, student_id: uuid.UUID) -> list[movement.Movement]:
        """Return the student's movements, oldest first."""
        m = orm.student_movements.c
        rows = await self._session.execute(
            select(orm.student_movements).where(m.student_id == student_id).order_by(m.on_date, m.id)
        )
        return [_movement(r) for r in rows]

    async def of_group(self, group_id: uuid.UUID) -> list[movement.Movement]:
        """Return the movements into or out of the group, oldest first."""
        m = orm.student_movements.c
        rows = await self._session.execute(
            select(orm.student_movements)
            .where(or_(m.from_group_id == group_id, m.to_group_id == group_id))
            .order_by(m.on_date, m.student_id, m.id)
        )
        return [_movement(r) for r in rows]

    async def first_record_from(self, student_id: uuid.UUID, group_id: uuid.UUID, on: date) -> date | None:
        """Return the first date on or after `on` with a mark (not removed) or an attendance entry of
        the student in the group's lessons, or None."""
        k, a, lsn = orm.marks.c, orm.attendance.c, orm.lessons.c
        first_mark = await self._session.scalar(
            select(func.min(k.lesson_date)).where(
                k.student_id == student_id,
                k.group_id == group_id,
                k.lesson_date >= on,
                k.removed_at.is_(None),
            )
        )
        first_attendance = await self._session.scalar(
            select(func.min(lsn.lesson_date))
            .select_from(orm.attendance.join(orm.lessons, lsn.id == a.lesson_id))
            .where(a.student_id == student_id, lsn.group_id == group_id, lsn.lesson_date >= on)
        )
        found = [d for d in (first_mark, first_attendance) if d is not None]
        return min(found) if found else None
