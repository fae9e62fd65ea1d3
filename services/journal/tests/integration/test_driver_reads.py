"""Hot reads on the driver (adapters/repositories/driver.py, `chassis.db.driver_connection`) keep the
asyncpg connection of the session's transaction, and only of that transaction: after a commit the pool
may give that connection to another session, so a read of the next transaction must not run on it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from chassis.db import make_engine, make_session_factory
from journal_service.adapters.repositories import driver
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

PID = "SELECT pg_backend_pid()"


async def backend(session: AsyncSession) -> int:
    rows = await driver.fetch(session, PID)
    return int(rows[0][0])


async def test_a_read_after_a_commit_does_not_run_on_the_connection_given_back(
    fresh_db: Callable[[str], Awaitable[str]],
) -> None:
    engine = make_engine(await fresh_db("journal"), pool_size=1)  # one kept connection, one overflow
    sessions = make_session_factory(engine)
    try:
        async with sessions() as first:
            own = await backend(first)
            assert await backend(first) == own, "one transaction, one connection"
            await first.commit()  # the connection goes back to the pool…
            async with sessions() as second:
                assert await backend(second) == own  # …and the next session takes it
                assert await backend(first) != own, "the first session's new transaction has its own"
    finally:
        await engine.dispose()


async def test_a_read_after_a_write_sees_it_in_the_same_transaction(
    fresh_db: Callable[[str], Awaitable[str]],
) -> None:
    engine = make_engine(await fresh_db("journal"))
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session:
            await driver.fetch(session, "SELECT 1")  # looked up before SQLAlchemy's BEGIN
            await session.execute(text("CREATE TEMPORARY TABLE seen (x int) ON COMMIT DROP"))
            await session.execute(text("INSERT INTO seen VALUES (7)"))
            assert [r[0] for r in await driver.fetch(session, "SELECT x FROM seen")] == [7]
            await session.rollback()
    finally:
        await engine.dispose()
