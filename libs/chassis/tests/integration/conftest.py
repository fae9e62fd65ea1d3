"""Real PostgreSQL and NATS for the chassis: a scratch database with the outbox tables, a NATS client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.outbox import create_outbox_tables
from chassis.streams import DLQ_STREAM, StreamSpec, connect_nats, ensure_streams
from nats.aio.client import Client
from nats.js.client import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@dataclass
class Scratch:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    nc: Client
    js: JetStreamContext
    stream: str
    prefix: str


@pytest.fixture
async def scratch(stack_infra) -> AsyncIterator[Scratch]:  # type: ignore[no-untyped-def]
    """A fresh database with outbox, inbox and an `effects` table, and a fresh stream on real NATS."""
    dsn: str = stack_infra.superuser_dsn
    name = f"chassis_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = dsn.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    engine = make_engine(url, pool_size=4)
    async with engine.begin() as c:
        await c.run_sync(create_outbox_tables)
        await c.execute(text("CREATE TABLE effects (event_id text NOT NULL, note text)"))
    nc, js = await connect_nats(stack_infra.nats_url, name="chassis-tests")
    suffix = uuid.uuid4().hex[:10]
    stream, prefix = f"T{suffix.upper()}", f"t{suffix}"
    await ensure_streams(js, [StreamSpec(stream, (f"{prefix}.>",)), DLQ_STREAM])
    yield Scratch(engine, make_session_factory(engine), nc, js, stream, prefix)
    await js.delete_stream(stream)
    await nc.close()
    await engine.dispose()
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()
