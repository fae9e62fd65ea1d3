"""Reports against real PostgreSQL and NATS: marks on JetStream feed the projection exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from chassis.consumer import Envelope, EventConsumer, Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.outbox import INBOX
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import MarkRecorded
from google.protobuf.timestamp_pb2 import Timestamp
from reports_service.adapters import orm
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.api.consumers import MARK_FACTS, mark_facts
from reports_service.application.handlers import ReportsHandlers
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
GROUP = uuid.uuid4()
RECORDED_AT = datetime(2026, 10, 14, 10, 30, 15, 123456, tzinfo=UTC)


@dataclass
class Reports:
    stream: Any
    eventually: Callable[..., Awaitable[Any]]
    sessions: async_sessionmaker[AsyncSession]
    handlers: ReportsHandlers
    subject: str
    durable: str

    def subscription(self) -> Subscription[MarkRecorded]:
        return replace(
            mark_facts(self.handlers),
            durable=self.durable,
            subjects=(self.subject,),
            stream_name=self.stream.name,
        )

    def consumer(self) -> EventConsumer:
        return self.subscription().consumer(self.stream.js, service="reports")

    async def publish(self, data: bytes, msg_id: str) -> None:
        await self.stream.js.publish(self.subject, data, headers={"Nats-Msg-Id": msg_id})

    async def facts(self) -> list[tuple[uuid.UUID, uuid.UUID, str, datetime, str]]:
        c = orm.mark_facts.c
        async with self.sessions() as s:
            rows = await s.execute(select(c.mark_id, c.group_id, c.value, c.recorded_at, c.event_id))
            return [tuple(r) for r in rows]  # type: ignore[misc]

    async def inbox_rows(self) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(INBOX)) or 0)


@pytest.fixture
async def reports(
    fresh_db: Callable[[str], Awaitable[str]], private_stream: Any, eventually: Callable[..., Awaitable[Any]]
) -> AsyncIterator[Reports]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("reports"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = ReportsHandlers(uow=lambda: ReportsUnitOfWork(sessions, service="reports"))
    yield Reports(
        private_stream,
        eventually,
        sessions,
        handlers,
        subject=private_stream.subject(subject_of(MarkRecorded)),
        durable=private_stream.durable(MARK_FACTS),
    )
    await engine.dispose()


@pytest.fixture
async def running(reports: Reports) -> AsyncIterator[Reports]:
    task = asyncio.create_task(reports.consumer().run())
    yield reports
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def mark_recorded(value: str = "5") -> MarkRecorded:
    occurred = Timestamp()
    occurred.FromDatetime(RECORDED_AT)
    return MarkRecorded(
        event_id=str(uuid.uuid4()),
        occurred_at=occurred,
        mark_id=str(uuid.uuid4()),
        student_id=str(uuid.uuid4()),
        group_id=str(GROUP),
        discipline_id=str(uuid.uuid4()),
        teacher_id=str(uuid.uuid4()),
        lesson_date=LocalDate(year=2026, month=10, day=14),
        value=value,
    )


async def test_a_published_mark_lands_in_the_projection(running: Reports) -> None:
    event = mark_recorded("4")
    await running.publish(event.SerializeToString(), event.event_id)

    [fact] = await running.eventually(running.facts)
    assert fact == (uuid.UUID(event.mark_id), GROUP, "4", RECORDED_AT, event.event_id)


async def test_an_event_delivered_twice_is_applied_once(reports: Reports) -> None:
    consumer = reports.consumer()
    await consumer.ensure()
    sub = await reports.stream.js.pull_subscribe_bind(reports.durable, reports.stream.name)
    event = mark_recorded()
    await reports.publish(event.SerializeToString(), event.event_id)

    # First delivery: the effect commits, then the process "dies" before the ack (nak stands in).
    [first] = await sub.fetch(1, timeout=5)
    handler = reports.subscription().envelope_handler()
    await handler(Envelope(event.event_id, first.subject, first.data, first.metadata.num_delivered))
    await first.nak()

    [again] = await sub.fetch(1, timeout=5)
    assert again.metadata.num_delivered == 2
    await consumer.process(again)

    # A republish under a new message id (outside JetStream's deduplication) is the same event too.
    await reports.publish(event.SerializeToString(), f"republished-{event.event_id}")
    [republished] = await sub.fetch(1, timeout=5)
    await consumer.process(republished)

    assert len(await reports.facts()) == 1
    assert await reports.inbox_rows() == 1
    info = await reports.stream.js.consumer_info(reports.stream.name, reports.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()


async def test_garbage_is_dead_lettered_and_terminated(running: Reports) -> None:
    terminated = await running.stream.terminations(running.durable)
    dlq_before = await running.stream.dlq_last_seq()
    msg_id = str(uuid.uuid4())
    await running.publish(b"\xff\xfe not a protobuf", msg_id)

    advisory = await asyncio.wait_for(terminated.get(), timeout=15)
    assert advisory["stream"] == running.stream.name and advisory["consumer"] == running.durable
    [dead] = [
        d
        for d in await running.stream.dead_letters("reports", dlq_before)
        if d["headers"].get("Ejournal-Original-Event-Id") == msg_id
    ]
    assert dead["data"] == b"\xff\xfe not a protobuf"
    assert await running.facts() == []


async def test_a_fetched_batch_is_projected_each_mark_once(reports: Reports) -> None:
    consumer = reports.consumer()
    await consumer.ensure()
    sub = await reports.stream.js.pull_subscribe_bind(reports.durable, reports.stream.name)
    events = [mark_recorded(str(2 + n % 4)) for n in range(12)]
    for event in events[:4]:
        await reports.publish(event.SerializeToString(), event.event_id)
    await consumer.process_batch(await sub.fetch(4, timeout=5))
    # The first four again (republished under new message ids) in one batch with eight new ones.
    for event in events[4:8] + events[:4] + events[8:]:
        msg_id = event.event_id if event in events[4:] else f"republished-{event.event_id}"
        await reports.publish(event.SerializeToString(), msg_id)
    batch: list[Any] = []
    while len(batch) < 12:
        batch += await sub.fetch(12 - len(batch), timeout=5)
    await consumer.process_batch(batch)

    facts = await reports.facts()
    assert sorted(str(f[0]) for f in facts) == sorted(e.mark_id for e in events)
    assert await reports.inbox_rows() == 12
    await reports.stream.nc.flush()
    info = await reports.stream.js.consumer_info(reports.stream.name, reports.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()
