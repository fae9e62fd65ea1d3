"""Attendance of a lesson (JournalService, R2.3): the whole group in one request; reasons are
categories only, never a diagnosis."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody
from gateway.resources.lessons import LessonOut, lesson_out

STATUSES = ProtoEnum(journal_pb2.AttendanceStatus)
REASONS = ProtoEnum(journal_pb2.AbsenceReason)
StatusName = Annotated[str, STATUSES]
ReasonName = Annotated[str, REASONS]


class AttendanceEntryIn(RequestBody):
    """Посещаемость одного обучающегося."""

    student_id: UUID = Field(description="Идентификатор обучающегося группы (подгруппы)")
    status: StatusName = Field(description=STATUSES.describe("Был ли на занятии"))
    reason: ReasonName | None = Field(
        default=None,
        description=REASONS.describe("Категория причины пропуска или опоздания; нет — не указана"),
    )


class AttendanceSet(RequestBody):
    """Посещаемость занятия всей группой: заменяет прежнюю целиком."""

    entries: list[AttendanceEntryIn] = Field(max_length=200, description="По строке на обучающегося")


class AttendanceEntryOut(BaseModel):
    """Посещаемость одного обучающегося."""

    student_id: str = Field(description="Идентификатор обучающегося")
    status: str = Field(description=STATUSES.describe("Был ли на занятии"))
    reason: str = Field(description=REASONS.describe("Категория причины (unspecified — не указана)"))


class AttendanceOut(BaseModel):
    """Посещаемость занятия по обучающимся."""

    lesson: LessonOut | None = Field(default=None, description="Занятие")
    entries: list[AttendanceEntryOut]


def entry_out(entry: journal_pb2.AttendanceEntry) -> AttendanceEntryOut:
    """Map an AttendanceEntry."""
    return AttendanceEntryOut(
        student_id=entry.student_id,
        status=STATUSES.name_of(entry.status),
        reason=REASONS.name_of(entry.reason),
    )


router = APIRouter(tags=["Журнал"])


@router.put("/lessons/{lesson_id}/attendance", summary="Отметить посещаемость занятия")
async def set_attendance(
    lesson_id: UUID, body: AttendanceSet, caller: Caller, clients: Clients
) -> AttendanceOut:
    """Вся группа одним запросом (преподаватель нагрузки); заменяет прежнюю посещаемость занятия."""
    request = pb.RecordAttendanceRequest(
        lesson_id=str(lesson_id),
        entries=[
            journal_pb2.AttendanceEntry(
                student_id=str(e.student_id),
                status=STATUSES.to_pb(e.status),
                reason=REASONS.to_pb(e.reason) if e.reason else journal_pb2.ABSENCE_REASON_UNSPECIFIED,
            )
            for e in body.entries
        ],
    )
    answer = await call(clients.journal.RecordAttendance, request, caller.token)
    return AttendanceOut(entries=[entry_out(e) for e in answer.entries])


@router.get("/lessons/{lesson_id}/attendance", summary="Посещаемость занятия")
async def get_attendance(lesson_id: UUID, caller: Caller, clients: Clients) -> AttendanceOut:
    """Преподаватель нагрузки, классный руководитель группы, администрация."""
    answer = await call(
        clients.journal.GetAttendance, pb.GetAttendanceRequest(lesson_id=str(lesson_id)), caller.token
    )
    return AttendanceOut(lesson=lesson_out(answer.lesson), entries=[entry_out(e) for e in answer.entries])
