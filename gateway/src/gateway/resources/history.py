"""History of marks and attendance, students' correction requests (JournalService, R3.3): routes,
bodies and mapping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.attendance import REASONS, STATUSES
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, instant_of
from gateway.resources.marks import KINDS_OF_WORK, MarkOut, mark_out

ACTIONS = ProtoEnum(pb.HistoryAction)
DECISIONS = ProtoEnum(journal_pb2.CorrectionDecision)
REQUEST_STATUSES = ProtoEnum(pb.CorrectionRequestStatus)
DecisionName = Annotated[str, DECISIONS]
RequestStatusName = Annotated[str, REQUEST_STATUSES]
MAX_TEXT = 1000


E = TypeVar("E", bound=int)


def _name_or_none(enum: ProtoEnum[E], value: int) -> str | None:
    return enum.name_of(value) if value else None


class MarkHistoryEntryOut(BaseModel):
    """Запись истории оценки: выставлена, исправлена, удалена, запрос на исправление, ответ на него."""

    action: str = Field(description=ACTIONS.describe("Что произошло"))
    at: datetime | None = Field(description="Когда, UTC")
    actor_id: str = Field(description="Кто: преподаватель; для запроса — обучающийся")
    old_value: str | None = Field(description="Было (исправление, удаление)")
    new_value: str | None = Field(description="Стало (выставление, исправление, ответ «исправлена»)")
    old_kind_of_work: str | None = Field(description=KINDS_OF_WORK.describe("Вид работы: было"))
    new_kind_of_work: str | None = Field(description=KINDS_OF_WORK.describe("Вид работы: стало"))
    old_weight: int | None = Field(description="Вес: было")
    new_weight: int | None = Field(description="Вес: стало")
    text: str = Field(description="Причина исправления, текст запроса или ответа")
    correction_request_id: str | None = Field(
        description="Запрос на исправление, к которому относится запись"
    )
    decision: str | None = Field(description=DECISIONS.describe("Решение по запросу (ответ)"))


class MarkHistoryOut(BaseModel):
    """История оценки в порядке времени: кто, когда, было → стало, почему; запросы и ответы."""

    mark: MarkOut
    removed: bool = Field(description="Оценка удалена (история сохраняется)")
    entries: list[MarkHistoryEntryOut]


class AttendanceHistoryEntryOut(BaseModel):
    """Изменение отметки посещаемости обучающегося на занятии."""

    action: str = Field(description=ACTIONS.describe("changed или removed"))
    at: datetime | None = Field(description="Когда, UTC")
    actor_id: str = Field(description="Кто изменил")
    old_status: str | None = Field(description=STATUSES.describe("Было; null — отметки не было"))
    old_reason: str | None = Field(description=REASONS.describe("Причина: было"))
    new_status: str | None = Field(description=STATUSES.describe("Стало; null — отметка снята"))
    new_reason: str | None = Field(description=REASONS.describe("Причина: стало"))
    text: str = Field(description="Что изменилось: отметки занятия или причина пропуска")


class AttendanceHistoryOut(BaseModel):
    """Посещаемость обучающегося на занятии сейчас и её изменения."""

    lesson_date: date | None
    discipline_id: str
    status: str | None = Field(description=STATUSES.describe("Сейчас; null — отметки нет"))
    reason: str | None = Field(description=REASONS.describe("Причина сейчас"))
    entries: list[AttendanceHistoryEntryOut]


class CorrectionRequestOut(BaseModel):
    """Запрос обучающегося на исправление оценки и ответ преподавателя."""

    request_id: str
    mark_id: str
    student_id: str
    group_id: str
    discipline_id: str
    lesson_date: date | None
    mark_value: str = Field(description="Оценка, когда запрос был подан")
    text: str
    filed_at: datetime | None
    status: str = Field(description=REQUEST_STATUSES.describe("Состояние"))
    decision: str | None = Field(description=DECISIONS.describe("Решение; null — ответа ещё нет"))
    answer_text: str | None
    answered_by: str | None
    answered_at: datetime | None
    new_value: str | None = Field(description="Новая оценка (решение changed)")


class CorrectionRequestList(BaseModel):
    """Запросы: открытые первыми."""

    requests: list[CorrectionRequestOut]


class CorrectionRequestCreate(RequestBody):
    """Запрос на исправление своей оценки: что не так."""

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Текст запроса, 1–1000 символов")


class CorrectionAnswer(RequestBody):
    """Ответ преподавателя: оценка исправлена (с новой отметкой) или дано пояснение."""

    decision: DecisionName = Field(description=DECISIONS.describe("Решение"))
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Ответ, 1–1000 символов")
    new_value: str = Field(default="", max_length=16, description="Новая отметка (только для changed)")


class CorrectionAnswered(BaseModel):
    """Запрос с ответом и оценка, как она есть теперь."""

    request: CorrectionRequestOut
    mark: MarkOut


def entry_out(e: pb.MarkHistoryEntry) -> MarkHistoryEntryOut:
    """Map an entry of a mark's history."""
    return MarkHistoryEntryOut(
        action=ACTIONS.name_of(e.action),
        at=instant_of(e.at, present=e.HasField("at")),
        actor_id=e.actor_id,
        old_value=e.old_value or None,
        new_value=e.new_value or None,
        old_kind_of_work=_name_or_none(KINDS_OF_WORK, e.old_kind_of_work),
        new_kind_of_work=_name_or_none(KINDS_OF_WORK, e.new_kind_of_work),
        old_weight=e.old_weight or None,
        new_weight=e.new_weight or None,
        text=e.text,
        correction_request_id=e.correction_request_id or None,
        decision=_name_or_none(DECISIONS, e.decision),
    )


