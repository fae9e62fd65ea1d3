"""Events messaging applies: each becomes a command, checked here (a bad payload is PoisonMessage).

A payload that cannot be applied however often it is retried (undecodable, a malformed id or date)
goes to dlq.messaging; anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from chassis.consumer import Subscription, local_date_or_poison, text_or_poison, uuid_or_poison
from chassis.events import Delivery
from ejournal.identity.v1 import events_pb2 as identity_events
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb
from ejournal.journal.v1 import events_pb2 as journal_events

from messaging_service.application import commands
from messaging_service.application.guardianships import ProjectGuardianLinked
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.application.parent_access import ProjectParentAccessChanged
from messaging_service.domain.model import NotificationKind
from messaging_service.domain.parent_access import AccessFact

MARK_NOTIFICATIONS = "messaging-mark-notifications"
MARK_CHANGE_NOTIFICATIONS = "messaging-mark-change-notifications"
MARK_REMOVAL_NOTIFICATIONS = "messaging-mark-removal-notifications"
GUARDIANSHIPS = "messaging-guardianships"
PARENT_ACCESS = "messaging-parent-access"
MAX_MARK_VALUE_LENGTH = 16
# The first mark of a student the projection never fetched waits on identity: retry for about
# 17 minutes (2 s doubling, 10 deliveries) before the event is dead-lettered, so a restart of
# identity does not cost parents their notifications.
MAX_DELIVER = 10
NAK_DELAY_SECONDS = 2.0

log = logging.getLogger(__name__)


def notify_guardians_command(event: journal_events.MarkRecorded) -> commands.NotifyGuardiansOfMark:
    """Turn journal.mark.recorded.v1 into the command that notifies the student's parents."""
    value = text_or_poison(event.value, "value", max_length=MAX_MARK_VALUE_LENGTH)
    return commands.NotifyGuardiansOfMark(
        student_id=uuid_or_poison(event.student_id, "student_id"),
        discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
        mark_value=value,
        lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
    )


def mark_notifications(handlers: MessagingHandlers) -> Subscription[journal_events.MarkRecorded]:
    """Tell parents about their child's marks: every recorded mark, once."""

    async def handle(event: journal_events.MarkRecorded, delivery: Delivery) -> None:
        cmd = notify_guardians_command(event)
        stored = await handlers.notify_guardians_of_mark(cmd, delivery)
        log.info(
            "mark notifications stored",
            extra={"event_id": delivery.event_id, "student_id": str(cmd.student_id), "count": stored},
        )

    async def handle_batch(items: Sequence[tuple[journal_events.MarkRecorded, Delivery]]) -> None:
        stored = await handlers.notify_guardians_of_marks(
            [(notify_guardians_command(event), delivery) for event, delivery in items]
        )
        log.info("mark notifications stored", extra={"events": len(items), "count": stored})

    # A fetched batch is stored in one transaction (one commit instead of one per mark) when every
    # student of it is in the guardianship projection; otherwise one by one, identity asked.
    return Subscription(
        journal_events.MarkRecorded,
        MARK_NOTIFICATIONS,
        handle,
        max_deliver=MAX_DELIVER,
        nak_delay_seconds=NAK_DELAY_SECONDS,
        handle_batch=handle_batch,
    )


def guardian_linked_command(event: identity_events.GuardianLinked) -> ProjectGuardianLinked:
    """Turn identity.guardian.linked.v1 into the command that adds the link to the projection."""
    return ProjectGuardianLinked(
        parent_id=uuid_or_poison(event.parent_id, "parent_id"),
        student_id=uuid_or_poison(event.student_id, "student_id"),
    )


def guardianships(handlers: MessagingHandlers) -> Subscription[identity_events.GuardianLinked]:
    """Keep the projection of guardianships: every link identity makes, once."""

    async def handle(event: identity_events.GuardianLinked, delivery: Delivery) -> None:
        cmd = guardian_linked_command(event)
        if await handlers.guardianships.project_guardian_linked(cmd, delivery):
            log.debug(
                "guardianship projected",
                extra={"event_id": delivery.event_id, "student_id": str(cmd.student_id)},
            )

    return Subscription(identity_events.GuardianLinked, GUARDIANSHIPS, handle)


