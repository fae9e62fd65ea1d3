"""Period locks and reopen requests between protobuf and the domain (slice B): enums by name."""

from __future__ import annotations

from datetime import UTC, datetime

from chassis.validation import parse_uuid as _id
from ejournal.journal.v1 import period_locks_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from journal_service.api import mappers
from journal_service.api.movement import optional_id
from journal_service.application.period_locks import ClosePeriod, ListPeriodLocks, now
from journal_service.application.reopen_requests import (
    ApproveReopen,
    ListReopenRequests,
    RejectReopen,
    RequestReopen,
)
from journal_service.domain import period_locks, reopen_requests

_CAUSE_TO_PB = {c: pb.PeriodCloseCause.Value(f"PERIOD_CLOSE_CAUSE_{c.name}") for c in period_locks.CloseCause}
_STATUS_FROM_PB = {
    number: reopen_requests.ReopenStatus[name.removeprefix("REOPEN_REQUEST_STATUS_")]
    for name, number in pb.ReopenRequestStatus.items()
    if number != pb.REOPEN_REQUEST_STATUS_UNSPECIFIED
}
_STATUS_TO_PB = {s: number for number, s in _STATUS_FROM_PB.items()}


def _stamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def lock_to_pb(lock: period_locks.PeriodLock, at: datetime | None = None) -> pb.PeriodLock:
    """Map a lock; `closed` is judged at `at` (default: now by the locks' clock)."""
    return pb.PeriodLock(
        lock_id=str(lock.id),
        group_id=str(lock.group_id),
        discipline_id=str(lock.discipline_id),
        year_id=str(lock.year_id),
        semester=lock.semester,
        span=mappers.span_to_pb(lock.span),
        closed_at=_stamp(lock.closed_at),
        closed_by=str(lock.closed_by or ""),
        cause=_CAUSE_TO_PB[lock.cause],
        reopened_until=_stamp(lock.reopened_until),
        closed=lock.is_closed(at or now()),
        reopen_request_id=str(lock.reopen_request_id or ""),
    )


def request_to_pb(request: reopen_requests.ReopenRequest) -> pb.ReopenRequest:
    """Map a reopen request."""
    lock = request.lock
    return pb.ReopenRequest(
        request_id=str(request.id),
        lock_id=str(lock.id),
        group_id=str(lock.group_id),
        discipline_id=str(lock.discipline_id),
        year_id=str(lock.year_id),
        semester=lock.semester,
        requested_by=str(request.requested_by),
        reason=request.reason,
        requested_at=_stamp(request.requested_at),
        status=_STATUS_TO_PB[request.status],
        decided_by=str(request.decided_by or ""),
        decided_at=_stamp(request.decided_at),
        decision_reason=request.decision_reason,
        reopened_until=_stamp(request.reopened_until),
    )


def close_from_pb(request: pb.ClosePeriodRequest) -> ClosePeriod:
    """ClosePeriod's command."""
    return ClosePeriod(
        group_id=_id(request.group_id, "group_id"),
        discipline_id=_id(request.discipline_id, "discipline_id"),
        year_id=_id(request.year_id, "year_id"),
        semester=period_locks.check_semester(request.semester),
    )


def list_locks_from_pb(request: pb.ListPeriodLocksRequest) -> ListPeriodLocks:
    """ListPeriodLocks' query."""
    return ListPeriodLocks(
        group_id=_id(request.group_id, "group_id"),
        discipline_id=optional_id(request.discipline_id, "discipline_id"),
    )


def request_from_pb(request: pb.RequestReopenRequest) -> RequestReopen:
    """RequestReopen's command."""
    return RequestReopen(
        group_id=_id(request.group_id, "group_id"),
        discipline_id=_id(request.discipline_id, "discipline_id"),
        year_id=_id(request.year_id, "year_id"),
        semester=period_locks.check_semester(request.semester),
        reason=reopen_requests.check_reason(request.reason),
    )


def approve_from_pb(request: pb.ApproveReopenRequest) -> ApproveReopen:
    """ApproveReopen's command (the window's bounds are the domain's)."""
    until = request.until.ToDatetime(tzinfo=UTC) if request.HasField("until") else None
    return ApproveReopen(request_id=_id(request.request_id, "request_id"), hours=request.hours, until=until)


def reject_from_pb(request: pb.RejectReopenRequest) -> RejectReopen:
    """RejectReopen's command."""
    return RejectReopen(
        request_id=_id(request.request_id, "request_id"),
        reason=reopen_requests.check_reason(request.reason),
    )


def list_requests_from_pb(request: pb.ListReopenRequestsRequest) -> ListReopenRequests:
    """ListReopenRequests' query: an unknown status number is read as unspecified."""
    return ListReopenRequests(status=_STATUS_FROM_PB.get(request.status))
