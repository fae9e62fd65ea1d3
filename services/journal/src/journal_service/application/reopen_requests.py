"""Reopen requests (issue 7 item 5): the teacher of the load asks to reopen a closed period with a
reason; a deputy approves it for a bounded time (the lock then lets writes through until
`reopened_until` and closes again by itself: the write check compares the instant, and the reopen sweep
— period_locks.PeriodLockHandlers.close_ended_reopens, run in the background — puts the close on record
with journal.period.closed.v1) or rejects it with a reason. The teachers see their own requests, the
deputies the pending ones."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from google.protobuf.timestamp_pb2 import Timestamp

from journal_service.application.period_locks import now, record_reopen_end
from journal_service.application.ports import JournalUnitOfWork, UnitOfWorkFactory
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import access, errors, period_locks, reopen_requests

DEPUTY = "deputy"


@dataclass(frozen=True)
class RequestReopen:
    """Ask to reopen a closed period of a group × discipline."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    reason: str


@dataclass(frozen=True)
class ApproveReopen:
    """Reopen the request's period for `hours` (0: 48) or until an instant."""

    request_id: uuid.UUID
    hours: int = 0
    until: datetime | None = None


@dataclass(frozen=True)
class RejectReopen:
    """Refuse a request with a reason."""

    request_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class ListReopenRequests:
    """Read requests: a deputy's view (default: pending) or a teacher's own (default: all)."""

    status: reopen_requests.ReopenStatus | None = None


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


async def _pending(uow: JournalUnitOfWork, request_id: uuid.UUID) -> reopen_requests.ReopenRequest:
    """Return the request, its row locked until the decision commits (one decision at a time)."""
    request = await uow.reopen_requests.get(request_id, for_update=True)
    if request is None:
        raise reopen_requests.ReopenRequestNotFound()
    return request


async def _with_ended_reopen_recorded(
    uow: JournalUnitOfWork, request: reopen_requests.ReopenRequest
) -> reopen_requests.ReopenRequest:
    """Return the request with its lock re-read under the advisory lock, an earlier reopen window that
    ended before the sweep reached it put on record first (so its close precedes the new reopen)."""
    lock = request.lock
    current = await uow.period_locks.get(lock.group_id, lock.discipline_id, lock.year_id, lock.semester)
    if current is None:
        return request
    return replace(request, lock=await record_reopen_end(uow, current))


def _require_deputy(actor: Principal) -> uuid.UUID:
    if not actor.has_any(DEPUTY):
        raise reopen_requests.DeputyRequired()
    return access.person_id(actor)


