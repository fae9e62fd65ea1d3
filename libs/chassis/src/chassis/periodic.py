"""Work a service repeats beside its server (a sweep): run it every so often, log a failure and carry
on — a database or broker outage must not end the loop, and so not the service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


async def run_every(
    seconds: float, step: Callable[[], Awaitable[object]], *, task: str, sleep: Sleep = asyncio.sleep
) -> None:
    """Run `step` now and then every `seconds` until cancelled; a failure is logged (named by `task`,
    with its traceback) and the next run comes as usual. Register it with `kit.background(...)`."""
    while True:
        try:
            await step()
        except Exception:
            log.exception("periodic task failed; retried at the next run", extra={"task": task})
        await sleep(seconds)
