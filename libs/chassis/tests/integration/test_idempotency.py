"""Idempotency keys on writes over real gRPC and PostgreSQL: replay, refusal of a reused key, twins at
once, refusals not stored, old keys purged, and a service SIGKILLed between its write and its answer.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.idempotency import IDEMPOTENCY_KEYS, KEY_METADATA, IdempotentWrites, create_idempotency_table
from chassis.testing import LocalIssuer, eventually
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from sqlalchemy import func, select, table, text, update

from .conftest import Scratch
from .idempotency_service import NESTED, NOTHING, REFUSED, SLOW, EffectServicer

pytestmark = pytest.mark.integration
EFFECTS = table("effects")
CHILD = Path(__file__).with_name("idempotency_child.py")


@dataclass
class Served:
    stub: pb_grpc.JournalServiceStub
    issuer: LocalIssuer
    servicer: EffectServicer
    keys: IdempotentWrites
    scratch: Scratch

    def md(self, key: str | None, subject: str = "caller-1") -> tuple[tuple[str, str], ...]:
        extra = ((KEY_METADATA, key),) if key is not None else ()
        return (*call_metadata(self.issuer.token(subject)), *extra)

    async def create(self, name: str, key: str | None, subject: str = "caller-1") -> pb.CreateGroupResponse:
        return await self.stub.CreateGroup(pb.CreateGroupRequest(name=name), metadata=self.md(key, subject))


async def count(scratch: Scratch, what: Any) -> int:
    async with scratch.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)


async def with_keys_table(scratch: Scratch) -> None:
    async with scratch.engine.begin() as conn:
        await conn.run_sync(create_idempotency_table)


@pytest.fixture
async def served(scratch: Scratch) -> AsyncIterator[Served]:
    await with_keys_table(scratch)
    issuer = LocalIssuer()
    keys = IdempotentWrites(scratch.sessions)
    server = GrpcServer(
        host="127.0.0.1",
        port=0,
        verifier=issuer.verifier(),
        service_names=[],
        health_checks=[],
        idempotency=keys,
    )
    servicer = EffectServicer(scratch.sessions)
    pb_grpc.add_JournalServiceServicer_to_server(servicer, server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Served(pb_grpc.JournalServiceStub(channel), issuer, servicer, keys, scratch)
    finally:
        await channel.close()
        await server.stop(0)


async def test_a_repeat_with_the_key_is_answered_alike_and_written_once(served: Served) -> None:
    first = await served.create("ИС-21", "key-1")
    again = await served.create("ИС-21", "key-1")

    assert again == first
    assert await count(served.scratch, EFFECTS) == 1
    # Without a key, or with another key or caller, the write is done again.
    await served.create("ИС-21", None)
    await served.create("ИС-21", "key-2")
    await served.create("ИС-21", "key-1", subject="caller-2")
    assert await count(served.scratch, EFFECTS) == 4
    assert await count(served.scratch, IDEMPOTENCY_KEYS) == 3


async def test_the_same_key_with_another_request_is_refused(served: Served) -> None:
    await served.create("ИС-21", "key-1")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await served.create("ИС-22", "key-1")
    assert (refused.value.code(), error_code_of(refused.value)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "idempotency_key_reused",
    )
    assert "ключ идемпотентности" in (refused.value.details() or "")
    assert await count(served.scratch, EFFECTS) == 1


async def test_twins_at_once_write_once_and_get_the_same_answer(served: Served) -> None:
    answers = await asyncio.gather(*(served.create(SLOW, "twin-key") for _ in range(8)))

    assert len({a.group.group_id for a in answers}) == 1
    assert await count(served.scratch, EFFECTS) == 1
    assert await count(served.scratch, IDEMPOTENCY_KEYS) == 1


async def test_a_refusal_stores_nothing_and_a_retry_runs_again(served: Served) -> None:
    for _ in range(2):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await served.create(REFUSED, "key-r")
        assert error_code_of(refused.value) == "refused_for_test"
    assert served.servicer.runs == 2
    assert await count(served.scratch, IDEMPOTENCY_KEYS) == 0
    # The key is still free for a request that succeeds.
    await served.create("ИС-21", "key-r")
    assert await count(served.scratch, EFFECTS) == 1


async def test_a_write_call_without_a_unit_of_work_stores_its_answer_alone(served: Served) -> None:
    first = await served.create(NOTHING, "key-n")
    assert await served.create(NOTHING, "key-n") == first
    assert await count(served.scratch, IDEMPOTENCY_KEYS) == 1


async def test_a_unit_of_work_inside_another_neither_deadlocks_nor_writes_twice(served: Served) -> None:
    first = await asyncio.wait_for(served.create(NESTED, "key-nested"), 20)
    assert await asyncio.wait_for(served.create(NESTED, "key-nested"), 20) == first
    assert await count(served.scratch, EFFECTS) == 2  # the outer's row and the inner's, once


async def test_reads_ignore_the_key_and_bad_keys_are_refused(served: Served) -> None:
    for _ in range(2):
        await served.stub.ListGroups(pb.ListGroupsRequest(), metadata=served.md("read-key"))
    assert served.servicer.runs == 2
    assert await count(served.scratch, IDEMPOTENCY_KEYS) == 0
    for bad in ("with space", "x" * 201):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await served.create("ИС-21", bad)
        assert (refused.value.code(), error_code_of(refused.value)) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "invalid_idempotency_key",
        )
    assert await count(served.scratch, EFFECTS) == 0


async def test_keys_are_kept_a_day_and_purged_after(served: Served) -> None:
    await served.create("ИС-21", "old")
    await served.create("ИС-21", "fresh")
    async with served.scratch.sessions() as session:
        await session.execute(
            update(IDEMPOTENCY_KEYS)
            .where(IDEMPOTENCY_KEYS.c.key == "old")
            .values(created_at=func.now() - text("interval '25 hours'"))
        )
        await session.execute(
            update(IDEMPOTENCY_KEYS)
            .where(IDEMPOTENCY_KEYS.c.key == "fresh")
            .values(created_at=func.now() - text("interval '23 hours'"))
        )
        await session.commit()

    assert await served.keys.purge() == 1
    async with served.scratch.sessions() as session:
        assert list(await session.scalars(select(IDEMPOTENCY_KEYS.c.key))) == ["fresh"]


# -- a SIGKILL between the write and the answer ---------------------------------------------------


class ServiceChild:
    """`idempotency_child.py` in its own process; killed at the end of the test whatever happens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None
        self.channel: grpc.aio.Channel | None = None

    async def start(self, database_url: str, subject: str, mode: str) -> pb_grpc.JournalServiceStub:
        for name in ("ready", "reached"):
            (self.folder / name).unlink(missing_ok=True)
        log = (self.folder / "child.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(CHILD), database_url, str(self.folder), subject, mode, stdout=log, stderr=log
        )
        port, self.token = (await self.wait_for("ready")).split()
        if self.channel is not None:
            await self.channel.close()  # the killed process's, closed only now: see sigkill
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        return pb_grpc.JournalServiceStub(self.channel)

    async def wait_for(self, name: str) -> str:
        async def written() -> str:
            assert self.process is not None and self.process.returncode is None, (
                self.folder / "child.log"
            ).read_text()
            path = self.folder / name
            return path.read_text() if path.exists() else ""

        return str(await eventually(written, within=30))

    async def sigkill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.process.wait(), 30) == -signal.SIGKILL
        # The channel stays open: closing it would cancel a call still waiting for the dead server's
        # answer (CancelledError) before it fails as UNAVAILABLE; the next start closes it.

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self.channel is not None:
            await self.channel.close()


