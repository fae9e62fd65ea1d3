"""Student movement «движение обучающихся» (JournalService: MoveStudent, GraduateGroup,
GetStudentMovements, ListGroupMovements): routes, bodies and mapping."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date

KINDS = ProtoEnum(journal_pb2.MovementKind)
KindName = Annotated[str, KINDS]


class MovementCreate(RequestBody):
    """Движение обучающегося на дату по приказу."""

    kind: KindName = Field(description=KINDS.describe("Вид движения"))
    on_date: date = Field(description="Дата, с которой действует движение (первый день в новом состоянии)")
    order_number: str = Field(min_length=1, max_length=32, description="Номер приказа")
    from_group_id: UUID | None = Field(
        default=None, description="Группа, из которой выбывает (если обучающийся числится в нескольких)"
    )
    to_group_id: UUID | None = Field(
        default=None, description="Группа, в которую переходит (перевод, восстановление)"
    )


class MovementOut(BaseModel):
    """Записанное движение обучающегося."""

    movement_id: str = Field(description="Идентификатор движения")
    student_id: str = Field(description="Идентификатор обучающегося")
    kind: str = Field(description=KINDS.describe("Вид движения"))
    from_group_id: str | None = Field(description="Группа, из которой выбыл")
    to_group_id: str | None = Field(description="Группа, в которую зачислен")
    on_date: date | None = Field(description="Дата движения")
    order_number: str = Field(description="Номер приказа")


router = APIRouter(tags=["Журнал"])


@router.post("/students/{student_id}/movements", status_code=201, summary="Движение обучающегося")
async def move_student(
    student_id: UUID, body: MovementCreate, caller: Caller, clients: Clients
) -> MovementOut:
    """Зачисление, перевод в другую группу, академический отпуск, восстановление, отчисление или выпуск
    на дату по приказу (только администратор). Прежнее зачисление закрывается этой датой и остаётся в
    истории."""
    request = pb.MoveStudentRequest(
        student_id=str(student_id),
        kind=KINDS.to_pb(body.kind),
        from_group_id=str(body.from_group_id or ""),
        to_group_id=str(body.to_group_id or ""),
        on_date=to_local_date(body.on_date),
        order_number=body.order_number,
    )
    moved = (await call(clients.journal.MoveStudent, request, caller.token)).movement
    return movement_out(moved)


def movement_out(moved: journal_pb2.StudentMovement) -> MovementOut:
    """Map a StudentMovement."""
    return MovementOut(
        movement_id=moved.movement_id,
        student_id=moved.student_id,
        kind=KINDS.name_of(moved.kind),
        from_group_id=moved.from_group_id or None,
        to_group_id=moved.to_group_id or None,
        on_date=date_of(moved.on_date),
        order_number=moved.order_number,
    )


class GraduationCreate(RequestBody):
    """Выпуск группы на дату по одному приказу."""

    on_date: date = Field(description="Первый день после окончания обучения")
    order_number: str = Field(min_length=1, max_length=32, description="Номер приказа")


class MovementsOut(BaseModel):
    """Движения обучающихся по датам, от ранних к поздним."""

    movements: list[MovementOut] = Field(description="Движения")


@router.post("/groups/{group_id}/graduation", status_code=201, summary="Выпуск группы")
async def graduate_group(
    group_id: UUID, body: GraduationCreate, caller: Caller, clients: Clients
) -> MovementsOut:
    """Выпуск всех обучающихся группы на дату по одному приказу (только администратор); если
    выпустить нельзя хотя бы одного, не записывается ничего."""
    request = pb.GraduateGroupRequest(
        group_id=str(group_id), on_date=to_local_date(body.on_date), order_number=body.order_number
    )
    reply = await call(clients.journal.GraduateGroup, request, caller.token)
    return MovementsOut(movements=[movement_out(m) for m in reply.movements])


@router.get("/students/{student_id}/movements", summary="История движения обучающегося")
async def student_movements(student_id: UUID, caller: Caller, clients: Clients) -> MovementsOut:
    """Зачисление, переводы, отпуска, восстановления, отчисление и выпуск обучающегося (администрация,
    классный руководитель его группы, сам обучающийся, его родитель)."""
    request = pb.GetStudentMovementsRequest(student_id=str(student_id))
    reply = await call(clients.journal.GetStudentMovements, request, caller.token)
    return MovementsOut(movements=[movement_out(m) for m in reply.movements])


@router.get("/groups/{group_id}/movements", summary="Движение контингента группы")
async def group_movements(group_id: UUID, caller: Caller, clients: Clients) -> MovementsOut:
    """Движения в группу и из группы по датам (администрация, классный руководитель группы)."""
    request = pb.ListGroupMovementsRequest(group_id=str(group_id))
    reply = await call(clients.journal.ListGroupMovements, request, caller.token)
    return MovementsOut(movements=[movement_out(m) for m in reply.movements])
