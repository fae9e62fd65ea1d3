"""Events the archive applies: each becomes a command, checked here (a bad payload is PoisonMessage).

A payload that cannot be applied however often it is retried (undecodable, no action, no service,
no time) goes to dlq.archive; anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from chassis.consumer import PoisonMessage, Subscription
from chassis.events import Delivery
from ejournal.audit.v1 import events_pb2 as audit_events

from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers

AUDIT_LOG = "archive-audit-log"
# AuditRecorded declares no subject of its own: every service records on audit.<service>.recorded.v1.
AUDIT_SUBJECTS = ("audit.>",)

log = logging.getLogger(__name__)


def append_audit_record_command(
    event: audit_events.AuditRecorded, event_id: str
) -> commands.AppendAuditRecord:
    """Turn audit.<service>.recorded.v1, delivered as `event_id`, into the command that appends it."""
    if not event.action.strip() or not event.service.strip():
        raise PoisonMessage("action or service is missing")
    return commands.AppendAuditRecord(
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


def audit_log(handlers: ArchiveHandlers) -> Subscription[audit_events.AuditRecorded]:
    """Keep the hash-chained audit log: every service's audit records, once."""

    async def handle(event: audit_events.AuditRecorded, delivery: Delivery) -> None:
        cmd = append_audit_record_command(event, delivery.event_id)
        if await handlers.append_audit_record(cmd, delivery):
            log.debug("audit record appended", extra={"event_id": delivery.event_id, "source": cmd.service})

    async def handle_batch(items: Sequence[tuple[audit_events.AuditRecorded, Delivery]]) -> None:
        cmds = [(append_audit_record_command(event, d.event_id), d) for event, d in items]
        appended = await handlers.append_audit_records(cmds)
        log.debug("audit records appended", extra={"events": len(cmds), "appended": appended})

    # A fetched batch is appended in one transaction under one lock, in stream order (one commit
    # instead of one per record); one at a time when a batch fails, never concurrently, so the log
    # reads in the order the records were published.
    return Subscription(
        audit_events.AuditRecorded,
        AUDIT_LOG,
        handle,
        subjects=AUDIT_SUBJECTS,
        concurrency=1,
        handle_batch=handle_batch,
    )


def subscriptions(handlers: ArchiveHandlers) -> list[Subscription[Any]]:
    """Return every subscription of the service; the composition root runs them all."""
    return [audit_log(handlers)]
