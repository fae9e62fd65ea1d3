"""The idempotent consumer against real PostgreSQL and JetStream: redelivery, retries, dead letters."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from chassis.consumer import Envelope, EventConsumer, decode, on_event, on_events
from chassis.events import Delivery, stamp
from chassis.streams import dlq_subject
from chassis.testing import eventually as wait_for
from chassis.uow import UnitOfWork
from ejournal.audit.v1.events_pb2 import AuditRecorded
from nats.js.errors import NotFoundError
from sqlalchemy import func, select, table, text

from .conftest import Scratch

pytestmark = pytest.mark.integration
EFFECTS = table("effects")


async def effects(scratch: Scratch) -> int:
    async with scratch.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(EFFECTS)) or 0)


def consumer(scratch: Scratch, handler, service: str, **kw) -> EventConsumer:  # type: ignore[no-untyped-def]
    return EventConsumer(
        scratch.js,
        service=service,
        stream=scratch.stream,
        durable=f"d{uuid.uuid4().hex[:8]}",
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        nak_delay_seconds=0.05,
        **kw,
    )


async def publish(scratch: Scratch, data: bytes, event_id: str) -> None:
    await scratch.js.publish(f"{scratch.prefix}.audit.v1", data, headers={"Nats-Msg-Id": event_id})


async def test_redelivery_after_commit_applies_the_effect_once(scratch: Scratch) -> None:
    calls = 0

    async def handler(envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        event = decode(AuditRecorded, envelope)
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            if await uow.inbox.claim(envelope.event_id, "effects", envelope.subject):
                await uow.session.execute(
                    text("INSERT INTO effects VALUES (:e, :n)"), {"e": envelope.event_id, "n": event.action}
                )
            await uow.commit()
        if calls == 1:
            raise ConnectionError("crashed after commit, before ack")

    event_id = str(uuid.uuid4())
    await publish(scratch, AuditRecorded(event_id=event_id, action="x").SerializeToString(), event_id)
    task = asyncio.create_task(consumer(scratch, handler, "test").run())
    try:
        await wait_for(lambda: asyncio.sleep(0, calls >= 2))
        assert await effects(scratch) == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def dlq_messages(scratch: Scratch, service: str) -> list:  # type: ignore[type-arg]
    try:
        msg = await scratch.js.get_last_msg("DLQ", dlq_subject(service))
    except NotFoundError:
        return []
    return [msg]


async def test_poison_message_is_dead_lettered_and_termed(scratch: Scratch) -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    seen = 0

    async def handler(envelope: Envelope) -> None:
        nonlocal seen
        seen += 1
        decode(AuditRecorded, envelope)

    await publish(scratch, b"\xff\xff not protobuf", "poison-1")
    c = consumer(scratch, handler, service)
    task = asyncio.create_task(c.run())
    try:
        await wait_for(lambda: dlq_messages(scratch, service))
        [dead] = await dlq_messages(scratch, service)
        assert dead.data == b"\xff\xff not protobuf"
        assert dead.headers["Ejournal-Original-Event-Id"] == "poison-1"
        assert dead.headers["Ejournal-Original-Subject"] == f"{scratch.prefix}.audit.v1"
        await asyncio.sleep(0.5)
        assert seen == 1, "a poison message is never retried"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_failing_event_is_retried_then_dead_lettered(scratch: Scratch) -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    attempts = 0

    async def handler(envelope: Envelope) -> None:
        nonlocal attempts
        attempts += 1
        raise ConnectionError("dependency down")

    await publish(scratch, AuditRecorded(event_id="e").SerializeToString(), "flaky-1")
    task = asyncio.create_task(consumer(scratch, handler, service, max_deliver=3).run())
    try:
        await wait_for(lambda: dlq_messages(scratch, service))
        assert attempts == 3
        [dead] = await dlq_messages(scratch, service)
        assert dead.headers["Ejournal-Deliveries"] == "3"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class FlakyDeadLetters:
    """The real JetStream context, except that the first publish to a dlq subject fails."""

    def __init__(self, js) -> None:  # type: ignore[no-untyped-def]
        self._js = js
        self.failed = 0

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._js, name)

    async def publish(self, subject: str, payload: bytes, **kwargs):  # type: ignore[no-untyped-def]
        if subject.startswith("dlq.") and not self.failed:
            self.failed += 1
            raise ConnectionError("NATS hiccup while dead-lettering")
        return await self._js.publish(subject, payload, **kwargs)


async def test_failed_dead_letter_publish_is_retried_and_the_consumer_survives(scratch: Scratch) -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"

    async def handler(envelope: Envelope) -> None:
        decode(AuditRecorded, envelope)

    await publish(scratch, b"\xff\xfe garbage", "poison-2")
    flaky = FlakyDeadLetters(scratch.js)
    c = EventConsumer(
        flaky,  # type: ignore[arg-type]
        service=service,
        stream=scratch.stream,
        durable=f"d{uuid.uuid4().hex[:8]}",
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        nak_delay_seconds=0.05,
    )
    task = asyncio.create_task(c.run())
    try:
        [dead] = await wait_for(lambda: dlq_messages(scratch, service))
        assert flaky.failed == 1
        assert dead.headers["Ejournal-Original-Event-Id"] == "poison-2"
        assert not task.done(), "the consumer kept running"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def fetch_all(scratch: Scratch, c: EventConsumer, durable: str, count: int) -> list:  # type: ignore[type-arg]
    """Fetch exactly `count` deliveries of the consumer's durable, as run() would in one batch."""
    await c.ensure()
    sub = await scratch.js.pull_subscribe_bind(durable, scratch.stream)
    msgs: list = []  # type: ignore[type-arg]
    while len(msgs) < count:
        msgs += await sub.fetch(count - len(msgs), timeout=5)
    return msgs


