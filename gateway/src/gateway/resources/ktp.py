"""The KTP («календарно-тематический план», JournalService, R2.2): the topics of a group's (or
subgroup's) discipline in order; the teacher of the load or the admin replaces it; the
administration sees the loads still without one."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date

LESSON_KINDS = ProtoEnum(journal_pb2.LessonKind)
LessonKindName = Annotated[str, LESSON_KINDS]


class KtpTopicIn(RequestBody):
    """Тема КТП; с topic_id — прежняя тема (сохраняет идентификатор), без него — новая."""

    topic_id: UUID | None = Field(default=None, description="Идентификатор темы этого КТП, чтобы её оставить")
    title: str = Field(max_length=500, description="Название, например «Тема 1.1. Введение»")
    hours: int = Field(ge=-32767, le=32767, description="Часов, 1–200")
    kind: LessonKindName = Field(description=LESSON_KINDS.describe("Вид занятия"))


class KtpSet(RequestBody):
    """КТП группы (или подгруппы) по дисциплине: заменяет прежний; темы по порядку."""

    subgroup_id: UUID | None = Field(default=None, description="Подгруппа; нет — вся группа")
    topics: list[KtpTopicIn] = Field(
        max_length=300, description="Темы по порядку; тему, по которой уже было занятие, удалить нельзя"
    )


class KtpTopicOut(BaseModel):
    """Тема КТП."""

    topic_id: str = Field(description="Идентификатор темы")
    position: int = Field(description="Номер по порядку, с 1")
    title: str = Field(description="Название")
    hours: int = Field(description="Часов")
    kind: str = Field(description=LESSON_KINDS.describe("Вид занятия"))


class KtpOut(BaseModel):
    """КТП; ktp_id = null — ещё не составлен."""

    ktp_id: str | None = Field(description="Идентификатор КТП")
    group_id: str = Field(description="Идентификатор группы")
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    topics: list[KtpTopicOut]
    total_hours: int = Field(description="Всего часов по темам")


class LoadWithoutKtpOut(BaseModel):
    """Нагрузка без КТП."""

    group_id: str = Field(description="Идентификатор группы")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    teacher_id: str = Field(description="Преподаватель")


class MissingKtpOut(BaseModel):
    """Нагрузки без КТП на дату и срок сдачи КТП (10 сентября)."""

    as_of: date | None = Field(description="Дата, на которую смотрели")
    deadline: date | None = Field(description="Срок сдачи КТП в этом учебном году")
    past_deadline: bool = Field(description="true — дата позже срока: эти КТП просрочены")
    loads: list[LoadWithoutKtpOut]


def ktp_out(ktp: pb.Ktp) -> KtpOut:
    """Map a Ktp."""
    return KtpOut(
        ktp_id=ktp.ktp_id or None,
        group_id=ktp.group_id,
        subgroup_id=ktp.subgroup_id or None,
        discipline_id=ktp.discipline_id,
        topics=[
            KtpTopicOut(
                topic_id=t.topic_id,
                position=t.position,
                title=t.title,
                hours=t.hours,
                kind=LESSON_KINDS.name_of(t.kind),
            )
            for t in ktp.topics
        ],
        total_hours=ktp.total_hours,
    )


router = APIRouter(tags=["Журнал"])


@router.put("/groups/{group_id}/disciplines/{discipline_id}/ktp", summary="Задать КТП")
async def set_ktp(
    group_id: UUID, discipline_id: UUID, body: KtpSet, caller: Caller, clients: Clients
) -> KtpOut:
    """Заменяет КТП группы (подгруппы) по дисциплине: преподаватель этой нагрузки или администратор."""
    request = pb.SetKtpRequest(
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        subgroup_id=str(body.subgroup_id) if body.subgroup_id else "",
        topics=[
            pb.KtpTopic(
                topic_id=str(t.topic_id) if t.topic_id else "",
                title=t.title,
                hours=t.hours,
                kind=LESSON_KINDS.to_pb(t.kind),
            )
            for t in body.topics
        ],
    )
    return ktp_out((await call(clients.journal.SetKtp, request, caller.token)).ktp)


@router.get("/groups/{group_id}/disciplines/{discipline_id}/ktp", summary="КТП группы по дисциплине")
async def get_ktp(
    group_id: UUID,
    discipline_id: UUID,
    caller: Caller,
    clients: Clients,
    subgroup_id: Annotated[UUID | None, Query(description="Подгруппа; нет — вся группа")] = None,
) -> KtpOut:
    """КТП: администрация, преподаватели группы, её классный руководитель."""
    request = pb.GetKtpRequest(
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        subgroup_id=str(subgroup_id) if subgroup_id else "",
    )
    return ktp_out((await call(clients.journal.GetKtp, request, caller.token)).ktp)


@router.get("/ktp/missing", summary="Дисциплины без КТП")
async def list_missing_ktp(
    caller: Caller,
    clients: Clients,
    year_id: Annotated[UUID, Query(description="Идентификатор учебного года")],
    as_of: Annotated[date | None, Query(description="На какую дату; нет — сегодня")] = None,
) -> MissingKtpOut:
    """Нагрузки (группа × дисциплина × преподаватель) без КТП на дату, и просрочен ли срок (администрация)."""
    request = pb.ListDisciplinesWithoutKtpRequest(year_id=str(year_id))
    if as_of is not None:
        request.as_of.CopyFrom(to_local_date(as_of))
    answer = await call(clients.journal.ListDisciplinesWithoutKtp, request, caller.token)
    return MissingKtpOut(
        as_of=date_of(answer.as_of),
        deadline=date_of(answer.deadline),
        past_deadline=answer.past_deadline,
        loads=[
            LoadWithoutKtpOut(group_id=m.group_id, discipline_id=m.discipline_id, teacher_id=m.teacher_id)
            for m in answer.loads
        ],
    )
