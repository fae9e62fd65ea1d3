"""Run a service until SIGTERM/SIGINT, then stop it gracefully."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from chassis.grpc_server import GrpcServer

log = logging.getLogger(__name__)

# How long a cancelled background task is given to end before it is cancelled again, and how often:
# 6 s at most in all, inside the 10 s the dev supervisor (and Kubernetes' 30) waits after SIGTERM.
CANCEL_WAIT_SECONDS = 2.0
CANCEL_ROUNDS = 3

# The young generation's threshold of a started process (CPython's default is 700 allocations).
YOUNG_GENERATION_THRESHOLD = 20_000


def settle_heap() -> None:
    """Set the collector up for serving, once the process has built everything it keeps.

    Collect once, then freeze what survives (the imported modules, protobuf descriptors, ORM mappers,
    routers, templates: hundreds of thousands of objects that live as long as the process) so that no
    later collection walks them again, and collect the young generation after 20,000 allocations
    rather than 700. A journal page allocates thousands of short-lived rows; with the defaults the
    collector took about a quarter of the journal's CPU per page, most of it walking the frozen part.
    Reference counting still frees everything without a cycle at once; cycles wait a little longer.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


async def serve_until_stopped(
    server: GrpcServer,
    *,
    background: Sequence[Coroutine[Any, Any, None]],
    cleanup: Sequence[Callable[[], Awaitable[Any]]],
    stop: asyncio.Event | None = None,
) -> None:
    """Start the server and the background loops; on a signal (or `stop`) stop them, then clean up.

    An embedding caller (a test) passes its own `stop` event; then no signal handler is installed.
    """
    loop = asyncio.get_running_loop()
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    await server.start()
    tasks = [asyncio.create_task(coro) for coro in background]

    def crashed(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background task died", exc_info=task.exception())
            assert stop is not None
            stop.set()

    for task in tasks:
        task.add_done_callback(crashed)
    await stop.wait()
    log.info("stopping")
    await server.stop()
    await cancel_all(tasks)
    for step in cleanup:
        try:
            await step()
        except Exception:
            log.exception("cleanup step failed")
    log.info("stopped")


async def cancel_all(
    tasks: Sequence[asyncio.Task[Any]], *, wait: float = CANCEL_WAIT_SECONDS, rounds: int = CANCEL_ROUNDS
) -> None:
    """Cancel the tasks and wait until they have ended; cancel again the ones still running after
    `wait` seconds, up to `rounds` times in all, then log those that never stopped and return.

    A cancellation can be lost inside a library: Python 3.11's `asyncio.wait_for` (nats-py's publish
    and fetch wait with it) returns the result when its inner future completes as the cancellation
    arrives, and the task runs on. Cancelled once and awaited, such a task held a stopping service
    (or a test) until it was killed.
    """
    pending = {task for task in tasks if not task.done()}
    for _ in range(rounds):
        if not pending:
            break
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=wait)
    if pending:
        log.error("background tasks did not stop", extra={"tasks": sorted(t.get_name() for t in pending)})
    # Read every ended task's outcome (a crash was logged by its callback); none is left unretrieved.
    await asyncio.gather(*(task for task in tasks if task.done()), return_exceptions=True)
