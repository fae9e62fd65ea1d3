"""Fixtures of the archive's tests: an in-memory stand-in for the unit of work and the audit log.

They live here, not in an importable module: with pytest's importlib mode, test helper packages of
different services would share module names (`tests.unit...`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pytest
from archive_service.application import ports
from archive_service.application.handlers import ArchiveHandlers
from archive_service.domain import chain, model
from chassis import testing
from chassis.errors import ServiceUnavailable


class FakeAuditLog:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[model.AuditRecord] = []
        self.locked = False

    async def lock_chain(self) -> None:
        self.locked = True
        self._store.locks += 1

    async def already_logged(self, event_ids: Sequence[str]) -> set[str]:
        return {r.event_id for r in [*self._store.log, *self.staged]} & set(event_ids)

    async def last_hash(self) -> str:
        assert self.locked, "the tail is read under the chain's lock"
        records = [*self._store.log, *self.staged]
        return records[-1].chain_hash if records else chain.GENESIS_HASH

    async def append(self, records: Sequence[model.AuditRecord]) -> None:
        for record in records:
            record.sequence = self._store.next_sequence + len(self.staged)
            self.staged.append(record)

    async def newest(
        self,
        *,
        resource_type: str,
        resource_id: str,
        subject_person_id: str,
        before_sequence: int,
        limit: int,
    ) -> list[model.AuditRecord]:
        found = [
            r
            for r in reversed(self._store.log)
            if (not resource_type or r.resource_type == resource_type)
            and (not resource_id or r.resource_id == resource_id)
            and (not subject_person_id or r.subject_person_id == subject_person_id)
            and (not before_sequence or (r.sequence or 0) < before_sequence)
        ]
        return [copy.deepcopy(r) for r in found[:limit]]

    async def oldest_after(self, sequence: int, *, limit: int) -> list[model.AuditRecord]:
        return [copy.deepcopy(r) for r in self._store.log if (r.sequence or 0) > sequence][:limit]


class FakeUnitOfWork(testing.FakeUnitOfWork):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self._store = store
        self.audit_log = FakeAuditLog(store)

    def _commit_staged(self) -> None:
        self._store.log.extend(self.audit_log.staged)
        self._store.next_sequence += len(self.audit_log.staged)

    def _discard_staged(self) -> None:
        super()._discard_staged()
        self.audit_log.staged.clear()


class FakeStore(testing.FakeLedger):
    """One in-memory 'database' shared by every unit of work of a test."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[model.AuditRecord] = []
        self.next_sequence = 1
        self.locks = 0


class FakeGuardianDirectory:
    """Identity's parent↔student links as a set; `down` makes every question an outage."""

    def __init__(self, links: set[tuple[str, str]] | None = None) -> None:
        self.links = links or set()
        self.asked: list[tuple[str, str, str]] = []
        self.down = False

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        self.asked.append((token, parent_id, student_id))
        if self.down:
            raise ServiceUnavailable("Сервис учётных записей недоступен", code="identity_unavailable")
        return (parent_id, student_id) in self.links


def fake_guardian_directory(links: set[tuple[str, str]] | None = None) -> ports.GuardianDirectory:
    """Return a fake guardian directory; mypy checks here that it satisfies the port."""
    return FakeGuardianDirectory(links)


def fake_unit_of_work(store: FakeStore) -> ports.ArchiveUnitOfWork:
    """Return a fake unit of work; mypy checks here that it satisfies the port."""
    return FakeUnitOfWork(store)


@pytest.fixture
def store() -> FakeStore:
    """An empty in-memory database."""
    return FakeStore()


@pytest.fixture
def fake_uow(store: FakeStore) -> ports.UnitOfWorkFactory:
    """A factory of units of work over the in-memory store."""
    return lambda: fake_unit_of_work(store)


@pytest.fixture
def fake_handlers(fake_uow: ports.UnitOfWorkFactory) -> ArchiveHandlers:
    """The archive's handlers over the in-memory store."""
    return ArchiveHandlers(uow=fake_uow)


@pytest.fixture
def guardians() -> FakeGuardianDirectory:
    """Identity's links, none yet: a test adds (parent, student) pairs."""
    return FakeGuardianDirectory()
