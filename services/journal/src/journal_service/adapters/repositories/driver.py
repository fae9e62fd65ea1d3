"""Hot reads on the driver itself: asyncpg's records on the unit of work's connection, without
SQLAlchemy's statement building and per-row result processing (the journal page is benchmarked against
its bare SQL — bench/README.md). For statements read on every page view, never for writes.

SQLAlchemy opens its transaction (BEGIN) with its own first statement, so a read here before any other
runs as a statement of its own: under READ COMMITTED each statement reads its own snapshot either way,
and a read after a write or a lock runs inside that transaction, on the same connection.

The driver's connection is looked up once per session transaction and kept in the session's `info`
with that transaction: the lookup (SQLAlchemy's connection, then its raw one) cost 40 µs of CPU per
statement, as much as a small statement itself. A commit or rollback ends the transaction, so the next
read looks the connection up again (the pool may hand out another)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

_HELD = "journal.driver_connection"


async def fetch(session: AsyncSession, sql: str, *args: object) -> list[Any]:
    """Run `sql` (asyncpg's $1… parameters) on the session's connection; return its records."""
    driver = await connection_of(session)
    return list(await driver.fetch(sql, *args))


async def connection_of(session: AsyncSession) -> Any:
    """Return the asyncpg connection of the session's current transaction (begun if none is)."""
    sync = session.sync_session
    held = sync.info.get(_HELD)
    if held is not None and held[0] is sync.get_transaction():
        return held[1]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    sync.info[_HELD] = (sync.get_transaction(), driver)
    return driver
