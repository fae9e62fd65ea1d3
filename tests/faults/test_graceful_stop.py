"""SIGTERM while a request is in flight: every deployable finishes the request, then exits normally.

Each deployable runs as deployed (its console script in the venv, the settings the dev stack gives
it, a fresh database, real PostgreSQL and NATS). Tokens are signed by a local issuer whose JWKS a
small HTTP server in the test serves, so no Keycloak is needed. To hold a request in flight without
touching production code, the test locks the service's tables from its own connection: the
request's first query waits on the lock. The test sends SIGTERM, waits until the process says it is
stopping, releases the lock and checks that the answer arrives intact and the process exits cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from chassis.grpc_client import call_metadata
from chassis.streams import connect_nats
from chassis.testing import LocalIssuer, eventually
from ejournal.archive.v1 import archive_service_pb2, archive_service_pb2_grpc
from ejournal.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from ejournal.journal.v1 import journal_service_pb2, journal_service_pb2_grpc
from ejournal.messaging.v1 import messaging_service_pb2, messaging_service_pb2_grpc
from ejournal.reports.v1 import reports_service_pb2, reports_service_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent
REALM_PATH = "/realms/ejournal"
JWKS_PATH = f"{REALM_PATH}/protocol/openid-connect/certs"
# Tables the request under test must not wait on: the relay sweeps the outbox, consumers the inbox.
UNLOCKED = ("alembic_version", "outbox", "inbox")
WITHIN = 60.0
"""Bound of every wait: only keeps a broken stop from hanging the suite, never a speed check."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def until(what: str, predicate: Callable[[], Awaitable[Any]]) -> Any:
    """Poll until the predicate holds; fail naming what did not happen."""
    try:
        return await eventually(predicate, within=WITHIN)
    except AssertionError as exc:
        if str(exc).startswith("condition not met"):
            raise AssertionError(f"{what}: not within {WITHIN} s") from None
        raise


# -- a token issuer the deployables reach over real HTTP ------------------------------------------


@pytest.fixture
async def oidc() -> AsyncIterator[LocalIssuer]:
    """A local issuer whose JWKS is served at the issuer's Keycloak-style certs URL."""
    port = free_port()
    issuer = LocalIssuer(issuer=f"http://127.0.0.1:{port}{REALM_PATH}")
    body = json.dumps(issuer.jwks()).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n", 1)[0].decode()
            found = request_line.split(" ")[1] == JWKS_PATH
            status = "200 OK" if found else "404 Not Found"
            payload = body if found else b"{}"
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            )
            writer.write(head.encode() + b"Connection: close\r\n\r\n" + payload)
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port)
    try:
        yield issuer
    finally:
        server.close()
        await server.wait_closed()


# -- one deployable as a process ------------------------------------------------------------------


class Program:
    """A deployable's console script, started with its environment; its JSON log goes to a file."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("wb") as out:
            # A file, not a pipe: a full pipe would block the program's logging.
            self.process = await asyncio.create_subprocess_exec(
                str(BIN / f"ejournal-{self.name}"), env=self.env, stdout=out, stderr=out
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def messages(self) -> list[str]:
        """Return the `msg` of every JSON line the program logged so far."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                found.append(str(json.loads(line).get("msg", "")))
        return found

    async def logged(self, message: str) -> None:
        """Wait until the program logs a line with exactly this message."""

        async def seen() -> bool:
            assert self.alive() or message in self.messages(), f"{self.name} exited:\n{self.tail()}"
            return message in self.messages()

        await until(f"{self.name} logs {message!r}", seen)

    async def sigterm(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    async def exit_code(self) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), WITHIN)

    async def kill(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            await self.process.wait()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture
async def programs(tmp_path: Path) -> AsyncIterator[Callable[[str, dict[str, str]], Program]]:
    """Return a factory of programs; whatever still runs at the end of the test is killed."""
    started: list[Program] = []

    def make(name: str, env: dict[str, str]) -> Program:
        program = Program(name, env, tmp_path / f"{name}.log")
        started.append(program)
        return program

    yield make
    for program in started:
        await program.kill()


async def wait_serving(program: Program, address: str) -> None:
    """Wait until the service's gRPC health says SERVING."""
    async with grpc.aio.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)

        async def serving() -> bool:
            assert program.alive(), f"{program.name} exited during start-up:\n{program.tail()}"
            with contextlib.suppress(grpc.aio.AioRpcError):
                reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
            return False

        await until(f"{program.name} is SERVING", serving)


