"""NATS connection and JetStream stream set-up (idempotent, run by every producer at start)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import nats
from nats.aio.client import DEFAULT_INBOX_PREFIX, Client
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


def inbox_prefix(user: str) -> str:
    """Return the reply-inbox prefix of a NATS user: `_INBOX.<user>`, the only inboxes it may read.

    Replies (JetStream acknowledgements, API answers, the events a pull consumer fetches) come on
    the requester's inbox; a user allowed `_INBOX.>` could read everyone's, so each has its own.
    """
    return f"_INBOX.{user}"


async def connect_nats(
    url: str, *, name: str, user: str = "", password: str = ""
) -> tuple[Client, JetStreamContext]:
    """Connect to NATS with endless reconnects and return the client and its JetStream context.

    With a `user` the connection authenticates as that user and takes its own reply-inbox prefix
    (`inbox_prefix`); without one the URL may carry the credentials (tools and tests: the admin).
    """

    async def on_error(exc: Exception) -> None:
        log.warning("nats error", extra={"error": repr(exc)})

    async def on_disconnected() -> None:
        log.warning("nats disconnected")

    async def on_reconnected() -> None:
        log.info("nats reconnected")

    nc = await nats.connect(
        url,
        name=name,
        user=user or None,
        password=password or None,
        inbox_prefix=inbox_prefix(user) if user else DEFAULT_INBOX_PREFIX,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
    )
    return nc, nc.jetstream()


def _stream_config(spec: StreamSpec) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        retention=spec.retention,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=spec.max_age_seconds,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
    )


async def ensure_stream(js: JetStreamContext, spec: StreamSpec) -> None:
    """Create the stream, or update its subjects and limits when it already exists."""
    config = _stream_config(spec)
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


async def ensure_stream_exists(js: JetStreamContext, spec: StreamSpec) -> None:
    """Create a stream another service produces to when it is missing; never change an existing one.

    A consumer may start before the producer; only the producer updates its stream's config (the
    NATS permissions give a consumer `STREAM.INFO` and `STREAM.CREATE` of it, not `STREAM.UPDATE`).
    """
    try:
        await js.stream_info(spec.name)
    except NotFoundError:
        try:
            await js.add_stream(_stream_config(spec))
            log.info("stream created", extra={"stream": spec.name})
        except Exception:
            # The producer (or another consumer) created it between our look-up and our add.
            await js.stream_info(spec.name)


async def nats_answers(nc: Client) -> bool:
    """Return True when the NATS connection is up and answers a flush."""
    if not nc.is_connected:
        return False
    try:
        await nc.flush(timeout=2)
    except Exception:
        return False
    return True
