"""Alembic env.py helper: run a service's migrations online against its async URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_migrations(target_metadata: MetaData, url_env: str) -> None:
    """Apply migrations using the database URL from the environment variable `url_env`."""
    url = os.environ.get(url_env) or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(f"{url_env} is not set: cannot migrate")

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run())
