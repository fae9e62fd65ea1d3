"""Async SQLAlchemy engine and session factory, built in the composition root."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create the service's engine.

    No `pool_pre_ping`: with asyncpg it is BEGIN, a ping and ROLLBACK — three round trips before
    every transaction. A connection PostgreSQL dropped (a restart) fails the one statement that
    meets it; SQLAlchemy sees the disconnect and invalidates the whole pool, so that request is
    answered 503 (an outage, nothing written) and the next ones get fresh connections.
    """
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)


_DRIVER = "chassis.driver_connection"


async def driver_connection(session: AsyncSession) -> Any:
    """Return the asyncpg connection under the session's current transaction (begun if none is), for
    statements run on the driver itself (the outbox's events, a service's hot reads).

    Looked up once per session transaction and kept in the session's `info` with that transaction:
    the lookup (SQLAlchemy's connection, then its raw one) cost 40 µs of CPU, as much as a small
    statement. A commit or rollback ends the transaction, so the next call looks the connection up
    again (the pool may hand out another)."""
    sync = session.sync_session
    held = sync.info.get(_DRIVER)
    if held is not None and held[0] is sync.get_transaction():
        return held[1]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    sync.info[_DRIVER] = (sync.get_transaction(), driver)
    return driver


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory; objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def database_answers(engine: AsyncEngine) -> bool:
    """Return True when the database answers a trivial query."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


class ImperativeMapping:
    """Map a service's domain classes onto its tables once per process (`start_mappers`)."""

    def __init__(self, metadata: MetaData, map_classes: Callable[[registry], None]) -> None:
        self.registry = registry(metadata=metadata)
        self._map_classes = map_classes
        self._mapped = False

    def start(self) -> None:
        """Map the classes unless this process already has."""
        if not self._mapped:
            self._map_classes(self.registry)
            self._mapped = True


async def insert_new(
    session: AsyncSession, table: Table, values: dict[str, Any], *, unique: list[str] | None = None
) -> bool:
    """Insert a row unless one with the same key exists; return True when it was inserted now.

    `unique` names the columns of the constraint that decides (the primary key when None).
    """
    key = [table.c[name] for name in unique] if unique else list(table.primary_key.columns)
    result = await session.execute(
        insert(table).values(**values).on_conflict_do_nothing(index_elements=key).returning(key[0])
    )
    return result.first() is not None
