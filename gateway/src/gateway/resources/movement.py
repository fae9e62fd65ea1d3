"""Student movement «движение обучающихся» (JournalService.MoveStudent): route, body and mapping."""

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
    """Перевод в другую группу, академический отпуск, отчисление или восстановление на дату по приказу
    (только администратор). Прежнее зачисление закрывается этой датой и остаётся в истории."""
    request = pb.MoveStudentRequest(
        student_id=str(student_id),
        kind=KINDS.to_pb(body.kind),
        from_group_id=str(body.from_group_id or ""),
        to_group_id=str(body.to_group_id or ""),
        on_date=to_local_date(body.on_date),
        order_number=body.order_number,
    )
    moved = (await call(clients.journal.MoveStudent, request, caller.token)).movement
    return MovementOut(
        movement_id=moved.movement_id,
        student_id=moved.student_id,
        kind=KINDS.name_of(moved.kind),
        from_group_id=moved.from_group_id or None,
        to_group_id=moved.to_group_id or None,
        on_date=date_of(moved.on_date),
        order_number=moved.order_number,
    )