class ReopenRequestHandlers:
    """Use cases of reopen requests."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def request(self, cmd: RequestReopen, actor: Principal) -> reopen_requests.ReopenRequest:
        """File a request (the teacher of a load of the group × discipline); the period must be closed
        now and have no pending request; the event journal.reopen.requested.v1 (ids only)."""
        period_locks.check_semester(cmd.semester)
        reopen_requests.check_reason(cmd.reason)
        async with (
            refusal_audited(
                self._uow,
                actor,
                action="reopen.request",
                resource_type="group",
                resource_id=str(cmd.group_id),
            ),
            self._uow() as uow,
        ):
            if not actor.has_any(access.TEACHER):
                raise reopen_requests.NotLoadTeacher()
            teacher_id = access.person_id(actor)
            loads = await uow.loads.of_teacher(teacher_id)
            if not any(
                (load.group_id, load.discipline_id) == (cmd.group_id, cmd.discipline_id) for load in loads
            ):
                raise reopen_requests.NotLoadTeacher()
            await uow.period_locks.hold(cmd.group_id, cmd.discipline_id, exclusive=True)
            lock = await uow.period_locks.get(cmd.group_id, cmd.discipline_id, cmd.year_id, cmd.semester)
            if lock is None:
                raise reopen_requests.PeriodNotClosed()
            request = reopen_requests.new_request(
                lock,
                teacher_id=teacher_id,
                reason=cmd.reason,
                now=now(),
                pending=await uow.reopen_requests.pending_for(lock.id),
            )
            await uow.reopen_requests.add(request)
            await uow.emit(
                events.ReopenRequested(
                    request_id=str(request.id),
                    lock_id=str(lock.id),
                    group_id=str(lock.group_id),
                    discipline_id=str(lock.discipline_id),
                    year_id=str(lock.year_id),
                    semester=lock.semester,
                    requested_by=str(teacher_id),
                )
            )
            await uow.commit()
            return request

    async def approve(self, cmd: ApproveReopen, actor: Principal) -> reopen_requests.ReopenRequest:
        """Approve a pending request (a deputy): the period is open until the window's end, then closed
        again by itself; kept in the lock's history; the event journal.period.reopened.v1; audited
        (it lets marks change again)."""
        async with self._deciding("reopen.approve", cmd.request_id, actor) as uow:
            deputy_id = _require_deputy(actor)
            request = await _pending(uow, cmd.request_id)
            await uow.period_locks.hold(request.lock.group_id, request.lock.discipline_id, exclusive=True)
            request = await _with_ended_reopen_recorded(uow, request)
            at = now()
            approved, lock = reopen_requests.approve(
                request, deputy_id=deputy_id, now=at, hours=cmd.hours, until=cmd.until
            )
            await uow.reopen_requests.decide(approved)
            await uow.period_locks.save(
                lock,
                period_locks.LockHistory(
                    uuid.uuid4(),
                    lock.id,
                    "reopened",
                    at,
                    deputy_id,
                    reopened_until=lock.reopened_until,
                    request_id=request.id,
                ),
                new=False,
            )
            until = approved.reopened_until
            assert until is not None  # set by approve
            await uow.emit(
                events.PeriodReopened(
                    lock_id=str(lock.id),
                    group_id=str(lock.group_id),
                    discipline_id=str(lock.discipline_id),
                    year_id=str(lock.year_id),
                    semester=lock.semester,
                    request_id=str(request.id),
                    approved_by=str(deputy_id),
                    requested_by=str(request.requested_by),
                    reopened_until=_timestamp(until),
                )
            )
            await uow.audit(
                "period.reopened", actor=actor, resource_type="period_lock", resource_id=str(lock.id)
            )
            await uow.commit()
            return approved

    async def reject(self, cmd: RejectReopen, actor: Principal) -> reopen_requests.ReopenRequest:
        """Reject a pending request with a reason (a deputy)."""
        reopen_requests.check_reason(cmd.reason)
        async with self._deciding("reopen.reject", cmd.request_id, actor) as uow:
            deputy_id = _require_deputy(actor)
            request = await _pending(uow, cmd.request_id)
            rejected = reopen_requests.reject(request, deputy_id=deputy_id, now=now(), reason=cmd.reason)
            await uow.reopen_requests.decide(rejected)
            await uow.commit()
            return rejected

    @asynccontextmanager
    async def _deciding(
        self, action: str, request_id: uuid.UUID, actor: Principal
    ) -> AsyncIterator[JournalUnitOfWork]:
        """A deputy's decision in one unit of work; a refusal for want of the role audited."""
        async with (
            refusal_audited(
                self._uow, actor, action=action, resource_type="reopen_request", resource_id=str(request_id)
            ),
            self._uow() as uow,
        ):
            yield uow

    async def listed(
        self, query: ListReopenRequests, actor: Principal
    ) -> list[reopen_requests.ReopenRequest]:
        """A deputy: the requests of a status (default pending); a teacher: their own; else role_required."""
        async with self._uow() as uow:
            if actor.has_any(DEPUTY):
                status = query.status or reopen_requests.ReopenStatus.PENDING
                return await uow.reopen_requests.listed(status=status, requested_by=None)
            if actor.has_any(access.TEACHER):
                return await uow.reopen_requests.listed(
                    status=query.status, requested_by=access.person_id(actor)
                )
        raise errors.RoleRequired("заявки на открытие видят заместитель директора и их авторы")
