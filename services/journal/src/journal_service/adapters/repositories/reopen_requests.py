"""Reopen requests of closed periods and their decisions. Repositories never commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.adapters.repositories.period_locks import lock_of_row
from journal_service.domain import reopen_requests

_r, _l = orm.reopen_requests.c, orm.period_locks.c
MAX_LISTED = 500


def _request(row: Row[tuple[object, ...]]) -> reopen_requests.ReopenRequest:
    m = row._mapping
    return reopen_requests.ReopenRequest(
        id=m["request_id"],
        lock=lock_of_row(row),
        requested_by=m["requested_by"],
        reason=m["reason"],
        requested_at=m["requested_at"],
        status=reopen_requests.ReopenStatus(m["status"]),
        decided_by=m["decided_by"],
        decided_at=m["decided_at"],
        decision_reason=m["decision_reason"],
        reopened_until=m["request_until"],
    )


def _joined() -> Select[Any]:
    return select(
        orm.period_locks,
        _r.id.label("request_id"),
        _r.requested_by,
        _r.reason,
        _r.requested_at,
        _r.status,
        _r.decided_by,
        _r.decided_at,
        _r.decision_reason,
        _r.reopened_until.label("request_until"),
    ).select_from(orm.reopen_requests.join(orm.period_locks, _l.id == _r.lock_id))


class ReopenRequestRepository:
    """Teachers' reopen requests with the lock each is about."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: reopen_requests.ReopenRequest) -> None:
        """Stage a new (pending) request."""
        await self._session.execute(
            insert(orm.reopen_requests).values(
                id=request.id,
                lock_id=request.lock.id,
                requested_by=request.requested_by,
                reason=request.reason,
                requested_at=request.requested_at,
                status=request.status.value,
            )
        )

    async def pending_for(self, lock_id: uuid.UUID) -> bool:
        """Return True when the lock has a request waiting for a decision."""
        found = await self._session.scalar(
            select(_r.id).where(
                _r.lock_id == lock_id, _r.status == reopen_requests.ReopenStatus.PENDING.value
            )
        )
        return found is not None

    async def get(
        self, request_id: uuid.UUID, *, for_update: bool = False
    ) -> reopen_requests.ReopenRequest | None:
        """Return the request with its lock (the request's row locked when asked), or None."""
        query = _joined().where(_r.id == request_id)
        if for_update:
            query = query.with_for_update(of=orm.reopen_requests)
        row = (await self._session.execute(query)).first()
        return None if row is None else _request(row)

    async def decide(self, request: reopen_requests.ReopenRequest) -> None:
        """Stage the request's decision."""
        await self._session.execute(
            update(orm.reopen_requests)
            .where(_r.id == request.id)
            .values(
                status=request.status.value,
                decided_by=request.decided_by,
                decided_at=request.decided_at,
                decision_reason=request.decision_reason,
                reopened_until=request.reopened_until,
            )
        )

    async def listed(
        self, *, status: reopen_requests.ReopenStatus | None, requested_by: uuid.UUID | None
    ) -> list[reopen_requests.ReopenRequest]:
        """Return requests (of one status, of one teacher, or all), newest first, at most 500."""
        query = _joined()
        if status is not None:
            query = query.where(_r.status == status.value)
        if requested_by is not None:
            query = query.where(_r.requested_by == requested_by)
        rows = await self._session.execute(query.order_by(_r.requested_at.desc(), _r.id).limit(MAX_LISTED))
        return [_request(r) for r in rows]
