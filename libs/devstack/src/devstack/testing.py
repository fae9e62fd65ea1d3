"""Helpers for service tests on the real stack: the realm's roles and a database of one's own."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from devstack.realm import PRODUCTION_REALM
from devstack.stack import find_repo_root

KEYCLOAK_ROLES = frozenset({"default-roles-ejournal", "offline_access", "uma_authorization"})


def realm_roles() -> tuple[str, ...]:
    """Return the ejournal roles of the Keycloak realm as code (deploy/keycloak), in file order.

    Keycloak's own roles (the empty default role, `offline_access`, `uma_authorization`) are left out.
    """
    realm_file = find_repo_root() / PRODUCTION_REALM
    realm = json.loads(realm_file.read_text(encoding="utf-8"))
    return tuple(role["name"] for role in realm["roles"]["realm"] if role["name"] not in KEYCLOAK_ROLES)


@asynccontextmanager
async def cloned_database(superuser_dsn: str, template: str, prefix: str) -> AsyncIterator[str]:
    """Create a database from a migrated template; yield its asyncpg SQLAlchemy URL; drop it after."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(superuser_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    base = superuser_dsn.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        conn = await asyncpg.connect(superuser_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def assert_every_rpc_decided_for_every_caller(
    rpcs: set[str],
    refused: list[tuple[str, str, object, str]],
    allowed: list[tuple[str, str]],
    callers: set[str],
) -> None:
    """Check an access matrix: every RPC has a row for every caller, refused or allowed, never both."""
    assert {rpc for rpc, *_ in refused} == {rpc for rpc, _ in allowed} == rpcs
    for rpc in rpcs:
        no = {caller for r, caller, *_ in refused if r == rpc}
        yes = {caller for r, caller in allowed if r == rpc}
        assert no | yes == callers and not no & yes, rpc
