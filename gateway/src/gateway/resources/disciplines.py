"""Disciplines, MDK, modules and practices (JournalService): routes, bodies and mapping."""

from __future__ import annotations

from typing import Annotated

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, page_size_query

DISCIPLINE_KINDS = ProtoEnum(journal_pb2.DisciplineKind)
DisciplineKindName = Annotated[str, DISCIPLINE_KINDS]


class DisciplineCreate(RequestBody):
    """Новая дисциплина, МДК, ПМ или практика."""

    code: str | None = Field(
        default=None, max_length=32, description="Код по учебному плану, например «ОП.01»"
    )
    name: str = Field(min_length=1, max_length=200, description="Название")
    kind: DisciplineKindName = Field(description=DISCIPLINE_KINDS.describe("Вид"))


class DisciplineOut(BaseModel):
    """Дисциплина."""

    discipline_id: str = Field(description="Идентификатор дисциплины")
    code: str = Field(description="Код по учебному плану, может быть пустым")
    name: str = Field(description="Название")
    kind: str = Field(description=DISCIPLINE_KINDS.describe("Вид"))


def discipline_out(discipline: journal_pb2.Discipline) -> DisciplineOut:
    """Map a Discipline."""
    return DisciplineOut(
        discipline_id=discipline.discipline_id,
        code=discipline.code,
        name=discipline.name,
        kind=DISCIPLINE_KINDS.name_of(discipline.kind),
    )


router = APIRouter(tags=["Журнал"])


@router.post("/disciplines", status_code=201, summary="Создать дисциплину")
async def create_discipline(body: DisciplineCreate, caller: Caller, clients: Clients) -> DisciplineOut:
    """Создаёт дисциплину, МДК, ПМ или практику (только администратор)."""
    request = pb.CreateDisciplineRequest(
        code=body.code or "", name=body.name, kind=DISCIPLINE_KINDS.to_pb(body.kind)
    )
    return discipline_out((await call(clients.journal.CreateDiscipline, request, caller.token)).discipline)


class DisciplinesFoundOut(BaseModel):
    """Дисциплины колледжа, найденные по коду или названию."""

    disciplines: list[DisciplineOut] = Field(description="По коду и названию")
    truncated: bool = Field(description="true — подходящих больше, чем page_size")


@router.get("/disciplines", summary="Найти дисциплины по коду или названию")
async def find_disciplines(
    caller: Caller,
    clients: Clients,
    query: Annotated[
        str,
        Query(
            max_length=64,
            description="Начало кода («ОП.0») или слова названия («культ»), без учёта регистра, ё = е;"
            " пусто — все дисциплины",
        ),
    ] = "",
    page_size: Annotated[int | None, page_size_query(200)] = None,
) -> DisciplinesFoundOut:
    """Дисциплины колледжа по началу кода или любого слова названия (администрация, преподаватели,
    классные руководители): чтобы назначить нагрузку или составить учебный план новой группы."""
    request = pb.FindDisciplinesRequest(query=query, page_size=page_size or 0)
    response = await call(clients.journal.FindDisciplines, request, caller.token)
    return DisciplinesFoundOut(
        disciplines=[discipline_out(d) for d in response.disciplines], truncated=response.truncated
    )