async def test_a_service_killed_between_its_write_and_its_answer_leaves_nothing_half_done(
    scratch: Scratch, tmp_path: Path
) -> None:
    await with_keys_table(scratch)
    url = scratch.engine.url.render_as_string(hide_password=False)
    subject = f"caller-{uuid.uuid4().hex[:6]}"
    child = ServiceChild(tmp_path)
    request = pb.CreateGroupRequest(name="ИС-31")
    try:
        stub = await child.start(url, subject, "hang")
        md = (*call_metadata(child.token), (KEY_METADATA, "kill-key"))
        pending = asyncio.ensure_future(stub.CreateGroup(request, metadata=md))
        await child.wait_for("reached")
        await child.sigkill()
        with pytest.raises(grpc.aio.AioRpcError):
            await pending
        # The write and its key were one open transaction: gone together.
        assert (await count(scratch, EFFECTS), await count(scratch, IDEMPOTENCY_KEYS)) == (0, 0)

        stub = await child.start(url, subject, "serve")
        md = (*call_metadata(child.token), (KEY_METADATA, "kill-key"))
        answer = await stub.CreateGroup(request, metadata=md)
        assert (await count(scratch, EFFECTS), await count(scratch, IDEMPOTENCY_KEYS)) == (1, 1)

        # Killed after answering: the next process answers the retry from the stored key.
        await child.sigkill()
        stub = await child.start(url, subject, "serve")
        md = (*call_metadata(child.token), (KEY_METADATA, "kill-key"))
        assert await stub.CreateGroup(request, metadata=md) == answer
        assert await count(scratch, EFFECTS) == 1
    finally:
        await child.close()
