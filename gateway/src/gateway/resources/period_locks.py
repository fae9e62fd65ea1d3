"""Period locks and reopen requests (JournalService, slice B; R1.5): routes, bodies and mapping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import period_locks_pb2 as pb
from fastapi import APIRouter, Query
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, instant_of

CAUSES = ProtoEnum(pb.PeriodCloseCause)
STATUSES = ProtoEnum(pb.ReopenRequestStatus)
StatusName = Annotated[str, STATUSES]
MAX_REASON = 1000
MAX_HOURS = 168


class PeriodLockOut(BaseModel):
    """Закрытый период группы по дисциплине: семестр (1, 2) или учебный год (0)."""

    lock_id: str
    group_id: str
    discipline_id: str
    year_id: str
    semester: int = Field(description="1 или 2; 0 — учебный год")
    starts_on: date | None = Field(description="Первый день периода")
    ends_on: date | None = Field(description="Последний день периода")
    closed_at: datetime | None = Field(description="Когда закрыт, UTC")
    closed_by: str | None = Field(description="Кто закрыл; null — закрыт выставлением итоговых оценок")
    cause: str = Field(description=CAUSES.describe("Почему закрыт"))
    reopened_until: datetime | None = Field(description="Открыт по заявке до этого момента, UTC")
    closed: bool = Field(description="true — записи в периоде сейчас запрещены")
    reopen_request_id: str | None = Field(description="Заявка, по которой период открывали последний раз")


class PeriodLockList(BaseModel):
    """Закрытые периоды группы."""

    locks: list[PeriodLockOut]


class ReopenRequestOut(BaseModel):
    """Заявка преподавателя на открытие закрытого периода и решение заместителя директора."""

    request_id: str
    lock_id: str
    group_id: str
    discipline_id: str
    year_id: str
    semester: int = Field(description="1 или 2; 0 — учебный год")
    requested_by: str
    reason: str
    requested_at: datetime | None
    status: str = Field(description=STATUSES.describe("Состояние"))
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None = Field(description="Причина отказа")
    reopened_until: datetime | None = Field(description="Одобрена: период открыт до, UTC")


class ReopenRequestList(BaseModel):
    """Заявки, новые первыми."""

    requests: list[ReopenRequestOut]


class PeriodClose(RequestBody):
    """Какой период закрыть."""

    year_id: UUID
    semester: int = Field(ge=0, le=2, description="1 или 2; 0 — учебный год")


class ReopenRequestCreate(RequestBody):
    """Заявка на открытие закрытого периода."""

    group_id: UUID
    discipline_id: UUID
    year_id: UUID
    semester: int = Field(ge=0, le=2, description="1 или 2; 0 — учебный год")
    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Причина, 1–1000 символов")


class ReopenApproval(RequestBody):
    """На сколько открыть: часы (1–168, по умолчанию 48) или момент, до которого открыт."""

    hours: int = Field(default=0, ge=0, le=MAX_HOURS, description="Часы, 1–168; 0 — 48 часов")
    until: datetime | None = Field(default=None, description="До какого момента (не дальше 7 дней)")


class ReopenRejection(RequestBody):
    """Отказ с причиной."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Причина отказа, 1–1000 символов")


class ReopenApproved(BaseModel):
    """Одобренная заявка и открытый период."""

    request: ReopenRequestOut
    lock: PeriodLockOut


def lock_out(lock: pb.PeriodLock) -> PeriodLockOut:
    """Map a lock."""
    return PeriodLockOut(
        lock_id=lock.lock_id,
        group_id=lock.group_id,
        discipline_id=lock.discipline_id,
        year_id=lock.year_id,
        semester=lock.semester,
        starts_on=date_of(lock.span.starts_on),
        ends_on=date_of(lock.span.ends_on),
        closed_at=instant_of(lock.closed_at, present=lock.HasField("closed_at")),
        closed_by=lock.closed_by or None,
        cause=CAUSES.name_of(lock.cause),
        reopened_until=instant_of(lock.reopened_until, present=lock.HasField("reopened_until")),
        closed=lock.closed,
        reopen_request_id=lock.reopen_request_id or None,
    )


