"""«Пропуски» (JournalService.ListGroupAbsences, CorrectAbsenceReasons; §4.2.2): the class teacher sees
a group's week of absences and lateness and corrects their reason categories — categories only, never
free text or a diagnosis.

`GET /api/v1/groups/{group_id}/absences?week_start=YYYY-MM-DD` (a Monday) answers
`{"student_ids": [...], "absences": [{"student_id", "lesson_id", "lesson_date", "pair_number",
"discipline_id", "status": "absent"|"late", "reason"}], "disciplines": [{discipline_id, code, name,
kind}]}` (by student, date and pair): the administration, the group's teachers, its class teacher.

`POST /api/v1/groups/{group_id}/absences/corrections` with `{"corrections": [{"lesson_id",
"student_id", "reason"}]}` (1..500) sets them all or none and answers `{"corrected": [{"lesson_id",
"student_id", "old_reason", "reason"}]}`: the group's class teacher and the admin. Refusals: 409
`not_an_absence` (present, or nothing recorded), 409 `lesson_of_another_group`, 404 `lesson_not_found`,
400 `duplicate_correction`, 403 `not_class_teacher` / `role_required`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.attendance import REASONS, STATUSES, ReasonName
from gateway.resources.common import Clients, RequestBody, date_of, to_local_date
from gateway.resources.disciplines import DisciplineOut, discipline_out

MAX_CORRECTIONS = 500


class AbsenceOut(BaseModel):
    """Пропуск или опоздание обучающегося на занятии."""

    student_id: str
    lesson_id: str
    lesson_date: date | None
    pair_number: int
    discipline_id: str
    status: str = Field(description=STATUSES.describe("Пропуск или опоздание"))
    reason: str = Field(description=REASONS.describe("Категория причины (unspecified — не указана)"))


class WeekOfAbsencesOut(BaseModel):
    """Пропуски группы за неделю."""

    student_ids: list[str]
    absences: list[AbsenceOut] = Field(description="По обучающимся, дате и паре")
    disciplines: list[DisciplineOut]


class CorrectionIn(RequestBody):
    """Новая категория причины одного пропуска."""

    lesson_id: UUID = Field(description="Занятие группы")
    student_id: UUID = Field(description="Обучающийся")
    reason: ReasonName = Field(description=REASONS.describe("Категория причины"))


class CorrectionsIn(RequestBody):
    """Исправления причин пропусков: все или ни одного."""

    corrections: list[CorrectionIn] = Field(min_length=1, max_length=MAX_CORRECTIONS)


class CorrectedOut(BaseModel):
    """Исправленная причина: было и стало."""

    lesson_id: str
    student_id: str
    old_reason: str = Field(description=REASONS.describe("Было"))
    reason: str = Field(description=REASONS.describe("Стало"))


class CorrectionsOut(BaseModel):
    """Исправления в порядке запроса."""

    corrected: list[CorrectedOut]


router = APIRouter(tags=["Журнал"])


@router.get("/groups/{group_id}/absences", summary="Пропуски группы за неделю")
async def list_group_absences(
    group_id: UUID,
    caller: Caller,
    clients: Clients,
    *,
    week_start: Annotated[date, Query(description="Понедельник недели, ГГГГ-ММ-ДД")],
) -> WeekOfAbsencesOut:
    """Пропуски и опоздания группы за неделю с категориями причин: классный руководитель,
    преподаватели группы, администрация."""
    request = pb.ListGroupAbsencesRequest(group_id=str(group_id), week_start=to_local_date(week_start))
    answer = await call(clients.journal.ListGroupAbsences, request, caller.token)
    return WeekOfAbsencesOut(
        student_ids=list(answer.student_ids),
        absences=[
            AbsenceOut(
                student_id=a.student_id,
                lesson_id=a.lesson_id,
                lesson_date=date_of(a.lesson_date),
                pair_number=a.pair_number,
                discipline_id=a.discipline_id,
                status=STATUSES.name_of(a.status),
                reason=REASONS.name_of(a.reason),
            )
            for a in answer.absences
        ],
        disciplines=[discipline_out(d) for d in answer.disciplines],
    )


@router.post("/groups/{group_id}/absences/corrections", summary="Исправить причины пропусков")
async def correct_absence_reasons(
    group_id: UUID, body: CorrectionsIn, caller: Caller, clients: Clients
) -> CorrectionsOut:
    """Исправляет категории причин пропусков группы — все или ни одного: классный руководитель
    группы и администратор журнала."""
    request = pb.CorrectAbsenceReasonsRequest(
        group_id=str(group_id),
        corrections=[
            pb.AbsenceCorrection(
                lesson_id=str(c.lesson_id), student_id=str(c.student_id), reason=REASONS.to_pb(c.reason)
            )
            for c in body.corrections
        ],
    )
    answer = await call(clients.journal.CorrectAbsenceReasons, request, caller.token)
    return CorrectionsOut(
        corrected=[
            CorrectedOut(
                lesson_id=c.lesson_id,
                student_id=c.student_id,
                old_reason=REASONS.name_of(c.old_reason),
                reason=REASONS.name_of(c.reason),
            )
            for c in answer.corrected
        ]
    )
