"""The outbox relay against real PostgreSQL and JetStream."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from chassis.context import new_id
from chassis.db import make_engine, make_session_factory
from chassis.outbox import OUTBOX, OutboxRelay
from chassis.runtime import cancel_all
from chassis.testing import LocalIssuer, eventually
from chassis.uow import UnitOfWork
from ejournal.common.v1.common_pb2 import LocalDate
from sqlalchemy import Column, Integer, MetaData, Table, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import registry

from .conftest import Scratch

pytestmark = pytest.mark.integration


def driver_statements(engine: AsyncEngine) -> list[str]:
    """Return the list every statement the engine's connections send through asyncpg is appended to
    (the relay runs its transactions on the driver, where SQLAlchemy's events do not see them)."""
    sent: list[str] = []

    def log(connection: Any, _record: Any) -> None:
        connection.driver_connection.add_query_logger(lambda record: sent.append(record.query))

    event.listen(engine.sync_engine, "connect", log)
    return sent


async def all_published(scratch: Scratch) -> bool:
    return await unpublished(scratch) == 0


async def stage(scratch: Scratch, count: int = 1, *, commit: bool = True) -> list[str]:
    ids = []
    async with UnitOfWork(scratch.sessions, service="test") as uow:
        for day in range(count):
            event_id = new_id()
            await uow.outbox.add(
                f"{scratch.prefix}.thing.happened.v1", LocalDate(day=day + 1), event_id=event_id
            )
            ids.append(event_id)
        if commit:
            await uow.commit()
    return ids


async def unpublished(scratch: Scratch) -> int:
    async with scratch.sessions() as s:
        return int(
            await s.scalar(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None)))
            or 0
        )


async def messages_in_stream(scratch: Scratch) -> int:
    info = await scratch.js.stream_info(scratch.stream)
    return int(info.state.messages)


async def test_a_failure_between_publish_and_commit_rolls_back_and_the_next_sweep_is_deduplicated(
    scratch: Scratch,
) -> None:
    # The killed-process version of this is in test_process_crashes.py.
    [event_id] = await stage(scratch)

    async def crash(row_id: uuid.UUID) -> None:
        raise RuntimeError("relay killed after publish, before commit")

    with pytest.raises(RuntimeError):
        await OutboxRelay(scratch.sessions, scratch.js, on_published=crash).publish_pending()
    assert await unpublished(scratch) == 1, "the crash rolled back the mark-as-published"
    assert await messages_in_stream(scratch) == 1

    assert await OutboxRelay(scratch.sessions, scratch.js).publish_pending() == 1
    assert await unpublished(scratch) == 0
    assert await messages_in_stream(scratch) == 1, "JetStream dropped the repeat by Nats-Msg-Id"
    msg = await scratch.js.get_last_msg(scratch.stream, f"{scratch.prefix}.thing.happened.v1")
    assert msg.headers is not None and msg.headers["Nats-Msg-Id"] == event_id
    assert LocalDate.FromString(msg.data).day == 1


async def test_events_of_a_rolled_back_transaction_are_never_published(scratch: Scratch) -> None:
    await stage(scratch, commit=False)
    assert await OutboxRelay(scratch.sessions, scratch.js).publish_pending() == 0
    assert await messages_in_stream(scratch) == 0


async def test_competing_relays_publish_each_row_once(scratch: Scratch) -> None:
    await stage(scratch, 60)
    relays = [OutboxRelay(scratch.sessions, scratch.js, batch_size=7) for _ in range(3)]
    counts = await asyncio.gather(*(r.publish_pending() for r in relays))
    assert sum(counts) == 60
    assert await unpublished(scratch) == 0
    assert await messages_in_stream(scratch) == 60


@pytest.mark.parametrize(("rows", "batch", "transactions"), [(1, 100, 1), (25, 10, 3), (20, 10, 3)])
async def test_a_sweep_ends_with_a_batch_smaller_than_the_batch_size(
    scratch: Scratch, rows: int, batch: int, transactions: int
) -> None:
    """A short batch was all there was: the sweep does not open one more transaction to find nothing
    (a full last batch still needs the empty claim to know it was the last)."""
    await stage(scratch, rows)
    relay_engine = make_engine(scratch.engine.url.render_as_string(hide_password=False), pool_size=2)
    statements = driver_statements(relay_engine)
    try:
        relay = OutboxRelay(make_session_factory(relay_engine), scratch.js, batch_size=batch)
        assert await relay.publish_pending() == rows
    finally:
        await relay_engine.dispose()
    assert statements.count("COMMIT;") == transactions == relay.transactions
    assert await unpublished(scratch) == 0
    assert await messages_in_stream(scratch) == rows


