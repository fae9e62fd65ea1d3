"""Unit of work: one transaction, the outbox and the inbox. The only thing that commits."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from ejournal.audit.v1 import events_pb2 as audit_events
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chassis.context import correlation_id, current_principal, new_id
from chassis.outbox import Inbox, OutboxWriter
from chassis.timestamps import now_timestamp


def audit_subject(service: str) -> str:
    """Return the subject a service publishes its audit records on."""
    return f"audit.{service}.recorded.v1"


class UnitOfWork:
    """Base unit of work; a service subclass adds its repositories in `_open`."""

    session: AsyncSession
    outbox: OutboxWriter
    inbox: Inbox

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
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed without expiring loaded objects,
        # so results read in a unit of work that did not commit stay usable.
        await self.session.close()

    async def commit(self) -> None:
        """Commit the business change with its events; then nudge the outbox relay."""
        await self.session.commit()
        if self.outbox.pending and self._on_commit is not None:
            self._on_commit()
        self.outbox.pending = 0

    async def publish(self, subject: str, message: Message, *, event_id: str) -> None:
        """Stage an event in the outbox of this transaction."""
        await self.outbox.add(subject, message, event_id=event_id)

    async def audit(
        self, action: str, *, resource_type: str, resource_id: str, subject_person_id: str = ""
    ) -> None:
        """Stage an audit record of the current principal's action, in this transaction."""
        principal = current_principal()
        event = audit_events.AuditRecorded(
            event_id=new_id(),
            occurred_at=now_timestamp(),
            actor_id=principal.subject if principal else "",
            actor_roles=sorted(principal.roles) if principal else [],
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            subject_person_id=subject_person_id,
            service=self.service,
            correlation_id=correlation_id(),
        )
        await self.outbox.add(audit_subject(self.service), event, event_id=event.event_id)
