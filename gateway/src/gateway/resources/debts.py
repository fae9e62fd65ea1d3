"""Academic debts («академическая задолженность», JournalService, issue 7 item 3): a student's debts
and a group's in a year, each with its retakes and next step; a retake recorded against a failing final
(the teacher of the discipline, the curator, the admin; the second before a commission)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date

NEXT_STEPS = ProtoEnum(pb.DebtNextStep)


class RetakeOut(BaseModel):
    """Пересдача."""

    retake_id: str
    attempt: int = Field(description="Номер пересдачи: 1 или 2")
    retake_date: date | None
    value: str = Field(description="Оценка на пересдаче")
    passed: bool = Field(description="Сдана")
    commission_member_ids: list[str] = Field(description="Члены комиссии (пусто — без комиссии)")
    commission_chairman_id: str = Field(description="Председатель комиссии")
    recorded_by: str


class DebtOut(BaseModel):
    """Академическая задолженность: неудовлетворительная итоговая оценка и её пересдачи."""

    final_id: str = Field(description="Итоговая оценка, по которой задолженность")
    student_id: str
    group_id: str
    discipline_id: str
    year_id: str
    semester: int
    final_kind: str = Field(description="Вид итоговой оценки (semester, exam, credit…)")
    final_value: str = Field(description="Оценка: «н/а», «2», «незач»")
    final_date: date | None = Field(description="Когда выставлена")
    deadline: date | None = Field(description="Последний день пересдачи (год со дня итоговой оценки)")
    retakes: list[RetakeOut]
    closed: bool = Field(description="Ликвидирована")
    mark_of_record: str = Field(description="Оценка, идущая в документы после сданной пересдачи")
    next_step: str = Field(description=NEXT_STEPS.describe("Что дальше"))


class DebtsOut(BaseModel):
    """Задолженности."""

    debts: list[DebtOut]


class RetakeIn(RequestBody):
    """Пересдача: дата, оценка и, для второй, комиссия (не меньше трёх преподавателей и председатель)."""

    retake_date: date
    value: str = Field(max_length=16, description="Оценка из допустимых для вида итоговой оценки")
    commission_member_ids: list[UUID] = Field(default_factory=list, max_length=9)
    commission_chairman_id: UUID | None = None


def debt_out(debt: pb.AcademicDebt) -> DebtOut:
    """Map a debt."""
    return DebtOut(
        final_id=debt.final_id,
        student_id=debt.student_id,
        group_id=debt.group_id,
        discipline_id=debt.discipline_id,
        year_id=debt.year_id,
        semester=debt.semester,
        final_kind=debt.final_kind,
        final_value=debt.final_value,
        final_date=date_of(debt.final_date),
        deadline=date_of(debt.deadline),
        retakes=[
            RetakeOut(
                retake_id=r.retake_id,
                attempt=r.attempt,
                retake_date=date_of(r.retake_date),
                value=r.value,
                passed=r.passed,
                commission_member_ids=list(r.commission_member_ids),
                commission_chairman_id=r.commission_chairman_id,
                recorded_by=r.recorded_by,
            )
            for r in debt.retakes
        ],
        closed=debt.closed,
        mark_of_record=debt.mark_of_record,
        next_step=NEXT_STEPS.name_of(debt.next_step),
    )


router = APIRouter(tags=["Академические задолженности"])


@router.get("/students/{student_id}/debts", summary="Задолженности обучающегося")
async def student_debts(student_id: UUID, caller: Caller, clients: Clients) -> DebtsOut:
    """Открытые и ликвидированные задолженности (обучающийся, родитель, классный руководитель,
    преподаватели группы, администрация)."""
    reply = await call(
        clients.journal.ListStudentDebts, pb.ListStudentDebtsRequest(student_id=str(student_id)), caller.token
    )
    return DebtsOut(debts=[debt_out(d) for d in reply.debts])


@router.get("/groups/{group_id}/debts", summary="Задолженности группы за учебный год")
async def group_debts(
    group_id: UUID,
    year_id: Annotated[UUID, Query(description="Идентификатор учебного года")],
    caller: Caller,
    clients: Clients,
) -> DebtsOut:
    """Задолженности группы (классный руководитель, куратор, преподаватели группы, администрация)."""
    request = pb.ListGroupDebtsRequest(group_id=str(group_id), year_id=str(year_id))
    reply = await call(clients.journal.ListGroupDebts, request, caller.token)
    return DebtsOut(debts=[debt_out(d) for d in reply.debts])


@router.post("/finals/{final_id}/retakes", status_code=201, summary="Записать пересдачу")
async def record_retake(final_id: UUID, body: RetakeIn, caller: Caller, clients: Clients) -> DebtOut:
    """Пересдача задолженности: не больше двух в течение года, вторая — комиссией (преподаватель
    дисциплины, куратор, администратор). Сданная пересдача ликвидирует задолженность."""
    request = pb.RecordRetakeRequest(
        final_id=str(final_id),
        retake_date=to_local_date(body.retake_date),
        value=body.value,
        commission_member_ids=[str(m) for m in body.commission_member_ids],
        commission_chairman_id=str(body.commission_chairman_id or ""),
    )
    return debt_out((await call(clients.journal.RecordRetake, request, caller.token)).debt)
