"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from chassis.ports import UnitOfWorkPort

from archive_service.domain import model


class AuditLog(Protocol):
    """The append-only, hash-chained audit log."""

    async def lock_chain(self) -> None:
        """Take the chain's lock until the end of the transaction."""
        ...

    async def already_logged(self, event_ids: Sequence[str]) -> set[str]:
        """Return those of the events whose records the log already holds."""
        ...

    async def last_hash(self) -> str:
        """Return the chain hash of the newest record, or the genesis hash of an empty log."""
        ...

    async def append(self, records: Sequence[model.AuditRecord]) -> None:
        """Insert the linked records in their order, in one statement, and set their sequences
        (ascending in that order, as the chain is)."""
        ...

    async def newest(
        self,
        *,
        resource_type: str,
        resource_id: str,
        subject_person_id: str,
        before_sequence: int,
        limit: int,
    ) -> list[model.AuditRecord]:
        """Return records matching every non-empty filter, newest first."""
        ...

    async def oldest_after(self, sequence: int, *, limit: int) -> list[model.AuditRecord]:
        """Return up to `limit` records after a sequence, oldest first (0 starts at the beginning)."""
        ...


class GuardianDirectory(Protocol):
    """Identity's parent↔student links, asked live with the parent's own token (ADR 0002)."""

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        """Return True when identity says the parent is linked to the student."""
        ...


class ArchiveUnitOfWork(UnitOfWorkPort, Protocol):
    """One transaction over the archive database."""

    @property
    def audit_log(self) -> AuditLog:
        """The audit log."""
        ...


UnitOfWorkFactory = Callable[[], ArchiveUnitOfWork]
