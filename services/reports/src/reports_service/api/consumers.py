"""Events reports applies: each becomes a command, checked here (a bad payload is PoisonMessage).

A payload that cannot be applied however often it is retried (undecodable, a malformed id, date or
time) goes to dlq.reports; anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from chassis.consumer import (
    PoisonMessage,
    Subscription,
    local_date_or_poison,
    text_or_poison,
    uuid_or_poison,
)
from chassis.events import Delivery
from ejournal.journal.v1 import events_pb2 as journal_events

from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers
from reports_service.application.substitutions import ProjectSubstitution
from reports_service.domain.substitutions import SubstitutionFact

MARK_FACTS = "reports-mark-facts"
MARK_CHANGES = "reports-mark-changes"
MARK_REMOVALS = "reports-mark-removals"
SUBSTITUTIONS = "reports-substitutions"
SUBSTITUTION_CANCELLATIONS = "reports-substitution-cancellations"
MAX_PAIR_NUMBER = 12
MAX_MARK_VALUE_LENGTH = 16

log = logging.getLogger(__name__)


def project_mark_command(event: journal_events.MarkRecorded) -> commands.ProjectMarkRecorded:
    """Turn journal.mark.recorded.v1 into the command that adds it to the projection."""
    value = text_or_poison(event.value, "value", max_length=MAX_MARK_VALUE_LENGTH)
    return commands.ProjectMarkRecorded(
        mark_id=uuid_or_poison(event.mark_id, "mark_id"),
        group_id=uuid_or_poison(event.group_id, "group_id"),
        discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
        student_id=uuid_or_poison(event.student_id, "student_id"),
        value=value,
        lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
        recorded_at=event.occurred_at.ToDatetime(tzinfo=UTC),
    )


def mark_facts(handlers: ReportsHandlers) -> Subscription[journal_events.MarkRecorded]:
    """Keep the mark projection: every recorded mark, once."""

    async def handle(event: journal_events.MarkRecorded, delivery: Delivery) -> None:
        if await handlers.project_mark_recorded(project_mark_command(event), delivery):
            log.debug("mark projected", extra={"event_id": delivery.event_id, "mark_id": event.mark_id})

    async def handle_batch(items: Sequence[tuple[journal_events.MarkRecorded, Delivery]]) -> None:
        applied = await handlers.project_marks_recorded([(project_mark_command(e), d) for e, d in items])
        log.debug("marks projected", extra={"events": len(items), "applied": applied})

    # A fetched batch is projected in one transaction (one commit instead of one per mark).
    return Subscription(journal_events.MarkRecorded, MARK_FACTS, handle, handle_batch=handle_batch)


def _change_command(
    event: journal_events.MarkChanged | journal_events.MarkRemoved, value: str, *, removed: bool
) -> commands.ProjectMarkChanged:
    return commands.ProjectMarkChanged(
        mark_id=uuid_or_poison(event.mark_id, "mark_id"),
        group_id=uuid_or_poison(event.group_id, "group_id"),
        discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
        student_id=uuid_or_poison(event.student_id, "student_id"),
        value=text_or_poison(value, "value", max_length=MAX_MARK_VALUE_LENGTH),
        lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
        occurred_at=event.occurred_at.ToDatetime(tzinfo=UTC),
        removed=removed,
    )


def mark_changed_command(event: journal_events.MarkChanged) -> commands.ProjectMarkChanged:
    """Turn journal.mark.changed.v1 into the command that sets the mark's new value."""
    return _change_command(event, event.value, removed=False)


def mark_removed_command(event: journal_events.MarkRemoved) -> commands.ProjectMarkChanged:
    """Turn journal.mark.removed.v1 into the command that takes the mark out of the summaries."""
    return _change_command(event, event.old_value, removed=True)


