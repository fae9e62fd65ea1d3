"""`ejournal-identity-admin` as an operator runs it: real PostgreSQL, NATS and Keycloak."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from chassis.streams import connect_nats
from ejournal.identity.v1 import events_pb2
from identity_service.adapters.keycloak import close_keycloak_admin, make_keycloak_admin
from keycloak import KeycloakAdmin
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from .support import CLI_CLIENT, IDENTITY_CLIENT, REALM

pytestmark = pytest.mark.integration
CLI = Path(sys.executable).parent / "ejournal-identity-admin"
PASSWORD = "Demo-Passw0rd-2026"


class AdminCli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.person_ids: list[str] = []

    async def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        result = await asyncio.to_thread(
            subprocess.run, [str(CLI), *argv], env=self.env, capture_output=True, text=True, timeout=120
        )
        return result

    async def ok(self, *argv: str) -> dict[str, Any]:
        result = await self.run(*argv)
        assert result.returncode == 0, result.stderr
        [line] = result.stdout.splitlines()
        data: dict[str, Any] = json.loads(line)
        if "person_id" in data:
            self.person_ids.append(data["person_id"])
        return data


@pytest.fixture
async def keycloak(stack_keycloak: Any) -> AsyncIterator[KeycloakAdmin]:
    admin = make_keycloak_admin(
        server_url=stack_keycloak.keycloak_url,
        realm=REALM,
        client_id=IDENTITY_CLIENT,
        client_secret=stack_keycloak.client_secret(IDENTITY_CLIENT),
    )
    yield admin
    await close_keycloak_admin(admin)


@pytest.fixture
async def admin_cli(
    fresh_db: Callable[[str], Awaitable[str]], stack_keycloak: Any, keycloak: KeycloakAdmin
) -> AsyncIterator[AdminCli]:
    env = {
        **os.environ,
        **stack_keycloak.env_for("identity"),
        "IDENTITY_DATABASE_URL": await fresh_db("identity"),
    }
    cli = AdminCli(env)
    yield cli
    for person_id in set(cli.person_ids):
        with contextlib.suppress(Exception):
            await keycloak.a_delete_user(person_id)


def demo(role: str, last_name: str, first_name: str, username: str, *extra: str) -> tuple[str, ...]:
    return (
        "create-person", "--role", role, "--last-name", last_name, "--first-name", first_name,
        "--username", username, "--password", PASSWORD, *extra,
    )  # fmt: skip


async def test_create_person_is_idempotent_and_gives_a_usable_login(
    admin_cli: AdminCli, stack_keycloak: Any
) -> None:
    first = await admin_cli.ok(*demo("admin", "Администратор", "Демо", "it.demo.admin"))
    again = await admin_cli.ok(*demo("admin", "Администратор", "Демо", "it.demo.admin"))

    assert first["created"] is True and again["created"] is False
    assert (again["person_id"], again["username"], again["role"]) == (
        first["person_id"],
        "it.demo.admin",
        "admin",
    )
    assert "temporary_password" not in first

    # A permanent password and no pending actions: the account logs in straight away.
    async with httpx.AsyncClient(timeout=10) as client:
        reply = await client.post(
            f"{stack_keycloak.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": CLI_CLIENT,
                "username": "it.demo.admin",
                "password": PASSWORD,
            },
        )
    assert reply.status_code == 200, reply.text
    claims = jwt.decode(reply.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == first["person_id"]
    assert "admin" in claims["realm_access"]["roles"]

    # The CLI swept the outbox itself: the event is on the IDENTITY stream, nothing is left behind.
    engine = create_async_engine(admin_cli.env["IDENTITY_DATABASE_URL"])
    async with engine.connect() as conn:
        pending = await conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
        subjects = (await conn.execute(text("SELECT subject FROM outbox ORDER BY subject"))).scalars().all()
    await engine.dispose()
    assert pending == 0
    assert subjects == ["audit.identity.recorded.v1", "identity.person.created.v1"]
    nc, js = await connect_nats(stack_keycloak.nats_url, name="identity-test")
    try:
        message = await js.get_last_msg("IDENTITY", "identity.person.created.v1")
    finally:
        await nc.close()
    assert events_pb2.PersonCreated.FromString(message.data or b"").person_id == first["person_id"]


async def test_link_guardian_and_a_generated_temporary_password(
    admin_cli: AdminCli, keycloak: KeycloakAdmin
) -> None:
    parent = await admin_cli.ok(*demo("parent", "Родителева", "Мария", "it.demo.parent"))
    student = await admin_cli.ok(
        "create-person", "--role", "student", "--last-name", "Учеников", "--first-name", "Пётр",
        "--middle-name", "Иванович", "--email", "it.student@college.test",
    )  # fmt: skip
    assert student["username"].startswith("uchenikov.pi")
    assert len(student["temporary_password"]) >= 12
    user = await keycloak.a_get_user(student["person_id"])
    # R1.3: a student's generated password is theirs to keep (students cannot change credentials).
    assert "UPDATE_PASSWORD" not in user.get("requiredActions", [])

    argv = ("link-guardian", "--parent-id", parent["person_id"], "--student-id", student["person_id"])
    assert (await admin_cli.ok(*argv))["created"] is True
    assert (await admin_cli.ok(*argv))["created"] is False

    wrong = await admin_cli.run(
        "link-guardian", "--parent-id", student["person_id"], "--student-id", parent["person_id"]
    )
    assert wrong.returncode == 1
    assert json.loads(wrong.stderr.strip().splitlines()[-1])["error"] == "person_not_parent"


async def test_a_password_keycloak_refuses_leaves_no_account(
    admin_cli: AdminCli, keycloak: KeycloakAdmin
) -> None:
    result = await admin_cli.run(
        "create-person", "--role", "teacher", "--last-name", "Слабый", "--first-name", "Пароль",
        "--username", "it.weak.password", "--password", "short",
    )  # fmt: skip
    assert result.returncode == 1
    assert json.loads(result.stderr.strip().splitlines()[-1])["error"] == "password_rejected"
    assert await keycloak.a_get_user_id("it.weak.password") is None


async def test_bad_input_exits_with_a_json_error(admin_cli: AdminCli) -> None:
    result = await admin_cli.run(
        "create-person", "--role", "teacher", "--last-name", "Иванов7", "--first-name", "Пётр"
    )
    assert result.returncode == 1 and result.stdout == ""
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error["error"] == "invalid_last_name" and error["message"]
