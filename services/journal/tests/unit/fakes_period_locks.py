"""In-memory period locks and reopen requests (slice B) for the journal's fake unit of work."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection
from datetime import date, datetime

from journal_service.domain import lessons, period_locks, reopen_requests, year


class FakePeriodLocks:
    """Locks by id with their history; `held` records every advisory hold (group, discipline, exclusive)."""

    def __init__(self, lesson_items: dict[uuid.UUID, lessons.Lesson]) -> None:
        self.items: dict[uuid.UUID, period_locks.PeriodLock] = {}
        self.kept: list[period_locks.LockHistory] = []
        self.held: list[tuple[uuid.UUID, uuid.UUID, bool]] = []
        self._lessons = lesson_items

    async def hold(self, group_id: uuid.UUID, discipline_id: uuid.UUID, *, exclusive: bool) -> None:
        self.held.append((group_id, discipline_id, exclusive))

    async def overlapping(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[period_locks.PeriodLock]:
        return sorted(
            (
                lock
                for lock in self.items.values()
                if (lock.group_id, lock.discipline_id) == (group_id, discipline_id)
                and lock.span.starts_on <= span.ends_on
                and lock.span.ends_on >= span.starts_on
            ),
            key=lambda lock: (lock.span.starts_on, lock.semester),
        )

    async def get(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> period_locks.PeriodLock | None:
        return next(
            (
                lock
                for lock in self.items.values()
                if (lock.group_id, lock.discipline_id, lock.year_id, lock.semester)
                == (group_id, discipline_id, year_id, semester)
            ),
            None,
        )

    async def of_group(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID | None
    ) -> list[period_locks.PeriodLock]:
        return sorted(
            (
                lock
                for lock in self.items.values()
                if lock.group_id == group_id and discipline_id in {None, lock.discipline_id}
            ),
            key=lambda lock: (lock.span.starts_on, lock.semester, lock.discipline_id),
        )

    async def save(
        self, lock: period_locks.PeriodLock, history: period_locks.LockHistory, *, new: bool
    ) -> None:
        assert new == (lock.id not in self.items)
        self.items[lock.id] = lock
        self.kept.append(history)

    async def history(self, lock_id: uuid.UUID) -> list[period_locks.LockHistory]:
        return [h for h in self.kept if h.lock_id == lock_id]

    async def ended_reopens(self, now: datetime, limit: int) -> list[period_locks.PeriodLock]:
        ended = [
            lock
            for lock in self.items.values()
            if lock.reopened_until is not None and lock.reopened_until <= now
        ]
        return sorted(ended, key=lambda lock: (lock.reopened_until or now, lock.id))[:limit]

    async def lesson_days(self, lesson_ids: Collection[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
        found = [self._lessons[i] for i in lesson_ids if i in self._lessons]
        return [(lesson.group_id, lesson.discipline_id, lesson.lesson_date) for lesson in found]


class FakeReopenRequests:
    """Requests by id; each read carries the lock as it is now (as the database's join does)."""

    def __init__(self, locks: FakePeriodLocks) -> None:
        self.items: dict[uuid.UUID, reopen_requests.ReopenRequest] = {}
        self._locks = locks

    def _current(self, request: reopen_requests.ReopenRequest) -> reopen_requests.ReopenRequest:
        return dataclasses.replace(request, lock=self._locks.items.get(request.lock.id, request.lock))

    async def add(self, request: reopen_requests.ReopenRequest) -> None:
        assert not await self.pending_for(request.lock.id)  # the partial unique index
        self.items[request.id] = request

    async def pending_for(self, lock_id: uuid.UUID) -> bool:
        return any(
            r.lock.id == lock_id and r.status is reopen_requests.ReopenStatus.PENDING
            for r in self.items.values()
        )

    async def get(
        self, request_id: uuid.UUID, *, for_update: bool = False
    ) -> reopen_requests.ReopenRequest | None:
        found = self.items.get(request_id)
        return None if found is None else self._current(found)

    async def decide(self, request: reopen_requests.ReopenRequest) -> None:
        self.items[request.id] = request

    async def listed(
        self, *, status: reopen_requests.ReopenStatus | None, requested_by: uuid.UUID | None
    ) -> list[reopen_requests.ReopenRequest]:
        found = [
            self._current(r)
            for r in self.items.values()
            if status in {None, r.status} and requested_by in {None, r.requested_by}
        ]
        return sorted(found, key=lambda r: r.requested_at, reverse=True)
