"""Teaching load: a teacher teaches a discipline to a group or one of its subgroups (JournalService):
route, body and mapping."""

from __future__ import annotations

from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody


class TeachingLoadCreate(RequestBody):
    """Нагрузка: преподаватель ведёт дисциплину в группе."""

    teacher_id: UUID = Field(description="Идентификатор преподавателя")
    group_id: UUID = Field(description="Идентификатор группы")
    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    subgroup_id: UUID | None = Field(
        default=None, description="Подгруппа этой группы и дисциплины; нет — вся группа"
    )


class TeachingLoadOut(BaseModel):
    """Нагрузка преподавателя."""

    load_id: str = Field(description="Идентификатор нагрузки")
    teacher_id: str = Field(description="Идентификатор преподавателя")
    group_id: str = Field(description="Идентификатор группы")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")


def load_out(load: journal_pb2.TeachingLoad) -> TeachingLoadOut:
    """Map a TeachingLoad."""
    return TeachingLoadOut(
        load_id=load.load_id,
        teacher_id=load.teacher_id,
        group_id=load.group_id,
        discipline_id=load.discipline_id,
        subgroup_id=load.subgroup_id or None,
    )


router = APIRouter(tags=["Журнал"])


@router.post("/teaching-loads", status_code=201, summary="Назначить нагрузку преподавателю")
async def assign_teaching_load(body: TeachingLoadCreate, caller: Caller, clients: Clients) -> TeachingLoadOut:
    """Преподаватель ведёт дисциплину в группе или подгруппе; повтор возвращает ту же нагрузку (только
    администратор)."""
    request = pb.AssignTeachingLoadRequest(
        teacher_id=str(body.teacher_id),
        group_id=str(body.group_id),
        discipline_id=str(body.discipline_id),
        subgroup_id=str(body.subgroup_id) if body.subgroup_id else "",
    )
    return load_out((await call(clients.journal.AssignTeachingLoad, request, caller.token)).load)


class TeachingLoadsOut(BaseModel):
    """Нагрузка группы: по дисциплине, сначала на всю группу, затем по подгруппам."""

    loads: list[TeachingLoadOut]


@router.get("/groups/{group_id}/teaching-loads", summary="Нагрузка группы")
async def list_teaching_loads(group_id: UUID, caller: Caller, clients: Clients) -> TeachingLoadsOut:
    """Кто что ведёт в группе и её подгруппах: администрация, преподаватели группы, классный руководитель."""
    request = pb.ListTeachingLoadsRequest(group_id=str(group_id))
    response = await call(clients.journal.ListTeachingLoads, request, caller.token)
    return TeachingLoadsOut(loads=[load_out(load) for load in response.loads])


@router.delete("/teaching-loads/{load_id}", status_code=204, summary="Снять нагрузку")
async def remove_teaching_load(load_id: UUID, caller: Caller, clients: Clients) -> None:
    """Снимает нагрузку преподавателя с группы или подгруппы (только администратор). Нагрузку, по которой
    преподаватель уже записал занятия или оценки, снять нельзя (load_has_lessons: история журнала
    сохраняется, передача группы другому преподавателю — замена); стоящую в расписании — пока её занятия
    не убраны из расписания (load_in_timetable)."""
    request = pb.RemoveTeachingLoadRequest(load_id=str(load_id))
    await call(clients.journal.RemoveTeachingLoad, request, caller.token)
