"""Groups, enrolment, disciplines, teaching load, marks and the diary (JournalService)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from gateway.api.deps import Clients
from gateway.auth.bearer import Caller
from gateway.mapping import KIND_TO_PB, discipline_out, group_out, load_out, mark_out
from gateway.models import (
    CreatedOut,
    DisciplineCreate,
    DisciplineOut,
    EnrollmentCreate,
    GroupCreate,
    GroupOut,
    MarkCreate,
    MarkList,
    MarkOut,
    TeachingLoadCreate,
    TeachingLoadOut,
)

router = APIRouter(tags=["Журнал"])


@router.post("/groups", status_code=201, summary="Создать учебную группу")
async def create_group(body: GroupCreate, caller: Caller, clients: Clients) -> GroupOut:
    """Создаёт группу; название уникально в колледже (только администратор)."""
    return group_out(await clients.journal.create_group(caller.token, name=body.name))


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
    created = await clients.journal.enroll_student(
        caller.token, group_id=str(group_id), student_id=str(body.student_id)
    )
    if not created:
        response.status_code = 200
    return CreatedOut(created=created)


@router.post("/disciplines", status_code=201, summary="Создать дисциплину")
async def create_discipline(body: DisciplineCreate, caller: Caller, clients: Clients) -> DisciplineOut:
    """Создаёт дисциплину, МДК, ПМ или практику (только администратор)."""
    discipline = await clients.journal.create_discipline(
        caller.token, code=body.code or "", name=body.name, kind=KIND_TO_PB[body.kind]
    )
    return discipline_out(discipline)


@router.post("/teaching-loads", status_code=201, summary="Назначить нагрузку преподавателю")
async def assign_teaching_load(body: TeachingLoadCreate, caller: Caller, clients: Clients) -> TeachingLoadOut:
    """Преподаватель ведёт дисциплину в группе; повтор возвращает ту же нагрузку (только администратор)."""
    load = await clients.journal.assign_teaching_load(
        caller.token,
        teacher_id=str(body.teacher_id),
        group_id=str(body.group_id),
        discipline_id=str(body.discipline_id),
    )
    return load_out(load)


@router.post("/marks", status_code=201, summary="Выставить оценку")
async def record_mark(body: MarkCreate, caller: Caller, clients: Clients) -> MarkOut:
    """Выставляет оценку за занятие; может только преподаватель с нагрузкой в этой группе."""
    mark = await clients.journal.record_mark(
        caller.token,
        student_id=str(body.student_id),
        group_id=str(body.group_id),
        discipline_id=str(body.discipline_id),
        lesson_date=body.lesson_date,
        value=body.value,
    )
    return mark_out(mark)


@router.get("/students/{student_id}/marks", summary="Дневник: оценки обучающегося")
async def list_student_marks(student_id: UUID, caller: Caller, clients: Clients) -> MarkList:
    """Оценки, новые занятия первыми, и их дисциплины: сам обучающийся, его родитель, сотрудники."""
    diary = await clients.journal.list_student_marks(caller.token, str(student_id))
    return MarkList(
        marks=[mark_out(m) for m in diary.marks],
        disciplines=[discipline_out(d) for d in diary.disciplines],
    )
