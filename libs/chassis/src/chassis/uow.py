"""Unit of work: one transaction, the outbox and the inbox. The only thing that commits."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from ejournal.audit.v1 import events_pb2 as audit_events
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chassis.context import correlation_id
from chassis.events import stamp, subject_of
from chassis.idempotency import KeyScope, current_scope
from chassis.outbox import Inbox, OutboxWriter
from chassis.principal import Principal


def audit_subject(service: str) -> str:
    """Return the subject a service publishes its audit records on."""
    return f"audit.{service}.recorded.v1"


class UnitOfWork:
    """Base unit of work; a service subclass adds its repositories in `_open`."""

    session: AsyncSession
    outbox: OutboxWriter
    inbox: Inbox
    # A write call with an idempotency key defers this unit of work's commit (see `commit`).
    _scope: KeyScope | None = None
    _deferred = False
    _exited = False

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        service: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.service = service
        self._on_commit = on_commit

    def _open(self) -> None:
        """Build repositories on `self.session`; override in a service."""

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.outbox = OutboxWriter(self.session)
        self.inbox = Inbox(self.session)
        self._open()
        # In a write call with an idempotency key: lock the key and answer a repeat before anything.
        self._scope = current_scope()
        self._deferred = self._exited = False
        if self._scope is not None:
            try:
                await self._scope.enter(self.session)
            except BaseException:
                self._scope.leave()
                await self.session.close()
                raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._exited = True
        if self._scope is not None:
            self._scope.leave()
        if self._deferred:
            return  # the key scope commits (with the key) and closes it once the call has its answer
        # close() rolls back whatever was not committed without expiring loaded objects,
        # so results read in a unit of work that did not commit stay usable.
        await self.session.close()

    async def commit(self) -> None:
        """Commit the business change with its events; then nudge the outbox relay.

        In a write call with an idempotency key the commit waits for the call's answer, to be made
        with the key in this same transaction (`chassis.idempotency`); constraint errors still show
        here, at the flush.
        """
        if self._scope is not None:
            await self.session.flush()
            self._deferred = True
            await self._scope.defer(self)
            return
        await self._commit_now()

    async def release(self, *, commit: bool) -> None:
        """End a deferred commit (the key scope calls this): commit it or roll it back, and close the
        session when the unit of work has already been left."""
        self._deferred = False
        try:
            if commit:
                await self._commit_now()
        finally:
            if self._exited or not commit:
                await self.session.close()

    async def _commit_now(self) -> None:
        await self.outbox.write_staged()
        await self.session.commit()
        if self.outbox.pending and self._on_commit is not None:
            self._on_commit()
        self.outbox.pending = 0

    async def emit(self, event: Message) -> str:
        """Stage an event in this transaction's outbox, on the subject its proto declares.

        Stamps `event_id` and `occurred_at` when the caller left them empty; returns the event id.
        """
        event_id = stamp(event)
        await self.outbox.add(subject_of(event), event, event_id=event_id)
        return event_id

    async def audit(
        self,
        action: str,
        *,
        actor: Principal,
        resource_type: str,
        resource_id: str,
        subject_person_id: str = "",
    ) -> None:
        """Stage an audit record of what `actor` did, in this transaction.

        The actor is always named by the caller: a person's principal for a request, the service's
        own `system_actor` for work a consumer does, so no record is ever written without one.
        """
        if not actor.subject:
            raise ValueError("an audit record needs a named actor")
        event = audit_events.AuditRecorded(
            actor_id=actor.subject,
            actor_roles=sorted(actor.roles),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            subject_person_id=subject_person_id,
            service=self.service,
            correlation_id=correlation_id(),
        )
        event_id = stamp(event)
        await self.outbox.add(audit_subject(self.service), event, event_id=event_id)
