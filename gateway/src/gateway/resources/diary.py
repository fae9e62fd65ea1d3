"""The student's diary (JournalService.GetStudentDiary): a week (or any period up to a year) day by day.

`GET /api/v1/students/{student_id}/diary?date_from=&date_to=` answers (the portal's week view reads it):

    {"days": [{"date": "YYYY-MM-DD",
               "lessons": [{"lesson_id", "discipline_id", "pair_number", "subgroup_id": null|"…",
                            "topic", "kind", "homework", "homework_deadline": null|"YYYY-MM-DD",
                            "marks": [{"mark_id", "value", "kind_of_work", "weight"}, …],
                            "status": null|"present"|"absent"|"late", "reason": null|"illness"|…}, …],
               "marks_without_lesson": [{"student_id", "discipline_id", "lesson_date", "mark"}, …]}, …],
     "disciplines": [{"discipline_id", "code", "name", "kind"}, …],
     "averages": [{"discipline_id", "mean": null|"4.33", "weighted_mean": null|"4.50"}, …]}

Days without lessons or marks are left out; the lessons are the student's group's and their own
subgroups'; homework set for chosen students shows only in their diaries. Who may read: the student,
their parent, the teachers and the class teacher of the student's group, the administration; anyone
else gets 404 `student_not_found`.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.attendance import REASONS, STATUSES
from gateway.resources.common import Clients, to_local_date
from gateway.resources.disciplines import DisciplineOut, discipline_out
from gateway.resources.journal_page import (
    LESSON_KIND_NAMES,
    STATUS_NAMES,
    CellMarkOut,
    DatedMarkOut,
    DateFrom,
    DateTo,
    JsonObject,
    cell_mark,
    dated_mark,
    day_of,
    json_response,
    reason_of,
)
from gateway.resources.lessons import LESSON_KINDS
from gateway.resources.marks import DisciplineAverageOut


class DiaryLessonOut(BaseModel):
    """Занятие дня в дневнике: тема, задание, оценки и посещаемость обучающегося."""

    lesson_id: str
    discipline_id: str
    pair_number: int
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    topic: str
    kind: str = Field(description=LESSON_KINDS.describe("Вид занятия"))
    homework: str = Field(description="Задание этому обучающемуся; пусто — нет")
    homework_deadline: date | None
    marks: list[CellMarkOut]
    status: str | None = Field(description=STATUSES.describe("Посещаемость; null — не отмечена"))
    reason: str | None = Field(description=REASONS.describe("Категория причины пропуска или опоздания"))


class DiaryDayOut(BaseModel):
    """День дневника."""

    date: date
    lessons: list[DiaryLessonOut] = Field(description="По номеру пары")
    marks_without_lesson: list[DatedMarkOut]


class DiaryOut(BaseModel):
    """Дневник обучающегося за период: дни, дисциплины, средние баллы по дисциплинам."""

    days: list[DiaryDayOut]
    disciplines: list[DisciplineOut]
    averages: list[DisciplineAverageOut]


def _lesson(item: pb.DiaryLesson) -> JsonObject:
    return {
        "lesson_id": item.lesson_id,
        "discipline_id": item.discipline_id,
        "pair_number": item.pair_number,
        "subgroup_id": item.subgroup_id or None,
        "topic": item.topic,
        "kind": LESSON_KIND_NAMES[item.kind],
        "homework": item.homework,
        "homework_deadline": day_of(item.homework_deadline) if item.HasField("homework_deadline") else None,
        "marks": [cell_mark(m) for m in item.marks],
        "status": STATUS_NAMES[item.status],
        "reason": reason_of(item.status, item.reason),
    }


def diary_json(diary: pb.GetStudentDiaryResponse) -> JsonObject:
    """Return the diary as its documented JSON."""
    return {
        "days": [
            {
                "date": day_of(day.date),
                "lessons": [_lesson(item) for item in day.lessons],
                "marks_without_lesson": [dated_mark(m) for m in day.marks_without_lesson],
            }
            for day in diary.days
        ],
        "disciplines": [discipline_out(d).model_dump() for d in diary.disciplines],
        "averages": [
            {
                "discipline_id": a.discipline_id,
                "mean": a.mean or None,
                "weighted_mean": a.weighted_mean or None,
            }
            for a in diary.averages
        ],
    }


router = APIRouter(tags=["Журнал"])


@router.get("/students/{student_id}/diary", summary="Дневник обучающегося за период", response_model=DiaryOut)
async def student_diary(
    student_id: UUID, caller: Caller, clients: Clients, *, date_from: DateFrom, date_to: DateTo
) -> Response:
    """Дни периода с занятиями, заданиями, оценками и пропусками обучающегося и средние баллы: сам
    обучающийся, его родитель, преподаватели и классный руководитель группы, администрация."""
    request = pb.GetStudentDiaryRequest(
        student_id=str(student_id), date_from=to_local_date(date_from), date_to=to_local_date(date_to)
    )
    return json_response(diary_json(await call(clients.journal.GetStudentDiary, request, caller.token)))
