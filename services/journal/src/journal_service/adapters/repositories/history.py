"""The trail of marks and attendance (R3.3): attendance changes kept and read, a mark read even when
removed. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import history, lessons, model

_a, _m = orm.attendance_changes.c, orm.marks.c


def _state(status: str | None, reason: str | None) -> history.AttendanceState | None:
    if status is None or reason is None:
        return None
    return history.AttendanceState(lessons.AttendanceStatus(status), lessons.AbsenceReason(reason))


def _values(state: history.AttendanceState | None) -> tuple[str | None, str | None]:
    return (None, None) if state is None else (state.status.value, state.reason.value)


class HistoryRepository:
    """Attendance changes and marks as their history shows them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def keep_attendance_changes(self, changes: Sequence[history.AttendanceChange]) -> None:
        """Stage these attendance changes (one multi-row INSERT)."""
        if not changes:
            return
        rows: list[dict[str, Any]] = []
        for c in changes:
            old_status, old_reason = _values(c.old)
            new_status, new_reason = _values(c.new)
            rows.append(
                {
                    "id": c.id,
                    "lesson_id": c.lesson_id,
                    "student_id": c.student_id,
                    "changed_by": c.changed_by,
                    "source": c.source.value,
                    "old_status": old_status,
                    "old_reason": old_reason,
                    "new_status": new_status,
                    "new_reason": new_reason,
                }
            )
        await self._session.execute(insert(orm.attendance_changes), rows)

    async def attendance_changes(
        self, lesson_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[history.AttendanceChange]:
        """Return a student's attendance changes at a lesson, oldest first."""
        rows = await self._session.execute(
            select(orm.attendance_changes)
            .where(_a.lesson_id == lesson_id, _a.student_id == student_id)
            .order_by(_a.changed_at, _a.id)
        )
        return [
            history.AttendanceChange(
                id=r.id,
                lesson_id=r.lesson_id,
                student_id=r.student_id,
                changed_by=r.changed_by,
                source=history.AttendanceChangeSource(r.source),
                old=_state(r.old_status, r.old_reason),
                new=_state(r.new_status, r.new_reason),
                changed_at=r.changed_at,
            )
            for r in rows
        ]

    async def mark(self, mark_id: uuid.UUID) -> tuple[model.Mark, bool] | None:
        """Return a mark, removed or not, and whether it was removed."""
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
                    _m.removed_at,
                ).where(_m.id == mark_id)
            )
        ).first()
        if row is None:
            return None
        return model.Mark(*row[:-1]), row.removed_at is not None