async def test_running_relay_is_woken_by_commit(scratch: Scratch) -> None:
    """A relay that would not poll again for an hour publishes a commit it is woken for."""
    # The relay gets its own engine so the test can see its sweeps' commits and nothing else.
    relay_engine = make_engine(scratch.engine.url.render_as_string(hide_password=False), pool_size=2)
    statements = driver_statements(relay_engine)
    relay = OutboxRelay(make_session_factory(relay_engine), scratch.js, poll_seconds=3600)
    task = asyncio.create_task(relay.run())
    try:
        # The first sweep found nothing and committed; the next poll is an hour away.
        await eventually(lambda: asyncio.sleep(0, statements.count("COMMIT;")))
        async with UnitOfWork(scratch.sessions, service="test", on_commit=relay.wake) as uow:
            await uow.outbox.add(f"{scratch.prefix}.thing.happened.v1", LocalDate(day=9), event_id=new_id())
            await uow.commit()
        # Generous: only the wake-up can publish within the hour, however slow the machine.
        await eventually(lambda: messages_in_stream(scratch), within=60)
        assert await messages_in_stream(scratch) == 1
        assert await unpublished(scratch) == 0
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await relay_engine.dispose()


async def test_a_paced_relay_sweeps_a_commit_after_a_quiet_spell_at_once_and_a_stream_in_one_batch(
    scratch: Scratch,
) -> None:
    """With a pace, the first commit after a quiet spell is published at once; the commits that follow
    within the pace wait for it and go out together, in one sweep (one transaction)."""
    pace = 2.0
    loop = asyncio.get_running_loop()
    relay_engine = make_engine(scratch.engine.url.render_as_string(hide_password=False), pool_size=2)
    relay = OutboxRelay(make_session_factory(relay_engine), scratch.js, poll_seconds=3600, pace_seconds=pace)

    async def commit_one() -> None:
        async with UnitOfWork(scratch.sessions, service="test", on_commit=relay.wake) as uow:
            await uow.outbox.add(f"{scratch.prefix}.thing.happened.v1", LocalDate(day=9), event_id=new_id())
            await uow.commit()

    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: asyncio.sleep(0, relay.transactions))  # the first sweep, empty
        await asyncio.sleep(pace)  # a quiet spell as long as the pace
        started = loop.time()
        await commit_one()
        await eventually(lambda: all_published(scratch), within=60)
        assert loop.time() - started < pace / 2, "after a quiet spell the commit goes out at once"
        swept = relay.transactions
        for _ in range(10):
            await commit_one()
        assert await unpublished(scratch) == 10, "held until a pace has passed since the last sweep"
        await eventually(lambda: all_published(scratch), within=60)
        assert relay.transactions == swept + 1, "the ten in one sweep"
        assert await messages_in_stream(scratch) == 11
    finally:
        await cancel_all([task])  # it may be mid-sweep when an assertion fails
        await relay_engine.dispose()


async def test_a_running_relay_sweeps_on_one_connection_and_gives_it_back_when_stopped(
    scratch: Scratch,
) -> None:
    relay_engine = make_engine(scratch.engine.url.render_as_string(hide_password=False), pool_size=2)
    statements = driver_statements(relay_engine)
    connects: list[object] = []
    event.listen(relay_engine.sync_engine, "connect", lambda *_: connects.append(1))
    relay = OutboxRelay(make_session_factory(relay_engine), scratch.js, poll_seconds=3600)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: asyncio.sleep(0, relay.transactions))
        for _ in range(3):
            async with UnitOfWork(scratch.sessions, service="test", on_commit=relay.wake) as uow:
                await uow.outbox.add(
                    f"{scratch.prefix}.thing.happened.v1", LocalDate(day=9), event_id=new_id()
                )
                await uow.commit()
            await eventually(lambda: all_published(scratch), within=60)
        assert await messages_in_stream(scratch) == 3
        assert len(connects) == 1  # every sweep on the connection the relay kept
        assert relay_engine.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        assert statements.count("COMMIT;") == relay.transactions >= 4
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert relay_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    await relay_engine.dispose()


async def test_a_batch_is_published_in_row_order_each_under_its_own_msg_id(scratch: Scratch) -> None:
    await stage(scratch, 25)
    async with scratch.sessions() as s:
        rows = (await s.execute(select(OUTBOX.c.id).order_by(OUTBOX.c.created_at, OUTBOX.c.id))).all()
    ids = [str(r.id) for r in rows]
    assert await OutboxRelay(scratch.sessions, scratch.js, batch_size=100).publish_pending() == 25
    assert await unpublished(scratch) == 0
    sub = await scratch.js.pull_subscribe(f"{scratch.prefix}.>", stream=scratch.stream)
    msgs: list = []  # type: ignore[type-arg]
    while len(msgs) < 25:
        msgs += await sub.fetch(25 - len(msgs), timeout=5)
    assert [m.headers["Nats-Msg-Id"] for m in msgs] == ids, "the stream holds them in the relay's order"