def mark_changes(handlers: ReportsHandlers) -> Subscription[journal_events.MarkChanged]:
    """A changed mark counts with its new value in the summaries."""

    async def handle(event: journal_events.MarkChanged, delivery: Delivery) -> None:
        await handlers.project_mark_changes([(mark_changed_command(event), delivery)])

    async def handle_batch(items: Sequence[tuple[journal_events.MarkChanged, Delivery]]) -> None:
        await handlers.project_mark_changes([(mark_changed_command(e), d) for e, d in items])

    return Subscription(journal_events.MarkChanged, MARK_CHANGES, handle, handle_batch=handle_batch)


def mark_removals(handlers: ReportsHandlers) -> Subscription[journal_events.MarkRemoved]:
    """A removed mark leaves the summaries (kept as removed, so a late MarkRecorded cannot return it)."""

    async def handle(event: journal_events.MarkRemoved, delivery: Delivery) -> None:
        await handlers.project_mark_changes([(mark_removed_command(event), delivery)])

    async def handle_batch(items: Sequence[tuple[journal_events.MarkRemoved, Delivery]]) -> None:
        await handlers.project_mark_changes([(mark_removed_command(e), d) for e, d in items])

    return Subscription(journal_events.MarkRemoved, MARK_REMOVALS, handle, handle_batch=handle_batch)


def substitution_command(
    event: journal_events.SubstitutionRecorded | journal_events.SubstitutionCancelled,
) -> ProjectSubstitution:
    """Turn journal.substitution.recorded.v1 / cancelled.v1 into the command that projects it."""
    if not 1 <= event.pair_number <= MAX_PAIR_NUMBER:
        raise PoisonMessage("pair_number is out of range")
    return ProjectSubstitution(
        SubstitutionFact(
            substitution_id=uuid_or_poison(event.substitution_id, "substitution_id"),
            group_id=uuid_or_poison(event.group_id, "group_id"),
            discipline_id=uuid_or_poison(event.discipline_id, "discipline_id"),
            lesson_date=local_date_or_poison(event.lesson_date, "lesson_date"),
            pair_number=event.pair_number,
            teacher_id=uuid_or_poison(event.teacher_id, "teacher_id"),
            substitute_teacher_id=uuid_or_poison(event.substitute_teacher_id, "substitute_teacher_id"),
            cancelled=isinstance(event, journal_events.SubstitutionCancelled),
        )
    )


def substitutions_recorded(handlers: ReportsHandlers) -> Subscription[journal_events.SubstitutionRecorded]:
    """Project every substitution the journal records (slice L), once."""

    async def handle(event: journal_events.SubstitutionRecorded, delivery: Delivery) -> None:
        await handlers.substitutions.project([(substitution_command(event), delivery)])

    async def handle_batch(items: Sequence[tuple[journal_events.SubstitutionRecorded, Delivery]]) -> None:
        await handlers.substitutions.project([(substitution_command(e), d) for e, d in items])

    return Subscription(journal_events.SubstitutionRecorded, SUBSTITUTIONS, handle, handle_batch=handle_batch)


def substitutions_cancelled(handlers: ReportsHandlers) -> Subscription[journal_events.SubstitutionCancelled]:
    """A cancelled substitution leaves the report (kept as cancelled, so a late record cannot return it)."""

    async def handle(event: journal_events.SubstitutionCancelled, delivery: Delivery) -> None:
        await handlers.substitutions.project([(substitution_command(event), delivery)])

    async def handle_batch(items: Sequence[tuple[journal_events.SubstitutionCancelled, Delivery]]) -> None:
        await handlers.substitutions.project([(substitution_command(e), d) for e, d in items])

    return Subscription(
        journal_events.SubstitutionCancelled, SUBSTITUTION_CANCELLATIONS, handle, handle_batch=handle_batch
    )


def subscriptions(handlers: ReportsHandlers) -> list[Subscription[Any]]:
    """Return every subscription of the service; the composition root runs them all."""
    return [
        mark_facts(handlers),
        mark_changes(handlers),
        mark_removals(handlers),
        substitutions_recorded(handlers),
        substitutions_cancelled(handlers),
    ]
