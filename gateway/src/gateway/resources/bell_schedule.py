"""The college's bell schedule (JournalService, R2.1): numbered pairs with their times."""

from __future__ import annotations

from datetime import time

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody


class BellPairIn(RequestBody):
    """Пара: два академических часа по 45 минут с перерывом."""

    number: int = Field(ge=1, le=8, description="Номер пары, 1..8")
    starts_at: time = Field(description="Начало, «ЧЧ:ММ» по времени колледжа")
    ends_at: time = Field(description="Конец, «ЧЧ:ММ», позже начала")


class BellPairOut(BaseModel):
    """Пара расписания звонков."""

    number: int = Field(description="Номер пары")
    starts_at: str = Field(description="Начало, «ЧЧ:ММ»")
    ends_at: str = Field(description="Конец, «ЧЧ:ММ»")


class BellScheduleSet(RequestBody):
    """Расписание звонков: заменяет прежнее целиком."""

    pairs: list[BellPairIn] = Field(min_length=1, max_length=8, description="Пары, каждый номер один раз")


class BellScheduleOut(BaseModel):
    """Расписание звонков колледжа."""

    pairs: list[BellPairOut] = Field(description="Пары по номерам")


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def schedule_out(pairs: list[journal_pb2.BellPair]) -> BellScheduleOut:
    """Map the pairs."""
    return BellScheduleOut(
        pairs=[
            BellPairOut(
                number=p.number, starts_at=_clock(p.starts_at_minute), ends_at=_clock(p.ends_at_minute)
            )
            for p in pairs
        ]
    )


router = APIRouter(tags=["Учебный год"])


@router.put("/bell-schedule", summary="Задать расписание звонков")
async def set_bell_schedule(body: BellScheduleSet, caller: Caller, clients: Clients) -> BellScheduleOut:
    """Заменяет расписание звонков колледжа (только администратор)."""
    request = pb.SetBellScheduleRequest(
        pairs=[
            journal_pb2.BellPair(
                number=p.number, starts_at_minute=_minute(p.starts_at), ends_at_minute=_minute(p.ends_at)
            )
            for p in body.pairs
        ]
    )
    return schedule_out(list((await call(clients.journal.SetBellSchedule, request, caller.token)).pairs))


@router.get("/bell-schedule", summary="Расписание звонков")
async def get_bell_schedule(caller: Caller, clients: Clients) -> BellScheduleOut:
    """Расписание звонков колледжа: любой вошедший пользователь."""
    response = await call(clients.journal.GetBellSchedule, pb.GetBellScheduleRequest(), caller.token)
    return schedule_out(list(response.pairs))
