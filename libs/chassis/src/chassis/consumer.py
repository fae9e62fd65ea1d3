"""Durable pull consumers: apply each event once, ack only after the commit, dead-letter poison.

The handler applies the effect in its own unit of work and claims the event id in the inbox table
in the same transaction, so a redelivery after a crash changes nothing. Outcomes:
- the handler returns: ack;
- it raises PoisonMessage (or the payload does not decode): copy to dlq.<service>, then term;
- it raises anything else: nak with a growing delay; after max_deliver tries, dead-letter and term.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from google.protobuf.message import DecodeError, Message
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext

from chassis.context import correlation_id_var, new_id
from chassis.events import Delivery, claimed_producers, producer_of, subject_of, subject_owner
from chassis.streams import StreamSpec, dlq_subject, service_stream

log = logging.getLogger(__name__)

# Deliveries JetStream still allows after our own limit, for retrying a failed dead-letter publish.
DEAD_LETTER_RETRIES = 3
MAX_RETRY_DELAY_SECONDS = 60.0

M = TypeVar("M", bound=Message)


class PoisonMessage(Exception):
    """The event can never be applied: retrying will not help."""


class ForeignEvent(PoisonMessage):
    """The event claims a producer other than the one that owns its subject: never applied.

    Only the owner's NATS user may publish on a subject (deploy/local/nats/nats-server.conf), so a
    mismatch means a forgery by an authorised user or a bug; either way it goes to the dead letters.
    """


@dataclass(frozen=True)
class Envelope:
    """One delivered event."""

    event_id: str
    subject: str
    data: bytes
    num_delivered: int
    event_type: str = ""
    """The `Ejournal-Event-Type` header: the full proto name the producer says it published."""


Handler = Callable[[Envelope], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[None]]
"""Applies a fetched batch in one transaction, in stream order; raises to have it applied one by one."""


def decode(message_type: type[M], envelope: Envelope) -> M:
    """Parse the payload, or raise PoisonMessage when it is not a valid message of that type."""
    message = message_type()
    try:
        message.ParseFromString(envelope.data)
    except DecodeError as exc:
        raise PoisonMessage(f"undecodable {message_type.DESCRIPTOR.full_name}") from exc
    return message


class LocalDateLike(Protocol):
    """A calendar date on the wire, as the common LocalDate message carries it."""

    @property
    def year(self) -> int: ...

    @property
    def month(self) -> int: ...

    @property
    def day(self) -> int: ...


def check_producer(event: Message, envelope: Envelope, *, subject_prefix: str = "") -> None:
    """Raise ForeignEvent unless everything the event claims about its producer is its subject's owner.

    The claims: the event's type (`ejournal.<svc>.v1.…`), the `Ejournal-Event-Type` header, which must
    also name the type being applied, and a payload's own `service` field (the audit record's).
    `subject_prefix` is a private test stream's leading token, stripped before the owner is read.
    """
    if envelope.event_type and envelope.event_type != event.DESCRIPTOR.full_name:
        raise ForeignEvent("the Ejournal-Event-Type header names another event type")
    subject = envelope.subject.removeprefix(subject_prefix)
    owner = subject_owner(subject)
    if any(claim != owner for claim in claimed_producers(event, envelope.event_type)):
        raise ForeignEvent("the event claims a producer other than its subject's")


def event_key(payload_event_id: str, envelope: Envelope) -> str:
    """Return the id the inbox remembers: the payload's event id, else the Nats-Msg-Id."""
    # Producers publish with Nats-Msg-Id = event id, so both agree; preferring the payload's id
    # also absorbs a republish of the same event under a new message id.
    if not payload_event_id:
        return envelope.event_id
    try:
        return str(uuid.UUID(payload_event_id))
    except ValueError:
        raise PoisonMessage("event_id is not a UUID") from None


def uuid_or_poison(value: str, field: str) -> uuid.UUID:
    """Parse a payload's UUID field, or raise PoisonMessage naming the field."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PoisonMessage(f"{field} is not a UUID") from None


def local_date_or_poison(value: LocalDateLike, field: str) -> date:
    """Build the date of a payload's LocalDate field, or raise PoisonMessage naming the field."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise PoisonMessage(f"{field} is not a date") from None


