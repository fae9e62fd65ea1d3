"""Study groups and enrolment (JournalService): routes, bodies and mapping."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, CreatedOut, RequestBody, to_local_date


class GroupCreate(RequestBody):
    """Новая учебная группа."""

    name: str = Field(min_length=1, max_length=32, description="Название группы, например «ИС-21»")


class EnrollmentCreate(RequestBody):
    """Зачисление обучающегося в группу."""

    student_id: UUID = Field(description="Идентификатор обучающегося")
    enrolled_on: date | None = Field(
        default=None, description="Первый день в группе; без него — 1 сентября текущего учебного года"
    )


class GroupOut(BaseModel):
    """Учебная группа."""

    group_id: str = Field(description="Идентификатор группы")
    name: str = Field(description="Название")


def group_out(group: journal_pb2.Group) -> GroupOut:
    """Map a Group."""
    return GroupOut(group_id=group.group_id, name=group.name)


class GroupStudentsOut(BaseModel):
    """Обучающиеся группы."""

    student_ids: list[str] = Field(description="Идентификаторы обучающихся, зачисленных в группу")


router = APIRouter(tags=["Журнал"])


@router.post("/groups", status_code=201, summary="Создать учебную группу")
async def create_group(body: GroupCreate, caller: Caller, clients: Clients) -> GroupOut:
    """Создаёт группу; название уникально в колледже (только администратор)."""
    response = await call(clients.journal.CreateGroup, pb.CreateGroupRequest(name=body.name), caller.token)
    return group_out(response.group)


@router.post(
    "/groups/{group_id}/students",
    status_code=201,
    summary="Зачислить обучающегося в группу",
    responses={200: {"model": CreatedOut, "description": "Уже зачислен"}},
)
async def enroll_student(
    group_id: UUID, body: EnrollmentCreate, caller: Caller, clients: Clients, response: Response
) -> CreatedOut:
    """201, если зачислен сейчас; 200, если уже был в группе (только администратор)."""
    request = pb.EnrollStudentRequest(group_id=str(group_id), student_id=str(body.student_id))
    if body.enrolled_on is not None:
        request.enrolled_on.CopyFrom(to_local_date(body.enrolled_on))
    created = (await call(clients.journal.EnrollStudent, request, caller.token)).created
    if not created:
        response.status_code = 200
    return CreatedOut(created=created)


@router.get("/groups/{group_id}/students", summary="Обучающиеся группы")
async def list_group_students(
    group_id: UUID,
    caller: Caller,
    clients: Clients,
    on_date: Annotated[date | None, Query(description="Состав на эту дату; без неё — на сегодня")] = None,
) -> GroupStudentsOut:
    """Состав группы на дату (зачисленные не позже неё и не выбывшие до неё): администрация;
    преподаватель, ведущий в группе дисциплину."""
    request = pb.ListGroupStudentsRequest(group_id=str(group_id))
    if on_date is not None:
        request.on_date.CopyFrom(to_local_date(on_date))
    response = await call(clients.journal.ListGroupStudents, request, caller.token)
    return GroupStudentsOut(student_ids=list(response.student_ids))
