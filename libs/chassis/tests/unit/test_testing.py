"""The in-memory inbox and the poller that services' tests share."""

from __future__ import annotations

import pytest
from chassis.testing import FakeInbox, eventually


async def test_fake_inbox_claims_once_per_consumer_and_keeps_only_committed_claims() -> None:
    claimed: set[tuple[str, str]] = set()
    inbox = FakeInbox(claimed)
    assert await inbox.claim("e1", "c1", "svc.thing.happened.v1")
    assert not await inbox.claim("e1", "c1", "svc.thing.happened.v1")
    assert await inbox.claim("e1", "c2", "svc.thing.happened.v1")
    assert claimed == set()

    claimed |= inbox.staged
    assert not await FakeInbox(claimed).claim("e1", "c1", "svc.thing.happened.v1")


async def test_eventually_returns_the_first_truthy_result_or_fails() -> None:
    calls = []

    async def third_time() -> list[int]:
        calls.append(1)
        return calls if len(calls) >= 3 else []

    assert await eventually(third_time) == [1, 1, 1]

    async def never() -> bool:
        return False

    with pytest.raises(AssertionError):
        await eventually(never, within=0.1)
