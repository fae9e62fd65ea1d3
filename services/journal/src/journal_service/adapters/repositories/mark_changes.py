"""Changing and removing marks, and the changes kept for them (R3.3). Repositories never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import mark_changes, model

_m, _c = orm.marks.c, orm.mark_changes.c


class MarkChangeRepository:
    """Marks as changed and removed, with their history."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_update(self, mark_id: uuid.UUID) -> model.Mark | None:
        """Return a mark not removed, its row locked until commit (one change at a time), or None."""
        row = (
            await self._session.execute(
                select(
                    _m.id,
                    _m.student_id,
                    _m.group_id,
                    _m.discipline_id,
                    _m.teacher_id,
                    _m.lesson_date,
                    _m.value,
                    _m.recorded_at,
                    _m.lesson_id,
                    _m.kind_of_work,
                    _m.weight,
                )
                .where(_m.id == mark_id, _m.removed_at.is_(None))
                .with_for_update()
            )
        ).first()
        return None if row is None else model.Mark(*row)

    async def change(self, mark: model.Mark, change: mark_changes.MarkChange) -> None:
        """Stage the mark's new value, kind and weight and keep the change."""
        await self._session.execute(
            update(orm.marks)
            .where(_m.id == mark.id)
            .values(value=mark.value, kind_of_work=mark.kind_of_work, weight=mark.weight)
        )
        await self._keep(change)

    async def remove(self, mark: model.Mark, change: mark_changes.MarkChange) -> None:
        """Stage the mark's removal (the row stays, removed_at/removed_by set) and keep the change."""
        await self._session.execute(
            update(orm.marks)
            .where(_m.id == mark.id)
            .values(removed_at=func.now(), removed_by=change.changed_by)
        )
        await self._keep(change)

    async def _keep(self, change: mark_changes.MarkChange) -> None:
        await self._session.execute(
            insert(orm.mark_changes).values(
                id=change.id,
                mark_id=change.mark_id,
                action=change.action.value,
                changed_by=change.changed_by,
                old_value=change.old_value,
                old_kind_of_work=change.old_kind_of_work.value,
                old_weight=change.old_weight,
                new_value=change.new_value,
                new_kind_of_work=None if change.new_kind_of_work is None else change.new_kind_of_work.value,
                new_weight=change.new_weight,
                reason=change.reason,
            )
        )

    async def history(self, mark_id: uuid.UUID) -> list[mark_changes.MarkChange]:
        """Return the mark's changes, oldest first."""
        rows = await self._session.execute(
            select(orm.mark_changes).where(_c.mark_id == mark_id).order_by(_c.changed_at, _c.id)
        )
        return [
            mark_changes.MarkChange(
                id=r.id,
                mark_id=r.mark_id,
                action=mark_changes.MarkChangeAction(r.action),
                changed_by=r.changed_by,
                old_value=r.old_value,
                old_kind_of_work=model.KindOfWork(r.old_kind_of_work),
                old_weight=r.old_weight,
                new_value=r.new_value,
                new_kind_of_work=None if r.new_kind_of_work is None else model.KindOfWork(r.new_kind_of_work),
                new_weight=r.new_weight,
                reason=r.reason,
                changed_at=r.changed_at,
            )
            for r in rows
        ]
