"""The journal page and the class teacher's group view (JournalService.GetJournalPage, GetGroupOverview).

`GET /api/v1/groups/{group_id}/disciplines/{discipline_id}/journal?date_from=&date_to=&subgroup_id=`
answers (shapes also in the OpenAPI schema):

    {"student_ids": ["<uuid>", …],                      # the group's (or subgroup's), stable order
     "lessons": [{"lesson_id", "lesson_date": "YYYY-MM-DD", "pair_number", "subgroup_id": null|"…",
                  "teacher_id", "topic", "kind", "homework", "homework_deadline": null|"YYYY-MM-DD",
                  "homework_kind": null|"homework"|"independent_work", "homework_student_ids": [],
                  "ktp_topic_id": null|"…"}, …],        # by date and pair
     "cells": {"student": [0, …], "lesson": [3, …],      # positions in student_ids and lessons
               "status": [null|"absent"|"late", …], "reason": [null|"unspecified"|"illness"|…, …]},
               # columns of equal length, one entry per cell with a mark, an absence or a lateness,
               # by student and lesson
     "marks": {"cell": [0, …], "mark_id": […], "value": […], "kind_of_work": […], "weight": […]},
               # the marks at the page's lessons: mark i sits in cell cell[i], in the order recorded
     "lessons_with_attendance": ["<lesson id>", …],    # attendance taken: no cell there = present
     "marks_without_lesson": [{"student_id", "discipline_id", "lesson_date", "mark": {…}}, …],
     "averages": {"mean": [null|"4.33", …], "weighted_mean": […]},   # in the order of student_ids
     "period_locks": [{"lock_id", "semester", "starts_on", "ends_on", "closed", "reopened_until", …}]}
               # the closed periods on the page's dates (slice B, R1.5): the grid is read-only on them

Columns rather than an object per cell (ADR 0009): a 30 × 40 page is a few packed lists from the
journal to here and a few JSON arrays from here on, never a thousand small objects built and
encoded one by one (the page is benchmarked against its bare SQL).

`GET /api/v1/groups/{group_id}/overview?date_from=&date_to=` answers
`{"student_ids", "disciplines": [{discipline_id, code, name, kind}], "cells": [{student_id,
discipline_id, mean, weighted_mean, mark_count, absences, absences_without_valid_reason, lateness}]}`.
Who may read: the administration, the group's teachers (any discipline), its class teacher; anyone
else gets 404 `group_not_found`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import orjson
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.attendance import REASONS, STATUSES
from gateway.resources.common import Clients, ProtoEnum, date_of, to_local_date
from gateway.resources.disciplines import DisciplineOut, discipline_out
from gateway.resources.lessons import LESSON_KINDS
from gateway.resources.marks import KINDS_OF_WORK
from gateway.resources.period_locks import PeriodLockOut, lock_out

# A JSON object as the hot reads build it (no per-cell model validation).
JsonObject = dict[str, object]
HOMEWORK_KINDS = ProtoEnum(journal_pb2.HomeworkKind)
_KIND_OF_WORK = {value: KINDS_OF_WORK.name_of(value) for value in journal_pb2.KindOfWork.values()}
LESSON_KIND_NAMES = {value: LESSON_KINDS.name_of(value) for value in journal_pb2.LessonKind.values()}
STATUS_NAMES: dict[int, str | None] = {
    value: STATUSES.name_of(value) for value in journal_pb2.AttendanceStatus.values()
}
STATUS_NAMES[journal_pb2.ATTENDANCE_STATUS_UNSPECIFIED] = None
_REASON: dict[int, str] = {value: REASONS.name_of(value) for value in journal_pb2.AbsenceReason.values()}
_HOMEWORK_KIND: dict[int, str | None] = {
    value: HOMEWORK_KINDS.name_of(value) for value in journal_pb2.HomeworkKind.values()
}
_HOMEWORK_KIND[journal_pb2.HOMEWORK_KIND_UNSPECIFIED] = None
_MISSED = frozenset({journal_pb2.ATTENDANCE_STATUS_ABSENT, journal_pb2.ATTENDANCE_STATUS_LATE})

DateFrom = Annotated[date, Query(description="Первый день (включительно), ГГГГ-ММ-ДД")]
DateTo = Annotated[date, Query(description="Последний день (включительно), не дальше года от первого")]


class CellMarkOut(BaseModel):
    """Оценка в клетке журнала или дневника."""

    mark_id: str
    value: str = Field(description="Отметка из словаря колледжа")
    kind_of_work: str = Field(description=KINDS_OF_WORK.describe("Вид работы"))
    weight: int = Field(description="Вес 1–5")


class PageLessonOut(BaseModel):
    """Занятие страницы журнала."""

    lesson_id: str
    lesson_date: date
    pair_number: int
    subgroup_id: str | None = Field(description="Подгруппа; null — вся группа")
    teacher_id: str
    topic: str
    kind: str = Field(description=LESSON_KINDS.describe("Вид занятия"))
    homework: str = Field(description="Домашнее задание; пусто — нет")
    homework_deadline: date | None
    homework_kind: str | None = Field(description=HOMEWORK_KINDS.describe("Вид задания; null — нет задания"))
    homework_student_ids: list[str] = Field(description="Кому задано; пусто — всей группе (подгруппе)")
    ktp_topic_id: str | None = Field(description="Тема КТП; null — нет")


class PageCellsOut(BaseModel):
    """Клетки страницы столбцами равной длины: клетка i — обучающийся student_ids[student[i]] на
    занятии lessons[lesson[i]]; только клетки с оценкой, пропуском или опозданием."""

    student: list[int] = Field(description="Позиция обучающегося в student_ids")
    lesson: list[int] = Field(description="Позиция занятия в lessons")
    status: list[str | None] = Field(description=STATUSES.describe("Посещаемость; null — не отмечена"))
    reason: list[str | None] = Field(
        description=REASONS.describe("Категория причины пропуска или опоздания (unspecified — не указана)")
    )


class PageMarksOut(BaseModel):
    """Оценки на занятиях страницы столбцами равной длины: оценка i — в клетке cell[i], по порядку
    выставления."""

    cell: list[int] = Field(description="Позиция клетки в cells")
    mark_id: list[str]
    value: list[str] = Field(description="Отметка из словаря колледжа")
    kind_of_work: list[str] = Field(description=KINDS_OF_WORK.describe("Вид работы"))
    weight: list[int] = Field(description="Вес 1–5")


class DatedMarkOut(BaseModel):
    """Оценка по дате, без занятия."""

    student_id: str
    discipline_id: str
    lesson_date: date
    mark: CellMarkOut


class PageAveragesOut(BaseModel):
    """Средние баллы обучающихся в порядке student_ids (2 знака, половина вверх; null — нечего усреднять)."""

    mean: list[str | None]
    weighted_mean: list[str | None]


class PageMembershipOut(BaseModel):
    """Когда обучающийся пришёл в группу (подгруппу) или ушёл из неё в пределах дат страницы."""

    joined_on: str | None = Field(description="Первый день в группе (подгруппе); null — раньше дат страницы")
    left_on: str | None = Field(description="Первый день вне её; null — после дат страницы")
    joined_by: str | None = Field(description="enrolment, return, transfer, subgroup_transfer")
    left_by: str | None = Field(
        description="transfer, subgroup_transfer, academic_leave, expulsion, graduation"
    )


class JournalPageOut(BaseModel):
    """Страница журнала: обучающиеся × занятия дисциплины за период."""

    student_ids: list[str]
    lessons: list[PageLessonOut]
    cells: PageCellsOut
    marks: PageMarksOut
    marks_without_lesson: list[DatedMarkOut]
    averages: PageAveragesOut
    lessons_with_attendance: list[str] = Field(
        description="Занятия, на которых отмечена посещаемость: без клетки на них — присутствовал"
    )
    period_locks: list[PeriodLockOut] = Field(
        default_factory=list,
        description="Закрытые периоды на датах страницы; closed — записи в них сейчас запрещены",
    )
    memberships: list[PageMembershipOut] = Field(
        default_factory=list,
        description="В порядке student_ids: зачисление и выбытие в пределах дат страницы; клетки вне "
        "[joined_on, left_on) — не его",
    )


class OverviewCellOut(BaseModel):
    """Обучающийся × дисциплина: средние, оценки и пропуски за период."""

    student_id: str
    discipline_id: str
    mean: str | None
    weighted_mean: str | None
    mark_count: int = Field(description="Оценок, учитываемых в среднем")
    absences: int = Field(description="Пропущено пар")
    absences_without_valid_reason: int = Field(description="Из них без уважительной причины или без причины")
    lateness: int = Field(description="Опозданий")


class GroupOverviewOut(BaseModel):
    """Группа по всем дисциплинам за период (только чтение)."""

    student_ids: list[str]
    disciplines: list[DisciplineOut]
    cells: list[OverviewCellOut]


def day_of(value: common_pb2.LocalDate) -> str:
    """Return a LocalDate as ГГГГ-ММ-ДД."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def cell_mark(mark: pb.CellMark) -> JsonObject:
    """Return a mark of a cell as JSON."""
    return {
        "mark_id": mark.mark_id,
        "value": mark.value,
        "kind_of_work": _KIND_OF_WORK[mark.kind_of_work],
        "weight": mark.weight,
    }


