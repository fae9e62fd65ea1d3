"""Real crashes: a relay or a consumer in a child process is SIGKILLed mid-work, another one takes over.

The child (`crash_child.py`) runs the chassis code against the test stack's PostgreSQL and NATS,
writes a marker file when it reaches the point under test and waits there; the parent kills it with
SIGKILL (no exception, no finally, no rollback by the client) and checks what survived.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from chassis.consumer import Envelope, EventConsumer
from chassis.context import new_id
from chassis.outbox import INBOX, OUTBOX, OutboxRelay
from chassis.testing import PrivateStream, eventually, private_stream
from chassis.uow import UnitOfWork
from ejournal.common.v1.common_pb2 import LocalDate
from nats.js.api import PubAck
from sqlalchemy import func, select, table, text

from .conftest import Scratch
from .crash_child import ACK_WAIT_SECONDS, apply_effect, consumer_durable

pytestmark = pytest.mark.integration
CHILD = Path(__file__).with_name("crash_child.py")
EFFECTS = table("effects")


@pytest.fixture
async def stream(stack_infra: Any) -> AsyncIterator[PrivateStream]:
    async with private_stream(stack_infra.nats_url, name="chassis-crash-tests") as private:
        yield private


class Child:
    """One child process of `crash_child.py`, killed at the end of the test whatever happens."""

    def __init__(self, tmp_path: Path) -> None:
        self.marker = tmp_path / "reached"
        self.log = tmp_path / "child.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, role: str, database_url: str, nats_url: str, *args: str) -> None:
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(CHILD), role, database_url, nats_url, str(self.marker), *args,
                stdout=out, stderr=out,
            )  # fmt: skip

    async def reached(self) -> str:
        """Wait until the child wrote its marker; fail with its log if it died first."""

        async def written() -> str:
            assert self.process is not None
            assert self.process.returncode is None, f"the child exited early:\n{self.log.read_text()}"
            return self.marker.read_text() if self.marker.exists() else ""

        return str(await eventually(written, within=30))

    async def sigkill(self) -> None:
        """SIGKILL the child and reap it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.process.wait(), 30) == -signal.SIGKILL

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@pytest.fixture
async def child(tmp_path: Path) -> AsyncIterator[Child]:
    process = Child(tmp_path)
    yield process
    await process.close()


def database_url(scratch: Scratch) -> str:
    return scratch.engine.url.render_as_string(hide_password=False)


class RecordingJetStream:
    """The real JetStream context, remembering the ack of every publish."""

    def __init__(self, js: Any) -> None:
        self._js = js
        self.acks: list[PubAck] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._js, name)

    async def publish(self, subject: str, payload: bytes, **kwargs: Any) -> PubAck:
        ack = await self._js.publish(subject, payload, **kwargs)
        self.acks.append(ack)
        return ack


async def messages_in(stream: PrivateStream) -> int:
    return int((await stream.js.stream_info(stream.name)).state.messages)


async def scalar(scratch: Scratch, query: Any) -> Any:
    async with scratch.sessions() as session:
        return await session.scalar(query)


async def unlocked_unpublished_rows(scratch: Scratch) -> int:
    """Count unpublished rows nobody holds a lock on (a dead relay's transaction is gone)."""
    async with scratch.sessions() as session, session.begin():
        rows = await session.execute(
            select(OUTBOX.c.id).where(OUTBOX.c.published_at.is_(None)).with_for_update(skip_locked=True)
        )
        return len(rows.all())


async def test_relay_killed_between_publish_and_commit_yields_exactly_one_message(
    scratch: Scratch, stream: PrivateStream, child: Child, stack_infra: Any
) -> None:
    subject = stream.subject("thing.happened.v1")
    event_id = new_id()
    async with UnitOfWork(scratch.sessions, service="test") as uow:
        await uow.outbox.add(subject, LocalDate(day=7), event_id=event_id)
        await uow.commit()

    await child.start("relay", database_url(scratch), stack_infra.nats_url)
    assert await child.reached() == event_id, "the child published the row and waits before its commit"
    assert await messages_in(stream) == 1
    first = await stream.js.get_last_msg(stream.name, subject)
    assert first.headers is not None and first.headers["Nats-Msg-Id"] == event_id
    assert await unlocked_unpublished_rows(scratch) == 0, "the child still holds the row"

    await child.sigkill()
    # PostgreSQL rolls back the dead relay's transaction once it sees the connection close.
    await eventually(lambda: unlocked_unpublished_rows(scratch))
    assert (
        await scalar(scratch, select(OUTBOX.c.published_at).where(OUTBOX.c.id == uuid.UUID(event_id))) is None
    )

    recording = RecordingJetStream(stream.js)
    assert await OutboxRelay(scratch.sessions, recording).publish_pending() == 1  # type: ignore[arg-type]
    [ack] = recording.acks
    assert ack.duplicate is True, "JetStream recognised the repeat by its Nats-Msg-Id"
    assert (ack.stream, ack.seq) == (stream.name, first.seq)
    assert await messages_in(stream) == 1
    assert await unlocked_unpublished_rows(scratch) == 0
    assert (
        await scalar(
            scratch, select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_not(None))
        )
        == 1
    )


@pytest.mark.parametrize("kill_point", ["consume-before-commit", "consume-after-commit"])
async def test_consumer_killed_before_settling_is_redelivered_after_ack_wait_with_one_effect(
    scratch: Scratch, stream: PrivateStream, child: Child, stack_infra: Any, kill_point: str
) -> None:
    event_id = str(uuid.uuid4())
    subject = stream.subject("thing.happened.v1")
    await stream.js.publish(subject, LocalDate(day=3).SerializeToString(), headers={"Nats-Msg-Id": event_id})

    await child.start(kill_point, database_url(scratch), stack_infra.nats_url, stream.name, stream.prefix)
    assert await child.reached() == f"{event_id} 1 True", "first delivery, claimed, effect applied"
    await child.sigkill()

    deliveries: list[tuple[int, bool]] = []

    async def handler(envelope: Envelope) -> None:
        async with UnitOfWork(scratch.sessions, service="test") as uow:
            claimed = await apply_effect(uow, envelope)
            await uow.commit()
        deliveries.append((envelope.num_delivered, claimed))

    durable = consumer_durable(stream.prefix)
    successor = EventConsumer(
        stream.js,
        service="crash-test",
        stream=stream.name,
        durable=durable,
        filter_subjects=[f"{stream.prefix}.>"],
        handler=handler,
        ack_wait_seconds=ACK_WAIT_SECONDS,
    )
    task = asyncio.create_task(successor.run())
    try:
        # Nobody nak'ed: only the ack wait running out brings the message back.
        await eventually(lambda: asyncio.sleep(0, deliveries), within=30)

        async def settled() -> Any:
            info = await stream.js.consumer_info(stream.name, durable)
            return info if info.num_ack_pending == 0 else None

        info = await eventually(settled)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    committed_by_the_dead_child = kill_point == "consume-after-commit"
    assert deliveries == [(2, not committed_by_the_dead_child)], "one redelivery, claimed only if not yet"
    assert info.delivered.consumer_seq == 2, "delivered to the dead child, then once more"
    assert info.ack_floor.stream_seq == 1, "acked by the successor"
    assert await scalar(scratch, select(func.count()).select_from(EFFECTS)) == 1
    assert await scalar(scratch, select(func.count()).select_from(INBOX)) == 1
    note = await scalar(scratch, text("SELECT note FROM effects"))
    assert note == ("delivery 1" if committed_by_the_dead_child else "delivery 2")
