"""Period locks (R1.5): closed periods of a group × discipline and their history. Repositories never
commit.

Writes and closes meet on one transaction-scoped advisory lock per group × discipline: a write holds it
shared while it checks the locks and writes (writes never wait for each other), a close or a reopen
holds it exclusively — so a write either commits before the close or sees the lock and is refused."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.adapters.repositories import driver
from journal_service.domain import period_locks, year

_l = orm.period_locks.c


def lock_key(group_id: uuid.UUID, discipline_id: uuid.UUID) -> int:
    """The advisory lock key of a group × discipline's periods."""
    digest = hashlib.sha256(f"period:{group_id}:{discipline_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_of_row(row: Row[tuple[object, ...]]) -> period_locks.PeriodLock:
    """Map a row holding the period_locks columns onto a lock."""
    return lock_of(row._mapping)


def lock_of(m: Mapping[Any, Any]) -> period_locks.PeriodLock:
    """Map the period_locks columns by name (a row's mapping, a driver's record) onto a lock."""
    return period_locks.PeriodLock(
        id=m["id"],
        group_id=m["group_id"],
        discipline_id=m["discipline_id"],
        year_id=m["year_id"],
        semester=m["semester"],
        span=year.DateSpan(m["starts_on"], m["ends_on"]),
        closed_at=m["closed_at"],
        closed_by=m["closed_by"],
        cause=period_locks.CloseCause(m["cause"]),
        reopened_until=m["reopened_until"],
        reopen_request_id=m["reopen_request_id"],
    )


class PeriodLockRepository:
    """Closed periods, their history and the advisory lock writes and closes meet on."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hold(self, group_id: uuid.UUID, discipline_id: uuid.UUID, *, exclusive: bool) -> None:
        """Hold the group × discipline's locks still until the transaction ends (shared for a write,
        exclusive for a close or a reopen)."""
        statement = _HOLD_EXCLUSIVE if exclusive else _HOLD_SHARED
        await self._session.execute(statement, {"k": lock_key(group_id, discipline_id)})

    async def overlapping(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[period_locks.PeriodLock]:
        """Return the group × discipline's locks overlapping the span, by first day and semester. Read
        on every journal page: on the driver."""
        rows = await driver.fetch(
            self._session, OVERLAPPING, group_id, discipline_id, span.starts_on, span.ends_on
        )
        return [lock_of(r) for r in rows]

    async def get(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> period_locks.PeriodLock | None:
        """Return the lock of that period, or None."""
        row = (
            await self._session.execute(
                select(orm.period_locks).where(
                    _l.group_id == group_id,
                    _l.discipline_id == discipline_id,
                    _l.year_id == year_id,
                    _l.semester == semester,
                )
            )
        ).first()
        return None if row is None else lock_of_row(row)

    async def of_group(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID | None
    ) -> list[period_locks.PeriodLock]:
        """Return a group's locks (of one discipline, or all), by first day, semester and discipline."""
        query = select(orm.period_locks).where(_l.group_id == group_id)
        if discipline_id is not None:
            query = query.where(_l.discipline_id == discipline_id)
        rows = await self._session.execute(query.order_by(_l.starts_on, _l.semester, _l.discipline_id))
        return [lock_of_row(r) for r in rows]

    async def save(
        self, lock: period_locks.PeriodLock, history: period_locks.LockHistory, *, new: bool
    ) -> None:
        """Stage the lock (a new one, or its changed state) and keep the close or reopen in its history."""
        values = {
            "closed_at": lock.closed_at,
            "closed_by": lock.closed_by,
            "cause": lock.cause.value,
            "reopened_until": lock.reopened_until,
            "reopen_request_id": lock.reopen_request_id,
        }
        if new:
            await self._session.execute(
                insert(orm.period_locks).values(
                    id=lock.id,
                    group_id=lock.group_id,
                    discipline_id=lock.discipline_id,
                    year_id=lock.year_id,
                    semester=lock.semester,
                    starts_on=lock.span.starts_on,
                    ends_on=lock.span.ends_on,
                    **values,
                )
            )
        else:
            await self._session.execute(update(orm.period_locks).where(_l.id == lock.id).values(values))
        await self._session.execute(
            insert(orm.period_lock_history).values(
                id=history.id,
                lock_id=history.lock_id,
                action=history.action,
                at=history.at,
                by=history.by,
                cause=None if history.cause is None else history.cause.value,
                reopened_until=history.reopened_until,
                request_id=history.request_id,
            )
        )

    async def history(self, lock_id: uuid.UUID) -> list[period_locks.LockHistory]:
        """Return every close and reopen of a lock, oldest first."""
        h = orm.period_lock_history.c
        rows = await self._session.execute(
            select(orm.period_lock_history).where(h.lock_id == lock_id).order_by(h.at, h.action)
        )
        return [
            period_locks.LockHistory(
                r.id,
                r.lock_id,
                r.action,
                r.at,
                r.by,
                None if r.cause is None else period_locks.CloseCause(r.cause),
                r.reopened_until,
                r.request_id,
            )
            for r in rows
        ]

    async def ended_reopens(self, now: datetime, limit: int) -> list[period_locks.PeriodLock]:
        """Return up to `limit` locks whose reopen window has ended (`reopened_until <= now`), the
        earliest window end first. No index: a college closes a few thousand periods a year, the sweep
        runs every half minute outside any request, and a swept lock has no `reopened_until` left."""
        rows = await self._session.execute(
            select(orm.period_locks)
            .where(_l.reopened_until.is_not(None), _l.reopened_until <= now)
            .order_by(_l.reopened_until, _l.id)
            .limit(limit)
        )
        return [lock_of_row(r) for r in rows]

    async def lesson_days(self, lesson_ids: Collection[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
        """Return each lesson's group, discipline and date (for the lock check of several lessons)."""
        lesson = orm.lessons.c
        rows = await self._session.execute(
            select(lesson.group_id, lesson.discipline_id, lesson.lesson_date).where(
                lesson.id.in_(list(lesson_ids))
            )
        )
        return [(r[0], r[1], r[2]) for r in rows]


# Built once: every write of a mark or an absence holds the lock and reads the overlapping locks.
_HOLD_SHARED = text("SELECT pg_advisory_xact_lock_shared(:k)")
_HOLD_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:k)")
# The group × discipline's locks overlapping [$3, $4], by first day and semester (the journal page's).
OVERLAPPING = """
SELECT id, group_id, discipline_id, year_id, semester, starts_on, ends_on, closed_at, closed_by, cause,
       reopened_until, reopen_request_id
FROM period_locks
WHERE group_id = $1 AND discipline_id = $2 AND starts_on <= $4 AND ends_on >= $3
ORDER BY starts_on, semester
"""
