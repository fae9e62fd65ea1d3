"""Substitutions («замены», R2.4) and curriculum execution («выполнение программы», R2.5) of the
JournalService: routes, bodies and mapping."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date

REASONS = ProtoEnum(pb.SubstitutionReason)
ReasonName = Annotated[str, REASONS]
# «Причина замены» as the portal shows it, by REST name.
REASON_TITLES = {
    "sick_leave": "больничный лист",
    "business_trip": "командировка",
    "vacation": "отпуск",
    "training": "повышение квалификации",
    "other": "другая причина",
}


class SubstitutionCreate(RequestBody):
    """Замена: пару группы по расписанию в этот день ведёт другой преподаватель."""

    group_id: UUID = Field(description="Идентификатор группы")
    subgroup_id: UUID | None = Field(
        default=None, description="Подгруппа, если пара подгруппы; нет — вся группа"
    )
    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    lesson_date: date = Field(description="День пары, ГГГГ-ММ-ДД")
    pair_number: int = Field(ge=1, le=8, description="Номер пары по расписанию звонков")
    substitute_teacher_id: UUID = Field(description="Идентификатор заменяющего преподавателя")
    reason: ReasonName = Field(description=f"Причина: {', '.join(REASONS.names)}")


class SubstitutionOut(BaseModel):
    """Замена."""

    substitution_id: str = Field(description="Идентификатор замены")
    group_id: str = Field(description="Идентификатор группы")
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    lesson_date: date | None = Field(description="День пары")
    pair_number: int = Field(description="Номер пары")
    teacher_id: str = Field(description="Преподаватель по расписанию (заменяемый)")
    substitute_teacher_id: str = Field(description="Заменяющий преподаватель")
    reason: str = Field(description="Причина")
    recorded_by: str = Field(description="Кто записал замену")
    cancelled: bool = Field(description="true — замена отменена")
    lesson_id: str | None = Field(description="Занятие, записанное на эту пару; null — ещё нет")
    taught_by: str | None = Field(description="Кто провёл это занятие (кто его записал); null — ещё нет")


def substitution_out(value: pb.Substitution) -> SubstitutionOut:
    """Map a Substitution."""
    return SubstitutionOut(
        substitution_id=value.substitution_id,
        group_id=value.group_id,
        subgroup_id=value.subgroup_id or None,
        discipline_id=value.discipline_id,
        lesson_date=date_of(value.lesson_date),
        pair_number=value.pair_number,
        teacher_id=value.teacher_id,
        substitute_teacher_id=value.substitute_teacher_id,
        reason=REASONS.name_of(value.reason),
        recorded_by=value.recorded_by,
        cancelled=value.cancelled,
        lesson_id=value.lesson_id or None,
        taught_by=value.taught_by or None,
    )


class SubstitutionsOut(BaseModel):
    """Замены по дате, паре и группе."""

    substitutions: list[SubstitutionOut]


router = APIRouter(tags=["Журнал"])


@router.post("/substitutions", status_code=201, summary="Записать замену")
async def record_substitution(body: SubstitutionCreate, caller: Caller, clients: Clients) -> SubstitutionOut:
    """Пару группы по расписанию в этот день ведёт другой преподаватель колледжа; он может записать это
    занятие, его оценки, посещаемость и домашнее задание — и ничего больше по этой нагрузке
    (администратор, заместитель директора)."""
    request = pb.RecordSubstitutionRequest(
        group_id=str(body.group_id),
        subgroup_id=str(body.subgroup_id) if body.subgroup_id else "",
        discipline_id=str(body.discipline_id),
        lesson_date=to_local_date(body.lesson_date),
        pair_number=body.pair_number,
        substitute_teacher_id=str(body.substitute_teacher_id),
        reason=REASONS.to_pb(body.reason),
    )
    response = await call(clients.journal.RecordSubstitution, request, caller.token)
    return substitution_out(response.substitution)


@router.post("/substitutions/{substitution_id}/cancel", summary="Отменить замену")
async def cancel_substitution(substitution_id: UUID, caller: Caller, clients: Clients) -> SubstitutionOut:
    """Отменяет замену, пока заменяющий не записал занятие (substitution_used) — администратор,
    заместитель директора. Запись остаётся, с отметкой «отменена»."""
    request = pb.CancelSubstitutionRequest(substitution_id=str(substitution_id))
    response = await call(clients.journal.CancelSubstitution, request, caller.token)
    return substitution_out(response.substitution)


@router.get("/substitutions", summary="Замены за период")
async def list_substitutions(
    *,
    caller: Caller,
    clients: Clients,
    from_date: Annotated[date, Query(alias="from", description="Первый день (включительно)")],
    to_date: Annotated[date, Query(alias="to", description="Последний день (включительно), не дальше года")],
    group_id: Annotated[UUID | None, Query(description="Группа; без неё — все")] = None,
    include_cancelled: Annotated[bool, Query(description="Показать и отменённые")] = False,
) -> SubstitutionsOut:
    """Замены: администрации — все, преподавателю — те, где он заменяет или его заменяют."""
    request = pb.ListSubstitutionsRequest(
        from_date=to_local_date(from_date),
        to_date=to_local_date(to_date),
        group_id=str(group_id) if group_id else "",
        include_cancelled=include_cancelled,
    )
    response = await call(clients.journal.ListSubstitutions, request, caller.token)
    return SubstitutionsOut(substitutions=[substitution_out(s) for s in response.substitutions])


class ExecutionRowOut(BaseModel):
    """Выполнение программы по дисциплине; часы — академические (пара — 2 часа)."""

    discipline_id: str = Field(description="Идентификатор дисциплины")
    planned_hours: int = Field(description="Часов по учебному плану")
    ktp_hours: int = Field(description="Часов по КТП")
    ktp_topics: int = Field(description="Тем в КТП")
    planned_hours_to_date: int = Field(description="Часов по расписанию на дату (не больше плана)")
    planned_topics_to_date: int = Field(description="Тем КТП на дату")
    delivered_hours: int = Field(description="Часов проведено (записанные занятия × 2)")
    delivered_topics: int = Field(description="Тем КТП пройдено")
    lag_hours: int = Field(description="Отставание в часах (отрицательное — опережение)")
    lag_topics: int = Field(description="Отставание в темах (отрицательное — опережение)")


def execution_row_out(row: pb.CurriculumExecutionRow) -> ExecutionRowOut:
    """Map a CurriculumExecutionRow."""
    return ExecutionRowOut(
        discipline_id=row.discipline_id,
        planned_hours=row.planned_hours,
        ktp_hours=row.ktp_hours,
        ktp_topics=row.ktp_topics,
        planned_hours_to_date=row.planned_hours_to_date,
        planned_topics_to_date=row.planned_topics_to_date,
        delivered_hours=row.delivered_hours,
        delivered_topics=row.delivered_topics,
        lag_hours=row.lag_hours,
        lag_topics=row.lag_topics,
    )


class ExecutionOut(BaseModel):
    """Выполнение учебного плана группой."""

    group_id: str
    year_id: str
    semester: int = Field(description="1, 2; 0 — год")
    as_of: date | None = Field(description="Дата, на которую посчитано")
    rows: list[ExecutionRowOut]


@router.get("/groups/{group_id}/curriculum-execution", summary="Выполнение программы группой")
async def get_curriculum_execution(
    *,
    group_id: UUID,
    caller: Caller,
    clients: Clients,
    year_id: Annotated[UUID, Query(description="Учебный год")],
    semester: Annotated[int, Query(ge=0, le=2, description="1, 2; 0 — весь год")] = 0,
    as_of: Annotated[date | None, Query(description="На дату; без неё — сегодня")] = None,
) -> ExecutionOut:
    """По дисциплинам учебного плана: часы плана и КТП, запланировано на дату, проведено, отставание
    (администрация, классный руководитель группы)."""
    request = pb.GetCurriculumExecutionRequest(
        group_id=str(group_id), year_id=str(year_id), semester=semester
    )
    if as_of is not None:
        request.as_of.CopyFrom(to_local_date(as_of))
    response = await call(clients.journal.GetCurriculumExecution, request, caller.token)
    return ExecutionOut(
        group_id=response.group_id,
        year_id=response.year_id,
        semester=response.semester,
        as_of=date_of(response.as_of),
        rows=[execution_row_out(row) for row in response.rows],
    )


class LagRowOut(BaseModel):
    """Дисциплина группы, отстающая от плана."""

    group_id: str
    execution: ExecutionRowOut


class LagOut(BaseModel):
    """Отставание по программам за учебный год на дату."""

    as_of: date | None
    rows: list[LagRowOut]


@router.get("/academic-years/{year_id}/curriculum-lag", summary="Отставание от программ по колледжу")
async def list_curriculum_lag(
    year_id: UUID,
    caller: Caller,
    clients: Clients,
    as_of: Annotated[date | None, Query(description="На дату; без неё — сегодня")] = None,
) -> LagOut:
    """Группы и дисциплины, отстающие от плана в часах или темах (администрация)."""
    request = pb.ListCurriculumLagRequest(year_id=str(year_id))
    if as_of is not None:
        request.as_of.CopyFrom(to_local_date(as_of))
    response = await call(clients.journal.ListCurriculumLag, request, caller.token)
    return LagOut(
        as_of=date_of(response.as_of),
        rows=[
            LagRowOut(group_id=r.group_id, execution=execution_row_out(r.execution)) for r in response.rows
        ],
    )