def parent_access_changed_command(event: facts_pb.ParentAccessChanged) -> ProjectParentAccessChanged:
    """Turn identity.parent_access.changed.v1 into the command that keeps the link's access end."""
    fact = event.fact
    until = local_date_or_poison(fact.access_until, "access_until") if fact.HasField("access_until") else None
    return ProjectParentAccessChanged(
        fact=AccessFact(
            student_id=uuid_or_poison(fact.student_id, "student_id"),
            parent_id=uuid_or_poison(fact.parent_id, "parent_id"),
            access_until=until,
        ),
        occurred_at=event.occurred_at.ToDatetime(tzinfo=UTC),
    )


def parent_access(handlers: MessagingHandlers) -> Subscription[facts_pb.ParentAccessChanged]:
    """Keep the projection of parents' access (ADR 0013): identity's newest fact of each link."""

    async def handle(event: facts_pb.ParentAccessChanged, delivery: Delivery) -> None:
        cmd = parent_access_changed_command(event)
        if await handlers.parent_access.project_changed(cmd, delivery):
            log.debug(
                "parent access projected",
                extra={"event_id": delivery.event_id, "student_id": str(cmd.fact.student_id)},
            )

    return Subscription(facts_pb.ParentAccessChanged, PARENT_ACCESS, handle)


def _changed_mark_command(
    event: journal_events.MarkChanged | journal_events.MarkRemoved, value: str, kind: NotificationKind
) -> commands.NotifyGuardiansOfMark:
    return commands.NotifyGuardiansOfMark(
        student_id=uuid_or_poison(event.student_id, "student_id"),
        discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
        mark_value=text_or_poison(value, "value", max_length=MAX_MARK_VALUE_LENGTH),
        lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
        kind=kind,
    )


def mark_changed_command(event: journal_events.MarkChanged) -> commands.NotifyGuardiansOfMark:
    """Turn journal.mark.changed.v1 into the command that tells the parents the new value."""
    return _changed_mark_command(event, event.value, NotificationKind.MARK_CHANGED)


def mark_removed_command(event: journal_events.MarkRemoved) -> commands.NotifyGuardiansOfMark:
    """Turn journal.mark.removed.v1 into the command that tells the parents which mark went."""
    return _changed_mark_command(event, event.old_value, NotificationKind.MARK_REMOVED)


def _mark_followers(
    handlers: MessagingHandlers,
    event_type: type[Any],
    durable: str,
    command: Any,
) -> Subscription[Any]:
    async def handle(event: Any, delivery: Delivery) -> None:
        stored = await handlers.notify_guardians_of_mark(command(event), delivery)
        log.info("mark notifications stored", extra={"event_id": delivery.event_id, "count": stored})

    async def handle_batch(items: Sequence[tuple[Any, Delivery]]) -> None:
        stored = await handlers.notify_guardians_of_marks([(command(e), d) for e, d in items])
        log.info("mark notifications stored", extra={"events": len(items), "count": stored})

    # As mark_notifications: batched when the batch's students are all in the projection.
    return Subscription(
        event_type,
        durable,
        handle,
        max_deliver=MAX_DELIVER,
        nak_delay_seconds=NAK_DELAY_SECONDS,
        handle_batch=handle_batch,
    )


def mark_change_notifications(handlers: MessagingHandlers) -> Subscription[journal_events.MarkChanged]:
    """Tell parents that a mark of their child was changed, with the new value."""
    return _mark_followers(
        handlers, journal_events.MarkChanged, MARK_CHANGE_NOTIFICATIONS, mark_changed_command
    )


def mark_removal_notifications(handlers: MessagingHandlers) -> Subscription[journal_events.MarkRemoved]:
    """Tell parents that a mark of their child was removed."""
    return _mark_followers(
        handlers, journal_events.MarkRemoved, MARK_REMOVAL_NOTIFICATIONS, mark_removed_command
    )


def subscriptions(handlers: MessagingHandlers) -> list[Subscription[Any]]:
    """Return every subscription of the service; the composition root runs them all."""
    return [
        guardianships(handlers),
        parent_access(handlers),
        mark_notifications(handlers),
        mark_change_notifications(handlers),
        mark_removal_notifications(handlers),
    ]
