"""The curriculum («учебный план», JournalService, R2.1): a group's disciplines per semester of a year
with their hours and form of control; the admin replaces it whole, the group's readers read it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody

CONTROL_FORMS = ProtoEnum(pb.ControlForm)
ControlFormName = Annotated[str, CONTROL_FORMS]
SMALL = 32767
YearId = Annotated[UUID, Query(description="Идентификатор учебного года")]


class CurriculumRowIn(RequestBody):
    """Строка учебного плана: дисциплина в семестре."""

    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    # Wide bounds keep the numbers in the contract's int32; the journal checks the real ranges.
    semester: int = Field(ge=-SMALL, le=SMALL, description="Семестр учебного года: 1 или 2")
    total_hours: int = Field(ge=-SMALL, le=SMALL, description="Всего часов в семестре, 1–2000")
    weekly_hours: int = Field(ge=-SMALL, le=SMALL, description="Часов в неделю, 0–54")
    control_form: ControlFormName = Field(description=CONTROL_FORMS.describe("Форма контроля (none — нет)"))


class CurriculumRowOut(BaseModel):
    """Строка учебного плана."""

    discipline_id: str = Field(description="Идентификатор дисциплины")
    semester: int = Field(description="Семестр: 1 или 2")
    total_hours: int = Field(description="Всего часов")
    weekly_hours: int = Field(description="Часов в неделю")
    control_form: str = Field(description=CONTROL_FORMS.describe("Форма контроля"))


class CurriculumSet(RequestBody):
    """Учебный план группы на год: заменяет прежний целиком."""

    rows: list[CurriculumRowIn] = Field(
        max_length=300, description="Строки; каждая дисциплина в семестре — один раз"
    )


class CurriculumOut(BaseModel):
    """Учебный план группы на год по семестрам и кодам дисциплин."""

    rows: list[CurriculumRowOut]


def _rows_out(rows: Iterable[pb.CurriculumRow]) -> CurriculumOut:
    return CurriculumOut(
        rows=[
            CurriculumRowOut(
                discipline_id=r.discipline_id,
                semester=r.semester,
                total_hours=r.total_hours,
                weekly_hours=r.weekly_hours,
                control_form=CONTROL_FORMS.name_of(r.control_form),
            )
            for r in rows
        ]
    )


router = APIRouter(tags=["Учебный год"])


@router.put("/groups/{group_id}/curriculum", summary="Задать учебный план группы на год")
async def set_curriculum(
    group_id: UUID, year_id: YearId, body: CurriculumSet, caller: Caller, clients: Clients
) -> CurriculumOut:
    """Заменяет учебный план группы на учебный год целиком (только администратор)."""
    request = pb.SetCurriculumRequest(
        group_id=str(group_id),
        year_id=str(year_id),
        rows=[
            pb.CurriculumRow(
                discipline_id=str(r.discipline_id),
                semester=r.semester,
                total_hours=r.total_hours,
                weekly_hours=r.weekly_hours,
                control_form=CONTROL_FORMS.to_pb(r.control_form),
            )
            for r in body.rows
        ],
    )
    return _rows_out((await call(clients.journal.SetCurriculum, request, caller.token)).rows)


@router.get("/groups/{group_id}/curriculum", summary="Учебный план группы на год")
async def get_curriculum(group_id: UUID, year_id: YearId, caller: Caller, clients: Clients) -> CurriculumOut:
    """План группы: администрация, преподаватели группы, её классный руководитель."""
    request = pb.GetCurriculumRequest(group_id=str(group_id), year_id=str(year_id))
    return _rows_out((await call(clients.journal.GetCurriculum, request, caller.token)).rows)
