"""Repositories: every query of the reports database lives here. They never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports_service.adapters import orm
from reports_service.domain import model


def _row(fact: model.MarkFact) -> dict[str, object]:
    return {
        "mark_id": fact.mark_id,
        "group_id": fact.group_id,
        "discipline_id": fact.discipline_id,
        "student_id": fact.student_id,
        "value": fact.value,
        "lesson_date": fact.lesson_date,
        "recorded_at": fact.recorded_at,
        "event_id": fact.event_id,
    }


_ADD_FACTS = (
    insert(orm.mark_facts)
    .on_conflict_do_nothing(index_elements=["mark_id"])
    .returning(orm.mark_facts.c.mark_id)
)


class MarkFactRepository:
    """The projection of recorded marks."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, facts: Sequence[model.MarkFact]) -> int:
        """Stage a batch's mark facts in one INSERT (the rows as executemany parameters: one statement
        built once, not one per mark); return how many were new."""
        if not facts:
            return 0
        result = await self._session.execute(_ADD_FACTS, [_row(f) for f in facts])
        return len(result.all())

    async def change(self, fact: model.MarkFact) -> None:
        """Stage a changed mark's value (added when the projection lacks it; a removed one stays so)."""
        statement = insert(orm.mark_facts).values(_row(fact))
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[orm.mark_facts.c.mark_id],
                set_={"value": statement.excluded.value},
                where=orm.mark_facts.c.removed.is_(False),
            )
        )

    async def remove(self, fact: model.MarkFact) -> None:
        """Stage a mark's removal (kept as removed, even when the projection lacked it)."""
        statement = insert(orm.mark_facts).values({**_row(fact), "removed": True})
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[orm.mark_facts.c.mark_id], set_={"removed": True})
        )

    async def tallies_of_group(self, group_id: uuid.UUID) -> list[model.ValueTally]:
        """Return per-value counts of a group's marks with the newest recording time of each."""
        c = orm.mark_facts.c
        rows = await self._session.execute(
            select(c.value, func.count(), func.max(c.recorded_at))
            .where(c.group_id == group_id, c.removed.is_(False))
            .group_by(c.value)
        )
        return [model.ValueTally(value, int(count), last) for value, count, last in rows]
