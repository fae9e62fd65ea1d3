"""Fixtures over the real NATS server: a private stream per test, the DLQ, term advisories, polling."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from chassis.streams import DLQ_STREAM, StreamSpec, connect_nats, ensure_streams
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.client import JetStreamContext

T = TypeVar("T")


@dataclass
class PrivateStream:
    """A stream only this test publishes to, so durables see nothing from other tests."""

    nc: Client
    js: JetStreamContext
    name: str
    prefix: str

    def subject(self, subject: str) -> str:
        return f"{self.prefix}.{subject}"

    def durable(self, name: str) -> str:
        return f"{name}-{self.prefix}"

    async def dlq_last_seq(self) -> int:
        return int((await self.js.stream_info(DLQ_STREAM.name)).state.last_seq)

    async def dead_letters(self, service: str, after_seq: int) -> list[dict[str, Any]]:
        """Return the headers and data of dlq.<service> messages stored after a sequence."""
        last = await self.dlq_last_seq()
        found = []
        for seq in range(after_seq + 1, last + 1):
            msg = await self.js.get_msg(DLQ_STREAM.name, seq)
            if msg.subject == f"dlq.{service}":
                found.append({"headers": msg.headers or {}, "data": msg.data})
        return found

    async def terminations(self, durable: str) -> asyncio.Queue[dict[str, Any]]:
        """Subscribe to the server's advisories of messages this consumer terminated."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def put(msg: Msg) -> None:
            await queue.put(json.loads(msg.data))

        await self.nc.subscribe(f"$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.{self.name}.{durable}", cb=put)
        await self.nc.flush()
        return queue


@pytest.fixture
async def private_stream(stack_infra) -> AsyncIterator[PrivateStream]:  # type: ignore[no-untyped-def]
    """Create a uniquely named stream (and the shared DLQ); delete the stream afterwards."""
    nc, js = await connect_nats(stack_infra.nats_url, name="archive-tests")
    tag = uuid.uuid4().hex[:10]
    stream = PrivateStream(nc, js, name=f"TEST_{tag.upper()}", prefix=f"t{tag}")
    await ensure_streams(js, [DLQ_STREAM, StreamSpec(stream.name, (f"{stream.prefix}.>",))])
    try:
        yield stream
    finally:
        await js.delete_stream(stream.name)
        await nc.close()


async def _eventually(check: Callable[[], Awaitable[T]], within: float = 15.0) -> T:
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, "the effect did not appear in time"
        await asyncio.sleep(0.1)


@pytest.fixture
def eventually() -> Callable[..., Awaitable[Any]]:
    """Return a poller: await eventually(check) until the check returns something truthy."""
    return _eventually
