"""People and parent↔student links (IdentityService): routes, bodies and mapping."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as pb
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, CreatedOut, ProtoEnum, RequestBody, page_size_query

ROLES = ProtoEnum(identity_pb2.Role)
RoleName = Annotated[str, ROLES]


class PersonCreate(RequestBody):
    """Новый человек: учётная запись с временным паролем."""

    role: RoleName = Field(description=ROLES.describe("Роль"))
    last_name: str = Field(min_length=1, max_length=100, description="Фамилия")
    first_name: str = Field(min_length=1, max_length=100, description="Имя")
    middle_name: str | None = Field(default=None, max_length=100, description="Отчество, если есть")
    email: str | None = Field(default=None, max_length=254, description="Адрес электронной почты")


class GuardianLink(RequestBody):
    """Связь родителя (законного представителя) с обучающимся."""

    parent_id: UUID = Field(description="Идентификатор родителя")


class PersonCreated(BaseModel):
    """Созданная учётная запись и её временный пароль (показывается один раз)."""

    person_id: str = Field(description="Идентификатор человека (subject в Keycloak)")
    username: str = Field(description="Логин")
    role: str = Field(description=ROLES.describe("Роль"))
    temporary_password: str = Field(description="Временный пароль; сменить при первом входе")


class PersonOut(BaseModel):
    """Человек."""

    person_id: str = Field(description="Идентификатор человека")
    username: str = Field(description="Логин")
    role: str = Field(description=ROLES.describe("Роль"))
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(description="Отчество, может быть пустым")
    email: str = Field(description="Электронная почта, может быть пустой")


def person_out(person: identity_pb2.Person) -> PersonOut:
    """Map a Person."""
    return PersonOut(
        person_id=person.person_id,
        username=person.username,
        role=ROLES.name_of(person.role),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        email=person.email,
    )


class PersonNameOut(BaseModel):
    """Имя и роль человека (без логина и контактов)."""

    person_id: str = Field(description="Идентификатор человека")
    role: str = Field(description=ROLES.describe("Роль"))
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(description="Отчество, может быть пустым")


class PersonNameListOut(BaseModel):
    """Люди по фамилии, имени, отчеству."""

    people: list[PersonNameOut]


def person_name_out(person: pb.PersonName) -> PersonNameOut:
    """Map a PersonName."""
    return PersonNameOut(
        person_id=person.person_id,
        role=ROLES.name_of(person.role),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
    )


router = APIRouter(tags=["Люди"])


@router.post("/people", status_code=201, summary="Создать человека с учётной записью")
async def create_person(body: PersonCreate, caller: Caller, clients: Clients) -> PersonCreated:
    """Создаёт человека и учётную запись с временным паролем (только администратор)."""
    request = pb.CreatePersonRequest(
        role=ROLES.to_pb(body.role),
        last_name=body.last_name,
        first_name=body.first_name,
        middle_name=body.middle_name or "",
        email=body.email or "",
    )
    response = await call(clients.identity.CreatePerson, request, caller.token)
    return PersonCreated(
        person_id=response.person.person_id,
        username=response.person.username,
        role=ROLES.name_of(response.person.role),
        temporary_password=response.temporary_password,
    )


@router.get("/people", summary="Найти людей по имени")
async def search_people(
    caller: Caller,
    clients: Clients,
    query: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="Начало фамилии, имени или отчества (до трёх слов; регистр и «ё»/«е» не важны)",
        ),
    ],
    role: Annotated[str | None, ROLES, Query(description=ROLES.describe("Только с этой ролью"))] = None,
    page_size: Annotated[int | None, page_size_query(50)] = None,
) -> PersonNameListOut:
    """Люди, у которых каждое слово запроса — начало фамилии, имени или отчества (администрация:
    администратор, директор, заместитель, куратор). Только имена и роль; каждое чтение в журнале аудита."""
    request = pb.SearchPeopleRequest(
        query=query,
        role=ROLES.to_pb(role) if role else identity_pb2.ROLE_UNSPECIFIED,
        page_size=page_size or 0,
    )
    response = await call(clients.identity.SearchPeople, request, caller.token)
    return PersonNameListOut(people=[person_name_out(p) for p in response.people])


@router.get("/people/names", summary="Имена людей по идентификаторам")
async def get_people_names(
    caller: Caller,
    clients: Clients,
    person_id: Annotated[
        list[UUID], Query(max_length=500, description="Идентификаторы людей (до 500; параметр повторяется)")
    ],
) -> PersonNameListOut:
    """Имена тех из названных, кого вызывающий вправе видеть (сотрудники — всех; родитель — себя и своих
    детей; остальные — себя); прочие пропускаются."""
    request = pb.GetPeopleRequest(person_ids=[str(p) for p in person_id])
    response = await call(clients.identity.GetPeople, request, caller.token)
    return PersonNameListOut(people=[person_name_out(p) for p in response.people])


@router.get("/people/{person_id}", summary="Получить сведения о человеке")
async def get_person(person_id: UUID, caller: Caller, clients: Clients) -> PersonOut:
    """Человек может прочитать себя, сотрудники — любого."""
    request = pb.GetPersonRequest(person_id=str(person_id))
    return person_out((await call(clients.identity.GetPerson, request, caller.token)).person)


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
    request = pb.LinkGuardianRequest(parent_id=str(body.parent_id), student_id=str(student_id))
    created = (await call(clients.identity.LinkGuardian, request, caller.token)).created
    if not created:
        response.status_code = 200
    return CreatedOut(created=created)
