"""The unit of work as the application layer sees it: a protocol, so fakes are checked against it.

A service's `application/ports.py` extends `UnitOfWorkPort` with read-only properties for its
repositories (each a Protocol too); the SQLAlchemy unit of work in `adapters/` and the in-memory
fake of the unit tests both satisfy it, and mypy checks both.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from google.protobuf.message import Message

from chassis.principal import Principal


class InboxPort(Protocol):
    """Which events a consumer has applied, remembered in the consumer's own transaction."""

    async def seen(self, event_id: str, consumer: str) -> bool:
        """Return True when the consumer has already applied the event."""
        ...

    async def claim(self, event_id: str, consumer: str, subject: str) -> bool:
        """Return True the first time this consumer sees the event, False on a repeat."""
        ...


class UnitOfWorkPort(Protocol):
    """One transaction: the business change, its events and its audit records, committed together."""

    @property
    def inbox(self) -> InboxPort:
        """The inbox of this transaction."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Commit the change with its events; nothing is visible before."""
        ...

    async def emit(self, event: Message) -> str:
        """Stage an event on the subject its proto declares; return its id."""
        ...

    async def audit(
        self,
        action: str,
        *,
        actor: Principal,
        resource_type: str,
        resource_id: str,
        subject_person_id: str = "",
    ) -> None:
        """Stage an audit record of what `actor` did."""
        ...
