"""Hot reads on the driver itself: asyncpg's records on the unit of work's connection, without
SQLAlchemy's statement building and per-row result processing (the journal page is benchmarked against
its bare SQL — bench/README.md). For statements read on every page view, never for writes.

SQLAlchemy opens its transaction (BEGIN) with its own first statement, so a read here before any other
runs as a statement of its own: under READ COMMITTED each statement reads its own snapshot either way,
and a read after a write or a lock runs inside that transaction, on the same connection. The driver's
connection is looked up once per transaction (`chassis.db.driver_connection`)."""

from __future__ import annotations

from typing import Any

from chassis.db import driver_connection
from sqlalchemy.ext.asyncio import AsyncSession


async def fetch(session: AsyncSession, sql: str, *args: object) -> list[Any]:
    """Run `sql` (asyncpg's $1… parameters) on the session's connection; return its records."""
    driver = await driver_connection(session)
    return list(await driver.fetch(sql, *args))
