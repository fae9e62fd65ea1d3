"""The substitution projection's queries (slice L). Never commits."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports_service.adapters import orm
from reports_service.domain.substitutions import SubstitutionFact


class SubstitutionFactRepository:
    """The projection of substitutions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, fact: SubstitutionFact) -> None:
        """Stage a substitution (nothing when the projection holds it already, cancelled or not)."""
        statement = insert(orm.substitution_facts).values({**asdict(fact), "cancelled": False})
        await self._session.execute(statement.on_conflict_do_nothing(index_elements=["substitution_id"]))

    async def cancel(self, fact: SubstitutionFact) -> None:
        """Stage a substitution's cancellation (kept as cancelled, even when the projection lacked it)."""
        statement = insert(orm.substitution_facts).values({**asdict(fact), "cancelled": True})
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["substitution_id"], set_={"cancelled": True})
        )

    async def of_period(self, date_from: date, date_to: date) -> list[SubstitutionFact]:
        """Return the substitutions not cancelled whose pair falls in the period."""
        c = orm.substitution_facts.c
        rows = await self._session.execute(
            select(orm.substitution_facts).where(
                c.lesson_date >= date_from, c.lesson_date <= date_to, c.cancelled.is_(False)
            )
        )
        return [SubstitutionFact(**row._mapping) for row in rows]
