"""Marks and the diary (JournalService): routes, bodies and mapping."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, field_validator

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import (
    Clients,
    ProtoEnum,
    RequestBody,
    date_of,
    instant_of,
    to_local_date,
)
from gateway.resources.disciplines import DisciplineOut, discipline_out

KINDS_OF_WORK = ProtoEnum(journal_pb2.KindOfWork)
KindOfWorkName = Annotated[str, KINDS_OF_WORK]


class MarkCreate(RequestBody):
    """Оценка обучающегося за занятие: на занятии (lesson_id) или по дате (группа, дисциплина, дата)."""

    student_id: UUID = Field(description="Идентификатор обучающегося")
    group_id: UUID | None = Field(default=None, description="Идентификатор группы; без занятия обязателен")
    discipline_id: UUID | None = Field(
        default=None, description="Идентификатор дисциплины; без занятия обязателен"
    )
    lesson_date: date | None = Field(
        default=None, description="Дата занятия, ГГГГ-ММ-ДД; не в будущем; без занятия обязательна"
    )
    value: str = Field(min_length=1, max_length=16, description="Отметка из словаря колледжа: 5, 4, зач, н…")
    lesson_id: UUID | None = Field(
        default=None,
        description="Занятие; группа, дисциплина и дата берутся из него. На одном занятии — несколько оценок",
    )
    kind_of_work: KindOfWorkName | None = Field(
        default=None, description=KINDS_OF_WORK.describe("Вид работы; по умолчанию answer (ответ на занятии)")
    )
    weight: int | None = Field(default=None, ge=1, le=5, description="Вес оценки 1–5; по умолчанию 1")

    @field_validator("group_id", "discipline_id", "lesson_date", "lesson_id", mode="before")
    @classmethod
    def _omitted_not_null(cls, value: object) -> object:
        # Omitted is fine (a mark on a lesson takes them from it); an explicit null is a mistake.
        if value is None:
            raise ValueError("omit the field instead of null")
        return value


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
    lesson_id: str | None = Field(default=None, description="Занятие; null — оценка по дате")
    kind_of_work: str = Field(default="answer", description=KINDS_OF_WORK.describe("Вид работы"))
    weight: int = Field(default=1, description="Вес оценки 1–5 в средневзвешенном")


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
    """Map a Mark. Built without validation: every field comes typed from the reply (a diary maps
    hundreds, and validating each took a third of the gateway's CPU per diary read)."""
    return MarkOut.model_construct(
        mark_id=mark.mark_id,
        student_id=mark.student_id,
        group_id=mark.group_id,
        discipline_id=mark.discipline_id,
        teacher_id=mark.teacher_id,
        lesson_date=date_of(mark.lesson_date),
        value=mark.value,
        recorded_at=instant_of(mark.recorded_at, present=mark.HasField("recorded_at")),
        lesson_id=mark.lesson_id or None,
        kind_of_work=KINDS_OF_WORK.name_of(mark.kind_of_work),
        weight=mark.weight or 1,
    )


router = APIRouter(tags=["Журнал"])


@router.post("/marks", status_code=201, summary="Выставить оценку")
async def record_mark(body: MarkCreate, caller: Caller, clients: Clients) -> MarkOut:
    """Выставляет оценку за занятие (на занятии — несколько, с видом работы и весом); может только
    преподаватель с нагрузкой в этой группе."""
    # The journal checks the rest: without a lesson, group, discipline and date are required there.
    request = pb.RecordMarkRequest(
        student_id=str(body.student_id),
        group_id=str(body.group_id or ""),
        discipline_id=str(body.discipline_id or ""),
        value=body.value,
        lesson_id=str(body.lesson_id or ""),
        kind_of_work=(
            KINDS_OF_WORK.to_pb(body.kind_of_work)
            if body.kind_of_work
            else journal_pb2.KIND_OF_WORK_UNSPECIFIED
        ),
        weight=body.weight or 0,
    )
    if body.lesson_date is not None:
        request.lesson_date.CopyFrom(to_local_date(body.lesson_date))
    return mark_out((await call(clients.journal.RecordMark, request, caller.token)).mark)


@router.get("/students/{student_id}/marks", summary="Дневник: оценки обучающегося", response_model=MarkList)
async def list_student_marks(student_id: UUID, caller: Caller, clients: Clients) -> Response:
    """Оценки, новые занятия первыми, и их дисциплины: сам обучающийся, его родитель, сотрудники."""
    request = pb.ListStudentMarksRequest(student_id=str(student_id))
    diary = await call(clients.journal.ListStudentMarks, request, caller.token)
    # Serialized once by the model itself: FastAPI would validate the hundreds of marks again first.
    body = MarkList.model_construct(
        marks=[mark_out(m) for m in diary.marks],
        disciplines=[discipline_out(d) for d in diary.disciplines],
        averages=[average_out(a) for a in diary.averages],
    )
    return Response(body.model_dump_json(), media_type="application/json")


class MarkChange(RequestBody):
    """Исправление оценки: новая отметка и, если указаны, вид работы и вес; причина сохраняется в истории."""

    value: str = Field(min_length=1, max_length=16, description="Новая отметка из словаря колледжа")
    kind_of_work: KindOfWorkName | None = Field(
        default=None, description=KINDS_OF_WORK.describe("Вид работы; не указан — прежний")
    )
    weight: int | None = Field(default=None, ge=1, le=5, description="Вес 1–5; не указан — прежний")
    reason: str = Field(default="", max_length=500, description="Причина исправления, до 500 символов")


class MarkRemoval(RequestBody):
    """Удаление оценки: причина сохраняется в истории (сама оценка не стирается, а скрывается)."""

    reason: str = Field(default="", max_length=500, description="Причина удаления, до 500 символов")


@router.patch("/marks/{mark_id}", summary="Исправить оценку")
async def change_mark(mark_id: UUID, body: MarkChange, caller: Caller, clients: Clients) -> MarkOut:
    """Исправляет отметку, вид работы или вес; может только преподаватель с нагрузкой этой группы.
    Прежнее значение, кто, когда и почему сохраняются в истории оценки."""
    request = pb.ChangeMarkRequest(
        mark_id=str(mark_id),
        value=body.value,
        kind_of_work=(
            KINDS_OF_WORK.to_pb(body.kind_of_work)
            if body.kind_of_work
            else journal_pb2.KIND_OF_WORK_UNSPECIFIED
        ),
        weight=body.weight or 0,
        reason=body.reason,
    )
    return mark_out((await call(clients.journal.ChangeMark, request, caller.token)).mark)


@router.delete("/marks/{mark_id}", status_code=204, summary="Удалить оценку")
async def remove_mark(
    mark_id: UUID,
    caller: Caller,
    clients: Clients,
    body: MarkRemoval | None = None,
    reason: Annotated[
        str | None, Query(max_length=500, description="Причина удаления (или в теле запроса)")
    ] = None,
) -> None:
    """Удаляет оценку (преподаватель с нагрузкой): она скрывается из журнала и дневника, а в истории
    остаются прежнее значение, кто, когда и почему. Причина — в теле или в параметре reason."""
    why = (body.reason if body is not None else "") or (reason or "").strip()
    request = pb.RemoveMarkRequest(mark_id=str(mark_id), reason=why)
    await call(clients.journal.RemoveMark, request, caller.token)
