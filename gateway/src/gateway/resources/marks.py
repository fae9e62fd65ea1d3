"""Marks and the diary (JournalService): routes, bodies and mapping."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody, date_of, instant_of, to_local_date
from gateway.resources.disciplines import DisciplineOut, discipline_out


class MarkCreate(RequestBody):
    """Оценка обучающегося за занятие."""

    student_id: UUID = Field(description="Идентификатор обучающегося")
    group_id: UUID = Field(description="Идентификатор группы")
    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    lesson_date: date = Field(description="Дата занятия, ГГГГ-ММ-ДД; не в будущем")
    value: str = Field(min_length=1, max_length=16, description="Отметка из словаря колледжа: 5, 4, зач, н…")


class MarkOut(BaseModel):
    """Оценка."""

    mark_id: str = Field(description="Идентификатор оценки")
    student_id: str = Field(description="Идентификатор обучающегося")
    group_id: str = Field(description="Идентификатор группы")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    teacher_id: str = Field(description="Кто выставил")
    lesson_date: date | None = Field(description="Дата занятия")
    value: str = Field(description="Отметка")
    recorded_at: datetime | None = Field(description="Когда выставлена, UTC")


class DisciplineAverageOut(BaseModel):
    """Средние баллы по дисциплине: только числовые отметки, учитываемые в среднем по словарю колледжа."""

    discipline_id: str = Field(description="Идентификатор дисциплины")
    mean: Decimal | None = Field(description="Средний балл, 2 знака (округление половины вверх); нет — null")
    weighted_mean: Decimal | None = Field(description="Средневзвешенный балл по весам работ; нет — null")


class MarkList(BaseModel):
    """Дневник: оценки обучающегося, новые занятия первыми, дисциплины этих оценок и средние баллы."""

    marks: list[MarkOut]
    disciplines: list[DisciplineOut] = Field(
        description="Дисциплины, на которые ссылаются оценки, каждая один раз, по коду и названию"
    )
    averages: list[DisciplineAverageOut] = Field(
        default_factory=list, description="Средние баллы по каждой дисциплине оценок"
    )


def average_out(item: pb.DisciplineAverage) -> DisciplineAverageOut:
    """Map a discipline's averages; the empty string (no mark counts) is null."""
    return DisciplineAverageOut(
        discipline_id=item.discipline_id,
        mean=Decimal(item.mean) if item.mean else None,
        weighted_mean=Decimal(item.weighted_mean) if item.weighted_mean else None,
    )


def mark_out(mark: journal_pb2.Mark) -> MarkOut:
    """Map a Mark."""
    return MarkOut(
        mark_id=mark.mark_id,
        student_id=mark.student_id,
        group_id=mark.group_id,
        discipline_id=mark.discipline_id,
        teacher_id=mark.teacher_id,
        lesson_date=date_of(mark.lesson_date),
        value=mark.value,
        recorded_at=instant_of(mark.recorded_at, present=mark.HasField("recorded_at")),
    )


router = APIRouter(tags=["Журнал"])


@router.post("/marks", status_code=201, summary="Выставить оценку")
async def record_mark(body: MarkCreate, caller: Caller, clients: Clients) -> MarkOut:
    """Выставляет оценку за занятие; может только преподаватель с нагрузкой в этой группе."""
    request = pb.RecordMarkRequest(
        student_id=str(body.student_id),
        group_id=str(body.group_id),
        discipline_id=str(body.discipline_id),
        lesson_date=to_local_date(body.lesson_date),
        value=body.value,
    )
    return mark_out((await call(clients.journal.RecordMark, request, caller.token)).mark)


@router.get("/students/{student_id}/marks", summary="Дневник: оценки обучающегося")
async def list_student_marks(student_id: UUID, caller: Caller, clients: Clients) -> MarkList:
    """Оценки, новые занятия первыми, и их дисциплины: сам обучающийся, его родитель, сотрудники."""
    request = pb.ListStudentMarksRequest(student_id=str(student_id))
    diary = await call(clients.journal.ListStudentMarks, request, caller.token)
    return MarkList(
        marks=[mark_out(m) for m in diary.marks],
        disciplines=[discipline_out(d) for d in diary.disciplines],
        averages=[average_out(a) for a in diary.averages],
    )
