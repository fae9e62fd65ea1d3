"""Reopen requests (issue 7 item 5): the teacher of the load asks, with a reason, to reopen a closed
period; a deputy approves it for a bounded time (default 48 h, at most 7 days) or rejects it with a
reason. Pure rules, no I/O."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

from journal_service.domain.period_locks import (
    DEFAULT_REOPEN,
    MAX_REOPEN,
    MAX_REOPEN_HOURS,
    PeriodLock,
)

MAX_REASON = 1000


class ReopenStatus(enum.StrEnum):
    """State of a request (mirrors the proto's ReopenRequestStatus by name; stored as checked text)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class InvalidReopenReason(InvalidArgument):
    """A reason is 1..1000 characters."""

    def __init__(self) -> None:
        super().__init__(f"Укажите причину: от 1 до {MAX_REASON} символов", code="invalid_reopen_reason")


class InvalidReopenTime(InvalidArgument):
    """A reopen lasts 1..168 hours, ending in the future."""

    def __init__(self) -> None:
        super().__init__(
            f"Период открывается на срок от 1 до {MAX_REOPEN_HOURS} часов (не больше 7 дней)",
            code="invalid_reopen_time",
        )


class PeriodNotClosed(FailedPrecondition):
    """A request to reopen a period that is open."""

    def __init__(self) -> None:
        super().__init__("Период не закрыт: открывать нечего", code="period_not_closed")


class ReopenAlreadyRequested(FailedPrecondition):
    """A pending request for the same period exists."""

    def __init__(self) -> None:
        super().__init__(
            "Заявка на открытие этого периода уже подана и ждёт решения", code="reopen_already_requested"
        )


class ReopenRequestNotFound(NotFound):
    """No such request (or not the caller's to see)."""

    def __init__(self) -> None:
        super().__init__("Заявка на открытие не найдена", code="reopen_request_not_found")


class ReopenAlreadyDecided(FailedPrecondition):
    """An approval or rejection of a request decided already."""

    def __init__(self) -> None:
        super().__init__("По этой заявке решение уже принято", code="reopen_already_decided")


class NotLoadTeacher(PermissionDenied):
    """Only the teacher of the group × discipline's load asks to reopen its period."""

    def __init__(self) -> None:
        super().__init__(
            "Заявку на открытие подаёт преподаватель, ведущий эту дисциплину в группе",
            code="not_load_teacher",
        )


class DeputyRequired(PermissionDenied):
    """Only a deputy director decides on reopen requests."""

    def __init__(self) -> None:
        super().__init__(
            "Решение по заявке на открытие принимает заместитель директора", code="deputy_required"
        )


@dataclass(frozen=True)
class ReopenRequest:
    """A teacher's request to reopen a lock, and its decision."""

    id: uuid.UUID
    lock: PeriodLock
    requested_by: uuid.UUID
    reason: str
    requested_at: datetime
    status: ReopenStatus = ReopenStatus.PENDING
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""
    reopened_until: datetime | None = None


def check_reason(reason: str) -> str:
    """Return the reason trimmed after checking it is 1..1000 characters."""
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidReopenReason()
    return text


def reopen_until(now: datetime, *, hours: int = 0, until: datetime | None = None) -> datetime:
    """Return when a reopen approved at `now` ends: `until` if given (ahead of now, within 7 days), else
    `hours` after now (1..168; 0: 48 h); anything else is invalid_reopen_time."""
    if until is not None:
        if not now < until <= now + MAX_REOPEN:
            raise InvalidReopenTime()
        return until
    if hours == 0:
        return now + DEFAULT_REOPEN
    if not 1 <= hours <= MAX_REOPEN_HOURS:
        raise InvalidReopenTime()
    return now + timedelta(hours=hours)


def new_request(
    lock: PeriodLock, *, teacher_id: uuid.UUID, reason: str, now: datetime, pending: bool
) -> ReopenRequest:
    """File a request: the period must be closed now (period_not_closed) with no pending request."""
    text = check_reason(reason)
    if not lock.is_closed(now):
        raise PeriodNotClosed()
    if pending:
        raise ReopenAlreadyRequested()
    return ReopenRequest(uuid.uuid4(), lock, teacher_id, text, now)


def approve(
    request: ReopenRequest,
    *,
    deputy_id: uuid.UUID,
    now: datetime,
    hours: int = 0,
    until: datetime | None = None,
) -> tuple[ReopenRequest, PeriodLock]:
    """Approve a pending request: the lock is open until the end of the window."""
    if request.status is not ReopenStatus.PENDING:
        raise ReopenAlreadyDecided()
    end = reopen_until(now, hours=hours, until=until)
    approved = replace(
        request, status=ReopenStatus.APPROVED, decided_by=deputy_id, decided_at=now, reopened_until=end
    )
    lock = replace(request.lock, reopened_until=end, reopen_request_id=request.id)
    return replace(approved, lock=lock), lock


def reject(request: ReopenRequest, *, deputy_id: uuid.UUID, now: datetime, reason: str) -> ReopenRequest:
    """Reject a pending request with a reason."""
    text = check_reason(reason)
    if request.status is not ReopenStatus.PENDING:
        raise ReopenAlreadyDecided()
    return replace(
        request, status=ReopenStatus.REJECTED, decided_by=deputy_id, decided_at=now, decision_reason=text
    )
