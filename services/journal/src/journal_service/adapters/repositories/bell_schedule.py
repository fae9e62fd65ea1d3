"""The college's bell schedule: every query of it. Repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import year


class BellScheduleRepository:
    """The college's bell schedule."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def pairs(self) -> list[year.BellPair]:
        """Return the pairs by number."""
        b = orm.bell_pairs.c
        rows = await self._session.execute(
            select(b.number, b.starts_at_minute, b.ends_at_minute).order_by(b.number)
        )
        return [year.BellPair(*row) for row in rows]

    async def replace(self, pairs: Sequence[year.BellPair]) -> None:
        """Replace every pair; the table is locked first, so one writer at a time."""
        await self._session.execute(text("LOCK TABLE bell_pairs IN EXCLUSIVE MODE"))
        await self._session.execute(delete(orm.bell_pairs))
        await self._session.execute(
            insert(orm.bell_pairs),
            [
                {"number": p.number, "starts_at_minute": p.starts_at, "ends_at_minute": p.ends_at}
                for p in pairs
            ],
        )
