"""People and parent↔student links (IdentityService)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from gateway.api.deps import Clients
from gateway.auth.bearer import Caller
from gateway.mapping import ROLE_TO_PB, person_created_out, person_out
from gateway.models import CreatedOut, GuardianLink, PersonCreate, PersonCreated, PersonOut

router = APIRouter(tags=["Люди"])


@router.post("/people", status_code=201, summary="Создать человека с учётной записью")
async def create_person(body: PersonCreate, caller: Caller, clients: Clients) -> PersonCreated:
    """Создаёт человека и учётную запись с временным паролем (только администратор)."""
    response = await clients.identity.create_person(
        caller.token,
        role=ROLE_TO_PB[body.role],
        last_name=body.last_name,
        first_name=body.first_name,
        middle_name=body.middle_name or "",
        email=body.email or "",
    )
    return person_created_out(response)


@router.get("/people/{person_id}", summary="Получить сведения о человеке")
async def get_person(person_id: UUID, caller: Caller, clients: Clients) -> PersonOut:
    """Человек может прочитать себя, сотрудники — любого."""
    return person_out(await clients.identity.get_person(caller.token, str(person_id)))


@router.post(
    "/students/{student_id}/guardians",
    status_code=201,
    summary="Связать родителя с обучающимся",
    responses={200: {"model": CreatedOut, "description": "Связь уже была"}},
)
async def link_guardian(
    student_id: UUID, body: GuardianLink, caller: Caller, clients: Clients, response: Response
) -> CreatedOut:
    """201, если связь создана сейчас; 200, если она уже была (только администратор)."""
    created = await clients.identity.link_guardian(
        caller.token, parent_id=str(body.parent_id), student_id=str(student_id)
    )
    if not created:
        response.status_code = 200
    return CreatedOut(created=created)