@dataclass
class Service:
    """A started service: its process, gRPC address and database."""

    program: Program
    address: str
    database_url: str


@pytest.fixture
def start_service(
    stack_infra: Any,
    fresh_db: Callable[[str], Awaitable[str]],
    oidc: LocalIssuer,
    programs: Callable[[str, dict[str, str]], Program],
) -> Callable[[str], Awaitable[Service]]:
    """Return a starter: a service on a fresh database and a free port, trusting the local issuer."""

    async def start(name: str) -> Service:
        prefix = name.upper()
        port = free_port()
        database_url = await fresh_db(name)
        env = {
            **os.environ,
            **stack_infra.env_for(name),
            f"{prefix}_DATABASE_URL": database_url,
            f"{prefix}_GRPC_PORT": str(port),
            f"{prefix}_OIDC_ISSUER": oidc.issuer,
        }
        program = programs(name, env)
        await program.start()
        address = f"127.0.0.1:{port}"
        await wait_serving(program, address)
        await consumers_drained(stack_infra.nats_url, name)
        return Service(program, address, database_url)

    return start


async def consumers_drained(nats_url: str, service: str) -> None:
    """Wait until the service's durable consumers (`<svc>-…`) hold no event, so none waits on our lock.

    Other tests' events may still be queued for a durable the service shares with them.
    """
    nc, js = await connect_nats(nats_url, name="graceful-stop-tests")
    try:
        busy: list[Any] = []

        async def idle() -> bool:
            busy.clear()
            for stream in await js.streams_info():
                for consumer in await js.consumers_info(stream.config.name):
                    name = consumer.name or ""
                    if name.startswith(f"{service}-") and (consumer.num_pending or consumer.num_ack_pending):
                        busy.append(consumer)
            return not busy

        try:
            await until(f"{service}'s consumers are idle", idle)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; still busy: {busy}") from None
    finally:
        await nc.close()


# -- holding a request in flight -------------------------------------------------------------------


class TableLock:
    """Every table of a service's database locked by one open transaction of the test."""

    def __init__(self, conn: asyncpg.Connection, transaction: Any) -> None:
        self._conn = conn
        self._transaction = transaction

    async def waiters(self) -> int:
        """Return how many backends wait on this transaction's locks."""
        return int(
            await self._conn.fetchval(
                # pg_locks, not pg_stat_activity: the latter is a snapshot taken once per transaction.
                "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND $1 = ANY(pg_blocking_pids(pid))",
                self._conn.get_server_pid(),
            )
        )

    async def release(self) -> None:
        await self._transaction.rollback()


@contextlib.asynccontextmanager
async def tables_locked(database_url: str) -> AsyncIterator[TableLock]:
    """Lock the service's tables (except outbox, inbox and Alembic's) against every other session."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        transaction = conn.transaction()
        await transaction.start()
        tables = [
            row["tablename"]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT tablename = ANY($1)",
                list(UNLOCKED),
            )
        ]
        assert tables, "the service has tables to lock"
        await conn.execute(f"LOCK TABLE {', '.join(f'public.{t}' for t in tables)} IN ACCESS EXCLUSIVE MODE")
        yield TableLock(conn, transaction)
    finally:
        await conn.close()  # ends the transaction too, should the test fail before releasing


async def in_flight(lock: TableLock, call: asyncio.Task[Any]) -> None:
    """Wait until the request is inside the service, its query waiting on the test's lock."""

    async def waiting() -> bool:
        assert not call.done(), f"the request finished while the tables were locked: {call}"
        return await lock.waiters() > 0

    await until("the request waits on the test's lock", waiting)


# -- what each service is asked while it stops -----------------------------------------------------

Call = Callable[[grpc.aio.Channel, LocalIssuer], Awaitable[None]]


