"""Event consumers: decode a delivered event, turn it into a command, call the handler.

A payload that cannot be applied however often it is retried (undecodable, a malformed id or date)
raises PoisonMessage and goes to dlq.messaging. Anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date

from chassis.consumer import Envelope, EventConsumer, PoisonMessage, decode
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import events_pb2 as journal_events
from nats.js.client import JetStreamContext

from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.domain.subjects import MARK_RECORDED

SERVICE = "messaging"
JOURNAL_STREAM_NAME = "JOURNAL"
MARK_NOTIFICATIONS = "messaging-mark-notifications"
MAX_MARK_VALUE_LENGTH = 16
# Each mark waits on identity: retry for about 17 minutes (2 s doubling, 10 deliveries) before the
# event is dead-lettered, so a restart of identity does not cost parents their notifications.
MAX_DELIVER = 10
NAK_DELAY_SECONDS = 2.0

log = logging.getLogger(__name__)


def event_key(payload_event_id: str, envelope: Envelope) -> str:
    """Return the id the inbox remembers: the event's own id, else the Nats-Msg-Id.

    Producers publish with Nats-Msg-Id = event id, so both agree; preferring the payload's id also
    absorbs a republish of the same event under a new message id.
    """
    if not payload_event_id:
        return envelope.event_id
    try:
        return str(uuid.UUID(payload_event_id))
    except ValueError:
        raise PoisonMessage("event_id is not a UUID") from None


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PoisonMessage(f"{field} is not a UUID") from None


def _date(value: common_pb2.LocalDate, field: str) -> date:
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise PoisonMessage(f"{field} is not a date") from None


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
            student_id=_uuid(event.student_id, "student_id"),
            discipline_id=_uuid(event.discipline_id, "discipline_id"),
            mark_value=value,
            lesson_date=_date(event.lesson_date, "lesson_date"),
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
    stream: str = JOURNAL_STREAM_NAME,
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
