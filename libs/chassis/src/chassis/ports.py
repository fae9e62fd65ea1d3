"""The unit of work as the application layer sees it: a protocol, so fakes are checked against it.

A service's `application/ports.py` extends `UnitOfWorkPort` with read-only properties for its
repositories (each a Protocol too); the SQLAlchemy unit of work in `adapters/` and the in-memory
fake of the unit tests both satisfy it, and mypy checks both.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self, TypeVar

from google.protobuf.message import Message

from chassis.events import Delivery
from chassis.principal import Principal


class InboxPort(Protocol):
    """Which events a consumer has applied, remembered in the consumer's own transaction."""

    async def seen(self, event_id: str, consumer: str) -> bool:
        """Return True when the consumer has already applied the event."""
        ...

    async def claim(self, event_id: str, consumer: str, subject: str) -> bool:
        """Return True the first time this consumer sees the event, False on a repeat."""
        ...

    async def claim_many(self, claims: Sequence[tuple[str, str, str]]) -> set[str]:
        """Claim a batch of (event id, consumer, subject) at once; return the event ids claimed now."""
        ...


T = TypeVar("T")


async def claim_batch(inbox: InboxPort, items: Sequence[tuple[T, Delivery]]) -> list[tuple[T, Delivery]]:
    """Claim a batch's events in the inbox in one statement; return the items to apply now, in their
    order (an event applied before, or repeated within the batch, is left out)."""
    fresh = await inbox.claim_many([(d.event_id, d.consumer, d.subject) for _, d in items])
    chosen = []
    for item, delivery in items:
        if delivery.event_id in fresh:
            fresh.discard(delivery.event_id)
            chosen.append((item, delivery))
    return chosen


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
