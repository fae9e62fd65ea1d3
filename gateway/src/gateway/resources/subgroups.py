"""Subgroups of a group per discipline (JournalService, R2.1), e.g. «подгруппа 1» for English."""

from __future__ import annotations

from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody


class SubgroupCreate(RequestBody):
    """Новая подгруппа группы по дисциплине."""

    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    name: str = Field(min_length=1, max_length=64, description="Название, например «подгруппа 1»")
    student_ids: list[UUID] = Field(
        max_length=100, description="Обучающиеся группы, не состоящие в другой подгруппе по дисциплине"
    )


class SubgroupOut(BaseModel):
    """Подгруппа."""

    subgroup_id: str = Field(description="Идентификатор подгруппы")
    group_id: str = Field(description="Идентификатор группы")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    name: str = Field(description="Название")
    student_ids: list[str] = Field(description="Обучающиеся подгруппы")


class SubgroupsOut(BaseModel):
    """Подгруппы группы."""

    subgroups: list[SubgroupOut]


def subgroup_out(subgroup: journal_pb2.Subgroup) -> SubgroupOut:
    """Map a Subgroup."""
    return SubgroupOut(
        subgroup_id=subgroup.subgroup_id,
        group_id=subgroup.group_id,
        discipline_id=subgroup.discipline_id,
        name=subgroup.name,
        student_ids=list(subgroup.student_ids),
    )


router = APIRouter(tags=["Журнал"])


@router.post("/groups/{group_id}/subgroups", status_code=201, summary="Создать подгруппу")
async def create_subgroup(
    group_id: UUID, body: SubgroupCreate, caller: Caller, clients: Clients
) -> SubgroupOut:
    """Подгруппа по дисциплине из обучающихся группы (только администратор)."""
    request = pb.CreateSubgroupRequest(
        group_id=str(group_id),
        discipline_id=str(body.discipline_id),
        name=body.name,
        student_ids=[str(s) for s in body.student_ids],
    )
    return subgroup_out((await call(clients.journal.CreateSubgroup, request, caller.token)).subgroup)


@router.get("/groups/{group_id}/subgroups", summary="Подгруппы группы")
async def list_subgroups(group_id: UUID, caller: Caller, clients: Clients) -> SubgroupsOut:
    """Подгруппы по дисциплинам: администрация, преподаватели группы, её классный руководитель."""
    response = await call(
        clients.journal.ListSubgroups, pb.ListSubgroupsRequest(group_id=str(group_id)), caller.token
    )
    return SubgroupsOut(subgroups=[subgroup_out(s) for s in response.subgroups])
