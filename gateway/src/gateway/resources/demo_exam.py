"""The demonstration exam («демонстрационный экзамен», JournalService, issue 7 item 4): the versioned
table that converts a percent of the maximum into a mark (set by the admin, read by staff), a student's
result recorded by the teacher of the load (points and maximum → percent → mark by the table in force on
the exam's date), a group's results."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody, date_of, to_local_date

SMALL = 32767
Percent = Annotated[str, Field(max_length=8, description="Процент от максимума, до двух знаков: «19.99»")]


class BandOut(BaseModel):
    """Строка шкалы перевода: проценты от и до (включительно) → отметка."""

    from_percent: str
    to_percent: str
    mark: str


class ScaleOut(BaseModel):
    """Версия шкалы перевода баллов демонстрационного экзамена в отметку."""

    version: int = Field(description="Номер версии; 1 — шкала по умолчанию")
    effective_from: date | None = Field(description="Действует с")
    author_id: str = Field(description="Кто задал (пусто для шкалы по умолчанию)")
    bands: list[BandOut]


class BandIn(RequestBody):
    """Строка шкалы: проценты от и до (включительно) и отметка 2–5."""

    from_percent: Percent
    to_percent: Percent
    mark: str = Field(max_length=4, description="Отметка: 2, 3, 4 или 5")


class ScaleIn(RequestBody):
    """Новая версия шкалы (администратор): строки покрывают 0–100 % без пропусков и пересечений."""

    bands: list[BandIn] = Field(max_length=10)
    effective_from: date | None = Field(default=None, description="Действует с (по умолчанию — сегодня)")


class ResultIn(RequestBody):
    """Результат демонстрационного экзамена обучающегося (преподаватель нагрузки)."""

    discipline_id: UUID
    year_id: UUID
    semester: int = Field(ge=-SMALL, le=SMALL, description="Семестр: 1 или 2")
    student_id: UUID
    points: str = Field(max_length=16, description="Баллы, до двух знаков после запятой")
    maximum: str = Field(max_length=16, description="Максимум баллов")
    exam_date: date = Field(description="Дата экзамена")


class ResultOut(BaseModel):
    """Результат: баллы, максимум, процент, версия шкалы и отметка."""

    result_id: str
    student_id: str
    group_id: str
    discipline_id: str
    year_id: str
    semester: int
    exam_date: date | None
    points: str
    maximum: str
    percent: str = Field(description="Процент от максимума, два знака")
    scale_version: int = Field(description="Версия шкалы, по которой переведено")
    mark: str
    recorded_by: str
    final_id: str = Field(description="Итоговая оценка, в которую записан (пусто — хранится как результат)")


class ResultsOut(BaseModel):
    """Результаты группы по дисциплине за семестр."""

    results: list[ResultOut]


def scale_out(scale: pb.DemoExamScale) -> ScaleOut:
    """Map a version of the table."""
    return ScaleOut(
        version=scale.version,
        effective_from=date_of(scale.effective_from),
        author_id=scale.author_id,
        bands=[
            BandOut(from_percent=b.from_percent, to_percent=b.to_percent, mark=b.mark) for b in scale.bands
        ],
    )


def result_out(result: pb.DemoExamResult) -> ResultOut:
    """Map a result."""
    return ResultOut(
        result_id=result.result_id,
        student_id=result.student_id,
        group_id=result.group_id,
        discipline_id=result.discipline_id,
        year_id=result.year_id,
        semester=result.semester,
        exam_date=date_of(result.exam_date),
        points=result.points,
        maximum=result.maximum,
        percent=result.percent,
        scale_version=result.scale_version,
        mark=result.mark,
        recorded_by=result.recorded_by,
        final_id=result.final_id,
    )


router = APIRouter(tags=["Демонстрационный экзамен"])


@router.get("/demo-exam/scale", summary="Шкала перевода баллов демонстрационного экзамена")
async def get_scale(
    caller: Caller,
    clients: Clients,
    version: Annotated[int, Query(ge=0, le=SMALL, description="Версия; 0 — действующая сегодня")] = 0,
) -> ScaleOut:
    """Действующая шкала или её версия (сотрудники колледжа)."""
    reply = await call(
        clients.journal.GetDemoExamScale, pb.GetDemoExamScaleRequest(version=version), caller.token
    )
    return scale_out(reply.scale)


@router.post("/demo-exam/scale/versions", status_code=201, summary="Задать новую версию шкалы")
async def set_scale(body: ScaleIn, caller: Caller, clients: Clients) -> ScaleOut:
    """Новая версия шкалы (администратор); записанные результаты сохраняют свою версию."""
    request = pb.SetDemoExamScaleRequest(
        bands=[
            pb.DemoExamBand(from_percent=b.from_percent, to_percent=b.to_percent, mark=b.mark)
            for b in body.bands
        ]
    )
    if body.effective_from is not None:
        request.effective_from.CopyFrom(to_local_date(body.effective_from))
    return scale_out((await call(clients.journal.SetDemoExamScale, request, caller.token)).scale)


@router.post(
    "/groups/{group_id}/demo-exam/results",
    status_code=201,
    summary="Записать результат демонстрационного экзамена",
)
async def record_result(group_id: UUID, body: ResultIn, caller: Caller, clients: Clients) -> ResultOut:
    """Баллы и максимум → процент → отметка по шкале, действующей на дату экзамена (преподаватель
    нагрузки; дисциплина с демонстрационным экзаменом в учебном плане группы в этом семестре)."""
    request = pb.RecordDemoExamResultRequest(
        group_id=str(group_id),
        discipline_id=str(body.discipline_id),
        year_id=str(body.year_id),
        semester=body.semester,
        student_id=str(body.student_id),
        points=body.points,
        maximum=body.maximum,
        exam_date=to_local_date(body.exam_date),
    )
    return result_out((await call(clients.journal.RecordDemoExamResult, request, caller.token)).result)


@router.get("/groups/{group_id}/demo-exam/results", summary="Результаты демонстрационного экзамена группы")
async def list_results(
    group_id: UUID,
    *,
    discipline: Annotated[UUID, Query(description="Идентификатор дисциплины")],
    year_id: Annotated[UUID, Query(description="Идентификатор учебного года")],
    semester: Annotated[int, Query(ge=1, le=2, description="Семестр: 1 или 2")],
    caller: Caller,
    clients: Clients,
) -> ResultsOut:
    """Результаты группы по дисциплине за семестр (администрация, преподаватели группы, её классный
    руководитель)."""
    request = pb.ListDemoExamResultsRequest(
        group_id=str(group_id), discipline_id=str(discipline), year_id=str(year_id), semester=semester
    )
    reply = await call(clients.journal.ListDemoExamResults, request, caller.token)
    return ResultsOut(results=[result_out(r) for r in reply.results])
