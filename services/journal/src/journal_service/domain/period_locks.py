"""Period locks (issue 7 item 5; R1.5, §4.5.1): once a period's finals are set for a group and
discipline, nobody edits its marks, attendance or finals; a deputy may reopen it for a bounded time on
the teacher's request, and it closes again by itself. Pure rules, no I/O."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from chassis.errors import FailedPrecondition, InvalidArgument

from journal_service.domain import year

YEAR_SEMESTER = 0  # a period's semester for the whole year (as finals.FinalPeriod)
SEMESTERS = (1, 2, YEAR_SEMESTER)
DEFAULT_REOPEN = timedelta(hours=48)
MAX_REOPEN_HOURS = 7 * 24
MAX_REOPEN = timedelta(hours=MAX_REOPEN_HOURS)


class CloseCause(enum.StrEnum):
    """Why a period was closed (mirrors the proto's PeriodCloseCause by name; stored as checked text)."""

    FINALS_SET = "finals_set"
    BY_ADMINISTRATION = "by_administration"
    # A deputy's reopen window ran out and the period closed again by itself: only in the lock's history
    # and the event (a lock row keeps the cause it was closed with; migration 0012's CHECK).
    REOPEN_ENDED = "reopen_ended"


class PeriodClosed(FailedPrecondition):
    """A write on a day of a closed period (R1.5)."""

    def __init__(self) -> None:
        super().__init__(
            "Период закрыт: итоговые оценки выставлены. Чтобы исправить, подайте заявку на открытие.",
            code="period_closed",
        )


class InvalidPeriod(InvalidArgument):
    """A period is semester 1, 2 or the whole year (0)."""

    def __init__(self) -> None:
        super().__init__("Период — 1 или 2 семестр либо учебный год (0)", code="invalid_semester")


class PeriodAlreadyClosed(FailedPrecondition):
    """ClosePeriod on a period that is closed (and not reopened) already."""

    def __init__(self) -> None:
        super().__init__("Период уже закрыт", code="period_already_closed")


@dataclass(frozen=True)
class PeriodLock:
    """A closed period of a group × discipline; while `reopened_until` is ahead, writes are allowed."""

    id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    span: year.DateSpan
    closed_at: datetime
    closed_by: uuid.UUID | None
    cause: CloseCause
    reopened_until: datetime | None = None
    reopen_request_id: uuid.UUID | None = None

    def is_closed(self, now: datetime) -> bool:
        """Return True when writes are refused at `now`: not reopened, or the reopen has run out
        (open while now < reopened_until; at that instant it is closed again)."""
        return self.reopened_until is None or now >= self.reopened_until

    def covers(self, day: date) -> bool:
        """Return True when the day falls in the locked period."""
        return self.span.contains(day)


@dataclass(frozen=True)
class LockHistory:
    """One close or reopen of a lock, kept for good."""

    id: uuid.UUID
    lock_id: uuid.UUID
    action: str  # "closed" | "reopened"
    at: datetime
    by: uuid.UUID | None
    cause: CloseCause | None = None
    reopened_until: datetime | None = None
    request_id: uuid.UUID | None = None


def check_semester(semester: int) -> int:
    """Return the semester after checking it is 1, 2 or 0 (the year)."""
    if semester not in SEMESTERS:
        raise InvalidPeriod()
    return semester


def span_of(academic_year: year.AcademicYear, semester: int) -> year.DateSpan:
    """Return the days a period covers: the semester's, or the whole year's."""
    check_semester(semester)
    if semester == 1:
        return academic_year.semester1
    if semester == 2:
        return academic_year.semester2
    return academic_year.span


def blocking(locks: list[PeriodLock], day: date, now: datetime) -> PeriodLock | None:
    """Return a lock that refuses a write on `day` at `now` (the semester's or the year's), or None."""
    return next((lock for lock in locks if lock.covers(day) and lock.is_closed(now)), None)


def close(
    existing: PeriodLock | None,
    *,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    academic_year: year.AcademicYear,
    semester: int,
    now: datetime,
    by: uuid.UUID | None,
    cause: CloseCause,
) -> tuple[PeriodLock, LockHistory]:
    """Close a period: a new lock, or a reopened one closed again before its time. A period closed now
    already is refused (period_already_closed)."""
    if existing is not None and existing.is_closed(now):
        raise PeriodAlreadyClosed()
    if existing is None:
        lock = PeriodLock(
            id=uuid.uuid4(),
            group_id=group_id,
            discipline_id=discipline_id,
            year_id=academic_year.id,
            semester=semester,
            span=span_of(academic_year, semester),
            closed_at=now,
            closed_by=by,
            cause=cause,
        )
    else:
        lock = replace(existing, closed_at=now, closed_by=by, cause=cause, reopened_until=None)
    return lock, LockHistory(uuid.uuid4(), lock.id, "closed", now, by, cause=cause)


def reopen_ended(lock: PeriodLock, now: datetime) -> tuple[PeriodLock, LockHistory] | None:
    """Put on record that a reopen window ran out: the lock without `reopened_until` (it keeps who closed
    it, when and why, and the request that reopened it) and its "closed" history row at the window's
    end, by nobody, cause REOPEN_ENDED. None while the window is still open or when the lock is not
    reopened. Writes are judged as before (`is_closed` compares the instant): this only records what
    already holds. (The lock row's own cause stays: its CHECK in migration 0012 knows only finals_set
    and by_administration; the history's cause is free text.)"""
    until = lock.reopened_until
    if until is None or now < until:
        return None
    history = LockHistory(uuid.uuid4(), lock.id, "closed", until, None, cause=CloseCause.REOPEN_ENDED)
    return replace(lock, reopened_until=None), history
