"""Fixtures of messaging's tests: in-memory stand-ins for the unit of work and for identity.

They live here, not in an importable module: with pytest's importlib mode, test helper packages of
different services would share module names (`tests.unit...`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from chassis import testing
from chassis.errors import ServiceUnavailable
from messaging_service.application import ports
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.domain import model
from messaging_service.domain.parent_access import AccessFact, Reader


class FakeNotifications:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[model.Notification] = []

    async def add_all(self, notifications: list[model.Notification]) -> None:
        self.staged.extend(notifications)

    async def of_recipient(self, recipient_id: uuid.UUID, *, limit: int) -> list[model.Notification]:
        mine = [n for n in self._store.notifications if n.recipient_id == recipient_id]
        return sorted(mine, key=lambda n: n.created_at or datetime.min, reverse=True)[:limit]


class FakeGuardianships:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged_links: set[tuple[uuid.UUID, uuid.UUID]] = set()
        self.staged_fetched: set[uuid.UUID] = set()

    async def add(self, parent_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        key = (student_id, parent_id)
        if key in self._store.guardianships or key in self.staged_links:
            return False
        self.staged_links.add(key)
        return True

    async def fetched(self, student_id: uuid.UUID) -> bool:
        return student_id in self._store.fetched_students

    async def record_fetched(self, student_id: uuid.UUID, parent_ids: list[uuid.UUID]) -> None:
        self.staged_links |= {(student_id, p) for p in parent_ids}
        self.staged_fetched.add(student_id)

    async def parents_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        links = self._store.guardianships | self.staged_links
        return sorted(p for s, p in links if s == student_id)


class FakeParentAccessProjection:
    """Identity's facts of parents' access (ADR 0013); the links they name join the guardianships."""

    def __init__(self, store: FakeStore, guardianships: FakeGuardianships) -> None:
        self._store = store
        self._guardianships = guardianships
        self.staged: dict[tuple[uuid.UUID, uuid.UUID], tuple[date | None, datetime]] = {}
        self.staged_caught_up = False

    def _fact(self, key: tuple[uuid.UUID, uuid.UUID]) -> tuple[date | None, datetime] | None:
        return self.staged.get(key) or self._store.parent_access.get(key)

    async def apply(self, facts: Sequence[AccessFact], changed_at: datetime) -> int:
        written = 0
        for fact in facts:
            key = (fact.student_id, fact.parent_id)
            self._guardianships.staged_links.add(key)
            known = self._fact(key)
            if known is None or known[1] <= changed_at:
                self.staged[key] = (fact.access_until, changed_at)
                written += 1
        return written

    async def mark_fetched(self, student_ids: Collection[uuid.UUID]) -> None:
        self._guardianships.staged_fetched |= set(student_ids)

    async def readers_of(self, student_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Reader]]:
        fetched = self._store.fetched_students | self._guardianships.staged_fetched
        links = self._store.guardianships | self._guardianships.staged_links
        found: dict[uuid.UUID, list[Reader]] = {}
        for student in student_ids:
            if student not in fetched:
                continue
            readers = found.setdefault(student, [])
            for s, p in sorted(links):
                if s == student:
                    fact = self._fact((s, p))
                    readers.append(Reader(p, fact[0], known=True) if fact else Reader(p, known=False))
        return found

    async def caught_up(self) -> bool:
        return self._store.caught_up or self.staged_caught_up

    async def mark_caught_up(self) -> None:
        self.staged_caught_up = True


class FakeUnitOfWork(testing.FakeUnitOfWork):
    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self._store = store
        self.notifications = FakeNotifications(store)
        self.guardianships = FakeGuardianships(store)
        self.parent_access = FakeParentAccessProjection(store, self.guardianships)

    def _commit_staged(self) -> None:
        for n in self.notifications.staged:
            key = (n.source_event_id, n.recipient_id)
            if key not in {(m.source_event_id, m.recipient_id) for m in self._store.notifications}:
                n.created_at = self._store.clock()
                self._store.notifications.append(n)
        self._store.guardianships |= self.guardianships.staged_links
        self._store.fetched_students |= self.guardianships.staged_fetched
        self._store.parent_access.update(self.parent_access.staged)
        self._store.caught_up |= self.parent_access.staged_caught_up

    def _discard_staged(self) -> None:
        super()._discard_staged()
        self.notifications.staged.clear()
        self.guardianships.staged_links.clear()
        self.guardianships.staged_fetched.clear()
        self.parent_access.staged.clear()
        self.parent_access.staged_caught_up = False


class FakeStore(testing.FakeLedger):
    """One in-memory 'database' shared by every unit of work of a test."""

    def __init__(self) -> None:
        super().__init__()
        self.notifications: list[model.Notification] = []
        self.guardianships: set[tuple[uuid.UUID, uuid.UUID]] = set()
        """Committed (student, parent) links of the projection."""
        self.fetched_students: set[uuid.UUID] = set()
        self.parent_access: dict[tuple[uuid.UUID, uuid.UUID], tuple[date | None, datetime]] = {}
        """Committed facts: (student, parent) → (access_until, changed_at)."""
        self.caught_up = False
        self._now = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)

    def clock(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now


def fake_unit_of_work(store: FakeStore) -> ports.MessagingUnitOfWork:
    """Return a fake unit of work; mypy checks here that it satisfies the port."""
    return FakeUnitOfWork(store)


class FakeGuardians:
    """The identity service's parent↔student links; `down` makes it fail like an unreachable service.

    `during_call`, when set, runs while a call is in flight, after the answer was read (a link event
    applied meanwhile, say).
    """

    def __init__(self, links: dict[uuid.UUID, list[uuid.UUID]] | None = None) -> None:
        self.links = links or {}
        self.down = False
        self.calls = 0
        self.during_call: Callable[[], Awaitable[object]] | None = None

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        self.calls += 1
        if self.down:
            raise ServiceUnavailable("Связанный сервис временно недоступен, попробуйте позже")
        answer = list(self.links.get(student_id, []))
        if self.during_call is not None:
            await self.during_call()
        return answer


@pytest.fixture
def store() -> FakeStore:
    """An empty in-memory database."""
    return FakeStore()


@pytest.fixture
def guardians() -> FakeGuardians:
    """An identity directory with no links yet; tests add them to `links`."""
    return FakeGuardians()


@pytest.fixture
def fake_handlers(store: FakeStore, guardians: FakeGuardians) -> MessagingHandlers:
    """Messaging's handlers over the in-memory store and directory."""
    return MessagingHandlers(uow=lambda: fake_unit_of_work(store), guardians=guardians)


@pytest.fixture
def unit_of_work(store: FakeStore) -> ports.UnitOfWorkFactory:
    """The factory of fake units of work over the store (to build handlers with other ports)."""
    return lambda: fake_unit_of_work(store)
