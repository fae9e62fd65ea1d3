"""Events the journal applies: each becomes a command, checked here (a bad payload is PoisonMessage).

A payload that cannot be applied however often it is retried (undecodable, a malformed id, an
unknown role) goes to dlq.journal; anything else that fails is retried by the chassis.
"""

from __future__ import annotations

import logging
from typing import Any

from chassis.consumer import PoisonMessage, Subscription, uuid_or_poison
from chassis.events import Delivery
from ejournal.identity.v1 import events_pb2 as identity_events

from journal_service.api.imported_students import imported_students
from journal_service.application.handlers import JournalHandlers
from journal_service.application.people import ProjectPersonCreated, role_from_pb

PEOPLE = "journal-people"

log = logging.getLogger(__name__)


def person_created_command(event: identity_events.PersonCreated) -> ProjectPersonCreated:
    """Turn identity.person.created.v1 into the command that adds the person to the projection."""
    role = role_from_pb(event.role)
    if role is None:
        raise PoisonMessage(f"unknown role {int(event.role)}")
    return ProjectPersonCreated(person_id=uuid_or_poison(event.person_id, "person_id"), role=role)


def people(handlers: JournalHandlers) -> Subscription[identity_events.PersonCreated]:
    """Keep the projection of people: every person identity creates, once."""

    async def handle(event: identity_events.PersonCreated, delivery: Delivery) -> None:
        if await handlers.people.project_person_created(person_created_command(event), delivery):
            log.debug("person projected", extra={"event_id": delivery.event_id, "person_id": event.person_id})

    return Subscription(identity_events.PersonCreated, PEOPLE, handle)


def subscriptions(handlers: JournalHandlers) -> list[Subscription[Any]]:
    """Return every subscription of the service; the composition root runs them all."""
    return [people(handlers), imported_students(handlers.imported_students)]
