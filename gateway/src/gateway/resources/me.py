"""The caller: who they are (from the token) and, for a parent, their children (IdentityService)."""

from __future__ import annotations

from ejournal.identity.v1 import identity_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients
from gateway.resources.people import PersonOut, person_out


class MeOut(BaseModel):
    """Кто вызывает API: по проверенному токену."""

    subject: str = Field(description="Идентификатор (subject) из токена")
    roles: list[str] = Field(description="Роли из токена")
    client_id: str = Field(description="Клиент, получивший токен")


class ChildrenList(BaseModel):
    """Дети родителя (законного представителя), по фамилии и имени."""

    children: list[PersonOut]
    access_ended_student_ids: list[str] = Field(
        default_factory=list,
        description="Совершеннолетние обучающиеся без согласия на доступ родителя (152-ФЗ): "
        "их данные родителю больше не показываются",
    )


router = APIRouter(tags=["Я"])


@router.get("/me", summary="Кто я")
async def me(caller: Caller) -> MeOut:
    """Субъект и роли из проверенного токена, без обращения к сервисам."""
    return MeOut(subject=caller.subject, roles=sorted(caller.roles), client_id=caller.client_id)


@router.get("/me/children", summary="Мои дети (для родителя)")
async def my_children(caller: Caller, clients: Clients) -> ChildrenList:
    """Обучающиеся, связанные с вызывающим родителем, по фамилии и имени; у остальных список пуст."""
    request = pb.ListChildrenRequest(parent_id=caller.subject)
    response = await call(clients.identity.ListChildren, request, caller.token)
    return ChildrenList(
        children=[person_out(p) for p in response.children],
        access_ended_student_ids=list(response.access_ended_student_ids),
    )
