"""The groups' curricula («учебный план»): every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import curriculum

_c = orm.curriculum_items.c


class CurriculumRepository:
    """A group's curriculum per academic year."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_group(self, group_id: uuid.UUID, year_id: uuid.UUID) -> list[curriculum.CurriculumRow]:
        """Return a group's rows for a year by semester and discipline code."""
        d = orm.disciplines.c
        rows = await self._session.execute(
            select(_c.discipline_id, _c.semester, _c.total_hours, _c.weekly_hours, _c.control_form)
            .join(orm.disciplines, d.id == _c.discipline_id)
            .where(_c.group_id == group_id, _c.year_id == year_id)
            .order_by(_c.semester, d.code, _c.discipline_id)
        )
        return [curriculum.CurriculumRow(*row) for row in rows]

    async def replace(
        self, group_id: uuid.UUID, year_id: uuid.UUID, rows: Sequence[curriculum.CurriculumRow]
    ) -> None:
        """Replace a group's rows for a year (one DELETE, one multi-row INSERT); the group row is locked
        first, so one writer at a time."""
        g = orm.groups.c
        await self._session.execute(select(g.id).where(g.id == group_id).with_for_update())
        await self._session.execute(
            delete(orm.curriculum_items).where(_c.group_id == group_id, _c.year_id == year_id)
        )
        if rows:
            await self._session.execute(
                insert(orm.curriculum_items),
                [
                    {
                        "group_id": group_id,
                        "year_id": year_id,
                        "discipline_id": r.discipline_id,
                        "semester": r.semester,
                        "total_hours": r.total_hours,
                        "weekly_hours": r.weekly_hours,
                        "control_form": r.control_form,
                    }
                    for r in rows
                ],
            )
