"""Messaging against real PostgreSQL and NATS: marks on JetStream become parent notifications."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from chassis.consumer import Envelope, EventConsumer, Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.outbox import INBOX
from chassis.timestamps import now_timestamp
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import MarkRecorded
from messaging_service.adapters import orm
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.consumers import MARK_NOTIFICATIONS, mark_notifications
from messaging_service.application.handlers import MessagingHandlers
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
STUDENT, MOTHER, FATHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@dataclass
class Messaging:
    stream: Any
    sessions: async_sessionmaker[AsyncSession]
    guardians: Any
    eventually: Callable[..., Awaitable[Any]]
    handlers: MessagingHandlers
    subject: str
    durable: str

    def subscription(self) -> Subscription[MarkRecorded]:
        return replace(
            mark_notifications(self.handlers),
            durable=self.durable,
            subjects=(self.subject,),
            stream_name=self.stream.name,
        )

    def consumer(self) -> EventConsumer:
        return self.subscription().consumer(self.stream.js, service="messaging")

    async def publish(self, data: bytes, msg_id: str) -> None:
        await self.stream.js.publish(self.subject, data, headers={"Nats-Msg-Id": msg_id})

    async def notifications(self) -> list[tuple[uuid.UUID, str, str]]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(
                    orm.notifications.c.recipient_id,
                    orm.notifications.c.source_event_id,
                    orm.notifications.c.mark_value,
                )
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]

    async def inbox_rows(self) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(INBOX)) or 0)


@pytest.fixture
async def messaging(
    fresh_db: Callable[[str], Awaitable[str]],
    private_stream: Any,
    guardians: Any,
    eventually: Callable[..., Awaitable[Any]],
) -> AsyncIterator[Messaging]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("messaging"), pool_size=2)
    sessions = make_session_factory(engine)
    guardians.links[STUDENT] = [MOTHER, FATHER]
    handlers = MessagingHandlers(
        uow=lambda: MessagingUnitOfWork(sessions, service="messaging"), guardians=guardians
    )
    yield Messaging(
        private_stream,
        sessions,
        guardians,
        eventually,
        handlers,
        subject=private_stream.subject(subject_of(MarkRecorded)),
        durable=private_stream.durable(MARK_NOTIFICATIONS),
    )
    await engine.dispose()


@pytest.fixture
async def running(messaging: Messaging) -> AsyncIterator[Messaging]:
    task = asyncio.create_task(messaging.consumer().run())
    yield messaging
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def mark_recorded(value: str = "5") -> MarkRecorded:
    return MarkRecorded(
        event_id=str(uuid.uuid4()),
        occurred_at=now_timestamp(),
        mark_id=str(uuid.uuid4()),
        student_id=str(STUDENT),
        group_id=str(uuid.uuid4()),
        discipline_id=str(uuid.uuid4()),
        teacher_id=str(uuid.uuid4()),
        lesson_date=LocalDate(year=2026, month=10, day=14),
        value=value,
    )


async def test_a_published_mark_notifies_every_guardian(running: Messaging) -> None:
    event = mark_recorded("4")
    await running.publish(event.SerializeToString(), event.event_id)

    rows = await running.eventually(lambda: _at_least(running.notifications, 2))
    assert sorted(rows) == sorted([(MOTHER, event.event_id, "4"), (FATHER, event.event_id, "4")])


async def test_an_event_delivered_twice_is_applied_once(messaging: Messaging) -> None:
    consumer = messaging.consumer()
    await consumer.ensure()
    sub = await messaging.stream.js.pull_subscribe_bind(messaging.durable, messaging.stream.name)
    event = mark_recorded()
    await messaging.publish(event.SerializeToString(), event.event_id)

    # First delivery: the effect commits, then the process "dies" before the ack (nak stands in).
    [first] = await sub.fetch(1, timeout=5)
    handler = messaging.subscription().envelope_handler()
    await handler(Envelope(event.event_id, first.subject, first.data, first.metadata.num_delivered))
    await first.nak()

    [again] = await sub.fetch(1, timeout=5)
    assert again.metadata.num_delivered == 2
    await consumer.process(again)

    # A republish under a new message id (outside JetStream's deduplication) is the same event too.
    await messaging.publish(event.SerializeToString(), f"republished-{event.event_id}")
    [republished] = await sub.fetch(1, timeout=5)
    await consumer.process(republished)

    assert len(await messaging.notifications()) == 2
    assert await messaging.inbox_rows() == 1
    info = await messaging.stream.js.consumer_info(messaging.stream.name, messaging.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()


async def test_garbage_is_dead_lettered_and_terminated(running: Messaging) -> None:
    terminated = await running.stream.terminations(running.durable)
    dlq_before = await running.stream.dlq_last_seq()
    msg_id = str(uuid.uuid4())
    await running.publish(b"\xff\xfe not a protobuf", msg_id)

    advisory = await asyncio.wait_for(terminated.get(), timeout=15)
    assert advisory["stream"] == running.stream.name and advisory["consumer"] == running.durable
    [dead] = [
        d
        for d in await running.stream.dead_letters("messaging", dlq_before)
        if d["headers"].get("Ejournal-Original-Event-Id") == msg_id
    ]
    assert dead["data"] == b"\xff\xfe not a protobuf"
    assert dead["headers"]["Ejournal-Consumer"] == running.durable
    assert await running.notifications() == []


async def test_identity_unavailable_is_retried_until_it_answers(running: Messaging) -> None:
    running.guardians.down = True
    event = mark_recorded()
    await running.publish(event.SerializeToString(), event.event_id)

    await running.eventually(lambda: _true(running.guardians.calls >= 1))
    assert await running.notifications() == []
    running.guardians.down = False

    await running.eventually(lambda: _at_least(running.notifications, 2))
    assert running.guardians.calls >= 2


async def _at_least(
    rows: Callable[[], Awaitable[list[tuple[uuid.UUID, str, str]]]], count: int
) -> list[tuple[uuid.UUID, str, str]]:
    found = await rows()
    return found if len(found) >= count else []


async def _true(value: bool) -> bool:
    return value