async def test_one_failed_publish_rolls_back_its_whole_batch_and_the_retry_is_deduplicated(
    scratch: Scratch,
) -> None:
    ids = await stage(scratch, 10)

    async def fail_one(row_id: uuid.UUID) -> None:
        if str(row_id) == ids[6]:
            raise ConnectionError("no ack for this one")

    with pytest.raises(ConnectionError):
        await OutboxRelay(scratch.sessions, scratch.js, on_published=fail_one).publish_pending()
    assert await unpublished(scratch) == 10, "no row of the failed batch is marked published"
    assert await messages_in_stream(scratch) == 10

    assert await OutboxRelay(scratch.sessions, scratch.js).publish_pending() == 10
    assert await unpublished(scratch) == 0
    assert await messages_in_stream(scratch) == 10, "the repeats were dropped by Nats-Msg-Id"


async def test_the_events_of_a_transaction_are_written_by_one_statement_when_it_commits(
    scratch: Scratch,
) -> None:
    engine = make_engine(scratch.engine.url.render_as_string(hide_password=False), pool_size=2)
    sent = driver_statements(engine)
    sessions = make_session_factory(engine)

    def inserts() -> list[str]:
        return [q for q in sent if q.startswith("INSERT INTO outbox")]

    try:
        async with UnitOfWork(sessions, service="test") as uow:
            for day in (1, 2):
                await uow.outbox.add(
                    f"{scratch.prefix}.thing.happened.v1", LocalDate(day=day), event_id=new_id()
                )
            await uow.audit("thing.read", actor=LocalIssuer().principal(roles=("admin",)), resource_type="thing",
                            resource_id="1")  # fmt: skip
            assert inserts() == [], "nothing is written before the commit"
            await uow.commit()
        assert len(inserts()) == 1, "the three rows in one statement"
        assert await unpublished(scratch) == 3
        # asyncpg logs a statement after it ran (the COMMIT's line comes a moment later), and its look
        # at the array types may come between BEGIN and the INSERT.
        await eventually(lambda: asyncio.sleep(0, "COMMIT;" in sent[sent.index(inserts()[0]) :]))
        at = sent.index(inserts()[0])
        begun = max(i for i, q in enumerate(sent[:at]) if q == "BEGIN;")
        assert "COMMIT;" not in sent[begun:at] and sent[at + 1] == "COMMIT;", "in a transaction of their own"
        async with UnitOfWork(sessions, service="test") as uow:
            await uow.outbox.add(f"{scratch.prefix}.thing.happened.v1", LocalDate(day=3), event_id=new_id())
        assert len(inserts()) == 1 and await unpublished(scratch) == 3, "no commit, no row"
    finally:
        await engine.dispose()


class Once:
    """A row of `once_only`, mapped for the test of pending ORM changes."""

    def __init__(self, x: int) -> None:
        self.x = x


_ONCE = Table(
    "once_only", MetaData(), Column("id", Integer, primary_key=True), Column("x", Integer, nullable=False)
)
registry().map_imperatively(Once, _ONCE)


async def once_only(scratch: Scratch) -> None:
    """A table whose unique x is checked only at COMMIT: a change that fails after the events were
    written."""
    async with scratch.engine.begin() as c:
        await c.execute(
            text(
                "CREATE TABLE once_only (id serial PRIMARY KEY, x int NOT NULL,"
                " CONSTRAINT once UNIQUE (x) DEFERRABLE INITIALLY DEFERRED)"
            )
        )


async def test_the_events_roll_back_with_a_change_that_fails_at_its_commit(scratch: Scratch) -> None:
    await once_only(scratch)
    async with UnitOfWork(scratch.sessions, service="test") as uow:
        await uow.session.execute(text("INSERT INTO once_only (x) VALUES (1)"))
        await uow.outbox.add(f"{scratch.prefix}.thing.happened.v1", LocalDate(day=1), event_id=new_id())
        await uow.commit()
    assert await unpublished(scratch) == 1
    with pytest.raises(IntegrityError):
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            await uow.session.execute(text("INSERT INTO once_only (x) VALUES (2), (2)"))
            await uow.outbox.add(f"{scratch.prefix}.thing.happened.v1", LocalDate(day=2), event_id=new_id())
            await uow.commit()
    assert await unpublished(scratch) == 1, "the event went with the change"


async def test_pending_orm_changes_are_flushed_before_the_events_so_they_share_a_transaction(
    scratch: Scratch,
) -> None:
    await once_only(scratch)
    with pytest.raises(IntegrityError):
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            uow.session.add_all([Once(3), Once(3)])  # nothing sent yet: no transaction begun
            await uow.outbox.add(f"{scratch.prefix}.thing.happened.v1", LocalDate(day=3), event_id=new_id())
            await uow.commit()
    assert await unpublished(scratch) == 0, "not committed on its own before the failing change"
    async with scratch.sessions() as s:
        assert await s.scalar(text("SELECT count(*) FROM once_only")) == 0