def request_out(r: pb.ReopenRequest) -> ReopenRequestOut:
    """Map a reopen request."""
    return ReopenRequestOut(
        request_id=r.request_id,
        lock_id=r.lock_id,
        group_id=r.group_id,
        discipline_id=r.discipline_id,
        year_id=r.year_id,
        semester=r.semester,
        requested_by=r.requested_by,
        reason=r.reason,
        requested_at=instant_of(r.requested_at, present=r.HasField("requested_at")),
        status=STATUSES.name_of(r.status),
        decided_by=r.decided_by or None,
        decided_at=instant_of(r.decided_at, present=r.HasField("decided_at")),
        decision_reason=r.decision_reason or None,
        reopened_until=instant_of(r.reopened_until, present=r.HasField("reopened_until")),
    )


router = APIRouter(tags=["Журнал"])


@router.post(
    "/groups/{group_id}/disciplines/{discipline_id}/period-locks",
    status_code=201,
    summary="Закрыть период",
)
async def close_period(
    group_id: UUID, discipline_id: UUID, body: PeriodClose, caller: Caller, clients: Clients
) -> PeriodLockOut:
    """Администратор или заместитель директора закрывает семестр или учебный год группы по дисциплине
    (например, когда итоговые оценки выставлены на бумаге). Период закрывается и сам, когда итоговые
    оценки выставлены всем обучающимся. Открытый по заявке период закрывается досрочно."""
    request = pb.ClosePeriodRequest(
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        year_id=str(body.year_id),
        semester=body.semester,
    )
    return lock_out((await call(clients.journal.ClosePeriod, request, caller.token)).lock)


@router.get("/groups/{group_id}/period-locks", summary="Закрытые периоды группы")
async def list_period_locks(
    group_id: UUID,
    caller: Caller,
    clients: Clients,
    discipline_id: Annotated[UUID | None, Query(description="Только по этой дисциплине")] = None,
) -> PeriodLockList:
    """Закрытые периоды и сроки открытия по заявкам; видят те, кто видит страницу журнала группы."""
    request = pb.ListPeriodLocksRequest(group_id=str(group_id), discipline_id=str(discipline_id or ""))
    reply = await call(clients.journal.ListPeriodLocks, request, caller.token)
    return PeriodLockList(locks=[lock_out(lock) for lock in reply.locks])


@router.post("/reopen-requests", status_code=201, summary="Подать заявку на открытие периода")
async def request_reopen(body: ReopenRequestCreate, caller: Caller, clients: Clients) -> ReopenRequestOut:
    """Преподаватель, ведущий дисциплину в группе, просит открыть закрытый период, с причиной."""
    request = pb.RequestReopenRequest(
        group_id=str(body.group_id),
        discipline_id=str(body.discipline_id),
        year_id=str(body.year_id),
        semester=body.semester,
        reason=body.reason,
    )
    return request_out((await call(clients.journal.RequestReopen, request, caller.token)).request)


@router.get("/reopen-requests", summary="Заявки на открытие периодов")
async def list_reopen_requests(
    caller: Caller,
    clients: Clients,
    status: Annotated[StatusName | None, Query(description=STATUSES.describe("Только"))] = None,
) -> ReopenRequestList:
    """Заместителю директора — ждущие решения (или заданного состояния), преподавателю — свои."""
    request = pb.ListReopenRequestsRequest(
        status=STATUSES.to_pb(status) if status else pb.REOPEN_REQUEST_STATUS_UNSPECIFIED
    )
    reply = await call(clients.journal.ListReopenRequests, request, caller.token)
    return ReopenRequestList(requests=[request_out(r) for r in reply.requests])


@router.post("/reopen-requests/{request_id}/approve", summary="Одобрить заявку на открытие")
async def approve_reopen(
    request_id: UUID, body: ReopenApproval, caller: Caller, clients: Clients
) -> ReopenApproved:
    """Заместитель директора открывает период на срок (по умолчанию 48 часов, не больше 7 дней);
    по истечении срока период закрывается сам."""
    request = pb.ApproveReopenRequest(request_id=str(request_id), hours=body.hours)
    if body.until is not None:
        until = Timestamp()
        until.FromDatetime(body.until)
        request.until.CopyFrom(until)
    reply = await call(clients.journal.ApproveReopen, request, caller.token)
    return ReopenApproved(request=request_out(reply.request), lock=lock_out(reply.lock))


@router.post("/reopen-requests/{request_id}/reject", summary="Отклонить заявку на открытие")
async def reject_reopen(
    request_id: UUID, body: ReopenRejection, caller: Caller, clients: Clients
) -> ReopenRequestOut:
    """Заместитель директора отказывает с причиной; период остаётся закрытым."""
    request = pb.RejectReopenRequest(request_id=str(request_id), reason=body.reason)
    return request_out((await call(clients.journal.RejectReopen, request, caller.token)).request)
