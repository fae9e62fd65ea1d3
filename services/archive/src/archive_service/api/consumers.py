"""Event consumers: decode a delivered audit event, turn it into a command, call the handler.

A payload that cannot be applied however often it is retried (undecodable, no action, no service,
no time) raises PoisonMessage and goes to dlq.archive. Anything else that fails is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC

from chassis.consumer import Envelope, EventConsumer, PoisonMessage, decode, event_key, require_field
from chassis.streams import AUDIT_STREAM
from ejournal.audit.v1 import events_pb2 as audit_events
from nats.js.client import JetStreamContext

from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from archive_service.domain.subjects import AUDIT_RECORDED

SERVICE = "archive"
AUDIT_LOG = "archive-audit-log"

log = logging.getLogger(__name__)


class AuditLog:
    """Handle audit.<service>.recorded.v1: append the record to the hash-chained log."""

    def __init__(self, handlers: ArchiveHandlers, consumer: str = AUDIT_LOG) -> None:
        self._h = handlers
        self._consumer = consumer

    async def __call__(self, envelope: Envelope) -> None:
        event = decode(audit_events.AuditRecorded, envelope)
        if not event.action.strip() or not event.service.strip():
            raise PoisonMessage("action or service is missing")
        require_field(event, "occurred_at")
        event_id = event_key(event.event_id, envelope)
        cmd = commands.AppendAuditRecord(
            event_id=event_id,
            occurred_at=event.occurred_at.ToDatetime(tzinfo=UTC),
            actor_id=event.actor_id,
            actor_roles=tuple(event.actor_roles),
            action=event.action,
            resource_type=event.resource_type,
            resource_id=event.resource_id,
            subject_person_id=event.subject_person_id,
            service=event.service,
            correlation_id=event.correlation_id,
        )
        delivery = commands.Delivery(event_id=event_id, consumer=self._consumer, subject=envelope.subject)
        if await self._h.append_audit_record(cmd, delivery):
            log.debug("audit record appended", extra={"event_id": event_id, "source": cmd.service})


def audit_log_consumer(
    js: JetStreamContext,
    handlers: ArchiveHandlers,
    *,
    stream: str = AUDIT_STREAM.name,
    durable: str = AUDIT_LOG,
    subjects: Sequence[str] = (AUDIT_RECORDED,),
) -> EventConsumer:
    """Return the durable consumer that appends every service's audit records to the log."""
    return EventConsumer(
        js,
        service=SERVICE,
        stream=stream,
        durable=durable,
        filter_subjects=list(subjects),
        handler=AuditLog(handlers, consumer=durable),
    )