def dated_mark(mark: pb.DatedMark) -> JsonObject:
    """Return a mark recorded by date only as JSON."""
    return {
        "student_id": mark.student_id,
        "discipline_id": mark.discipline_id,
        "lesson_date": day_of(mark.lesson_date),
        "mark": cell_mark(mark.mark),
    }


def reason_of(status: int, reason: int) -> str | None:
    """Return the reason's category of an absence or lateness; None for anything else."""
    return _REASON[reason] if status in _MISSED else None


def json_response(body: JsonObject) -> Response:
    """Return the body as compact UTF-8 JSON (built by hand: no model validation on the hot reads;
    orjson encodes a page's few thousand values some twenty times faster than the standard library)."""
    return Response(orjson.dumps(body), media_type="application/json")


def _lesson(lesson: journal_pb2.Lesson) -> JsonObject:
    return {
        "lesson_id": lesson.lesson_id,
        "lesson_date": day_of(lesson.lesson_date),
        "pair_number": lesson.pair_number,
        "subgroup_id": lesson.subgroup_id or None,
        "teacher_id": lesson.teacher_id,
        "topic": lesson.topic,
        "kind": LESSON_KIND_NAMES[lesson.kind],
        "homework": lesson.homework,
        "homework_deadline": day_of(lesson.homework_deadline)
        if lesson.HasField("homework_deadline")
        else None,
        "homework_kind": _HOMEWORK_KIND.get(lesson.homework_kind),
        "homework_student_ids": list(lesson.homework_student_ids),
        "ktp_topic_id": lesson.ktp_topic_id or None,
    }


