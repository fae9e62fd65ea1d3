"""Disciplines: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import model


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
