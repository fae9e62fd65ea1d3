"""Fixtures over the real NATS server: a private stream per test, the DLQ, term advisories, polling."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from chassis import testing


@pytest.fixture
async def private_stream(stack_infra) -> AsyncIterator[testing.PrivateStream]:  # type: ignore[no-untyped-def]
    """Create a uniquely named stream (and the shared DLQ); delete the stream afterwards."""
    async with testing.private_stream(stack_infra.nats_url, name="messaging-tests") as stream:
        yield stream


@pytest.fixture
def eventually() -> Callable[..., Awaitable[Any]]:
    """Return a poller: await eventually(check) until the check returns something truthy."""
    return functools.partial(testing.eventually, within=15.0)
