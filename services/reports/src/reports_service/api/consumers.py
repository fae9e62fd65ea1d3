"""Event consumers: decode a delivered event, turn it into a command, call the handler.

A payload that cannot be applied however often it is retried (undecodable, a malformed id, date or
time) raises PoisonMessage and goes to dlq.reports. Anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC

from chassis.consumer import (
    Envelope,
    EventConsumer,
    PoisonMessage,
    decode,
    event_key,
    local_date_or_poison,
    require_field,
    uuid_or_poison,
)
from chassis.streams import service_stream
from ejournal.journal.v1 import events_pb2 as journal_events
from nats.js.client import JetStreamContext

from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers
from reports_service.domain.subjects import MARK_RECORDED

SERVICE = "reports"
# Same spec as the journal's own: stream config is idempotent, whoever starts first creates it.
JOURNAL_STREAM = service_stream("journal")
MARK_FACTS = "reports-mark-facts"
MAX_MARK_VALUE_LENGTH = 16

log = logging.getLogger(__name__)


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
        require_field(event, "occurred_at")
        cmd = commands.ProjectMarkRecorded(
            mark_id=uuid_or_poison(event.mark_id, "mark_id"),
            group_id=uuid_or_poison(event.group_id, "group_id"),
            discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
            student_id=uuid_or_poison(event.student_id, "student_id"),
            value=value,
            lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
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
    stream: str = JOURNAL_STREAM.name,
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