def md(issuer: LocalIssuer, subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
    return call_metadata(issuer.token(subject, roles))


async def list_children(channel: grpc.aio.Channel, issuer: LocalIssuer) -> None:
    parent = str(uuid.uuid4())
    reply = await identity_service_pb2_grpc.IdentityServiceStub(channel).ListChildren(
        identity_service_pb2.ListChildrenRequest(parent_id=parent), metadata=md(issuer, parent, "parent")
    )
    assert list(reply.children) == []


async def create_group(channel: grpc.aio.Channel, issuer: LocalIssuer) -> None:
    name = f"ГС-{uuid.uuid4().hex[:6]}"
    reply = await journal_service_pb2_grpc.JournalServiceStub(channel).CreateGroup(
        journal_service_pb2.CreateGroupRequest(name=name), metadata=md(issuer, str(uuid.uuid4()), "admin")
    )
    assert reply.group.name == name and uuid.UUID(reply.group.group_id)


async def list_notifications(channel: grpc.aio.Channel, issuer: LocalIssuer) -> None:
    reply = await messaging_service_pb2_grpc.MessagingServiceStub(channel).ListNotifications(
        messaging_service_pb2.ListNotificationsRequest(), metadata=md(issuer, str(uuid.uuid4()), "parent")
    )
    assert list(reply.notifications) == []


async def group_mark_summary(channel: grpc.aio.Channel, issuer: LocalIssuer) -> None:
    group = str(uuid.uuid4())
    reply = await reports_service_pb2_grpc.ReportsServiceStub(channel).GetGroupMarkSummary(
        reports_service_pb2.GetGroupMarkSummaryRequest(group_id=group),
        metadata=md(issuer, str(uuid.uuid4()), "curator"),  # the administration reads summaries
    )
    assert (reply.group_id, reply.marks_count) == (group, 0)


async def list_audit_records(channel: grpc.aio.Channel, issuer: LocalIssuer) -> None:
    reply = await archive_service_pb2_grpc.ArchiveServiceStub(channel).ListAuditRecords(
        archive_service_pb2.ListAuditRecordsRequest(), metadata=md(issuer, str(uuid.uuid4()), "admin")
    )
    assert list(reply.records) == []


CALLS: dict[str, Call] = {
    "identity": list_children,
    "journal": create_group,
    "messaging": list_notifications,
    "reports": group_mark_summary,
    "archive": list_audit_records,
}


@pytest.mark.parametrize("name", list(CALLS))
async def test_sigterm_lets_the_request_in_flight_finish_then_the_service_exits_0(
    name: str, start_service: Callable[[str], Awaitable[Service]], oidc: LocalIssuer
) -> None:
    service = await start_service(name)
    async with (
        tables_locked(service.database_url) as lock,
        grpc.aio.insecure_channel(service.address) as channel,
    ):
        call = asyncio.create_task(CALLS[name](channel, oidc))
        await in_flight(lock, call)
        await service.program.sigterm()
        await service.program.logged("stopping")
        assert not call.done(), "the stop did not cut the request short"
        await lock.release()
        await asyncio.wait_for(call, WITHIN)  # the answer, checked by the call itself
    code = await service.program.exit_code()
    assert code == 0, service.program.tail()
    assert service.program.messages()[-1] == "stopped", service.program.tail()


async def test_sigterm_lets_the_gateway_finish_a_request_waiting_on_a_service(
    stack_infra: Any,
    start_service: Callable[[str], Awaitable[Service]],
    programs: Callable[[str, dict[str, str]], Program],
    oidc: LocalIssuer,
) -> None:
    journal = await start_service("journal")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gateway = programs(
        "gateway",
        {
            **os.environ,
            **stack_infra.env_for("gateway"),
            "GATEWAY_HTTP_PORT": str(port),
            "GATEWAY_PUBLIC_URL": base,
            "GATEWAY_OIDC_ISSUER": oidc.issuer,
            "GATEWAY_JOURNAL_ADDR": journal.address,
        },
    )
    await gateway.start()
    token = oidc.token(str(uuid.uuid4()), ("admin",))
    name = f"ГС-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=base, timeout=WITHIN) as http:

        async def listening() -> bool:
            assert gateway.alive(), f"the gateway exited during start-up:\n{gateway.tail()}"
            with contextlib.suppress(httpx.TransportError):
                return (await http.get("/healthz")).status_code in (200, 503)
            return False

        await until("the gateway listens", listening)
        async with tables_locked(journal.database_url) as lock:
            call = asyncio.create_task(
                http.post("/api/v1/groups", json={"name": name}, headers={"Authorization": f"Bearer {token}"})
            )
            await in_flight(lock, call)
            await gateway.sigterm()
            await gateway.logged("Shutting down")
            assert not call.done(), "the stop did not cut the request short"
            await lock.release()
            response = await asyncio.wait_for(call, WITHIN)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name
    # uvicorn re-raises the signal once it has shut down gracefully: killed by SIGTERM is its clean exit.
    assert await gateway.exit_code() == -signal.SIGTERM, gateway.tail()
    assert "gateway stopped" in gateway.messages(), gateway.tail()
    await journal.program.sigterm()
    assert await journal.program.exit_code() == 0, journal.program.tail()
