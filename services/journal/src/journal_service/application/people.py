"""The people the journal refers to: a projection of identity's person ids and roles.

Fed by identity.person.created.v1, caught up from identity on start, and asked of identity once
when a write names a person the projection does not hold yet (the event may still be in flight).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

from chassis.errors import DomainError
from chassis.events import Delivery
from ejournal.identity.v1 import identity_pb2 as ipb

from journal_service.application.ports import PersonDirectory, UnitOfWorkFactory
from journal_service.domain import people

log = logging.getLogger(__name__)
CATCH_UP_PAGE = 500
CATCH_UP_RETRY_SECONDS = 5.0


def role_from_pb(value: int) -> str | None:
    """Return the journal's name of identity's role (ROLE_CLASS_TEACHER → class_teacher), or None."""
    try:
        name = ipb.Role.Name(value).removeprefix("ROLE_").lower()  # type: ignore[arg-type]
    except ValueError:
        return None
    return name if name in people.ROLES else None


@dataclass(frozen=True)
class ProjectPersonCreated:
    """Remember a person identity created."""

    person_id: uuid.UUID
    role: str


class PeopleHandlers:
    """Keep the projection of people and answer «what role has this person» for the other handlers."""

    def __init__(self, uow: UnitOfWorkFactory, directory: PersonDirectory) -> None:
        self._uow = uow
        self._directory = directory

    async def project_person_created(self, cmd: ProjectPersonCreated, delivery: Delivery) -> bool:
        """Remember the person, once per event; False when the event was applied before."""
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            await uow.people.remember([(cmd.person_id, cmd.role)])
            await uow.commit()
            return True

    async def catch_up(self, page_size: int = CATCH_UP_PAGE) -> int:
        """Page through identity's people into the projection; return how many were remembered."""
        after: uuid.UUID | None = None
        total = 0
        while True:
            page, after = await self._directory.page(after, page_size)
            if page:
                async with self._uow() as uow:
                    await uow.people.remember(page)
                    await uow.commit()
                total += len(page)
            if after is None:
                return total

    async def catch_up_until_done(self, retry_seconds: float = CATCH_UP_RETRY_SECONDS) -> None:
        """Catch up once identity answers (run beside the server on start); retry until then.

        Meanwhile a write naming a person the projection lacks asks identity for that person.
        """
        while True:
            try:
                count = await self.catch_up()
            except DomainError as exc:
                # Expected while identity or Keycloak is still starting: one line, no traceback.
                log.warning("people catch-up failed; retrying", extra={"reason": exc.code})
                await asyncio.sleep(retry_seconds)
                continue
            except Exception:
                log.exception("people catch-up failed; retrying")
                await asyncio.sleep(retry_seconds)
                continue
            log.info("people caught up from identity", extra={"people": count})
            return

    async def role_of(self, person_id: uuid.UUID) -> str | None:
        """Return the person's role from the projection, or ask identity once and remember the answer.

        None: identity does not know the person either. Identity unreachable: ServiceUnavailable.
        """
        async with self._uow() as uow:
            role = await uow.people.role_of(person_id)
        if role is not None:
            return role
        found = await self._directory.roles_of([person_id])
        role = found.get(person_id)
        if role is not None:
            async with self._uow() as uow:
                await uow.people.remember([(person_id, role)])
                await uow.commit()
        return role