def text_or_poison(value: str, field: str, *, max_length: int) -> str:
    """Return a payload's stripped text field, or raise PoisonMessage when it is empty or too long."""
    text = value.strip()
    if not text or len(text) > max_length:
        raise PoisonMessage(f"{field} is empty or too long")
    return text


def require_field(message: Message, field: str) -> None:
    """Raise PoisonMessage when a payload's message-typed field (a timestamp, say) is unset."""
    if not message.HasField(field):
        raise PoisonMessage(f"{field} is missing")


class EventConsumer:
    """Run one durable pull consumer for one purpose of one service."""

    def __init__(
        self,
        js: JetStreamContext,
        *,
        service: str,
        stream: str,
        durable: str,
        filter_subjects: list[str],
        handler: Handler,
        max_deliver: int = 5,
        nak_delay_seconds: float = 1.0,
        ack_wait_seconds: float = 30.0,
        batch: int = 50,
        concurrency: int = 8,
        batch_handler: BatchHandler | None = None,
        linger_seconds: float = 0.0,
    ) -> None:
        self._js = js
        self._service = service
        self._stream = stream
        self._durable = durable
        self._filter_subjects = filter_subjects
        self._handler = handler
        self._max_deliver = max_deliver
        self._nak_delay = nak_delay_seconds
        self._ack_wait = ack_wait_seconds
        self._batch = batch
        self._concurrency = max(1, concurrency)
        self._batch_handler = batch_handler
        self._linger = linger_seconds if batch_handler is not None else 0.0

    async def ensure(self) -> None:
        """Create or update the durable consumer (pull_subscribe would ignore a changed config)."""
        config = ConsumerConfig(
            durable_name=self._durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            # Headroom above our own limit: a failed dead-letter publish can still be retried.
            max_deliver=self._max_deliver + DEAD_LETTER_RETRIES,
            ack_wait=self._ack_wait,
        )
        if len(self._filter_subjects) == 1:
            config.filter_subject = self._filter_subjects[0]
        else:
            config.filter_subjects = list(self._filter_subjects)
        await self._js.add_consumer(self._stream, config)

    async def process(self, msg: Msg) -> None:
        """Apply one message and settle it with ack, nak or term."""
        headers = msg.headers or {}
        envelope = self._envelope(msg)
        token = correlation_id_var.set(headers.get("Ejournal-Correlation-Id", "") or new_id())
        try:
            await self._handler(envelope)
        except asyncio.CancelledError:
            raise
        except PoisonMessage as exc:
            await self._dead_letter(msg, envelope, repr(exc))
        except Exception as exc:
            if envelope.num_delivered >= self._max_deliver:
                log.exception("event failed on its last delivery", extra=self._log_fields(envelope))
                await self._dead_letter(msg, envelope, repr(exc))
            else:
                delay = min(MAX_RETRY_DELAY_SECONDS, self._nak_delay * 2 ** (envelope.num_delivered - 1))
                log.warning(
                    "event failed, will retry",
                    extra={**self._log_fields(envelope), "error": repr(exc), "retry_in_s": delay},
                )
                await msg.nak(delay=delay)
        else:
            await msg.ack()
        finally:
            correlation_id_var.reset(token)

    async def process_batch(self, msgs: Sequence[Msg]) -> None:
        """Apply a fetched batch, up to `concurrency` messages at a time, each settled on its own.

        Each message is still applied in its own transaction and acked only after its commit; the
        messages of a batch are independent deliveries (as they are across replicas sharing the
        durable), so handlers already must not depend on their order.

        With a batch handler the whole batch is first applied at once (one transaction, stream
        order) and every message acked after its commit; if that fails (a poison message, a fault),
        nothing of it was committed and the messages go one by one through `process` instead, so
        each is acked, retried or dead-lettered on its own as without one.
        """
        if self._batch_handler is not None and len(msgs) > 1 and await self._apply_together(msgs):
            return
        if self._concurrency == 1 or len(msgs) == 1:
            for msg in msgs:
                await self.process(msg)
            return
        slots = asyncio.Semaphore(self._concurrency)

        async def bounded(msg: Msg) -> None:
            async with slots:
                await self.process(msg)

        outcomes = await asyncio.gather(*(bounded(msg) for msg in msgs), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _more(self, sub: JetStreamContext.PullSubscription, room: int) -> list[Msg]:
        """Wait the linger, then take what has arrived meanwhile (up to `room`): under a steady
        trickle a batch handler gets several events per transaction instead of one."""
        await asyncio.sleep(self._linger)
        try:
            return list(await sub.fetch(room, timeout=0.05))
        except TimeoutError:
            return []
        except Exception:
            # What was fetched first is still applied; these come again after their ack wait.
            log.warning("fetch after the linger failed", extra={"consumer": self._durable}, exc_info=True)
            return []

    async def _apply_together(self, msgs: Sequence[Msg]) -> bool:
        """Apply the batch with the batch handler and ack it; return False when it failed as a whole."""
        assert self._batch_handler is not None
        token = correlation_id_var.set(new_id())
        try:
            await self._batch_handler([self._envelope(msg) for msg in msgs])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info(
                "batch failed, applying its events one by one",
                extra={"consumer": self._durable, "events": len(msgs), "error": repr(exc)},
            )
            return False
        finally:
            correlation_id_var.reset(token)
        for msg in msgs:
            await msg.ack()
        return True

    @staticmethod
    def _envelope(msg: Msg) -> Envelope:
        headers = msg.headers or {}
        meta = msg.metadata
        return Envelope(
            event_id=headers.get("Nats-Msg-Id", "") or f"seq-{meta.sequence.stream}",
            subject=msg.subject,
            data=msg.data,
            num_delivered=meta.num_delivered,
            event_type=headers.get("Ejournal-Event-Type", ""),
        )

    async def _dead_letter(self, msg: Msg, envelope: Envelope, error: str) -> None:
        headers = {
            "Nats-Msg-Id": f"dlq-{self._durable}-{envelope.event_id}",
            "Ejournal-Original-Subject": envelope.subject,
            "Ejournal-Original-Event-Id": envelope.event_id,
            "Ejournal-Consumer": self._durable,
            "Ejournal-Error": error[:500],
            "Ejournal-Deliveries": str(envelope.num_delivered),
        }
        try:
            await self._js.publish(dlq_subject(self._service), envelope.data, headers=headers)
        except Exception:
            # Never lose the event and never stop the consumer: let JetStream deliver it again.
            log.exception("dead-letter publish failed, will retry", extra=self._log_fields(envelope))
            await msg.nak(delay=self._nak_delay)
            return
        await msg.term()
        log.error("event dead-lettered", extra={**self._log_fields(envelope), "error": error[:500]})

    def _log_fields(self, envelope: Envelope) -> dict[str, object]:
        return {
            "consumer": self._durable,
            "subject": envelope.subject,
            "event_id": envelope.event_id,
            "deliveries": envelope.num_delivered,
        }

    async def run(self) -> None:
        """Fetch and process batches until cancelled."""
        await self.ensure()
        sub = await self._js.pull_subscribe_bind(self._durable, self._stream)
        try:
            while True:
                try:
                    msgs = await sub.fetch(self._batch, timeout=1.0)
                    if self._linger and len(msgs) < self._batch:
                        msgs += await self._more(sub, self._batch - len(msgs))
                except TimeoutError:
                    continue
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("fetch failed", extra={"consumer": self._durable})
                    await asyncio.sleep(1.0)
                    continue
                await self.process_batch(msgs)
        finally:
            await sub.unsubscribe()


EventHandler = Callable[[M, Delivery], Awaitable[object]]
"""A use case applying one decoded event: `handlers.project_mark(event_to_command(e), delivery)`."""

BatchEventHandler = Callable[[Sequence[tuple[M, Delivery]]], Awaitable[object]]
"""A use case applying a fetched batch of decoded events in one transaction, in stream order."""


def on_event(
    event_type: type[M], consumer: str, handle: EventHandler[M], *, subject_prefix: str = ""
) -> Handler:
    """Wrap a typed handler: decode the payload, check its producer, id and time, key the delivery,
    call it."""
    has_time = "occurred_at" in event_type.DESCRIPTOR.fields_by_name

    async def handler(envelope: Envelope) -> None:
        event = decode(event_type, envelope)
        check_producer(event, envelope, subject_prefix=subject_prefix)
        if has_time:
            require_field(event, "occurred_at")
        delivery = Delivery(
            event_id=event_key(getattr(event, "event_id", ""), envelope),
            consumer=consumer,
            subject=envelope.subject,
        )
        await handle(event, delivery)

    return handler


def on_events(
    event_type: type[M], consumer: str, handle: BatchEventHandler[M], *, subject_prefix: str = ""
) -> BatchHandler:
    """Wrap a typed batch handler: decode, check and key every event as `on_event` does, then call it.

    A poison event raises before anything is applied, so the batch goes one by one and the poison
    is dead-lettered alone."""
    has_time = "occurred_at" in event_type.DESCRIPTOR.fields_by_name

    async def handler(envelopes: Sequence[Envelope]) -> None:
        items = []
        for envelope in envelopes:
            event = decode(event_type, envelope)
            check_producer(event, envelope, subject_prefix=subject_prefix)
            if has_time:
                require_field(event, "occurred_at")
            delivery = Delivery(
                event_id=event_key(getattr(event, "event_id", ""), envelope),
                consumer=consumer,
                subject=envelope.subject,
            )
            items.append((event, delivery))
        await handle(items)

    return handler


@dataclass(frozen=True)
class Subscription(Generic[M]):
    """One purpose of one service: which event it applies, under which durable name, and how."""

    event_type: type[M]
    durable: str
    handle: EventHandler[M]
    subjects: Sequence[str] = ()
    """Subjects to filter on; by default the one the event's proto declares."""
    max_deliver: int = 5
    nak_delay_seconds: float = 1.0
    concurrency: int = 8
    """How many events of a fetched batch are applied at once (1: strictly one after another)."""
    stream_name: str = ""
    """The stream to bind to; by default the producer's (tests bind to a private one)."""
    handle_batch: BatchEventHandler[M] | None = None
    """Applies a fetched batch in one transaction, in stream order (fewer commits); `handle` then
    applies the events one by one when a batch fails as a whole."""
    linger_seconds: float = 0.05
    """With `handle_batch`: after a fetch that did not fill the batch, wait this long and take what
    arrived meanwhile too (a few events per transaction under a steady trickle; adds this much lag)."""

    def filter_subjects(self) -> list[str]:
        """Return the subjects this subscription filters on."""
        return list(self.subjects) or [subject_of(self.event_type)]

    def stream(self) -> StreamSpec:
        """Return the stream that carries the event: the producer's own."""
        return service_stream(producer_of(self.filter_subjects()[0]))

    def subject_prefix(self) -> str:
        """Return the leading token of a private stream's subjects ("" on the producer's stream).

        A subscription bound to a stream of its own (`stream_name`, tests) filters on subjects that
        carry one extra leading token; the producer check reads the owner after it.
        """
        if not self.stream_name:
            return ""
        return self.filter_subjects()[0].split(".", 1)[0] + "."

    def envelope_handler(self) -> Handler:
        """Return the handler of one raw delivery: decode, check, key, apply."""
        return on_event(self.event_type, self.durable, self.handle, subject_prefix=self.subject_prefix())

    def consumer(self, js: JetStreamContext, *, service: str) -> EventConsumer:
        """Return the durable pull consumer that runs this subscription."""
        return EventConsumer(
            js,
            service=service,
            stream=self.stream_name or self.stream().name,
            durable=self.durable,
            filter_subjects=self.filter_subjects(),
            handler=self.envelope_handler(),
            max_deliver=self.max_deliver,
            nak_delay_seconds=self.nak_delay_seconds,
            concurrency=self.concurrency,
            batch_handler=(
                on_events(
                    self.event_type, self.durable, self.handle_batch, subject_prefix=self.subject_prefix()
                )
                if self.handle_batch is not None
                else None
            ),
            linger_seconds=self.linger_seconds,
        )