async def test_a_batch_is_applied_a_few_at_a_time_each_once_and_acked_after_its_commit(
    scratch: Scratch,
) -> None:
    durable = f"d{uuid.uuid4().hex[:8]}"
    in_flight = most = 0
    committed: set[str] = set()

    async def handler(envelope: Envelope) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            async with UnitOfWork(scratch.sessions, service="test") as uow:
                if await uow.inbox.claim(envelope.event_id, "effects", envelope.subject):
                    await uow.session.execute(
                        text("INSERT INTO effects VALUES (:e, 'batch')"), {"e": envelope.event_id}
                    )
                await uow.commit()
            committed.add(envelope.event_id)
        finally:
            in_flight -= 1

    ids = [str(uuid.uuid4()) for _ in range(30)]
    for event_id in ids:
        await publish(scratch, AuditRecorded(event_id=event_id).SerializeToString(), event_id)
    c = EventConsumer(
        scratch.js,
        service="test",
        stream=scratch.stream,
        durable=durable,
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        concurrency=4,
    )
    msgs = await fetch_all(scratch, c, durable, len(ids))
    await c.process_batch(msgs)
    assert most == 4, "four events of the batch were in their handlers at once, never more"
    assert committed == set(ids)
    assert await effects(scratch) == 30
    # Every delivery was acked (after its commit): nothing pending, nothing awaiting an ack.
    await scratch.nc.flush()
    info = await scratch.js.consumer_info(scratch.stream, durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_concurrency_one_applies_a_batch_in_stream_order(scratch: Scratch) -> None:
    durable = f"d{uuid.uuid4().hex[:8]}"
    order: list[str] = []

    async def handler(envelope: Envelope) -> None:
        await asyncio.sleep(0)
        order.append(envelope.event_id)

    ids = [str(uuid.uuid4()) for _ in range(10)]
    for event_id in ids:
        await publish(scratch, AuditRecorded(event_id=event_id).SerializeToString(), event_id)
    c = EventConsumer(
        scratch.js,
        service="test",
        stream=scratch.stream,
        durable=durable,
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        concurrency=1,
    )
    await c.process_batch(await fetch_all(scratch, c, durable, len(ids)))
    assert order == ids


async def _apply(scratch: Scratch, uow: UnitOfWork, event_id: str, subject: str, note: str) -> None:
    if await uow.inbox.claim(event_id, "effects", subject):
        await uow.session.execute(text("INSERT INTO effects VALUES (:e, :n)"), {"e": event_id, "n": note})


async def _effects_in_order(scratch: Scratch) -> list[tuple[str, str]]:
    async with scratch.sessions() as s:
        rows = await s.execute(text("SELECT event_id, note FROM effects ORDER BY ctid"))
        return [(r[0], r[1]) for r in rows]


async def test_a_batch_handler_applies_a_batch_in_one_transaction_in_stream_order_and_acks_it(
    scratch: Scratch,
) -> None:
    durable = f"d{uuid.uuid4().hex[:8]}"
    batches: list[list[str]] = []
    singles: list[str] = []

    async def handler(envelope: Envelope) -> None:
        singles.append(envelope.event_id)

    async def batch_handler(envelopes) -> None:  # type: ignore[no-untyped-def]
        batches.append([e.event_id for e in envelopes])
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            for e in envelopes:
                await _apply(scratch, uow, e.event_id, e.subject, "batch")
            await uow.commit()

    ids = [str(uuid.uuid4()) for _ in range(12)]
    for event_id in ids:
        await publish(scratch, AuditRecorded(event_id=event_id).SerializeToString(), event_id)
    c = EventConsumer(
        scratch.js,
        service="test",
        stream=scratch.stream,
        durable=durable,
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        batch_handler=batch_handler,
    )
    await c.process_batch(await fetch_all(scratch, c, durable, len(ids)))
    assert batches == [ids], "one call with the whole batch, in stream order"
    assert singles == []
    assert await _effects_in_order(scratch) == [(i, "batch") for i in ids]
    await scratch.nc.flush()
    info = await scratch.js.consumer_info(scratch.stream, durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_batch_that_fails_after_its_commit_goes_one_by_one_and_changes_nothing_more(
    scratch: Scratch,
) -> None:
    durable = f"d{uuid.uuid4().hex[:8]}"
    singles: list[str] = []

    async def handler(envelope: Envelope) -> None:
        singles.append(envelope.event_id)
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            await _apply(scratch, uow, envelope.event_id, envelope.subject, "single")
            await uow.commit()

    async def batch_handler(envelopes) -> None:  # type: ignore[no-untyped-def]
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            for e in envelopes:
                await _apply(scratch, uow, e.event_id, e.subject, "batch")
            await uow.commit()
        raise ConnectionError("crashed after commit, before the acks")

    ids = [str(uuid.uuid4()) for _ in range(6)]
    for event_id in ids:
        await publish(scratch, AuditRecorded(event_id=event_id).SerializeToString(), event_id)
    c = EventConsumer(
        scratch.js,
        service="test",
        stream=scratch.stream,
        durable=durable,
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        batch_handler=batch_handler,
        concurrency=1,
    )
    await c.process_batch(await fetch_all(scratch, c, durable, len(ids)))
    assert singles == ids, "each event went through the one-by-one handler"
    assert await _effects_in_order(scratch) == [(i, "batch") for i in ids], "each applied once"
    await scratch.nc.flush()
    info = await scratch.js.consumer_info(scratch.stream, durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_poison_event_in_a_batch_is_dead_lettered_alone_and_the_rest_applied(
    scratch: Scratch,
) -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    durable = f"d{uuid.uuid4().hex[:8]}"
    batch_calls = 0

    async def apply_one(event: AuditRecorded, delivery: Delivery) -> None:
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            await _apply(scratch, uow, delivery.event_id, delivery.subject, event.action)
            await uow.commit()

    async def apply_many(items) -> None:  # type: ignore[no-untyped-def]
        nonlocal batch_calls
        batch_calls += 1
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            for event, delivery in items:
                await _apply(scratch, uow, delivery.event_id, delivery.subject, event.action)
            await uow.commit()

    good = [str(uuid.uuid4()) for _ in range(4)]

    async def publish_good(n: int) -> None:
        event = AuditRecorded(event_id=good[n], action="abcd"[n])
        stamp(event)
        await publish(scratch, event.SerializeToString(), good[n])

    await publish_good(0)
    await publish_good(1)
    await publish(scratch, b"\xff\xff not protobuf", "poison-3")
    await publish_good(2)
    await publish_good(3)
    c = EventConsumer(
        scratch.js,
        service=service,
        stream=scratch.stream,
        durable=durable,
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=on_event(AuditRecorded, "effects", apply_one),
        batch_handler=on_events(AuditRecorded, "effects", apply_many),
        concurrency=1,
    )
    await c.process_batch(await fetch_all(scratch, c, durable, 5))
    assert batch_calls == 0, "the poison was found before anything of the batch was applied"
    assert await _effects_in_order(scratch) == list(zip(good, "abcd", strict=True))
    [dead] = await wait_for(lambda: dlq_messages(scratch, service))
    assert dead.headers["Ejournal-Original-Event-Id"] == "poison-3"
    await scratch.nc.flush()
    info = await scratch.js.consumer_info(scratch.stream, durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_with_a_linger_what_arrives_just_after_a_fetch_joins_its_batch(scratch: Scratch) -> None:
    batches: list[list[str]] = []
    first_fetched = asyncio.Event()

    async def handler(envelope: Envelope) -> None:
        batches.append([envelope.event_id])

    async def batch_handler(envelopes) -> None:  # type: ignore[no-untyped-def]
        batches.append([e.event_id for e in envelopes])

    class Watched(EventConsumer):
        async def _more(self, sub, room):  # type: ignore[no-untyped-def]
            first_fetched.set()
            return await super()._more(sub, room)

    ids = [str(uuid.uuid4()) for _ in range(5)]
    await publish(scratch, AuditRecorded(event_id=ids[0]).SerializeToString(), ids[0])
    c = Watched(
        scratch.js,
        service="test",
        stream=scratch.stream,
        durable=f"d{uuid.uuid4().hex[:8]}",
        filter_subjects=[f"{scratch.prefix}.>"],
        handler=handler,
        batch_handler=batch_handler,
        linger_seconds=1.0,
    )
    task = asyncio.create_task(c.run())
    try:
        await asyncio.wait_for(first_fetched.wait(), timeout=10)
        for event_id in ids[1:]:  # within the linger of the fetch that found the first one
            await publish(scratch, AuditRecorded(event_id=event_id).SerializeToString(), event_id)
        await wait_for(lambda: asyncio.sleep(0, batches))
        assert batches == [ids], "one batch of five, in stream order"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
