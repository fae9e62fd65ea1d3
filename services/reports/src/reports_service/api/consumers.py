"""Event consumers: decode a delivered event, turn it into a command, call the handler.

A payload that cannot be applied however often it is retried (undecodable, a malformed id, date or
time) raises PoisonMessage and goes to dlq.reports. Anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, date

from chassis.consumer import Envelope, EventConsumer, PoisonMessage, decode
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import events_pb2 as journal_events
from nats.js.client import JetStreamContext

from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers
from reports_service.domain.subjects import MARK_RECORDED

SERVICE = "reports"
JOURNAL_STREAM_NAME = "JOURNAL"
MARK_FACTS = "reports-mark-facts"
MAX_MARK_VALUE_LENGTH = 16

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


class MarkFacts:
    """Handle journal.mark.recorded.v1: add the mark to the projection."""

    def __init__(self, handlers: ReportsHandlers, consumer: str = MARK_FACTS) -> None:
        self._h = handlers
        self._consumer = consumer

    async def __call__(self, envelope: Envelope) -> None:
        event = decode(journal_events.MarkRecorded, envelope)
        value = event.value.strip()
        if not value or len(value) > MAX_MARK_VALUE_LENGTH:
            raise PoisonMessage("value is empty or too long")
        if not event.HasField("occurred_at"):
            raise PoisonMessage("occurred_at is missing")
        cmd = commands.ProjectMarkRecorded(
            mark_id=_uuid(event.mark_id, "mark_id"),
            group_id=_uuid(event.group_id, "group_id"),
            discipline_id=_uuid(event.discipline_id, "discipline_id"),
            student_id=_uuid(event.student_id, "student_id"),
            value=value,
            lesson_date=_date(event.lesson_date, "lesson_date"),
            recorded_at=event.occurred_at.ToDatetime(tzinfo=UTC),
        )
        delivery = commands.Delivery(
            event_id=event_key(event.event_id, envelope), consumer=self._consumer, subject=envelope.subject
        )
        if await self._h.project_mark_recorded(cmd, delivery):
            log.debug("mark projected", extra={"event_id": delivery.event_id, "mark_id": str(cmd.mark_id)})


def mark_facts_consumer(
    js: JetStreamContext,
    handlers: ReportsHandlers,
    *,
    stream: str = JOURNAL_STREAM_NAME,
    durable: str = MARK_FACTS,
    subjects: Sequence[str] = (MARK_RECORDED,),
) -> EventConsumer:
    """Return the durable consumer that keeps the mark projection."""
    return EventConsumer(
        js,
        service=SERVICE,
        stream=stream,
        durable=durable,
        filter_subjects=list(subjects),
        handler=MarkFacts(handlers, consumer=durable),
    )
