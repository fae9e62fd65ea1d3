"""Period locks (issue 7 item 5; R1.5, §4.5.1): a closed period of a group × discipline refuses every
write on its days — marks, their changes and removals, attendance, absence reasons, finals — until a
deputy reopens it for a bounded time (application/reopen_requests.py).

`ensure_open` is the one check the write paths call, inside their unit of work, before they write.
It holds the group × discipline's advisory lock shared until the write commits; ClosePeriod holds it
exclusively: a write either lands before the close or sees the lock and is refused.

A reopen closes again by itself at `reopened_until` (writes are refused from that instant on);
`PeriodLockHandlers.close_ended_reopens`, run every `JOURNAL_REOPEN_SWEEP_SECONDS` beside the server,
puts it on record: the lock loses `reopened_until`, its history gets the "closed" row at that instant
and journal.period.closed.v1 goes out with cause REOPEN_ENDED.

The time comes from `clock` (UTC), the one seam tests set to let time pass without sleeping."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import period_locks_pb2 as lpb

from journal_service.application.ports import JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.application.read_models import readable_group
from journal_service.domain import access, errors, period_locks, year, year_errors

Clock = Callable[[], datetime]
CLOSERS = ("admin", "deputy")
SWEEP_BATCH = 100  # ended reopens put on record per sweep; the rest wait for the next one

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    """Return the current instant, UTC."""
    return datetime.now(UTC)


clock: Clock = utc_now


def now() -> datetime:
    """Return the instant the locks are judged at (the module's `clock`)."""
    return clock()


async def ensure_open(
    uow: JournalUnitOfWork,
    *,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    on_date: date,
    actor: Principal,
) -> None:
    """Raise PeriodClosed (FAILED_PRECONDITION `period_closed`) when `on_date` falls in a closed period
    (its semester's or the year's) of the group × discipline. Every writer is held by it (`actor` is
    who writes: the teacher, the admin correcting reasons). The group × discipline's advisory lock is
    held shared until the unit of work ends, so a concurrent close waits for this write or refuses it.
    Wrap the write in `refusal_audited` so the refusal is audited with the actor. For a final, pass
    the last day of its period (`domain.period_locks.span_of(year, semester).ends_on`)."""
    await ensure_open_on(uow, [(group_id, discipline_id, on_date)], actor=actor)


async def ensure_open_on(
    uow: JournalUnitOfWork, places: Iterable[tuple[uuid.UUID, uuid.UUID, date]], *, actor: Principal
) -> None:
    """`ensure_open` for several (group, discipline, day) at once (a week's absence corrections): one
    advisory lock and one query per group × discipline."""
    days: dict[tuple[uuid.UUID, uuid.UUID], set[date]] = defaultdict(set)
    for group_id, discipline_id, day in places:
        days[(group_id, discipline_id)].add(day)
    at = now()
    for (group_id, discipline_id), dates in sorted(days.items()):
        await uow.period_locks.hold(group_id, discipline_id, exclusive=False)
        locks = await uow.period_locks.overlapping(
            group_id, discipline_id, year.DateSpan(min(dates), max(dates))
        )
        if any(period_locks.blocking(locks, day, at) is not None for day in dates):
            raise period_locks.PeriodClosed()


async def close_period(
    uow: JournalUnitOfWork,
    *,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    academic_year: year.AcademicYear,
    semester: int,
    by: uuid.UUID | None,
    cause: period_locks.CloseCause,
) -> period_locks.PeriodLock:
    """Close a period inside the caller's unit of work (ClosePeriod; slice A's SetFinal once the last
    final of the period is set): the lock, its history, the event journal.period.closed.v1. Holds the
    group × discipline's advisory lock exclusively. Finals completing a period that has a lock already
    leave it as it is: closed, or reopened until its window ends (a teacher correcting finals during a
    reopen keeps the time the deputy gave)."""
    await uow.period_locks.hold(group_id, discipline_id, exclusive=True)
    existing = await uow.period_locks.get(group_id, discipline_id, academic_year.id, semester)
    if existing is not None and cause is period_locks.CloseCause.FINALS_SET:
        return existing
    lock, history = period_locks.close(
        existing,
        group_id=group_id,
        discipline_id=discipline_id,
        academic_year=academic_year,
        semester=semester,
        now=now(),
        by=by,
        cause=cause,
    )
    await uow.period_locks.save(lock, history, new=existing is None)
    await uow.emit(
        events.PeriodClosed(
            lock_id=str(lock.id),
            group_id=str(group_id),
            discipline_id=str(discipline_id),
            year_id=str(academic_year.id),
            semester=semester,
            cause=lpb.PeriodCloseCause.Value(f"PERIOD_CLOSE_CAUSE_{cause.name}"),
            closed_by=str(by or ""),
        )
    )
    return lock


async def record_reopen_end(uow: JournalUnitOfWork, lock: period_locks.PeriodLock) -> period_locks.PeriodLock:
    """Put an ended reopen window on record in the caller's unit of work and return the lock as saved:
    without `reopened_until`, its "closed" history row at the window's end, the event
    journal.period.closed.v1 with cause REOPEN_ENDED and no closer. A lock not reopened, or still open
    now, is returned as it is. The caller holds the group × discipline's advisory lock exclusively and
    read `lock` after taking it."""
    ended = period_locks.reopen_ended(lock, now())
    if ended is None:
        return lock
    closed, history = ended
    await uow.period_locks.save(closed, history, new=False)
    await uow.emit(
        events.PeriodClosed(
            lock_id=str(closed.id),
            group_id=str(closed.group_id),
            discipline_id=str(closed.discipline_id),
            year_id=str(closed.year_id),
            semester=closed.semester,
            cause=lpb.PERIOD_CLOSE_CAUSE_REOPEN_ENDED,
            closed_by="",
        )
    )
    return closed


@dataclass(frozen=True)
class ClosePeriod:
    """Close a period of a group × discipline by hand."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    year_id: uuid.UUID
    semester: int


@dataclass(frozen=True)
class ListPeriodLocks:
    """Read a group's closed periods (of one discipline, or all)."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID | None = None


class PeriodLockHandlers:
    """Use cases of period locks."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today) -> None:
        self._uow = uow
        self._today = today

    async def close(self, cmd: ClosePeriod, actor: Principal) -> period_locks.PeriodLock:
        """Close a period by hand (admin, deputy), e.g. when the finals were set on paper; a reopened
        period is closed again before its time; audited."""
        period_locks.check_semester(cmd.semester)
        if not actor.has_any(*CLOSERS):
            raise errors.RoleRequired("период закрывает администратор или заместитель директора")
        closer = access.person_id(actor)
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
            academic_year = await uow.years.get(cmd.year_id)
            if academic_year is None:
                raise year_errors.AcademicYearNotFound()
            lock = await close_period(
                uow,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                academic_year=academic_year,
                semester=cmd.semester,
                by=closer,
                cause=period_locks.CloseCause.BY_ADMINISTRATION,
            )
            await uow.audit(
                "period.closed", actor=actor, resource_type="period_lock", resource_id=str(lock.id)
            )
            await uow.commit()
            return lock

    async def close_ended_reopens(self, limit: int = SWEEP_BATCH) -> int:
        """Put the reopen windows that have ended on record (`record_reopen_end`), each lock in its own
        unit of work under the group × discipline's exclusive advisory lock, re-read after taking it: a
        lock reopened again or closed by hand meanwhile is left alone. Return how many were closed.
        Nobody acts, so nothing is audited: the history row and the event are the record."""
        async with self._uow() as uow:
            candidates = await uow.period_locks.ended_reopens(now(), limit)
        closed = 0
        for candidate in candidates:
            async with self._uow() as uow:
                await uow.period_locks.hold(candidate.group_id, candidate.discipline_id, exclusive=True)
                lock = await uow.period_locks.get(
                    candidate.group_id, candidate.discipline_id, candidate.year_id, candidate.semester
                )
                if lock is None or await record_reopen_end(uow, lock) is lock:
                    continue  # reopened again or closed by hand since the candidates were read
                await uow.commit()
            closed += 1
            log.info("reopened period closed again", extra={"lock_id": str(lock.id)})
        return closed

    async def of_group(self, query: ListPeriodLocks, actor: Principal) -> list[period_locks.PeriodLock]:
        """Return a group's locks to the readers of its journal page (a substitute: on the college's
        today, not the UTC date, which is still yesterday in Moscow's first three hours)."""
        async with self._uow() as uow:
            today = self._today()
            await readable_group(uow, actor, query.group_id, year.DateSpan(today, today))
            return await uow.period_locks.of_group(query.group_id, query.discipline_id)
