"""Repositories: every query of the archive database lives here. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive_service.adapters import orm
from archive_service.domain import chain, model

# Key of the transaction-scoped advisory lock that serializes appends to the chain.
CHAIN_LOCK_KEY = 7_273_469_146_921_001


def _record(row: Row[Any]) -> model.AuditRecord:
    return model.AuditRecord(
        sequence=row.sequence,
        event_id=row.event_id,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        actor_roles=list(row.actor_roles),
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        subject_person_id=row.subject_person_id,
        service=row.service,
        correlation_id=row.correlation_id,
        prev_hash=row.prev_hash,
        chain_hash=row.chain_hash,
    )


# Built once: a statement made afresh per record cost its construction and cache key every time.
_LOGGED = select(orm.audit_log.c.event_id).where(
    orm.audit_log.c.event_id.in_(bindparam("event_ids", expanding=True))
)
# Every record of a batch in one statement. SQLAlchemy (insertmanyvalues) sends INSERT … SELECT …
# ORDER BY the records' order and returns the rows by sequence, as PostgreSQL numbers them in that
# order; `append` checks the event ids came back in the records' order all the same.
_APPEND = orm.audit_log.insert().returning(
    orm.audit_log.c.sequence, orm.audit_log.c.event_id, sort_by_parameter_order=True
)


class ChainOrderBroken(RuntimeError):
    """The database numbered a batch's records out of their chain order; nothing of it is kept (the
    transaction rolls back and the consumer appends the records one by one)."""


class AuditLogRepository:
    """The append-only, hash-chained audit log."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_chain(self) -> None:
        """Take the chain's lock until the end of the transaction."""
        await self._session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))

    async def already_logged(self, event_ids: Sequence[str]) -> set[str]:
        """Return those of the events whose records the log already holds (one query per batch)."""
        rows = await self._session.execute(_LOGGED, {"event_ids": list(event_ids)})
        return {row[0] for row in rows}

    async def last_hash(self) -> str:
        """Return the chain hash of the newest record, or the genesis hash of an empty log."""
        found = await self._session.scalar(
            select(orm.audit_log.c.chain_hash).order_by(orm.audit_log.c.sequence.desc()).limit(1)
        )
        return found or chain.GENESIS_HASH

    async def append(self, records: Sequence[model.AuditRecord]) -> None:
        """Insert the linked records in their order, in one statement, and set their sequences."""
        if not records:
            return
        result = await self._session.execute(
            _APPEND,
            [
                {
                    "event_id": r.event_id,
                    "occurred_at": r.occurred_at,
                    "actor_id": r.actor_id,
                    "actor_roles": r.actor_roles,
                    "action": r.action,
                    "resource_type": r.resource_type,
                    "resource_id": r.resource_id,
                    "subject_person_id": r.subject_person_id,
                    "service": r.service,
                    "correlation_id": r.correlation_id,
                    "chain_hash": r.chain_hash,
                    "prev_hash": r.prev_hash,
                }
                for r in records
            ],
        )
        numbered = result.all()
        if [event_id for _, event_id in numbered] != [r.event_id for r in records]:
            raise ChainOrderBroken(f"{len(records)} records numbered out of order")
        for record, (sequence, _) in zip(records, numbered, strict=True):
            record.sequence = sequence

    async def newest(
        self,
        *,
        resource_type: str,
        resource_id: str,
        subject_person_id: str,
        before_sequence: int,
        limit: int,
    ) -> list[model.AuditRecord]:
        """Return records matching every non-empty filter, newest first."""
        c = orm.audit_log.c
        query = select(orm.audit_log).order_by(c.sequence.desc()).limit(limit)
        if resource_type:
            query = query.where(c.resource_type == resource_type)
        if resource_id:
            query = query.where(c.resource_id == resource_id)
        if subject_person_id:
            query = query.where(c.subject_person_id == subject_person_id)
        if before_sequence:
            query = query.where(c.sequence < before_sequence)
        return [_record(row) for row in await self._session.execute(query)]

    async def oldest_after(self, sequence: int, *, limit: int) -> list[model.AuditRecord]:
        """Return up to `limit` records after a sequence, oldest first (0 starts at the beginning)."""
        c = orm.audit_log.c
        rows = await self._session.execute(
            select(orm.audit_log).where(c.sequence > sequence).order_by(c.sequence).limit(limit)
        )
        return [_record(row) for row in rows]
