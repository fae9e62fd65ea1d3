"""Lessons (JournalService, R2.3): a lesson on a date and pair for a group or subgroup, and a group's
lessons of a discipline between two dates."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date

LESSON_KINDS = ProtoEnum(journal_pb2.LessonKind)
LessonKindName = Annotated[str, LESSON_KINDS]
HOMEWORK_KINDS = ProtoEnum(journal_pb2.HomeworkKind)
HomeworkKindName = Annotated[str, HOMEWORK_KINDS]


class LessonCreate(RequestBody):
    """Занятие группы или подгруппы в дату и на пару."""

    group_id: UUID = Field(description="Идентификатор группы")
    subgroup_id: UUID | None = Field(
        default=None, description="Подгруппа этой группы по дисциплине; нет — вся группа"
    )
    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    lesson_date: date = Field(description="Дата занятия: учебный день графика группы, не в будущем")
    pair_number: int = Field(ge=1, le=8, description="Номер пары по расписанию звонков")
    topic: str = Field(
        default="", max_length=500, description="Тема занятия; с темой из КТП пусто — её название"
    )
    kind: LessonKindName = Field(description=LESSON_KINDS.describe("Вид занятия"))
    homework: str = Field(default="", max_length=2000, description="Домашнее задание; пусто — нет")
    homework_deadline: date | None = Field(default=None, description="Срок задания (только с заданием)")
    ktp_topic_id: UUID | None = Field(
        default=None, description="Тема из КТП этой группы (или подгруппы) по дисциплине"
    )
    homework_kind: HomeworkKindName = Field(
        default="homework", description=HOMEWORK_KINDS.describe("Вид задания (только с заданием)")
    )
    homework_student_ids: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        description="Обучающиеся группы (подгруппы), кому задание; пусто — всем (только с заданием)",
    )


class LessonOut(BaseModel):
    """Занятие."""

    lesson_id: str = Field(description="Идентификатор занятия")
    group_id: str = Field(description="Идентификатор группы")
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    teacher_id: str = Field(description="Преподаватель, записавший занятие")
    lesson_date: date | None = Field(description="Дата")
    pair_number: int = Field(description="Номер пары")
    topic: str = Field(description="Тема")
    kind: str = Field(description=LESSON_KINDS.describe("Вид занятия"))
    homework: str = Field(description="Домашнее задание")
    homework_deadline: date | None = Field(description="Срок задания")
    ktp_topic_id: str | None = Field(default=None, description="Тема из КТП; null — без неё")
    homework_kind: str | None = Field(
        default=None, description=HOMEWORK_KINDS.describe("Вид задания; null — задания нет")
    )
    homework_student_ids: list[str] = Field(
        default_factory=list, description="Кому задание; пусто — всей группе (подгруппе)"
    )


class LessonRecordedOut(BaseModel):
    """Записанное занятие; created=false — то же занятие уже было записано."""

    lesson: LessonOut
    created: bool = Field(description="true — записано сейчас, false — уже было")


class LessonsOut(BaseModel):
    """Занятия по дате и паре."""

    lessons: list[LessonOut]


def lesson_out(lesson: journal_pb2.Lesson) -> LessonOut:
    """Map a Lesson."""
    return LessonOut(
        lesson_id=lesson.lesson_id,
        group_id=lesson.group_id,
        subgroup_id=lesson.subgroup_id or None,
        discipline_id=lesson.discipline_id,
        teacher_id=lesson.teacher_id,
        lesson_date=date_of(lesson.lesson_date),
        pair_number=lesson.pair_number,
        topic=lesson.topic,
        kind=LESSON_KINDS.name_of(lesson.kind),
        homework=lesson.homework,
        homework_deadline=date_of(lesson.homework_deadline) if lesson.HasField("homework_deadline") else None,
        ktp_topic_id=lesson.ktp_topic_id or None,
        homework_kind=HOMEWORK_KINDS.name_of(lesson.homework_kind) if lesson.homework_kind else None,
        homework_student_ids=list(lesson.homework_student_ids),
    )


router = APIRouter(tags=["Журнал"])


@router.post("/lessons", status_code=201, summary="Записать занятие")
async def record_lesson(
    body: LessonCreate, caller: Caller, clients: Clients, response: Response
) -> LessonRecordedOut:
    """Занятие по своей нагрузке (преподаватель); повтор того же занятия — 200 и то же занятие."""
    request = pb.RecordLessonRequest(
        group_id=str(body.group_id),
        subgroup_id=str(body.subgroup_id) if body.subgroup_id else "",
        discipline_id=str(body.discipline_id),
        lesson_date=to_local_date(body.lesson_date),
        pair_number=body.pair_number,
        topic=body.topic,
        kind=LESSON_KINDS.to_pb(body.kind),
        homework=body.homework,
        ktp_topic_id=str(body.ktp_topic_id) if body.ktp_topic_id else "",
        homework_student_ids=[str(s) for s in body.homework_student_ids],
    )
    if body.homework:
        request.homework_kind = HOMEWORK_KINDS.to_pb(body.homework_kind)
    if body.homework_deadline is not None:
        request.homework_deadline.CopyFrom(to_local_date(body.homework_deadline))
    answer = await call(clients.journal.RecordLesson, request, caller.token)
    if not answer.created:
        response.status_code = 200
    return LessonRecordedOut(lesson=lesson_out(answer.lesson), created=answer.created)


@router.get("/groups/{group_id}/lessons", summary="Занятия группы по дисциплине")
async def list_lessons(
    group_id: UUID,
    caller: Caller,
    clients: Clients,
    *,
    discipline_id: Annotated[UUID, Query(description="Идентификатор дисциплины")],
    from_date: Annotated[date, Query(alias="from", description="Первый день (включительно)")],
    to_date: Annotated[date, Query(alias="to", description="Последний день (включительно), не дальше года")],
) -> LessonsOut:
    """Занятия группы и её подгрупп: преподаватель нагрузки, классный руководитель, администрация."""
    request = pb.ListLessonsRequest(
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        from_date=to_local_date(from_date),
        to_date=to_local_date(to_date),
    )
    answer = await call(clients.journal.ListLessons, request, caller.token)
    return LessonsOut(lessons=[lesson_out(lesson) for lesson in answer.lessons])
