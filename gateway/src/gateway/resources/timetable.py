"""The timetable and the teacher's day (JournalService, issue 6 items 1 and 6): a group's timetable for a
semester, replaced whole by the admin and read by the group's people; a teacher's pairs on a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date
from gateway.runtime import get_runtime

PARITIES = ProtoEnum(pb.WeekParity)
ParityName = Annotated[str, PARITIES]
PARITY_NOTE = "недели считаются от недели первого дня 1 семестра (она — первая, нечётная)"


class TimetableEntryIn(RequestBody):
    """Занятие расписания: пара в день недели для группы или подгруппы."""

    weekday: int = Field(description="День недели: 1 — понедельник … 6 — суббота")
    pair_number: int = Field(description="Номер пары по расписанию звонков")
    parity: ParityName = Field(default="every", description=PARITIES.describe(f"Недели ({PARITY_NOTE})"))
    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    subgroup_id: UUID | None = Field(
        default=None, description="Подгруппа этой группы и дисциплины; нет — вся группа"
    )
    teacher_id: UUID = Field(description="Преподаватель с нагрузкой по дисциплине в группе (подгруппе)")
    room: str = Field(default="", max_length=32, description="Аудитория, до 32 символов")


class TimetableEntryOut(BaseModel):
    """Занятие расписания."""

    entry_id: str = Field(description="Идентификатор занятия расписания")
    weekday: int = Field(description="День недели: 1 — понедельник … 6 — суббота")
    pair_number: int = Field(description="Номер пары")
    parity: str = Field(description=PARITIES.describe("Недели"))
    discipline_id: str = Field(description="Идентификатор дисциплины")
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    teacher_id: str = Field(description="Идентификатор преподавателя")
    room: str = Field(description="Аудитория; может быть пустой")


def entry_out(entry: pb.TimetableEntry) -> TimetableEntryOut:
    """Map a TimetableEntry."""
    return TimetableEntryOut(
        entry_id=entry.entry_id,
        weekday=entry.weekday,
        pair_number=entry.pair_number,
        parity=PARITIES.name_of(entry.parity),
        discipline_id=entry.discipline_id,
        subgroup_id=entry.subgroup_id or None,
        teacher_id=entry.teacher_id,
        room=entry.room,
    )


class TimetableSet(RequestBody):
    """Расписание группы на семестр: заменяет прежнее целиком."""

    entries: list[TimetableEntryIn] = Field(max_length=200, description="Занятия, не больше 200")


class TimetableOut(BaseModel):
    """Расписание группы на семестр: по дню недели, паре и чётности недели."""

    entries: list[TimetableEntryOut]


class DayPairOut(BaseModel):
    """Пара дня преподавателя."""

    group_id: str = Field(description="Идентификатор группы")
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    pair_number: int = Field(description="Номер пары")
    starts_at: str = Field(description="Начало пары, «ЧЧ:ММ»")
    ends_at: str = Field(description="Конец пары, «ЧЧ:ММ»")
    room: str = Field(description="Аудитория; может быть пустой")
    parity: str = Field(description=PARITIES.describe("Недели"))
    entry_id: str = Field(description="Занятие расписания")
    lesson_id: str | None = Field(description="Уже записанное занятие этой пары; null — ещё не записано")


class TeacherDayOut(BaseModel):
    """Пары преподавателя в этот день по расписанию (учебные дни графиков групп)."""

    date: date
    year_id: str | None = Field(description="Учебный год этой даты; null — дата вне семестров")
    semester: int | None = Field(description="Семестр, 1 или 2; null — дата вне семестров")
    week_number: int | None = Field(description=f"Номер учебной недели ({PARITY_NOTE})")
    pairs: list[DayPairOut] = Field(description="Пары по номеру")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def day_out(response: pb.GetTeacherDayResponse, asked: date) -> TeacherDayOut:
    """Map a GetTeacherDayResponse."""
    return TeacherDayOut(
        date=date_of(response.date) or asked,
        year_id=response.year_id or None,
        semester=response.semester or None,
        week_number=response.week_number or None,
        pairs=[
            DayPairOut(
                group_id=p.group_id,
                subgroup_id=p.entry.subgroup_id or None,
                discipline_id=p.entry.discipline_id,
                pair_number=p.entry.pair_number,
                starts_at=_clock(p.starts_at_minute),
                ends_at=_clock(p.ends_at_minute),
                room=p.entry.room,
                parity=PARITIES.name_of(p.entry.parity),
                entry_id=p.entry.entry_id,
                lesson_id=p.lesson_id or None,
            )
            for p in response.pairs
        ],
    )


router = APIRouter(tags=["Расписание"])

YearQuery = Annotated[UUID, Query(description="Идентификатор учебного года")]
SemesterQuery = Annotated[int, Query(description="Семестр: 1 или 2")]
DateQuery = Annotated[date | None, Query(description="Дата; по умолчанию — сегодня по времени колледжа")]


@router.put("/groups/{group_id}/timetable", summary="Задать расписание группы на семестр")
async def set_group_timetable(
    group_id: UUID,
    body: TimetableSet,
    caller: Caller,
    clients: Clients,
    *,
    year_id: YearQuery,
    semester: SemesterQuery,
) -> TimetableOut:
    """Заменяет расписание группы на семестр целиком (только администратор); накладки группы или
    преподавателя (и в других группах) отклоняются с номером занятия."""
    request = pb.SetGroupTimetableRequest(
        group_id=str(group_id),
        year_id=str(year_id),
        semester=semester,
        entries=[
            pb.TimetableEntry(
                weekday=e.weekday,
                pair_number=e.pair_number,
                parity=PARITIES.to_pb(e.parity),
                discipline_id=str(e.discipline_id),
                subgroup_id=str(e.subgroup_id) if e.subgroup_id else "",
                teacher_id=str(e.teacher_id),
                room=e.room,
            )
            for e in body.entries
        ],
    )
    response = await call(clients.journal.SetGroupTimetable, request, caller.token)
    return TimetableOut(entries=[entry_out(e) for e in response.entries])


@router.get("/groups/{group_id}/timetable", summary="Расписание группы на семестр")
async def get_group_timetable(
    group_id: UUID,
    caller: Caller,
    clients: Clients,
    *,
    year_id: YearQuery,
    semester: SemesterQuery,
) -> TimetableOut:
    """Администрация, преподаватели и классный руководитель группы, её обучающиеся и их родители."""
    request = pb.GetGroupTimetableRequest(group_id=str(group_id), year_id=str(year_id), semester=semester)
    response = await call(clients.journal.GetGroupTimetable, request, caller.token)
    return TimetableOut(entries=[entry_out(e) for e in response.entries])


def _today(request: Request) -> date:
    return datetime.now(get_runtime(request).settings.college_zone).date()


async def _day(clients: Clients, caller: Caller, teacher_id: str, asked: date) -> TeacherDayOut:
    request = pb.GetTeacherDayRequest(teacher_id=teacher_id, date=to_local_date(asked))
    return day_out(await call(clients.journal.GetTeacherDay, request, caller.token), asked)


@router.get("/teachers/{teacher_id}/day", summary="День преподавателя по расписанию")
async def teacher_day(
    teacher_id: UUID, request: Request, caller: Caller, clients: Clients, *, date: DateQuery = None
) -> TeacherDayOut:
    """Пары преподавателя в этот день с уже записанными занятиями: сам преподаватель и администрация."""
    return await _day(clients, caller, str(teacher_id), date or _today(request))


@router.get("/me/day", summary="Мой день по расписанию («Сегодня»)")
async def my_day(
    request: Request, caller: Caller, clients: Clients, *, date: DateQuery = None
) -> TeacherDayOut:
    """Пары вызывающего преподавателя в этот день (по умолчанию — сегодня по времени колледжа)."""
    return await _day(clients, caller, caller.subject, date or _today(request))
