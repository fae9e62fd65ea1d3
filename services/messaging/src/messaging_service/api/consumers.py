"""Event consumers: decode a delivered event, turn it into a command, call the handler.

A payload that cannot be applied however often it is retried (undecodable, a malformed id or date)
raises PoisonMessage and goes to dlq.messaging. Anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from chassis.consumer import (
    Envelope,
    EventConsumer,
    PoisonMessage,
    decode,
    event_key,
    local_date_or_poison,
    uuid_or_poison,
)
from chassis.streams import service_stream
from ejournal.journal.v1 import events_pb2 as journal_events
from nats.js.client import JetStreamContext

from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.domain.subjects import MARK_RECORDED

SERVICE = "messaging"
# Same spec as the journal's own: stream config is idempotent, whoever starts first creates it.
JOURNAL_STREAM = service_stream("journal")
MARK_NOTIFICATIONS = "messaging-mark-notifications"
MAX_MARK_VALUE_LENGTH = 16
# Each mark waits on identity: retry for about 17 minutes (2 s doubling, 10 deliveries) before the
# event is dead-lettered, so a restart of identity does not cost parents their notifications.
MAX_DELIVER = 10
NAK_DELAY_SECONDS = 2.0

log = logging.getLogger(__name__)


class MarkNotifications:
    """Handle journal.mark.recorded.v1: notify the student's parents."""

    def __init__(self, handlers: MessagingHandlers, consumer: str = MARK_NOTIFICATIONS) -> None:
        self._h = handlers
        self._consumer = consumer

    async def __call__(self, envelope: Envelope) -> None:
        event = decode(journal_events.MarkRecorded, envelope)
        value = event.value.strip()
        if not value or len(value) > MAX_MARK_VALUE_LENGTH:
            raise PoisonMessage("value is empty or too long")
        cmd = commands.NotifyGuardiansOfMark(
            student_id=uuid_or_poison(event.student_id, "student_id"),
            discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
            mark_value=value,
            lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
        )
        delivery = commands.Delivery(
            event_id=event_key(event.event_id, envelope), consumer=self._consumer, subject=envelope.subject
        )
        stored = await self._h.notify_guardians_of_mark(cmd, delivery)
        log.info(
            "mark notifications stored",
            extra={"event_id": delivery.event_id, "student_id": str(cmd.student_id), "count": stored},
        )


def mark_notifications_consumer(
    js: JetStreamContext,
    handlers: MessagingHandlers,
    *,
    stream: str = JOURNAL_STREAM.name,
    durable: str = MARK_NOTIFICATIONS,
    subjects: Sequence[str] = (MARK_RECORDED,),
) -> EventConsumer:
    """Return the durable consumer that turns recorded marks into parent notifications."""
    return EventConsumer(
        js,
        service=SERVICE,
        stream=stream,
        durable=durable,
        filter_subjects=list(subjects),
        handler=MarkNotifications(handlers, consumer=durable),
        max_deliver=MAX_DELIVER,
        nak_delay_seconds=NAK_DELAY_SECONDS,
    )