def _iso(value: common_pb2.LocalDate) -> str | None:
    day = date_of(value)
    return day.isoformat() if day is not None else None


def journal_page_body(page: pb.GetJournalPageResponse) -> bytes:
    """Return the journal page as its documented JSON (UTF-8): the columns go from the reply's packed
    lists to JSON arrays whole."""
    cells, marks, averages = page.cells, page.marks, page.averages
    status = list(cells.status)
    body = {
        "student_ids": list(page.student_ids),
        "lessons": [_lesson(lesson) for lesson in page.lessons],
        "cells": {
            "student": list(cells.student),
            "lesson": list(cells.lesson),
            "status": list(map(STATUS_NAMES.__getitem__, status)),
            "reason": [
                _REASON[r] if s in _MISSED else None for s, r in zip(status, cells.reason, strict=True)
            ],
        },
        "marks": {
            "cell": list(marks.cell),
            "mark_id": list(marks.mark_id),
            "value": list(marks.value),
            "kind_of_work": list(map(_KIND_OF_WORK.__getitem__, marks.kind_of_work)),
            "weight": list(marks.weight),
        },
        "marks_without_lesson": [dated_mark(m) for m in page.marks_without_lesson],
        "averages": {
            "mean": [m or None for m in averages.mean],
            "weighted_mean": [m or None for m in averages.weighted_mean],
        },
        "lessons_with_attendance": list(page.lessons_with_attendance),
        # Slice B: the page's closed periods (R1.5), as GET …/period-locks shows them.
        "period_locks": [lock_out(lock).model_dump(mode="json") for lock in page.period_locks],
        # Slice J: per student, joining and leaving within the page's dates (dated membership).
        "memberships": [
            {
                "joined_on": _iso(m.joined_on) if m.HasField("joined_on") else None,
                "left_on": _iso(m.left_on) if m.HasField("left_on") else None,
                "joined_by": m.joined_by or None,
                "left_by": m.left_by or None,
            }
            for m in page.memberships
        ],
    }
    return orjson.dumps(body)


router = APIRouter(tags=["Журнал"])


@router.get(
    "/groups/{group_id}/disciplines/{discipline_id}/journal",
    summary="Страница журнала",
    response_model=JournalPageOut,
)
async def journal_page(
    group_id: UUID,
    discipline_id: UUID,
    caller: Caller,
    clients: Clients,
    *,
    date_from: DateFrom,
    date_to: DateTo,
    subgroup_id: Annotated[UUID | None, Query(description="Подгруппа; без неё — вся группа")] = None,
) -> Response:
    """Обучающиеся × занятия дисциплины за период: темы, оценки, пропуски, средние баллы. Читают
    администрация, преподаватели группы и её классный руководитель."""
    request = pb.GetJournalPageRequest(
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        subgroup_id=str(subgroup_id) if subgroup_id else "",
        date_from=to_local_date(date_from),
        date_to=to_local_date(date_to),
    )
    answer = await call(clients.journal.GetJournalPage, request, caller.token)
    return Response(journal_page_body(answer), media_type="application/json")


@router.get("/groups/{group_id}/overview", summary="Группа по всем дисциплинам")
async def group_overview(
    group_id: UUID, caller: Caller, clients: Clients, *, date_from: DateFrom, date_to: DateTo
) -> GroupOverviewOut:
    """Средние баллы, число оценок и пропуски каждого обучающегося по каждой дисциплине за период
    (только чтение): классный руководитель, преподаватели группы, администрация."""
    request = pb.GetGroupOverviewRequest(
        group_id=str(group_id), date_from=to_local_date(date_from), date_to=to_local_date(date_to)
    )
    answer = await call(clients.journal.GetGroupOverview, request, caller.token)
    return GroupOverviewOut(
        student_ids=list(answer.student_ids),
        disciplines=[discipline_out(d) for d in answer.disciplines],
        cells=[
            OverviewCellOut(
                student_id=c.student_id,
                discipline_id=c.discipline_id,
                mean=c.mean or None,
                weighted_mean=c.weighted_mean or None,
                mark_count=c.mark_count,
                absences=c.absences,
                absences_without_valid_reason=c.absences_without_valid_reason,
                lateness=c.lateness,
            )
            for c in answer.cells
        ],
    )
