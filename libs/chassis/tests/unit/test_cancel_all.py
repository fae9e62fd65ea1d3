"""`chassis.runtime.cancel_all`: a stopping service cancels its background tasks again when a
cancellation was lost (Python 3.11's `asyncio.wait_for` returns its inner result instead of raising),
and never waits for ever on one that will not stop."""

from __future__ import annotations

import asyncio
import logging

import pytest
from chassis.runtime import cancel_all


def stubborn(swallows: int, started: asyncio.Event) -> asyncio.Task[None]:
    """A task that loses its first `swallows` cancellations, as a library may."""

    async def run() -> None:
        started.set()
        lost = 0
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if lost == swallows:
                    raise
                lost += 1

    return asyncio.create_task(run(), name=f"stubborn-{swallows}")


async def test_a_task_that_lost_its_cancellation_is_cancelled_again() -> None:
    started = asyncio.Event()
    task = stubborn(1, started)
    await started.wait()
    async with asyncio.timeout(10):  # a single cancellation would wait an hour
        await cancel_all([task], wait=0.05)
    assert task.cancelled()


async def test_a_task_that_will_not_stop_is_logged_and_left(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()
    task = stubborn(3, started)
    await started.wait()
    with caplog.at_level(logging.ERROR, logger="chassis.runtime"):
        async with asyncio.timeout(10):
            await cancel_all([task], wait=0.02, rounds=2)
    assert not task.done()
    assert "background tasks did not stop" in caplog.text
    assert caplog.records[-1].tasks == ["stubborn-3"]  # type: ignore[attr-defined]
    task.cancel()  # its third and fourth: it ends
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()


async def test_tasks_already_ended_or_crashed_are_read_and_the_others_cancelled() -> None:
    async def crash() -> None:
        raise ValueError("crashed")

    crashed = asyncio.create_task(crash())
    waiting = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    assert crashed.done()
    await cancel_all([crashed, waiting], wait=1)
    assert waiting.cancelled()
    assert isinstance(crashed.exception(), ValueError)
