"""`chassis.periodic.run_every`: runs at once and then after each pause, and a failure is logged and
does not end the loop."""

from __future__ import annotations

import asyncio
import logging

import pytest
from chassis.periodic import run_every


class Stop(BaseException):
    """Ends the loop from the test's sleep (as a cancellation would)."""


async def test_a_failing_step_is_logged_and_the_loop_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[str] = []
    pauses: list[float] = []

    async def step() -> int:
        runs.append("run")
        if len(runs) <= 2:
            raise ConnectionRefusedError("database down")
        return 0

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 4:
            raise Stop

    with caplog.at_level(logging.ERROR, logger="chassis.periodic"), pytest.raises(Stop):
        await run_every(2.5, step, task="sweep", sleep=sleep)
    assert (len(runs), pauses) == (4, [2.5] * 4)
    failures = [r for r in caplog.records if r.getMessage().startswith("periodic task failed")]
    assert [(r.__dict__["task"], r.exc_info is not None) for r in failures] == [("sweep", True)] * 2


async def test_cancelling_ends_the_loop() -> None:
    started = asyncio.Event()

    async def step() -> None:
        started.set()

    loop = asyncio.create_task(run_every(3600, step, task="sweep"))
    await started.wait()
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