def request_out(r: pb.CorrectionRequest) -> CorrectionRequestOut:
    """Map a correction request."""
    return CorrectionRequestOut(
        request_id=r.request_id,
        mark_id=r.mark_id,
        student_id=r.student_id,
        group_id=r.group_id,
        discipline_id=r.discipline_id,
        lesson_date=date_of(r.lesson_date),
        mark_value=r.mark_value,
        text=r.text,
        filed_at=instant_of(r.filed_at, present=r.HasField("filed_at")),
        status=REQUEST_STATUSES.name_of(r.status),
        decision=_name_or_none(DECISIONS, r.decision),
        answer_text=r.answer_text or None,
        answered_by=r.answered_by or None,
        answered_at=instant_of(r.answered_at, present=r.HasField("answered_at")),
        new_value=r.new_value or None,
    )


router = APIRouter(tags=["Журнал"])


@router.get("/marks/{mark_id}/history", summary="История оценки")
async def mark_history(mark_id: UUID, caller: Caller, clients: Clients) -> MarkHistoryOut:
    """Выставление, каждое исправление и удаление (кто, когда, было → стало, почему), запросы на
    исправление и ответы на них. Видят обучающийся, его родители, преподаватель дисциплины, классный
    руководитель группы и администрация; чтение чужой истории записывается в журнал аудита."""
    reply = await call(
        clients.journal.GetMarkHistory, pb.GetMarkHistoryRequest(mark_id=str(mark_id)), caller.token
    )
    return MarkHistoryOut(
        mark=mark_out(reply.mark), removed=reply.removed, entries=[entry_out(e) for e in reply.entries]
    )


@router.get("/lessons/{lesson_id}/attendance/{student_id}/history", summary="История отметки посещаемости")
async def attendance_history(
    lesson_id: UUID, student_id: UUID, caller: Caller, clients: Clients
) -> AttendanceHistoryOut:
    """Отметка обучающегося на занятии сейчас и каждое её изменение после первой записи посещаемости:
    кто, когда, было → стало. Видят те же, кто видит историю оценки."""
    request = pb.GetAttendanceHistoryRequest(lesson_id=str(lesson_id), student_id=str(student_id))
    reply = await call(clients.journal.GetAttendanceHistory, request, caller.token)
    current = reply.current if reply.HasField("current") else None
    return AttendanceHistoryOut(
        lesson_date=date_of(reply.lesson_date),
        discipline_id=reply.discipline_id,
        status=STATUSES.name_of(current.status) if current else None,
        reason=REASONS.name_of(current.reason) if current else None,
        entries=[
            AttendanceHistoryEntryOut(
                action=ACTIONS.name_of(e.action),
                at=instant_of(e.at, present=e.HasField("at")),
                actor_id=e.actor_id,
                old_status=_name_or_none(STATUSES, e.old_status),
                old_reason=REASONS.name_of(e.old_reason) if e.old_status else None,
                new_status=_name_or_none(STATUSES, e.new_status),
                new_reason=REASONS.name_of(e.new_reason) if e.new_status else None,
                text=e.text,
            )
            for e in reply.entries
        ],
    )


@router.post("/marks/{mark_id}/correction-requests", status_code=201, summary="Запросить исправление оценки")
async def file_correction_request(
    mark_id: UUID, body: CorrectionRequestCreate, caller: Caller, clients: Clients
) -> CorrectionRequestOut:
    """Обучающийся просит преподавателя исправить свою оценку; по оценке — один открытый запрос."""
    request = pb.FileCorrectionRequestRequest(mark_id=str(mark_id), text=body.text)
    return request_out((await call(clients.journal.FileCorrectionRequest, request, caller.token)).request)


@router.get("/correction-requests", summary="Запросы на исправление оценок")
async def list_correction_requests(
    caller: Caller,
    clients: Clients,
    status: Annotated[
        RequestStatusName | None, Query(description=REQUEST_STATUSES.describe("Только"))
    ] = None,
) -> CorrectionRequestList:
    """Преподавателю — запросы по оценкам его нагрузки, обучающемуся — свои; открытые первыми."""
    request = pb.ListCorrectionRequestsRequest(
        status=REQUEST_STATUSES.to_pb(status) if status else pb.CORRECTION_REQUEST_STATUS_UNSPECIFIED
    )
    reply = await call(clients.journal.ListCorrectionRequests, request, caller.token)
    return CorrectionRequestList(requests=[request_out(r) for r in reply.requests])


@router.post("/correction-requests/{request_id}/answer", summary="Ответить на запрос на исправление")
async def answer_correction_request(
    request_id: UUID, body: CorrectionAnswer, caller: Caller, clients: Clients
) -> CorrectionAnswered:
    """Преподаватель дисциплины отвечает один раз: changed — оценка исправляется (с записью в её
    истории), explained — остаётся, с пояснением."""
    request = pb.AnswerCorrectionRequestRequest(
        request_id=str(request_id),
        decision=DECISIONS.to_pb(body.decision),
        text=body.text,
        new_value=body.new_value,
    )
    reply = await call(clients.journal.AnswerCorrectionRequest, request, caller.token)
    return CorrectionAnswered(request=request_out(reply.request), mark=mark_out(reply.mark))
