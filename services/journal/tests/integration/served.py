"""The journal as its integration tests run it on a fresh database: the handlers wired as the service
wires them (the people a test registers, nobody anybody's parent unless a test says so, a fixed today),
served over real gRPC for the servicer's tests (`Journal.served`), or beside a private NATS stream for
the consumers' tests (`StreamJournal.on_stream`). Each test module subclasses the one it needs with its
own helpers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol, Self

import grpc
import pytest
from chassis import testing
from chassis.consumer import Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.idempotency import KEY_METADATA, IdempotentWrites
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from google.protobuf.message import Message
from journal_service.adapters import orm
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .people import KnownPeople

TODAY = date(2026, 10, 15)


class Guardians:
    """Identity's guardianship answer (proven end to end elsewhere): exactly the pairs registered here,
    none unless a test registers them."""

    def __init__(self) -> None:
        self.pairs: set[tuple[str, str]] = set()

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        return (parent_id, student_id) in self.pairs


@dataclass
class Wiring:
    """The journal's handlers on a database, and the stand-ins for identity they ask."""

    sessions: async_sessionmaker[AsyncSession]
    handlers: JournalHandlers
    people: KnownPeople
    guardians: Guardians


@asynccontextmanager
async def wired_journal(
    database_url: str, *, today: date = TODAY, pool_size: int = 2
) -> AsyncIterator[Wiring]:
    """Wire the journal's handlers on the database; dispose of its engine after."""
    orm.start_mappers()
    engine = make_engine(database_url, pool_size=pool_size)
    try:
        sessions = make_session_factory(engine)
        people, guardians = KnownPeople(), Guardians()
        handlers = JournalHandlers(
            uow=lambda: JournalUnitOfWork(sessions, service="journal"),
            guardians=guardians,
            today=lambda: today,
            people=people,
        )
        yield Wiring(sessions, handlers, people, guardians)
    finally:
        await engine.dispose()


@dataclass
class Journal:
    """The journal served over real gRPC on its own database, as a test calls it."""

    stub: pb_grpc.JournalServiceStub
    sessions: async_sessionmaker[AsyncSession]
    issuer: LocalIssuer
    people: KnownPeople
    admin_id: str = ""
    guardians: Guardians = field(default_factory=Guardians)

    @classmethod
    @asynccontextmanager
    async def served(
        cls,
        database_url: str,
        issuer: LocalIssuer,
        *,
        today: date = TODAY,
        pool_size: int = 2,
        admin_id: str | None = None,
        idempotent: bool = False,
    ) -> AsyncIterator[Self]:
        """Serve the journal on the database (with idempotency keys kept as `kit.idempotent_writes()`
        keeps them, if `idempotent`); the admin is `admin_id`, by default a new person of identity's."""
        async with wired_journal(database_url, today=today, pool_size=pool_size) as wired:
            server = GrpcServer(
                host="127.0.0.1",
                port=0,
                verifier=issuer.verifier(),
                service_names=[],
                health_checks=[],
                idempotency=IdempotentWrites(wired.sessions) if idempotent else None,
            )
            pb_grpc.add_JournalServiceServicer_to_server(JournalServicer(wired.handlers), server.server)
            await server.start()
            channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
            try:
                yield cls(
                    pb_grpc.JournalServiceStub(channel),
                    wired.sessions,
                    issuer,
                    wired.people,
                    wired.people.new("admin") if admin_id is None else admin_id,
                    wired.guardians,
                )
            finally:
                await channel.close()
                await server.stop(0)

    def md(self, subject: str, *roles: str, key: str | None = None) -> tuple[tuple[str, str], ...]:
        """The call metadata of a person with the roles (and an idempotency key, if given)."""
        extra = ((KEY_METADATA, key),) if key else ()
        return (*call_metadata(self.issuer.token(subject, roles)), *extra)

    @property
    def admin(self) -> tuple[tuple[str, str], ...]:
        return self.md(self.admin_id, "admin")

    async def count(self, table: Table) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(table)) or 0)

    async def outbox(self) -> list[tuple[str, bytes]]:
        """The outbox but the audits of refused writes (refusal_audits: a refused write writes them alone)."""
        return [row for row in await self._outbox() if not _refusal_audit(*row)]

    async def refusal_audits(self) -> list[AuditRecorded]:
        """The audit records of writes refused for want of the load (application/refused_writes.py)."""
        return [AuditRecorded.FromString(p) for s, p in await self._outbox() if _refusal_audit(s, p)]

    async def _outbox(self) -> list[tuple[str, bytes]]:
        async with self.sessions() as s:
            rows = await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload).order_by(OUTBOX.c.created_at))
            return [(r.subject, r.payload) for r in rows]

    async def refused(self, call: Awaitable[Any], status: grpc.StatusCode, code: str) -> None:
        """Assert the call is refused with the status and code and writes nothing at all."""
        before = len(await self.outbox())
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert (caught.value.code(), error_code_of(caught.value)) == (status, code)
        assert len(await self.outbox()) == before


def _refusal_audit(subject: str, payload: bytes) -> bool:
    return subject.startswith("audit.") and ".refused:" in AuditRecorded.FromString(payload).action


class Event(Protocol):
    """An event as published: its id and its bytes."""

    @property
    def event_id(self) -> str: ...

    def SerializeToString(self) -> bytes: ...  # noqa: N802 - protobuf's name


@dataclass
class StreamJournal:
    """The journal's handlers on their own database beside a private NATS stream that carries one
    event type on `subject`, read under the durable name `durable`."""

    stream: testing.PrivateStream
    sessions: async_sessionmaker[AsyncSession]
    handlers: JournalHandlers
    identity: KnownPeople
    subject: str
    durable: str

    @classmethod
    @asynccontextmanager
    async def on_stream(
        cls,
        database_url: str,
        nats_url: str,
        *,
        name: str,
        event: type[Message],
        durable: str,
        today: date = TODAY,
    ) -> AsyncIterator[Self]:
        """Wire the journal on the database beside a private stream (its connection named `name`)
        for `event`, read under the consumer's durable name `durable` made private to the stream."""
        async with (
            wired_journal(database_url, today=today) as wired,
            testing.private_stream(nats_url, name=name) as stream,
        ):
            yield cls(
                stream,
                wired.sessions,
                wired.handlers,
                wired.people,
                subject=stream.subject(subject_of(event)),
                durable=stream.durable(durable),
            )

    @asynccontextmanager
    async def consuming(self, subscription: Subscription[Any]) -> AsyncIterator[None]:
        """Run the service's subscription, bound to this stream, subject and durable, until the end."""
        private = replace(
            subscription, durable=self.durable, subjects=(self.subject,), stream_name=self.stream.name
        )
        task = asyncio.create_task(private.consumer(self.stream.js, service="journal").run())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def publish(self, event: Event, msg_id: str | None = None) -> None:
        """Publish the event under its id as the message id (or `msg_id`: a republish JetStream keeps)."""
        headers = {"Nats-Msg-Id": msg_id or event.event_id}
        await self.stream.js.publish(self.subject, event.SerializeToString(), headers=headers)

    async def handled(self, count: int) -> bool:
        """Whether the durable has had the first `count` messages and has none unacknowledged or waiting."""
        info = await self.stream.js.consumer_info(self.stream.name, self.durable)
        return bool(
            info.delivered.stream_seq >= count and info.num_ack_pending == 0 and info.num_pending == 0
        )
