"""`ejournal-identity` as deployed: bootstrap an admin with the CLI, log in through Keycloak, call the service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from chassis.grpc_client import call_metadata
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from identity_service.adapters.keycloak import close_keycloak_admin, make_keycloak_admin
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from .support import CLI_CLIENT, IDENTITY_CLIENT, REALM

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent
PASSWORD = "Boot-Passw0rd-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def created_ids(stack_keycloak: Any) -> AsyncIterator[list[str]]:
    """Keycloak users a test made; deleted afterwards to keep the shared realm clean."""
    ids: list[str] = []
    yield ids
    admin = make_keycloak_admin(
        server_url=stack_keycloak.keycloak_url,
        realm=REALM,
        client_id=IDENTITY_CLIENT,
        client_secret=stack_keycloak.client_secret(IDENTITY_CLIENT),
    )
    for person_id in ids:
        with contextlib.suppress(Exception):
            await admin.a_delete_user(person_id)
    await close_keycloak_admin(admin)


@pytest.fixture
async def service_env(fresh_db: Callable[[str], Awaitable[str]], stack_keycloak: Any) -> dict[str, str]:
    """The environment the stack gives identity, with a fresh database and a free gRPC port."""
    return {
        **os.environ,
        **stack_keycloak.env_for("identity"),
        "IDENTITY_DATABASE_URL": await fresh_db("identity"),
        "IDENTITY_GRPC_PORT": str(free_port()),
        "IDENTITY_OUTBOX_POLL_SECONDS": "0.2",
    }


async def wait_serving(address: str, process: asyncio.subprocess.Process, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with grpc.aio.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            assert process.returncode is None, "the service exited during start-up"
            with contextlib.suppress(grpc.aio.AioRpcError):
                reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            assert time.monotonic() < deadline, "the service did not become SERVING"
            await asyncio.sleep(0.2)


async def test_bootstrap_login_create_publish_and_stop(
    service_env: dict[str, str], stack_keycloak: Any, created_ids: list[str], tmp_path: Path
) -> None:
    boot = await asyncio.to_thread(
        subprocess.run,
        [str(BIN / "ejournal-identity-admin"), "create-person", "--role", "admin", "--last-name", "Первый",
         "--first-name", "Администратор", "--username", "it.boot.admin", "--password", PASSWORD],
        env=service_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert boot.returncode == 0, boot.stderr
    admin = json.loads(boot.stdout)
    created_ids.append(admin["person_id"])

    async with httpx.AsyncClient(timeout=10) as client:
        login = await client.post(
            f"{stack_keycloak.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": CLI_CLIENT,
                "username": "it.boot.admin",
                "password": PASSWORD,
            },
        )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]

    address = f"127.0.0.1:{service_env['IDENTITY_GRPC_PORT']}"
    log_path = tmp_path / "identity.log"
    with log_path.open("wb") as log_file:
        # A file, not a pipe: a full pipe would block the service's logging.
        process = await asyncio.create_subprocess_exec(
            str(BIN / "ejournal-identity"), env=service_env, stderr=log_file
        )
    try:
        await wait_serving(address, process)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = pb_grpc.IdentityServiceStub(channel)
            created = await stub.CreatePerson(
                pb.CreatePersonRequest(role=ipb.ROLE_CURATOR, last_name="Кураторова", first_name="Нина"),
                metadata=call_metadata(token),
                timeout=30,
            )
            created_ids.append(created.person.person_id)
            me = await stub.GetPerson(
                pb.GetPersonRequest(person_id=admin["person_id"]), metadata=call_metadata(token), timeout=10
            )
        assert created.person.username.startswith("kuratorova.n") and created.temporary_password
        assert me.person.username == "it.boot.admin"

        # The relay of the running service publishes what the request staged.
        engine = create_async_engine(service_env["IDENTITY_DATABASE_URL"])
        try:
            deadline = time.monotonic() + 15
            while True:
                async with engine.connect() as conn:
                    pending = await conn.scalar(
                        text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                    )
                if pending == 0:
                    break
                assert time.monotonic() < deadline, f"{pending} outbox rows still unpublished"
                await asyncio.sleep(0.2)
        finally:
            await engine.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            raise
    logs = log_path.read_text()
    assert code == 0, logs
    assert '"stopped"' in logs
