"""Messaging against real PostgreSQL and NATS: marks on JetStream become parent notifications.

The parents come from messaging's projection of guardianships: fed by link events, and fetched from
identity (a fake here) once per student the projection never fetched.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from chassis.consumer import Envelope, EventConsumer, Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery, subject_of
from chassis.outbox import INBOX
from chassis.timestamps import now_timestamp
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1.events_pb2 import GuardianLinked
from ejournal.journal.v1.events_pb2 import MarkRecorded
from messaging_service.adapters import orm
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.consumers import (
    GUARDIANSHIPS,
    MARK_NOTIFICATIONS,
    guardianships,
    mark_notifications,
    notify_guardians_command,
)
from messaging_service.application.guardianships import ProjectGuardianLinked
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

    def link_subscription(self) -> Subscription[GuardianLinked]:
        return replace(
            guardianships(self.handlers),
            durable=self.stream.durable(GUARDIANSHIPS),
            subjects=(self.stream.subject(subject_of(GuardianLinked)),),
            stream_name=self.stream.name,
        )

    def link_consumer(self) -> EventConsumer:
        return self.link_subscription().consumer(self.stream.js, service="messaging")

    async def publish(self, data: bytes, msg_id: str) -> None:
        await self.stream.js.publish(self.subject, data, headers={"Nats-Msg-Id": msg_id})

    async def publish_link(self, event: GuardianLinked, msg_id: str | None = None) -> None:
        await self.stream.js.publish(
            self.stream.subject(subject_of(GuardianLinked)),
            event.SerializeToString(),
            headers={"Nats-Msg-Id": msg_id or event.event_id},
        )

    async def links(self) -> set[tuple[uuid.UUID, uuid.UUID]]:
        async with self.sessions() as s:
            rows = await s.execute(select(orm.guardianships.c.student_id, orm.guardianships.c.parent_id))
            return {(r[0], r[1]) for r in rows}

    async def fetched_students(self) -> set[uuid.UUID]:
        async with self.sessions() as s:
            return set(await s.scalars(select(orm.guardianship_students.c.student_id)))

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


def guardian_linked(parent_id: uuid.UUID, student_id: uuid.UUID = STUDENT) -> GuardianLinked:
    return GuardianLinked(
        event_id=str(uuid.uuid4()),
        occurred_at=now_timestamp(),
        parent_id=str(parent_id),
        student_id=str(student_id),
    )


async def test_a_published_link_is_projected_once_however_often_it_comes(messaging: Messaging) -> None:
    consumer = messaging.link_consumer()
    await consumer.ensure()
    durable = messaging.stream.durable(GUARDIANSHIPS)
    sub = await messaging.stream.js.pull_subscribe_bind(durable, messaging.stream.name)
    aunt = uuid.uuid4()
    event = guardian_linked(aunt)
    await messaging.publish_link(event)

    # Applied and committed, then the process "dies" before the ack: the redelivery changes nothing.
    [first] = await sub.fetch(1, timeout=5)
    handler = messaging.link_subscription().envelope_handler()
    await handler(Envelope(event.event_id, first.subject, first.data, first.metadata.num_delivered))
    await first.nak()
    [again] = await sub.fetch(1, timeout=5)
    assert again.metadata.num_delivered == 2
    await consumer.process(again)
    await messaging.publish_link(event, msg_id=f"republished-{event.event_id}")
    [republished] = await sub.fetch(1, timeout=5)
    await consumer.process(republished)

    assert await messaging.links() == {(STUDENT, aunt)}
    assert await messaging.fetched_students() == set()
    assert await messaging.inbox_rows() == 1
    info = await messaging.stream.js.consumer_info(messaging.stream.name, durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()


async def test_the_first_mark_fetches_the_student_and_later_marks_read_the_projection(
    running: Messaging,
) -> None:
    first = mark_recorded("4")
    await running.publish(first.SerializeToString(), first.event_id)
    await running.eventually(lambda: _at_least(running.notifications, 2))
    assert await running.links() == {(STUDENT, MOTHER), (STUDENT, FATHER)}
    assert await running.fetched_students() == {STUDENT}
    assert running.guardians.calls == 1

    # Identity is down now: the projection answers, and a link event reaches the next mark.
    running.guardians.down = True
    links = asyncio.create_task(running.link_consumer().run())
    try:
        aunt = uuid.uuid4()
        await running.publish_link(guardian_linked(aunt))
        await running.eventually(lambda: _has_link(running, aunt))
    finally:
        links.cancel()
        await asyncio.gather(links, return_exceptions=True)
    second = mark_recorded("3")
    await running.publish(second.SerializeToString(), second.event_id)

    rows = await running.eventually(lambda: _at_least(running.notifications, 5))
    assert sorted(r for r in rows if r[1] == second.event_id) == sorted(
        [(MOTHER, second.event_id, "3"), (FATHER, second.event_id, "3"), (aunt, second.event_id, "3")]
    )
    assert running.guardians.calls == 1


async def test_a_link_event_applied_during_the_fetch_is_kept(messaging: Messaging) -> None:
    # Identity answered before the aunt was linked; her link event commits before the fetch is
    # stored. The fetch adds to the projection, never replaces it: the first mark tells all three.
    aunt = uuid.uuid4()
    link = ProjectGuardianLinked(parent_id=aunt, student_id=STUDENT)
    links = messaging.link_subscription()
    linked = Delivery(str(uuid.uuid4()), links.durable, links.filter_subjects()[0])
    messaging.guardians.during_call = lambda: messaging.handlers.guardianships.project_guardian_linked(
        link, linked
    )
    event = mark_recorded()
    await messaging.handlers.notify_guardians_of_mark(
        notify_guardians_command(event), Delivery(event.event_id, messaging.durable, messaging.subject)
    )

    assert {r[0] for r in await messaging.notifications()} == {MOTHER, FATHER, aunt}
    assert await messaging.links() == {(STUDENT, MOTHER), (STUDENT, FATHER), (STUDENT, aunt)}


async def _at_least(
    rows: Callable[[], Awaitable[list[tuple[uuid.UUID, str, str]]]], count: int
) -> list[tuple[uuid.UUID, str, str]]:
    found = await rows()
    return found if len(found) >= count else []


async def _true(value: bool) -> bool:
    return value


async def _has_link(messaging: Messaging, parent_id: uuid.UUID) -> bool:
    return (STUDENT, parent_id) in await messaging.links()


async def test_a_fetched_batch_notifies_each_mark_once_and_asks_identity_only_for_the_unknown(
    messaging: Messaging,
) -> None:
    consumer = messaging.consumer()
    await consumer.ensure()
    sub = await messaging.stream.js.pull_subscribe_bind(messaging.durable, messaging.stream.name)

    async def batch_of(events: list[tuple[MarkRecorded, str]]) -> None:
        for event, msg_id in events:
            await messaging.publish(event.SerializeToString(), msg_id)
        msgs: list[Any] = []
        while len(msgs) < len(events):
            msgs += await sub.fetch(len(events) - len(msgs), timeout=5)
        await consumer.process_batch(msgs)

    # The student was never fetched: the batch goes one by one (a few at a time, so identity may be
    # asked by each of them once).
    first = [mark_recorded(str(n)) for n in (5, 4, 3)]
    await batch_of([(e, e.event_id) for e in first])
    asked = messaging.guardians.calls
    assert 1 <= asked <= len(first)
    # Now every student is in the projection: the batch is stored at once; a republished event of
    # the first batch (under a new message id) in the middle of it notifies nobody again.
    second = [mark_recorded("2") for _ in range(4)]
    await batch_of(
        [(second[0], second[0].event_id), (first[1], f"republished-{first[1].event_id}")]
        + [(e, e.event_id) for e in second[1:]]
    )

    rows = await messaging.notifications()
    assert sorted(rows) == sorted(
        (parent, e.event_id, e.value) for e in first + second for parent in (MOTHER, FATHER)
    )
    assert messaging.guardians.calls == asked, "the batch of projected students asked nobody"
    assert await messaging.inbox_rows() == 7
    await messaging.stream.nc.flush()
    info = await messaging.stream.js.consumer_info(messaging.stream.name, messaging.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await sub.unsubscribe()
