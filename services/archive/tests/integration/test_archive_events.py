"""The archive against real PostgreSQL and NATS: audit events become one unbroken, append-only chain."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from archive_service.adapters import orm
from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.api.consumers import AUDIT_LOG, audit_log
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from archive_service.domain import chain
from chassis.consumer import Envelope, EventConsumer, Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.outbox import INBOX
from chassis.testing import LocalIssuer
from chassis.uow import audit_subject
from ejournal.audit.v1.events_pb2 import AuditRecorded
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
OCCURRED = datetime(2026, 10, 14, 9, 0, 0, 654321, tzinfo=UTC)
ADMIN = LocalIssuer().principal(roles=("admin",))


@dataclass
class Archive:
    stream: Any
    eventually: Callable[..., Awaitable[Any]]
    url: str
    sessions: async_sessionmaker[AsyncSession]
    handlers: ArchiveHandlers
    subject: str
    durable: str

    def subscription(self) -> Subscription[AuditRecorded]:
        subscription = audit_log(self.handlers)
        return replace(
            subscription,
            durable=self.durable,
            subjects=tuple(self.stream.subject(s) for s in subscription.filter_subjects()),
            stream_name=self.stream.name,
        )

    def consumer(self) -> EventConsumer:
        return self.subscription().consumer(self.stream.js, service="archive")

    async def publish(self, data: bytes, msg_id: str) -> None:
        await self.stream.js.publish(self.subject, data, headers={"Nats-Msg-Id": msg_id})

    async def log(self) -> list[Any]:
        async with self.sessions() as s:
            return list(await s.execute(select(orm.audit_log).order_by(orm.audit_log.c.sequence)))

    async def inbox_rows(self) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(INBOX)) or 0)


@pytest.fixture
async def archive(
    fresh_db: Callable[[str], Awaitable[str]], private_stream: Any, eventually: Callable[..., Awaitable[Any]]
) -> AsyncIterator[Archive]:
    url = await fresh_db("archive")
    engine = make_engine(url, pool_size=5)
    sessions = make_session_factory(engine)
    handlers = ArchiveHandlers(uow=lambda: ArchiveUnitOfWork(sessions, service="archive"))
    yield Archive(
        private_stream,
        eventually,
        url,
        sessions,
        handlers,
        subject=private_stream.subject(audit_subject("journal")),
        durable=private_stream.durable(AUDIT_LOG),
    )
    await engine.dispose()


@pytest.fixture
async def running(archive: Archive) -> AsyncIterator[Archive]:
    task = asyncio.create_task(archive.consumer().run())
    yield archive
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def audit_recorded(action: str = "mark.recorded") -> AuditRecorded:
    occurred = Timestamp()
    occurred.FromDatetime(OCCURRED)
    return AuditRecorded(
        event_id=str(uuid.uuid4()),
        occurred_at=occurred,
        actor_id=str(uuid.uuid4()),
        actor_roles=["teacher"],
        action=action,
        resource_type="mark",
        resource_id=str(uuid.uuid4()),
        subject_person_id=str(uuid.uuid4()),
        service="journal",
        correlation_id=str(uuid.uuid4()),
    )


def append_command(n: int) -> commands.AppendAuditRecord:
    return commands.AppendAuditRecord(
        event_id=str(uuid.uuid4()),
        occurred_at=OCCURRED,
        actor_id=str(uuid.uuid4()),
        actor_roles=("admin",),
        action=f"action.{n}",
        resource_type="mark",
        resource_id=str(n),
        subject_person_id="",
        service="journal",
        correlation_id="",
    )


async def test_published_audit_events_are_chained_in_the_log(running: Archive) -> None:
    first, second = audit_recorded(), audit_recorded("diary.read")
    await running.publish(first.SerializeToString(), first.event_id)
    await running.publish(second.SerializeToString(), second.event_id)

    rows = await running.eventually(lambda: _at_least(running.log, 2))
    assert [(r.event_id, r.action) for r in rows] == [
        (first.event_id, "mark.recorded"),
        (second.event_id, "diary.read"),
    ]
    assert rows[0].occurred_at == OCCURRED and rows[0].actor_roles == ["teacher"]
    assert rows[0].prev_hash == chain.GENESIS_HASH and rows[1].prev_hash == rows[0].chain_hash
    verification = await running.handlers.verify_audit_chain(ADMIN)
    assert verification.intact and verification.records_checked == 2


async def test_an_event_delivered_twice_is_appended_once(archive: Archive) -> None:
    consumer = archive.consumer()
    await consumer.ensure()
    sub = await archive.stream.js.pull_subscribe_bind(archive.durable, archive.stream.name)
    event = audit_recorded()
    await archive.publish(event.SerializeToString(), event.event_id)

    # First delivery: the effect commits, then the process "dies" before the ack (nak stands in).
    [first] = await sub.fetch(1, timeout=5)
    handler = archive.subscription().envelope_handler()
    await handler(Envelope(event.event_id, first.subject, first.data, first.metadata.num_delivered))
    await first.nak()

    [again] = await sub.fetch(1, timeout=5)
    assert again.metadata.num_delivered == 2
    await consumer.process(again)

    # A republish under a new message id (outside JetStream's deduplication) is the same event too.
    await archive.publish(event.SerializeToString(), f"republished-{event.event_id}")
    [republished] = await sub.fetch(1, timeout=5)
    await consumer.process(republished)

    assert [r.event_id for r in await archive.log()] == [event.event_id]
    assert await archive.inbox_rows() == 1
    info = await archive.stream.js.consumer_info(archive.stream.name, archive.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()


async def test_garbage_is_dead_lettered_and_terminated(running: Archive) -> None:
    terminated = await running.stream.terminations(running.durable)
    dlq_before = await running.stream.dlq_last_seq()
    msg_id = str(uuid.uuid4())
    await running.publish(b"\xff\xfe not a protobuf", msg_id)

    advisory = await asyncio.wait_for(terminated.get(), timeout=15)
    assert advisory["stream"] == running.stream.name and advisory["consumer"] == running.durable
    [dead] = [
        d
        for d in await running.stream.dead_letters("archive", dlq_before)
        if d["headers"].get("Ejournal-Original-Event-Id") == msg_id
    ]
    assert dead["data"] == b"\xff\xfe not a protobuf"
    assert await running.log() == []


async def test_concurrent_appends_keep_one_chain(archive: Archive) -> None:
    # Two "replicas" (separate engines, separate connections) append at the same time.
    other_engine = make_engine(archive.url, pool_size=5)
    other_sessions = make_session_factory(other_engine)
    replica = ArchiveHandlers(uow=lambda: ArchiveUnitOfWork(other_sessions, service="archive"))
    try:
        cmds = [append_command(n) for n in range(20)]
        await asyncio.gather(
            *(
                (archive.handlers if n % 2 else replica).append_audit_record(
                    cmd, Delivery(cmd.event_id, AUDIT_LOG, audit_subject("journal"))
                )
                for n, cmd in enumerate(cmds)
            )
        )
    finally:
        await other_engine.dispose()

    rows = await archive.log()
    assert len(rows) == 20
    assert len({r.prev_hash for r in rows}) == 20, "no two records hang off the same link"
    verification = await archive.handlers.verify_audit_chain(ADMIN)
    assert verification.intact and verification.records_checked == 20


async def test_the_log_refuses_update_delete_and_truncate(archive: Archive) -> None:
    cmd = append_command(0)
    await archive.handlers.append_audit_record(
        cmd, Delivery(cmd.event_id, AUDIT_LOG, audit_subject("journal"))
    )
    statements = [
        update(orm.audit_log).values(action="forged"),
        delete(orm.audit_log),
        text("TRUNCATE audit_log"),
    ]
    for statement in statements:
        async with archive.sessions() as s:
            with pytest.raises(DBAPIError, match="append-only"):
                await s.execute(statement)
    assert [r.action for r in await archive.log()] == ["action.0"]


async def _at_least(rows: Callable[[], Awaitable[list[Any]]], count: int) -> list[Any]:
    found = await rows()
    return found if len(found) >= count else []


async def test_a_fetched_batch_is_chained_in_stream_order_each_once(archive: Archive) -> None:
    consumer = archive.consumer()
    await consumer.ensure()
    sub = await archive.stream.js.pull_subscribe_bind(archive.durable, archive.stream.name)
    events = [audit_recorded(f"action.{n}") for n in range(15)]
    for event in events[:5]:
        await archive.publish(event.SerializeToString(), event.event_id)
    # The first five arrive alone and are appended; then they come again (a republish under new
    # message ids) in the middle of a batch with ten new ones.
    first = await sub.fetch(5, timeout=5)
    await consumer.process_batch(first)
    for event in events[5:10]:
        await archive.publish(event.SerializeToString(), event.event_id)
    for event in events[:5]:
        await archive.publish(event.SerializeToString(), f"republished-{event.event_id}")
    for event in events[10:]:
        await archive.publish(event.SerializeToString(), event.event_id)
    batch: list[Any] = []
    while len(batch) < 15:
        batch += await sub.fetch(15 - len(batch), timeout=5)
    await consumer.process_batch(batch)

    rows = await archive.log()
    assert [r.event_id for r in rows] == [e.event_id for e in events], "stream order, each once"
    assert [r.sequence for r in rows] == sorted(r.sequence for r in rows)
    verification = await archive.handlers.verify_audit_chain(ADMIN)
    assert verification.intact and verification.records_checked == 15
    assert await archive.inbox_rows() == 15
    await archive.stream.nc.flush()
    info = await archive.stream.js.consumer_info(archive.stream.name, archive.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()
