"""A group's attributes (JournalService UpdateGroup, ListGroups, GetGroup; R2.1): course, specialty,
form of study, class teacher."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, page_size_query

STUDY_FORMS = ProtoEnum(journal_pb2.StudyForm)
StudyFormName = Annotated[str, STUDY_FORMS]


class GroupUpdate(RequestBody):
    """Данные группы; не указанные поля не меняются."""

    course_year: int | None = Field(default=None, ge=1, le=5, description="Курс, 1..5")
    specialty_code: str | None = Field(
        default=None, max_length=8, description="Код специальности «NN.NN.NN», например «09.02.07»"
    )
    specialty_name: str | None = Field(default=None, max_length=200, description="Название специальности")
    study_form: StudyFormName | None = Field(default=None, description=STUDY_FORMS.describe("Форма обучения"))
    class_teacher_id: UUID | None = Field(
        default=None, description="Классный руководитель; null снимает классного руководителя"
    )


class GroupDetailsOut(BaseModel):
    """Учебная группа и её данные."""

    group_id: str = Field(description="Идентификатор группы")
    name: str = Field(description="Название")
    course_year: int | None = Field(description="Курс")
    specialty_code: str = Field(description="Код специальности (пусто, пока не задан)")
    specialty_name: str = Field(description="Название специальности (пусто, пока не задано)")
    study_form: str | None = Field(description=STUDY_FORMS.describe("Форма обучения"))
    class_teacher_id: str | None = Field(description="Классный руководитель")


def group_details_out(group: journal_pb2.Group) -> GroupDetailsOut:
    """Map a Group with its attributes."""
    form = STUDY_FORMS.name_of(group.study_form)
    return GroupDetailsOut(
        group_id=group.group_id,
        name=group.name,
        course_year=group.course_year or None,
        specialty_code=group.specialty_code,
        specialty_name=group.specialty_name,
        study_form=None if group.study_form == journal_pb2.STUDY_FORM_UNSPECIFIED else form,
        class_teacher_id=group.class_teacher_id or None,
    )


class GroupListOut(BaseModel):
    """Учебные группы по названию."""

    groups: list[GroupDetailsOut] = Field(description="Группы, доступные вызывающему, по названию")


def attributes_pb(body: GroupUpdate) -> pb.GroupAttributes:
    """Map the fields the caller sent; an explicit null class teacher removes the class teacher."""
    attributes = pb.GroupAttributes()
    if body.course_year is not None:
        attributes.course_year = body.course_year
    if body.specialty_code is not None:
        attributes.specialty_code = body.specialty_code
    if body.specialty_name is not None:
        attributes.specialty_name = body.specialty_name
    if body.study_form is not None:
        attributes.study_form = STUDY_FORMS.to_pb(body.study_form)
    if "class_teacher_id" in body.model_fields_set:
        attributes.class_teacher_id = str(body.class_teacher_id or "")
    return attributes


router = APIRouter(tags=["Журнал"])


@router.patch("/groups/{group_id}", summary="Изменить данные группы")
async def update_group(
    group_id: UUID, body: GroupUpdate, caller: Caller, clients: Clients
) -> GroupDetailsOut:
    """Курс, специальность, форма обучения, классный руководитель (только администратор)."""
    request = pb.UpdateGroupRequest(group_id=str(group_id), attributes=attributes_pb(body))
    return group_details_out((await call(clients.journal.UpdateGroup, request, caller.token)).group)


@router.get("/groups", summary="Учебные группы")
async def list_groups(
    caller: Caller,
    clients: Clients,
    name_prefix: Annotated[
        str, Query(max_length=32, description="Начало названия группы, например «ИС-2»; пусто — все")
    ] = "",
    page_size: Annotated[int | None, page_size_query(500)] = None,
) -> GroupListOut:
    """Группы с их данными по названию: администрации — все; преподавателю — где он ведёт занятия;
    классному руководителю — ещё и свои группы."""
    request = pb.ListGroupsRequest(name_prefix=name_prefix, page_size=page_size or 0)
    response = await call(clients.journal.ListGroups, request, caller.token)
    return GroupListOut(groups=[group_details_out(g) for g in response.groups])


@router.get("/groups/{group_id}", summary="Учебная группа")
async def get_group(group_id: UUID, caller: Caller, clients: Clients) -> GroupDetailsOut:
    """Группа с её данными (читатели те же, что у списка групп; остальным — 404)."""
    request = pb.GetGroupRequest(group_id=str(group_id))
    return group_details_out((await call(clients.journal.GetGroup, request, caller.token)).group)
