"""Academic debts' retakes and the keys of finals they refer to (issue 7 item 3). Repositories never
commit; the finals themselves are read through the finals' repository (slice A)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from chassis.db import insert_new
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import finals, retakes

_f, _r = orm.finals.c, orm.retakes.c


class DebtRepository:
    """Retakes of failing finals."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def final_key(
        self, final_id: uuid.UUID
    ) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, finals.FinalPeriod] | None:
        """Return the final's student, group, discipline and period, or None."""
        row = (
            await self._session.execute(
                select(_f.student_id, _f.group_id, _f.discipline_id, _f.year_id, _f.semester, _f.kind).where(
                    _f.id == final_id
                )
            )
        ).first()
        if row is None:
            return None
        period = finals.FinalPeriod(row.year_id, row.semester, finals.FinalKind(row.kind))
        return row.student_id, row.group_id, row.discipline_id, period

    async def retakes_of(self, final_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[retakes.Retake]]:
        """Return the retakes of these finals by final, first one first."""
        if not final_ids:
            return {}
        rows = await self._session.execute(
            select(
                _r.id,
                _r.final_id,
                _r.attempt,
                _r.retake_date,
                _r.value,
                _r.passed,
                _r.commission_chairman_id,
                _r.commission_member_ids,
                _r.recorded_by,
            )
            .where(_r.final_id.in_(list(final_ids)))
            .order_by(_r.final_id, _r.attempt)
        )
        found: dict[uuid.UUID, list[retakes.Retake]] = {}
        for row in rows:
            commission = (
                retakes.Commission(row.commission_chairman_id, tuple(row.commission_member_ids))
                if row.commission_chairman_id is not None
                else None
            )
            found.setdefault(row.final_id, []).append(
                retakes.Retake(
                    id=row.id,
                    final_id=row.final_id,
                    attempt=row.attempt,
                    retake_date=row.retake_date,
                    value=row.value,
                    passed=row.passed,
                    commission=commission,
                    recorded_by=row.recorded_by,
                )
            )
        return found

    async def add_retake(self, retake: retakes.Retake) -> bool:
        """Stage a retake; False when the final's retake of that number was recorded meanwhile."""
        commission = retake.commission
        return await insert_new(
            self._session,
            orm.retakes,
            {
                "id": retake.id,
                "final_id": retake.final_id,
                "attempt": retake.attempt,
                "retake_date": retake.retake_date,
                "value": retake.value,
                "passed": retake.passed,
                "commission_chairman_id": commission.chairman_id if commission else None,
                "commission_member_ids": list(commission.member_ids) if commission else [],
                "recorded_by": retake.recorded_by,
            },
            unique=["final_id", "attempt"],
        )
