"""NATS connection and JetStream stream set-up (idempotent, run by every producer at start)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

# Longer than the worst relay restart: a repeat publish inside it is dropped by JetStream.
DUPLICATE_WINDOW_SECONDS = 600.0
DAY = 86400.0


@dataclass(frozen=True)
class StreamSpec:
    """A JetStream stream a deployable needs."""

    name: str
    subjects: tuple[str, ...]
    max_age_seconds: float = 365 * DAY
    retention: RetentionPolicy = RetentionPolicy.LIMITS


AUDIT_STREAM = StreamSpec("AUDIT", ("audit.>",))
DLQ_STREAM = StreamSpec("DLQ", ("dlq.>",), max_age_seconds=90 * DAY)


def service_stream(service: str) -> StreamSpec:
    """Return the stream a service publishes its events on: subjects `<svc>.>` on stream `<SVC>`."""
    return StreamSpec(service.upper(), (f"{service}.>",))


def producer_streams(service: str) -> list[StreamSpec]:
    """Return the streams a producing service ensures at start: its own, the audit and the DLQ."""
    return [service_stream(service), AUDIT_STREAM, DLQ_STREAM]


def dlq_subject(service: str) -> str:
    """Return the dead-letter subject of a service."""
    return f"dlq.{service}"


async def connect_nats(url: str, *, name: str) -> tuple[Client, JetStreamContext]:
    """Connect to NATS with endless reconnects and return the client and its JetStream context."""

    async def on_error(exc: Exception) -> None:
        log.warning("nats error", extra={"error": repr(exc)})

    async def on_disconnected() -> None:
        log.warning("nats disconnected")

    async def on_reconnected() -> None:
        log.info("nats reconnected")

    nc = await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
    )
    return nc, nc.jetstream()


async def ensure_stream(js: JetStreamContext, spec: StreamSpec) -> None:
    """Create the stream, or update its subjects and limits when it already exists."""
    config = StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        retention=spec.retention,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=spec.max_age_seconds,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
    )
    try:
        await js.stream_info(spec.name)
    except NotFoundError:
        try:
            await js.add_stream(config)
            log.info("stream created", extra={"stream": spec.name})
            return
        except Exception:
            # Another replica or service created it between our look-up and our add.
            await js.stream_info(spec.name)
    await js.update_stream(config)


async def ensure_streams(js: JetStreamContext, specs: list[StreamSpec]) -> None:
    """Ensure every stream in the list exists."""
    for spec in specs:
        await ensure_stream(js, spec)


async def nats_answers(nc: Client) -> bool:
    """Return True when the NATS connection is up and answers a flush."""
    if not nc.is_connected:
        return False
    try:
        await nc.flush(timeout=2)
    except Exception:
        return False
    return True
