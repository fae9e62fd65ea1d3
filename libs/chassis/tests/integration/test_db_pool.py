"""The engine's pool against real PostgreSQL: connections the server dropped cost one failed use."""

from __future__ import annotations

import asyncpg
import pytest
from chassis.db import make_engine
from chassis.grpc_errors import is_outage
from sqlalchemy import text

from .conftest import Scratch

pytestmark = pytest.mark.integration


async def test_after_the_server_drops_every_connection_one_use_fails_as_an_outage_then_all_work(
    scratch: Scratch, stack_infra
) -> None:  # type: ignore[no-untyped-def]
    url = scratch.engine.url.render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=3)
    try:
        # Fill the pool with three connections, all idle afterwards.
        conns = [await engine.connect() for _ in range(3)]
        pids = [(await c.execute(text("SELECT pg_backend_pid()"))).scalar_one() for c in conns]
        for c in conns:
            await c.close()
        admin = await asyncpg.connect(stack_infra.superuser_dsn)
        try:
            for pid in pids:
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()

        with pytest.raises(Exception) as failed:
            async with engine.connect() as c:
                await c.execute(text("SELECT 1"))
        assert is_outage(failed.value), "answered UNAVAILABLE/503, not 500"
        # The disconnect invalidated the pool: the other two dropped connections are not reused.
        for _ in range(4):
            async with engine.connect() as c:
                assert (await c.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
