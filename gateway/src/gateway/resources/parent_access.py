"""Adult students and their parents' access (issue 8 item 5, 152-ФЗ; IdentityService: SetBirthDate,
ListParentAccess, GrantParentAccess, WithdrawParentAccess): routes and mapping."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ejournal.identity.v1 import identity_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody


class BirthDateIn(RequestBody):
    """Дата рождения человека."""

    birth_date: date | None = Field(
        description="Дата рождения (ГГГГ-ММ-ДД); null — стереть. Без даты обучающийся считается "
        "несовершеннолетним"
    )


class BirthDateOut(BaseModel):
    """Записанная дата рождения."""

    person_id: str = Field(description="Идентификатор человека")
    birth_date: date | None = Field(description="Дата рождения; null — не записана")
    changed: bool = Field(description="Изменилась ли этим запросом")


class ParentAccessOut(BaseModel):
    """Родитель (законный представитель), привязанный к обучающемуся, и согласие обучающегося."""

    parent_id: str = Field(description="Идентификатор родителя")
    last_name: str = Field(description="Фамилия (только в списке обучающегося)")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(description="Отчество, может быть пустым")
    consent: bool = Field(description="Действует ли согласие обучающегося на доступ родителя")
    granted_at: datetime | None = Field(description="Когда согласие дано в последний раз")
    withdrawn_at: datetime | None = Field(description="Когда отозвано (пока не дано снова)")
    access: bool = Field(
        description="Видит ли родитель сегодня данные обучающегося: несовершеннолетний или согласие"
    )


class ParentAccessList(BaseModel):
    """Родители обучающегося и их доступ."""

    adult: bool = Field(description="Исполнилось ли обучающемуся 18 лет: тогда доступ — только с согласия")
    parents: list[ParentAccessOut]


class ParentAccessChangeOut(ParentAccessOut):
    """Согласие после запроса."""

    changed: bool = Field(description="Изменилось ли этим запросом")


def _moment(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def parent_access_out(parent: pb.ParentAccess) -> ParentAccessOut:
    """Map a ParentAccess."""
    return ParentAccessOut(
        parent_id=parent.parent_id,
        last_name=parent.last_name,
        first_name=parent.first_name,
        middle_name=parent.middle_name,
        consent=parent.consent,
        granted_at=_moment(parent.granted_at),
        withdrawn_at=_moment(parent.withdrawn_at),
        access=parent.access,
    )


router = APIRouter(tags=["Доступ родителей"])


@router.put("/people/{person_id}/birth-date", summary="Записать дату рождения")
async def set_birth_date(
    person_id: UUID, body: BirthDateIn, caller: Caller, clients: Clients
) -> BirthDateOut:
    """Записать или стереть дату рождения (администратор). С 18 лет родитель видит данные
    обучающегося только с его согласия (152-ФЗ)."""
    request = pb.SetBirthDateRequest(
        person_id=str(person_id), birth_date=body.birth_date.isoformat() if body.birth_date else ""
    )
    reply = await call(clients.identity.SetBirthDate, request, caller.token)
    return BirthDateOut(
        person_id=reply.person_id,
        birth_date=date.fromisoformat(reply.birth_date) if reply.birth_date else None,
        changed=reply.changed,
    )


@router.get("/me/parent-access", summary="Доступ моих родителей (для обучающегося)")
async def my_parent_access(caller: Caller, clients: Clients) -> ParentAccessList:
    """Привязанные родители обучающегося, его согласие и доступ каждого на сегодня (сам обучающийся)."""
    reply = await call(clients.identity.ListParentAccess, pb.ListParentAccessRequest(), caller.token)
    return ParentAccessList(adult=reply.adult, parents=[parent_access_out(p) for p in reply.parents])


@router.post("/me/parent-access/{parent_id}/grant", summary="Разрешить родителю доступ")
async def grant_parent_access(parent_id: UUID, caller: Caller, clients: Clients) -> ParentAccessChangeOut:
    """Дать согласие на доступ родителя к своим данным (сам обучающийся); повтор ничего не меняет."""
    request = pb.GrantParentAccessRequest(parent_id=str(parent_id))
    reply = await call(clients.identity.GrantParentAccess, request, caller.token)
    return ParentAccessChangeOut(**parent_access_out(reply.parent).model_dump(), changed=reply.changed)


@router.post("/me/parent-access/{parent_id}/withdraw", summary="Отозвать доступ родителя")
async def withdraw_parent_access(parent_id: UUID, caller: Caller, clients: Clients) -> ParentAccessChangeOut:
    """Отозвать согласие (сам обучающийся); после 18 лет родитель перестаёт видеть оценки и дневник."""
    request = pb.WithdrawParentAccessRequest(parent_id=str(parent_id))
    reply = await call(clients.identity.WithdrawParentAccess, request, caller.token)
    return ParentAccessChangeOut(**parent_access_out(reply.parent).model_dump(), changed=reply.changed)
