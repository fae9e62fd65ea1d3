"""Fixtures shared by every test folder: the real stack (from devstack) and fresh databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from chassis.testing import LocalIssuer

import gateway  # noqa: F401 - import the real package before pytest names gateway/tests "gateway.tests"

pytest_plugins = ["devstack.fixtures"]

ROOT = Path(__file__).resolve().parent
SERVICES = ("identity", "journal", "messaging", "reports", "archive")


def _async_url(dsn: str, database: str) -> str:
    base, _, _ = dsn.rpartition("/")
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"


@pytest.fixture(scope="session")
def database_templates(stack_infra) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Migrate one template database per service, once per run; return service → template name."""
    dsn: str = stack_infra.superuser_dsn
    templates: dict[str, str] = {}

    async def create(name: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    for service in SERVICES:
        ini = ROOT / "services" / service / "alembic.ini"
        if not ini.exists():
            continue
        name = f"tmpl_{service}"
        asyncio.run(create(name))
        env = {**os.environ, f"{service.upper()}_DATABASE_URL": _async_url(dsn, name)}
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
            check=True,
            env=env,
            cwd=ROOT,
        )
        templates[service] = name
    return templates


@pytest.fixture
async def fresh_db(
    stack_infra,
    database_templates: dict[str, str],  # type: ignore[no-untyped-def]
) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """Return a factory: service name → URL of a brand-new database migrated to head."""
    dsn: str = stack_infra.superuser_dsn
    created: list[str] = []

    async def make(service: str) -> str:
        name = f"t_{service}_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{database_templates[service]}"')
        finally:
            await conn.close()
        created.append(name)
        return _async_url(dsn, name)

    yield make
    conn = await asyncpg.connect(dsn)
    try:
        for name in created:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def issuer() -> LocalIssuer:
    """A local token issuer for service-level tests."""
    return LocalIssuer()
